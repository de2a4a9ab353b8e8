"""Static assets: the project's `static/` over the shipped defaults (which hold the vendored
plotly.js bundle), each copied once per build and only when changed. Nothing else adds
assets: no module registers files by being imported.

Only regular files are taken: a link or special file in `static/` is reported by
`load.find_sources` and never opened or published (a link to ../.git/config would
otherwise publish the CI checkout token)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .load import ADMIN_DIR, MAX_STATIC_BYTES, STATIC_DIR, _skip_hidden, read_regular, regular_files
from . import PACKAGE_ROOT

DEFAULT_STATIC = PACKAGE_ROOT / "static"


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
    return dict(sorted(files.items()))


def read_asset(path: Path) -> bytes:
    return read_regular(path, MAX_STATIC_BYTES)


def file_digest(path: Path) -> str:
    return hashlib.blake2b(read_asset(path), digest_size=16).hexdigest()
