"""In CI a skipped test is a failure (tests/conftest.py), except the few in CI_MAY_SKIP; and
the test command prints skip reasons and the slowest tests.

Each case runs pytest in a subprocess on a tiny test folder that uses this very conftest.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CI_MAY_SKIP, REPO

SAMPLE = '''\
import pytest

pytestmark = []


def test_passes():
    assert True


def test_skips_for_want_of_a_browser():
    pytest.skip("no Chromium at /nowhere")


@pytest.mark.skipif(True, reason="vnu.jar missing")
def test_skipped_by_mark():
    pass


@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
'''


def run_pytest(folder: Path, ci: str | None, parallel: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    if ci is not None:
        env["CI"] = ci
    workers = ["-n", "2", "--dist", "loadgroup"] if parallel else ["-p", "no:xdist"]
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *workers,
                           "--rootdir", str(folder), str(folder / "tests")],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sample(tmp_path) -> Path:
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", tests / "conftest.py")
    (tests / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    # a test on the allowed list, by file and name, that skips
    allowed_file, allowed_name = next(iter(CI_MAY_SKIP)).split("::")
    (tests / allowed_file).write_text(
        f"import pytest\n\n\ndef {allowed_name}():\n    pytest.skip('hugo not found')\n", encoding="utf-8")
    return tmp_path


def summary(out: str) -> dict:
    last = out.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}


def test_outside_ci_skips_are_reported_with_reasons(sample):
    proc = run_pytest(sample, None)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert summary(out) == {"passed": 1, "skipped": 3, "xfailed": 1}, out
    assert "no Chromium at /nowhere" in out and "vnu.jar missing" in out  # -rs prints each reason


@pytest.mark.parametrize("value", ["true", "1"])
def test_in_ci_a_skip_fails_unless_allowed(sample, value):
    proc = run_pytest(sample, value)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    counts = summary(out)
    # the two unlisted skips fail (one in its call, the skipif mark at setup: an error)
    assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == 2, out
    assert counts["passed"] == 1 and counts["skipped"] == 1 and counts["xfailed"] == 1, out
    assert "skipped in CI" in out and "no Chromium at /nowhere" in out and "vnu.jar missing" in out
    assert "hugo not found" in out  # the allowed skip is still listed with its reason


def test_in_ci_a_skip_fails_also_on_parallel_workers(sample):
    """scripts/test.sh runs the suite with pytest-xdist: the rule holds on its workers."""
    proc = run_pytest(sample, "true", parallel=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    counts = summary(out)
    assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == 2, out
    assert counts["passed"] == 1 and counts["skipped"] == 1, out
    assert "skipped in CI" in out


def test_in_ci_a_whole_skipped_file_fails(sample):
    (sample / "tests" / "test_module.py").write_text(
        "import pytest\n\npytest.importorskip('no_such_module_here')\n\n\ndef test_x():\n    pass\n", encoding="utf-8")
    assert run_pytest(sample, None).returncode == 0
    proc = run_pytest(sample, "true")
    assert proc.returncode != 0 and "whole file was skipped in CI" in proc.stdout + proc.stderr


def test_every_test_file_has_a_kind():
    """--fast leaves out the system tests: a file of no kind would be taken for one."""
    from conftest import KIND_OF_FILE

    files = {p.name for p in (REPO / "tests").glob("test_*.py")}
    assert sorted(files - set(KIND_OF_FILE)) == [], "add the file to TEST_KINDS in tests/conftest.py"
    assert sorted(set(KIND_OF_FILE) - files) == []


def test_the_fast_loop_leaves_out_the_system_tests_and_runs_in_parallel():
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert 'MARK=(-m "not system")' in script and "--dist loadgroup" in script


def test_the_allowed_list_is_small_and_names_real_tests():
    assert len(CI_MAY_SKIP) <= 3
    for key, why in CI_MAY_SKIP.items():
        file, name = key.split("::")
        assert f"def {name}(" in (REPO / "tests" / file).read_text(encoding="utf-8"), key
        assert why.strip()


def test_the_test_command_prints_skips_and_durations_and_uses_the_venv():
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    line = next(ln for ln in script.splitlines() if "-m pytest" in ln)
    assert "-rs" in line.split() and "--durations=15" in line.split()
    assert line.lstrip().startswith('"$VPY"')  # the .venv interpreter, never the system one
    assert not re.search(r"^\s*(python3?|pip3?) -m pip install", script, re.M)
