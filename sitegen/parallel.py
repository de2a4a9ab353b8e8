"""Both cores: a pool of forked worker processes for the heavy steps of a build (parsing +
Markdown of changed sources, rendering of changed outputs, indexing the parts of the
search index). Workers die with the build (`die_with_parent`).

Workers are forked after the parent has everything they need (the model, the templates):
the caller binds that state to its task function (`functools.partial(task, state)`), the
workers inherit the bound function through the fork (nothing is pickled), so an item is
only an index or a small record and a result is only what the parent must know. Results
are put back in task order, and every task is a pure function of that state, so the
output is byte-identical whatever the number of jobs.

Each worker freezes what it inherited (`gc.freeze()`), so that its garbage collector does
not walk (and so copy) the pages it shares with the parent.

Forking is refused (the work is done in this process) where it would be unsafe or not
worth it: other threads running (a fork copies their locks, as in the preview server),
no `os.fork`, one job, or too little work.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import pickle
import selectors
import signal
import subprocess
import sys
import threading
import traceback
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
    if threading.active_count() > 1 or not hasattr(os, "fork"):
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
    """A worker: dies with the build, takes the default action of SIGTERM, and ignores
    SIGINT. The build ends its workers itself; a Ctrl+C, which reaches the whole process
    group, must not kill a worker at a random moment (the build reports a worker that died
    as a failure)."""
    die_with_parent(_build)
    stopping.reset_in_child()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited (the model, the pages rendered so far) is never garbage of
    # its own: its collector leaves it alone (a list splice, no object touched). Otherwise
    # each full collection walked the whole inherited heap, copying the pages it wrote to:
    # decoding a search slice took 49.5 ms at 20,000 series against 34 ms at 4,000; frozen,
    # 31 to 37 ms (the step timer, 200 slices, two builds, load 6 to 10).
    gc.freeze()


def _call(k: int) -> list:
    return [_task(item) for item in _chunks[k]]


class WorkerLost(RuntimeError):
    """A worker process ended before it had sent back the result of its task (`how`: as
    the system tells it, "killed by SIGKILL" when the kernel ran out of memory)."""

    def __init__(self, how: str):
        super().__init__(f"a worker process ended before its task was done ({how})")
        self.how = how


_HEADER = 8  # bytes: the length of a message, before it


def _read_exact(stream, n: int) -> bytearray | None:
    """n bytes from `stream` (an unbuffered pipe end); None at its end."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        count = stream.readinto(view[got:])
        if not count:
            return None
        got += count
    return buf


def _write_all(stream, data) -> None:
    view, done = memoryview(data), 0
    while done < len(view):
        done += stream.write(view[done:])


def _worker_loop(tasks, results) -> None:
    """A worker's life: read a chunk's number, send back (number, True, results) or
    (number, False, exception), until the build closes the task pipe."""
    while True:
        data = _read_exact(tasks, 4)
        if data is None:
            return
        k = int.from_bytes(data, "little")
        try:
            payload = pickle.dumps((k, True, _call(k)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the task failed (or its result cannot be sent): the build raises it
            exc.add_note("".join(traceback.format_exception(exc)).rstrip())
            try:
                payload = pickle.dumps((k, False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:
                payload = pickle.dumps((k, False, RuntimeError(f"{type(exc).__name__}: {exc}")), pickle.HIGHEST_PROTOCOL)
        _write_all(results, len(payload).to_bytes(_HEADER, "little"))
        _write_all(results, payload)
        del payload


class _Worker:
    """A forked worker as its build sees it: its process, the pipe its tasks go down, the
    pipe its results come up, and the chunks it has been given and not yet answered."""

    def __init__(self, pid: int, tasks, results):
        self.pid, self.tasks, self.results = pid, tasks, results
        self.given: list = []


def _fork_worker(others: list) -> _Worker:
    task_r, task_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the build's code
        code = 1
        try:
            for fd in (task_w, result_r, *(fd for w in others for fd in (w.tasks.fileno(), w.results.fileno()))):
                os.close(fd)
            _worker_start()
            with open(task_r, "rb", buffering=0) as tasks, open(result_w, "wb", buffering=0) as results:
                _worker_loop(tasks, results)
            code = 0
        except BaseException:  # the build is gone (a broken pipe), or a failure it will report as a lost worker
            pass
        finally:
            for stream in (sys.stdout, sys.stderr):  # what a task printed, as a process's normal end would
                try:
                    stream.flush()
                except Exception:
                    pass
            os._exit(code)
    os.close(task_r)
    os.close(result_w)
    return _Worker(pid, open(task_w, "wb", buffering=0), open(result_r, "rb", buffering=0))


def _give(worker: _Worker, queue: list) -> None:
    if queue:
        k = queue.pop(0)
        worker.given.append(k)
        try:
            _write_all(worker.tasks, k.to_bytes(4, "little"))
        except BrokenPipeError:  # it has already ended (its first task killed it)
            raise WorkerLost(_how_it_ended(worker.pid)) from None


def _collect(workers: list, queue: list, chunks: list, out: list) -> None:
    """Read results as workers send them, giving each worker its next chunk as it answers,
    until every chunk is answered. Raises a task's exception, or WorkerLost."""
    with selectors.DefaultSelector() as selector:
        for worker in workers:
            if worker.given:
                selector.register(worker.results, selectors.EVENT_READ, worker)
        while any(worker.given for worker in workers):
            for key, _ in selector.select():
                worker = key.data
                header = _read_exact(worker.results, _HEADER)
                payload = _read_exact(worker.results, int.from_bytes(header, "little")) if header is not None else None
                if payload is None:
                    raise WorkerLost(_how_it_ended(worker.pid))
                k, ok, result = pickle.loads(payload)
                del payload
                worker.given.remove(k)
                if not ok:
                    raise result
                for i, value in zip(chunks[k], result):
                    out[i] = value
                _give(worker, queue)
                if not worker.given:
                    selector.unregister(worker.results)


def _how_it_ended(pid: int) -> str:
    """Without reaping it (the build's `_end` does): how the process ended."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    except (OSError, AttributeError):
        return "unknown"
    if info is not None and info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
        return f"killed by {signal.Signals(info.si_status).name}"
    return f"exit code {info.si_status}" if info is not None else "unknown"


def _kill(workers: list) -> None:
    for worker in workers:
        if worker.pid:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _end(workers: list, failed: bool) -> None:
    """No worker is left: closing its task pipe ends an idle worker; after a failure or a
    stop, each is killed at once (it may be in a task, or writing a result nobody reads)."""
    if failed:
        _kill(workers)
    for worker in workers:
        worker.tasks.close()
    for worker in workers:
        if worker.pid:
            try:
                os.waitpid(worker.pid, 0)
            except ChildProcessError:
                pass
            worker.pid = 0
        worker.results.close()


def run(fn: Callable, items: list, jobs: int, together: Callable | None = None,
        meanwhile: Callable | None = None) -> list:
    """[fn(item) for item in items], spread over `jobs` forked processes when jobs > 1.
    State the workers need is bound to `fn` by the caller (functools.partial).

    `together(item)` true: the item is done by the same worker as every other such item,
    in one task, started where the first of them stands. For items that reuse what a
    process remembers (the pages that show series cards, `render.memo_call`): each worker
    would otherwise make all of it again.

    `meanwhile()` is called in this process once the workers have their tasks, while it
    would otherwise only wait for them (their results are read meanwhile, by a thread
    that only reads pipes); it is not called when nothing is forked.

    The workers are this module's own, not multiprocessing.Pool's. Each has a pipe for
    its tasks and one for its results, and nothing else is shared: no lock that a killed
    or blocked worker can hold. A Pool, told to stop, waited for the lock of its result
    queue while a worker held it, blocked writing a result larger than the pipe that no
    thread read any more: a `check` stopped by SIGTERM hung that way (CPython 3.11.2,
    about 1 stop in 30 on a busy machine). Ending these workers is a kill and a wait."""
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
        # The chunks reach the workers through the fork: a task is only a chunk's number.
        _chunks = [[items[i] for i in chunk] for chunk in chunks]
        _build = os.getpid()
        workers: list = []
        reader = None  # the thread that reads results while `meanwhile` runs
        failed = True
        try:
            with stopping.deferred():  # every worker forked is in `workers` before a stop is obeyed
                for _ in range(min(jobs, len(chunks))):
                    workers.append(_fork_worker(workers))
            queue = list(range(len(chunks)))
            for _ in range(2):  # a second chunk each: a worker need not wait for the next
                for worker in workers:
                    _give(worker, queue)
            out: list = [None] * len(items)
            if meanwhile is None:
                _collect(workers, queue, chunks, out)
            else:
                outcome: list = []

                def collect() -> None:
                    try:
                        _collect(workers, queue, chunks, out)
                    except BaseException as exc:
                        outcome.append(exc)

                reader = threading.Thread(target=collect, name="parallel-results", daemon=True)
                reader.start()
                meanwhile()
                reader.join()
                if outcome:
                    raise outcome[0]
            failed = False
            return out
        finally:
            with stopping.deferred():
                if failed:
                    _kill(workers)  # the reader, if any, then meets the end of every pipe
                if reader is not None:
                    reader.join()
                _end(workers, failed)
    finally:
        _task, _chunks = None, []
