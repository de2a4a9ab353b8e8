"""What a search on /cari/ transfers, with the index in one part and in parts.

    python benchmarks/search_transfer.py --series 4000

Builds the generated corpus (benchmarks/generate_corpus.py, with the site's real templates)
four times with its search index: as one index and in parts of search.PAGES_PER_PART pages
(the default), each with the word index as Pagefind cuts it and cut into chunks of
search.CHUNK_POSITIONS positions (the default). Each is served locally and opened in headless
Chromium at 360 px; the script types a few queries, one page load each, and adds up what
the browser fetched: the search page's own files, then what the query loaded (Pagefind's
script, WebAssembly, metadata, index chunks, filters and the fragments of the results
shown). Text files are counted gzipped, as GitHub Pages serves them; Pagefind's data files
are already compressed and are counted as they are.

With --phone it also times each query, from typing it to its first result on screen, in
Chromium emulating a slow phone (400 ms round trip, 400 kbit/s, a processor four times
slower).

This is a script, not a test: it measures, it does not judge.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import importlib.util
import os
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERIES = ["literasi", "kepemimpinan digital", "pelayanan publik"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def wire_size(url: str, body: bytes) -> int:
    if url.split("?")[0].endswith((".html", ".js", ".css", ".json", ".svg", "/")):
        return len(gzip.compress(body, 6))
    return len(body)


def measure(browser, url: str, query: str) -> tuple[int, int, int]:
    """(bytes for the page, bytes for the query, requests for the query)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    seen: list = []
    page.on("response", lambda r: seen.append(r))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    before = len(seen)
    page.locator("#cari .pagefind-ui__search-input").fill(query)
    page.locator(".pagefind-ui__message").filter(has_text=query).wait_for(timeout=60000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    sizes = [wire_size(r.url, r.body()) for r in seen if r.status == 200]
    page.close()
    return sum(sizes[:before]), sum(sizes[before:]), len(sizes) - before


# A slow phone, as Chromium emulates it (--phone): a 400 ms round trip and 400 kbit/s each
# way, and a processor four times slower than this machine's.
PHONE_NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}
PHONE_CPU_SLOWDOWN = 4


def phone_seconds(browser, url: str, query: str) -> float:
    """Seconds from typing `query` on the loaded search page to its first result on screen,
    on the emulated slow phone."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    start = time.perf_counter()
    page.locator("#cari .pagefind-ui__search-input").fill(query)
    page.locator(".pagefind-ui__message").filter(has_text=query).wait_for(timeout=180000)
    page.locator(".pagefind-ui__result").first.wait_for(timeout=180000)
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--series", type=int, default=4000)
    p.add_argument("--work", type=Path, default=HERE / "_work" / "search-transfer")
    p.add_argument("--phone", action="store_true",
                   help="also time each query to its first result on an emulated slow phone (400 ms, 400 kbit/s, CPU 4x slower)")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from sitegen import search
    from sitegen.pipeline import Options, build

    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    work = args.work.resolve()
    site, _ = gen.generate(work / "corpus", args.series)
    shutil.rmtree(site / "templates")
    shutil.copytree(REPO / "templates", site / "templates")
    www = work / "www"
    shutil.rmtree(www, ignore_errors=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    per_part, chunk = search.PAGES_PER_PART, search.CHUNK_POSITIONS
    # name -> (pages per part, positions per word-index chunk; None: as Pagefind cuts them)
    layouts = {
        "one index, Pagefind's chunks": (10**9, None),
        f"parts of {per_part}, Pagefind's chunks": (per_part, None),
        "one index": (10**9, chunk),
        f"parts of {per_part}": (per_part, chunk),
    }
    for name, (search.PAGES_PER_PART, search.CHUNK_POSITIONS) in layouts.items():
        folder = name.replace(" ", "-").replace(",", "").replace("'", "")
        print(f"building {args.series} series with the search index as {name} ...", flush=True)
        build(Options(root=site, output=www / folder, today=dt.date(2026, 11, 23), use_cache=False,
                      base_url=f"{origin}/{folder}/"))
    search.PAGES_PER_PART, search.CHUNK_POSITIONS = per_part, chunk
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for name in layouts:
            folder = name.replace(" ", "-").replace(",", "").replace("'", "")
            parts = len(list((www / folder / "pagefind").rglob("pagefind-entry.json")))
            for q in QUERIES:
                page_bytes, query_bytes, requests = measure(browser, f"{origin}/{folder}/cari/", q)
                phone = phone_seconds(browser, f"{origin}/{folder}/cari/", q) if args.phone else None
                rows.append((name, parts, q, page_bytes, query_bytes, requests, phone))
        browser.close()
    httpd.shutdown()
    print()
    print(f"{'index':34} {'parts':>5}  {'query':22} {'page KB':>8} {'query KB':>9} {'requests':>8}"
          + (f" {'phone s':>8}" if args.phone else ""))
    for name, parts, q, page_bytes, query_bytes, requests, phone in rows:
        print(f"{name:34} {parts:5d}  {q:22} {page_bytes / 1024:8.1f} {query_bytes / 1024:9.1f} {requests:8d}"
              + (f" {phone:8.1f}" if phone is not None else ""))
    print(f"\ncommand: python benchmarks/search_transfer.py --series {args.series}" + (" --phone" if args.phone else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
