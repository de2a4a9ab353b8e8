#!/usr/bin/env python3
"""Lighthouse (mobile preset) on a freshly built site, served locally the way GitHub Pages
serves it (gzip for text files), and a Markdown table of the scores and page weights.

    python scripts/lighthouse.py            # builds, serves on 127.0.0.1, prints the table
    python scripts/lighthouse.py --json out.json --details

Pages: the home page, /laporan/2023/ (charts) and one series page. "Transferred" is
Lighthouse's total-byte-weight audit: every byte the page loads over the network without
any interaction (HTML, CSS, JS, fonts, images), as sent (gzip'd where the server compresses).

Needs Lighthouse 12 (`bash scripts/test.sh` installs it into .cache/node) and Chromium
(CHROME_PATH, default /usr/bin/chromium). Nothing is fetched from the internet: the
browser runs with background networking off, and the site loads only its own files.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LABELS = {"performance": "Performance", "accessibility": "Accessibility", "best-practices": "Best practices", "seo": "SEO"}
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ics", ".csv", ".map", ".webmanifest")
REPORT_PAGE = "/laporan/2023/"


def lighthouse_bin() -> str | None:
    given = os.environ.get("LIGHTHOUSE_BIN")
    if given and Path(given).exists():
        return given
    local = ROOT / ".cache" / "node" / "node_modules" / ".bin" / "lighthouse"
    if local.exists():
        return str(local)
    return shutil.which("lighthouse")


def chrome_path() -> str:
    return os.environ.get("CHROME_PATH", "/usr/bin/chromium")


# ---- a static server that compresses like GitHub Pages --------------------------------------

class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder; text files gzip'd when the client accepts it, with the
    cache lifetime GitHub Pages sends (10 minutes)."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].endswith("/") or not os.path.isfile(index):
                return super().send_head()
            path = index
        if not path.endswith(COMPRESSIBLE) or "gzip" not in self.headers.get("Accept-Encoding", "") or not os.path.isfile(path):
            return super().send_head()
        with open(path, "rb") as fh:
            body = gzip.compress(fh.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


@contextlib.contextmanager
def serve(folder: Path, port: int = 0):
    handler = functools.partial(GzipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


# ---- build, run, report ----------------------------------------------------------------------

def build_site(out: Path, base_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--root", str(ROOT), "--output", str(out),
         "--base-url", base_url, "--no-cache", "--no-search", "--quiet"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stdout}{proc.stderr}")


def pick_pages(site: Path) -> list[tuple[str, str]]:
    """(label, path) of the measured pages: home, the 2023 report, the first series page."""
    series = sorted(p.parent.name for p in (site / "seri").glob("*/index.html"))
    if not series:
        raise SystemExit("the built site has no series pages")
    pages = [("Home", "/"), ("2023 report, with charts", REPORT_PAGE), ("A series", f"/seri/{series[0]}/")]
    return [(label, path) for label, path in pages if (site / path.lstrip("/") / "index.html").is_file()]


def run_lighthouse(url: str, binary: str) -> dict:
    env = dict(os.environ, CHROME_PATH=chrome_path())
    with tempfile.TemporaryDirectory(prefix="lh-") as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run(
            [binary, url, "--output=json", f"--output-path={out}", "--quiet",
             f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES),
             "--max-wait-for-load=30000"],
            capture_output=True, text=True, env=env, timeout=240,
        )
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse failed on {url} (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def summarise(label: str, path: str, report: dict) -> dict:
    cats = report["categories"]
    audits = report["audits"]
    weight = audits.get("total-byte-weight", {})
    items = (weight.get("details") or {}).get("items", [])
    failing = {}
    for cat in CATEGORIES:
        bad = []
        for ref in cats[cat]["auditRefs"]:
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) > 0 and score is not None and score < 1:
                bad.append({"id": ref["id"], "title": audit.get("title", ""), "score": score,
                            "value": audit.get("displayValue", "")})
        failing[cat] = bad
    return {
        "label": label,
        "path": path,
        "scores": {cat: round((cats[cat]["score"] or 0) * 100) for cat in CATEGORIES},
        "transferred": int(weight.get("numericValue", 0)),
        "requests": [{"url": i.get("url"), "bytes": i.get("totalBytes")} for i in items],
        "failing": failing,
        "metrics": {k: audits[k].get("displayValue") for k in (
            "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
            "cumulative-layout-shift", "speed-index") if k in audits},
        "console_errors": [i.get("description") for i in (audits.get("errors-in-console", {}).get("details") or {}).get("items", [])],
    }


def markdown_table(results: list[dict]) -> str:
    head = "| Page | " + " | ".join(LABELS[c] for c in CATEGORIES) + " | Transferred |"
    rule = "|---|" + "---:|" * (len(CATEGORIES) + 1)
    rows = [
        f"| {r['label']} (`{r['path']}`) | " + " | ".join(str(r["scores"][c]) for c in CATEGORIES)
        + f" | {r['transferred'] / 1024:.1f} KB |"
        for r in results
    ]
    return "\n".join([head, rule, *rows])


def details(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n{r['label']} {r['path']}: " + ", ".join(f"{k} {v}" for k, v in r["metrics"].items()))
        for req in r["requests"]:
            lines.append(f"  {req['bytes'] / 1024:7.1f} KB  {req['url']}")
        for cat, bad in r["failing"].items():
            for a in bad:
                lines.append(f"  [{cat}] {a['id']}: {a['title']} (score {a['score']}) {a['value']}")
        for e in r["console_errors"]:
            lines.append(f"  console error: {e}")
    return "\n".join(lines)


def measure(site: Path | None = None) -> list[dict]:
    """Build (unless `site` is given), serve and run Lighthouse on the three pages."""
    binary = lighthouse_bin()
    if binary is None:
        raise SystemExit("lighthouse not found: run `bash scripts/test.sh` once (it installs Lighthouse 12 into .cache/node)")
    if not Path(chrome_path()).exists():
        raise SystemExit(f"Chromium not found at {chrome_path()} (set CHROME_PATH)")
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lh-site-")))
        # The server starts first: the site is built for the address it is served from, so
        # that canonical links and the sitemap point where Lighthouse looks.
        if site is None:
            holder = tmp / "site"
            holder.mkdir()
            port = stack.enter_context(serve(holder))
            build_site(tmp / "built", f"http://127.0.0.1:{port}/")
            holder.rmdir()
            (tmp / "built").rename(holder)
            site = holder
        else:
            port = stack.enter_context(serve(site))
        results = []
        for label, path in pick_pages(site):
            report = run_lighthouse(f"http://127.0.0.1:{port}{path}", binary)
            result = summarise(label, path, report)
            html = (site / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
            result["charts"] = 'type="application/json"' in html  # a chart's data island
            results.append(result)
        return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="measure this already built folder instead of building")
    ap.add_argument("--json", type=Path, help="also write the full results as JSON here")
    ap.add_argument("--details", action="store_true", help="list every request and every audit below 100%%")
    args = ap.parse_args(argv)
    results = measure(args.site)
    print(markdown_table(results))
    if args.details:
        print(details(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
