"""A series page with reach from the platforms' exports, in a real headless Chromium.

The golden fixture site (tests/golden/site), whose seri-b has Zoom and YouTube figures
imported from exports, is copied and given a third channel with a typed figure, so one
page shows imported rows, a typed row with its badge, Zoom's own headline figure and the
gross reach. Screenshots (360 and 1280 px, light and dark) go to SHOTS (default
tests/_artifacts/reach/, gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import axe_violations, needs_chromium, run_cli, serve_folder

pytestmark = needs_chromium

GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
SHOTS = Path(os.environ.get("REACH_SHOTS", Path(__file__).resolve().parent / "_artifacts" / "reach"))
PAGE = "/seri/seri-b/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reach-site") / "site"
    shutil.copytree(GOLDEN, root)
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("channels:\n", "channels:\n  facebook: Facebook BPSDM Jatim\n", 1), encoding="utf-8")
    series = root / "content/series/seri-b.md"
    text = series.read_text(encoding="utf-8")
    assert "reach:" not in text
    series.write_text(text.replace("---\nIsi B.", "reach:\n  facebook: 37\n---\nIsi B.", 1), encoding="utf-8")
    www = tmp_path_factory.mktemp("reach-www")
    with serve_folder(www) as origin:
        proc = run_cli("build", "--root", str(root), "--output", str(www / "s"), "--no-cache", "--no-search",
                       "--today", "2026-11-23", "--base-url", origin + "/s/", timeout=300)
        assert proc.returncode == 0, proc.stderr
        yield origin + "/s"


def inside_viewport(page, selector: str) -> list:
    """The elements matching selector that are not shown, or stick out of the viewport or
    of the scrolling box around them (their text would be cut off)."""
    return page.evaluate("""sel => [...document.querySelectorAll(sel)].flatMap(el => {
        const r = el.getBoundingClientRect();
        const box = el.closest('.table-wrap');
        const b = box ? box.getBoundingClientRect() : {left: 0, right: document.documentElement.clientWidth};
        const shown = r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
        return shown && r.left >= b.left - 0.5 && r.right <= b.right + 0.5 ? [] : [el.textContent.trim().slice(0, 60)];
    })""", selector)


@pytest.mark.parametrize("width", [360, 1280])
def test_reach_section_fits_reads_and_is_accessible(tab, site, width):
    opened = tab(site + PAGE, width=width)
    page = opened.page
    section = page.locator("section[aria-labelledby=jangkauan]")
    section.scroll_into_view_if_needed()
    rows = section.locator("table.reach tbody tr")
    assert rows.count() == 3
    assert section.locator("tr[data-reach-import]").count() == 2
    typed = section.locator("tr[data-reach-typed]")
    assert typed.count() == 1 and typed.locator(".badge.typed").is_visible()
    for i in range(rows.count()):
        assert rows.nth(i).is_visible()
    assert section.locator(".reach-headline").is_visible()
    # Every cell is within the page and within the table's box: no figure or file name
    # is cut off or hidden behind a sideways scroll.
    assert inside_viewport(page, "section[aria-labelledby=jangkauan] :is(tbody th, tbody td, tfoot th, tfoot td, caption, .reach-headline)") == []
    wrap = page.evaluate("(() => { const w = document.querySelector('section[aria-labelledby=jangkauan] .table-wrap'); return w.scrollWidth - w.clientWidth; })()")
    assert wrap == 0
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    text = section.inner_text()
    assert "peserta unik Zoom" in text and "diketik" in text and "Jangkauan kotor" in text
    assert re.search(r"berkas ekspor\s+golden-seri-b", text)
    # The typed badge stands apart from the text around it (not the page's background).
    badge = typed.locator(".badge.typed").evaluate("e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).borderTopWidth]")
    assert badge[0] != "none" and badge[1] != "0px"
    violations = axe_violations(page)
    assert violations == []
    assert opened.errors == []


def test_screenshots_light_and_dark(tab, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        for scheme in ("light", "dark"):
            opened = tab(site + PAGE, width=width, scheme=scheme)
            page = opened.page
            section = page.locator("section[aria-labelledby=jangkauan]")
            section.screenshot(path=str(SHOTS / f"seri-b-reach-{width}-{scheme}.png"))
            page.screenshot(path=str(SHOTS / f"seri-b-{width}-{scheme}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
            assert opened.errors == []
