"""Where a build's time goes, step by step, on the benchmark's corpus (benchmarks/bench.py):
a cold default build, `check`, and a rebuild after editing one series.

    python benchmarks/steps.py --series 4000 --repeats 3

Each build runs in a process of its own, as a user runs it, and prints the build's own step
timer (`pipeline.Result.timings`: the seconds each step took); the table gives the median
of each step over the runs, and the whole
process's wall time beside them (interpreter start and imports included). The edit is the
benchmark's: a paragraph appended to the middle series, a different one each run, and the
file put back afterwards. Timings depend on the machine and its load: the load average is
printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402  (the benchmark's corpus and edit)

# The child process: one build, then its steps as JSON on the last line of stdout.
CHILD = """
import datetime as dt, json, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from sitegen.pipeline import Options, build
args = json.loads(sys.argv[1])
opts = Options(root=Path(args["root"]), output=Path(args["output"]) if args["output"] else None,
               today=dt.date.fromisoformat(args["today"]), use_cache=args["cache"], search=args["search"])
result = build(opts, write=args["write"])
print(json.dumps(result.timings))
"""


def steps_of(root: Path, output: Path | None, write: bool, cache: bool, search: bool) -> tuple[dict, float]:
    """({step: its own seconds}, the process's wall time) of one build."""
    args = {"root": str(root), "output": str(output) if output else None, "today": bench.TODAY,
            "write": write, "cache": cache, "search": search}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(bench.REPO)), json.dumps(args)],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "_work")
    args = parser.parse_args(argv)
    site, _hugo = bench.corpus(args.work, args.series)
    out = args.work / "steps-out"
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    runs: dict = {"cold build": [], "check": [], "rebuild after one edit": []}
    path = bench.edited_series(site)
    original = path.read_bytes()
    try:
        for i in range(args.repeats):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".cache", ignore_errors=True)
            runs["cold build"].append(steps_of(site, out, True, True, True))
            runs["check"].append(steps_of(site, None, False, False, False))
            bench.edit_series(path, 200 + i)
            runs["rebuild after one edit"].append(steps_of(site, out, True, True, True))
    finally:
        path.write_bytes(original)
    names = list(dict.fromkeys(name for kind in runs.values() for own, _wall in kind for name in own))
    print(f"\n{args.series} series, medians of {args.repeats} runs (seconds)")
    print(f"{'step':14s}" + "".join(f"{kind:>26s}" for kind in runs))
    for name in names:
        cells = [statistics.median(own.get(name, 0.0) for own, _wall in kind) for kind in runs.values()]
        print(f"{name:14s}" + "".join(f"{c:26.3f}" for c in cells))
    print(f"{'process wall':14s}" + "".join(f"{statistics.median(w for _own, w in kind):26.3f}" for kind in runs.values()))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print(f"command: python benchmarks/steps.py --series {args.series} --repeats {args.repeats}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
