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
    script = (REPO / "scripts" / "pytest-phases.sh").read_text(encoding="utf-8")
    assert 'MARK=(-m "not system")' in script and "--dist loadgroup" in script


def test_the_allowed_list_is_small_and_names_real_tests():
    assert len(CI_MAY_SKIP) <= 3
    for key, why in CI_MAY_SKIP.items():
        file, name = key.split("::")
        assert f"def {name}(" in (REPO / "tests" / file).read_text(encoding="utf-8"), key
        assert why.strip()


def test_the_test_command_prints_skips_and_durations_and_uses_the_venv():
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert script.rstrip().splitlines()[-1] == 'exec bash "$ROOT/scripts/pytest-phases.sh" "$@"'
    assert "export VPY" in script
    phases = (REPO / "scripts" / "pytest-phases.sh").read_text(encoding="utf-8")
    line = next(ln for ln in phases.splitlines() if "-m pytest" in ln)
    assert "-rs" in line.split() and "--durations=15" in line.split()
    assert line.lstrip().startswith('"$VPY"')  # the .venv interpreter, never the system one
    assert not re.search(r"^\s*(python3?|pip3?) -m pip install", script, re.M)


# ---- the two phases of scripts/test.sh --------------------------------------------------------

PHASED = '''\
import os
import time

import pytest

LOG = os.environ["PHASE_NOTES"]


def note(what):
    with open(LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{what} {os.environ.get('PYTEST_XDIST_WORKER', 'alone')} {time.monotonic()}\\n")


@pytest.mark.solo
@pytest.mark.system
def test_measures_the_machine():
    note("solo-start")
    time.sleep(0.3)
    note("solo-end")
    assert os.environ.get("SOLO_FAILS") != "1"


@pytest.mark.unit
@pytest.mark.parametrize("n", range(6))
def test_other(n):
    note("other")
    time.sleep(0.3)
'''


def run_phases(folder: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, list]:
    """scripts/pytest-phases.sh (what scripts/test.sh runs once it has installed what the
    tests need) on a sample folder: (the process, each test's note as (what, process, when))."""
    notes = folder / "notes.txt"
    notes.unlink(missing_ok=True)
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "TEST_JOBS")}
    full_env.update(VPY=sys.executable, PHASE_NOTES=str(notes), **env)
    proc = subprocess.run(["bash", str(folder / "scripts" / "pytest-phases.sh"), *args], cwd=folder, env=full_env,
                          capture_output=True, text=True, timeout=300)
    lines = notes.read_text(encoding="utf-8").split("\n") if notes.exists() else []
    return proc, [(what, who, float(when)) for what, who, when in (line.split() for line in lines if line)]


@pytest.fixture
def phased(sample) -> Path:
    for test_file in (sample / "tests").glob("test_*.py"):
        test_file.unlink()
    (sample / "tests" / "test_phased.py").write_text(PHASED, encoding="utf-8")
    (sample / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "pytest-phases.sh", sample / "scripts" / "pytest-phases.sh")
    return sample


def test_the_solo_tests_run_first_alone_then_the_others_on_every_core(phased):
    proc, notes = run_phases(phased)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    solo = [(what, who, when) for what, who, when in notes if what.startswith("solo")]
    others = [(who, when) for what, who, when in notes if what == "other"]
    assert [(what, who) for what, who, _ in solo] == [("solo-start", "alone"), ("solo-end", "alone")], notes
    assert len(others) == 6 and {who for who, _ in others} == {"gw0", "gw1"}, notes
    assert min(when for _, when in others) > solo[1][2]  # nothing else ran beside the solo test
    assert out.rstrip().splitlines()[-1] == "total: 7 passed, 0 failed, 0 skipped", out


def test_a_failing_solo_test_fails_the_run_and_the_others_still_run(phased):
    proc, notes = run_phases(phased, SOLO_FAILS="1")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert len([n for n in notes if n[0] == "other"]) == 6, notes
    assert out.rstrip().splitlines()[-1] == "total: 6 passed, 1 failed, 0 skipped", out


def test_fast_and_one_process_runs_are_one_phase(phased):
    proc, notes = run_phases(phased, "--fast")
    assert proc.returncode == 0 and [n[0] for n in notes] == ["other"] * 6, proc.stdout + proc.stderr
    proc, notes = run_phases(phased, TEST_JOBS="1")
    assert proc.returncode == 0 and {who for _, who, _ in notes} == {"alone"} and len(notes) == 8, proc.stdout + proc.stderr
    proc, notes = run_phases(phased, "-k", "nothing_is_called_this")
    assert proc.returncode == 5 and "collected no tests" in proc.stderr, proc.stdout + proc.stderr


def test_a_solo_test_must_be_a_system_test(sample):
    (sample / "tests" / "test_sample.py").write_text(
        "import pytest\n\n\n@pytest.mark.solo\n@pytest.mark.unit\ndef test_x():\n    pass\n", encoding="utf-8")
    proc = run_pytest(sample, None)
    assert proc.returncode != 0 and "a solo test must be a system test" in proc.stdout + proc.stderr


def test_run_cli_through_its_helper_gives_what_a_new_interpreter_gives(tmp_path):
    """run_cli forks build.py's run() from a helper that imported the engine once
    (tests/cli_zygote.py). For each command here (help, a usage mistake in the default
    language, a check that fails, a build that passes, a build killed by a signal) the
    exit status, standard output and error are those of a new interpreter running it.
    The helper starts from a process that has run nothing: this test first sets the
    language in this process, which a forked child of the test process would inherit."""
    from conftest import make_project, run_cli
    from sitegen import messages

    messages.set_language("en")
    root = make_project(tmp_path)
    broken = make_project(tmp_path / "broken", {"content/series/x.md": "---\ntitle: [\n---\n"})
    cases = [
        (["--help"], {}),
        (["check", "--lang", "fr", "--root", str(root)], {"SITEGEN_LANG": ""}),
        (["check", "--root", str(broken)], {}),
        (["build", "--root", str(root), "--output", "{out}", "--no-search", "--today", "2024-03-01"], {}),
        (["build", "--root", str(root), "--output", "{out}-killed", "--no-search"], {"SITEGEN_TEST_KILL_AT": "staged"}),
    ]

    def seen(proc):  # a build's own time differs from run to run, and so does its folder
        return proc.returncode, re.sub(r"in [0-9.]+ s", "in N s", proc.stdout.replace("-fresh", "")), proc.stderr

    for args, env in cases:
        forked, fresh = (run_cli(*[a.format(out=tmp_path / ("out-fresh" if f else "out")) for a in args],
                                 cwd=root, env=env, fresh=f) for f in (False, True))
        assert seen(forked) == seen(fresh), args
    assert forked.returncode == -9  # the last: killed
    from cli_zygote import Zygote

    assert Zygote._shared.get(os.getpid()) is not None  # the helper ran them, none fell back
    assert "seharusnya salah satu dari id, en" in run_cli("check", "--lang", "fr", env={"SITEGEN_LANG": ""}).stderr
