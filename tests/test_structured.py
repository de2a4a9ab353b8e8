"""Structured data as a search engine reads it: extruct (the library many crawlers and
SEO tools use) extracts the JSON-LD of every series, program and /data/ page, and each
item has what Google's event and dataset guidelines require, with no invented value."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import extruct
import pytest

from test_sessions import build_fixture

SCHEMA = "https://schema.org/"
TIMED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("structured"))


def items(path: Path, base: str = "https://example.org/") -> list[dict]:
    html = path.read_text(encoding="utf-8")
    return extruct.extract(html, base_url=base, syntaxes=["json-ld"], uniform=True)["json-ld"]


def only(path: Path, kind: str) -> dict:
    found = [i for i in items(path) if i.get("@type") == kind]
    assert len(found) == 1, (path, [i.get("@type") for i in items(path)])
    return found[0]


def check_event(event: dict, page_url: str) -> None:
    # Required by Google: name, startDate, location (an online event: VirtualLocation.url).
    assert event["name"].strip()
    assert TIMED.match(event["startDate"]) or DAY.match(event["startDate"]), event["startDate"]
    assert event["location"]["@type"] == "VirtualLocation" and event["location"]["url"].startswith("https://")
    assert event["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert event["eventStatus"].startswith(SCHEMA + "Event")
    assert event["organizer"]["@type"] == "Organization" and event["organizer"]["name"] and event["organizer"]["url"]
    assert event["url"] == page_url
    if "endDate" in event:
        assert TIMED.match(event["endDate"]) and event["endDate"] > event["startDate"]


def test_every_series_page_is_an_event(site):
    pages = sorted(site.glob("seri/*/index.html"))
    assert len(pages) == 5  # the four of the fixture and the base project's one
    for page in pages:
        slug = page.parent.name
        check_event(only(page, "EducationEvent"), f"https://example.org/seri/{slug}/")


def test_event_values_come_from_the_series(site):
    event = only(site / "seri/akan-datang/index.html", "EducationEvent")
    assert event["name"] == "Literasi Data untuk Pengambil Keputusan"
    assert event["startDate"] == "2026-12-10T09:00:00+07:00" and event["endDate"] == "2026-12-10T10:30:00+07:00"
    assert event["location"]["url"] == "https://zoom.us/j/1234567890"
    assert event["eventStatus"] == SCHEMA + "EventScheduled"
    assert event["description"] == "Membaca data sebelum memutuskan."
    assert event["image"] == ["https://example.org/seri/akan-datang/pratinjau.png"]
    assert (site / "seri/akan-datang/pratinjau.png").is_file()
    assert event["superEvent"]["@type"] == "EventSeries" and event["superEvent"]["url"] == "https://example.org/program/asn-belajar/"
    # The base project's series has no time, links or speakers: nothing is made up for it.
    plain = only(site / "seri/satu/index.html", "EducationEvent")
    assert plain["startDate"] == "2023-03-02" and "endDate" not in plain and "performer" not in plain
    assert plain["location"]["url"] == "https://example.org/seri/satu/"  # where its link is announced


def test_status_reaches_search_engines(site):
    assert only(site / "seri/batal/index.html", "EducationEvent")["eventStatus"] == SCHEMA + "EventCancelled"
    assert only(site / "seri/tunda/index.html", "EducationEvent")["eventStatus"] == SCHEMA + "EventPostponed"
    moved = only(site / "seri/pindah/index.html", "EducationEvent")
    assert moved["eventStatus"] == SCHEMA + "EventRescheduled"
    assert moved["startDate"] == "2026-12-18T13:00:00+07:00" and moved["previousStartDate"] == "2026-12-17T13:00:00+07:00"


def test_programs_are_event_series(site):
    pages = sorted(site.glob("program/*/index.html"))
    assert len(pages) == 2
    for page in pages:
        series = only(page, "EventSeries")
        assert series["name"] and series["url"] == f"https://example.org/program/{page.parent.name}/"
        assert series["eventSchedule"]["repeatFrequency"] == "P1W"
        assert series["eventSchedule"]["byDay"] in (SCHEMA + "Wednesday", SCHEMA + "Thursday")
        assert series["eventSchedule"]["scheduleTimezone"] == "Asia/Jakarta"
        assert series["location"]["@type"] == "VirtualLocation"
        assert "startTime" not in series["eventSchedule"]  # the fixture's programs announce no time


def test_open_data_is_a_dataset(site):
    data = only(site / "data/index.html", "Dataset")
    assert data["name"] and 50 <= len(data["description"]) <= 5000  # Google: name, description of 50-5000 characters
    assert data["creator"]["@type"] == "Organization" and data["creator"]["name"] == "BPSDM Uji"
    assert "license" not in data  # the content states none
    assert data["temporalCoverage"] == "2022-01-01/2026-12-18"
    downloads = {d["name"]: d for d in data["distribution"]}
    # Every data file of /data/ is a download, and every download is a file of the site.
    assert {p.name for p in (site / "data").iterdir() if p.suffix in (".csv", ".json", ".xlsx")} <= set(downloads)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for name, d in downloads.items():
        assert d["@type"] == "DataDownload"
        assert d["encodingFormat"] == {"csv": "text/csv", "json": "application/json", "xlsx": xlsx}[name.rsplit(".", 1)[1]]
        assert d["contentUrl"].startswith("https://example.org/") and d["contentUrl"].endswith("/" + name)
        assert (site / d["contentUrl"][len("https://example.org/"):]).is_file()


def test_json_ld_is_escaped_inside_script(tmp_path):
    """A title with </script> stays inside its script element and reads back unchanged."""
    from conftest import make_project, run_cli

    root = make_project(tmp_path, {"content/series/x.md": '---\ntitle: "Seri </script><b>tebal</b> & lain"\nprogram: asn-belajar\ndate: "2024-01-04"\n---\nIsi.\n'})
    out = tmp_path / "out"
    assert run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search").returncode == 0
    html = (out / "seri/x/index.html").read_text(encoding="utf-8")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "&" not in block
    assert only(out / "seri/x/index.html", "EducationEvent")["name"] == "Seri </script><b>tebal</b> & lain"


def test_samples_are_not_events(content_site, content):
    """The shipped series are samples: none is offered to search engines as an event."""
    for s in content.facts.series:
        page = content_site / f"seri/{s.slug}/index.html"
        kinds = [i.get("@type") for i in items(page, "https://example.org/")]
        assert ("EducationEvent" in kinds) == (not s.sample), s.slug
    for page in content_site.glob("program/*/index.html"):
        assert [i["@type"] for i in items(page)] == ["EventSeries"]
    assert [i["@type"] for i in items(content_site / "data/index.html")] == ["Dataset"]
