"""lastmod.py: when each source last changed, from one `git log` of the whole history, with
its deterministic fallbacks (outside git, files never committed, a shallow clone)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
import time
from pathlib import Path

from sitegen import lastmod, stopping


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_AUTHOR_NAME": "R", "GIT_AUTHOR_EMAIL": "r@example.org", "GIT_COMMITTER_NAME": "R",
                "GIT_COMMITTER_EMAIL": "r@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root.parent)})
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    return subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True, text=True).stdout


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def make_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "content/series").mkdir(parents=True)
    (root / "content/series/a.md").write_text("a1\n")
    (root / "content/series/b c.md").write_text("b1\n")  # a space in the name
    (root / "site.yaml").write_text("x\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one", when="2026-01-01T10:00:00+07:00")
    (root / "content/series/a.md").write_text("a2\n")
    git(root, "commit", "-q", "-am", "two", when="2026-02-01T10:00:00+07:00")
    (root / "content/series/new.md").write_text("never committed\n")
    (root / "site.yaml").write_text("y\n")  # changed, not committed
    return root


def test_times_come_from_the_last_and_first_commit_of_each_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_repo(tmp_path)
    history = lastmod.read(root)
    assert history.of("content/series/a.md") == utc("2026-02-01T10:00:00+07:00")
    assert history.first_of("content/series/a.md") == utc("2026-01-01T10:00:00+07:00")
    assert history.of("content/series/b c.md") == utc("2026-01-01T10:00:00+07:00")
    assert history.of("site.yaml") == utc("2026-01-01T10:00:00+07:00")  # as Hugo: the last commit
    assert history.of("content/series/new.md") is None  # the caller falls back on the content
    assert history.newest(["content/series/b c.md", "content/series/a.md", "content/series/new.md"]) == utc("2026-02-01T10:00:00+07:00")
    assert history.newest(["content/series/new.md"]) is None
    # from a folder inside the repository, paths are relative to it
    inner = lastmod.read(root / "content")
    assert inner.of("series/a.md") == history.of("content/series/a.md")


def test_source_date_epoch_stands_in_for_files_git_does_not_know(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    history = lastmod.read(root)
    assert history.of("content/series/new.md") == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert history.of("content/series/a.md") == utc("2026-02-01T10:00:00+07:00")  # git wins where it knows
    outside = tmp_path / "plain"
    outside.mkdir()
    assert lastmod.read(outside).of("x.md") == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert lastmod.read(outside) == lastmod.History()


def test_one_git_log_for_the_whole_history(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    calls = []
    real = subprocess.Popen

    def counting(cmd, *args, **kwargs):
        calls.append(cmd)
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(lastmod.subprocess, "Popen", counting)
    for i in range(30):
        (root / f"content/series/s{i}.md").write_text(f"{i}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "many", when="2026-03-01T10:00:00+07:00")
    calls.clear()
    history = lastmod.read(root)
    assert len(history.times) == 34
    assert [c[c.index("--no-pager") + 1] for c in calls] == ["log", "rev-parse"]


def test_a_shallow_clone_does_not_date_every_file_to_its_oldest_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    history = lastmod.read(clone)
    # the one fetched commit lists every file as added: it says nothing about when they changed
    assert history.of("content/series/a.md") is None and history.of("content/series/b c.md") is None
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", f"file://{root}", str(full))
    assert lastmod.read(full).of("content/series/b c.md") == utc("2026-01-01T10:00:00+07:00")


def test_git_variables_of_the_caller_are_ignored(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside a git hook of another repository
    assert lastmod.read(root).of("content/series/a.md") == utc("2026-02-01T10:00:00+07:00")


def test_a_stopping_preview_ends_the_git_it_started(tmp_path, monkeypatch):
    """The preview reads the history in a background thread; when it is told to stop,
    stopping.end_programs() kills and reaps the git still running, so none outlives it,
    and no git starts after it."""
    root = make_repo(tmp_path)
    monkeypatch.setattr(stopping, "_programs_closed", [False])  # this test process goes on
    started = []
    real = subprocess.Popen

    def slow_git(cmd, *args, **kwargs):  # a git that would take a minute
        proc = real(["sleep", "60"], *args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", slow_git)
    results = []
    reader = threading.Thread(target=lambda: results.append(lastmod.read(root)))
    reader.start()
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started and started[0].poll() is None
    stopping.end_programs()
    assert started[0].poll() is not None  # killed and reaped
    reader.join(10)
    assert not reader.is_alive() and results  # the reader went on, with no history from git
    assert results[0].of("content/series/a.md") is None
    assert stopping._programs == set()
    again = lastmod.read(root)  # once stopping, no git is started at all
    assert len(started) == 1 and again.of("content/series/a.md") is None
