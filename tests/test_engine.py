"""The build's guarantees: deterministic, atomic, confined to its output folder, and every
link working at a domain root and under a GitHub Pages /<repo>/ path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from conftest import copy_repo_project, make_project, run_cli, tree_bytes
from linkcheck import broken_links
from sitegen import writer
from sitegen.pipeline import Options, build
from sitegen.problems import BuildFailed, UsageError


def opts(root: Path, **kw) -> Options:
    base = dict(root=root, search=False, today=dt.date(2026, 11, 23), use_cache=False)
    base.update(kw)
    return Options(**base)


def test_two_clean_builds_are_byte_identical(tmp_path):
    root = copy_repo_project(tmp_path / "p")
    a = run_cli("build", "--root", str(root), "--output", str(tmp_path / "a"), "--no-cache", "--no-search", "--today", "2026-11-23")
    b = run_cli("build", "--root", str(root), "--output", str(tmp_path / "b"), "--no-cache", "--no-search", "--today", "2026-11-23",
                env={"PYTHONHASHSEED": "123"})
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    ta, tb = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert sorted(ta) == sorted(tb)
    assert [k for k in ta if ta[k] != tb[k]] == []


def test_source_date_epoch_fixes_today(tmp_path):
    root = copy_repo_project(tmp_path / "p")
    # 2024-01-20 12:00 UTC: the 2024-02-08 sample is still upcoming then.
    env = {"SOURCE_DATE_EPOCH": "1705752000"}
    a = run_cli("build", "--root", str(root), "--output", str(tmp_path / "a"), "--no-cache", "--no-search", env=env)
    # The same epoch in both (it also dates files that git does not know), and --today in b:
    # the two agree only if the epoch alone fixed a's today.
    b = run_cli("build", "--root", str(root), "--output", str(tmp_path / "b"), "--no-cache", "--no-search", "--today", "2024-01-20", env=env)
    assert a.returncode == 0 and b.returncode == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_failed_build_keeps_previous_site(tmp_path):
    root = make_project(tmp_path)
    first = run_cli("build", "--root", str(root), "--no-search")
    assert first.returncode == 0, first.stderr
    before = tree_bytes(root / "_site")
    (root / "content/series/dua.md").write_text("---\ntitle: Dua\nprogram: tidak-ada\ndate: 2024-01-04\n---\n", encoding="utf-8")
    (root / "content/series/satu.md").write_text("---\ntitle: Satu diubah\nprogram: asn-belajar\ndate: 2023-03-02\n---\n", encoding="utf-8")
    failed = run_cli("build", "--root", str(root), "--no-search")
    assert failed.returncode == 1
    assert tree_bytes(root / "_site") == before
    assert sorted(p.name for p in root.iterdir()) == sorted(["_site", "content", "site.yaml", ".cache"])


def test_crash_while_writing_keeps_previous_site(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    build(opts(root))
    before = tree_bytes(root / "_site")
    (root / "content/series/satu.md").write_text("---\ntitle: Satu baru\nprogram: asn-belajar\ndate: 2023-03-02\n---\n", encoding="utf-8")
    calls = {"n": 0}
    real = writer.StagedTree.write_file

    def failing(self, rel, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        return real(self, rel, data)

    monkeypatch.setattr(writer.StagedTree, "write_file", failing)
    with pytest.raises(OSError):
        build(opts(root))
    assert tree_bytes(root / "_site") == before
    assert not [p for p in root.iterdir() if p.name.startswith("._site")]


@pytest.mark.parametrize("target", [".", "content", "content/series", "templates", "..", "static/x"])
def test_output_folder_cannot_be_project_or_source(tmp_path, target):
    root = make_project(tmp_path)
    proc = run_cli("build", "--root", str(root), "--output", str(root / target), "--no-search")
    assert proc.returncode == 2
    assert proc.stderr.startswith("build.py: output folder ")
    assert "Traceback" not in proc.stderr


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    root = make_project(tmp_path)
    other = tmp_path / "dokumen"
    other.mkdir()
    (other / "penting.txt").write_text("jangan dihapus")
    proc = run_cli("build", "--root", str(root), "--output", str(other), "--no-search")
    assert proc.returncode == 2
    assert "was not made by build.py" in proc.stderr
    assert (other / "penting.txt").read_text() == "jangan dihapus"


def test_safe_join_refuses_escapes(tmp_path):
    for bad in ["../x", "/etc/passwd", "a/../../x", "", "a//b"]:
        with pytest.raises(ValueError):
            writer.safe_join(tmp_path, bad)
    assert writer.safe_join(tmp_path, "seri/a/index.html") == tmp_path / "seri" / "a" / "index.html"


def test_nothing_written_outside_output_and_cache(tmp_path):
    root = make_project(tmp_path)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    assert run_cli("build", "--root", str(root), "--no-search").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    assert sorted(p.name for p in root.iterdir()) == [".cache", "_site", "content", "site.yaml"]


@pytest.mark.parametrize("base_url,base_path", [
    ("https://example.github.io/asn-belajar/", "/asn-belajar/"),
    ("https://asn.example.org/", "/"),
])
def test_every_internal_link_resolves(tmp_path, base_url, base_path):
    root = copy_repo_project(tmp_path / "p")
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23", "--base-url", base_url)
    assert proc.returncode == 0, proc.stderr
    assert broken_links(out, base_path, base_url) == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{base_path}arsip/"' in home
    assert f'<link rel="canonical" href="{base_url}">' in home


def test_drafts_only_with_flag(tmp_path):
    root = make_project(tmp_path, {"content/series/draf.md": "---\ntitle: Draf\nprogram: asn-belajar\ndate: 2024-01-04\ndraft: true\n---\nx\n"})
    build(opts(root))
    assert not (root / "_site/seri/draf/index.html").exists()
    build(opts(root, drafts=True))
    assert (root / "_site/seri/draf/index.html").exists()


def test_content_passes_strict_check(content):
    """The shipped content, and an editor's edited copy of it (conftest.edited_copy)."""
    proc = run_cli("check", "--strict", "--root", str(content.root), "--today", content.today.isoformat())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("check passed:")


GOLDEN_SITE = Path(__file__).resolve().parent / "golden" / "site"


def test_headline_total_is_computed_from_declared_years(tmp_path):
    """On the golden fixture, whose declared figures are the shipped ones."""
    from sitegen import reports as reports_mod

    root = tmp_path / "p"
    shutil.copytree(GOLDEN_SITE, root)
    result = build(opts(root), write=False)
    belajar = result.reports.program_totals("asn-belajar")
    assert [r.figure.reach for r in belajar.rows] == [401482, 949080, 179022]
    assert belajar.reach == 1529584 and belajar.series == 100
    growth = {r.figure.period.key: r.growth for r in belajar.rows}
    assert growth["2023"] == pytest.approx((949080 - 401482) / 401482)
    assert growth["2023"] > 1.0  # more than doubled
    assert growth["2024-sd-2024-02-22"] is None  # a partial year is not compared with a full one
    mengaji = result.reports.program_totals("asn-mengaji")
    assert (mengaji.series, mengaji.reach) == (15, 11905)
    assert mengaji.rows[0].figure.period.label == "sejak awal hingga Februari 2024"
    # drafts and samples never count as archived; the fixture's two official 2023 series do
    assert {r.figure.period.key: r.archived_series for r in belajar.rows} == {"2022": 0, "2023": 2, "2024-sd-2024-02-22": 0}
    assert isinstance(result.reports, reports_mod.Reports)


def test_open_span_starts_at_the_programs_since(tmp_path):
    """ASN Mengaji's span ("since the program began", until Feb 2024) belongs to the years
    2023-2024 of a program that started on 2023-09-14, never to 2022 (the golden fixture)."""
    root = tmp_path / "p"
    shutil.copytree(GOLDEN_SITE, root)
    result = build(opts(root), write=False)
    spans = {y.year: [r.program for r in y.spans] for y in result.reports.years}
    assert spans[2022] == []
    assert spans[2023] == ["asn-mengaji"] and spans[2024] == ["asn-mengaji"]
