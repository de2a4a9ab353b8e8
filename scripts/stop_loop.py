"""Stop a command with SIGTERM at random moments, many times, and report how each stop
ended: the exit code, how long the stop took, any process of the command still alive 0.2 s
after it exited, and any traceback. A stop that takes longer than 10 s is a hang: the
command's stack is shown with py-spy (when installed) and its process group killed.

    python scripts/stop_loop.py --runs 100 -- .venv/bin/python build.py check --root SITE

The delay is drawn between 0.02 s and the time one undisturbed run took. Run beside CPU
hogs (`sh -c 'while :; do :; done' &`, one per core) to make races likelier. Exit code 1
if any stop hung or left a process or a traceback."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time


def descendants(pid: int) -> list:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        kids = [int(x) for t in tasks for x in open(f"/proc/{pid}/task/{t}/children").read().split()]
    except OSError:
        return found
    for kid in kids:
        found += [kid, *descendants(kid)]
    return found


def alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    rng = random.Random(args.seed)
    started = time.monotonic()
    subprocess.run(command, capture_output=True)
    full = time.monotonic() - started
    print(f"one undisturbed run: {full:.2f} s")
    codes: dict = {}
    bad = 0
    for run in range(args.runs):
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        delay = rng.uniform(0.02, max(0.03, full))
        time.sleep(delay)
        watched = descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        try:
            _out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"run {run}: HANG, SIGTERM at {delay:.3f} s")
            if shutil.which("py-spy"):
                subprocess.run(["py-spy", "dump", "--pid", str(proc.pid)])
            subprocess.run(["ps", "-o", "pid,ppid,stat,wchan:30,cmd", "--ppid", str(proc.pid)])
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            bad += 1
            continue
        took = time.monotonic() - sent
        time.sleep(0.2)
        left = [pid for pid in watched if alive(pid)]
        codes[proc.returncode] = codes.get(proc.returncode, 0) + 1
        if left or "Traceback" in err:
            bad += 1
            print(f"run {run}: SIGTERM at {delay:.3f} s, exit {proc.returncode} in {took:.2f} s, left {left}\n{err[-2000:]}")
    print("exit codes:", ", ".join(f"{code}: {n}" for code, n in sorted(codes.items())), f"; hung or untidy: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
