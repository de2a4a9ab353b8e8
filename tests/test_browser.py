"""The public pages in a real headless Chromium (Debian's, never a downloaded one).

One browser for the whole module; the shipped site (plus a series with a video and an
upcoming one, both the test's own) is built
with its search index into DIR/asn-belajar and served from DIR by http.server on a free
local port, so every URL carries the /asn-belajar/ prefix as on GitHub Pages.
Screenshots go to tests/_artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import contentfacts
from conftest import REPO, axe_violations, copy_repo_project, needs_chromium, run_cli, serve_folder

pytestmark = needs_chromium

ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
TODAY = dt.date(2026, 11, 23)
PREFIX = "/asn-belajar/"
VIDEO_SERIES = "/seri/contoh-seri-dengan-rekaman/"
VIDEO_ID = "dQw4w9WgXcQ"
# The figures the report tests expect, read from the content (never literals of it): the
# latest full year declared, and the program with the most yearly figures.
FACTS = contentfacts.read(REPO, TODAY)
YEARLY = [f for f in FACTS.figures if contentfacts.is_full_year(f)]
REPORT_YEAR = max(f["year"] for f in YEARLY)
FLAGSHIP = max(sorted({f["program"] for f in YEARLY}), key=lambda slug: sum("year" in f for f in FACTS.figures_of(slug)))
REPORT_PAGE = f"/laporan/{REPORT_YEAR}/"
PAGES = ["/", REPORT_PAGE, VIDEO_SERIES, "/program/", "/jadwal/", "/arsip/", "/cari/"]
# A series of the test's own, upcoming on the build's date: 17 days after it.
UPCOMING_DAY = TODAY + dt.timedelta(days=17)
UPCOMING_SERIES = "/seri/seri-uji-terjadwal/"

VIDEO_SOURCE = f"""\
---
title: "Contoh: Seri dengan Rekaman"
program: {FLAGSHIP}
date: "2024-01-25"
speakers:
  - Widyaiswara BPSDM Jatim (contoh)
competency: manajerial
tags: [contoh]
reach:
  zoom: 150
  youtube: 450
video: https://www.youtube.com/watch?v={VIDEO_ID}
summary: Entri contoh untuk memperlihatkan tombol rekaman.
sample: true
---
Entri contoh dengan tautan rekaman.
"""

UPCOMING_SOURCE = f"""\
---
title: "Seri Uji Terjadwal"
program: {FLAGSHIP}
date: "{UPCOMING_DAY.isoformat()}"
summary: Seri milik uji, untuk memeriksa keputusan "akan datang" di peramban.
sample: true
---
Seri uji.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_repo_project(tmp_path_factory.mktemp("browser") / "proj")
    (root / "content/series/contoh-seri-dengan-rekaman.md").write_text(VIDEO_SOURCE, encoding="utf-8")
    (root / "content/series/seri-uji-terjadwal.md").write_text(UPCOMING_SOURCE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(project, tmp_path_factory):
    """(origin, site folder): the site built with its search index, served under /asn-belajar/."""
    www = tmp_path_factory.mktemp("www")
    with serve_folder(www) as origin:
        out = www / PREFIX.strip("/")
        proc = run_cli("build", "--root", str(project), "--output", str(out), "--no-cache",
                       "--today", TODAY.isoformat(), "--base-url", origin + PREFIX, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert (out / "pagefind" / "pagefind-ui.js").is_file()
        yield origin, out


@pytest.fixture
def visit(tab, server):
    """visit(width=, height=, scheme=, clock=): a page whose go(path) opens a path of the site."""
    return lambda **options: tab(base=server[0] + PREFIX, **options)


def wait_for_charts(page) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('figure[data-chart]')].every(f => f.dataset.state === 'drawn')", timeout=20000)


def draw_charts(page) -> None:
    """Ask for the interactive charts as a visitor would, with a chart's button (pressed
    where it is, without scrolling, which could start the loading first), and wait."""
    page.evaluate("""() => { const b = document.querySelector('figure.chart .chart-load button');
                             if (b && !b.hidden) b.click(); }""")
    wait_for_charts(page)


# ---- tests ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_and_only_from_its_own_origin(visit, path):
    v = visit()
    page = v.go(path)
    assert page.locator("h1").count() == 1
    assert v.errors == []
    outside = [u for u in v.requests if urlsplit(u).netloc != urlsplit(v.base).netloc]
    assert outside == []


def test_report_is_useful_before_plotly_and_draws_after_scrolling(visit):
    declared = [f for f in FACTS.figures_of(FLAGSHIP) if "year" in f]
    expected = [f["reach"] for f in declared]
    shown = next(i for i, f in enumerate(declared) if f["year"] == REPORT_YEAR and contentfacts.is_full_year(f))
    in_year = [f for f in FACTS.figures if f.get("year") == REPORT_YEAR]
    v = visit(width=360, height=800)
    page = v.go(REPORT_PAGE)
    # a phone sees the figures and the table first; plotly.js is not fetched yet
    assert not v.fetched("plotly-basic.min.js")
    assert page.locator(".stat-value").first.inner_text() == contentfacts.idn(sum(f["series"] for f in in_year))
    assert page.locator("table.wide").is_visible()
    assert page.locator("figure.chart .bars .bar").count() == len(expected)
    page.locator("figure.chart").scroll_into_view_if_needed()
    wait_for_charts(page)
    assert v.fetched("plotly-basic.min.js")
    assert page.locator("figure.chart .plotly svg.main-svg").count() >= 1
    y = page.evaluate("document.querySelector('figure.chart .plot').data[0].y")
    x = page.evaluate("document.querySelector('figure.chart .plot').data[0].x")
    assert y == expected
    assert [label[:4] for label in x] == [str(f["year"]) for f in declared]
    # Indonesian separators in the drawn bar labels
    reach = contentfacts.idn(declared[shown]["reach"])
    labels = [t.strip() for t in page.locator("figure.chart .plotly .bartext").all_text_contents()]
    assert reach in labels
    # hovering the year's bar shows an Indonesian label with Indonesian number format
    box = page.locator("figure.chart .plotly .point path").nth(shown).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(f"document.querySelector('figure.chart .hoverlayer').textContent.includes('{reach}')")
    assert f"Tahun {REPORT_YEAR}" in page.locator("figure.chart .hoverlayer").text_content()
    assert v.errors == []


PAGE_KINDS = {
    "home": "/", "program catalog": "/program/", "program": f"/program/{FLAGSHIP}/", "series": VIDEO_SERIES,
    "archive": "/arsip/", "archive facet": f"/arsip/program/{FLAGSHIP}/", "schedule": "/jadwal/", "reports": "/laporan/",
    "year report": REPORT_PAGE, "open data": "/data/", "page": "/tentang/", "404": "/404.html",
}

# Every figure cell, stat and chart bar label must lie inside the screen and inside its
# scrolling box (a table's wrapper), never behind a sideways scroll or cut by the edge.
HIDDEN_FIGURES = """() => {
  const out = [];
  const W = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('main td, main .stat-value, main tbody th, main tfoot th')) {
    if (!el.textContent.trim() || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    let box = el.closest('.table-wrap');
    const b = box ? box.getBoundingClientRect() : {left: 0, right: W};
    if (r.left < Math.max(0, b.left) - 1 || r.right > Math.min(W, b.right) + 1) out.push(el.textContent.trim().slice(0, 30));
    else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') out.push('clipped: ' + el.textContent.trim().slice(0, 30));
  }
  return out;
}"""


@pytest.mark.parametrize("width", [320, 360, 1280])
def test_no_page_scrolls_sideways_and_no_figure_is_hidden(visit, width):
    v = visit(width=width, height=800)
    problems = {}
    for kind, path in PAGE_KINDS.items():
        page = v.go(path)
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        hidden = page.evaluate(HIDDEN_FIGURES)
        if wide > 0 or hidden:
            problems[kind] = (wide, hidden[:5])
    assert problems == {}
    assert v.errors == []


@pytest.mark.parametrize("width", [320, 360, 1280])
def test_charts_are_drawn_after_scrolling_not_before(visit, width):
    v = visit(width=width, height=800)
    page = v.go("/laporan/")
    page.wait_for_timeout(500)
    assert not v.fetched("plotly-basic.min.js")
    assert page.locator("figure[data-state]").count() == 0
    for fig in page.locator("figure.chart").all():
        fig.scroll_into_view_if_needed()
        page.mouse.wheel(0, 50)
    wait_for_charts(page)
    assert v.fetched("plotly-basic.min.js")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0 and v.errors == []


def test_chart_is_not_fetched_on_a_touch_elsewhere(visit):
    """Keys, taps and clicks far from a chart fetch nothing; scrolling to it does."""
    v = visit(width=360, height=800)
    page = v.go("/")
    assert page.evaluate("document.querySelector('figure.chart').getBoundingClientRect().top") > 1000
    page.keyboard.press("Tab")  # the skip link; no scrolling
    page.keyboard.press("Shift")
    page.locator("h1").click()  # a tap on the text near the top
    page.wait_for_timeout(800)
    assert not v.fetched("plotly-basic.min.js")
    page.locator("figure.chart").scroll_into_view_if_needed()
    wait_for_charts(page)
    assert v.fetched("plotly-basic.min.js")
    assert page.locator("figure.chart .plotly svg.main-svg").count() >= 1
    assert v.errors == []


def test_chart_loads_early_when_near_the_viewport(visit):
    """Fetched before the chart is on screen (rootMargin), so it is ready when it arrives."""
    v = visit(width=360, height=800)
    page = v.go(REPORT_PAGE)
    top = page.evaluate("document.querySelector('figure.chart').getBoundingClientRect().top + scrollY")
    page.evaluate(f"window.scrollTo(0, {top} - 800 - 250)")  # 250 px below the screen's bottom edge
    page.wait_for_function("document.querySelector('figure.chart').dataset.state", timeout=5000)
    assert v.fetched("plotly-basic.min.js")
    wait_for_charts(page)
    assert v.errors == []


@pytest.mark.parametrize("connection", [{"saveData": True, "effectiveType": "4g"}, {"saveData": False, "effectiveType": "2g"},
                                        {"saveData": False, "effectiveType": "slow-2g"}])
def test_save_data_and_2g_wait_for_a_tap_on_the_chart_button(visit, connection):
    v = visit(width=360, height=800)
    v.page.add_init_script(
        "Object.defineProperty(navigator, 'connection', {configurable: true, get: () => (" + json.dumps(connection) + ")});")
    page = v.go(REPORT_PAGE)
    figure = page.locator("figure.chart").first
    figure.scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(800)
    assert not v.fetched("plotly-basic.min.js")
    assert "hemat data" in figure.locator(".chart-status").inner_text().lower()
    button = figure.get_by_role("button", name="Tampilkan grafik interaktif")
    assert button.is_visible()
    box = button.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24
    button.click()
    wait_for_charts(page)
    assert v.fetched("plotly-basic.min.js") and v.errors == []


def test_chart_shows_that_it_is_loading_and_when_it_failed(visit):
    v = visit(width=360, height=800)
    v.page.route("**/plotly-basic.min.js", lambda route: route.abort())
    page = v.go(REPORT_PAGE)
    state = page.evaluate("""() => {
      const fig = document.querySelector('figure.chart');
      fig.querySelector('.chart-load button').click();
      return [fig.dataset.state, fig.querySelector('.chart-status').textContent];
    }""")
    assert state == ["loading", "Memuat grafik interaktif…"]
    status = page.locator("figure.chart .chart-status").first
    page.wait_for_function("document.querySelector('figure.chart .chart-status').textContent.includes('gagal')")
    assert "Batang ringkas dan tabel tetap memuat semua angkanya" in status.inner_text()
    assert page.locator("figure.chart .bars .bar").first.is_visible()  # the quick bars stay
    assert page.get_by_role("button", name="Coba muat lagi").is_visible()
    v.page.unroute("**/plotly-basic.min.js")
    v.errors.clear()  # the aborted request, on purpose
    # pressed where it is: scrolling to it would start the loading by itself
    page.evaluate("document.querySelector('figure.chart .chart-load button').click()")
    wait_for_charts(page)
    assert status.inner_text() == "" and v.errors == []


def test_chart_on_screen_at_load_waits_for_the_visitor(visit):
    """A chart visible without scrolling shows its quick bars; plotly.js waits for a scroll."""
    v = visit(width=1280, height=900)
    page = v.go(REPORT_PAGE)
    assert page.evaluate("document.querySelector('figure.chart').getBoundingClientRect().top") < 900
    page.wait_for_timeout(500)
    assert not v.fetched("plotly-basic.min.js")
    assert page.locator("figure.chart .bars .bar").first.is_visible()
    page.mouse.wheel(0, 200)
    wait_for_charts(page)
    assert v.fetched("plotly-basic.min.js") and v.errors == []


def test_keyboard_skip_link_is_first_and_visible(visit):
    v = visit(width=360, height=800)
    page = v.go("/program/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip", "#isi"]
    box = page.locator("a.skip").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_video_loads_nothing_third_party_until_clicked(visit):
    v = visit(width=1280, height=900)
    v.page.route("https://www.youtube-nocookie.com/**",
                 lambda route: route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>video</title>"))
    page = v.go(VIDEO_SERIES)
    local = urlsplit(v.base).netloc
    assert [u for u in v.requests if urlsplit(u).netloc != local] == []
    assert page.locator("iframe").count() == 0
    button = page.get_by_role("link", name="Putar video")
    button.click()
    frame = page.locator(".video iframe")
    frame.wait_for()
    src = frame.get_attribute("src")
    assert src.startswith(f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}")
    assert frame.get_attribute("title").startswith("Rekaman:")
    outside = {urlsplit(u).netloc for u in v.requests if urlsplit(u).netloc != local}
    assert outside == {"www.youtube-nocookie.com"}
    assert v.errors == []


def test_search_finds_series_under_the_base_path(visit):
    v = visit(width=1280, height=900)
    page = v.go("/cari/")
    page.locator("#cari input").fill("rekaman")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=15000)
    assert "Seri dengan Rekaman" in result.inner_text()
    assert result.get_attribute("href").startswith(PREFIX + "seri/")
    assert v.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(visit, scheme):
    v = visit(width=1280, height=900, scheme=scheme)
    found = {}
    for path in PAGES:
        page = v.go(path)
        if page.locator("figure[data-chart]").count():
            draw_charts(page)  # check the drawn charts too
        if path == "/cari/":
            page.locator("#cari input").fill("contoh")
            page.locator(".pagefind-ui__result").first.wait_for(timeout=15000)
        problems = axe_violations(page)
        if problems:
            found[path] = problems
    assert found == {}
    assert v.errors == []


def test_screenshots(visit):
    """Home, a report and a series page at phone and desktop widths, charts drawn."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((360, 800), (1280, 900)):
        v = visit(width=width, height=height)
        for name, path in (("home", "/"), (f"laporan-{REPORT_YEAR}", REPORT_PAGE), ("seri", VIDEO_SERIES)):
            page = v.go(path)
            if page.locator("figure[data-chart]").count():
                draw_charts(page)
            no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert no_overflow, f"{path} scrolls sideways at {width} px"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert v.errors == []


# ---- upcoming, decided again in the browser ------------------------------------------------------

UPCOMING_LISTS = ("/", "/jadwal/", f"/program/{FLAGSHIP}/")


def upcoming_cards(page) -> int:
    return page.locator(f'[data-upcoming] .card a[href$="{UPCOMING_SERIES}"]').count()


@pytest.mark.parametrize("clock, state", [
    (f"{UPCOMING_DAY - dt.timedelta(days=1)}T16:30:00Z", "soon"),   # 23:30 WIB the evening before
    (f"{UPCOMING_DAY - dt.timedelta(days=1)}T17:30:00Z", "today"),  # 00:30 WIB on its day (the day before in UTC)
    (f"{UPCOMING_DAY}T16:30:00Z", "today"),                         # 23:30 WIB, the end of its day
    (f"{UPCOMING_DAY}T17:30:00Z", "over"),                          # 00:30 WIB the day after
    (f"{UPCOMING_DAY + dt.timedelta(days=40)}T05:00:00Z", "over"),  # weeks later, the daily build paused
])
def test_upcoming_is_decided_again_in_the_browser(visit, server, clock, state):
    """The site was built on TODAY, when the series was upcoming; the visitor's clock says
    otherwise: the pages follow the visitor's date in WIB, not the build's. A series stays
    upcoming through its own day, labelled "Hari ini", and leaves the lists the day after."""
    built = (server[1] / UPCOMING_SERIES.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "data-upcoming-until" in built  # upcoming when built
    assert "Hari ini" not in built  # and not yet on its day
    v = visit(width=1280, height=900, clock=clock)
    for path in UPCOMING_LISTS:
        page = v.go(path)
        assert upcoming_cards(page) == (0 if state == "over" else 1), path
        label = page.locator(f'[data-upcoming] .card:has(a[href$="{UPCOMING_SERIES}"]) .badge.today')
        assert label.count() == (1 if state == "today" else 0), path
        if state == "today":
            assert label.inner_text() == "Hari ini"
    page = v.go(UPCOMING_SERIES)
    badge = page.locator("article .badge.upcoming")
    assert badge.count() == (0 if state == "over" else 1)
    if state == "soon":
        assert badge.inner_text().startswith("Terjadwal ")
    if state == "today":
        assert badge.inner_text() == "Hari ini"
    assert v.errors == []


def test_a_list_left_empty_says_so_or_goes(visit):
    """Long after every upcoming series of the build: /jadwal/ says none is announced, the
    home page drops its section; the weekly schedule stays."""
    latest = max([s.date for s in FACTS.series] + [UPCOMING_DAY])
    v = visit(width=1280, height=900, clock=f"{latest + dt.timedelta(days=2)}T05:00:00Z")
    page = v.go("/jadwal/")
    assert page.locator("[data-upcoming] .card").count() == 0
    assert "Belum ada seri mendatang" in page.locator("[data-upcoming]").inner_text()
    assert page.locator("ol.week-grid > li").count() == len(FACTS.programs)
    page = v.go("/")
    assert page.locator("[data-upcoming]").count() == 0
    assert page.locator("h1").count() == 1
    assert v.errors == []


def test_schedule_copy_button_copies_the_calendar_address(visit, server):
    origin = server[0]
    v = visit(width=360, height=800, permissions=["clipboard-read", "clipboard-write"])
    page = v.go("/jadwal/")
    field = page.locator("#alamat-kalender")
    assert field.input_value() == origin + PREFIX + "jadwal.ics"
    button = page.get_by_role("button", name="Salin alamat")
    box = button.bounding_box()
    assert box["height"] >= 24
    button.click()
    page.locator(".copy-status", has_text="disalin").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == origin + PREFIX + "jadwal.ics"
    webcal = page.get_by_role("link", name="Langganan di aplikasi kalender").get_attribute("href")
    assert webcal == "webcal://" + origin.split("://", 1)[1] + PREFIX + "jadwal.ics"
    assert v.errors == []


@pytest.mark.parametrize("clock, shown", [
    (f"{UPCOMING_DAY - dt.timedelta(days=1)}T16:30:00Z", True),   # 23:30 WIB the evening before
    (f"{UPCOMING_DAY}T10:00:00Z", True),                           # 17:00 WIB on its day: joining is what the day is for
    (f"{UPCOMING_DAY}T17:30:00Z", False),                          # 00:30 WIB the day after
])
def test_join_links_stay_through_the_series_day(visit, clock, shown):
    v = visit(width=360, height=800, clock=clock)
    page = v.go(UPCOMING_SERIES)
    assert page.locator("section.join-box").count() == (1 if shown else 0)
    assert v.errors == []


def test_the_page_helper_records_what_went_wrong_and_fixes_the_clock(tab, tmp_path):
    """What every browser test leans on (conftest.Tab): a script error, a console error and
    a missing file are each recorded, and the page's clock is the one given."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title><img src=hilang.png alt=''>"
        "<script>console.error('tercatat'); document.title = new Date().toISOString(); throw new Error('dilempar');</script>",
        encoding="utf-8")
    with serve_folder(tmp_path) as origin:
        opened = tab(origin + "/", clock="2026-12-10T09:30:00+07:00")
        assert opened.page.title() == "2026-12-10T02:30:00.000Z"
        errors = "\n".join(opened.errors)
    assert "console: tercatat" in errors and "pageerror: dilempar" in errors, errors
    assert f"HTTP 404 {origin}/hilang.png" in errors, errors
    assert opened.fetched("hilang.png")
