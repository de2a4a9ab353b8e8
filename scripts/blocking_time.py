#!/usr/bin/env python3
"""Main-thread blocking time of one page in two or more built sites, measured interleaved,
so that the machine's load weighs on each alike.

    python scripts/blocking_time.py SITE_A SITE_B [--path /] [--runs 8]

Each site folder is served on 127.0.0.1 with gzip (scripts/lighthouse.py's server) and the
page opened in Chromium (CHROME_PATH, default /usr/bin/chromium) as a 412x823 phone with the
CPU slowed 4x (DevTools `Emulation.setCPUThrottlingRate`, as Lighthouse's mobile preset).
Blocking time is the sum over the page's long tasks (PerformanceObserver 'longtask') of
their time beyond 50 ms, from navigation to 1.5 s after the load event: Lighthouse's total
blocking time, observed rather than simulated. The runs go A, B, A, B, ...; the medians
and every run are printed with the 1-minute load average. A comparison, not a score: on a
loaded machine the absolute numbers are several times a quiet machine's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lighthouse  # noqa: E402  (the gzip server)

OBSERVE = ("window.__blocking = []; try { new PerformanceObserver(function (l) { l.getEntries().forEach("
           "function (e) { window.__blocking.push(e.duration); }); }).observe({type: 'longtask', buffered: true}); } catch (e) {}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", nargs="+", type=Path)
    ap.add_argument("--path", default="/")
    ap.add_argument("--runs", type=int, default=8)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    times: dict = {str(s): [] for s in args.sites}
    loads = []
    with contextlib.ExitStack() as stack, sync_playwright() as p:
        ports = {str(s): stack.enter_context(lighthouse.serve(s)) for s in args.sites}
        browser = p.chromium.launch(executable_path=lighthouse.chrome_path(), args=["--no-sandbox", "--disable-gpu"])
        for _ in range(args.runs):
            loads.append(os.getloadavg()[0])
            for site in times:
                context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True, has_touch=True)
                page = context.new_page()
                page.add_init_script(OBSERVE)
                context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
                page.goto(f"http://127.0.0.1:{ports[site]}{args.path}", wait_until="load")
                page.wait_for_timeout(1500)
                times[site].append(sum(max(0.0, d - 50) for d in page.evaluate("window.__blocking")))
                context.close()
        browser.close()
    print(f"{args.path}, {args.runs} runs each, CPU 4x, 1-minute load average {min(loads):.1f} to {max(loads):.1f}")
    for site, ms in times.items():
        print(f"{site}: median {statistics.median(ms):.0f} ms; runs {', '.join(f'{m:.0f}' for m in ms)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
