"""The preview's search index, made in a background thread so that no page waits for it.

After each successful load, the pages the index reads (the series pages) are rendered
through the live site (pages unchanged since the last index come from memory), written
into a scratch folder and indexed with Pagefind (search.index); the finished index is
served under /pagefind/. A newer load supersedes a pending one. Pagefind dies with the
preview (search.py starts it so on Linux).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from .. import search
from ..messages import _
from ..problems import Problems
from .log import log


class SearchIndexer:
    def __init__(self, work: Path, live):
        self.work = work
        self.live = live
        self.current: Path | None = None  # the folder served under /pagefind/
        self._pending = None  # (generation, snapshot)
        self._gen = 0
        self._cond = threading.Condition()
        self._stop = False
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def submit(self, snapshot) -> None:
        with self._cond:
            self._gen += 1
            self._pending = (self._gen, snapshot)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                gen, snapshot = self._pending
                self._pending = None
            folder = self.work / f"snapshot-{gen}"
            try:
                self._index(gen, snapshot, folder)
            except Exception as exc:  # the preview goes on without a fresh index
                log(_("search index not updated: {reason}").format(reason=f"{type(exc).__name__}: {exc}"))
            finally:
                shutil.rmtree(folder, ignore_errors=True)

    def _index(self, gen: int, snapshot, folder: Path) -> None:
        for rel, route in snapshot.routes.items():
            if self._stop or self._pending is not None:
                return  # superseded: the next load is indexed instead
            if not search.indexed(rel):
                continue
            data, problem = self.live.render_for(snapshot, route)
            if data is None:
                log(_("search index not updated: {reason}").format(reason=problem.format()))
                return
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        folder.mkdir(parents=True, exist_ok=True)
        problems = Problems()
        search.index(folder, snapshot.config, problems)
        if problems.errors or not (folder / "pagefind").is_dir():
            for p in problems.sorted():
                log(_("search index not updated: {reason}").format(reason=p.format()))
            return
        target = self.work / f"pagefind-{gen}"
        os.rename(folder / "pagefind", target)
        old, self.current = self.current, target
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        log(_("search index updated ({n})").format(n=gen))
