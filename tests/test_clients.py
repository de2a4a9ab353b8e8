"""The data outputs read by the programs people use, not only by validators:

- jadwal.ics and acara.ics expanded over a year by Mozilla's ical.js (Thunderbird's parser,
  driven with node) and by recurring-ical-events (Python): one event per session day, the
  series' own time, a cancelled series cancelled, a moved series under the same UID;
- feed.xml read by feedparser across two commits of a git repository: an entry keeps its
  id when its title, date and status change, the change shows as an update, and an
  upcoming series is announced;
- datapackage.json checked by Frictionless (the validator of `frictionless validate`), and each CSV opened as Excel and a
  program would be told to (the declared encoding and dialect), giving what the pages show.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import recurring_ical_events
from bs4 import BeautifulSoup

from conftest import REPO, SITE_YAML, make_project, run_cli

WIB = ZoneInfo("Asia/Jakarta")
HERE = Path(__file__).resolve().parent
ICALJS = Path(os.environ.get("ICALJS") or REPO / ".cache/node/node_modules/ical.js/dist/ical.js")
TODAY = dt.date(2026, 12, 7)  # a Monday
UNTIL = TODAY + dt.timedelta(days=365)

PROGRAMS = {
    "content/programs/asn-belajar.md": "---\ntitle: ASN Belajar\nweekday: kamis\nchannels: [zoom, youtube]\n---\nWebinar.\n",
    "content/programs/asn-mengaji.md": '---\ntitle: ASN Mengaji\nweekday: rabu\ntime: "12:00"\nduration: 60\n---\nKajian.\n',
}


def series(slug: str, title: str, program: str, date: str, extra: str = "") -> dict:
    return {f"content/series/{slug}.md": f'---\ntitle: {title}\nprogram: {program}\ndate: "{date}"\n{extra}---\nIsi.\n'}


# Session days of the fixture, with the start each has (None: all day).
SESSIONS = {
    **series("waktu", "Seri Berjam", "asn-belajar", "2026-12-10",
             'time: "09:00"\nlinks:\n  zoom: https://zoom.us/j/111\n  youtube: https://www.youtube.com/watch?v=abc\n'),
    **series("polos", "Seri Tanpa Jam", "asn-belajar", "2026-12-17"),
    **series("mengaji", "Kajian Khusus", "asn-mengaji", "2026-12-16", 'time: "13:00"\n'),
    **series("batal", "Seri Batal", "asn-belajar", "2027-01-07", 'time: "09:00"\nstatus: dibatalkan\n'),
    **series("pindah", "Seri Pindah", "asn-belajar", "2027-01-21", 'time: "10:00"\nstatus: dipindah\nprevious_date: 2027-01-14\n'),
    **series("tunda", "Seri Tunda", "asn-belajar", "2027-02-04", "status: ditunda\n"),
    **series("sabtu", "Seri Sabtu", "asn-belajar", "2027-03-06", 'time: "08:00"\n'),
}
EXPECTED = {  # day -> (uid prefix, start in WIB or None for all day, status)
    dt.date(2026, 12, 10): ("seri-waktu", dt.time(9, 0), "CONFIRMED"),
    dt.date(2026, 12, 16): ("seri-mengaji", dt.time(13, 0), "CONFIRMED"),
    dt.date(2026, 12, 17): ("seri-polos", None, "CONFIRMED"),
    dt.date(2027, 1, 7): ("seri-batal", dt.time(9, 0), "CANCELLED"),
    dt.date(2027, 1, 21): ("seri-pindah", dt.time(10, 0), "CONFIRMED"),
    dt.date(2027, 2, 4): ("seri-tunda", None, "CANCELLED"),
    dt.date(2027, 3, 6): ("seri-sabtu", dt.time(8, 0), "CONFIRMED"),
}
NO_SESSION = {dt.date(2027, 1, 14)}  # the day the moved series left


def expected_days() -> dict:
    """Every day of the year with a session: the fixture's series, and the programs' weekly
    days (Thursday: ASN Belajar, all day; Wednesday: ASN Mengaji at 12:00)."""
    out = {}
    day = TODAY
    while day < UNTIL:
        if day in EXPECTED:
            out[day] = EXPECTED[day]
        elif day in NO_SESSION:
            pass
        elif day.weekday() == 3:
            out[day] = ("program-asn-belajar", None, None)
        elif day.weekday() == 2:
            out[day] = ("program-asn-mengaji", dt.time(12, 0), None)
        day += dt.timedelta(days=1)
    return out


def build(root: Path, out: Path, *extra: str, env: dict | None = None) -> Path:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", *extra, env=env)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def calendar_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("clients")
    root = make_project(tmp, {**PROGRAMS, **SESSIONS, "content/series/satu.md": None})
    return build(root, tmp / "out", "--today", TODAY.isoformat())


# ---- calendars -------------------------------------------------------------------------------

def icaljs_events(path: Path, start: dt.date, end: dt.date) -> list[dict]:
    if not ICALJS.is_file():
        pytest.skip(f"ical.js not installed at {ICALJS} (bash scripts/test.sh installs it)")
    if shutil.which("node") is None:
        pytest.skip("node not installed")
    proc = subprocess.run(["node", str(HERE / "ical_expand.mjs"), str(ICALJS), str(path), start.isoformat(), end.isoformat()],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def rie_events(path: Path, start: dt.date, end: dt.date) -> list[dict]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    out = []
    for e in recurring_ical_events.of(cal).between(start, end):
        begin = e.decoded("DTSTART")
        all_day = type(begin) is dt.date
        out.append({
            "uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "status": str(e["STATUS"]) if "STATUS" in e else None,
            "sequence": int(e["SEQUENCE"]) if "SEQUENCE" in e else None, "allDay": all_day,
            "day": begin.isoformat() if all_day else begin.astimezone(WIB).date().isoformat(),
            "start": None if all_day else int(begin.timestamp()),
        })
    return out


@pytest.mark.parametrize("reader", [icaljs_events, rie_events], ids=["ical.js", "recurring-ical-events"])
def test_a_year_of_the_calendar_has_one_event_per_session_day(calendar_site, reader):
    events = reader(calendar_site / "jadwal.ics", TODAY, UNTIL)
    by_day: dict = {}
    for e in events:
        by_day.setdefault(dt.date.fromisoformat(e["day"]), []).append(e)
    expected = expected_days()
    doubled = {d: [e["uid"] for e in es] for d, es in by_day.items() if len(es) > 1}
    assert not doubled, f"days with more than one event: {doubled}"
    assert sorted(by_day) == sorted(expected)
    for day, (uid, start, status) in expected.items():
        (e,) = by_day[day]
        assert e["uid"].split("@")[0] == uid, day
        if start is None:
            assert e["allDay"], day
        else:
            assert not e["allDay"] and e["start"] == int(dt.datetime.combine(day, start, tzinfo=WIB).timestamp()), day
        if status is not None:
            assert e["status"] == status, day
    moved = by_day[dt.date(2027, 1, 21)][0]
    assert moved["uid"] == "seri-pindah@example.org" and moved["sequence"] == 2
    assert by_day[dt.date(2027, 1, 7)][0]["summary"] == "[Dibatalkan] Seri Batal"
    assert by_day[dt.date(2027, 2, 4)][0]["summary"] == "[Ditunda] Seri Tunda"


@pytest.mark.parametrize("reader", [icaljs_events, rie_events], ids=["ical.js", "recurring-ical-events"])
def test_each_series_calendar_file_holds_its_one_event(calendar_site, reader):
    for slug, (day, start) in {"waktu": (dt.date(2026, 12, 10), dt.time(9, 0)), "polos": (dt.date(2026, 12, 17), None),
                               "batal": (dt.date(2027, 1, 7), dt.time(9, 0))}.items():
        path = calendar_site / "seri" / slug / "acara.ics"
        (e,) = reader(path, dt.date(2026, 1, 1), dt.date(2028, 1, 1))
        assert e["uid"] == f"seri-{slug}@example.org" and e["day"] == day.isoformat()
        assert e["allDay"] == (start is None)
        assert e["status"] == ("CANCELLED" if slug == "batal" else "CONFIRMED")
    # the page's event is the one in jadwal.ics: same UID, same lines but the file's DTSTAMP
    whole = {str(e["UID"]): e for e in icalendar.Calendar.from_ical((calendar_site / "jadwal.ics").read_bytes()).walk("VEVENT")}
    own = icalendar.Calendar.from_ical((calendar_site / "seri/waktu/acara.ics").read_bytes()).walk("VEVENT")[0]
    other = whole["seri-waktu@example.org"]
    assert own.decoded("DTSTAMP") <= other.decoded("DTSTAMP")
    own.pop("DTSTAMP"), other.pop("DTSTAMP")
    assert own.to_ical() == other.to_ical()
    assert "LOCATION:https://zoom.us/j/111" in own.to_ical().decode()


def test_moving_a_series_keeps_its_uid_and_raises_its_sequence(tmp_path):
    before = {**PROGRAMS, **series("pindah", "Seri Pindah", "asn-belajar", "2027-01-14", 'time: "10:00"\n')}
    root = make_project(tmp_path, before)
    a = build(root, tmp_path / "a", "--today", TODAY.isoformat())
    (root / "content/series/pindah.md").write_text(SESSIONS["content/series/pindah.md"], encoding="utf-8")
    b = build(root, tmp_path / "b", "--today", TODAY.isoformat())
    for reader in (icaljs_events, rie_events):
        old = [e for e in reader(a / "jadwal.ics", TODAY, UNTIL) if e["uid"].startswith("seri-pindah")]
        new = [e for e in reader(b / "jadwal.ics", TODAY, UNTIL) if e["uid"].startswith("seri-pindah")]
        assert [e["day"] for e in old] == ["2027-01-14"] and [e["day"] for e in new] == ["2027-01-21"]
        assert old[0]["uid"] == new[0]["uid"] == "seri-pindah@example.org"
        assert new[0]["sequence"] > old[0]["sequence"]
        # before the move the series held the 14th; after, the 14th is empty and the 21st its own
        days_b = [e["day"] for e in reader(b / "jadwal.ics", TODAY, UNTIL)]
        assert "2027-01-14" not in days_b and days_b.count("2027-01-21") == 1
        assert [e["day"] for e in reader(a / "jadwal.ics", TODAY, UNTIL)].count("2027-01-14") == 1


# ---- the feed, across commits ----------------------------------------------------------------

def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_AUTHOR_NAME": "Redaksi", "GIT_AUTHOR_EMAIL": "redaksi@example.org",
                "GIT_COMMITTER_NAME": "Redaksi", "GIT_COMMITTER_EMAIL": "redaksi@example.org",
                "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root.parent)})
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def test_feed_entry_keeps_its_id_when_title_date_and_status_change(tmp_path):
    upcoming = series("nanti", "Seri Nanti", "asn-belajar", "2027-01-14", 'time: "09:00"\n')
    root = make_project(tmp_path, {**PROGRAMS, **upcoming})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "isi", when="2026-12-01T10:00:00+07:00")
    a = feedparser.parse(build(root, tmp_path / "a", "--today", TODAY.isoformat()).joinpath("feed.xml").read_bytes())
    entry_a = next(e for e in a.entries if e.link.endswith("/seri/nanti/"))  # announced before its day
    assert entry_a.updated == entry_a.published == "2026-12-01T03:00:00Z"  # the commit, in UTC

    (root / "content/series/nanti.md").write_text(
        '---\ntitle: Seri Nanti (judul baru)\nprogram: asn-belajar\ndate: "2027-01-21"\ntime: "09:00"\n'
        "status: dipindah\nprevious_date: 2027-01-14\n---\nIsi.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "pindah", when="2026-12-03T08:30:00+07:00")
    b = feedparser.parse(build(root, tmp_path / "b", "--today", TODAY.isoformat()).joinpath("feed.xml").read_bytes())
    assert not b.bozo
    entry_b = next(e for e in b.entries if e.link.endswith("/seri/nanti/"))
    assert entry_b.id == entry_a.id
    assert entry_b.title == "[Dipindah] Seri Nanti (judul baru)" != entry_a.title
    assert entry_b.updated == "2026-12-03T01:30:00Z" > entry_a.updated  # an update of the same entry
    assert entry_b.published == entry_a.published
    assert "status-dipindah" in {t.term for t in entry_b.tags}
    assert "dipindah dari Kamis, 14 Januari 2027" in entry_b.summary
    assert b.feed.updated == entry_b.updated
    # the other entry did not change, so neither did its time
    same = [e for e in b.entries if e.link.endswith("/seri/satu/")]
    assert same and same[0].updated == next(e for e in a.entries if e.link.endswith("/seri/satu/")).updated


# ---- open data -------------------------------------------------------------------------------

def frictionless_validate(package: Path) -> dict:
    """The report `frictionless validate --json` prints for a data package, made by the same
    library in this process (a second of starting its command saved for each package)."""
    from frictionless import validate  # here: only these tests use it (half a second to import)

    return validate(str(package)).to_dict()


def test_frictionless_validates_the_data_package(content_site, tmp_path):
    package = content_site / "datapackage.json"
    report = frictionless_validate(package)
    assert report["valid"], json.dumps(report)[-3000:]
    names = {t["name"] for t in report["tasks"]}
    declared = json.loads(package.read_text(encoding="utf-8"))
    csvs = {p.relative_to(content_site).as_posix() for p in content_site.rglob("*.csv")}
    assert {r["path"] for r in declared["resources"]} == csvs  # every CSV is described
    assert names == {r["name"] for r in declared["resources"]}
    assert "lisensi" in declared["description"].lower() and "licenses" not in declared  # none invented
    # the validator does check: a text in a number column and an unknown series fail it
    copy = tmp_path / "site"
    shutil.copytree(content_site, copy)
    seri = copy / "data" / "seri.csv"
    lines = seri.read_bytes().split(b"\r\n")
    topics = copy / "data" / "seri-topik.csv"
    topics.write_bytes(topics.read_bytes() + "tak-ada,1,x,X\r\n".encode())
    bad = frictionless_validate(copy / "datapackage.json")
    assert not bad["valid"]
    errors = {e["type"] for t in bad["tasks"] for e in t["errors"]}
    assert "foreign-key" in errors, errors
    header = lines[0].decode("utf-8-sig").split(",")
    row = lines[1].decode("utf-8").split(",")
    row[header.index("reach_total")] = "banyak"
    lines[1] = ",".join(row).encode()
    seri.write_bytes(b"\r\n".join(lines))
    bad = frictionless_validate(copy / "datapackage.json")
    errors = {e["type"] for t in bad["tasks"] for e in t["errors"]}
    assert "type-error" in errors, errors


def excel_rows(path: Path, resource: dict) -> list[list[str]]:
    """The cells as Excel reads the file when told its encoding and delimiter (Data ›
    From Text/CSV): a UTF-8 byte order mark makes it read UTF-8; the rest is the dialect."""
    raw = path.read_bytes()
    assert resource["encoding"] == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf")  # what Excel looks for
    text = raw[3:].decode("utf-8")
    d = resource["dialect"]
    assert d["lineTerminator"] == "\r\n" and text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=d["delimiter"], quotechar=d["quoteChar"],
                           doublequote=d["doubleQuote"]))


def program_rows(path: Path) -> list[dict]:
    """The cells as a program reads them: Python's csv with the encoding Python calls utf-8-sig."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_files_read_alike_in_excel_and_programs_and_match_the_pages(content_site, content):
    package = json.loads((content_site / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        path = content_site / res["path"]
        excel = excel_rows(path, res)
        program = program_rows(path)
        names = [f["name"] for f in res["schema"]["fields"]]
        assert excel[0] == names == list(program[0]) if program else excel[0] == names
        assert [dict(zip(names, r)) for r in excel[1:]] == program, res["path"]
        assert all(n == n.lower() and n.replace("_", "").isalnum() for n in names)  # snake_case

    base = "/asn-belajar/"
    # series: what each series page shows
    for row in program_rows(content_site / "data/seri.csv"):
        page = BeautifulSoup((content_site / "seri" / row["slug"] / "index.html").read_text(encoding="utf-8"), "lxml")
        assert page.h1.get_text(strip=True) == row["title"]
        assert row["url"].endswith(f"{base}seri/{row['slug']}/")
        times = [t["datetime"] for t in page.select("main time[datetime]")]
        assert any(t.startswith(row["date"]) for t in times), (row["slug"], times)
    names = {}
    for row in program_rows(content_site / "data/seri-narasumber.csv"):
        names.setdefault(row["series"], []).append(row["name"])
    for slug, people in names.items():
        text = BeautifulSoup((content_site / "seri" / slug / "index.html").read_text(encoding="utf-8"), "lxml").main.get_text(" ")
        assert all(p in text for p in people)
    # chart tables: what the chart's data table on /laporan/ shows
    report = BeautifulSoup((content_site / "laporan/index.html").read_text(encoding="utf-8"), "lxml")
    for name, value in (("jangkauan-per-tahun", "reach"), ("seri-per-tahun", "series")):
        table = report.select_one(f"#tabel-{name}").find_parent("table")
        heads = [th.get_text(strip=True) for th in table.select("thead th")]
        shown = {}
        for tr in table.select("tbody tr"):
            label = tr.th.get_text(strip=True)
            for program, td in zip(heads[1:], tr.select("td")):
                cell = td.get_text(strip=True)
                if cell != "–":
                    shown[(program, label)] = int(cell.replace(".", ""))
        rows = program_rows(content_site / f"laporan/{name}.csv")
        assert {(r["program_title"], r["period_label"]): int(r[value]) for r in rows} == shown
        for r in rows:
            start, end = dt.date.fromisoformat(r["period_start"]), dt.date.fromisoformat(r["period_end"])
            assert start <= end and (r["period_kind"] != "year" or (start.month, start.day, end.month, end.day) == (1, 1, 12, 31))


# ---- the Excel workbook ----------------------------------------------------------------

def workbook_rows(path: Path) -> dict:
    """Every sheet's rows as openpyxl (what pandas.read_excel uses) reads them: typed cells."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def typed(field: dict, cell: str):
    """A CSV cell as the value its declared type says (the apostrophe that defuses a formula
    in the CSV is not in the workbook, where text is never run)."""
    if cell == "":
        return None
    kind = field["type"]
    if kind == "integer":
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return cell == "true"
    if kind == "date":
        return dt.datetime.combine(dt.date.fromisoformat(cell), dt.time())
    if kind == "time":
        return dt.time.fromisoformat(cell)
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def test_excel_workbook_holds_the_tables_rows_with_typed_cells(content_site):
    """/data/data-terbuka.xlsx opened by a real reader: a sheet per table of /data/ with the
    same header and rows as its CSV, numbers as numbers, dates as dates, times as times,
    booleans as booleans, and the Indonesian text (dashes, accents) unchanged."""
    sheets = workbook_rows(content_site / "data/data-terbuka.xlsx")
    package = json.loads((content_site / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in package["resources"] if r["path"].startswith("data/")]
    assert list(sheets) == [r["name"] for r in tables] + ["keterangan"]
    for res in tables:
        fields = res["schema"]["fields"]
        rows = sheets[res["name"]]
        csv_rows = program_rows(content_site / res["path"])
        assert rows[0] == [f["name"] for f in fields]
        assert len(rows) - 1 == len(csv_rows) and csv_rows, res["name"]
        for got, want in zip(rows[1:], csv_rows):
            assert got == [typed(f, want[f["name"]]) for f in fields], res["name"]
    seri = sheets["seri"]
    head = seri[0]
    assert all(isinstance(r[head.index("date")], dt.datetime) for r in seri[1:])
    assert all(isinstance(r[head.index("sample")], bool) for r in seri[1:])
    figures = sheets["angka-resmi"]
    reach = [r[figures[0].index("reach")] for r in figures[1:]]
    assert reach and all(type(v) is int for v in reach)
    # what each column means, from the same declarations as the CSVs' schemas
    about = {(r[0], r[1]): r[3] for r in sheets["keterangan"][1:]}
    assert about == {(res["name"], f["name"]): f["description"] for res in tables for f in res["schema"]["fields"]}


def test_excel_workbook_is_byte_identical_and_undated_and_keeps_text_as_text(tmp_path):
    """Two clean builds give the same bytes (the document's dates and the zip entries' are
    fixed); a title that looks like a formula stays text, and accents and dashes survive."""
    import zipfile

    import openpyxl

    title = "=SUM(A1) Kearifan lokal – Śrī Ādi"
    files = {**PROGRAMS, **series("rumus", f'"{title}"', "asn-belajar", "2026-12-10",
                                  'time: "09:00"\nspeakers: ["Dr. Siti; Nur Aini", "Bambang Wiryawan"]\n')}
    root = make_project(tmp_path, files)
    a, b = build(root, tmp_path / "a"), build(root, tmp_path / "b")
    book = a / "data/data-terbuka.xlsx"
    assert book.read_bytes() == (b / "data/data-terbuka.xlsx").read_bytes()
    with zipfile.ZipFile(book) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    wb = openpyxl.load_workbook(book)
    assert wb.properties.created == wb.properties.modified == dt.datetime(1980, 1, 1)
    seri = wb["seri"]
    head = [c.value for c in seri[1]]
    row = next(r for r in seri.iter_rows(min_row=2) if r[0].value == "rumus")
    cell = row[head.index("title")]
    assert cell.value == title and cell.data_type == "s"  # text, not a formula
    assert row[head.index("time")].value == dt.time(9, 0)
    assert [r[2] for r in wb["seri-narasumber"].iter_rows(min_row=2, values_only=True)] == ["Dr. Siti; Nur Aini", "Bambang Wiryawan"]
    # /data/ offers it, first, for Excel
    page = BeautifulSoup((a / "data/index.html").read_text(encoding="utf-8"), "lxml")
    link = page.find("a", string="Unduh untuk Excel")
    assert link is not None and link["href"].endswith("/data/data-terbuka.xlsx") and link.has_attr("download")
