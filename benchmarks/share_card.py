"""What one share image (1200x630 PNG, sitegen/share.py) costs, and where the time goes.

    python benchmarks/share_card.py [--cards 400] [--repeats 5]

Draws the cards of the first --cards series of the benchmark corpus (benchmarks/
generate_corpus.py: the same titles, programs, dates and "CONTOH" badge a build of the
corpus draws), in this process, one after the other. Prints the median time per card over
--repeats passes, the mean file size, and one pass under cProfile with the time split into
laying out and drawing text, mapping colours to the palette, encoding (filtering,
zlib-ng, checksums) and the rest. The first card of a pass is not special: the
fonts, glyphs and the site's backdrop are made before the timed passes, as a build's worker
makes them on its first card.

A script, not a test: the time depends on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib.util
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def _generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contexts(n: int) -> list[dict]:
    """The share-image contexts of the corpus' first n series, as the build makes them
    (share.py's own series context, from model objects built like the loader builds them)."""
    from sitegen import localeformat, share

    gen = _generator()
    site = {"site": "ASN Belajar & ASN Dahar Ngopi", "org": "BPSDM Provinsi Jawa Timur", "fonts": share.fonts_digest()}
    out = []
    for s in gen.make_series(n, 2024):
        h, m = map(int, s["time"].split(":"))
        when = f"{localeformat.long_date(s['date'], 'id')} · {h:02d}.{m:02d} WIB"
        out.append({**site, "kicker": gen.PROGRAM_TITLES[s["program"]], "title": s["title"], "when": when, "badge": "CONTOH"})
    return out


# Where the time goes, as the cumulative time of the calls that do each job (the present
# drawing code and the one it replaced are both listed, so the script measures either).
GROUPS = (
    ("text: laying out and drawing the glyphs", (
        ("ImageDraw.py", "text"), ("ImageDraw.py", "textlength"),  # Pillow's text drawing
        ("share.py", "draw"), ("share.py", "length"))),  # glyphs rasterised once, then pasted
    ("palette: mapping colours to palette indices", (
        ("Image.py", "quantize"), ("Image.py", "copy"), ("Image.py", "point"))),
    ("encoding: filtering, compressing, checksums", (
        ("Image.py", "save"), ("Image.py", "tobytes"), ("~", "<method 'compress' of 'zlib.Compress' objects>"),
        ("~", "<method 'flush' of 'zlib.Compress' objects>"), ("~", "<built-in method zlib.adler32>"),
        ("~", "<built-in method zlib.crc32>"), ("~", "<method 'compress' of 'zlib_ng._Compress' objects>"),
        ("~", "<method 'flush' of 'zlib_ng._Compress' objects>"), ("~", "<built-in method zlib_ng.zlib_ng.adler32>"),
        ("~", "<built-in method zlib_ng.zlib_ng.crc32>"))),
)


def split(stats: pstats.Stats, total: float) -> dict:
    """Cumulative seconds per group; what no group covers is 'the rest'."""
    out = {}
    for name, calls in GROUPS:
        out[name] = sum(ct for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
                        if any(filename.endswith(f) and func == fn for f, fn in calls))
    out["the rest: the card's layout, word wrap, calls"] = max(0.0, total - sum(out.values()))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Cost of one share image.")
    p.add_argument("--cards", type=int, default=400)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    from sitegen import share

    load_before = os.getloadavg()[0]
    ctxs = contexts(args.cards)
    sizes = [len(share.draw_png(c)) for c in ctxs]  # fonts, glyphs and backdrop made
    passes = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for c in ctxs:
            share.draw_png(c)
        passes.append((time.perf_counter() - start) / len(ctxs))
    prof = cProfile.Profile()
    prof.enable()
    for c in ctxs:
        share.draw_png(c)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    groups = split(stats, total)
    per = statistics.median(passes)
    print(f"one 1200x630 card: {per * 1000:.2f} ms (median of {args.repeats} passes over {len(ctxs)} cards; "
          f"fastest pass {min(passes) * 1000:.2f} ms), {sum(sizes) / len(sizes) / 1024:.1f} KB on average, "
          f"largest {max(sizes) / 1024:.1f} KB")
    print("where the time goes (one pass under cProfile, which adds to the Python part):")
    for name, seconds in groups.items():
        print(f"  {name:44} {seconds / len(ctxs) * 1000:6.2f} ms  {seconds / total:5.0%}")
    print(f"command: python benchmarks/share_card.py --cards {args.cards} --repeats {args.repeats}")
    print(f"load average (1 min) before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    sys.exit(main())
