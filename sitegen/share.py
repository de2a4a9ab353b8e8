"""Share images: the picture WhatsApp, Telegram and social sites show beside a shared link.

Every series, program and report page (and the site as a whole, for the other pages) gets a
1200x630 PNG at `<page>/pratinjau.png`, named in its `og:image` and `twitter:image` tags. The
image is drawn at build time with Pillow and the DejaVu Sans fonts vendored in
sitegen/fonts/ (Bitstream Vera licence, LICENSE-DejaVu.txt), so every machine draws the
same glyphs.

Each image is an ordinary data route (listed in sitegen/planners.py): its context holds only
the texts it shows and the fonts' digest, so the build cache redraws an image only when one
of those changes. The PNG carries no time stamp or text chunk (Pillow writes none unless
asked), so the same input gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
from pathlib import Path

from . import i18n

WIDTH, HEIGHT = 1200, 630
IMAGE_NAME = "pratinjau.png"
SITE_IMAGE = "/" + IMAGE_NAME
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


@functools.lru_cache(maxsize=64)
def _font(bold: bool, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


def image_url(page_url: str) -> str:
    return page_url + IMAGE_NAME


# ---- drawing -----------------------------------------------------------------------------------

def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Greedy word wrap; a single word wider than the line is cut with an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if draw.textlength(trial, font=font) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word if draw.textlength(word, font=font) <= width else _cut(draw, word, font, width)
    if line:
        lines.append(line)
    return lines


def _cut(draw, text: str, font, width: int) -> str:
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _fit(draw, text: str, width: int, height: int, sizes: tuple) -> tuple:
    """The largest size (of `sizes`) at which `text` fits in the box; else the smallest size
    with the last line that fits ending in an ellipsis. Returns (font, line step, lines)."""
    for size in sizes:
        font = _font(True, size)
        step = round(size * 1.2)
        lines = _wrap(draw, text, font, width)
        if len(lines) * step <= height:
            return font, step, lines
    keep = max(1, height // step)
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = _cut(draw, lines[-1] + " ", font, width)
    return font, step, lines


def _brand(draw, site_title: str) -> None:
    x, y, s = MARGIN, 52, 56
    draw.rounded_rectangle((x, y, x + s, y + s), radius=12, fill=FG)
    k = s / 32  # the SVG mark of the site header, on a white tile
    draw.polygon([(x + 6 * k, y + 9.6 * k), (x + 15.4 * k, y + 11 * k), (x + 15.4 * k, y + 24.1 * k), (x + 6 * k, y + 22.7 * k)], fill=BG)
    draw.polygon([(x + 26 * k, y + 9.6 * k), (x + 16.6 * k, y + 11 * k), (x + 16.6 * k, y + 24.1 * k), (x + 26 * k, y + 22.7 * k)], fill=BG)
    font = _font(True, 30)
    title = _cut(draw, site_title, font, WIDTH - 2 * MARGIN - s - 20) if draw.textlength(site_title, font=font) > WIDTH - 2 * MARGIN - s - 20 else site_title
    draw.text((x + s + 20, y + s / 2), title, font=font, fill=FG, anchor="lm")


def _badge(draw, text: str, right: int, top: int) -> None:
    font = _font(True, 26)
    w = draw.textlength(text, font=font)
    box = (right - w - 36, top, right, top + 48)
    draw.rounded_rectangle(box, radius=24, fill=SAMPLE_BG, outline=SAMPLE_FG, width=3)
    draw.text(((box[0] + box[2]) / 2, top + 24), text, font=font, fill=SAMPLE_FG, anchor="mm")


@functools.lru_cache(maxsize=1)
def _palette():
    """A 'P' image whose palette holds ramps between the colours that touch in the picture."""
    from PIL import Image

    def ramp(a, b, n):
        return [tuple(round(a[i] + (b[i] - a[i]) * k / (n - 1)) for i in range(3)) for k in range(n)]

    colours = (ramp(BG, FG, 64) + ramp(BG, SOFT, 40) + ramp(BG_DARK, SOFT, 40) + ramp(BG, BG_DARK, 8)
               + ramp(SAMPLE_BG, SAMPLE_FG, 40) + ramp(BG, SAMPLE_FG, 16) + ramp(FG, SAMPLE_FG, 16))
    flat = [c for colour in colours[:256] for c in colour]
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat + [0] * (768 - len(flat)))
    return pal


@functools.lru_cache(maxsize=2)
def _backdrop(site_title: str):
    """What every image of a site shares (background, footer band, brand), drawn once."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (WIDTH, HEIGHT), BG)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=BG_DARK)
    _brand(draw, site_title)
    return img


def one_line(text: str) -> str:
    """Text as one line: newlines, tabs and other control characters become single spaces."""
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(text)).split())


def draw_png(ctx: dict) -> bytes:
    """The PNG for one share image; `ctx` as made by image_routes."""
    from PIL import Image, ImageDraw

    ctx = {k: one_line(v) if isinstance(v, str) else v for k, v in ctx.items()}

    img = _backdrop(ctx["site"]).copy()
    draw = ImageDraw.Draw(img)
    inner = WIDTH - 2 * MARGIN
    y = 158
    if ctx.get("badge"):
        _badge(draw, ctx["badge"], WIDTH - MARGIN, 56)
    if ctx.get("kicker"):
        font = _font(False, 34)
        kicker = ctx["kicker"] if draw.textlength(ctx["kicker"], font=font) <= inner else _cut(draw, ctx["kicker"], font, inner)
        draw.text((MARGIN, y), kicker, font=font, fill=SOFT)
        y += 58
    if ctx.get("figure"):  # a report: the headline figure under its title
        font = _font(True, 56)
        draw.text((MARGIN, y), _cut(draw, ctx["title"], font, inner) if draw.textlength(ctx["title"], font=font) > inner else ctx["title"], font=font, fill=FG)
        y += 86
        big = _font(True, 128)
        draw.text((MARGIN, y), ctx["figure"], font=big, fill=FG)
        y += 142
        if ctx.get("figure_note"):
            note_font = _font(False, 30)
            for line in _wrap(draw, ctx["figure_note"], note_font, inner)[:2]:
                draw.text((MARGIN, y), line, font=note_font, fill=SOFT)
                y += 38
    else:
        room = HEIGHT - 96 - 90 - y  # above the date line
        font, step, lines = _fit(draw, ctx["title"], inner, room, (68, 62, 56, 50, 46, 42, 38))
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=FG)
            y += step
        if ctx.get("summary") and HEIGHT - 96 - 70 - y >= 80:
            note_font = _font(False, 30)
            y += 10
            for line in _wrap(draw, ctx["summary"], note_font, inner)[: (HEIGHT - 96 - 70 - y) // 40]:
                draw.text((MARGIN, y), line, font=note_font, fill=SOFT)
                y += 40
    if ctx.get("when"):
        font = _font(True, 34)
        when = ctx["when"] if draw.textlength(ctx["when"], font=font) <= inner else _cut(draw, ctx["when"], font, inner)
        draw.text((MARGIN, HEIGHT - 96 - 26), when, font=font, fill=FG, anchor="ls")
    font = _font(False, 28)
    org = ctx["org"] if draw.textlength(ctx["org"], font=font) <= inner else _cut(draw, ctx["org"], font, inner)
    draw.text((MARGIN, HEIGHT - 48), org, font=font, fill=SOFT, anchor="lm")
    out = io.BytesIO()
    # Mapped to a fixed palette of the few colours drawn and the blends between them that
    # anti-aliased edges make: a third of the bytes of RGB, five times quicker than an
    # adaptive palette, and the same pixels every time (no dithering).
    img = img.quantize(palette=_palette(), dither=Image.Dither.NONE)
    img.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def produce(_globals: dict, ctx: dict) -> bytes:
    return draw_png(ctx)


# ---- routes ------------------------------------------------------------------------------------

def _hhmm(t) -> str:
    return f"{t:%H.%M}"


def _series_context(config, series, program, upcoming: bool) -> dict:
    lang = config.language
    when = i18n.long_date(series.date, lang)
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
        ctx["figure"] = i18n.number(year.reach, lang)
        note = f"peserta dan penonton dari {i18n.number(year.series, lang)} seri"
        if names:
            note += " " + " dan ".join(names)
        if year.partial and year.as_of is not None:
            note += f", hingga {i18n.long_date(year.as_of, lang).split(', ', 1)[-1]}"
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
        ctx["figure"] = i18n.number(top.reach, lang)
        ctx["figure_note"] = f"peserta dan penonton {name} dari {i18n.number(top.series, lang)} seri yang dinyatakan"
    return ctx


def image_routes(site, reports, routes_so_far: list) -> list:
    """One PNG route per series, program and report page, and one for the site."""
    from .routes import Route

    config = site.config
    if not config.share_images:
        return []
    common = {"site": config.title, "org": config.organisation, "fonts": fonts_digest()}
    made = []
    for route in routes_so_far:
        c = route.context
        if route.template == "series.html":
            ctx = _series_context(config, c["series"], c["program"], c["upcoming"])
        elif route.template == "program.html":
            ctx = _program_context(config, c["program"])
        elif route.template == "report_year.html":
            ctx = _year_context(config, c["year"], c["programs"])
        elif route.template == "reports.html":
            ctx = _reports_context(config, c["reports"], c["programs"])
        elif route.template == "home.html":
            ctx = {"kicker": config.organisation, "title": "Tiada hari tanpa pengembangan kompetensi",
                   "when": "Jadwal Senin–Jumat, arsip seri, dan laporan jangkauan", "badge": ""}
        else:
            continue
        made.append(Route(image_url(route.url), None, {**common, **ctx}, producer=produce, sitemap=False))
    return made
