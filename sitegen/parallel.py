"""Both cores: a pool of forked worker processes for the heavy steps of a build (parsing +
Markdown of changed sources, rendering of changed outputs, indexing the parts of the
search index). Workers die with the build (`die_with_parent`).

Workers are forked after the parent has everything they need (the model, the templates):
the caller binds that state to its task function (`functools.partial(task, state)`), the
workers inherit the bound function through the fork (nothing is pickled), so an item is
only an index or a small record and a result is only what the parent must know. Results come back in task order, and every task is a pure function of that
state, so the output is byte-identical whatever the number of jobs.

The caller should `gc.freeze()` its objects before forking, so that the workers' garbage
collector does not touch (and so copy) the pages they share with the parent.

Forking is refused (the work is done in this process) where it would be unsafe or not
worth it: other threads running (a fork copies their locks, as in the preview server),
no `fork` start method, one job, or too little work.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
from typing import Callable

from . import stopping

# The function of the running pool and its chunks of items, set by `run` just before
# forking: workers inherit them (with the state bound to the function) through the fork.
# Read only by `_call`, here.
_task: Callable | None = None
_chunks: list = []
_build: int = 0  # the process ID of the build that forks the running pool


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def jobs_for(requested: int, tasks: int, min_per_job: int) -> int:
    """How many processes to use for `tasks` items (1: stay in this process)."""
    jobs = requested if requested > 0 else default_jobs()
    jobs = min(jobs, tasks // max(min_per_job, 1))
    if jobs <= 1:
        return 1
    import multiprocessing  # here: a rebuild with too little work to fork never loads it

    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return jobs


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """In a child process (a worker, or a program it starts): be killed when the process
    that started it dies, so that nothing of a killed build keeps running (Linux).

    `parent` is the process ID of that process, taken before the fork. The kernel's promise
    covers only a parent still alive when the child asks: a child forked just before its
    build ended would be adopted by init and run on. Given `parent`, the child checks after
    asking and ends at once if it has already been adopted."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def child_of_this_process() -> Callable[[], None]:
    """A `preexec_fn` for a program started from this process: it dies with it."""
    return functools.partial(die_with_parent, os.getpid())


# util-linux's setpriv, where it can set the parent-death signal (looked for once; None:
# not there). Only in the system's own folders, never through PATH.
_SETPRIV: list = []


def dying_with_this_process(command: list) -> tuple[list, Callable[[], None] | None]:
    """(command, preexec_fn) to start `command` so that it dies with this process (Linux).
    Through `setpriv --pdeathsig KILL` where it is there: Python then starts the program
    with vfork. A `preexec_fn` forces a whole fork instead, whose cost grows with the
    worker (which holds the whole model): 12 ms a start from a 137 MB process against
    0.8 ms with vfork, and a 20,000-series cold build 10 to 30% slower. Elsewhere, the
    `preexec_fn`."""
    if not sys.platform.startswith("linux"):
        return command, None
    if not _SETPRIV:
        found = None
        for path in ("/usr/bin/setpriv", "/bin/setpriv"):
            try:
                if subprocess.run([path, "--pdeathsig", "KILL", "--", path, "--version"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0:
                    found = path
                    break
            except (OSError, subprocess.SubprocessError):
                continue
        _SETPRIV.append(found)
    if _SETPRIV[0] is not None:
        return [_SETPRIV[0], "--pdeathsig", "KILL", "--", *command], None
    return command, child_of_this_process()


_TRIM: list = []  # glibc's malloc_trim, looked up once (empty: not found yet; None: none here)


def release_memory() -> None:
    """Give the memory the C heap holds free back to the system (glibc's malloc_trim). A
    worker that has just made a large output (the workbook, the JSON of every series)
    would otherwise keep that high-water mark while the other workers render, and the
    build's peak memory is the sum over its processes. Elsewhere than glibc: nothing."""
    if not _TRIM:
        try:
            _TRIM.append(ctypes.CDLL("libc.so.6").malloc_trim if sys.platform.startswith("linux") else None)
        except (OSError, AttributeError):
            _TRIM.append(None)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def _worker_start() -> None:
    """A pool worker: dies with the build, takes the default action of SIGTERM, and ignores
    SIGINT. The build terminates its workers itself (stopping.py); a Ctrl+C, which reaches
    the whole process group, must not kill a worker at a random moment: one that dies
    while it holds the pool's task-queue lock leaves Pool.terminate() waiting for that lock
    forever."""
    die_with_parent(_build)
    stopping.reset_in_child()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(k: int) -> list:
    return [_task(item) for item in _chunks[k]]


def run(fn: Callable, items: list, jobs: int, together: Callable | None = None,
        meanwhile: Callable | None = None) -> list:
    """[fn(item) for item in items], spread over `jobs` forked processes when jobs > 1.
    State the workers need is bound to `fn` by the caller (functools.partial).

    `together(item)` true: the item is done by the same worker as every other such item,
    in one task, started where the first of them stands. For items that reuse what a
    process remembers (the pages that show series cards, `render.memo_call`): each worker
    would otherwise make all of it again.

    `meanwhile()` is called in this process once the workers have their tasks, while it
    would otherwise only wait for them; it is not called when nothing is forked."""
    global _task, _chunks, _build
    _task = fn
    try:
        if jobs <= 1 or len(items) < 2:
            return [fn(item) for item in items]
        # Small chunks balance the load (pages differ in cost); each costs one round trip.
        size = max(1, min(64, len(items) // (jobs * 8) or 1))
        grouped = [i for i, item in enumerate(items) if together(item)] if together is not None else []
        in_group = set(grouped)
        rest = [i for i in range(len(items)) if i not in in_group]
        chunks = [rest[i : i + size] for i in range(0, len(rest), size)]
        if grouped:
            at = next((k for k, chunk in enumerate(chunks) if chunk[0] > grouped[0]), len(chunks))
            chunks.insert(at, grouped)
        import multiprocessing  # here, as in jobs_for: only a build that forks loads it

        # A task is only a chunk's number: the chunks reach the workers through the fork. So
        # every task fits in the pipe to the workers at once, and the pool's task thread is
        # not left blocked on a full pipe when a signal terminates the pool: CPython's
        # Pool._help_stuff_finish drains that pipe only while it holds data, and a task
        # thread that fills it again afterwards waits for good. (The tasks for thousands of
        # series' sources held their paths, far more than the pipe holds; a build stopped
        # by a signal in its first second once hung in a test, and this is the likeliest
        # cause found.)
        _chunks = [[items[i] for i in chunk] for chunk in chunks]
        _build = os.getpid()
        ctx = multiprocessing.get_context("fork")
        pool = None
        try:
            # Built whole before a signal is obeyed. Pool() forks the workers, then starts
            # the thread that keeps them up (Pool._handle_workers), then two more threads; a
            # Stopped raised in between left a pool that no one could terminate, whose
            # thread forked new workers as fast as the old ones were killed, while this
            # process was ending. One such worker outlived a stopped preview.
            with stopping.deferred():
                pool = ctx.Pool(jobs, initializer=_worker_start)
            out: list = [None] * len(items)
            parts = pool.imap(_call, range(len(chunks)))
            if meanwhile is not None:
                meanwhile()
            for chunk, part in zip(chunks, parts):
                for i, result in zip(chunk, part):
                    out[i] = result
            return out
        except BaseException:
            # Told to stop (or failed) before the pool was whole: Pool() ends its workers
            # itself only on an Exception, and Stopped is not one. No worker is left.
            if pool is None:
                for child in multiprocessing.active_children():
                    child.kill()
                    child.join(5)
            raise
        finally:
            if pool is not None:
                # The thread that keeps the workers up is stopped before they are.
                pool.terminate()
    finally:
        _task, _chunks = None, []
