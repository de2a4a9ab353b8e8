"""Speed of reach from the platforms' exports (docs/reach.md, "Speed").

    python benchmarks/reach_import.py [--rows 50000] [--series 300] [--repeats 3]

1. Import: a Zoom participant report of --rows rows (the older layout with its meeting
   block; people rejoin, some wait in the waiting room; fake names and example.org
   addresses) is imported with `build.py reach import` as a user runs it (a new process,
   Python's start-up included), --repeats times; the median and the slowest are printed
   against the target of 2 s.
2. Build: the shipped site with --series generated series (benchmarks/generate_corpus.py),
   once with every series' reach typed in its front matter and once with the same figures
   imported (no typed reach, one content/reach/<slug>.yaml per series with a Zoom and a
   YouTube import). Both are built from scratch (`--no-cache --no-search`) and checked
   (`check`), alternately, --repeats times each; the ratio imported / typed of the medians
   is printed (target: at most 1, within the noise of the run).

The 1-minute load average is printed before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from sitegen.reach import records  # noqa: E402

SERIES = """\
---
title: Seri Uji Kecepatan Impor
program: asn-belajar
date: "2024-01-11"
sample: true
---
Seri contoh untuk uji kecepatan.
"""


def participant_report(rows: int, seed: int = 22) -> bytes:
    """A report of `rows` participant rows: about one person in three rejoins once or
    twice, one row in fifty is in the waiting room; a fifth of the people have no e-mail."""
    rng = random.Random(seed)
    out = [
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,",
        f"812 3456 7890,Uji kecepatan,01/11/2024 08:00:00 AM,01/11/2024 11:59:00 AM,pemandu@example.org,239,{rows},",
        "",
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room",
    ]
    person = 0
    written = 0

    def stamp(minute: int) -> str:
        h, m = divmod(8 * 60 + minute, 60)
        return f"01/11/2024 {(h - 1) % 12 + 1:02d}:{m:02d}:00 {'AM' if h < 12 else 'PM'}"

    while written < rows:
        person += 1
        name = f"Peserta Uji {person}"
        email = f"peserta.{person}@example.org" if person % 5 else ""
        start = rng.randrange(0, 200)
        for _ in range(rng.choice((1, 1, 2, 3))):
            if written >= rows:
                break
            length = rng.randrange(1, 40)
            waiting = "Yes" if written % 50 == 0 else "No"
            out.append(f"{name},{email},{stamp(start)},{stamp(start + length)},{length},Yes,Y,{waiting}")
            written += 1
            start += length + rng.randrange(0, 5)
            if start > 230:
                break
    return ("\n".join(out) + "\n").encode("utf-8")


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


CPU: list = []  # CPU seconds (user + system) of each run, in the order of the runs


def run(*args: str) -> float:
    """Wall-clock seconds of one build.py run; its CPU seconds are appended to CPU (on a
    machine shared with other work the wall clock also counts the time spent waiting for a
    core, the CPU time does not)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--lang", "en"], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"build.py {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def bench_import(work: Path, rows: int, repeats: int) -> None:
    root = work / "import"
    shutil.copytree(REPO / "content" / "programs", root / "content" / "programs")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    (root / "content" / "series").mkdir(parents=True)
    (root / "content" / "series" / "uji-impor.md").write_text(SERIES, encoding="utf-8")
    export = work / "participants_81234567890.csv"
    export.write_bytes(participant_report(rows))
    times = []
    CPU.clear()
    for _ in range(repeats):
        reach_file = root / "content" / "reach" / "uji-impor.yaml"
        if reach_file.exists():
            reach_file.unlink()  # each run computes and writes, not "already up to date"
        times.append(run("reach", "import", str(export), "--series", "uji-impor", "--root", str(root)))
    figure = re.search(r"^    figure: (\d+)$", (root / "content/reach/uji-impor.yaml").read_text(encoding="utf-8"), re.M).group(1)
    size = export.stat().st_size
    print(f"import of a {rows:,}-row participant report ({size / 1e6:.1f} MB, {figure} people):"
          f" median {statistics.median(times):.2f} s, slowest {max(times):.2f} s over {repeats} runs"
          f" (target: under 2 s) {'PASS' if max(times) < 2 else 'FAIL'};"
          f" CPU time median {statistics.median(CPU):.2f} s, slowest {max(CPU):.2f} s")


def imported_copy(typed: Path, dest: Path) -> None:
    """The typed site with every series' reach moved into content/reach/ as imports."""
    shutil.copytree(typed, dest)
    fake_sha = "0" * 64  # a benchmark stand-in: no export exists for generated series
    for path in sorted((dest / "content" / "series").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        zoom = int(re.search(r"^  zoom: (\d+)$", text, re.M).group(1))
        youtube = int(re.search(r"^  youtube: (\d+)$", text, re.M).group(1))
        date = dt.date.fromisoformat(re.search(r'^date: "([0-9-]+)"$', text, re.M).group(1))
        path.write_text(re.sub(r"^reach:\n(?:  \w+: \d+\n)+", "", text, flags=re.M), encoding="utf-8")
        start = f"{date.isoformat()}T09:00:00+07:00"
        common = {"as_of": date, "sha256": fake_sha, "labels": "en", "encoding": "utf-8", "delimiter": ",", "rows_read": 1, "rows_counted": 1}
        imports = [
            dict(common, channel="zoom", figure=zoom, measure="unique-participants", file="participants_benchmark.csv",
                 platform="zoom", format="zoom-meeting-participants", layout="older", timezone="Asia/Jakarta",
                 date_order="mdy", started=start, ended=f"{date.isoformat()}T11:00:00+07:00", ids=("812 3456 7890",),
                 figures={"unique_participants": zoom, "zoom_headline": zoom + 7, "peak_concurrent": zoom // 2}),
            dict(common, channel="youtube", figure=youtube, measure="views", file="Table data.csv", platform="youtube",
                 format="youtube-studio-table", layout="advanced-mode", ids=("-AbCdEfGh12",), figures={"views": youtube},
                 left_out={"total-row": 1}),
        ]
        out = dest / "content" / "reach" / f"{path.stem}.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(records.emit(path.stem, imports), encoding="utf-8")


def bench_build(work: Path, n: int, repeats: int) -> None:
    import generate_corpus

    typed, _hugo = generate_corpus.generate(work / "typed", n)
    imported = work / "imported-site"
    imported_copy(typed, imported)
    for what in ("build", "check"):
        times: dict = {"typed": [], "imported": []}
        cpu: dict = {"typed": [], "imported": []}
        for i in range(repeats):
            for name, root in (("typed", typed), ("imported", imported)) if i % 2 == 0 else (("imported", imported), ("typed", typed)):
                if what == "build":
                    out = work / f"out-{name}"
                    shutil.rmtree(out, ignore_errors=True)
                    times[name].append(run("build", "--root", str(root), "--output", str(out), "--no-search", "--no-cache", "--today", "2026-11-23", "--quiet"))
                else:
                    times[name].append(run("check", "--root", str(root), "--today", "2026-11-23"))
                cpu[name].append(CPU[-1])
        a, b = statistics.median(times["typed"]), statistics.median(times["imported"])
        ca, cb = statistics.median(cpu["typed"]), statistics.median(cpu["imported"])
        print(f"{what} of {n:,} series: typed reach median {a:.2f} s, imported reach median {b:.2f} s,"
              f" ratio imported/typed {b / a:.3f}; CPU time {ca:.2f} s and {cb:.2f} s, ratio {cb / ca:.3f}"
              f" ({repeats} runs each, alternating)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--series", type=int, default=300)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--skip-build", action="store_true", help="only the import")
    args = p.parse_args(argv)
    print(f"load average (1 min) before: {load()}; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="reach-bench-") as tmp:
        work = Path(tmp)
        bench_import(work, args.rows, args.repeats)
        if not args.skip_build:
            bench_build(work, args.series, args.repeats)
    print(f"load average (1 min) after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
