"""The tests' own small reader of a project's content, independent of sitegen.

Tests that look at the shipped content (or an editor's edited copy of it) take every
expectation from here: which series exist, which are past or upcoming, samples, the
declared figures and their totals. It reads the files with plain PyYAML and a few lines of
code, never with the engine's loader, model or reports, so an engine bug cannot agree
with itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    found = re.match(r"\A---\n(.*?)\n---\n?(.*)\Z", text, re.S)
    assert found, f"{path}: no front matter"
    return yaml.safe_load(found.group(1)) or {}, found.group(2)


@dataclass(frozen=True)
class Series:
    slug: str
    title: str
    program: str
    date: dt.date
    time: str | None
    sample: bool
    draft: bool
    reach: dict
    speakers: tuple
    competency: str | None
    summary: str | None
    body: str

    @property
    def url(self) -> str:
        return f"/seri/{self.slug}/"

    @property
    def total_reach(self) -> int | None:
        return sum(self.reach.values()) if self.reach else None


@dataclass(frozen=True)
class Program:
    slug: str
    title: str
    weekday: str
    since: dt.date | None
    body: str


@dataclass
class Facts:
    root: Path
    today: dt.date
    site: dict
    series: list = field(default_factory=list)      # published: not drafts
    programs: dict = field(default_factory=dict)    # slug -> Program
    figures: list = field(default_factory=list)     # the entries of figures.yaml, as written
    sources: list = field(default_factory=list)

    @property
    def past(self) -> list:
        """Over (dated before today), newest first, as in the feed."""
        return sorted((s for s in self.series if s.date < self.today), key=lambda s: s.date, reverse=True)

    @property
    def upcoming(self) -> list:
        """Still to come or held today: a series is upcoming through the end of its day."""
        return sorted((s for s in self.series if s.date >= self.today), key=lambda s: s.date)

    @property
    def samples(self) -> list:
        return [s for s in self.series if s.sample]

    def by_slug(self, slug: str) -> Series:
        return next(s for s in self.series if s.slug == slug)

    def figures_of(self, program: str) -> list:
        """A program's declared figures in the order of their period's end."""
        return sorted((f for f in self.figures if f["program"] == program), key=figure_end)

    def declared_total(self, program: str) -> tuple[int, int]:
        """(series, reach) summed over a program's declared figures."""
        rows = self.figures_of(program)
        return sum(f["series"] for f in rows), sum(f["reach"] for f in rows)


def figure_end(f: dict) -> dt.date:
    return _date(f.get("as_of")) or dt.date(int(f["year"]), 12, 31)


def is_full_year(f: dict) -> bool:
    return "year" in f and f.get("as_of") is None


def read(root: Path, today: dt.date) -> Facts:
    root = Path(root)
    site = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    facts = Facts(root=root, today=today, site=site)
    for path in sorted((root / "content" / "programs").glob("*.md")):
        meta, body = front_matter(path)
        facts.programs[path.stem] = Program(path.stem, str(meta["title"]), meta["weekday"], _date(meta.get("since")), body)
    for path in sorted((root / "content" / "series").glob("*.md")):
        meta, body = front_matter(path)
        if meta.get("draft"):
            continue
        facts.series.append(Series(
            slug=meta.get("slug") or path.stem, title=str(meta["title"]), program=meta["program"],
            date=_date(meta["date"]), time=meta.get("time"), sample=bool(meta.get("sample")),
            draft=False, reach=dict(meta.get("reach") or {}), speakers=tuple(meta.get("speakers") or ()),
            competency=meta.get("competency"),            summary=meta.get("summary"), body=body))
    figures = root / "content" / "figures.yaml"
    if figures.is_file():
        doc = yaml.safe_load(figures.read_text(encoding="utf-8")) or {}
        facts.figures = list(doc.get("figures") or [])
        facts.sources = list(doc.get("sources") or [])
    return facts


def idn(n: int) -> str:
    """An integer as Indonesian writes it: 1.529.584."""
    return f"{n:,}".replace(",", ".")


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def long_date(d: dt.date) -> str:
    """A date as the site writes it: Kamis, 22 Februari 2024."""
    return f"{DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}"


WORD_RE = re.compile(r"[^\W\d_]{4,}")


def words(text: str) -> set:
    """The words of a text as a search finds them: letters only, four or more, lowercase."""
    return {w.lower() for w in WORD_RE.findall(text or "")}


@dataclass(frozen=True)
class SearchWords:
    common: str        # a title word found in the most series
    rare: str          # a title word found in the fewest series
    rare_programs: frozenset  # the programs of the series whose text holds `rare`
    month: str         # the month name of a published series' date, as the pages write it


def search_words(facts: Facts) -> SearchWords:
    """Words to search the built site for, taken from its content, so the search tests hold
    whatever series an editor adds or deletes."""
    assert facts.series, "no published series to search"
    texts = {s.slug: words(" ".join((s.title, s.summary or "", s.body))) for s in facts.series}
    title_words = sorted({w for s in facts.series for w in words(s.title)})
    count = {w: sum(w in t for t in texts.values()) for w in title_words}
    common = max(title_words, key=lambda w: (count[w], w))
    rare = min(title_words, key=lambda w: (count[w], w))
    programs = frozenset(s.program for s in facts.series if rare in texts[s.slug])
    newest = max(facts.series, key=lambda s: (s.date, s.slug))
    return SearchWords(common, rare, programs, MONTHS[newest.date.month - 1])
