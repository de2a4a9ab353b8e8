"""How long the preview takes to stop when told: SIGTERM (or SIGINT) to a running
`build.py serve`, until the process has exited, N times on a copy of the shipped site.

    python benchmarks/preview_stop.py --runs 10 [--signal INT]

Each run starts the preview, waits until a series page is served, waits half a second,
sends the signal and times the exit. It also checks what must hold after every stop: exit
status 0, 130 or 143, the port closed, no process of the preview's group left. Prints each
time, the median and the load average. A script, not a test: times depend on the load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_stop(site: Path, signum: int) -> float:
    port = free_port()
    series = sorted((site / "content" / "series").glob("*.md"))[0].stem
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(site), "--port", str(port), "--no-search"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/seri/{series}/", timeout=10) as resp:
                resp.read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the preview did not come up")
            time.sleep(0.05)
    time.sleep(0.5)
    started = time.perf_counter()
    proc.send_signal(signum)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise SystemExit("the preview did not stop within 10 s")
    took = time.perf_counter() - started
    assert code in (0, 130, 143), code
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the port is still open"
    time.sleep(0.2)
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return took
    raise SystemExit("a process of the preview's group outlived it")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Seconds from SIGTERM (or SIGINT) to the preview's exit.")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--signal", choices=("TERM", "INT"), default="TERM")
    args = p.parse_args(argv)
    signum = signal.SIGTERM if args.signal == "TERM" else signal.SIGINT
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        for name in ("site.yaml", "content", "templates", "static"):
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, site / name)
            elif src.is_file():
                shutil.copy2(src, site / name)
        times = []
        for i in range(args.runs):
            times.append(one_stop(site, signum))
            print(f"run {i + 1}: {times[-1] * 1000:.0f} ms", flush=True)
    print(f"SIG{args.signal} -> exit, median of {args.runs}: {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")
    print(f"command: python benchmarks/preview_stop.py --runs {args.runs}" + (" --signal INT" if args.signal == "INT" else ""))
    print(f"load average (1 min) before/after: {load:.2f} / {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
