#!/usr/bin/env python3
"""How quickly a chart becomes interactive on a slow phone, and what the chart library costs.

    python scripts/chart_speed.py               # builds, serves with gzip, prints the figures
    python scripts/chart_speed.py --runs 5 --no-gzip

On /laporan/2023/ in headless Chromium at 360x800, with the network throttled through the
DevTools protocol to slow 4G (Network.emulateNetworkConditions: 150 ms round trip, 1.6 Mbit/s
down, 750 kbit/s up), the CPU slowed 4x (Emulation.setCPUThrottlingRate) and the browser
cache off, served like GitHub Pages (gzip for text files, scripts/lighthouse.py's server):

- "chart library": bytes received for plotly-basic.min.js (the encoded size on the wire,
  headers included, from Network.loadingFinished);
- "scroll to interactive": from the moment the page scrolls to the chart until the chart
  is drawn by plotly.js and answers to hover and tap (the figure's data-state="drawn").

The page is first loaded and left idle (nothing of the chart library is fetched then); the
median of --runs runs is reported with the slowest. Targets: at most 450 KB and 4 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lighthouse import REPORT_PAGE, build_site, chrome_path, serve  # noqa: E402

LIBRARY = "plotly-basic.min.js"
LATENCY_MS = 150
DOWN_BPS = 1.6e6  # bits per second
UP_BPS = 750e3
CPU_SLOWDOWN = 4
TARGET_BYTES = 450 * 1024
TARGET_SECONDS = 4.0

SCROLL_AND_WAIT = """() => new Promise(resolve => {
  const fig = document.querySelector('figure[data-chart]');
  const t0 = performance.now();
  const done = () => fig.dataset.state === 'drawn';
  const mo = new MutationObserver(() => { if (done()) { mo.disconnect(); resolve(performance.now() - t0); } });
  mo.observe(fig, {attributes: true, attributeFilter: ['data-state']});
  fig.scrollIntoView({block: 'center'});
})"""


def one_run(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "downloadThroughput": DOWN_BPS / 8, "uploadThroughput": UP_BPS / 8,
    })
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    urls: dict = {}
    sizes: dict = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    before = [u for u in urls.values() if LIBRARY in u]
    ms = page.evaluate(SCROLL_AND_WAIT)
    page.wait_for_load_state("networkidle")
    library = sum(sizes.get(rid, 0) for rid, u in urls.items() if LIBRARY in u)
    page_bytes = sum(size for rid, size in sizes.items() if LIBRARY not in urls.get(rid, ""))
    context.close()
    return {"seconds": ms / 1000, "library": library, "page": page_bytes, "fetched_before_scroll": bool(before)}


def measure(runs: int, gzip: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright

    import lighthouse

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        if not gzip:
            lighthouse.COMPRESSIBLE = ()
        with serve(site) as port:
            origin = f"http://127.0.0.1:{port}/"
            build_site(site, origin)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chrome_path(), args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"])
                try:
                    return [one_run(browser, origin + REPORT_PAGE.lstrip("/")) for _ in range(runs)]
                finally:
                    browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported (default 3)")
    parser.add_argument("--no-gzip", action="store_true", help="serve without compression")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    results = measure(args.runs, not args.no_gzip)
    seconds = [r["seconds"] for r in results]
    library = statistics.median(r["library"] for r in results)
    median = statistics.median(seconds)
    early = any(r["fetched_before_scroll"] for r in results)
    print(f"/laporan/2023/ at 360 px, slow 4G ({LATENCY_MS} ms, {DOWN_BPS / 1e6:g} Mbit/s), {CPU_SLOWDOWN}x CPU, "
          f"{'gzip' if not args.no_gzip else 'no compression'}, {args.runs} runs")
    print(f"| chart library transferred | {library / 1024:,.1f} KB | target <= {TARGET_BYTES // 1024} KB: {'PASS' if library <= TARGET_BYTES else 'FAIL'} |")
    print(f"| scroll to interactive chart (median; slowest) | {median:.2f} s; {max(seconds):.2f} s | target <= {TARGET_SECONDS:g} s: {'PASS' if median <= TARGET_SECONDS else 'FAIL'} |")
    print(f"| page before scrolling (HTML, CSS, JS, icon) | {statistics.median(r['page'] for r in results) / 1024:,.1f} KB | library fetched before the scroll: {'yes' if early else 'no'} |")
    return 0 if library <= TARGET_BYTES and median <= TARGET_SECONDS and not early else 1


if __name__ == "__main__":
    sys.exit(main())
