"""Joining and watching: `links`, `time` and `duration` on programs and series, channel
addresses in site.yaml, what the pages say (also when nothing is known), and the calendar
that carries them, parsed with icalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from bs4 import BeautifulSoup

from conftest import REPO, SITE_YAML, make_project, run_cli
from sitegen.pipeline import Options, build
from sitegen.problems import BuildFailed

ZOOM = "https://zoom.us/j/1234567890"
ZOOM_D = "https://zoom.us/j/5555555555"
LIVE = "https://www.youtube.com/watch?v=abcdefghijk"
RECORDING = "https://youtu.be/bcdefghijkl"
CHANNEL = "https://www.youtube.com/@kanal-uji"
BASE = "https://example.org/"
TODAY = dt.date(2024, 3, 4)  # a Monday

FILES = {
    "site.yaml": SITE_YAML.replace("  youtube: YouTube\n", f"  youtube: {{name: YouTube BPSDM, url: \"{CHANNEL}\"}}\n"),
    "content/programs/asn-belajar.md": f"""\
        ---
        title: ASN Belajar
        weekday: kamis
        channels: [zoom, youtube]
        time: "09:00"
        duration: 90
        links: {{zoom: "{ZOOM}"}}
        ---
        Webinar.
        """,
    "content/series/mendatang.md": f"""\
        ---
        title: Seri Mendatang
        program: asn-belajar
        date: "2024-03-07"
        links: {{youtube: "{LIVE}"}}
        ---
        Segera.
        """,
    "content/series/mendatang-sendiri.md": f"""\
        ---
        title: Seri Jam Sendiri
        program: asn-belajar
        date: "2024-03-14"
        time: "13:30"
        duration: 45
        links: {{zoom: "{ZOOM_D}"}}
        ---
        Segera.
        """,
    "content/series/lampau.md": f"""\
        ---
        title: Seri Lampau
        program: asn-belajar
        date: "2024-02-29"
        links: {{youtube: "{RECORDING}"}}
        ---
        Sudah.
        """,
    "content/series/mengaji-mendatang.md": """\
        ---
        title: Kajian Mendatang
        program: asn-mengaji
        date: "2024-03-06"
        ---
        Segera.
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("join"), FILES)
    out = root.parent / "_site"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", TODAY.isoformat())
    assert proc.returncode == 0, proc.stderr
    return out


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url.strip("/") / "index.html").read_text(encoding="utf-8"), "lxml")


def words(el) -> str:
    return " ".join(el.get_text().split())


def links(el) -> dict:
    return {words(a): a["href"] for a in el.select("a.join-link")}


# ---- input ---------------------------------------------------------------------------------------

def problems_for(tmp_path, files) -> list[str]:
    root = make_project(tmp_path, files)
    try:
        result = build(Options(root=root, use_cache=False, search=False, today=TODAY), write=False)
    except BuildFailed as exc:
        return [p.format() for p in exc.problems.sorted()]
    return [p.format() for p in result.problems.sorted()]


@pytest.mark.parametrize("front, message", [
    ("duration: 0\n", "field 'duration': expected a duration in whole minutes from 1 to 720 (for example 90), got the number 0"),
    ("duration: \"1,5 jam\"\n", "field 'duration': expected a duration in whole minutes from 1 to 720 (for example 90), got text '1,5 jam'"),
    ("duration: 721\n", "field 'duration': expected a duration in whole minutes from 1 to 720 (for example 90), got the number 721"),
    ("duration: true\n", "field 'duration': expected a duration in whole minutes from 1 to 720 (for example 90), got true"),
    ("links: https://zoom.us/j/1\n", "field 'links': expected a set of 'channel: address' pairs (for example {zoom: https://...}), got text 'https://zoom.us/j/1'"),
    ("links:\n  zoom: javascript:alert(1)\n", "field 'links.zoom': expected a web address starting with https://, got text 'javascript:alert(1)'"),
    ("links:\n  teams: https://x.example/\n", "field 'links.teams': unknown channel 'teams' (expected one of: zoom, youtube)"),
])
def test_bad_links_and_durations_are_reported_with_their_line(tmp_path, front, message):
    for kind, head in (("series", "title: a\nprogram: asn-belajar\ndate: 2024-01-04\n"), ("programs", "title: B\nweekday: kamis\n")):
        path = f"content/{kind}/x.md"
        found = problems_for(tmp_path / kind, {path: f"---\n{head}{front}---\nIsi.\n"})
        line = head.count("\n") + 2 + (1 if front.count("\n") > 1 else 0)
        assert found == [f"{path}:{line}: {message}"], kind


def test_channels_take_a_name_or_a_name_and_address(tmp_path):
    good = SITE_YAML.replace("  youtube: YouTube\n", f"  youtube:\n    name: YouTube BPSDM\n    url: {CHANNEL}\n")
    root = make_project(tmp_path / "good", {"site.yaml": good})
    result = build(Options(root=root, use_cache=False, search=False, today=TODAY), write=False)
    assert result.site.config.channel_labels == {"zoom": "Zoom Meeting", "youtube": "YouTube BPSDM"}
    assert result.site.config.channel_urls == {"youtube": CHANNEL}
    bad = SITE_YAML.replace("  youtube: YouTube\n", "  youtube:\n    url: ftp://x\n    colour: red\n  teams: [a]\n")
    assert problems_for(tmp_path / "bad", {"site.yaml": bad}) == [
        "site.yaml:8: setting 'channels.youtube': missing required field 'name'",
        "site.yaml:9: setting 'channels.youtube.url': expected a web address starting with https://, got text 'ftp://x'",
        "site.yaml:10: warning: setting 'channels.youtube': unknown key 'colour' is ignored (expected name and url)",
        "site.yaml:11: setting 'channels.teams': expected a name, or 'name:' and 'url:' fields, got a list",
    ]


def test_json_schema_declares_the_new_fields():
    import json

    for kind in ("series", "program"):
        schema = json.loads((REPO / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        props = schema["properties"]
        # optional: an empty value (null) is as good as none, as the build reads it
        assert props["duration"]["type"] == ["integer", "null"] and props["duration"]["maximum"] == 720
        assert props["links"]["type"] == ["object", "null"]
        assert props["links"]["additionalProperties"]["pattern"].startswith(r"^\s*https?://")


def test_sample_entries_invent_no_time_or_link():
    """The sources give no start times, durations, Zoom links or YouTube addresses, so the
    sample entries we wrote (`sample: true`) carry none: a time or a join link beside an
    invented session would pass for a real one. A series an editor adds for a real session
    may carry them (that is what the fields are for), and so may a program whose time an
    editor has learned; the guard reads the sample entries, whoever edited the copy."""
    import yaml

    samples = []
    for path in sorted((REPO / "content" / "series").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1]) or {}
        if front.get("sample") is True:
            samples.append(path.name)
            assert not {"time", "duration", "links", "video"} & set(front), f"{path.name}: {sorted(front)}"
    if not samples:
        pytest.skip("the content holds no sample entry any more")


# ---- pages -------------------------------------------------------------------------------------------

def test_home_week_shows_times_and_join_links(site):
    week = {words(li.select_one(".day")): li for li in soup(site, "/").select("ol.week > li")}
    assert "09.00–10.30 WIB" in words(week["Kamis"])
    # The card shows Thursday's next session: the series of 7 March, with its own YouTube
    # link beside the program's standing Zoom link.
    assert links(week["Kamis"]) == {"Gabung lewat Zoom Meeting": ZOOM, "Tonton di YouTube BPSDM": LIVE}
    assert "Waktu belum diumumkan" in words(week["Rabu"])
    assert "Tautan menyusul" in words(week["Rabu"]) and links(week["Rabu"]) == {}
    hero = soup(site, "/").select_one(".hero")
    assert hero.find("a", href=CHANNEL) is not None  # the channel's own address, where known


def test_schedule_offers_links_and_a_subscription(site):
    page = soup(site, "/jadwal/")
    days = {words(li.select_one(".day")): li for li in page.select("ol.week-grid > li")}
    assert links(days["Kamis"]) == {"Gabung lewat Zoom Meeting": ZOOM, "Buka kanal YouTube BPSDM": CHANNEL}
    rabu = words(days["Rabu"])
    assert "Waktu belum diumumkan" in rabu and "Tautan Zoom Meeting belum tersedia" in rabu
    sub = page.select_one("section.subscribe")
    hrefs = [a["href"] for a in sub.select("a.button")]
    assert "webcal://example.org/jadwal.ics" in hrefs
    assert sub.select_one("input#alamat-kalender")["value"] == BASE + "jadwal.ics"
    assert sub.select_one("label[for=alamat-kalender]") is not None
    assert sub.select_one("input#alamat-kalender")["data-copy"] == "Salin alamat"  # site.js adds the button
    headings = [words(h) for h in sub.select(".howto h3")]
    assert headings == ["Google Calendar (komputer)", "iPhone dan iPad", "Android"]
    upcoming = {words(c.select_one("h3")): c for c in page.select("#segera ~ ul.cards > li, section[aria-labelledby=segera] .card")}
    assert "Kamis, 7 Maret 2024, 09.00–10.30 WIB" in words(upcoming["Seri Mendatang"])
    assert links(upcoming["Seri Mendatang"]) == {"Gabung lewat Zoom Meeting": ZOOM, "Tonton di YouTube BPSDM": LIVE}
    assert links(upcoming["Seri Jam Sendiri"]) == {"Gabung lewat Zoom Meeting": ZOOM_D}
    assert "13.30–14.15 WIB" in words(upcoming["Seri Jam Sendiri"])
    assert "waktu belum diumumkan" in words(upcoming["Kajian Mendatang"])  # after the date's comma


def test_program_page_says_when_and_how_to_join(site):
    page = soup(site, "/program/asn-belajar/")
    facts = dict(zip([words(d) for d in page.select("dl.facts dt")], [words(d) for d in page.select("dl.facts dd")]))
    assert facts["Jadwal"] == "Setiap Kamis, 09.00–10.30 WIB"
    box = page.select_one("section.join-box")
    assert links(box) == {"Gabung lewat Zoom Meeting": ZOOM, "Buka kanal YouTube BPSDM": CHANNEL}
    assert "tautan acaranya belum tersedia" in words(box)
    other = soup(site, "/program/asn-mengaji/")
    assert "waktu belum diumumkan" in words(other.select_one("dl.facts"))  # after the date's comma
    assert "Tautan Zoom Meeting belum tersedia" in words(other.select_one("section.join-box"))


def test_upcoming_series_page_has_its_join_links_and_no_recording(site):
    page = soup(site, "/seri/mendatang/")
    box = page.select_one("section.join-box")
    assert links(box) == {"Gabung lewat Zoom Meeting": ZOOM, "Tonton di YouTube BPSDM": LIVE}
    assert "09.00–10.30 WIB" in words(page.select_one("dl.facts"))
    assert page.select_one("section.video") is None  # the live link is not a recording


def test_past_series_links_its_recording_or_says_there_is_none(site):
    page = soup(site, "/seri/lampau/")
    assert page.select_one("section.join-box") is None
    assert page.select_one("section.video a[data-video]")["href"] == RECORDING
    plain = soup(site, "/seri/satu/")
    rec = words(plain.select_one("section.video"))
    assert "Rekaman seri ini belum tersedia" in rec
    assert plain.select_one("section.video a")["href"] == CHANNEL


# ---- calendar ----------------------------------------------------------------------------------------

def events(site: Path) -> dict:
    cal = icalendar.Calendar.from_ical((site / "jadwal.ics").read_bytes())
    return cal, {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_calendar_times_events_in_jakarta_and_carries_the_links(site):
    cal, ev = events(site)
    zones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert zones == ["Asia/Jakarta"]
    weekly = ev["program-asn-belajar"]
    start, end = weekly.decoded("DTSTART"), weekly.decoded("DTEND")
    assert start == dt.datetime(2023, 9, 14, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert str(start.tzinfo) == "Asia/Jakarta" and weekly["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert end - start == dt.timedelta(minutes=90)
    assert "TRANSP" not in weekly
    assert str(weekly["LOCATION"]) == ZOOM
    assert str(weekly["URL"]) == BASE + "program/asn-belajar/"
    desc = str(weekly["DESCRIPTION"])
    assert f"Gabung lewat Zoom Meeting: {ZOOM}" in desc and CHANNEL in desc and BASE + "program/asn-belajar/" in desc
    assert "Pukul 09.00–10.30 WIB." in desc
    assert weekly["RRULE"]["BYDAY"] == ["TH"]

    untimed = ev["program-asn-mengaji"]
    assert untimed.decoded("DTSTART") == dt.date(2023, 9, 20) and not isinstance(untimed.decoded("DTSTART"), dt.datetime)
    assert str(untimed["TRANSP"]) == "TRANSPARENT"
    assert "Jam mulai belum diumumkan." in str(untimed["DESCRIPTION"])

    series = ev["seri-mendatang"]  # the program's time and link, its own live link
    assert series.decoded("DTSTART") == dt.datetime(2024, 3, 7, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert series.decoded("DTEND") - series.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(series["LOCATION"]) == ZOOM and LIVE in str(series["DESCRIPTION"])
    assert str(series["URL"]) == BASE + "seri/mendatang/"
    own = ev["seri-mendatang-sendiri"]
    assert own.decoded("DTSTART") == dt.datetime(2024, 3, 14, 13, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert own.decoded("DTEND") - own.decoded("DTSTART") == dt.timedelta(minutes=45)
    assert str(own["LOCATION"]) == ZOOM_D
    plain = ev["seri-mengaji-mendatang"]
    assert not isinstance(plain.decoded("DTSTART"), dt.datetime) and str(plain["TRANSP"]) == "TRANSPARENT"
    # every timed event converts to the same instant in UTC as intended (WIB is UTC+7)
    assert weekly.decoded("DTSTART").astimezone(dt.timezone.utc).hour == 2


# ---- on the series' own day ----------------------------------------------------------------------

THE_DAY = dt.date(2024, 3, 14)  # "Seri Jam Sendiri", 13:30 WIB


def build_on(tmp_path_factory, day: dt.date) -> Path:
    root = make_project(tmp_path_factory.mktemp(f"join-{day}"), FILES)
    out = root.parent / "_site"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", day.isoformat())
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def site_on_the_day(tmp_path_factory) -> Path:
    return build_on(tmp_path_factory, THE_DAY)


def own_card(page: BeautifulSoup):
    cards = page.select("section[data-upcoming] .card")
    return next((c for c in cards if c.select_one('a[href="/seri/mendatang-sendiri/"]')), None)


def archived(site: Path) -> list[str]:
    return [a["href"] for a in soup(site, "/arsip/").select(".card h3 a, .card h2 a")]


def test_a_series_built_on_its_own_day_is_upcoming_and_labelled_today(site_on_the_day):
    """The daily build runs at 00:05 WIB: on the day of a series its page, /jadwal/, the
    home page and its program page still offer the join links, labelled "Hari ini" with the
    time; it is not in the archive yet, and the calendar still has its event."""
    page = soup(site_on_the_day, "/seri/mendatang-sendiri/")
    assert links(page.select_one("section.join-box")) == {"Gabung lewat Zoom Meeting": ZOOM_D, "Buka kanal YouTube BPSDM": CHANNEL}
    badge = page.select_one("article .badge.upcoming.today")
    assert words(badge) == "Hari ini, 13.30–14.15 WIB"
    assert badge["data-today"] == badge["data-upcoming-until"] == THE_DAY.isoformat()
    assert page.select_one("section.video") is None
    for url in ("/", "/jadwal/", "/program/asn-belajar/"):
        card = own_card(soup(site_on_the_day, url))
        assert card is not None, url
        meta = words(card.select_one(".meta"))
        assert meta.startswith("Hari ini Kamis, 14 Maret 2024, 13.30–14.15 WIB"), (url, meta)
        assert card.select_one(".badge.today")["data-today"] == THE_DAY.isoformat()
        assert links(card) == {"Gabung lewat Zoom Meeting": ZOOM_D}, url
    # An earlier series is past: no label, not in the upcoming lists, in the archive.
    assert "/seri/mendatang/" not in [a["href"] for a in soup(site_on_the_day, "/jadwal/").select("section[data-upcoming] .card h3 a")]
    assert "/seri/mendatang/" in archived(site_on_the_day)
    assert "/seri/mendatang-sendiri/" not in archived(site_on_the_day)
    past = soup(site_on_the_day, "/program/asn-belajar/").select(".card h3 a, .card h2 a")
    assert [a["href"] for a in past].count("/seri/mendatang-sendiri/") == 1  # upcoming only, not also past
    _, ev = events(site_on_the_day)
    own = ev["seri-mendatang-sendiri"]
    assert own.decoded("DTSTART") == dt.datetime(2024, 3, 14, 13, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert str(own["LOCATION"]) == ZOOM_D
    assert "seri-mendatang" in ev  # the week before's series is over, and stays in the calendar's past year
    feed = (site_on_the_day / "feed.xml").read_text(encoding="utf-8")
    assert "seri/mendatang/" in feed and "seri/mendatang-sendiri/" in feed  # the feed announces series before their day


def test_the_day_after_the_series_is_past(tmp_path_factory):
    out = build_on(tmp_path_factory, THE_DAY + dt.timedelta(days=1))
    page = soup(out, "/seri/mendatang-sendiri/")
    assert page.select_one("section.join-box") is None and page.select_one(".badge.upcoming") is None
    assert "Hari ini" not in words(page.select_one("main"))
    for url in ("/", "/jadwal/", "/program/asn-belajar/"):
        assert own_card(soup(out, url)) is None, url
    assert "/seri/mendatang-sendiri/" in archived(out)
    _, ev = events(out)
    # the calendar keeps the day's event (a year of past series), in place of the weekly one
    assert ev["seri-mendatang-sendiri"].decoded("DTSTART") == dt.datetime(2024, 3, 14, 13, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert dt.datetime(2024, 3, 14, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")) in [d.dt for d in ev["program-asn-belajar"]["EXDATE"].dts]
    assert "seri/mendatang-sendiri/" in (out / "feed.xml").read_text(encoding="utf-8")
