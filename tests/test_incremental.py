"""Incremental builds: with the build cache, every change gives exactly the site a clean
build gives (byte for byte), whatever the number of worker processes, and a damaged cache
or a hand-edited output folder is repaired rather than trusted."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import contentfacts
from conftest import REPO, copy_repo_project, run_cli, tree_bytes
from sitegen import search

TODAY = "2026-11-23"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", REPO / "benchmarks" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(root: Path, out: Path, *extra: str) -> str:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-search", "--today", TODAY, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def counts(stdout: str) -> tuple[int, int]:
    m = re.search(r"\((\d+) rendered, (\d+) unchanged\)", stdout)
    assert m, stdout
    return int(m.group(1)), int(m.group(2))


def differences(a: dict, b: dict) -> list:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


def assert_same_as_clean(root: Path, out: Path, tmp_path: Path, what: str) -> None:
    clean = tmp_path / "clean"
    if clean.exists():
        shutil.rmtree(clean)
    build(root, clean, "--no-cache")
    diff = differences(tree_bytes(out), tree_bytes(clean))
    assert diff == [], f"after {what}: incremental build differs from a clean build in {diff[:10]}"


def _series(root: Path) -> list[Path]:
    return sorted((root / "content" / "series").glob("*.md"))


def _past_series(root: Path) -> Path:
    """A past series with a neighbour in its program, read from the content itself."""
    facts = contentfacts.read(root, dt.date.fromisoformat(TODAY))
    for s in sorted(facts.past, key=lambda s: (s.date, s.slug)):
        if sum(o.program == s.program for o in facts.series) > 1:
            return next(p for p in _series(root) if (contentfacts.front_matter(p)[0].get("slug") or p.stem) == s.slug)
    raise AssertionError("the content has no past series with a neighbour in its program")


NEW_SERIES = """\
---
title: Seri Baru Hasil Uji
program: asn-belajar
date: "2024-01-18"
tags:
  - literasi-data
  - topik-baru
summary: Seri yang ditambahkan saat uji build bertahap.
sample: true
---
Isi seri baru dengan **tebal** dan daftar:

- satu
- dua
"""


def _edit_body(root):
    p = _past_series(root)
    p.write_text(p.read_text(encoding="utf-8") + "\nParagraf tambahan dari uji build bertahap.\n", encoding="utf-8")


def _edit_title(root):
    # The neighbours' prev/next links carry the title.
    p = _past_series(root)
    text = p.read_text(encoding="utf-8")
    p.write_text(re.sub(r'^title: .*$', 'title: "Contoh: Judul yang Diganti"', text, count=1, flags=re.M), encoding="utf-8")


def _add(root):
    (root / "content/series/seri-baru-hasil-uji.md").write_text(NEW_SERIES, encoding="utf-8")


def _rename(root):
    p = root / "content/series/seri-baru-hasil-uji.md"
    p.rename(p.with_name("seri-baru-berganti-nama.md"))


def _delete(root):
    (root / "content/series/seri-baru-berganti-nama.md").unlink()


def _edit_template(root):
    p = root / "templates/series.html"
    text = p.read_text(encoding="utf-8")
    assert "</article>" in text
    p.write_text(text.replace("</article>", "<p>Templat diubah.</p>\n</article>", 1), encoding="utf-8")


def _edit_partial(root):
    p = root / "templates/partials/series_list.html"
    p.write_text(p.read_text(encoding="utf-8") + "\n{# diubah #}<!-- daftar -->\n", encoding="utf-8")


def _edit_site_yaml(root):
    p = root / "site.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(re.sub(r"^title: .*$", "title: Judul Situs Diubah", text, count=1, flags=re.M), encoding="utf-8")


def _edit_figures(root):
    p = root / "content/figures.yaml"
    text = p.read_text(encoding="utf-8")
    edited, n = re.subn(r"^(\s*reach: *)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), text, count=1, flags=re.M)
    assert n == 1, "figures.yaml declares no reach"
    p.write_text(edited, encoding="utf-8")


def _edit_static(root):
    (root / "static/catatan.txt").write_text("berkas statis baru\n", encoding="utf-8")


def _touch_only(root):
    # Same bytes, new modification time: nothing may change.
    p = _series(root)[0]
    p.write_bytes(p.read_bytes())


CHANGES = [
    ("adding a series", _add, True),
    ("editing a series body", _edit_body, True),
    ("editing a series title", _edit_title, True),
    ("renaming a series file", _rename, True),
    ("deleting a series", _delete, True),
    ("editing a page template", _edit_template, True),
    ("editing a partial template", _edit_partial, True),
    ("editing site.yaml", _edit_site_yaml, False),
    ("editing figures.yaml", _edit_figures, True),
    ("adding a static file", _edit_static, True),
    ("touching a file without changing it", _touch_only, True),
]


def test_every_kind_of_change_gives_the_clean_build(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    rendered, unchanged = counts(build(root, out))
    assert rendered == 0 and unchanged > 0, "a second build with nothing changed rendered pages again"
    for what, change, partial in CHANGES:
        change(root)
        rendered, unchanged = counts(build(root, out))
        if partial:
            assert unchanged > 0, f"after {what}: every page was rendered again"
        assert_same_as_clean(root, out, tmp_path, what)
    rendered, unchanged = counts(build(root, out))
    assert rendered == 0


def test_the_edited_series_and_its_neighbours_change(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    before = tree_bytes(out)
    slug = _past_series(root).stem
    own = f"seri/{slug}/index.html"
    # Its neighbours: the series pages whose previous/next link leads to it.
    neighbours = {k for k, v in before.items() if k.startswith("seri/") and k.endswith(".html") and k != own and f'href="/seri/{slug}/"' in v.decode()}
    assert neighbours, "the edited series has no neighbour to check"
    _edit_title(root)
    rendered, _ = counts(build(root, out))
    after = tree_bytes(out)
    changed = {k for k in before if before[k] != after.get(k)}
    assert all("Judul yang Diganti" in after[k].decode() for k in neighbours | {own})
    # Among series pages exactly these changed; the rest were not rendered again.
    assert {k for k in changed if k.startswith("seri/") and k.endswith(".html")} == neighbours | {own}
    assert rendered < len(before) // 2


def test_a_body_edit_renders_only_the_pages_that_read_a_body(tmp_path, monkeypatch):
    """Editing a series' body renders its own page and its neighbours' (each series page
    reads its own body and links to its neighbours), not the archive, program, report and
    home pages that list it: they read no body and are digested by each series' outline.
    The result is the clean build's."""
    from sitegen import pipeline

    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    slug = _past_series(root).stem
    before = tree_bytes(out)
    listing = {k for k, v in before.items() if k.endswith(".html") and not k.startswith("seri/") and f'href="/seri/{slug}/"' in v.decode()}
    assert len(listing) >= 3, "the edited series is listed on too few pages to check"
    _edit_body(root)
    pages: list = []
    render = pipeline._render

    def spy(renderer, planned, todo, *args):
        pages.extend(planned[i].output for i in todo if planned[i].template is not None)
        return render(renderer, planned, todo, *args)

    monkeypatch.setattr(pipeline, "_render", spy)
    pipeline.build(pipeline.Options(root=root, output=out, today=dt.date.fromisoformat(TODAY), search=False, jobs=1))
    assert f"seri/{slug}/index.html" in pages
    assert all(p.startswith("seri/") for p in pages) and len(pages) <= 3, pages  # itself and its neighbours
    assert not listing & set(pages)
    assert_same_as_clean(root, out, tmp_path, "editing a series body")


def test_after_a_body_edit_no_output_is_digested_again(tmp_path, monkeypatch):
    """When only series' bodies changed (the outline key is the last build's), each
    output's outline digest is the one recorded: no route context is walked, only the
    bodies each output read are looked at. Any other change (here a title) digests every
    output again. Both give the clean build."""
    from sitegen import pipeline
    from sitegen.render import Renderer

    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    walked: list = []
    outline_digest = Renderer.route_outline_digest

    def spy(self, route):
        walked.append(route.output)
        return outline_digest(self, route)

    monkeypatch.setattr(Renderer, "route_outline_digest", spy)
    options = pipeline.Options(root=root, output=out, today=dt.date.fromisoformat(TODAY), search=False, jobs=1)
    _edit_body(root)
    result = pipeline.build(options)
    assert walked == [] and 0 < result.rendered <= 4, (walked[:5], result.rendered)
    assert_same_as_clean(root, out, tmp_path, "editing a series body")
    _edit_title(root)
    result = pipeline.build(options)
    assert len(walked) == len(result.routes) and result.reused > 0
    assert_same_as_clean(root, out, tmp_path, "editing a series title")


@pytest.mark.parametrize("where", ["card", "page"])
def test_a_list_that_shows_a_body_is_rendered_again_when_it_changes(tmp_path, where):
    """A template that shows part of a series' body on the lists (in the card, whose output
    is remembered and reused across pages, or straight in the archive page) makes those
    pages depend on the body: editing the body renders them again, as the clean build."""
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    if where == "card":
        p = root / "templates/partials/card.html"
        text = p.read_text(encoding="utf-8")
        at = text.index("{% macro card(")
        at = text.index("%}", at) + 2
        p.write_text(text[:at] + "<!-- isi {{ s.body_html | length }} -->" + text[at:], encoding="utf-8")
    else:
        p = root / "templates/archive.html"
        text = p.read_text(encoding="utf-8")
        at = text.index("{% block main %}") + len("{% block main %}")
        p.write_text(text[:at] + "{% for s in series %}<!-- isi {{ s['body' ~ '_html'] | length }} -->{% endfor %}" + text[at:], encoding="utf-8")
    build(root, out)
    _edit_body(root)
    rendered, _ = counts(build(root, out))
    assert rendered > 3
    assert_same_as_clean(root, out, tmp_path, f"editing a series body shown by the {where}")


def _git(root: Path, *args: str, when: str = "2026-01-01T10:00:00+07:00") -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="Uji", GIT_AUTHOR_EMAIL="uji@example.org",
               GIT_COMMITTER_NAME="Uji", GIT_COMMITTER_EMAIL="uji@example.org")
    subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)


def test_a_build_with_nothing_changed_plans_nothing_and_any_input_change_plans_again(tmp_path, monkeypatch):
    """When nothing the outputs are planned from changed, a build keeps the previous
    build's outputs without planning them; a new day, another commit time of a source
    (no file touched), the messages' language or an output edited by hand each make it
    plan again, and the result is the clean build's."""
    from sitegen import messages, pipeline, planners

    root = copy_repo_project(tmp_path / "proj")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "satu")
    out = tmp_path / "site"
    plans = []
    plan = planners.plan
    monkeypatch.setattr(planners, "plan", lambda *args, **kwargs: plans.append(1) or plan(*args, **kwargs))

    def again(today: str = TODAY, lang: str | None = None) -> int:
        plans.clear()
        messages.set_language(lang)
        try:
            pipeline.build(pipeline.Options(root=root, output=out, today=dt.date.fromisoformat(today), search=False, jobs=1))
        finally:
            messages.set_language(None)
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        pipeline.build(pipeline.Options(root=root, output=clean, today=dt.date.fromisoformat(today), search=False, use_cache=False, jobs=1))
        assert differences(tree_bytes(out), tree_bytes(clean)) == []
        return len(plans) - 1  # the clean build plans once

    assert again() == 1  # the first build
    assert again() == 0  # nothing changed
    assert again("2026-11-24") == 1
    assert again("2026-11-24") == 0
    _git(root, "commit", "-q", "--amend", "-m", "satu", when="2026-06-01T10:00:00+07:00")  # another time, same files
    assert again("2026-11-24") == 1
    assert again("2026-11-24", lang="id") == 1  # the tests run in English
    (out / "index.html").write_text("diubah tangan", encoding="utf-8")
    assert again("2026-11-24") == 1
    assert again("2026-11-24") == 0


def test_touching_a_file_renders_nothing(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    for path in [*_series(root)[:3], root / "site.yaml", root / "content/figures.yaml", root / "templates/base.html"]:
        path.write_bytes(path.read_bytes())
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    rendered, unchanged = counts(build(root, out))
    assert rendered == 0 and unchanged > 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_damaged_cache_gives_a_correct_build(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    cache = root / ".cache" / "sitegen"
    (cache / "state.json").write_bytes(b"garbage, not a cache file" * 10)
    for shard in list((cache / "objects").glob("*.json"))[:5]:
        shard.write_bytes(b"\x00\x01\x02")
    _edit_body(root)
    build(root, out)
    assert_same_as_clean(root, out, tmp_path, "damaging the cache")
    # A damaged object shard alone (the state file intact) is also repaired.
    build(root, out)
    for shard in (cache / "objects").glob("*.json"):
        shard.write_bytes(b"garbage")
    _edit_title(root)
    build(root, out)
    assert_same_as_clean(root, out, tmp_path, "damaging every object shard")


def test_hand_edited_output_is_repaired(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    page = next(out.glob("seri/*/index.html"))
    page.write_text("diubah tangan", encoding="utf-8")
    (out / "index.html").unlink()
    build(root, out)
    assert_same_as_clean(root, out, tmp_path, "editing the output folder by hand")


def test_builds_without_the_cache_in_between(tmp_path):
    # The cache describes the folder of its own last build only: a --no-cache build into
    # the same folder (with a series that is later deleted) must not leave pages behind.
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    _add(root)
    build(root, out, "--no-cache")
    (root / "content/series/seri-baru-hasil-uji.md").unlink()
    build(root, out)
    assert_same_as_clean(root, out, tmp_path, "a build without the cache in between")


def test_option_changes_give_the_clean_build(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    for extra in (("--base-url", "https://contoh.example/situs/"), ("--drafts",), ()):
        build(root, out, *extra)
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(root, clean, "--no-cache", *extra)
        assert differences(tree_bytes(out), tree_bytes(clean)) == [], f"after switching to {extra or 'the defaults'}"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-search", "--today", "2024-01-20")
    assert proc.returncode == 0, proc.stderr
    clean = tmp_path / "clean"
    shutil.rmtree(clean)
    proc = run_cli("build", "--root", str(root), "--output", str(clean), "--no-search", "--no-cache", "--today", "2024-01-20")
    assert differences(tree_bytes(out), tree_bytes(clean)) == [], "after changing --today"


def test_output_does_not_depend_on_the_number_of_jobs(tmp_path):
    # Enough series that the sources and the pages are spread over worker processes.
    gen = _generator()
    site, _ = gen.generate(tmp_path / "corpus", 300)
    one, two = tmp_path / "one", tmp_path / "two"
    build(site, one, "--no-cache", "--jobs", "1")
    build(site, two, "--jobs", "2")  # no cache yet: a clean build, which writes one
    assert differences(tree_bytes(one), tree_bytes(two)) == []
    # Incremental builds with workers: edit a tenth of the series, then compare.
    for path in sorted((site / "content" / "series").glob("*.md"))[::10]:
        path.write_text(path.read_text(encoding="utf-8") + "\nTambahan.\n", encoding="utf-8")
    build(site, two, "--jobs", "2")
    build(site, one, "--no-cache", "--jobs", "1")
    assert differences(tree_bytes(one), tree_bytes(two)) == []


def test_benchmark_corpus_builds(tmp_path):
    """The benchmark's corpus generator and templates keep working (benchmarks/bench.py)."""
    gen = _generator()
    site, hsite = gen.generate(tmp_path / "corpus", 50)
    again, _ = gen.generate(tmp_path / "again", 50)
    assert tree_bytes(site / "content") == tree_bytes(again / "content"), "the corpus is not deterministic"
    sizes = [p.stat().st_size for p in (site / "content" / "series").glob("*.md")]
    assert len(sizes) == 50 and min(sizes) > 6000
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(site), "--output", str(out), "--no-cache", "--no-search", "--today", TODAY, "--strict")
    assert proc.returncode == 0, proc.stderr
    pages = list(out.glob("seri/*/index.html"))
    assert len(pages) == 50
    html = pages[0].read_text(encoding="utf-8")
    assert "<table>" in html and "<h2>" in html and "<li>" in html
    assert (hsite / "hugo.toml").is_file() and len(list((hsite / "content" / "seri").glob("*.md"))) == 50
    # The default build indexes the 50 series pages for search, with their three filters.
    proc = run_cli("build", "--root", str(site), "--output", str(out), "--no-cache", "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["id"]["page_count"] == 50


def test_benchmark_corpus_builds_with_hugo(tmp_path):
    """Hugo builds the benchmark's corpus (benchmarks/hugo/): only where hugo is installed."""
    gen = _generator()
    _, hsite = gen.generate(tmp_path / "corpus", 50)
    # Hugo builds the same corpus with the benchmark's layouts: series pages, paginated
    # term pages for tags, programs, competencies and years; Pagefind then indexes the
    # same 50 series pages of Hugo's output (the "Hugo + Pagefind" rows).
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    try:
        hugo = bench.hugo_binary()
    except SystemExit as missing:
        pytest.skip(str(missing))
    hout = tmp_path / "hugo-out"
    proc = subprocess.run([hugo, "--source", str(hsite), "--destination", str(hout), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(list(hout.glob("seri/*/index.html"))) == 50
    assert list(hout.glob("tags/*/index.html")) and list(hout.glob("programs/*/index.html"))
    assert "<table>" in next(hout.glob("seri/*/index.html")).read_text(encoding="utf-8")
    assert bench.pagefind_on(hout).rc == 0
    entry = json.loads((hout / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["id"]["page_count"] == 50
    filters = {name for name, _ in search._unpack(next((hout / "pagefind").glob("*.pf_meta")).read_bytes())[3]}
    assert filters == {"program", "tahun", "kompetensi"}
