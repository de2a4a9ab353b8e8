"""Static assets: the project's `static/` over the shipped defaults, plus files taken from
installed packages (plotly.js), each copied once per build and only when changed.

Only regular files are taken: a link or special file in `static/` is reported by
`load.find_sources` and never opened or published (a link to ../.git/config would
otherwise publish the CI checkout token)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from .load import ADMIN_DIR, MAX_STATIC_BYTES, STATIC_DIR, _skip_hidden, read_regular, regular_files
from .render import PACKAGE_ROOT

DEFAULT_STATIC = PACKAGE_ROOT / "static"

# Providers of extra assets: () -> [(output rel path, source file)]
PROVIDERS: list[Callable] = []


def collect(root: Path) -> dict:
    """output rel path -> source file path, sorted."""
    files: dict = {}
    for base_root in (PACKAGE_ROOT, root):
        for rel, full, _st in regular_files(base_root, STATIC_DIR, None, skip=_skip_hidden):
            files[rel[len(STATIC_DIR) + 1:]] = Path(full)
    # The browser editor (sitegen/admin.py): the project's admin/ is served at /admin/,
    # under the same rule as static/ (regular files only; load.find_sources reports the rest).
    for rel, full, _st in regular_files(root, ADMIN_DIR, None, skip=_skip_hidden):
        files[rel] = Path(full)
    for provider in PROVIDERS:
        for rel, path in provider():
            # The engine's own dependencies (plotly.js in site-packages): a link there is
            # the installer's, so it is resolved here and the file read as any other.
            files[rel] = Path(path).resolve()
    return dict(sorted(files.items()))


def read_asset(path: Path) -> bytes:
    return read_regular(path, MAX_STATIC_BYTES)


def file_digest(path: Path) -> str:
    return hashlib.blake2b(read_asset(path), digest_size=16).hexdigest()
