"""Regenerate the golden expected output, on purpose only:

    python tests/golden/update.py

Builds tests/golden/site with the shipped templates and replaces tests/golden/expected/.
Review the diff (git diff tests/golden/expected) before committing it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from sitegen.cli import main  # noqa: E402

# Files copied verbatim from elsewhere: the test checks each equals its source instead of
# keeping a second copy here (the shipped static files, the vendored plotly.js bundle among them).
REPO = HERE.parent.parent
COPIED = {
    "assets/plotly-basic.min.js": REPO / "static/assets/plotly-basic.min.js",
    "assets/plotly-basic.LICENSE.txt": REPO / "static/assets/plotly-basic.LICENSE.txt",
    "assets/site.css": REPO / "static/assets/site.css",
    "assets/site.js": REPO / "static/assets/site.js",
    "favicon.svg": REPO / "static/favicon.svg",
}
SKIP = set(COPIED)
ARGS = ["build", "--no-cache", "--no-search", "--today", "2026-11-23", "--quiet"]


def build_into(out: Path) -> int:
    """Build a copy of the fixture made outside the repository, without SOURCE_DATE_EPOCH:
    the feed's and sitemap's times then come from the content (lastmod.py's fallback), not
    from when the fixture was last committed, which changes with every commit."""
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
            root = Path(tmp) / "site"
            shutil.copytree(HERE / "site", root)
            return main(ARGS + ["--root", str(root), "--output", str(out)])
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


if __name__ == "__main__":
    tmp = HERE / "_out"
    if tmp.exists():
        shutil.rmtree(tmp)
    if build_into(tmp) != 0:
        sys.exit("golden site failed to build")
    expected = HERE / "expected"
    if expected.exists():
        shutil.rmtree(expected)
    for path in sorted(tmp.rglob("*")):
        rel = path.relative_to(tmp).as_posix()
        if path.is_file() and rel not in SKIP and rel != ".sitegen":
            dest = expected / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    shutil.rmtree(tmp)
    print(f"wrote {sum(1 for p in expected.rglob('*') if p.is_file())} files to {expected.relative_to(Path.cwd()) if expected.is_relative_to(Path.cwd()) else expected}")
