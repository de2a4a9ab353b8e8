"""The preview's file watcher: operating-system file events (watchfiles) instead of
livereload's scan every 800 ms. Every wait is bounded; nothing here measures speed (the
benchmark does: benchmarks/bench.py)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from tornado.ioloop import IOLoop

from conftest import make_project
from sitegen.serve import EventWatcher

DEADLINE = 30.0


class Recorder:
    """Runs an EventWatcher on its own tornado loop in a thread, like the server does."""

    def __init__(self, root: Path, names: list[str]):
        self.calls = 0
        self.changed: list[str] = []
        self.ready = threading.Event()
        self.watcher = EventWatcher()
        for name in names:
            self.watcher.watch(str(root / name), self.task)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        assert self.ready.wait(DEADLINE)
        time.sleep(0.3)  # let the watch threads set up their watches before the test edits

    def task(self):
        self.calls += 1

    def _serve(self):
        import asyncio

        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()

        def poll():
            path, _ = self.watcher.examine()
            if path:
                self.changed.append(path)

        self.watcher.begin()
        self.watcher.start(poll)
        self.ready.set()
        self.loop.start()

    def wait_for_calls(self, n: int) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and self.calls < n:
            time.sleep(0.02)
        assert self.calls >= n, f"the task ran {self.calls} times, expected {n}"

    def close(self):
        self.watcher.stop()
        self.loop.add_callback(self.loop.stop)
        self.thread.join(DEADLINE)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_edit_inside_a_watched_folder_runs_the_task(project):
    rec = Recorder(project, ["content", "site.yaml"])
    try:
        (project / "content/series/satu.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
        rec.wait_for_calls(1)
        assert rec.changed[-1] == str(project / "content/series/satu.md")
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
    assert "Start watching changes" in out
    # livereload logs this when its watcher asks to be polled every 800 ms.
    assert "Start detecting changes" not in out
