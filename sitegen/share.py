"""Share images: the picture WhatsApp, Telegram and social sites show beside a shared link.

Every series, program and report page (and the site as a whole, for the other pages) gets a
1200x630 PNG at `<page>/pratinjau.png`, named in its `og:image` and `twitter:image` tags. The
image is drawn at build time with Pillow and the DejaVu Sans fonts vendored in
sitegen/fonts/ (Bitstream Vera licence, LICENSE-DejaVu.txt), so every machine draws the
same glyphs.

A page declares its card on its route (`Route.card`, routes.py): which of the cards below it
shows, made from the page's own context. Each image is an ordinary data route (listed in
sitegen/planners.py): its context holds only the texts it shows and the fonts' digest, so
the build cache redraws an image only when one of those changes. The PNG carries no time stamp or text chunk (Pillow writes none unless
asked), so the same input gives the same bytes.

Pillow is imported in the functions that draw ("Pillow: drawing only"): a build whose
images are all current (an incremental build, `check`, the preview until a card is asked
for) never loads it (0.07 s of CPU time, least of nine runs on 5 December 2026).
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import unicodedata
from pathlib import Path

from zlib_ng import zlib_ng as zlib  # zlib's interface, zlib-ng's speed (ZLIB_LEVEL)

from . import localeformat, reuse
from .routes import SHARE_IMAGE_NAME, Route

WIDTH, HEIGHT = 1200, 630
IMAGE_NAME = SHARE_IMAGE_NAME
FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

BG = (11, 92, 171)  # the site's accent blue (#0b5cab)
BG_DARK = (8, 64, 120)
FG = (255, 255, 255)
SOFT = (207, 226, 247)  # #cfe2f7, the light page of the brand mark
SAMPLE_BG = (255, 240, 214)
SAMPLE_FG = (122, 67, 0)
MARGIN = 64


@functools.lru_cache(maxsize=1)
def fonts_digest() -> str:
    h = hashlib.blake2b(digest_size=12)
    for path in (REGULAR, BOLD):
        h.update(path.read_bytes())
    return h.hexdigest()


# ---- drawing -----------------------------------------------------------------------------------
#
# What a card costs, and why it is drawn this way (benchmarks/share_card.py measures it):
# ImageDraw.text rasterises every glyph of a line with FreeType on every call, and a whole
# RGB picture then has to be mapped to a palette and compressed. Here the parts every card of
# a site shares (background, brand, badge, footer) are drawn once and kept as palette indices
# and as compressed rows; each glyph is rasterised once per font and size, then only pasted;
# the card's own text is drawn straight as indices into the palette (ramps from the
# background to each text colour); and only the band of rows that holds that text is
# compressed: the rest of the PNG's data stream is the backdrop's compressed rows, reused.

BAND_TOP, BAND_BOTTOM = 120, HEIGHT - 96  # the rows a card's own text is drawn in
# Compressed with zlib-ng (python-zlib-ng), at level 2. On one card's text band (about 500 KB
# of palette indices; 200 runs): zlib level 1 took 1.01 ms and gave 22.1 KB; zlib-ng level 1
# 0.33 ms and 25.8 KB (its level 1 uses fixed Huffman codes only); zlib-ng level 2 0.46 ms
# and 18.6 KB; zlib-ng level 6 1.64 ms and 15.3 KB. Its Adler-32 took 0.01 ms against
# zlib's 0.17. Every size is far under the 300 KB that WhatsApp and Facebook accept; the
# bytes depend on the library's version, pinned in requirements.txt.
ZLIB_LEVEL = 2
ZLIB_HEADER = b"\x78\x5e"  # deflate, 32 KB window, "fast" levels (RFC 1950: FLEVEL 1)

INK_LEVELS, SOFT_LEVELS = 64, 40  # the ramps of FG and of SOFT over BG, at indices 0 and 64
# Text drawn over the background as mixes of two colours; the palette holds each ramp.
# The first ramp starts at the background, so palette index 0 is the background.
_RAMPS = ((BG, FG, INK_LEVELS), (BG, SOFT, SOFT_LEVELS), (BG_DARK, SOFT, 40), (BG, BG_DARK, 8),
          (SAMPLE_BG, SAMPLE_FG, 40), (BG, SAMPLE_FG, 16), (FG, SAMPLE_FG, 16))
_SOFT_LUT = [0] + [INK_LEVELS + v for v in range(1, 256)]  # a step of the soft ramp -> its index
_NONZERO = [0] + [255] * 255

# Characters whose glyphs sit side by side, each drawn on its own (Latin, Greek, Cyrillic,
# punctuation): a text with any other character (an Arabic word, a combining mark) is laid
# out and drawn by Pillow's shaping layout instead.
_SIMPLE = re.compile("[\u0020-\u007e\u00a0-\u024f\u0370-\u0482\u048a-\u052f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]*")


def _ramp(a, b, n) -> list:
    return [tuple(round(a[i] + (b[i] - a[i]) * k / (n - 1)) for i in range(3)) for k in range(n)]


@functools.lru_cache(maxsize=1)
def _palette_bytes() -> bytes:
    colours = [c for a, b, n in _RAMPS for c in _ramp(a, b, n)]
    return bytes(v for colour in colours for v in colour)


def _palette():
    """A 'P' image holding the palette, to map the backdrop (drawn in RGB) to it."""
    from PIL import Image  # Pillow: drawing only (module docstring)

    flat = _palette_bytes()
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat + bytes(768 - len(flat)))
    return pal


_WORD_CACHE_PIXELS = 8_000_000  # per face: about 8 MB of drawn words, then they are drawn again


class _Face:
    """One font at one size, with what was drawn kept: each glyph is rasterised once, each
    word is put together from its glyphs once, and their advances and the kerning of each
    pair are looked up once. A line is its words, each starting on a whole pixel, and the
    spaces between them; glyphs inside a word are placed as Pillow's basic layout places
    them. Measuring uses the same rule as drawing, so wrapping and drawing agree."""

    def __init__(self, bold: bool, size: int):
        from PIL import ImageFont, features  # Pillow: drawing only (module docstring)

        path = str(BOLD if bold else REGULAR)
        self.font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
        shaping = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
        self.shaped = ImageFont.truetype(path, size, layout_engine=shaping)
        self.ascent, self.descent = self.font.getmetrics()
        self.space = self.font.getlength(" ")
        self.glyphs: dict = {}
        self.words: dict = {}
        self.word_pixels = 0

    def _glyph(self, ch: str) -> tuple:
        """(advance, coverage image or None, left, top relative to the pen on the baseline)."""
        g = self.glyphs.get(ch)
        if g is None:
            from PIL import Image, ImageDraw  # Pillow: drawing only (module docstring)

            dx, dy, right, bottom = self.font.getbbox(ch, anchor="ls")
            mask = None
            if right > dx and bottom > dy:
                mask = Image.new("L", (right - dx, bottom - dy), 0)
                ImageDraw.Draw(mask).text((-dx, -dy), ch, font=self.font, fill=255, anchor="ls")
            g = self.glyphs[ch] = (self.font.getlength(ch), mask, dx, dy)
        return g

    def _word(self, word: str) -> tuple:
        """(advance, coverage image or None, left, top): a word without spaces."""
        w = self.words.get(word)
        if w is not None:
            return w
        from PIL import Image  # Pillow: drawing only (module docstring)

        pen, prev, placed = 0.0, "", []
        for ch in word:
            if prev:  # the pair's kerning
                pen += self.font.getlength(prev + ch) - self._glyph(prev)[0] - self._glyph(ch)[0]
            advance, mask, dx, dy = self._glyph(ch)
            if mask is not None:
                placed.append((round(pen) + dx, dy, mask))
            pen += advance
            prev = ch
        mask, left, top = None, 0, 0
        if placed:
            left, top = min(p[0] for p in placed), min(p[1] for p in placed)
            right = max(p[0] + p[2].size[0] for p in placed)
            bottom = max(p[1] + p[2].size[1] for p in placed)
            mask = Image.new("L", (right - left, bottom - top), 0)
            for x, y, m in placed:
                mask.paste(255, (x - left, y - top, x - left + m.size[0], y - top + m.size[1]), m)
            if self.word_pixels > _WORD_CACHE_PIXELS:
                self.words.clear()
                self.word_pixels = 0
            self.word_pixels += mask.size[0] * mask.size[1]
        w = self.words[word] = (pen, mask, left, top)
        return w

    def _layout(self, text: str):
        """(pen x, word) for each word of a line, and the line's length."""
        pen, out = 0.0, []
        for i, word in enumerate(text.split(" ")):
            if i:
                pen += self.space
            if word:
                start = round(pen)
                out.append((start, word))
                pen = start + self._word(word)[0]
        return out, pen

    def length(self, text: str) -> float:
        if not _SIMPLE.fullmatch(text):
            return self.shaped.getlength(text)
        return self._layout(text)[1]

    def draw(self, canvas, x: int, baseline: int, text: str, value: int) -> None:
        """Blend `value` into `canvas` (an 'L' image) through the text's coverage, the pen
        starting at x on the baseline."""
        if not _SIMPLE.fullmatch(text):
            from PIL import ImageDraw  # Pillow: drawing only (module docstring)

            ImageDraw.Draw(canvas).text((x, baseline), text, font=self.shaped, fill=value, anchor="ls")
            return
        for start, word in self._layout(text)[0]:
            _, mask, dx, dy = self._word(word)
            if mask is not None:
                left, top = x + start + dx, baseline + dy
                canvas.paste(value, (left, top, left + mask.size[0], top + mask.size[1]), mask)


@functools.lru_cache(maxsize=64)
def _face(bold: bool, size: int) -> _Face:
    return _Face(bold, size)


def _wrap(text: str, face: _Face, width: int) -> list[str]:
    """Greedy word wrap; a single word wider than the line is cut with an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if face.length(trial) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word if face.length(word) <= width else _cut(word, face, width)
    if line:
        lines.append(line)
    return lines


def _cut(text: str, face: _Face, width: int) -> str:
    while text and face.length(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _fitting(text: str, face: _Face, width: int) -> str:
    return text if face.length(text) <= width else _cut(text, face, width)


def _fit(text: str, width: int, height: int, sizes: tuple) -> tuple:
    """The largest size (of `sizes`) at which `text` fits in the box; else the smallest size
    with the last line that fits ending in an ellipsis. Returns (face, line step, lines)."""
    for size in sizes:
        face = _face(True, size)
        step = round(size * 1.2)
        lines = _wrap(text, face, width)
        if len(lines) * step <= height:
            return face, step, lines
    keep = max(1, height // step)
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = _cut(lines[-1] + " ", face, width)
    return face, step, lines


def _brand(draw, site_title: str) -> None:
    x, y, s = MARGIN, 52, 56
    draw.rounded_rectangle((x, y, x + s, y + s), radius=12, fill=FG)
    k = s / 32  # the SVG mark of the site header, on a white tile
    draw.polygon([(x + 6 * k, y + 9.6 * k), (x + 15.4 * k, y + 11 * k), (x + 15.4 * k, y + 24.1 * k), (x + 6 * k, y + 22.7 * k)], fill=BG)
    draw.polygon([(x + 26 * k, y + 9.6 * k), (x + 16.6 * k, y + 11 * k), (x + 16.6 * k, y + 24.1 * k), (x + 26 * k, y + 22.7 * k)], fill=BG)
    face = _face(True, 30)
    title = _fitting(site_title, face, WIDTH - 2 * MARGIN - s - 20)
    draw.text((x + s + 20, y + s / 2), title, font=face.shaped, fill=FG, anchor="lm")


def _badge(draw, text: str, right: int, top: int) -> None:
    face = _face(True, 26)
    w = face.shaped.getlength(text)
    box = (right - w - 36, top, right, top + 48)
    draw.rounded_rectangle(box, radius=24, fill=SAMPLE_BG, outline=SAMPLE_FG, width=3)
    draw.text(((box[0] + box[2]) / 2, top + 24), text, font=face.shaped, fill=SAMPLE_FG, anchor="mm")


class _Backdrop:
    """What the cards of a site with one badge share, drawn once: the rows above and below
    the text band as palette indices, PNG-filtered and compressed, ready to be joined to a
    card's band in one zlib stream."""

    def __init__(self, site_title: str, org: str, badge: str):
        from PIL import Image, ImageDraw  # Pillow: drawing only (module docstring)

        img = Image.new("RGB", (WIDTH, HEIGHT), BG)
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=BG_DARK)
        _brand(draw, site_title)
        if badge:
            _badge(draw, badge, WIDTH - MARGIN, 56)
        face = _face(False, 28)
        draw.text((MARGIN, HEIGHT - 48), _fitting(org, face, WIDTH - 2 * MARGIN), font=face.shaped, fill=SOFT, anchor="lm")
        raw = img.quantize(palette=_palette(), dither=Image.Dither.NONE).tobytes()
        rows = [b"\0" + raw[y * WIDTH:(y + 1) * WIDTH] for y in range(HEIGHT)]  # filter type 0
        top, self.bottom = b"".join(rows[:BAND_TOP]), b"".join(rows[BAND_BOTTOM:])
        z = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, -15)
        self.top_z = z.compress(top) + z.flush(zlib.Z_FULL_FLUSH)
        z = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, -15)
        self.bottom_z = z.compress(self.bottom) + z.flush(zlib.Z_FINISH)
        self.top_adler = zlib.adler32(top)
        self.bottom_adler, self.bottom_length = zlib.adler32(self.bottom), len(self.bottom)


@functools.lru_cache(maxsize=8)
def _backdrop(site_title: str, org: str, badge: str) -> _Backdrop:
    return _Backdrop(site_title, org, badge)


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two pieces of data joined, from the checksum of each (as zlib's
    adler32_combine): the backdrop's rows are not read again for every card."""
    base = 65521
    rem = second_length % base
    s1 = first & 0xFFFF
    s2 = (rem * s1) % base
    s1 = (s1 + (second & 0xFFFF) + base - 1) % base
    s2 = (s2 + (first >> 16) + (second >> 16) + base - rem) % base
    return s1 | (s2 << 16)


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def one_line(text: str) -> str:
    """Text as one line: newlines, tabs and other control characters become single spaces."""
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(text)).split())


class _Band:
    """The card's own text, as palette indices, one column wider than the picture (column 0
    stays 0: each row's PNG filter byte). White text is drawn straight into it: a glyph's
    coverage blends index 0 (the background) with the last index of the white ramp, which
    gives the ramp's index for that coverage. Soft text is drawn on its own strip and its
    coverage moved to the soft ramp before it is laid on the band."""

    def __init__(self):
        from PIL import Image  # Pillow: drawing only (module docstring)

        self.image = Image.new("L", (WIDTH + 1, BAND_BOTTOM - BAND_TOP), 0)

    def text(self, face: _Face, x: int, y: int, text: str, soft: bool = False, baseline: bool = False) -> None:
        """Draw at (x, y): y is the line's top (its ascent above the baseline), or with
        baseline=True the baseline."""
        base = (y if baseline else y + face.ascent) - BAND_TOP
        if not soft:
            face.draw(self.image, x + 1, base, text, INK_LEVELS - 1)
            return
        from PIL import Image  # Pillow: drawing only (module docstring)

        top = max(0, base - face.ascent - 4)
        strip = Image.new("L", (WIDTH + 1, min(self.image.size[1], base + face.descent + 4) - top), 0)
        face.draw(strip, x + 1, base - top, text, SOFT_LEVELS - 1)
        self.image.paste(strip.point(_SOFT_LUT), (0, top), strip.point(_NONZERO))

    def rows(self) -> bytes:
        return self.image.tobytes()


def draw_png(ctx: dict) -> bytes:
    """The PNG for one share image; `ctx` as made by image_routes."""
    ctx = {k: one_line(v) if isinstance(v, str) else v for k, v in ctx.items()}
    backdrop = _backdrop(ctx["site"], ctx["org"], ctx.get("badge") or "")
    band = _Band()
    inner = WIDTH - 2 * MARGIN
    y = 158
    if ctx.get("kicker"):
        face = _face(False, 34)
        band.text(face, MARGIN, y, _fitting(ctx["kicker"], face, inner), soft=True)
        y += 58
    if ctx.get("figure"):  # a report: the headline figure under its title
        face = _face(True, 56)
        band.text(face, MARGIN, y, _fitting(ctx["title"], face, inner))
        y += 86
        band.text(_face(True, 128), MARGIN, y, ctx["figure"])
        y += 142
        if ctx.get("figure_note"):
            face = _face(False, 30)
            for line in _wrap(ctx["figure_note"], face, inner)[:2]:
                band.text(face, MARGIN, y, line, soft=True)
                y += 38
    else:
        room = HEIGHT - 96 - 90 - y  # above the date line
        face, step, lines = _fit(ctx["title"], inner, room, (68, 62, 56, 50, 46, 42, 38))
        for line in lines:
            band.text(face, MARGIN, y, line)
            y += step
        if ctx.get("summary") and HEIGHT - 96 - 70 - y >= 80:
            face = _face(False, 30)
            y += 10
            for line in _wrap(ctx["summary"], face, inner)[: (HEIGHT - 96 - 70 - y) // 40]:
                band.text(face, MARGIN, y, line, soft=True)
                y += 40
    if ctx.get("when"):
        face = _face(True, 34)
        band.text(face, MARGIN, HEIGHT - 96 - 26, _fitting(ctx["when"], face, inner), baseline=True)
    rows = band.rows()
    z = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, -15)
    data = ZLIB_HEADER + backdrop.top_z + z.compress(rows) + z.flush(zlib.Z_FULL_FLUSH) + backdrop.bottom_z
    adler = _adler32_combine(zlib.adler32(rows, backdrop.top_adler), backdrop.bottom_adler, backdrop.bottom_length)
    data += struct.pack(">I", adler)
    # No time, text or other chunk: the same card gives the same bytes.
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0))
            + _chunk(b"PLTE", _palette_bytes()) + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def produce(_globals: dict, ctx: dict) -> bytes:
    return draw_png(ctx)


# ---- routes ------------------------------------------------------------------------------------

def _hhmm(t) -> str:
    return f"{t:%H.%M}"


def _series_context(config, series, program, upcoming: bool) -> dict:
    lang = config.language
    when = localeformat.long_date(series.date, lang)
    start = series.start_time(program) if upcoming else series.time
    if start is not None:
        end = series.end_time(program) if upcoming else None
        when += f" · {_hhmm(start)}{'–' + _hhmm(end) if end else ''} WIB"
    return {
        "kicker": program.title, "title": series.title, "when": when,
        "badge": "CONTOH" if series.sample else ("DRAF" if series.draft else ""),
    }


def _program_context(config, program) -> dict:
    when = f"Setiap {program.weekday_name}"
    if program.time is not None:
        end = program.end_time
        when += f" · {_hhmm(program.time)}{'–' + _hhmm(end) if end else ''} WIB"
    kicker = "Gerakan ASN Dahar Ngopi" if program.movement == "dahar-ngopi" else "Program"
    return {"kicker": kicker, "title": program.title, "summary": program.summary, "when": when, "badge": ""}


def _year_context(config, year, programs) -> dict:
    lang = config.language
    ctx = {"kicker": "Laporan jangkauan", "title": f"Laporan {year.year}", "badge": "", "when": ""}
    if year.rows:
        names = [p.title for p in programs if any(r.program == p.slug for r in year.rows)]
        ctx["figure"] = localeformat.number(year.reach, lang)
        note = f"peserta dan penonton dari {localeformat.number(year.series, lang)} seri"
        if names:
            note += " " + " dan ".join(names)
        if year.partial and year.as_of is not None:
            note += f", hingga {localeformat.long_date(year.as_of, lang).split(', ', 1)[-1]}"
        ctx["figure_note"] = note
    else:
        ctx["when"] = "Belum ada angka resmi untuk tahun ini"
    return ctx


def _reports_context(config, reports, programs) -> dict:
    lang = config.language
    ctx = {"kicker": "Laporan jangkauan", "title": "Jangkauan program", "badge": "", "when": ""}
    if reports.programs:
        top = max(reports.programs, key=lambda t: t.reach)
        name = next((p.title for p in programs if p.slug == top.program), top.program)
        ctx["figure"] = localeformat.number(top.reach, lang)
        ctx["figure_note"] = f"peserta dan penonton {name} dari {localeformat.number(top.series, lang)} seri yang dinyatakan"
    return ctx


def _home_context(config, _context) -> dict:
    return {"kicker": config.organisation, "title": "Tiada hari tanpa pengembangan kompetensi",
            "when": "Jadwal Senin–Jumat, arsip seri, dan laporan jangkauan", "badge": ""}


# card name (Route.card) -> the texts of the card, from (config, the page's context)
CARDS = {
    "series": lambda config, c: _series_context(config, c["series"], c["program"], c["upcoming"]),
    "program": lambda config, c: _program_context(config, c["program"]),
    "report_year": lambda config, c: _year_context(config, c["year"], c["programs"]),
    "reports": lambda config, c: _reports_context(config, c["reports"], c["programs"]),
    "home": _home_context,
}


def image_route(config, route: Route, fonts: str, texts: bool = True) -> Route:
    """The PNG route of a page that declares a card, made from the page's context.
    `texts=False` (a check, which never draws a card: checked=False) plans its path only."""
    if route.card not in CARDS:
        raise ValueError(f"{route.url}: unknown share card {route.card!r} (known: {', '.join(sorted(CARDS))})")
    common = {"site": config.title, "org": config.organisation, "fonts": fonts}
    context = {**common, **CARDS[route.card](config, route.context)} if texts else {}
    return Route(route.share_image, None, context, producer=produce, sitemap=False, checked=False)


def image_routes(site, reports, routes_so_far: list, keep=None, texts: bool = True) -> list:
    """One PNG route for each page that declares a card (Route.card): every series,
    program and report page, and the home page, whose image is the site's. `keep`: what
    the preview's previous load planned (reuse.py). `texts=False`: paths only (a check)."""
    config = site.config
    if not config.share_images:
        return []
    fonts = fonts_digest()
    if not texts:
        return [image_route(config, route, fonts, texts=False) for route in routes_so_far if route.card]
    return [reuse.call(keep, image_route, (config, route), (fonts,)) for route in routes_so_far if route.card]
