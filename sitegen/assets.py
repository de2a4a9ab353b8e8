"""Static assets: the project's `static/` over the shipped defaults, plus files taken from
installed packages (plotly.js), each copied once per build and only when changed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from .render import PACKAGE_ROOT

DEFAULT_STATIC = PACKAGE_ROOT / "static"

# Providers of extra assets: () -> [(output rel path, source file)]
PROVIDERS: list[Callable] = []


def collect(root: Path) -> dict:
    """output rel path -> source file path, sorted."""
    files: dict = {}
    for base in (DEFAULT_STATIC, root / "static"):
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files[path.relative_to(base).as_posix()] = path
    # The browser editor (sitegen/admin.py): the project's admin/ is served at /admin/.
    admin = root / "admin"
    if admin.is_dir():
        for path in sorted(admin.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["admin/" + path.relative_to(admin).as_posix()] = path
    for provider in PROVIDERS:
        for rel, path in provider():
            files[rel] = Path(path)
    return dict(sorted(files.items()))


def file_digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
