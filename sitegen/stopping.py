"""Stopping a build when told to: SIGTERM (systemd, Docker, CI runners, IDE task runners)
and SIGINT (Ctrl-C) end a build or a check within moments, the way a crash would not.

Python ends a process on SIGTERM without running any of its cleanup, so a build stopped
that way left its staged folder and the search scratch folder beside the output. Here
both signals raise `Stopped` in the main thread instead: the writers' `abandon()` and the
search index's `finally` run as for any other failure, the worker pool is terminated by
its context manager, and the command exits with 128 + the signal's number (130 for
SIGINT, 143 for SIGTERM), as a shell reports a process killed by it.

Two moments must not be cut in half: swapping the new site in (or renaming an in-place
update's files into place) and saving the build cache that describes it. `deferred()`
holds a signal that arrives then until the step is over; the build then stops at once,
with the new site whole and its cache saved. A second signal while cleaning up is
ignored (the first one is already being obeyed).

Forked workers and the programs they start (Pagefind) take the default action of both
signals (`reset_in_child`): the build terminates them itself, and a worker that died on
Ctrl-C must not print a traceback. A worker reached by Ctrl-C before it has done so (it
still has this module's handler) leaves as quietly.

The preview (`build.py serve`) is stopped the same way during its first load; once it
serves, its event loop answers the signals.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """Raised in the main thread when the process is told to stop. A BaseException, like
    KeyboardInterrupt: no `except Exception` on the way may swallow it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_state = {"stopping": False, "deferred": 0, "pending": None, "since": 0.0, "pid": 0}

# Seconds after the signal that cleanup may spend deleting scratch folders. On a busy disk,
# deleting a staged site of thousands of files takes seconds; what is not deleted by then
# keeps its scratch name beside the output, and the next build removes it before anything
# else (writer._remove_leftovers), as after a crash.
CLEANUP_BUDGET = 1.0


def _handler(signum, frame) -> None:
    if os.getpid() != _state["pid"]:
        # A process forked from this one that has not yet set its own handling (a worker
        # between the fork and its initializer, reached by a terminal's Ctrl+C): it ends
        # at once and quietly, as it will once set up (reset_in_child).
        os._exit(128 + signum)
    if _state["stopping"]:
        return  # already stopping: let the cleanup finish
    if _state["deferred"]:
        if _state["pending"] is None:
            _state["pending"] = signum
        return
    _state["stopping"] = True
    _state["since"] = time.monotonic()
    raise Stopped(signum)


def install() -> None:
    """Obey SIGTERM and SIGINT by raising Stopped (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state.update(stopping=False, deferred=0, pending=None, pid=os.getpid())
    for sig in SIGNALS:
        signal.signal(sig, _handler)


def uninstall() -> None:
    """Signals take their default action again, and whatever a signal set in motion here
    is forgotten (the process may go on to build again: the tests, the preview)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state.update(stopping=False, pending=None)  # `deferred` is counted down by its own blocks
    for sig in SIGNALS:
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)


@contextlib.contextmanager
def deferred():
    """Hold SIGTERM and SIGINT until the block is over, then obey them."""
    _state["deferred"] += 1
    try:
        yield
    finally:
        _state["deferred"] -= 1
        if not _state["deferred"] and _state["pending"] is not None and not _state["stopping"]:
            signum, _state["pending"] = _state["pending"], None
            _state["stopping"] = True
            _state["since"] = time.monotonic()
            raise Stopped(signum)


def reset_in_child() -> None:
    """In a forked worker, or a program about to be started: the default action of both
    signals (the process ends at once, without Python's cleanup or a traceback)."""
    for sig in SIGNALS:
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass


def remove_tree(path) -> None:
    """shutil.rmtree(path, ignore_errors=True); while stopping, only as far as the cleanup
    budget allows (what is left is a scratch folder the next build removes)."""
    if not _state["stopping"]:
        shutil.rmtree(path, ignore_errors=True)
        return
    deadline = _state["since"] + CLEANUP_BUDGET
    for folder, dirs, files in os.walk(path, topdown=False):
        if time.monotonic() > deadline:
            return
        for name in files:
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
        for name in dirs:
            try:
                os.rmdir(os.path.join(folder, name))
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass


class Closed(OSError):
    """A program was to be started after `end_programs()`: the process is stopping."""


# The programs a build or the preview has running now (git, Pagefind). The preview starts
# them from background threads; told to stop, it ends them with `end_programs()` and waits
# for them, so that none outlives it (their PR_SET_PDEATHSIG would kill them only after it
# is gone, while whatever waits for the preview may already look for them).
_programs: set = set()
_programs_lock = threading.Lock()
_programs_closed = [False]


def start_program(command, **popen) -> subprocess.Popen:
    """subprocess.Popen(command, **popen), remembered until `program_done(proc)`. Raises
    Closed (an OSError, as for a program that cannot run) once `end_programs()` ran. The
    lock is held while starting, so a program is either ended by end_programs() or never
    started."""
    with _programs_lock:
        if _programs_closed[0]:
            raise Closed("stopping")
        proc = subprocess.Popen(command, **popen)
        _programs.add(proc)
        return proc


def program_done(proc) -> None:
    with _programs_lock:
        _programs.discard(proc)


def end_programs(timeout: float = 5.0) -> None:
    """Kill the programs still running and reap them; start no more."""
    with _programs_lock:
        _programs_closed[0] = True
        procs = list(_programs)
    for proc in procs:
        try:
            proc.kill()
            proc.wait(timeout=timeout)
        except Exception:  # already reaped by its own thread, or will not die in time
            pass
