"""Client-side search: a Pagefind index over the built series pages (Indonesian).

Pagefind reads settings from a pagefind.yml/.yaml/.toml/.json in the folder it runs in
and from PAGEFIND_* environment variables; either could send its output (or a log file)
anywhere. So it runs in an empty temporary folder, with every PAGEFIND_* variable
removed, and is given every setting that decides what it reads and writes. It dies with
the build (PR_SET_PDEATHSIG), so a killed build leaves no indexer writing behind it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import Config
from .problems import Problems

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def command(site_dir: Path, config: Config) -> list:
    site = os.path.abspath(site_dir)
    return [
        sys.executable, "-m", "pagefind",
        "--site", site,
        "--output-path", os.path.join(site, "pagefind"),
        "--glob", "**/*.{html}",
        "--root-selector", "html",
        "--force-language", config.language,
        "--quiet",
    ]


def environment() -> dict:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND")}


def index(site_dir: Path, config: Config, problems: Problems) -> None:
    from .writer import checkpoint

    with tempfile.TemporaryDirectory(prefix="sitegen-pagefind-") as cwd:
        with subprocess.Popen(
            command(site_dir, config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
            env=environment(), stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        ) as proc:
            checkpoint("indexing")
            _out, err = proc.communicate()
    if proc.returncode != 0:
        problems.error("site.yaml", 1, f"search index failed (pagefind exit {proc.returncode}): {err.strip()[:500]}")
