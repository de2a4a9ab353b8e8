"""The public pages, parsed: structure, figures, charts (the embedded Plotly spec, the data
table and the CSV all say the same), sample labels, the video that loads nothing until
asked, search markup, links and weight.

Exact formats (growth, averages, labels) are pinned on the golden fixture site, whose
declared figures are those of the shipped ones. Tests of the content itself run on the
shipped project and on an editor's edited copy (conftest.content), and take their
expectations from the content (contentfacts.py)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, copy_repo_project, make_project, run_cli
from contentfacts import idn, is_full_year, long_date
from linkcheck import broken_links
from sitegen import charts
from sitegen.pipeline import Options, build

BASE_URL = "https://example.github.io/asn-belajar/"
BASE = "/asn-belajar/"
TODAY = dt.date(2026, 11, 23)
PAGE_BUDGET = 60 * 1024  # bytes, gzip: HTML + CSS + site.js of a page without charts


GOLDEN_SITE = REPO / "tests" / "golden" / "site"


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    """The golden fixture site (tests/golden/site) under the same base URL."""
    out = tmp_path_factory.mktemp("golden") / "_site"
    proc = run_cli("build", "--root", str(GOLDEN_SITE), "--output", str(out), "--no-cache", "--no-search",
                   "--today", TODAY.isoformat(), "--base-url", BASE_URL)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def model():
    result = build(Options(root=REPO, today=TODAY, search=False, use_cache=False, base_url=BASE_URL), write=False)
    return result.site, result.reports


def page(site: Path, url: str) -> BeautifulSoup:
    rel = url.lstrip("/")
    path = site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def text(el) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def stat(soup: BeautifulSoup, label_start: str) -> str:
    """The value of the stat box whose label starts with `label_start`."""
    for box in soup.select(".stat"):
        if text(box.select_one(".stat-label")).startswith(label_start):
            return text(box.select_one(".stat-value"))
    raise AssertionError(f"no stat labelled {label_start!r}")


def table_rows(table) -> list[list[str]]:
    return [[text(c) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


def as_int(s: str) -> int:
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", s), f"not an Indonesian integer: {s!r}"
    return int(s.replace(".", ""))


def percent_value(s: str) -> float:
    m = re.search(r"([+-]?\d+(?:\.\d{3})*(?:,\d+)?)%", s)
    assert m, f"no percentage in {s!r}"
    return float(m.group(1).replace(".", "").replace(",", "."))


def chart_spec(soup: BeautifulSoup, chart_id: str) -> dict:
    fig = soup.select_one(f'figure.chart[data-chart="grafik-{chart_id}"]')
    assert fig is not None, f"no chart {chart_id}"
    script = fig.find("script", id=f"grafik-{chart_id}")
    assert script is not None and script.get("type") == "application/json"
    return json.loads(script.string)


def html_files(site: Path) -> list[Path]:
    # The site's own pages: not Pagefind's files, nor the browser editor's shell (admin/,
    # tested in tests/test_admin.py).
    return [p for p in sorted(site.rglob("*.html")) if not {"pagefind", "admin"} & set(p.relative_to(site).parts[:1])]


# ---- figures ------------------------------------------------------------------------------

def test_report_2023_shows_44_series_and_949080(golden):
    soup = page(golden, "/laporan/2023/")
    assert text(soup.h1) == "Laporan 2023"
    assert stat(soup, "Seri") == "44"
    assert stat(soup, "Jangkauan") == "949.080"
    assert stat(soup, "Rata-rata per seri") == "21.570"
    rows = table_rows(soup.find("table", class_="wide"))
    assert rows == [["ASN Belajar", "2023", "44", "949.080", "+136,4% (2,36 kali lipat)", "21.570", "2 dari 44 seri diarsipkan"]]


def test_year_reports_show_the_declared_figures(content_site, content):
    facts = content.facts
    years = sorted({f["year"] for f in facts.figures if "year" in f})
    assert years
    for year in years:
        declared = [f for f in facts.figures if f.get("year") == year]
        soup = page(content_site, f"/laporan/{year}/")
        assert text(soup.h1) == f"Laporan {year}"
        assert stat(soup, "Seri") == idn(sum(f["series"] for f in declared))
        assert stat(soup, "Jangkauan") == idn(sum(f["reach"] for f in declared))
        rows = table_rows(soup.find("table", class_="wide"))
        assert sorted((r[0], as_int(r[2]), as_int(r[3])) for r in rows) == sorted(
            (facts.programs[f["program"]].title, f["series"], f["reach"]) for f in declared)


def test_growth_2023_more_than_doubles_2022(golden):
    for url in ("/laporan/", "/laporan/2023/", "/program/asn-belajar/"):
        soup = page(golden, url)
        row = next(r for t in soup.select("table.wide") for r in table_rows(t) if "2023" in r[:2])
        growth = next(c for c in row if "%" in c)
        assert percent_value(growth) == 136.4, (url, growth)
        assert "2,36 kali lipat" in growth
    highlight = text(page(golden, "/laporan/").select_one(".highlight"))
    assert "naik 136,4%" in highlight and "lebih dari dua kali lipat" in highlight


def test_reports_page_rows_match_figures_yaml(content_site, content):
    facts = content.facts
    soup = page(content_site, "/laporan/")
    programs = sorted({f["program"] for f in facts.figures})
    assert programs
    for slug in programs:
        declared = facts.figures_of(slug)
        table = soup.find("section", attrs={"aria-labelledby": f"program-{slug}"}).find("table", class_="wide")
        rows = table_rows(table)
        assert [as_int(r[1]) for r in rows] == [f["series"] for f in declared]
        assert [as_int(r[2]) for r in rows] == [f["reach"] for f in declared]
        for r, f in zip(rows, declared):
            if is_full_year(f):
                assert r[0] == str(f["year"])
        assert [r[5].split(" dari ")[1] for r in rows] == [f"{f['series']} seri diarsipkan" for f in declared]
        total = table.select_one("tfoot tr")
        if len(declared) > 1:
            series, reach = facts.declared_total(slug)
            assert [text(c) for c in total.find_all(["th", "td"])][:3] == ["Jumlah", idn(series), idn(reach)]


def test_reports_page_rows_on_the_fixture(golden):
    table = page(golden, "/laporan/").find("section", attrs={"aria-labelledby": "program-asn-belajar"}).find("table", class_="wide")
    assert table_rows(table) == [
        ["2022", "49", "401.482", "tanpa pembanding", "8.194", "0 dari 49 seri diarsipkan"],
        ["2023", "44", "949.080", "+136,4% (2,36 kali lipat)", "21.570", "2 dari 44 seri diarsipkan"],
        ["Januari–Februari 2024", "7", "179.022", "belum setahun penuh", "25.575", "0 dari 7 seri diarsipkan"]]
    assert [text(c) for c in table.select_one("tfoot tr").find_all(["th", "td"])] == ["Jumlah", "100", "1.529.584", "", "15.296", ""]


def test_home_shows_computed_headline_figures(content_site, content):
    facts = content.facts
    soup = page(content_site, "/")
    for slug in sorted({f["program"] for f in facts.figures}):
        series, reach = facts.declared_total(slug)
        title = facts.programs[slug].title
        assert stat(soup, title) == idn(reach)
        assert f"{idn(series)} seri" in text(next(b for b in soup.select(".stat") if text(b.select_one(".stat-label")).startswith(title)))
    # the week: one entry per program, Monday to Friday
    names = {"senin": "Senin", "selasa": "Selasa", "rabu": "Rabu", "kamis": "Kamis", "jumat": "Jumat"}
    order = list(names)
    days = [text(li.select_one(".day")) for li in soup.select("ol.week > li")]
    assert days == [names[w] for w in sorted((p.weekday for p in facts.programs.values()), key=order.index)]


def test_home_headline_on_the_fixture(golden):
    soup = page(golden, "/")
    assert stat(soup, "ASN Belajar") == "1.529.584"  # 401.482 + 949.080 + 179.022, summed by the build
    assert "100 seri" in text(next(b for b in soup.select(".stat") if "ASN Belajar" in text(b)))
    assert stat(soup, "ASN Mengaji") == "11.905"
    # the flagship comes first
    assert text(soup.select(".stat .stat-label")[0]).startswith("ASN Belajar, 2022 – Februari 2024")


def test_asn_mengaji_span_is_shown_as_a_span(golden):
    content_site = golden
    label = "sejak awal hingga Februari 2024"
    reports = page(content_site, "/laporan/")
    section = reports.find("section", attrs={"aria-labelledby": "program-asn-mengaji"})
    row = section.select_one("tbody tr")
    assert "span-row" in row["class"]
    head = row.find("th")
    assert text(head.select_one(".span-label")) == label and text(head.select_one(".badge.span")) == "rentang"
    assert head.find("a") is None  # no year page claims it
    assert "tidak dipecah per tahun" in text(section.select_one(".span-note"))
    # on a year page it is listed apart from the year's rows and never summed in
    y2023 = page(content_site, "/laporan/2023/")
    assert "ASN Mengaji" not in text(y2023.find("table", class_="wide"))
    spans = y2023.find("section", attrs={"aria-labelledby": "rentang"})
    assert label in text(spans) and "11.905" in text(spans)
    # before the program existed (it began with Dahar Ngopi in 2023) no year page mentions it
    assert page(content_site, "/laporan/2022/").find("section", attrs={"aria-labelledby": "rentang"}) is None


def test_partial_year_is_labelled(golden):
    content_site = golden
    soup = page(content_site, "/laporan/2024/")
    assert "Kamis, 22 Februari 2024" in text(soup.select_one(".notice"))
    row = table_rows(soup.find("table", class_="wide"))[0]
    assert row[1] == "Januari–Februari 2024" and "belum setahun penuh" in row[4]


def test_channel_shares_are_honest_when_unknown(tmp_path):
    root = make_project(tmp_path)  # its one official series has no reach
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    section = page(out, "/laporan/").find("section", attrs={"aria-labelledby": "kanal"})
    assert "Belum dapat ditampilkan" in text(section) and section.find("table") is None


def test_channel_shares_are_shown_when_known(tmp_path):
    root = make_project(tmp_path)
    (root / "content/series/resmi.md").write_text(
        "---\ntitle: Seri Resmi\nprogram: asn-belajar\ndate: 2023-05-04\nreach:\n  zoom: 300\n  youtube: 900\n---\nIsi.\n",
        encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    soup = page(out, "/laporan/")
    section = soup.find("section", attrs={"aria-labelledby": "kanal"})
    assert table_rows(section.find("table")) == [["YouTube", "900", "75,0%"], ["Zoom Meeting", "300", "25,0%"]]
    spec = chart_spec(soup, "porsi-kanal")
    assert spec["data"][0]["y"] == [900, 300]
    assert (out / "laporan/porsi-kanal.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "channel,channel_label,reach,share,series_basis", "youtube,YouTube,900,0.75,1", "zoom,Zoom Meeting,300,0.25,1"]
    # the official series now counts as archived in its year, with the fixture's other one
    assert "2 dari 44 seri diarsipkan" in text(page(out, "/laporan/2023/"))


# ---- charts ---------------------------------------------------------------------------------

def test_reach_chart_spec_table_and_csv_on_the_fixture(golden):
    content_site = golden
    expected = [401482, 949080, 179022]
    with open(content_site / "laporan/jangkauan-per-tahun.csv", encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    assert records[0] == ["program", "program_title", "period_start", "period_end", "period_kind", "period_label", "reach"]
    assert [int(r[6]) for r in records[1:]] == expected
    assert [r[2:5] for r in records[1:]] == [["2022-01-01", "2022-12-31", "year"], ["2023-01-01", "2023-12-31", "year"],
                                             ["2024-01-01", "2024-02-22", "partial"]]
    for url in ("/", "/laporan/", "/laporan/2023/"):
        soup = page(content_site, url)
        spec = chart_spec(soup, "jangkauan-per-tahun")
        trace = spec["data"][0]
        assert trace["type"] == "bar" and trace["name"] == "ASN Belajar"
        assert trace["y"] == expected
        assert trace["x"] == ["2022", "2023", "2024 (Jan–Feb)"] == [r[5] for r in records[1:]]
        assert spec["layout"]["separators"] == ",."
        assert spec["config"]["responsive"] is True and spec["layout"]["autosize"] is True
        assert "Februari 2024" in trace["customdata"][2]  # Indonesian month names in the hover text
        fig = soup.select_one('figure[data-chart="grafik-jangkauan-per-tahun"]')
        assert fig.find("figcaption") is not None
        table = fig.find("table")
        assert table.find("caption") is not None
        assert [th.get("scope") for th in table.select("thead th")] == ["col", "col"]
        assert [[r[0], as_int(r[1])] for r in table_rows(table)] == [[r[5], int(r[6])] for r in records[1:]]
        link = fig.select_one(".chart-links a[download]")
        assert link["href"] == BASE + "laporan/jangkauan-per-tahun.csv"
    # the year page marks its own year in another colour
    colours = chart_spec(page(content_site, "/laporan/2023/"), "jangkauan-per-tahun")["data"][0]["marker"]["color"]
    assert colours[1] == charts.HIGHLIGHT and colours[0] == colours[2] == charts.MUTED


def test_series_chart_and_program_chart_on_the_fixture(golden):
    content_site = golden
    spec = chart_spec(page(content_site, "/laporan/"), "seri-per-tahun")
    assert spec["data"][0]["y"] == [49, 44, 7]
    assert (content_site / "laporan/seri-per-tahun.csv").read_bytes() == (
        b"\xef\xbb\xbfprogram,program_title,period_start,period_end,period_kind,period_label,series\r\n"
        b"asn-belajar,ASN Belajar,2022-01-01,2022-12-31,year,2022,49\r\n"
        b"asn-belajar,ASN Belajar,2023-01-01,2023-12-31,year,2023,44\r\n"
        b"asn-belajar,ASN Belajar,2024-01-01,2024-02-22,partial,2024 (Jan\xe2\x80\x93Feb),7\r\n")
    spec = chart_spec(page(content_site, "/program/asn-belajar/"), "jangkauan-asn-belajar")
    assert spec["data"][0]["y"] == [401482, 949080, 179022]
    assert (content_site / "program/asn-belajar/jangkauan.csv").is_file()
    # one figure of one span is not a comparison: no chart for ASN Mengaji
    assert page(content_site, "/program/asn-mengaji/").select("figure.chart") == []


def test_charts_show_the_declared_figures(content_site, content):
    """The yearly charts of the programs with yearly figures, as declared in figures.yaml."""
    facts = content.facts
    yearly = [slug for slug in sorted({f["program"] for f in facts.figures}) if sum("year" in f for f in facts.figures_of(slug)) > 1]
    assert yearly
    for slug in yearly:
        declared = [f for f in facts.figures_of(slug) if "year" in f]
        title = facts.programs[slug].title
        spec = chart_spec(page(content_site, f"/program/{slug}/"), f"jangkauan-{slug}")
        assert spec["data"][0]["y"] == [f["reach"] for f in declared]
        assert [x[:4] for x in spec["data"][0]["x"]] == [str(f["year"]) for f in declared]
        for url in ("/", "/laporan/"):
            trace = next(t for t in chart_spec(page(content_site, url), "jangkauan-per-tahun")["data"] if t["name"] == title)
            assert trace["y"] == [f["reach"] for f in declared], url
        trace = next(t for t in chart_spec(page(content_site, "/laporan/"), "seri-per-tahun")["data"] if t["name"] == title)
        assert trace["y"] == [f["series"] for f in declared]
        with open(content_site / "laporan/jangkauan-per-tahun.csv", encoding="utf-8-sig", newline="") as fh:
            records = list(csv.DictReader(fh))
        assert [int(r["reach"]) for r in records if r["program"] == slug and r["period_kind"] in ("year", "partial")] == [f["reach"] for f in declared]


def test_chart_csv_defuses_formulas():
    from sitegen.opendata import Column

    table = {"columns": [Column("period", "string", ""), Column("=1+1", "integer", "")], "rows": [["-2", 5], ["@x", None]]}
    assert charts.csv_bytes(table) == b"\xef\xbb\xbfperiod,'=1+1\r\n'-2,5\r\n'@x,\r\n"


def test_chart_specs_are_valid_plotly_and_deterministic(model):
    import plotly.graph_objects as go

    site, reports = model
    first = charts.page_charts(site, reports)
    again = charts.page_charts(site, reports)
    assert json.dumps(first, sort_keys=True, default=repr) == json.dumps(again, sort_keys=True, default=repr)
    seen = 0
    for url, named in first.items():
        for chart in named.values():
            go.Figure(data=chart["figure"]["data"], layout=chart["figure"]["layout"])  # raises on unknown properties
            assert "uid" not in json.dumps(chart["figure"])
            assert set(chart["figure"]["layout"]["font"]) == {"family", "size"}
            seen += 1
    assert seen >= 5


def test_plotly_basic_bundle_is_served_from_the_site_and_loaded_lazily(content_site):
    from sitegen.charts import PLOTLY_ASSET, plotly_asset_path

    copy = content_site / PLOTLY_ASSET
    assert copy.read_bytes() == plotly_asset_path().read_bytes()
    assert (content_site / "assets/plotly-basic.LICENSE.txt").read_text(encoding="utf-8").count("MIT License") == 1
    assert not (content_site / "assets/plotly.min.js").exists()  # the full 4.8 MB bundle is gone
    for path in html_files(content_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        for s in soup.find_all("script", src=True):
            assert "plotly" not in s["src"], path  # never a script tag: site.js fetches it on demand
            assert s["src"].startswith(BASE), path  # never from another host
        site_js = soup.find("script", src=BASE + "assets/site.js")
        assert site_js is not None and site_js.has_attr("defer")
        assert site_js["data-plotly"] == BASE + PLOTLY_ASSET
    js = (content_site / "assets/site.js").read_text(encoding="utf-8")
    assert "IntersectionObserver" in js and "saveData" in js
    assert "pointerdown" not in js and "touchstart" not in js  # never on a touch elsewhere


def test_vendored_plotly_bundle_matches_the_plotly_package():
    """The partial bundle is pinned to the plotly.js version the plotly package ships: a
    plotly upgrade without a new bundle (or the reverse) fails here."""
    import hashlib

    from sitegen.charts import bundle_version, package_plotly_js_version, plotly_asset_path

    path = plotly_asset_path()
    head = path.read_bytes()[:200].decode()
    assert "plotly.js (basic - minified)" in head
    assert bundle_version(path) == package_plotly_js_version()
    # the npm tarball's file, unmodified (sha512 of plotly.js-basic-dist-min@4.1.1's plotly-basic.min.js)
    assert hashlib.sha512(path.read_bytes()).hexdigest().startswith("a2b67a3a054bad1a7cbd")


def test_every_chart_trace_type_is_in_the_basic_bundle(model):
    from sitegen.charts import BASIC_TRACES, page_charts

    site, reports = model
    types = {t.get("type", "scatter") for charts in page_charts(site, reports).values()
             for chart in charts.values() for t in chart["figure"]["data"]}
    assert types and types <= BASIC_TRACES


# ---- samples, series, video, search -------------------------------------------------------------

def test_sample_entries_are_labelled_everywhere(content_site, content):
    facts = content.facts
    samples = {s.url for s in facts.samples}
    official = {s.url for s in facts.series if not s.sample}
    cards = 0
    for path in html_files(content_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        for card in soup.select(".card"):
            href = card.find(["h2", "h3"]).find("a")["href"][len(BASE) - 1:]
            if href in samples:
                cards += 1
                assert "is-sample" in card["class"]
                assert text(card.select_one(".badge.sample")) == "Contoh", path
            elif href in official:
                assert "is-sample" not in card["class"] and card.select_one(".badge.sample") is None, path
    assert cards >= len(samples)
    for url in samples:  # one clear notice on a sample's own page, said once
        soup = page(content_site, url)
        notices = soup.select(".sample-notice")
        assert len(notices) == 1 and text(notices[0]).startswith("Contoh.")
        assert soup.select(".badge.sample") == []  # neither in the kicker nor in the footer
        assert "entri contoh." not in text(soup.select_one(".prose")).lower()
        caption = soup.find("caption", id="tabel-jangkauan")
        if caption:
            assert "contoh" not in text(caption).lower()
    home = page(content_site, "/")  # pages listing samples explain the badge in the footer
    assert "bukan seri sungguhan" in text(home.select_one(".site-footer"))
    for url in official:
        assert page(content_site, url).select_one(".sample-notice") is None


def test_series_page_fields_and_neighbours(content_site, content):
    facts = content.facts
    labels = dict(facts.site["channels"])
    checked = 0
    for slug in facts.programs:
        mine = sorted((s for s in facts.series if s.program == slug), key=lambda s: s.date)
        if len(mine) < 2:
            continue
        older, newer = mine[0], mine[1]
        soup = page(content_site, older.url)
        assert text(soup.h1) == older.title
        facts_list = dict(zip([text(d) for d in soup.select("dl.facts dt")], [text(d) for d in soup.select("dl.facts dd")]))
        assert facts_list["Tanggal"] == long_date(older.date)
        assert facts_list["Program"].startswith(facts.programs[slug].title)
        if older.competency:
            assert facts_list["Kompetensi"].lower().replace(" ", "-") == older.competency
        if older.speakers:
            assert facts_list["Narasumber"] == ", ".join(older.speakers)
        nxt = soup.select_one('nav.prevnext a[rel="next"]')
        assert nxt["href"] == BASE + newer.url.lstrip("/")
        assert soup.select_one('nav.prevnext a[rel="prev"]') is None
        if older.reach:
            rows = table_rows(soup.find("table"))
            assert [(r[0], as_int(r[1])) for r in rows] == [(labels[c], v) for c, v in older.reach.items()]
        checked += 1
    assert checked


def test_upcoming_series_carry_their_dates_for_the_browser(content_site, content):
    """Which series are upcoming is decided again in the visitor's browser (site.js) from
    ISO dates on the page; without JavaScript the page states the date, never "soon"."""
    facts = content.facts
    upcoming = {s.url: s for s in facts.upcoming}
    assert upcoming, "the content has no upcoming series to check"
    for url, s in upcoming.items():
        badge = page(content_site, url).select_one("article .kicker .badge.upcoming")
        assert badge["data-upcoming-until"] == s.date.isoformat()
        if s.date == facts.today:  # its own day: still upcoming, labelled "Hari ini" with its time
            assert text(badge).startswith("Hari ini, ") and badge["data-today"] == s.date.isoformat()
        else:
            assert text(badge) == f"Terjadwal {long_date(s.date)}"
    for url in ("/", "/jadwal/"):
        section = page(content_site, url).select_one("section[data-upcoming]")
        cards = {c.find(["h2", "h3"]).find("a")["href"][len(BASE) - 1:]: c for c in section.select(".card")}
        assert set(cards) <= set(upcoming) and cards, url
        for href, card in cards.items():
            assert card.select_one("time")["datetime"] == upcoming[href].date.isoformat()
            assert text(card.select_one("time")) == long_date(upcoming[href].date)
        assert "segera" not in text(section).lower()
    for s in facts.past:
        assert page(content_site, s.url).select_one(".badge.upcoming") is None
    js = (content_site / "assets/site.js").read_text(encoding="utf-8")
    assert "data-upcoming-until" in js and "Asia/Jakarta" in js


def test_video_loads_nothing_until_asked(tmp_path):
    root = copy_repo_project(tmp_path / "p")
    (root / "content/series/dengan-video.md").write_text(
        "---\ntitle: Seri dengan Video\nprogram: asn-belajar\ndate: 2024-01-18\nsample: true\n"
        "video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n---\nIsi.\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    soup = page(out, "/seri/dengan-video/")
    assert soup.find("iframe") is None and soup.find("embed") is None and soup.find("object") is None
    loaded = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch"}
    for tag, attr in (("script", "src"), ("img", "src"), ("link", "href"), ("source", "src")):
        for el in soup.find_all(tag):
            if tag == "link" and not loaded & set(el.get("rel", [])):
                continue  # canonical, alternate: addresses, not loaded by the browser
            if el.get(attr):
                assert not el[attr].startswith(("http:", "https:", "//")), el
    button = soup.select_one(".video a[data-video]")
    assert text(button) == "Putar video"
    assert button["href"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert "www.youtube.com" in text(soup.select_one(".video .note"))
    js = (out / "assets/site.js").read_text(encoding="utf-8")
    assert "https://www.youtube-nocookie.com/embed/" in js


def test_search_indexes_only_series(content_site):
    bodies = {}
    for path in html_files(content_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        found = soup.select("[data-pagefind-body]")
        if found:
            bodies[path.relative_to(content_site).as_posix()] = found
    assert bodies and all(k.startswith("seri/") for k in bodies)
    assert all(len(v) == 1 and v[0].name == "article" for v in bodies.values())
    assert len(bodies) == len(list((content_site / "seri").glob("*/index.html")))
    one = next(iter(bodies.values()))[0]
    assert one.select_one('[data-pagefind-filter^="program:"]') is not None
    assert one.select_one('[data-pagefind-filter^="tahun:"]') is not None
    search = page(content_site, "/cari/")
    box = search.find(id="cari")
    assert box["data-pagefind"] == BASE + "pagefind/" and box["data-base"] == BASE
    assert "memerlukan JavaScript" in text(box.find("noscript"))


# ---- every page ---------------------------------------------------------------------------------

def test_every_page_structure(content_site):
    for path in html_files(content_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        where = path.relative_to(content_site).as_posix()
        assert soup.html["lang"] == "id", where
        assert len(soup.find_all("h1")) == 1, where
        assert soup.select_one("a.skip")["href"] == "#isi" and soup.find("main", id="isi"), where
        assert soup.find("link", rel="icon")["href"] == BASE + "favicon.svg", where
        for table in soup.find_all("table"):
            assert table.find("caption") is not None, where
            assert all(th.get("scope") in ("col", "row") for th in table.find_all("th")), where
        ids = [el["id"] for el in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), where


def test_every_internal_link_and_asset_resolves(content_site):
    broken = broken_links(content_site, BASE, BASE_URL)
    if not any(content_site.glob("seri/*/acara.ics")):  # per-series calendar files not made yet
        broken = [b for b in broken if not b.endswith("/acara.ics")]
    assert broken == []
    missing = []
    for path in html_files(content_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        for el in soup.select("[data-plotly]"):
            url = el["data-plotly"]
            if not (content_site / url[len(BASE):]).is_file():
                missing.append(f"{path}: {url}")
    assert missing == []
    assert (content_site / "favicon.svg").read_bytes().startswith(b"<svg")


def test_pages_without_charts_stay_under_60kb_gzip(content_site, content):
    shared = sum(len(gzip.compress((content_site / a).read_bytes(), 9)) for a in ("assets/site.css", "assets/site.js"))
    weights = {}
    for path in html_files(content_site):
        raw = path.read_bytes()
        if b"data-chart=" in raw:
            continue
        weights[path.relative_to(content_site).as_posix()] = len(gzip.compress(raw, 9)) + shared
    assert {f"seri/{s.slug}/index.html" for s in content.facts.series} <= set(weights)
    heavy = {k: v for k, v in weights.items() if v >= PAGE_BUDGET}
    assert heavy == {}


def test_print_stylesheet_hides_navigation_and_keeps_tables():
    css = (REPO / "static/assets/site.css").read_text(encoding="utf-8")
    block = css[css.index("@media print"):]
    block = block[: block.index("\n}\n")]
    for selector in (".site-header nav", ".chart-canvas", ".button", ".pager"):
        assert selector in block
    assert "table" in block and "display: none" in block
    assert "@media (prefers-color-scheme: dark)" in css and ":focus-visible" in css
