"""Builds killed with SIGKILL (a crash, the OOM killer, a power cut of the process) while
they update the site in place: the output folder never holds a build's scratch (its
temporary files, backups or journal live beside it), it holds the earlier site until the
update's renames begin, and the next build (which first undoes a killed update) equals a
clean one.

The builds run as subprocesses over a corpus big enough to take seconds, each killed at
a random moment; a second test kills them at each named step of the update (the
engine's SITEGEN_TEST_KILL_AT hook) so that every step is reached on every run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, fresh_copy, keep_built, make_project, tree_bytes
from sitegen import writer

SERIES = "---\ntitle: Seri {i} {v}\nprogram: asn-belajar\ndate: \"2023-{m:02d}-{d:02d}\"\n---\nIsi seri {i}, versi {v}.\n"
COUNT = 400  # series: a clean build takes a few seconds here


def corpus(version: int, count: int = COUNT) -> dict:
    return {f"content/series/s{i:03d}.md": SERIES.format(i=i, v=version, m=i % 12 + 1, d=i % 28 + 1) for i in range(count)}


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH" and not k.startswith("SITEGEN_TEST")}
    env.update(extra)
    return env


def _command(root: Path, *extra: str) -> list:
    return [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--no-search", "--today", "2024-03-01", *extra]


def build(root: Path, *extra: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(_command(root, *extra), env=_env(**env), capture_output=True, text=True, timeout=300)


def edit(root: Path, n: int) -> None:
    """Change a third of the series (pages rewritten in place), add one and remove one
    (a folder made, an output removed)."""
    for i in range(n % 3, COUNT, 3):
        path = root / f"content/series/s{i:03d}.md"
        path.write_text(SERIES.format(i=i, v=n, m=i % 12 + 1, d=i % 28 + 1), encoding="utf-8")
    (root / f"content/series/baru-{n}.md").write_text(SERIES.format(i=1000 + n, v=n, m=5, d=n % 28 + 1), encoding="utf-8")
    old = root / f"content/series/baru-{n - 1}.md"
    if old.exists():
        old.unlink()


def scratch_beside(root: Path) -> list:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("._site."))


def renames_begun(root: Path) -> bool:
    """A killed update's journal beside the site records that its renames had begun, and
    not that they were all done (the commit mark, C)."""
    for name in scratch_beside(root):
        journal = root / name / writer.JOURNAL
        if ".update-" in name and journal.is_file():
            steps = [line.split(" ", 1)[0] for line in journal.read_text(encoding="utf-8").splitlines()]
            if steps and "C" not in steps:
                return True
    return False


SCRATCH = ("tmp-", "bak-", ".update-", ".sitegen-update", "journal")


def after_the_kill(root: Path, before: dict) -> tuple[str, dict]:
    """Check the site a killed build left; returns what it found, and the site."""
    middle = tree_bytes(root / "_site")
    assert not [rel for rel in middle if any(s in rel for s in SCRATCH)]
    if middle == before:
        return "earlier site", middle
    if renames_begun(root):
        # Killed during the renames of the changed files into place (milliseconds): the
        # journal beside the site puts the earlier site back.
        writer.recover(root / "_site")
        assert tree_bytes(root / "_site") == before
        return "during the renames", before
    # Killed after the commit (saving the cache): the new site, whole; the next build,
    # which equals a clean one, must leave it as it is.
    return "new site", middle


def test_killed_at_random_moments_the_site_holds_the_earlier_files(tmp_path):
    rng = random.Random(20261205)
    root = make_project(tmp_path, corpus(0))
    assert build(root).returncode == 0
    edit(root, 1)
    started = time.monotonic()
    assert build(root).returncode == 0  # an incremental build of this size of edit
    duration = time.monotonic() - started
    seen: dict = {}
    for n in range(2, 10):  # eight kills: each lands in a build more than half the time
        before = tree_bytes(root / "_site")
        edit(root, n)
        proc = subprocess.Popen(_command(root), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Any moment of the build; every other round one in its last part, where it writes.
        time.sleep(rng.uniform(0.05, 1.0) * duration if n % 2 else rng.uniform(0.6, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=300)
        if code == 0:  # finished before the kill: the new site, whole
            found, middle = "finished", None
            assert scratch_beside(root) == []
            duration *= 0.7  # builds run faster now than when measured: kill sooner
        else:
            found, middle = after_the_kill(root, before)
        seen[found] = seen.get(found, 0) + 1
        after = build(root)
        assert after.returncode == 0, after.stderr
        assert scratch_beside(root) == []
        if found == "new site":
            assert tree_bytes(root / "_site") == middle
    clean = tmp_path / "bersih"
    assert build(root, "--no-cache", "--output", str(clean)).returncode == 0
    assert tree_bytes(root / "_site") == tree_bytes(clean)
    print("where the kills landed:", seen)
    assert sum(n for found, n in seen.items() if found != "finished") >= 3, seen  # the kills interrupted builds


# The steps of an incremental update where a kill is tried (pipeline.Timer marks and the
# writer's checkpoints): before the renames the earlier site must be whole.
STEPS = ["cache-load", "parse", "render", "write", "swap", "swapping", "swapped", "commit", "cache-save"]


@pytest.fixture(scope="module")
def built_small(tmp_path_factory) -> tuple[Path, Path]:
    """A corpus of 60 series built once, kept aside (conftest.keep_built)."""
    work = make_project(tmp_path_factory.mktemp("klein"), corpus(0, 60))
    assert build(work).returncode == 0
    return keep_built(work)


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_each_step_of_an_update(tmp_path, step, built_small):
    root = fresh_copy(built_small)
    before = tree_bytes(root / "_site")
    global COUNT
    count, COUNT = COUNT, 60
    try:
        edit(root, 1)
    finally:
        COUNT = count
    killed = build(root, SITEGEN_TEST_KILL_AT=step)
    assert killed.returncode == -signal.SIGKILL, (step, killed.stderr[-2000:])
    middle = tree_bytes(root / "_site")
    if step in ("cache-load", "parse", "render", "write", "swap"):
        assert middle == before, sorted(set(middle) ^ set(before))
        assert [p for p in scratch_beside(root) if ".update-" in p] or step in ("cache-load", "parse"), scratch_beside(root)
    elif step == "swapping":  # one file renamed into place: undone from the journal beside
        assert middle != before and renames_begun(root)
        assert not [rel for rel in middle if rel not in before]  # a changed page, no scratch
        writer.recover(root / "_site")
        assert tree_bytes(root / "_site") == before and scratch_beside(root) == []
    else:  # committed: the new site, whole
        assert scratch_beside(root) == [] or step == "swapped"
    after = build(root)
    assert after.returncode == 0, after.stderr
    assert scratch_beside(root) == []
    clean = tmp_path / "bersih"
    assert build(root, "--no-cache", "--output", str(clean)).returncode == 0
    assert tree_bytes(root / "_site") == tree_bytes(clean)
    if step in ("swapped", "commit", "cache-save"):
        assert middle == tree_bytes(clean)


def test_the_preview_and_the_next_build_recover_first(tmp_path):
    """`writer.recover` (what the preview calls before serving the folder, and a build
    before reading it) undoes a killed update and removes its scratch."""
    root = make_project(tmp_path, corpus(0, 30))
    assert build(root).returncode == 0
    before = tree_bytes(root / "_site")
    global COUNT
    count, COUNT = COUNT, 30
    try:
        edit(root, 1)
    finally:
        COUNT = count
    assert build(root, SITEGEN_TEST_KILL_AT="swapping").returncode == -signal.SIGKILL
    assert tree_bytes(root / "_site") != before and scratch_beside(root)
    writer.recover(root / "_site")
    assert tree_bytes(root / "_site") == before and scratch_beside(root) == []
    writer.recover(root / "_site")  # nothing to do
    assert tree_bytes(root / "_site") == before
