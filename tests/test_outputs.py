"""Data outputs, read back with real parsers: the Atom feed (feedparser), sitemap.xml (lxml),
robots.txt, jadwal.ics (icalendar), and the open data CSV/JSON (csv, json), including
hostile values and byte-identical rebuilds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup
from dateutil.rrule import rrulestr
from lxml import etree

from conftest import FIGURES, SITE_YAML, copy_repo_project, make_project, run_cli, tree_bytes
from contentfacts import figure_end, is_full_year

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DATA_FILES = ("robots.txt", "data/seri.csv", "data/seri-narasumber.csv", "data/seri-topik.csv", "data/seri.json",
              "data/angka-resmi.csv", "data/angka-resmi.json", "data/index.html", "datapackage.json")
# Files whose times come from git (the shipped project is built inside the repository)
TIMED_FILES = ("feed.xml", "sitemap.xml", "jadwal.ics")
WEEKDAYS = {"senin": "MO", "selasa": "TU", "rabu": "WE", "kamis": "TH", "jumat": "FR"}


def file_of(site: Path, base: str, url: str) -> Path:
    """The output file an absolute URL under `base` names."""
    assert url.startswith(base), f"{url} is not under {base}"
    rel = url[len(base):]
    return site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def build_project(root: Path, out: Path, *extra: str) -> Path:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", *extra)
    assert proc.returncode == 0, proc.stderr
    return out


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def git_time(root: Path, rel: str) -> int | None:
    """The last commit (no merges) that touched a file, asked of git one file at a time;
    None outside git, and for the oldest commit of a shallow clone (it lists every file)."""
    proc = subprocess.run(["git", "-C", str(root), "log", "-1", "--no-merges", "--format=%H %ct", "--", rel],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    commit, seconds = proc.stdout.split()
    shallow = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "shallow"], capture_output=True, text=True)
    path = Path(shallow.stdout.strip())
    path = path if path.is_absolute() else root / path
    if path.is_file() and commit in path.read_text().split():
        return None
    return int(seconds)


def utc(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def session_utc(s) -> str:
    """A series' start as UTC (00:00 WIB without a time): the fallback of its feed times."""
    at = dt.time.fromisoformat(s.time) if s.time else dt.time(0)
    return utc(int(dt.datetime.combine(s.date, at, tzinfo=ZoneInfo("Asia/Jakarta")).timestamp()))


def expected_updated(root: Path, s) -> str:
    """(run_cli builds without SOURCE_DATE_EPOCH.)"""
    seconds = git_time(root, f"content/series/{s.slug}.md")
    return utc(seconds) if seconds is not None else session_utc(s)


def calendar_of(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def shown_title(s) -> str:
    """A series' title as feeds and calendars show it: a sample is prefixed once."""
    return s.title if not s.sample or s.title.startswith("Contoh: ") else "Contoh: " + s.title


def published(s) -> str:
    return f"{s.date.isoformat()}T{s.time or '00:00'}:00+07:00"


# ---- Atom feed -----------------------------------------------------------------------------

def test_feed_announces_series_with_lasting_ids_and_times_from_git(content_site, content):
    facts, base = content.facts, content.base_url
    feed = feedparser.parse((content_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.language == "id"
    assert feed.feed.title.endswith(facts.site["title"])
    size = facts.site.get("feed_size", 30)
    newest = sorted(facts.series, key=lambda s: (s.date, s.time or "", s.slug), reverse=True)[:size]
    assert facts.upcoming, "the content has no upcoming series: the feed test would not see an announcement"
    assert {e.link for e in feed.entries} == {base + s.url.lstrip("/") for s in newest}
    assert {base + s.url.lstrip("/") for s in facts.upcoming[:size]} <= {e.link for e in feed.entries}
    by_link = {base + s.url.lstrip("/"): s for s in newest}
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    assert [e.id for e in feed.entries] == [f"tag:example.github.io,2023:/asn-belajar{urlsplit(e.link).path.removeprefix('/asn-belajar')}" for e in feed.entries]
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == base + "feed.xml"
    for e in feed.entries:
        s = by_link[e.link]
        assert file_of(content_site, base, e.link).is_file()
        assert e.title == shown_title(s)
        assert e.updated == expected_updated(content.root, s), s.slug
        assert e.published <= e.updated
        assert [t.term for t in e.tags].count("contoh") == (1 if s.sample else 0)  # samples say so once
        assert sum(t.label == "Contoh" for t in e.tags) == (1 if s.sample else 0)
        assert e.summary
    assert feed.feed.updated == max(e.updated for e in feed.entries)


def test_feed_size_limits_entries_and_samples_get_prefixed(tmp_path):
    files = {
        "site.yaml": SITE_YAML + "feed_size: 2\n",
        "content/series/dua.md": '---\ntitle: Seri Dua\nprogram: asn-belajar\ndate: "2023-03-09"\ntime: "09:30"\n---\nIsi.\n',
        "content/series/tiga.md": '---\ntitle: Seri Tiga\nprogram: asn-mengaji\ndate: "2023-03-15"\nsample: true\n---\nIsi.\n',
        "content/series/nanti.md": '---\ntitle: Seri Nanti\nprogram: asn-belajar\ndate: "2030-01-03"\n---\nIsi.\n',
        "content/series/draf.md": '---\ntitle: Seri Draf\nprogram: asn-belajar\ndate: "2023-03-16"\ndraft: true\n---\nIsi.\n',
    }
    root = make_project(tmp_path, files)
    out = build_project(root, tmp_path / "out", "--today", "2024-01-01", "--drafts")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    # the newest dates first, the upcoming one included; drafts never, even with --drafts
    assert [e.title for e in feed.entries] == ["Seri Nanti", "Contoh: Seri Tiga"]
    assert [t.term for t in feed.entries[1].tags][-1] == "contoh"
    assert "contoh" not in {t.term for t in feed.entries[0].tags}
    # outside git, a series' times are its start (00:00 WIB without a time), in UTC
    assert feed.entries[0].updated == feed.entries[0].published == "2030-01-02T17:00:00Z"
    assert feed.feed.updated == "2030-01-02T17:00:00Z"
    assert feed.entries[0].link == "https://example.org/seri/nanti/"
    assert feed.entries[0].summary.startswith("Kamis, 3 Januari 2030.")
    # with SOURCE_DATE_EPOCH, files git does not know take its time instead
    out2 = tmp_path / "out2"
    proc = run_cli("build", "--root", str(root), "--output", str(out2), "--no-cache", "--no-search", "--today", "2024-01-01",
                   env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert proc.returncode == 0, proc.stderr
    feed = feedparser.parse((out2 / "feed.xml").read_bytes())
    assert {e.updated for e in feed.entries} == {"2023-11-14T22:13:20Z"}


# ---- sitemap.xml and robots.txt --------------------------------------------------------------

def test_sitemap_lists_every_page_once_absolute_and_existing(content_site, content):
    base = content.base_url
    tree = etree.parse(str(content_site / "sitemap.xml"))
    root = tree.getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    locs = [el.text for el in root.iterfind(f"{{{SITEMAP_NS}}}url/{{{SITEMAP_NS}}}loc")]
    assert locs and locs == sorted(locs) and len(set(locs)) == len(locs)
    for loc in locs:
        assert loc.startswith(base), loc
        target = file_of(content_site, base, loc)
        assert target.is_file() and target.suffix == ".html", loc
    assert not any("/halaman/" in loc or loc.endswith("404.html") for loc in locs)
    # every series, program and report page is listed, and the open data page
    years = {f["year"] for f in content.facts.figures if "year" in f}
    expected = {base, base + "data/", base + "jadwal/"} | {f"{base}laporan/{y}/" for y in years}
    for folder in ("seri", "program"):
        expected |= {f"{base}{folder}/{p.parent.name}/" for p in (content_site / folder).glob("*/index.html")}
    assert expected <= set(locs)
    assert not any(loc.endswith((".xml", ".ics", ".csv", ".json", ".txt")) for loc in locs)
    # <lastmod>: when the series' own source was last committed (none outside git)
    lastmod = {el.findtext(f"{{{SITEMAP_NS}}}loc"): el.findtext(f"{{{SITEMAP_NS}}}lastmod") for el in root.iterfind(f"{{{SITEMAP_NS}}}url")}
    for s in content.facts.series:
        seconds = git_time(content.root, f"content/series/{s.slug}.md")
        assert lastmod[base + s.url.lstrip("/")] == (utc(seconds) if seconds is not None else None), s.slug
    if content.name == "shipped":
        # Every page of the shipped site has one, from git, except the page of a series an
        # editor has written and not yet committed (`build.py new`): git knows no time for it.
        uncommitted = {base + s.url.lstrip("/") for s in content.facts.series
                       if git_time(content.root, f"content/series/{s.slug}.md") is None}
        assert all(v for loc, v in lastmod.items() if loc not in uncommitted), lastmod


def test_robots_allows_all_and_names_the_sitemap(content_site, content):
    base = content.base_url
    lines = (content_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines and not any(line.startswith("Disallow: /") and line != "Disallow:" for line in lines)
    sitemap = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap:")]
    assert sitemap == [base + "sitemap.xml"]
    assert file_of(content_site, base, sitemap[0]).is_file()


# ---- jadwal.ics ------------------------------------------------------------------------------

def test_calendar_weekly_programs_and_upcoming_series(content_site, content):
    facts, base = content.facts, content.base_url
    cal = calendar_of(content_site / "jadwal.ics")
    assert cal["VERSION"] == "2.0" and str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]).startswith("Jadwal ")
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    events = cal.walk("VEVENT")
    timed = any(type(e.decoded("DTSTART")) is dt.datetime for e in events)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == (["Asia/Jakarta"] if timed else [])
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(u.endswith("@example.github.io") for u in uids)

    weekly = [e for e in events if "RRULE" in e]
    assert len(weekly) == len(facts.programs)
    byday = {str(e["UID"]).split("@")[0].removeprefix("program-"): e["RRULE"]["BYDAY"] for e in weekly}
    assert byday == {slug: [WEEKDAYS[p.weekday]] for slug, p in facts.programs.items()}
    launch = dt.date.fromisoformat(str(facts.site["schedule_since"]))
    for e in weekly:
        program = facts.programs[str(e["UID"]).split("@")[0].removeprefix("program-")]
        assert e["RRULE"]["FREQ"] == ["WEEKLY"]
        assert str(e["SUMMARY"]) == program.title
        start = e.decoded("DTSTART")
        first = max(launch, program.since or launch)
        day = start if type(start) is dt.date else start.date()
        # the first of its weekdays on or after the schedule's (or the program's own) start
        assert day == first + dt.timedelta(days=(list(WEEKDAYS).index(program.weekday) - first.weekday()) % 7)
        assert str(e["URL"]).startswith(base + "program/")
        assert file_of(content_site, base, str(e["URL"])).is_file()
        # the recurrence really lands on that weekday every week
        rule = rrulestr(e["RRULE"].to_ical().decode(), dtstart=dt.datetime.combine(day, dt.time(0)))
        assert {d.weekday() for d in rule[:10]} == {day.weekday()}

    dated = [e for e in events if "RRULE" not in e]
    kept = {base + s.url.lstrip("/"): s for s in facts.series if s.date >= content.today - dt.timedelta(days=365)}
    assert facts.upcoming and set(kept) >= {base + s.url.lstrip("/") for s in facts.upcoming}
    assert sorted(str(e["URL"]) for e in dated) == sorted(kept)
    stamps = {e.decoded("DTSTAMP") for e in events}
    assert len(stamps) == 1 and next(iter(stamps)).tzinfo is not None  # when the file was made: one time
    by_program = {str(e["UID"]).split("@")[0].removeprefix("program-"): e for e in weekly}
    for e in dated:
        s = kept[str(e["URL"])]
        start = e.decoded("DTSTART")
        day = start if type(start) is dt.date else start.date()
        assert day == s.date
        assert str(e["SUMMARY"]) == shown_title(s)
        assert str(e["UID"]) == f"seri-{s.slug}@example.github.io"
        assert file_of(content_site, base, str(e["URL"])).is_file()
        assert str(e["DESCRIPTION"])
        assert e["SEQUENCE"] == 0 and str(e["STATUS"]) == "CONFIRMED"
        seconds = git_time(content.root, f"content/series/{s.slug}.md")
        if seconds is not None:
            assert e.decoded("LAST-MODIFIED") == dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
        # the program's weekly event leaves the series' day to the series
        program = by_program[s.program]
        exdates = {(d.dt if type(d.dt) is dt.date else d.dt.date()) for x in ([program["EXDATE"]] if "EXDATE" in program and not isinstance(program["EXDATE"], list) else program.get("EXDATE", [])) for d in x.dts}
        assert (s.date in exdates) == (list(WEEKDAYS).index(facts.programs[s.program].weekday) == s.date.weekday())


def test_calendar_times_since_and_prefix(tmp_path):
    files = {
        "content/programs/asn-belajar.md": "---\ntitle: ASN Belajar\nweekday: kamis\ntime: \"09:00\"\n---\nIsi.\n",
        "content/programs/asn-mengaji.md": "---\ntitle: ASN Mengaji\nweekday: rabu\nsince: 2024-01-01\n---\nIsi.\n",
        "content/series/jam.md": '---\ntitle: Seri Berjam\nprogram: asn-belajar\ndate: "2025-01-09"\ntime: "13:30"\n---\nIsi.\n',
        "content/series/contoh.md": '---\ntitle: Latihan\nprogram: asn-mengaji\ndate: "2025-01-08"\nsample: true\n---\nIsi.\n',
        "content/series/lalu.md": '---\ntitle: Sudah Lewat\nprogram: asn-mengaji\ndate: "2024-06-05"\n---\nIsi.\n',
    }
    root = make_project(tmp_path, files)
    out = build_project(root, tmp_path / "out", "--today", "2024-12-31")
    text = (out / "jadwal.ics").read_text(encoding="utf-8")
    assert "DTSTART;TZID=Asia/Jakarta:20230914T090000" in text
    cal = calendar_of(out / "jadwal.ics")
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    # the series of the year before `today` and later; older ones are left to the open data
    assert set(events) == {"program-asn-belajar@example.org", "program-asn-mengaji@example.org",
                           "seri-jam@example.org", "seri-contoh@example.org", "seri-lalu@example.org"}
    belajar = events["program-asn-belajar@example.org"]
    start, end = belajar.decoded("DTSTART"), belajar.decoded("DTEND")
    assert start == dt.datetime(2023, 9, 14, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert str(start.tzinfo) == "Asia/Jakarta" and end - start == dt.timedelta(hours=2)
    # since 2024-01-01 (a Monday): the first Wednesday on or after it
    assert events["program-asn-mengaji@example.org"].decoded("DTSTART") == dt.date(2024, 1, 3)
    timed = events["seri-jam@example.org"]
    assert timed.decoded("DTSTART") == dt.datetime(2025, 1, 9, 13, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert "RRULE" not in timed
    assert str(events["seri-contoh@example.org"]["SUMMARY"]) == "Contoh: Latihan"
    assert "Contoh" in events["seri-contoh@example.org"]["CATEGORIES"].cats


# ---- open data -------------------------------------------------------------------------------

def test_series_csv_and_json_match_the_content(content_site, content):
    facts, base = content.facts, content.base_url
    rows = read_csv(content_site / "data" / "seri.csv")
    raw = (content_site / "data" / "seri.csv").read_bytes()
    assert raw.startswith("\ufeffslug,".encode()) and raw.endswith(b"\r\n")  # BOM, CRLF (docs/open-data.md)
    doc = json.loads((content_site / "data" / "seri.json").read_text(encoding="utf-8"))
    assert len(rows) == len(doc["data"]) == len(facts.series) == doc["meta"]["jumlah_baris"]
    assert doc["meta"]["jumlah_contoh"] == len(facts.samples)
    channels = list(facts.site["channels"])
    assert list(rows[0]) == [
        "slug", "title", "program", "program_title", "date", "time", "status", "previous_date", "competency",
        *(f"reach_{ch}" for ch in channels), "reach_total", "video", "summary", "sample", "url"]
    assert [c["nama"] for c in doc["meta"]["kolom"]] == list(rows[0])[:8] + ["speakers", "tags"] + list(rows[0])[8:]
    speakers = read_csv(content_site / "data" / "seri-narasumber.csv")
    topics = read_csv(content_site / "data" / "seri-topik.csv")
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    for row, rec in zip(rows, doc["data"]):
        s = facts.by_slug(row["slug"])
        assert rec["slug"] == row["slug"] and rec["title"] == row["title"] == s.title
        assert rec["program"] == s.program and rec["program_title"] == facts.programs[s.program].title
        assert row["sample"] == ("true" if s.sample else "false") and rec["sample"] is s.sample
        assert row["url"] == rec["url"] == base + s.url.lstrip("/")
        assert file_of(content_site, base, row["url"]).is_file()
        assert rec["date"] == s.date.isoformat()
        for ch in channels:
            assert rec[f"reach_{ch}"] == s.reach.get(ch)
            assert row[f"reach_{ch}"] == ("" if ch not in s.reach else str(s.reach[ch]))
        assert rec["reach_total"] == s.total_reach
        assert rec["speakers"] == list(s.speakers)
        assert [r["name"] for r in speakers if r["series"] == s.slug] == list(s.speakers)
        assert [int(r["position"]) for r in speakers if r["series"] == s.slug] == list(range(1, len(s.speakers) + 1))
        assert [r["label"] for r in topics if r["series"] == s.slug] == rec["tags"]
        assert row["status"] == rec["status"] == "terjadwal" and row["previous_date"] == ""
    assert {r["series"] for r in speakers + topics} <= {r["slug"] for r in rows}


def archived(facts, f: dict) -> int:
    """Official (non-sample) past series of the figure's program inside its period."""
    end = figure_end(f)
    if "year" in f:
        start = dt.date(int(f["year"]), 1, 1)
    else:
        start = f.get("from") or facts.programs[f["program"]].since or dt.date.min
        start = dt.date.fromisoformat(str(start)) if not isinstance(start, dt.date) else start
    return sum(1 for s in facts.past if s.program == f["program"] and not s.sample and start <= s.date <= end)


def test_declared_figures_csv_and_json_match_figures_yaml(content_site, content):
    facts = content.facts
    rows = read_csv(content_site / "data" / "angka-resmi.csv")
    doc = json.loads((content_site / "data" / "angka-resmi.json").read_text(encoding="utf-8"))
    assert len(rows) == len(doc["data"]) == len(facts.figures) == doc["meta"]["jumlah_baris"]
    declared = {(f["program"], figure_end(f).isoformat()): f for f in facts.figures}
    sources = {src["id"]: src for src in facts.sources}
    compared = 0
    for row, rec in zip(rows, doc["data"]):
        f = declared[(rec["program"], rec["end"])]
        assert row["program"] == rec["program"] and row["end"] == rec["end"]
        assert (rec["series"], rec["reach"]) == (f["series"], f["reach"]) == (int(row["series"]), int(row["reach"]))
        assert rec["year"] == f.get("year") and rec["period_kind"] == ("span" if "year" not in f else "year" if is_full_year(f) else "partial")
        assert rec["average"] == round(f["reach"] / f["series"], 2)
        before = declared.get((f["program"], f"{f.get('year', 0) - 1}-12-31"))
        if is_full_year(f) and before is not None and is_full_year(before):
            assert rec["growth"] == round((f["reach"] - before["reach"]) / before["reach"], 4)
            assert float(row["growth"]) == rec["growth"]
            compared += 1
        elif not is_full_year(f):
            assert rec["growth"] is None and row["growth"] == ""  # a partial year or a span is never compared
        assert rec["archived_series"] == archived(facts, f) == int(row["archived_series"])
        assert rec["period_label"] == row["period_label"]
        assert rec["source_date"] == str(sources[f["source"]]["date"])
    if any(is_full_year(f) and (f["program"], f"{f['year'] - 1}-12-31") in declared for f in facts.figures):
        assert compared
    assert sum(int(r["series"]) for r in rows) == doc["meta"]["jumlah_seri"] == sum(f["series"] for f in facts.figures)
    assert sum(int(r["reach"]) for r in rows) == doc["meta"]["jumlah_jangkauan"] == sum(f["reach"] for f in facts.figures)
    assert [src["tanggal"] for src in doc["meta"]["sumber"]] == [str(src["date"]) for src in facts.sources]


def test_declared_figures_open_data_format(tmp_path):
    """The figures' open data on a fixture project: a span, a growth and an average, exactly."""
    figures = FIGURES + (
        "  - program: asn-mengaji\n    from: null\n    as_of: 2024-02-22\n    series: 15\n    reach: 11905\n"
        "    source: sumber\n")
    root = make_project(tmp_path, {"content/figures.yaml": figures})
    out = build_project(root, tmp_path / "out", "--today", "2026-11-23")
    rows = read_csv(out / "data" / "angka-resmi.csv")
    doc = json.loads((out / "data" / "angka-resmi.json").read_text(encoding="utf-8"))
    y2023 = [r for r in rows if r["program"] == "asn-belajar" and r["period_kind"] == "year" and r["year"] == "2023"]
    assert len(y2023) == 1
    assert (y2023[0]["series"], y2023[0]["reach"]) == ("44", "949080")
    rec2023 = next(r for r in doc["data"] if r["year"] == 2023)
    assert (rec2023["series"], rec2023["reach"], rec2023["average"]) == (44, 949080, 21570.0)
    assert rec2023["growth"] == round((949080 - 401482) / 401482, 4) == 1.3639
    assert rec2023["archived_series"] == 1  # the fixture's one official series, 2 March 2023
    span = next(r for r in doc["data"] if r["period_kind"] == "span")
    assert (span["program"], span["start"], span["year"], span["series"], span["reach"]) == ("asn-mengaji", None, None, 15, 11905)
    assert doc["meta"]["jumlah_seri"] == 49 + 44 + 15 and doc["meta"]["jumlah_jangkauan"] == 401482 + 949080 + 11905
    assert doc["meta"]["sumber"][0]["tanggal"] == "2024-02-22"


def test_data_page_lists_files_and_columns(content_site):
    soup = BeautifulSoup((content_site / "data" / "index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.html["lang"] == "id"
    links = {a["href"] for a in soup.select("main a[href]")}
    for name in ("seri.csv", "seri.json", "angka-resmi.csv", "angka-resmi.json"):
        href = f"/asn-belajar/data/{name}"
        assert href in links
        assert (content_site / "data" / name).is_file()
    terms = {dt_.get_text(strip=True) for dt_ in soup.select("main dl dt")}
    assert {"reach_zoom", "reach_youtube", "reach_total", "sample", "growth", "archived_series"} <= terms
    text = soup.main.get_text(" ", strip=True)
    assert "sample=true" in text and "angka resmi" in text
    assert "petik tunggal" in text  # the CSV formula defence is documented


# ---- hostile values --------------------------------------------------------------------------

HOSTILE_TITLE = "</script><script>alert(1)</script> \"kutip\" & 'apos' <b>x</b>\nbaris kedua"
HOSTILE_SUMMARY = '=HYPERLINK("http://contoh.invalid/","klik")'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    series = (
        "---\n"
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        "program: asn-belajar\n"
        'date: "2023-05-04"\n'
        f"summary: {json.dumps(HOSTILE_SUMMARY)}\n"
        "speakers:\n  - \"@SUM(1+1)\"\n  - \"Bu A & Pak B <c@d>\"\n"
        "tags:\n  - \"+topik\"\n  - aman\n"
        "reach:\n  zoom: 7\n"
        "---\nIsi <script>alert(2)</script> & lainnya.\n"
    )
    upcoming = (
        "---\n"
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        "program: asn-belajar\n"
        'date: "2030-01-03"\n'
        "sample: true\n"
        "---\nIsi.\n"
    )
    figures = FIGURES.replace("reach: 949080", "reach: 200000")  # growth below zero
    root = make_project(tmp, {"content/series/jahat.md": series, "content/series/nanti.md": upcoming,
                              "content/figures.yaml": figures})
    return build_project(root, tmp / "out", "--today", "2024-01-01")


def test_hostile_values_survive_feed(hostile_site):
    raw = (hostile_site / "feed.xml").read_bytes()
    assert b"<script>" not in raw and b"<b>" not in raw
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.link.endswith("/seri/jahat/"))
    assert entry.title_detail.type == "text/plain"
    assert entry.title == HOSTILE_TITLE
    assert entry.summary == "Kamis, 4 Mei 2023. " + HOSTILE_SUMMARY
    # and with a strict XML parser
    root = etree.fromstring(raw)
    titles = root.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert HOSTILE_TITLE in [t.text for t in titles]


def test_hostile_values_survive_calendar(hostile_site):
    cal = calendar_of(hostile_site / "jadwal.ics")
    dated = [e for e in cal.walk("VEVENT") if "RRULE" not in e]
    # the series of the year before `today` (2024-01-01) and the upcoming one
    assert [str(e["SUMMARY"]) for e in dated] == ["Seri Satu", HOSTILE_TITLE, "Contoh: " + HOSTILE_TITLE]
    assert len(cal.walk("VEVENT")) == 2 + 3  # two programs in the small project


def test_hostile_values_are_defused_in_csv_and_kept_in_json(hostile_site):
    rows = read_csv(hostile_site / "data" / "seri.csv")
    row = next(r for r in rows if r["slug"] == "jahat")
    assert row["title"] == HOSTILE_TITLE  # the newline and quotes survive the round trip
    assert row["summary"] == "'" + HOSTILE_SUMMARY
    speakers = [r["name"] for r in read_csv(hostile_site / "data" / "seri-narasumber.csv") if r["series"] == "jahat"]
    assert speakers == ["'@SUM(1+1)", "Bu A & Pak B <c@d>"]
    topics = [r["label"] for r in read_csv(hostile_site / "data" / "seri-topik.csv") if r["series"] == "jahat"]
    assert topics == ["'+topik", "Aman"]  # a tag written as a slug reads as a word
    assert row["reach_zoom"] == "7" and row["reach_total"] == "7"
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    doc = json.loads((hostile_site / "data" / "seri.json").read_text(encoding="utf-8"))
    rec = next(r for r in doc["data"] if r["slug"] == "jahat")
    assert (rec["title"], rec["summary"]) == (HOSTILE_TITLE, HOSTILE_SUMMARY)
    assert rec["speakers"] == ["@SUM(1+1)", "Bu A & Pak B <c@d>"] and rec["tags"] == ["+topik", "Aman"]
    # a negative number is a number, not a formula: no apostrophe
    figures = read_csv(hostile_site / "data" / "angka-resmi.csv")
    growth = next(r["growth"] for r in figures if r["year"] == "2023")
    assert float(growth) == round((200000 - 401482) / 401482, 4) < 0
    data_page = (hostile_site / "data" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in data_page


# ---- determinism -----------------------------------------------------------------------------

def test_data_outputs_are_byte_identical_across_builds(tmp_path, content_site, content):
    root = copy_repo_project(tmp_path / "p")
    if content.name != "shipped":
        shutil.rmtree(root)
        shutil.copytree(content.root, root)
    common = ("--today", content.today.isoformat(), "--base-url", content.base_url)
    a = build_project(root, tmp_path / "a", *common)
    proc = run_cli("build", "--root", str(root), "--output", str(tmp_path / "b"), "--no-cache", "--no-search", *common,
                   env={"PYTHONHASHSEED": "4321", "TZ": "America/New_York"})
    assert proc.returncode == 0, proc.stderr
    ta, tb = tree_bytes(a), tree_bytes(tmp_path / "b")
    shipped = tree_bytes(content_site)
    for name in DATA_FILES:
        assert ta[name] == tb[name] == shipped[name], name
    for name in TIMED_FILES:  # the copies are outside git: their times are the content's own
        assert ta[name] == tb[name], name


def test_feed_and_calendar_do_not_depend_on_the_clock_alone(tmp_path):
    """Moving `today` without new past series changes neither the feed nor the open data
    (the calendar keeps the series of the year before `today`, so it may change)."""
    root = make_project(tmp_path)
    a = build_project(root, tmp_path / "a", "--today", "2024-01-01")
    b = build_project(root, tmp_path / "b", "--today", "2025-06-30")
    for name in ("feed.xml", "sitemap.xml", "robots.txt", "data/seri.csv", "data/seri.json",
                 "data/angka-resmi.csv", "data/angka-resmi.json", "datapackage.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert urlsplit(feedparser.parse((a / "feed.xml").read_bytes()).entries[0].link).netloc == "example.org"


def test_data_page_links_only_web_addresses_of_sources(tmp_path):
    """Even if a source address that is not http(s) got past validation, /data/ never links it."""
    from sitegen.opendata import _web_address

    assert _web_address("https://jatimprov.go.id/berita") == "https://jatimprov.go.id/berita"
    assert _web_address(" JaVaScRiPt:alert(1)") is None and _web_address("data:text/html,x") is None
    root = make_project(tmp_path, {"content/figures.yaml": FIGURES.replace(
        "    date: 2024-02-22\n", "    date: 2024-02-22\n    url: https://example.org/sumber?a=1&b=2\n", 1)})
    out = build_project(root, tmp_path / "out")
    soup = BeautifulSoup((out / "data" / "index.html").read_text(encoding="utf-8"), "lxml")
    assert [a["href"] for a in soup.select("#sumber ~ ul a")] == ["https://example.org/sumber?a=1&b=2"]
    doc = json.loads((out / "data" / "angka-resmi.json").read_text(encoding="utf-8"))
    assert {r["source_url"] for r in doc["data"]} == {"https://example.org/sumber?a=1&b=2"}
