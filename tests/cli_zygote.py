"""The helper behind the tests' `run_cli` (tests/conftest.py): a process that imports the
engine once and then forks one child per command, each of which runs build.py's `run()`.

A command run this way is what a subprocess gives: a process of its own, with its own
working folder, environment, standard streams (pipes read by the test), signals and exit
status. It skips only starting an interpreter and importing the engine (about 0.4 s), and
compiling the shipped templates (the helper compiles them once into render's memo, which
gives a build the code that compiling would give). It starts from a process that has run
no build and no test: no test's patch, cached language or other state can reach it, as
none could reach a new interpreter. Settings that Python itself reads when it starts
(PYTHON*, LANG, LC_*) are not applied: run_cli starts a new interpreter for those.

One helper per test process, started at its first command and ended with that process
(its socket closes; it also dies with its parent). Requests come one at a time over a
Unix socket pair (SOCK_SEQPACKET: one message per request), with the write ends of the
two pipes passed along (SCM_RIGHTS); the helper answers with the child's pid, then its
wait status.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HELPER = r"""
import io, json, os, signal, socket, struct, sys
repo = sys.argv[2]
sys.path[0] = repo  # as for build.py: the project first, never the working folder
from sitegen import cli, parallel, pipeline  # noqa: F401 (imported once: every child starts here)
parallel.die_with_parent()


# The shipped templates compiled once, as a build would: a build forked from here with the
# same templates (most tests build a copy of the project; its settings do not matter, the
# code does not depend on them) takes the code from render's memo instead of compiling it
# again, which gives the same code (render._COMPILED). Nothing else is kept: the messages'
# language, read from the environment by the first message, is forgotten.
def warm(root):
    from pathlib import Path
    from sitegen import config, messages, problems, render
    try:
        found = problems.Problems()
        settings = config.load_config(Path(root), found)
        if settings is None:
            return
        templates = render.TemplateSet(Path(root))
        env = render.make_environment(templates, settings)
        for name in render.template_closures(env, templates, found, Path(root)):
            try:
                env.get_template(name)
            except Exception:
                pass
    except Exception:
        pass
    finally:
        messages._language = None


warm(repo)
# What a build imports only when it needs it (share images, the calendar, the workbook):
# imported here once too, as the engine is.
import PIL.Image, PIL.ImageDraw, PIL.ImageFont, icalendar, xlsxwriter  # noqa: E401,F401
sock = socket.socket(fileno=int(sys.argv[1]))
while True:
    try:
        msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 2)
    except OSError:
        break
    if not msg:
        break
    req = json.loads(msg)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            sock.close()
            os.dup2(fds[0], 1)
            os.dup2(fds[1], 2)
            for fd in fds:
                os.close(fd)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                          errors="backslashreplace", line_buffering=True)
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            sys.argv = req["argv"]
            try:
                cli.run()
                code = 0
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
            os._exit(code)
    for fd in fds:
        os.close(fd)
    sock.send(struct.pack("!q", pid))
    _pid, status = os.waitpid(pid, 0)
    sock.send(struct.pack("!q", status))
"""


class Zygote:
    """The helper of this process (`shared`), and how a command is run through it."""

    _shared: dict = {}  # pid of the test process -> its helper (None: it could not start)

    def __init__(self, env: dict):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = ours
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HELPER, str(theirs.fileno()), str(REPO)],
            pass_fds=(theirs.fileno(),), cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        theirs.close()
        atexit.register(self.close)

    @classmethod
    def shared(cls, env) -> "Zygote | None":
        """This process's helper, started at the first call; None where none can run."""
        if not hasattr(os, "fork") or not hasattr(socket, "send_fds") or not hasattr(socket, "SOCK_SEQPACKET"):
            return None
        me = os.getpid()
        if me not in cls._shared:
            try:
                cls._shared[me] = cls(dict(env))
            except OSError:
                cls._shared[me] = None
        zygote = cls._shared[me]
        if zygote is not None and zygote.proc.poll() is not None:  # it ended: run without it
            cls._shared[me] = zygote = None
        return zygote

    def close(self) -> None:
        try:
            self.sock.close()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()

    def run(self, command: list, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            request = json.dumps({"argv": command[1:], "cwd": str(cwd), "env": env}).encode()
            socket.send_fds(self.sock, [request], [out_w, err_w])
        finally:
            os.close(out_w)
            os.close(err_w)
        pid = self._number()
        chunks: dict = {out_r: [], err_r: []}
        deadline = time.monotonic() + timeout
        try:
            with selectors.DefaultSelector() as sel:
                for fd in chunks:
                    sel.register(fd, selectors.EVENT_READ)
                while sel.get_map():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        os.kill(pid, signal.SIGKILL)
                        self._number()
                        raise subprocess.TimeoutExpired(command, timeout)
                    for key, _events in sel.select(left):
                        data = os.read(key.fd, 1 << 16)
                        if data:
                            chunks[key.fd].append(data)
                        else:
                            sel.unregister(key.fd)
        finally:
            for fd in chunks:
                os.close(fd)
        status = self._number()

        def text(fd: int) -> str:  # as subprocess.run(text=True) decodes it
            return b"".join(chunks[fd]).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")

        return subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), text(out_r), text(err_r))

    def _number(self) -> int:
        data = self.sock.recv(8)
        if len(data) != 8:
            raise RuntimeError("the tests' build.py helper (tests/cli_zygote.py) ended unexpectedly")
        return struct.unpack("!q", data)[0]
