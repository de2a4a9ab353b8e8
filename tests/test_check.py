"""`build.py check` does a check's work: it finds every problem a build would find, template
mistakes that only rendering a page shows included, and does nothing that cannot find one:
no share image drawn, no search index, nothing written."""

from __future__ import annotations

import datetime as dt
import gc
import re
import sys

import pytest

from conftest import REPO, copy_repo_project, run_cli, tree_bytes

TODAY = "2026-11-23"


def all_files(root) -> dict:
    """Every file under the project, hidden folders (.cache) included."""
    return tree_bytes(root)


def test_check_finds_a_template_mistake_that_only_one_page_reaches(tmp_path):
    """A mistake in a branch that only one series takes: no template parse finds it, only
    rendering that series' page does; check reports it with the template's line, as the
    build does, and writes nothing."""
    root = copy_repo_project(tmp_path / "proj")
    slug = sorted((root / "content/series").glob("*.md"))[-1].stem
    template = root / "templates/series.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "{% block main %}" in line) + 1
    lines.insert(at, "{% if series.slug == '" + slug + "' %}{{ series.no_such_field.x }}{% endif %}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = all_files(root)

    proc = run_cli("check", "--lang", "en", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"templates/series.html:{at + 1}: template error while rendering /seri/{slug}/: "), first
    assert len([line for line in proc.stderr.splitlines() if "template error" in line]) == 1  # only that page
    assert all_files(root) == before  # nothing written, no cache, no _site
    assert not (root / "_site").exists() and not (root / ".cache").exists()

    build = run_cli("build", "--lang", "en", "--root", str(root), "--today", TODAY, "--no-search", "--no-cache")
    assert build.returncode == 1 and build.stderr.splitlines()[0] == first  # the build finds the same


def test_check_finds_a_static_file_over_a_page(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    (root / "static" / "jadwal").mkdir(parents=True)
    (root / "static" / "jadwal" / "index.html").write_text("<p>lama</p>\n", encoding="utf-8")
    before = all_files(root)
    proc = run_cli("check", "--lang", "en", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 1
    assert "static/jadwal/index.html:1: static file would overwrite the page /jadwal/" in proc.stderr
    assert all_files(root) == before


def test_check_passes_and_writes_nothing(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    before = all_files(root)
    proc = run_cli("check", "--lang", "en", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert re.match(r"check passed: \d+ pages", proc.stdout)
    assert all_files(root) == before
    assert not (root / "_site").exists() and not (root / ".cache").exists()


def test_check_draws_no_image_cleans_no_html_and_makes_no_search_index(tmp_path, monkeypatch):
    """With drawing a share image, working out a card's texts, cleaning a body's HTML,
    taking a series' outline (what digests are made of) and making the search index all
    broken, check still passes: it does none of them (none can show a problem, and what
    they make is thrown away). The same breakage fails a build, so the check would notice."""
    from sitegen import markup, model, pipeline, search, share
    from sitegen.problems import BuildFailed

    def no_drawing(ctx):
        raise AssertionError("a share image was drawn")

    def no_index(*args, **kwargs):
        raise AssertionError("the search index was made")

    def no_cleaning(html):
        raise AssertionError("a body's HTML was cleaned")

    def no_texts(config, context):
        raise AssertionError("a card's texts were worked out")

    def no_outline(fields):
        raise AssertionError("an outline was taken")

    cards = share.CARDS
    monkeypatch.setattr(share, "draw_png", no_drawing)
    monkeypatch.setattr(search, "build_parts", no_index)
    monkeypatch.setattr(markup, "sanitise", no_cleaning)
    monkeypatch.setattr(share, "CARDS", {name: no_texts for name in cards})
    outline_of = model.outline_of
    monkeypatch.setattr(model, "outline_of", no_outline)
    root = copy_repo_project(tmp_path / "proj")
    opts = dict(root=root, today=dt.date(2026, 11, 23), search=False, use_cache=False, jobs=1)
    result = pipeline.build(pipeline.Options(**opts), write=False)
    assert not result.problems.errors
    assert any(r.card for r in result.routes) and any(not r.checked for r in result.routes)
    assert result.rendered == sum(1 for r in result.routes if r.checked)  # every page, no image
    images = {r.output for r in result.routes if not r.checked}
    assert images == {r.share_image.lstrip("/") for r in result.routes if r.card}  # planned by path all the same
    # A build cleans every body, and works out every card's texts, with or without a cache.
    for extra in ({}, {"use_cache": True, "cache_dir": tmp_path / "cache"}):
        with pytest.raises(AssertionError, match="HTML was cleaned"):
            pipeline.build(pipeline.Options(**{**opts, **extra}, output=tmp_path / "cleaned"))
    monkeypatch.setattr(markup, "sanitise", lambda html: html)
    for extra in ({}, {"use_cache": True, "cache_dir": tmp_path / "cache"}):
        with pytest.raises(AssertionError, match="outline was taken"):
            pipeline.build(pipeline.Options(**{**opts, **extra}, output=tmp_path / "outlined"))
    monkeypatch.setattr(model, "outline_of", outline_of)
    with pytest.raises(AssertionError, match="texts were worked out"):
        pipeline.build(pipeline.Options(**opts, output=tmp_path / "texts"))
    monkeypatch.setattr(share, "CARDS", cards)

    with pytest.raises(BuildFailed) as failed:
        pipeline.build(pipeline.Options(**opts, output=tmp_path / "site"))
    assert "a share image was drawn" in "\n".join(p.format() for p in failed.value.problems.errors)


def test_check_fills_the_workbook_without_zipping_it(tmp_path, monkeypatch):
    """`check` writes every cell of the open-data workbook (where XlsxWriter refuses a value
    of the wrong type) but does not make its XML and zip; a build does. With closing the
    workbook broken, check passes and the build fails."""
    import xlsxwriter

    from sitegen import pipeline
    from sitegen.problems import BuildFailed

    def no_zip(self):
        raise AssertionError("the workbook was zipped")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", no_zip)
    root = copy_repo_project(tmp_path / "proj")
    opts = dict(root=root, today=dt.date(2026, 11, 23), search=False, use_cache=False, jobs=1)
    result = pipeline.build(pipeline.Options(**opts), write=False)
    assert not result.problems.errors
    assert any(r.url.endswith(".xlsx") and r.checker is not None for r in result.routes)
    with pytest.raises(BuildFailed) as failed:
        pipeline.build(pipeline.Options(**opts, output=tmp_path / "site"))
    assert "the workbook was zipped" in "\n".join(p.format() for p in failed.value.problems.errors)


@pytest.mark.parametrize("value", ["\ud800 tanpa pasangan", "bukan angka"], ids=["lone-surrogate", "text-as-number"])
def test_check_of_the_workbook_fails_where_making_it_fails(value):
    """A text that cannot be written as UTF-8 (a lone surrogate) and a text in a number
    column: making the workbook raises, and so does what check runs instead, with the
    same error; good data passes both."""
    from sitegen.opendata import Column
    from sitegen.workbook import check_workbook, workbook_bytes

    column = Column("nilai", "number" if value == "bukan angka" else "string", "Nilai.")
    good = [("lembar", (column,), ({"nilai": 3 if column.type == "number" else "teks"},))]
    bad = [("lembar", (column,), ({"nilai": value},))]
    assert workbook_bytes("Judul", "Penyusun", good)[:2] == b"PK"
    check_workbook("Judul", "Penyusun", good)
    hook = sys.unraisablehook  # the failed workbook's half-made zip complains when collected
    sys.unraisablehook = lambda unraisable: None
    try:
        with pytest.raises(Exception) as made:
            workbook_bytes("Judul", "Penyusun", bad)
        error = made.type
        del made
        gc.collect()
    finally:
        sys.unraisablehook = hook
    with pytest.raises(error):
        check_workbook("Judul", "Penyusun", bad)


def test_templates_prepared_while_the_workers_read_report_what_they_did(tmp_path, monkeypatch):
    """When worker processes read the series, the build prepares and compiles its templates
    meanwhile (pipeline.compile_templates, called while gather runs). The problems are those of a
    build in one process: a content error stops it before any template is reported, and a
    template's syntax error is reported once the content is right."""
    import importlib.util

    from sitegen import pipeline
    from sitegen.problems import BuildFailed

    spec = importlib.util.spec_from_file_location("generate_corpus", REPO / "benchmarks" / "generate_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    site, _hugo = gen.generate(tmp_path / "corpus", 300)  # enough for two workers (gather: 128 a worker)
    compiled, reading = [], []  # compile_templates' calls made while gather reads the sources
    real, read = pipeline.compile_templates, pipeline.gather.gather

    def gather_(*args):
        reading.append(True)
        try:
            return read(*args)
        finally:
            reading.clear()

    monkeypatch.setattr(pipeline.gather, "gather", gather_)
    monkeypatch.setattr(pipeline, "compile_templates", lambda *a: (reading and compiled.append(a), real(*a)))

    def problems(jobs: int) -> list:
        compiled.clear()
        opts = pipeline.Options(root=site, today=dt.date(2026, 11, 23), search=False, use_cache=False, jobs=jobs)
        try:
            pipeline.build(opts, write=False)
            found = []
        except BuildFailed as failed:
            found = [p.format() for p in failed.problems.items]
        assert len(compiled) == (jobs > 1)
        return found

    assert problems(2) == problems(1) == []
    series = sorted((site / "content" / "series").glob("*.md"))[7]
    (site / "templates" / "series.html").write_text("{% if %}\n", encoding="utf-8")
    good = series.read_text(encoding="utf-8")
    series.write_text(good.replace("\ndate: ", "\ndate: 2024-02-30\nx_date: ", 1), encoding="utf-8")
    content = problems(2)
    assert content == problems(1) and content and all(series.name in p for p in content)
    series.write_text(good, encoding="utf-8")
    template = problems(2)
    assert template == problems(1) and len(template) == 1 and "series.html:1" in template[0]
