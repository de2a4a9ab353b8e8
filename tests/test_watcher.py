"""The preview's file watcher: operating-system file events (watchfiles) instead of a
scan of every file. Every wait is bounded; nothing here measures speed (the
benchmark does: benchmarks/bench.py)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from conftest import make_project
from sitegen.preview.watcher import FileEvents

DEADLINE = 30.0


class Recorder:
    """Runs a FileEvents watcher as the preview does, counting the changes it hands over."""

    def __init__(self, root: Path, names: list[str]):
        self.calls = 0
        self.changed: list[str] = []
        self.lock = threading.Lock()
        self.watcher = FileEvents([root / name for name in names], self.task)
        self.watcher.start()
        time.sleep(0.3)  # let the watch threads set up their watches before the test edits

    def task(self, paths: set):
        with self.lock:
            self.calls += 1
            self.changed.extend(sorted(paths))

    def wait_for_calls(self, n: int) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and self.calls < n:
            time.sleep(0.02)
        assert self.calls >= n, f"the task ran {self.calls} times, expected {n}"

    def close(self):
        self.watcher.stop()


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_edit_inside_a_watched_folder_runs_the_task(project):
    rec = Recorder(project, ["content", "site.yaml"])
    try:
        (project / "content/series/satu.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
        rec.wait_for_calls(1)
        assert str(project / "content/series/satu.md") in rec.changed
    finally:
        rec.close()


def test_file_saved_by_rename_is_seen(project):
    # Many editors write a new file and rename it over the old one.
    rec = Recorder(project, ["content", "site.yaml"])
    try:
        tmp = project / ".site.yaml.tmp"
        tmp.write_text((project / "site.yaml").read_text() + "\n", encoding="utf-8")
        os.replace(tmp, project / "site.yaml")
        rec.wait_for_calls(1)
        calls = rec.calls
        tmp.write_text((project / "site.yaml").read_text() + "\n", encoding="utf-8")
        os.replace(tmp, project / "site.yaml")  # and again: the watch survives the rename
        rec.wait_for_calls(calls + 1)
        assert str(project / "site.yaml") in rec.changed
    finally:
        rec.close()


def test_folder_created_later_is_watched_inside(project):
    assert not (project / "templates").exists()
    rec = Recorder(project, ["content", "templates", "site.yaml"])
    try:
        (project / "templates").mkdir()
        rec.wait_for_calls(1)
        time.sleep(0.3)
        calls = rec.calls
        (project / "templates/series.html").write_text("x", encoding="utf-8")
        rec.wait_for_calls(calls + 1)
        calls = rec.calls
        (project / "templates/series.html").unlink()
        rec.wait_for_calls(calls + 1)
    finally:
        rec.close()


def test_unwatched_files_and_editor_swap_files_are_ignored(project):
    rec = Recorder(project, ["content", "site.yaml"])
    try:
        (project / "notes.txt").write_text("x", encoding="utf-8")  # beside site.yaml, not watched
        (project / ".cache").mkdir(exist_ok=True)
        (project / ".cache/x.html").write_text("x", encoding="utf-8")
        (project / "content/series/.satu.md.swp").write_text("x", encoding="utf-8")
        time.sleep(1.0)
        assert rec.calls == 0, rec.changed
        (project / "content/series/dua.md").write_text("x", encoding="utf-8")
        rec.wait_for_calls(1)
    finally:
        rec.close()


def test_preview_server_uses_file_events_not_polling(tmp_path):
    from test_serve import SERIES, serving, write

    root = make_project(tmp_path)
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi lewat kejadian berkas."))
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi lewat kejadian berkas." in b, "the edited page")
        out = srv.output()
    assert "through file events" in out and "polling" not in out


def test_polling_when_asked_sees_a_save(project, monkeypatch):
    monkeypatch.setenv("SITEGEN_WATCH", "poll")
    rec = Recorder(project, ["content", "site.yaml"])
    try:
        assert rec.watcher.polling
        end = time.monotonic() + DEADLINE
        n = 0
        while rec.calls == 0 and time.monotonic() < end:
            n += 1  # the first scan (the baseline) may not be done yet: save until one is seen
            (project / "content/series/satu.md").write_text(f"---\ntitle: y{n}\n---\n", encoding="utf-8")
            time.sleep(1.0)
        rec.wait_for_calls(1)
    finally:
        rec.close()


def test_stop_ends_the_watch_threads(project):
    rec = Recorder(project, ["content", "templates", "site.yaml"])
    assert [t for t in threading.enumerate() if t.name.startswith("file-events")]
    rec.close()
    end = time.monotonic() + 2.0
    while time.monotonic() < end and [t for t in threading.enumerate() if t.name.startswith("file-events")]:
        time.sleep(0.02)
    assert not [t for t in threading.enumerate() if t.name.startswith("file-events")]
