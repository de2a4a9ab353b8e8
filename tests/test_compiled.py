"""Templates compiled once per process (render._COMPILED): the code kept for a template is
the code compiling it again would give, whatever the settings of the build that uses it,
and a build that reuses it gives what a new process gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import jinja2
import pytest
from jinja2.utils import _PassArg

from conftest import REPO, copy_repo_project, run_cli, tree_bytes
from sitegen import config as settings_file
from sitegen import pipeline, render
from sitegen.problems import BuildFailed, Problems

TODAY = "2026-11-23"
OTHER_BASE = "https://contoh.github.io/situs-lain/"


def _settings():
    """The shipped settings, and settings that differ from them wherever a filter reads one."""
    shipped = settings_file.load_config(REPO, Problems())
    assert shipped is not None
    other = dataclasses.replace(shipped, base_url=OTHER_BASE, language="en", title="Situs Lain",
                                channels=(("zoom", "Rapat Zoom Lain"), ("youtube", "Kanal Lain")))
    return shipped, other


# One use of each filter the site adds to Jinja's, on constants only, so that Jinja works
# out whatever it can while compiling. A filter without a sample here fails the test below:
# a new filter must be added, and so decide whether it reads the settings.
SAMPLES = {
    "url": "{{ '/seri/contoh/' | url }}",
    "abs_url": "{{ '/seri/contoh/' | abs_url }}",
    "number": "{{ 1529584 | number }}",
    "decimal": "{{ 12.5 | decimal }}",
    "percent": "{{ 0.25 | percent }}",
    "long_date": "",  # no constant is a date: Jinja can never run it while compiling
    "date_id": "",
    "month_year": "",
    "wib": "",  # a time, likewise
    "channel": "{{ 'zoom' | channel }}",
    "weekday_name": "{{ 3 | weekday_name }}",
    "competency": "{{ 'manajerial' | competency }}",
    "json_data": "{{ {'a': 1} | json_data }}",
    "with_slug": "{{ ([{'slug': 'a', 'title': 'A'}] | with_slug('a')).title }}",
}


def test_every_filter_of_the_site_reads_no_setting_or_runs_only_when_rendering():
    shipped, _other = _settings()
    env = render.make_environment(render.TemplateSet(REPO), shipped)
    ours = set(env.filters) - set(jinja2.filters.FILTERS)
    assert ours == set(SAMPLES), f"filters without a sample in this test: {sorted(ours - set(SAMPLES))}"
    for name in ours:
        takes_context = _PassArg.from_obj(env.filters[name]) is _PassArg.context
        assert takes_context != (name in render.SETTINGS_FREE_FILTERS or name == "with_slug"), name


def test_the_code_of_a_template_does_not_depend_on_the_settings():
    """Every shipped template, and one use of every filter on constants, compiled under two
    very different settings: the same code (so one compiled template serves any build),
    while the pages rendered from it differ as their settings do."""
    shipped, other = _settings()
    templates = render.TemplateSet(REPO)
    first = render.make_environment(templates, shipped)
    second = render.make_environment(templates, other, serve_script="/livereload.js")
    assert first.compile_key == second.compile_key
    for name in templates.files:
        source, filename = templates.text(name), str(templates.files[name])
        assert first.compile(source, name, filename) == second.compile(source, name, filename), name
    sample = "\n".join(s for s in SAMPLES.values() if s)
    assert first.compile(sample, "sample.html", "sample.html") == second.compile(sample, "sample.html", "sample.html")
    one, two = (env.from_string(sample).render().splitlines() for env in (first, second))
    assert one[0] == "/seri/contoh/" and two[0] == "/situs-lain/seri/contoh/"
    assert one[1] == shipped.base_url + "seri/contoh/" and two[1] == OTHER_BASE + "seri/contoh/"
    assert one[2] == "1.529.584" and two[2] == "1,529,584"
    assert one[5] != two[5] and two[5] == "Rapat Zoom Lain"
    assert one[6] != two[6]  # the day's name, in each language


def _build(root, out, base_url=None):
    return pipeline.build(pipeline.Options(root=root, output=out, base_url=base_url, today=dt.date.fromisoformat(TODAY),
                                           search=False, use_cache=False, jobs=1))


def test_a_build_that_reuses_compiled_templates_gives_what_a_new_process_gives(tmp_path, monkeypatch):
    """Two builds in one process with other base addresses: the second compiles nothing (it
    takes the first's code) and writes what a build in a new interpreter writes. The first
    version of this memo kept code by its source alone, and links lost their base path."""
    root = copy_repo_project(tmp_path / "proj")
    _build(root, tmp_path / "first")
    compiled = []
    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a[1]) or compile_(self, *a, **k))
    _build(root, tmp_path / "second", OTHER_BASE)
    assert compiled == []
    proc = run_cli("build", "--root", str(root), "--output", str(tmp_path / "fresh"), "--base-url", OTHER_BASE,
                   "--today", TODAY, "--no-search", "--no-cache", fresh=True)
    assert proc.returncode == 0, proc.stderr
    second, fresh = tree_bytes(tmp_path / "second"), tree_bytes(tmp_path / "fresh")
    assert second == fresh
    assert b'href="/situs-lain/assets/site.css"' in second["index.html"]


def test_a_template_error_is_found_at_its_line_in_the_project_that_has_it(tmp_path):
    """The same broken template in two projects: the second build takes the code compiled
    for the first, and still reports the line in its own template (tracebacks name a
    compiled template's file, which is put back for each build)."""
    problems = []
    for name in ("a", "b"):
        root = copy_repo_project(tmp_path / name)
        template = root / "templates/series.html"
        lines = template.read_text(encoding="utf-8").splitlines()
        at = next(i for i, line in enumerate(lines) if "{% block main %}" in line) + 1
        lines.insert(at, "{{ series.no_such_field.x }}")
        template.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(BuildFailed) as failed:
            _build(root, tmp_path / f"out-{name}")
        problems.append({(p.path, p.line) for p in failed.value.problems.errors})
        shutil.rmtree(root)
    assert problems[0] == problems[1] == {("templates/series.html", at + 1)}
