"""The benchmark measures the real site (benchmarks/bench.py): its corpus is the shipped
site with generated series, and its cold build makes every output the site makes, share
images included. Not timed: only what is built is checked."""

from __future__ import annotations

import importlib.util

from bs4 import BeautifulSoup

from conftest import REPO, tree_bytes


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_builds_the_shipped_site_with_every_output(tmp_path):
    bench = _bench()
    site, _ = bench.corpus(tmp_path / "work", 30)
    # The project's own templates, static files and settings, not stand-ins.
    for name in ("templates", "static"):
        assert tree_bytes(site / name) == tree_bytes(REPO / name), f"the benchmark's {name}/ is not the project's"
    assert (site / "site.yaml").read_bytes() == (REPO / "site.yaml").read_bytes()
    assert len(list((site / "content" / "series").glob("*.md"))) == 30

    out = tmp_path / "out"
    bench.ours_cold(site, out, search=True)  # the cold build the benchmark times (raises on failure)
    series = sorted((out / "seri").glob("*/index.html"))
    assert len(series) == 30
    for page in series:
        og = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").find("meta", property="og:image")
        assert og is not None and og["content"].endswith(f"/seri/{page.parent.name}/pratinjau.png"), page
        assert (page.parent / "pratinjau.png").stat().st_size > 1000, page
    for rel in ("feed.xml", "jadwal.ics", "data/seri.csv", "data/seri.json", "sitemap.xml", "pratinjau.png"):
        assert (out / rel).is_file(), f"the benchmark's build makes no {rel}"
    assert list((out / "pagefind").rglob("*.pf_meta")), "the benchmark's build makes no search index"
    # The check it times runs on the same site and passes.
    assert bench.ours_check(site).rc == 0


def test_the_benchmarks_edit_always_changes_the_series(tmp_path):
    """The rebuild after an edit must measure an edit: a file still ending with the marker
    of an earlier, stopped run is changed all the same."""
    bench = _bench()
    path = tmp_path / "seri.md"
    original = "---\ntitle: Contoh\n---\n\nIsi seri.\n"
    path.write_text(original, encoding="utf-8")
    seen = {original}
    for n in (101, 102, 102, 101):
        marker = bench.edit_series(path, n)
        text = path.read_text(encoding="utf-8")
        assert text not in seen and text.endswith(marker + "\n") and text.count("Catatan suntingan") == 1
        assert text.startswith(original.rstrip("\n"))
        seen = {text}


def test_the_stand_in_is_only_made_on_request(tmp_path):
    bench = _bench()
    site, _ = bench.corpus(tmp_path / "work", 5, minimal=True)
    assert tree_bytes(site / "templates") == tree_bytes(REPO / "benchmarks" / "templates")
    assert not (tmp_path / "work" / "corpus-5").exists()


def test_the_step_table_times_the_three_builds_and_puts_the_edit_back(tmp_path, capsys):
    """benchmarks/steps.py: each build's own step timer, for a cold build, check and an
    edit, on the benchmark's corpus; the edited series is as generated afterwards."""
    spec = importlib.util.spec_from_file_location("steps", REPO / "benchmarks" / "steps.py")
    steps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(steps)
    site, _ = steps.bench.corpus(tmp_path / "work", 30)
    before = tree_bytes(site / "content")
    assert steps.main(["--series", "30", "--repeats", "1", "--work", str(tmp_path / "work")]) == 0
    table = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines() if line[:1].isalpha() and len(line.split()) == 4}
    for step in ("parse", "plan", "render", "search", "cache-save"):
        assert step in rows, table
    steps_rows = {name: [float(c) for c in cells] for name, cells in rows.items() if name != "load"}
    assert all(c >= 0 for cells in steps_rows.values() for c in cells), table  # each step's own time
    assert float(rows["search"][0]) > 0 and float(rows["search"][1]) == 0  # check makes no search index
    assert float(rows["render"][2]) < float(rows["render"][0])  # the edit renders less than the cold build
    assert tree_bytes(site / "content") == before
