"""Shared test helpers.

make_project(tmp_path, files) writes a small project (site.yaml, programs, figures) and
any extra files over it; run_cli(...) runs build.py in a subprocess as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

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


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run build.py as a user would; returns the completed process (text output)."""
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def tree_bytes(folder: Path) -> dict:
    """rel path -> bytes of every file below folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Path:
    """The real site, built once (no search index) under a /<repo>/ base URL."""
    out = tmp_path_factory.mktemp("shipped") / "_site"
    proc = run_cli("build", "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23",
                   "--base-url", "https://example.github.io/asn-belajar/")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def project(tmp_path):
    return lambda files=None, base=True: make_project(tmp_path, files, base)


def copy_repo_project(dest: Path) -> Path:
    """A copy of the shipped project (content, templates, static, site.yaml)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates", "static"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "site.yaml", dest / "site.yaml")
    return dest
