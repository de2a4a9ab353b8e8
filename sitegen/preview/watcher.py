"""The preview's file watcher: the operating system's file events through watchfiles
(inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows), so a save is seen
within milliseconds, not at the next scan.

Watched folders are watched recursively; the watched names themselves (site.yaml, and a
folder such as templates/ that may not exist yet) through their parent folder, not
recursively, because editors often save by renaming a new file over the old one. When a
watched folder appears, the watch inside it starts then.

SITEGEN_WATCH=poll makes watchfiles scan instead, for folders whose changes the system
does not report (some network drives, WSL's /mnt/c). When the system refuses events (its
limit of watched folders reached), the watcher falls back to scanning by itself.

Changes are handed to `on_change(paths)` from the watcher's threads; the caller moves them
to its own loop. The threads are daemons and stop within one step of `stop()`.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Iterable

import watchfiles

from ..messages import _
from .log import log

# Events are collected until this long passes without a new one (watchfiles' default): a
# save that truncates and then writes a file is seen as one change, not as an empty file
# followed by the full one.
STEP_MS = 50


def polling_requested() -> bool:
    return os.environ.get("SITEGEN_WATCH", "").strip().lower() == "poll"


class FileEvents:
    def __init__(self, paths: Iterable, on_change: Callable[[set], None], polling: bool | None = None):
        self.names = sorted({os.path.abspath(p) for p in paths})
        self.on_change = on_change
        self.polling = polling_requested() if polling is None else polling
        self._stop = threading.Event()
        self._folders_stop: threading.Event | None = None
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start listening (before the first build, so an edit made during it is not lost)."""
        if self._started:
            return
        self._started = True
        self._watch_folders()
        names = set(self.names)
        parents = sorted({os.path.dirname(p) for p in names})
        only = lambda change, path: os.path.abspath(path) in names  # noqa: E731
        self._thread(parents, False, only, self._stop, self._top_changed, "file-events-top")
        log(_("watching {names} through {how}").format(
            names=", ".join(os.path.basename(n) for n in self.names),
            how=_("polling (SITEGEN_WATCH=poll)") if self.polling else _("file events")))

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._folders_stop is not None:
                self._folders_stop.set()

    def _thread(self, paths, recursive, only, stop, handle, name) -> None:
        threading.Thread(target=self._run, args=(paths, recursive, only, stop, handle), name=name, daemon=True).start()

    def _watch_folders(self) -> None:
        """(Re)start the recursive watch of the watched folders that exist now."""
        with self._lock:
            if self._folders_stop is not None:
                self._folders_stop.set()
            folders = [p for p in self.names if os.path.isdir(p)]
            self._folders_stop = stop = threading.Event()
        if folders:
            self._thread(folders, True, None, stop, self._emit, "file-events")

    def _top_changed(self, changes) -> None:
        if any(c == watchfiles.Change.added and os.path.isdir(p) for c, p in changes):
            # A watched folder appeared: watch inside it too. Files written into it before
            # that watch is in place are caught by the rebuild, which lists every file.
            self._watch_folders()
            time.sleep(0.05)
        self._emit(changes)

    def _emit(self, changes) -> None:
        if not self._stop.is_set():
            self.on_change({path for _, path in changes})

    def _run(self, paths, recursive, only, stop, handle) -> None:
        polling = self.polling
        while not (stop.is_set() or self._stop.is_set()):
            try:
                for changes in watchfiles.watch(
                    *paths, watch_filter=only or watchfiles.DefaultFilter(), recursive=recursive,
                    step=STEP_MS, stop_event=stop if stop is self._stop else _Either(stop, self._stop),
                    force_polling=polling, poll_delay_ms=300, raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    handle(changes)
                return
            except Exception as exc:  # e.g. the system's limit of watched folders is reached
                if polling:
                    log(_("file watcher stopped: {reason}").format(reason=f"{type(exc).__name__}: {exc}"))
                    return
                log(_("file events unavailable ({reason}); polling instead").format(reason=f"{type(exc).__name__}: {exc}"))
                polling = True


class _Either:
    """A stop event set when either of two events is (watchfiles reads `is_set`)."""

    def __init__(self, a: threading.Event, b: threading.Event):
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()


def fingerprint(paths: Iterable) -> tuple:
    """(path, mode, size, mtime) of every file under `paths`: equal fingerprints taken
    before and after a load mean no edit was missed while the watcher was not yet running.
    lstat: links are never followed, only noticed (the build refuses them)."""
    found = []
    for base in sorted(os.path.abspath(p) for p in paths):
        try:
            st = os.lstat(base)
        except OSError:
            continue
        if not os.path.isdir(base) or os.path.islink(base):
            found.append((base, st.st_mode, st.st_size, st.st_mtime_ns))
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for fn in sorted(filenames) + sorted(d for d in dirnames if os.path.islink(os.path.join(dirpath, d))):
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except OSError:
                    continue
                found.append((full, st.st_mode, st.st_size, st.st_mtime_ns))
    return tuple(found)
