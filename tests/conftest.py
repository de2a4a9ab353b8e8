"""Shared test helpers.

make_project(tmp_path, files) writes a small project (site.yaml, programs, figures) and
any extra files over it; run_cli(...) runs build.py in a subprocess as a user would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The engine speaks Bahasa Indonesia unless told otherwise. The message tests of every stage
# pin the English text, so the suite runs in English; tests/test_messages.py pins both
# languages and the Indonesian default.
os.environ.setdefault("SITEGEN_LANG", "en")

# ---- in CI, a skip is a failure --------------------------------------------------------------
# A browser, validator or Lighthouse test that skips because its tool is missing would
# otherwise pass silently. With CI set (GitHub Actions and .ci/run set CI=true), every skip
# fails, except the tests listed here, by file and test name, each with the reason it may skip.
CI_MAY_SKIP = {
    "test_incremental.py::test_benchmark_corpus_builds_with_hugo":
        "compares with Hugo, a benchmark tool only: skipped when no hugo binary is installed",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _may_skip(path, name: str) -> bool:
    return f"{Path(str(path)).name}::{name}" in CI_MAY_SKIP


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and not hasattr(report, "wasxfail") and not _may_skip(item.path, item.originalname):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure (CI_MAY_SKIP in tests/conftest.py): {_skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci():
        report.outcome = "failed"
        report.longrepr = f"a whole file was skipped in CI, which counts as a failure: {_skip_reason(report)}"

# ---- three kinds of test, and which may run side by side ------------------------------------
# unit: one stage or function, on values or a tiny project, no site built end to end;
# site: builds a site (in-process or with build.py) and reads what it wrote;
# system: a real outside client or process: a browser, the Nu checker, Lighthouse, Pagefind,
#   actionlint, pytest itself, the preview server, builds killed, damaged or run under limits,
#   random sites by the hundred (hypothesis), the shell scripts.
# `bash scripts/test.sh --fast` runs unit and site tests (-m "not system"); CI runs all three.
# A file's tests take its kind from this table; a test marked with a kind of its own keeps it.
TEST_KINDS = {
    "unit": ("test_annotations.py", "test_digests.py", "test_reach_import.py", "test_docs.py", "test_errors.py", "test_messages.py",
             "test_numbers.py", "test_scaffold.py", "test_schema_agrees.py", "test_stages.py", "test_structure.py",
             "test_yaml_plain.py"),
    "site": ("test_admin.py", "test_content_edits.py", "test_engine.py", "test_golden.py", "test_incremental.py",
             "test_join.py", "test_outputs.py", "test_reach_site.py", "test_share.py", "test_site_pages.py",
             "test_check.py", "test_clients.py", "test_lastmod.py", "test_structured.py", "test_memo.py", "test_compiled.py"),
    "system": ("test_bench.py", "test_browser.py", "test_reach_browser.py", "test_reliability.py", "test_cache.py", "test_kills.py", "test_sessions.py", "test_page_tools.py", "test_ci_skips.py", "test_hostile.py", "test_hostile_repo.py",
               "test_lighthouse.py", "test_property.py", "test_scripts.py", "test_search.py", "test_serve.py",
               "test_validity.py", "test_watcher.py", "test_workflows.py"),
}
KIND_OF_FILE = {name: kind for kind, names in TEST_KINDS.items() for name in names}
KIND_DOCS = {
    "unit": "one stage or function, no site built end to end",
    "site": "builds a site and reads what it wrote",
    "system": "a browser, an outside tool or process, the preview server, killed builds (left out by --fast)",
}
# Under pytest-xdist (`-n 2 --dist loadgroup`, as scripts/test.sh runs the suite) tests are
# spread over workers one by one, except those of a group, which share a worker. A file is
# grouped when its tests share a module fixture that is costly to make twice (a browser, a
# built site) or a port found free and then bound.
XDIST_GROUPS = {
    "test_admin.py": "admin", "test_browser.py": "browser", "test_content_edits.py": "content-edits",
    "test_hostile.py": "hostile", "test_join.py": "join", "test_lighthouse.py": "lighthouse",
    "test_outputs.py": "outputs", "test_property.py": "property", "test_search.py": "search",
    "test_serve.py": "preview", "test_watcher.py": "preview", "test_share.py": "share",
    "test_site_pages.py": "site-pages", "test_docs.py": "docs", "test_sessions.py": "sessions",
    "test_clients.py": "clients", "test_structured.py": "structured", "test_reach_browser.py": "reach-browser",
    "test_reliability.py": "reliability", "test_page_tools.py": "page-tools",
}


# A test that measures the machine (Lighthouse's performance score, how soon a stopped build
# or preview ends) is marked `solo`: scripts/test.sh runs these first, one at a time, with
# nothing else of the suite beside them, then every other test on every core. A solo test is
# a system test, so --fast (one phase) leaves it out.
SOLO_DOC = "measures the machine (a score, a stop time): runs alone, before the others (scripts/test.sh)"


def pytest_configure(config):
    for kind, doc in KIND_DOCS.items():
        config.addinivalue_line("markers", f"{kind}: {doc}")
    config.addinivalue_line("markers", f"solo: {SOLO_DOC}")
    # pytest-xdist registers its own mark only when it is loaded (not under -p no:xdist).
    config.addinivalue_line("markers", "xdist_group(name): tests kept on one xdist worker")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        name = Path(str(item.path)).name
        if not any(item.get_closest_marker(kind) for kind in TEST_KINDS):
            item.add_marker(getattr(pytest.mark, KIND_OF_FILE.get(name, "system")))
        if name in XDIST_GROUPS and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(XDIST_GROUPS[name]))
        if item.get_closest_marker("solo") and not item.get_closest_marker("system"):
            raise pytest.UsageError(f"{item.nodeid}: a solo test must be a system test (--fast runs no solo test)")
    # The tests that run hypothesis (each runs its body many times: seconds, not
    # milliseconds) first, so that the workers do not end with one of them left on one
    # worker while the other has finished; the rest keep their order.
    items.sort(key=lambda item: not getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


SITE_YAML = """\
title: Situs Uji
organisation: BPSDM Uji
base_url: https://example.org/
language: id
timezone: Asia/Jakarta
channels:
  zoom: Zoom Meeting
  youtube: YouTube
schedule_since: 2023-09-14
search: false
"""

PROGRAM = """\
---
title: {title}
weekday: {weekday}
summary: Ringkasan {title}.
channels: [zoom, youtube]
---
Deskripsi {title}.
"""

FIGURES = """\
sources:
  - id: sumber
    title: Sumber uji
    date: 2024-02-22
figures:
  - program: asn-belajar
    year: 2022
    series: 49
    reach: 401482
    source: sumber
  - program: asn-belajar
    year: 2023
    series: 44
    reach: 949080
    source: sumber
"""

SERIES = """\
---
title: {title}
program: {program}
date: "{date}"
---
Isi seri.
"""


def base_files() -> dict:
    return {
        "site.yaml": SITE_YAML,
        "content/programs/asn-belajar.md": PROGRAM.format(title="ASN Belajar", weekday="kamis"),
        "content/programs/asn-mengaji.md": PROGRAM.format(title="ASN Mengaji", weekday="rabu"),
        "content/figures.yaml": FIGURES,
        "content/series/satu.md": SERIES.format(title="Seri Satu", program="asn-belajar", date="2023-03-02"),
    }


def make_project(tmp_path: Path, files: dict | None = None, base: bool = True) -> Path:
    """A project in tmp_path/proj; `files` maps relative paths to text (dedented), bytes,
    or None (delete the base file)."""
    root = tmp_path / "proj"
    root.mkdir(parents=True, exist_ok=True)
    merged = dict(base_files()) if base else {}
    merged.update(files or {})
    for rel, content in merged.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 120,
            fresh: bool = False) -> subprocess.CompletedProcess:
    """Run build.py as a user would, in a process of its own; returns the completed process
    (text output). The process is forked from a helper that imported the engine once and
    has run nothing (tests/cli_zygote.py), rather than started afresh: a new interpreter
    importing the engine costs about 0.4 s, hundreds of times a run. A new interpreter is
    started (`fresh`, or with settings that Python reads when it starts: PYTHON*, LANG,
    LC_*), and wherever the helper cannot run."""
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    command = [sys.executable, str(REPO / "build.py"), *args]
    if not fresh and not any(_STARTUP_SETTINGS.match(k) for k in env or ()):
        from cli_zygote import Zygote

        zygote = Zygote.shared(os.environ)
        if zygote is not None:
            return zygote.run(command, cwd or REPO, full_env, timeout)
    return subprocess.run(command, cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=timeout)


_STARTUP_SETTINGS = re.compile(r"PYTHON|LANG$|LC_")


def tree_bytes(folder: Path) -> dict:
    """rel path -> bytes of every file below folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- the content, as shipped and as an editor may change it -----------------------------------
# Tests that look at the content run on two projects: the shipped one, and a copy an editor
# has changed in the ways editors do (edited_copy). Their expectations come from
# tests/contentfacts.py, which reads the content itself; none may be a literal of today's
# shipped content, so no editor's change can make them fail.
CONTENT_TODAY = dt.date(2026, 11, 23)
CONTENT_BASE = "https://example.github.io/asn-belajar/"
EDITED_PAST_TITLE = "Seri Tambahan Editor yang Sudah Lewat"
EDITED_NEXT_TITLE = "Seri Tambahan Editor yang Akan Datang"
WEEKDAY_INDEX = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4}


def edited_copy(dest: Path, today: dt.date = CONTENT_TODAY) -> Path:
    """A copy of the project after an editor's ordinary changes: two series added with
    `build.py new` (one past, one upcoming relative to `today`, each on its program's
    weekday), a sample series deleted, a program's description and a declared figure edited."""
    root = copy_repo_project(dest)
    programs = sorted(p.stem for p in (root / "content/programs").glob("*.md"))
    weekday = {}
    for slug in programs:
        found = re.search(r"^weekday: *(\w+)", (root / f"content/programs/{slug}.md").read_text(encoding="utf-8"), re.M)
        weekday[slug] = WEEKDAY_INDEX[found.group(1)]
    past_program, next_program = programs[0], programs[-1]
    past = today - dt.timedelta(days=(today.weekday() - weekday[past_program] - 1) % 7 + 1)
    upcoming = today + dt.timedelta(days=(weekday[next_program] - today.weekday() - 1) % 7 + 1)
    for title, program, day in ((EDITED_PAST_TITLE, past_program, past), (EDITED_NEXT_TITLE, next_program, upcoming)):
        before = set((root / "content/series").glob("*.md"))
        proc = run_cli("new", title, "--program", program, "--date", day.isoformat(), "--root", str(root))
        assert proc.returncode == 0, proc.stderr
        (made,) = set((root / "content/series").glob("*.md")) - before
        # The editor writes the series' own description in place of the scaffold's placeholder.
        head, sep, _placeholder = made.read_text(encoding="utf-8").partition("\n---\n")
        assert sep, f"{made.name}: no end of front matter"
        made.write_text(head + sep + f"\nUraian seri {title} yang ditulis editor.\n", encoding="utf-8")
    samples = sorted(p for p in (root / "content/series").glob("*.md")
                     if re.search(r"^sample: *true", p.read_text(encoding="utf-8"), re.M))
    assert samples, "no sample series to delete"
    samples[0].unlink()
    program = root / "content/programs" / f"{programs[0]}.md"
    program.write_text(program.read_text(encoding="utf-8").rstrip("\n")
                       + "\n\nParagraf tambahan dari editor: uraian program yang diperbarui.\n", encoding="utf-8")
    figures = root / "content/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    text = re.sub(r"^(\s*reach: *)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 12345), text, count=1, flags=re.M)
    text = re.sub(r"^(\s*series: *)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 3), text, count=1, flags=re.M)
    figures.write_text(text, encoding="utf-8")
    return root


@dataclass
class ContentProject:
    name: str          # "shipped" or "edited"
    root: Path
    today: dt.date
    base_url: str

    @property
    def facts(self):
        import contentfacts

        return contentfacts.read(self.root, self.today)


@pytest.fixture(scope="session", params=["shipped", "edited"])
def content(request, tmp_path_factory) -> ContentProject:
    """The shipped project, then an editor's edited copy of it: every test that uses this
    (or content_site) runs on both."""
    if request.param == "shipped":
        root = REPO
    else:
        root = edited_copy(tmp_path_factory.mktemp("edited") / "proj")
    return ContentProject(request.param, root, CONTENT_TODAY, CONTENT_BASE)


@pytest.fixture(scope="session")
def content_site(content, tmp_path_factory) -> Path:
    """The content project's site, built once (no search index) under a /<repo>/ base URL."""
    out = tmp_path_factory.mktemp(f"site-{content.name}") / "_site"
    proc = run_cli("build", "--root", str(content.root), "--output", str(out), "--no-cache", "--no-search",
                   "--today", content.today.isoformat(), "--base-url", content.base_url)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def project(tmp_path):
    return lambda files=None, base=True: make_project(tmp_path, files, base)


def keep_built(work: Path) -> tuple[Path, Path]:
    """A project just built (its site and its cache), set aside: (where tests work on it,
    the kept copy). `fresh_copy` puts a copy back at the same path with every file's time
    kept, so the cache describes it as it described the build (an incremental build stays
    incremental) and no test pays for the first build again."""
    kept = work.parent / (work.name + "-simpan")
    work.rename(kept)
    return work, kept


def fresh_copy(built: tuple[Path, Path]) -> Path:
    work, kept = built
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(kept, work, symlinks=True)  # copy2: the times the cache recorded stay
    return work


def copy_repo_project(dest: Path, source: Path = REPO) -> Path:
    """A copy of a project (content, templates, static, site.yaml): the shipped one unless
    `source` names another."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates", "static"):
        if (source / name).exists():
            shutil.copytree(source / name, dest / name)
    shutil.copy(source / "site.yaml", dest / "site.yaml")
    return dest


# ---- pages in Chromium ------------------------------------------------------------------------
# Every browser test opens pages through these: Debian's Chromium (never a browser Playwright
# downloads) launched with the same flags, a skip that names what to install (a failure in
# CI, above), and each page in a fresh context with its viewport, colour scheme and, where
# the page decides by the date, a fixed clock.
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NO_CHROMIUM = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason=NO_CHROMIUM)


@contextlib.contextmanager
def chromium():
    """Headless Chromium under Playwright, closed at the end (skips without it)."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(NO_CHROMIUM)
    # Imported here: Playwright is for the browser tests, and every other test process
    # would load it for nothing.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a test file."""
    with chromium() as launched:
        yield launched


class Tab:
    """A page in a fresh browser context that records what went wrong (script errors,
    console errors, responses of 400 or more) and every URL it requested. `clock` (an ISO
    time with its offset, or a datetime) fixes the page's date and time; `base` is what
    go(path) opens a path under."""

    def __init__(self, browser, width: int = 360, height: int = 800, scheme: str = "light",
                 clock=None, base: str = "", **context_options):
        self.context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme, **context_options)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list = []
        self.requests: list = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))
        if clock is not None:
            self.page.clock.set_fixed_time(dt.datetime.fromisoformat(clock) if isinstance(clock, str) else clock)

    def open(self, url: str):
        """The page at url, once the network is quiet."""
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def go(self, path: str):
        return self.open(self.base + path.lstrip("/") if self.base.endswith("/") else self.base + path)

    def fetched(self, fragment: str) -> bool:
        return any(fragment in url for url in self.requests)

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser):
    """tab(url=None, **Tab options): a page (opened at url when given), closed after the test."""
    opened = []

    def make(url: str | None = None, **options) -> Tab:
        page = Tab(browser, **options)
        opened.append(page)
        if url:
            page.open(url)
        return page

    yield make
    for page in opened:
        page.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]


def axe_violations(page) -> list:
    """axe-core's violations on the page (WCAG 2.1 AA and best practice): (rule, impact,
    the first three elements). The axe-core that scripts/test.sh installs (AXE_CORE_JS),
    else the one the Python package ships."""
    from axe_playwright_python.sync_playwright import Axe  # with Playwright, for the browser tests only

    script = os.environ.get("AXE_CORE_JS")
    axe = Axe(Path(script).read_text(encoding="utf-8")) if script and Path(script).is_file() else Axe()
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def serve_folder(folder: Path, handler=QuietHandler):
    """The folder served by http.server on a free port of 127.0.0.1 (it may be filled after
    the server starts: a site built for the origin); yields the origin."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
