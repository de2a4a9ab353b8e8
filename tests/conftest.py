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
