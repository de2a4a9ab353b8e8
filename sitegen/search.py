"""Client-side search: a Pagefind index over the built series pages (Indonesian)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .config import Config
from .problems import Problems


def index(site_dir: Path, config: Config, problems: Problems) -> None:
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--force-language", config.language, "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        problems.error("site.yaml", 1, f"search index failed (pagefind exit {proc.returncode}): {proc.stderr.strip()[:500]}")
