"""The golden test: a small fixture site built with the shipped templates and compared file
by file with the committed expected output. Regenerate on purpose only, with
`python tests/golden/update.py`, and review the diff."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from conftest import tree_bytes

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN))

import update  # noqa: E402


def test_golden_site_matches_expected_output(tmp_path):
    out = tmp_path / "out"
    assert update.build_into(out) == 0
    built = {k: v for k, v in tree_bytes(out).items() if k not in update.SKIP and k != ".sitegen"}
    expected = tree_bytes(GOLDEN / "expected")
    report = []
    for rel in sorted(set(built) | set(expected)):
        if rel not in expected:
            report.append(f"+ {rel} (new file; not in expected output)")
        elif rel not in built:
            report.append(f"- {rel} (expected but not built)")
        elif built[rel] != expected[rel]:
            diff = difflib.unified_diff(
                expected[rel].decode("utf-8", "replace").splitlines(),
                built[rel].decode("utf-8", "replace").splitlines(),
                f"expected/{rel}", f"built/{rel}", lineterm="", n=1,
            )
            report.append("\n".join(list(diff)[:40]))
    for rel, source in update.COPIED.items():
        assert (out / rel).is_file(), f"{rel} missing"
        if source is not None:
            assert (out / rel).read_bytes() == source.read_bytes(), f"{rel} differs from {source}"
    assert not (out / "assets/plotly.min.js").exists()  # the full bundle is no longer served
    assert not report, "golden output differs (run python tests/golden/update.py if intended):\n" + "\n".join(report)
