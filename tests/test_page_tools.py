"""What a visitor does with the archive, the search and the charts, in Chromium: the
archive's filters folded on a phone (and open on a desktop), search excerpts that start
with a series' own text under result titles that look like links, and charts that can be
linked to, cited and saved as PNG or SVG (drawn in the browser, no server)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import SITE_YAML, make_project, needs_chromium, run_cli, serve_folder

pytestmark = needs_chromium
TODAY = dt.date(2026, 11, 23)
CLOCK = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # the pages' clock: TODAY, 10:00 WIB
BODY_WORD = "kearsipan"
BODY_START = "Pengelolaan kearsipan dinamis"
SPEAKER = "Ratna Wulandari"  # a name no other word of the fixture holds
COMPETENCIES = ["manajerial", "teknis", "sosial-kultural"]


def files() -> dict:
    """Series over four years, three competencies and many topics: a tall filter panel."""
    out = {"site.yaml": SITE_YAML.replace("search: false", "search: true")}
    for i in range(24):
        out[f"content/series/seri-{i:02d}.md"] = (
            f"---\ntitle: \"Seri Nomor {i:02d}\"\nprogram: {'asn-belajar' if i % 2 else 'asn-mengaji'}\n"
            f"date: \"{dt.date(2022 + i % 4, 1 + i % 12, 3 + i % 20).isoformat()}\"\n"
            f"competency: {COMPETENCIES[i % 3]}\ntags: [topik-{i:02d}, bersama]\n---\nIsi seri nomor {i}.\n"
        )
    out["content/series/arsip.md"] = (
        "---\ntitle: Tata Naskah Dinas\nprogram: asn-belajar\ndate: \"2024-05-02\"\n"
        f"speakers: [{SPEAKER}, Narasumber Kedua]\ncompetency: teknis\ntags: [kearsipan]\n---\n"
        f"{BODY_START} di instansi pemerintah, dari penciptaan sampai penyusutan arsip.\n"
    )
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tools")
    root = make_project(tmp, files())
    out = tmp / "site"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--today", TODAY.isoformat(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    return out


@pytest.fixture(scope="module")
def served(site):
    with serve_folder(site) as origin:
        yield origin


# ---- the archive's filters -----------------------------------------------------------

def test_archive_filters_are_open_in_the_html(site):
    """Without script the filters are there to use: the panel is open in the HTML."""
    soup = BeautifulSoup((site / "arsip/index.html").read_bytes(), "lxml")
    assert soup.select_one("nav.facets details").has_attr("open")


def test_archive_list_starts_on_a_phones_first_screen(tab, served):
    opened = tab(served + "/arsip/", width=360, clock=CLOCK)
    page, errors = opened.page, opened.errors
    assert page.locator("nav.facets details").evaluate("d => d.open") is False
    card = page.locator("ul.cards > li.card").first
    assert card.bounding_box()["y"] < 800
    page.locator("nav.facets summary").click()
    assert page.locator("nav.facets .chips a").first.is_visible()
    assert errors == []


def test_archive_filters_are_open_on_a_desktop(tab, served):
    opened = tab(served + "/arsip/", width=1280, clock=CLOCK)
    page, errors = opened.page, opened.errors
    assert page.locator("nav.facets details").evaluate("d => d.open") is True
    chips = page.locator("nav.facets .chips a")
    assert chips.count() > 10 and chips.first.is_visible()
    assert errors == []


# ---- search ---------------------------------------------------------------------------

def test_search_excerpt_is_the_series_text_under_a_link_styled_title(tab, served):
    opened = tab(served + f"/cari/?q={BODY_WORD}", width=1280, clock=CLOCK)
    page, errors = opened.page, opened.errors
    page.wait_for_selector(".pagefind-ui__result-excerpt", timeout=20000)
    excerpt = " ".join(page.locator(".pagefind-ui__result-excerpt").first.inner_text().split())
    # The excerpt is the series' own text from its first word: no breadcrumb (the
    # program's name), badge, date, repeated title, speakers or competency before it.
    assert excerpt.startswith(BODY_START), excerpt
    assert "Tata Naskah Dinas" not in excerpt and SPEAKER not in excerpt and "Teknis" not in excerpt, excerpt
    assert "Mei 2024" not in excerpt and "Kamis" not in excerpt and "Tanggal" not in excerpt, excerpt
    link = page.locator(".pagefind-ui__result-link").first
    assert link.inner_text().strip() == "Tata Naskah Dinas"
    style = link.evaluate("a => { const s = getComputedStyle(a); return [s.textDecorationLine, s.color]; }")
    body_link = page.evaluate("""() => { const a = document.createElement('a'); a.href = '#'; a.textContent = 'x';
        document.querySelector('main').append(a); const c = getComputedStyle(a).color; a.remove(); return c; }""")
    assert "underline" in style[0]
    assert style[1] == body_link
    link.focus()
    assert link.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"
    assert errors == []


# ---- charts ---------------------------------------------------------------------------

def test_chart_has_an_anchor_and_a_citation(site):
    soup = BeautifulSoup((site / "laporan/index.html").read_bytes(), "lxml")
    figures = soup.select("figure.chart")
    assert figures
    for fig in figures:
        anchor = fig.select_one("a.chart-anchor")
        assert anchor.get_text() == "#" and anchor["href"] == "#" + fig["id"]
        cite = " ".join(fig.select_one(".chart-cite").get_text().split())
        assert "Sumber: Sumber uji (angka per Kamis, 22 Februari 2024)." in cite
        assert cite.endswith(f"https://example.org/laporan/#{fig['id']}")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_chart_that_starts_drawing_moves_nothing_below_it(tab, served, width):
    """Scrolling to a chart starts drawing it. Its download buttons stay where they were
    while plotly.js loads and after the chart is drawn: a tap aimed at one lands on it.
    (When the bar under the chart shrank, a click on "Unduh PNG" under load hit the figure
    and no file came, 3 clicks in 30.)"""
    opened = tab(served + "/laporan/", width=width, clock=CLOCK)
    page, errors = opened.page, opened.errors
    held, released = [], []

    def hold(route):  # plotly.js waits until released; one asked for after that goes through
        route.continue_() if released else held.append(route)

    page.route("**/plotly-basic.min.js", hold)
    fig = page.locator("figure.chart").first
    button = fig.get_by_role("button", name="Unduh PNG")
    where = "b => Math.round(b.getBoundingClientRect().top + window.scrollY)"
    before = button.evaluate(where)
    assert fig.get_attribute("data-state") is None
    page.evaluate("y => window.scrollTo(0, y)", before - 300)
    page.wait_for_function("() => document.querySelector('figure.chart').getAttribute('data-state') === 'loading'", timeout=20000)
    assert " ".join(fig.locator(".chart-status").inner_text().split()) == "Memuat grafik interaktif…"
    assert button.evaluate(where) == before
    released.append(True)
    while held:
        held.pop().continue_()
    page.wait_for_function("() => document.querySelector('figure.chart').getAttribute('data-state') === 'drawn'", timeout=60000)
    assert fig.locator(".plot .main-svg").count() >= 1
    assert button.evaluate(where) == before
    assert errors == []


@pytest.mark.parametrize("fmt, starts", [("PNG", (b"\x89PNG\r\n\x1a\n",)), ("SVG", (b"<svg", b"<?xml"))])
def test_chart_downloads_as_an_image(tab, served, fmt, starts):
    opened = tab(served + "/laporan/", width=1280, clock=CLOCK, accept_downloads=True)
    page, errors = opened.page, opened.errors
    fig = page.locator("figure.chart").first
    fig_id = fig.get_attribute("id")
    # The click loads plotly.js (1.2 MB), draws the chart, then makes the image: alone, a
    # second or two. The bound is a hang's, not a speed.
    with page.expect_download(timeout=120000) as info:
        fig.get_by_role("button", name=f"Unduh {fmt}").click()
    download = info.value
    assert download.suggested_filename == f"{fig_id}.{fmt.lower()}"
    data = Path(download.path()).read_bytes()
    assert data.startswith(starts), data[:40]
    assert errors == []


def test_a_chart_link_lands_on_the_chart(tab, served):
    opened = tab(served + "/laporan/", width=360, clock=CLOCK)
    page, errors = opened.page, opened.errors
    fig = page.locator("figure.chart").nth(1)
    fig.locator("a.chart-anchor").click()
    fig_id = fig.get_attribute("id")
    assert page.url.endswith("#" + fig_id)
    box = fig.bounding_box()
    assert -2 <= box["y"] < 100
    assert errors == []


def test_search_still_finds_a_series_by_its_title(tab, served):
    """The title is left out of the excerpt, not out of the search."""
    opened = tab(served + "/cari/?q=naskah", width=1280, clock=CLOCK)
    page, errors = opened.page, opened.errors
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    assert page.locator(".pagefind-ui__result-link").first.inner_text().strip() == "Tata Naskah Dinas"
    assert errors == []


def test_search_finds_a_series_by_a_speakers_name_shown_under_the_result(tab, served):
    """Speakers are out of the excerpt, not out of the search: their names are Pagefind
    metadata, searched and shown under the result, with the excerpt still the series' text."""
    opened = tab(served + "/cari/?q=wulandari", width=360, clock=CLOCK)
    page, errors = opened.page, opened.errors
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    assert page.locator(".pagefind-ui__result").count() == 1
    result = page.locator(".pagefind-ui__result").first
    assert result.locator(".pagefind-ui__result-link").inner_text().strip() == "Tata Naskah Dinas"
    tags = [" ".join(t.split()) for t in result.locator(".pagefind-ui__result-tag").all_inner_texts()]
    assert f"Narasumber: {SPEAKER}, Narasumber Kedua" in tags, tags
    excerpt = " ".join(result.locator(".pagefind-ui__result-excerpt").inner_text().split())
    assert excerpt.startswith(BODY_START) and SPEAKER not in excerpt, excerpt
    assert errors == []
