"""Fast for the public: Lighthouse 12 with its mobile preset (a slow phone on a slow
network, simulated) on the home page, a report page with charts and a series page:
performance at least 95, accessibility, best practices and SEO 100; a page without charts
transfers less than 60 KB. The site is built fresh and served on 127.0.0.1 with gzip, as
GitHub Pages serves it (scripts/lighthouse.py, which also prints the table in docs/speed.md).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import REPO

LIMIT_KB = 60
# The performance score measures the machine: these run alone (scripts/test.sh).
pytestmark = pytest.mark.solo


def load_script():
    spec = importlib.util.spec_from_file_location("lighthouse_script", REPO / "scripts" / "lighthouse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    lh = load_script()
    if lh.lighthouse_bin() is None:
        pytest.skip("Lighthouse not installed (bash scripts/test.sh installs it into .cache/node)")
    if not Path(lh.chrome_path()).exists():
        pytest.skip(f"no Chromium at {lh.chrome_path()}")
    found = lh.measure()
    print("\n" + lh.markdown_table(found) + "\n" + lh.details(found))
    return lh, found


def test_three_pages_measured(results):
    lh, found = results
    paths = [r["path"] for r in found]
    assert paths[0] == "/" and lh.REPORT_PAGE in paths and any(p.startswith("/seri/") for p in paths), paths
    report = next(r for r in found if r["path"] == lh.REPORT_PAGE)
    assert report["charts"], "the report page measured has no chart: measure one that does"


def test_scores(results):
    lh, found = results
    short = []
    for r in found:
        s = r["scores"]
        if s["performance"] < 95 or s["accessibility"] < 100 or s["best-practices"] < 100 or s["seo"] < 100:
            short.append(f"{r['path']}: {s}")
    assert short == [], "below target (performance >= 95, the rest 100):\n" + "\n".join(short) + "\n" + lh.details(found)


def test_pages_without_charts_weigh_under_60_kb(results):
    lh, found = results
    plain = [r for r in found if not r["charts"]]
    assert plain, "no page without charts was measured"
    heavy = [f"{r['path']}: {r['transferred'] / 1024:.1f} KB" for r in plain if r["transferred"] >= LIMIT_KB * 1024]
    assert heavy == [], f"over {LIMIT_KB} KB transferred:\n" + "\n".join(heavy) + "\n" + lh.details(plain)
    for r in plain:
        assert r["requests"], f"{r['path']}: Lighthouse recorded no requests"
