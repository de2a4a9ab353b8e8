"""The site model: frozen objects built from validated records. Rendering reads only this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from . import localeformat
from .config import Config
from .digests import fingerprint
from .schema import CANCELLED, MOVED, POSTPONED, SCHEDULED, SLUG_RE, slugify


def add_minutes(start: dt.time | None, minutes: int | None) -> dt.time | None:
    """The end time of an event, when start and duration are both known (wraps at midnight)."""
    if start is None or not minutes:
        return None
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()


def is_meeting(channel: str) -> bool:
    """A channel one joins (a Zoom meeting) rather than watches (a YouTube stream)."""
    return "zoom" in channel or "meet" in channel


# Reads of a series' body (its rendered Markdown) in this process: the paths of the series
# read, in order, since the page being rendered began (render.Renderer.render). A page is
# recorded as made from the outlines of what it shows (everything but the bodies) and the
# bodies it read (pipeline.made_digest), so editing a series' body renders again only the
# pages that read it, not every list the series appears in.
_BODY_READS: list = []


def body_reads() -> int:
    """How many reads so far (a mark for bodies_read_since)."""
    return len(_BODY_READS)


def bodies_read_since(mark: int) -> tuple:
    return tuple(_BODY_READS[mark:])


def replay_body_reads(paths: tuple) -> None:
    """Count reads made earlier and remembered (a card rendered once, shown again)."""
    _BODY_READS.extend(paths)


def take_body_reads() -> tuple:
    """The paths of the series whose body was read since the last take, sorted, once each."""
    paths = tuple(sorted(set(_BODY_READS)))
    _BODY_READS.clear()
    return paths


def outline_of(fields: dict) -> str:
    """The fingerprint of a series' fields but its body: every value a page can show of it
    without reading `body_html` (and its source's path)."""
    return fingerprint(*sorted((k, v) for k, v in fields.items() if k not in ("_body", "fingerprint", "outline")))


@dataclass(frozen=True)
class Tag:
    slug: str
    label: str

    @property
    def url(self) -> str:
        return f"/arsip/topik/{self.slug}/"


@dataclass(frozen=True)
class Program:
    slug: str
    title: str
    weekday: str  # the first of its days
    summary: str
    time: dt.time | None
    place: str | None
    channels: tuple
    duration: int | None  # minutes
    links: tuple  # (channel, url)
    competencies: tuple
    movement: str | None
    since: dt.date | None
    order: int
    body_html: str
    path: str
    fingerprint: str
    weekdays: tuple = ()  # every day it runs, in week order (weekday is the first)

    @property
    def url(self) -> str:
        return f"/program/{self.slug}/"

    @property
    def weekday_indexes(self) -> tuple:
        return tuple(localeformat.weekday_index(d) for d in (self.weekdays or (self.weekday,)))

    @property
    def weekday_index(self) -> int:
        return localeformat.weekday_index(self.weekday)

    @property
    def end_time(self) -> dt.time | None:
        return add_minutes(self.time, self.duration)

    def link(self, channel: str) -> str | None:
        return dict(self.links).get(channel)

    @staticmethod
    def meeting(channel: str) -> bool:
        return is_meeting(channel)

    @property
    def weekday_name(self) -> str:
        names = [localeformat.weekday_name(i) for i in self.weekday_indexes]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


@dataclass(frozen=True)
class Series:
    slug: str
    title: str
    program: str
    date: dt.date
    time: dt.time | None
    speakers: tuple
    competency: str | None
    tags: tuple  # of Tag
    reach: tuple  # of (channel, count)
    video: str | None
    duration: int | None  # minutes; None: the program's
    links: tuple  # (channel, url)
    summary: str
    draft: bool
    sample: bool
    _body: str = field(repr=False)  # the rendered Markdown: read it as body_html (counted)
    path: str
    fingerprint: str
    # Reach imported from the platforms' exports (sitegen/reach/), one per channel; where a
    # channel has one, `reach` holds the imported figure and `typed_reach` what was typed.
    typed_reach: tuple = ()  # (channel, count) as typed in the front matter
    reach_imports: tuple = ()  # of reach.records.ReachImport
    status: str = SCHEDULED  # terjadwal | dibatalkan | ditunda | dipindah
    previous_date: dt.date | None = None  # the day a moved series was first set for
    outline: str = ""  # outline_of its fields: what its pages but its own are made from

    @property
    def body_html(self) -> str:
        _BODY_READS.append(self.path)
        return self._body

    @property
    def url(self) -> str:
        return f"/seri/{self.slug}/"

    def imported(self, channel: str):
        """The import behind a channel's figure, or None when the figure was typed."""
        return next((r for r in self.reach_imports if r.channel == channel), None)

    @property
    def backed_by_exports(self) -> bool:
        return bool(self.reach_imports)

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def postponed(self) -> bool:
        """Put off to a day not known yet; `date` is the day it was set for."""
        return self.status == POSTPONED

    @property
    def moved(self) -> bool:
        """Moved to `date` from `previous_date`."""
        return self.status == MOVED

    @property
    def happens(self) -> bool:
        """Held (or to be held) on `date`: neither cancelled nor postponed."""
        return not (self.cancelled or self.postponed)

    def start_time(self, program: Program | None) -> dt.time | None:
        """Its own time, else its program's weekly time (None: not announced)."""
        return self.time or (program.time if program is not None else None)

    def minutes(self, program: Program | None) -> int | None:
        return self.duration or (program.duration if program is not None else None)

    def end_time(self, program: Program | None) -> dt.time | None:
        return add_minutes(self.start_time(program), self.minutes(program))

    def link(self, channel: str, program: Program | None = None) -> str | None:
        """Its own link for a channel, else its program's standing link."""
        own = dict(self.links).get(channel)
        return own or (program.link(channel) if program is not None else None)

    @property
    def recording(self) -> str | None:
        """Where to watch it afterwards: `video`, else its own link on a non-meeting channel."""
        if self.video:
            return self.video
        return next((url for ch, url in self.links if not is_meeting(ch)), None)

    @property
    def total_reach(self) -> int | None:
        return sum(v for _, v in self.reach) if self.reach else None

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def official(self) -> bool:
        """Counted in figures: neither a sample nor a draft."""
        return not (self.sample or self.draft)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    date: dt.date
    url: str | None


@dataclass(frozen=True)
class Period:
    kind: str  # "year" | "partial" | "span"
    start: dt.date | None  # None: since the program began
    end: dt.date
    year: int | None

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.year)
        if self.kind == "partial":
            first = localeformat.month_name(1)
            last = localeformat.month_name(self.end.month)
            months = first if self.end.month == 1 else f"{first}–{last}"
            return f"{months} {self.year}"
        until = localeformat.month_year(self.end)
        if self.start is None:
            return f"sejak awal hingga {until}"
        return f"{localeformat.month_year(self.start)} – {until}"

    @property
    def key(self) -> str:
        """Stable identifier for tables and files: 2023, 2024-sd-2024-02-22, sd-2024-02-22."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "partial":
            return f"{self.year}-sd-{self.end.isoformat()}"
        start = self.start.isoformat() + "-" if self.start else ""
        return f"{start}sd-{self.end.isoformat()}"

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and day <= self.end


@dataclass(frozen=True)
class DeclaredFigure:
    program: str
    period: Period
    series: int
    reach: int
    source: Source | None
    note: str | None
    channels: tuple
    path: str
    line: int

    @property
    def average(self) -> float | None:
        return self.reach / self.series if self.series else None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    body_html: str
    path: str
    fingerprint: str

    @property
    def url(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True)
class Site:
    config: Config
    today: dt.date
    programs: tuple  # ordered by weekday, then order, then title
    series: tuple  # newest first (date, then slug)
    figures: tuple
    pages: tuple
    program_by_slug: dict = field(compare=False, repr=False, default_factory=dict)

    # The lists below are asked for by many planners and templates: each is made once per
    # Site (the Site is frozen; cached_property keeps the value beside its fields).

    def program(self, slug: str) -> Program:
        return self.program_by_slug[slug]

    def series_of(self, program_slug: str) -> tuple:
        return self._series_by_program.get(program_slug, ())

    @cached_property
    def _series_by_program(self) -> dict:
        out: dict = {}
        for s in self.series:
            out.setdefault(s.program, []).append(s)
        return {slug: tuple(items) for slug, items in out.items()}

    @cached_property
    def past_series(self) -> tuple:
        """Series whose day is over: dated before `today` (the archive, "Seri terbaru")."""
        return tuple(s for s in self.series if s.date < self.today)

    @cached_property
    def upcoming_series(self) -> tuple:
        """Series still to come or held today (joinable through the end of their day, WIB)."""
        return tuple(sorted((s for s in self.series if s.date >= self.today), key=lambda s: (s.date, s.time or dt.time(0), s.slug)))


def make_program(doc, rec: dict, body_html: str) -> Program:
    return Program(
        slug=rec["slug"], title=rec["title"], weekday=rec["weekday"][0], weekdays=tuple(rec["weekday"]), summary=rec.get("summary", ""),
        time=rec.get("time"), place=rec.get("place"), channels=rec.get("channels", ()),
        duration=rec.get("duration"), links=rec.get("links", ()),
        competencies=rec.get("competencies", ()), movement=rec.get("movement"), since=rec.get("since"),
        order=rec.get("order", 0), body_html=body_html, path=doc.path,
        fingerprint=fingerprint(doc.digest, doc.path),
    )


# Words a tag written as a slug ("asn-digital") keeps in capitals when it is shown.
ACRONYMS = frozenset({"asn", "bpsdm", "sdm", "pns", "pppk", "ai", "tik", "it", "ui", "ux", "spbe", "lan", "kpk", "opd", "jatim", "cettar"})


def tag_label(text: str) -> str:
    """How a tag reads on a page: as written, unless written as a slug ("literasi-data"),
    which becomes words ("Literasi data"; known acronyms in capitals: "ASN digital")."""
    if not SLUG_RE.match(text):
        return text
    words = [w.upper() if w in ACRONYMS else w for w in text.split("-")]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def make_series(doc, rec: dict, body_html: str, outline: bool = True) -> Series:
    """The series of a validated record. outline=False (`check`, which digests no output):
    its `outline` is left empty."""
    tags = []
    seen = set()
    for label in rec.get("tags", ()):
        slug = slugify(label) or "topik"
        if slug not in seen:
            seen.add(slug)
            tags.append(Tag(slug, tag_label(label)))
    fields = dict(
        slug=rec["slug"], title=rec["title"], program=rec["program"], date=rec["date"],
        time=rec.get("time"), speakers=rec.get("speakers", ()), competency=rec.get("competency"),
        tags=tuple(tags), reach=rec.get("reach", ()), video=rec.get("video"),
        duration=rec.get("duration"), links=rec.get("links", ()),
        summary=rec.get("summary", ""), draft=rec.get("draft", False), sample=rec.get("sample", False),
        _body=body_html, path=doc.path, fingerprint=fingerprint(doc.digest, doc.path),
        typed_reach=rec.get("reach", ()),
        status=rec.get("status", SCHEDULED), previous_date=rec.get("previous_date"),
    )
    return Series(**fields, outline=outline_of(fields) if outline else "")


def with_imports(series: Series, reach_file, channel_order: list) -> Series:
    """The series with the imports of its reach file: an imported figure replaces the typed
    one of its channel; the fingerprint covers the reach file, so that every page showing
    the series is rendered again when it changes."""
    typed = series.typed_reach
    imported = {r.channel: r.figure for r in reach_file.imports}
    merged = [(ch, imported.get(ch, n)) for ch, n in typed]
    rank = {ch: i for i, ch in enumerate(channel_order)}
    added = sorted((r for r in reach_file.imports if r.channel not in dict(typed)), key=lambda r: (rank.get(r.channel, len(rank)), r.channel))
    merged += [(r.channel, r.figure) for r in added]
    changed = dict(reach=tuple(merged), typed_reach=typed, reach_imports=reach_file.imports,
                   fingerprint=fingerprint(series.fingerprint, reach_file.fingerprint))
    fields = {f: getattr(series, f) for f in series.__dataclass_fields__} | changed
    return replace(series, **changed, outline=outline_of(fields) if series.outline else "")


def make_page(doc, rec: dict, body_html: str) -> Page:
    return Page(rec["slug"], rec["title"], rec.get("summary", ""), body_html, doc.path, fingerprint(doc.digest, doc.path))


def make_period(rec: dict) -> Period:
    if rec["year"] is not None and rec["as_of"] is None:
        return Period("year", dt.date(rec["year"], 1, 1), dt.date(rec["year"], 12, 31), rec["year"])
    if rec["year"] is not None:
        return Period("partial", dt.date(rec["year"], 1, 1), rec["as_of"], rec["year"])
    return Period("span", rec["from"], rec["as_of"], None)


def make_figures(fig_data: dict) -> tuple:
    sources = {sid: Source(s["id"], s["title"], s["date"], s.get("url")) for sid, s in fig_data["sources"].items()}
    out = [
        DeclaredFigure(
            program=r["program"], period=make_period(r), series=r["series"], reach=r["reach"],
            source=sources.get(r["source"]) if r["source"] else None, note=r["note"],
            channels=r["channels"], path=r["path"], line=r["line"],
        )
        for r in fig_data["figures"]
    ]
    return tuple(sorted(out, key=lambda f: (f.program, f.period.end, f.period.start or dt.date.min)))


def make_site(config: Config, today: dt.date, programs, series, figures, pages, drafts: bool) -> Site:
    programs = tuple(sorted(programs, key=lambda p: (localeformat.weekday_index(p.weekday), p.order, p.title)))
    kept = [s for s in series if drafts or not s.draft]
    kept.sort(key=lambda s: (s.date, s.time or dt.time(0), s.slug), reverse=True)
    return Site(
        config=config, today=today, programs=programs, series=tuple(kept), figures=figures,
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        program_by_slug={p.slug: p for p in programs},
    )
