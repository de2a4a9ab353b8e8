"""Share images (og:image): one 1200x630 PNG under 300 KB per series, program and report page
and one for the site; named with absolute addresses in every page; the same bytes from every
build; redrawn by an incremental build only when what they show changes."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import copy_repo_project, needs_chromium, run_cli, tree_bytes

BASE_URL = "https://example.github.io/asn-belajar/"
TODAY = "2026-11-23"


def build(root: Path, out: Path, *extra: str) -> str:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-search", "--today", TODAY,
                   "--base-url", BASE_URL, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("share")
    root = copy_repo_project(tmp / "proj")
    out = tmp / "site"
    build(root, out, "--no-cache")
    return root, out


def chunks(data: bytes) -> list[str]:
    """The chunk types of a PNG file, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    names, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        names.append(data[pos + 4:pos + 8].decode("ascii"))
        pos += 12 + length
    return names


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("index.html"))


def test_every_series_program_and_report_page_names_its_own_image(built):
    _, out = built
    own = 0
    for path in pages(out) + [out / "404.html"]:
        rel = path.relative_to(out).as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        og = soup.find("meta", property="og:image")["content"]
        tw = soup.find("meta", attrs={"name": "twitter:image"})["content"]
        assert og == tw and og.startswith(BASE_URL), rel  # absolute, under the base URL
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
        assert soup.find("meta", property="og:image:width")["content"] == "1200"
        assert soup.find("meta", property="og:image:height")["content"] == "630"
        image = out / og[len(BASE_URL):]
        assert image.is_file(), f"{rel}: {og} does not exist"
        page_dir = rel[: -len("index.html")]
        if re.match(r"^(seri/[^/]+|program/[^/]+|laporan|laporan/\d{4})/$", page_dir):
            assert og == BASE_URL + page_dir + "pratinjau.png", rel
            own += 1
        else:
            assert og == BASE_URL + "pratinjau.png", rel
    series = len(list((out / "seri").glob("*/index.html")))
    programs = len(list((out / "program").glob("*/index.html")))
    years = len(list((out / "laporan").glob("*/index.html")))
    assert own == series + programs + years + 1 and series >= 6 and programs == 5


def test_images_are_small_pngs_of_the_right_size_without_metadata(built):
    _, out = built
    images = sorted(out.rglob("pratinjau.png"))
    assert len(images) >= 15
    for path in images:
        data = path.read_bytes()
        assert len(data) < 300_000, path
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "PNG" and img.size == (1200, 630)
        names = chunks(data)
        assert names[0] == "IHDR" and names[-1] == "IEND"
        assert not {"tIME", "tEXt", "iTXt", "zTXt", "eXIf"} & set(names), path  # nothing that varies by build
    # images differ by what they show: no two series share a picture
    series = [p.read_bytes() for p in sorted((out / "seri").glob("*/pratinjau.png"))]
    assert len(set(series)) == len(series)


def test_images_show_their_text(built):
    """The title, program and date are drawn: the drawn text's ink lies where the layout puts
    it, and a longer title covers more of the picture than a shorter one."""
    from sitegen import share

    base = {"site": "ASN Belajar & ASN Dahar Ngopi", "org": "BPSDM Provinsi Jawa Timur", "fonts": "x",
            "kicker": "ASN Belajar", "when": "Kamis, 22 Februari 2024", "badge": ""}

    def ink(ctx) -> int:
        with Image.open(io.BytesIO(share.draw_png(ctx))) as img:
            rgb = img.convert("RGB")
            # white-ish pixels in the title area (below the brand, above the date line)
            return sum(1 for px in rgb.crop((64, 216, 1136, 440)).getdata() if min(px) > 200)

    short = ink({**base, "title": "Seri A"})
    long_ = ink({**base, "title": "Literasi Data untuk ASN: Membaca, Mengolah, dan Menyajikan Data dengan Jujur"})
    assert 0 < short < long_
    assert share.draw_png({**base, "title": "Seri A"}) != share.draw_png({**base, "title": "Seri A", "when": "Jumat, 1 Maret 2024"})
    assert share.draw_png({**base, "title": "Seri A"}) != share.draw_png({**base, "title": "Seri A", "badge": "CONTOH"})


def test_images_are_byte_identical_across_builds(built, tmp_path):
    root, out = built
    again = tmp_path / "again"
    build(root, again, "--no-cache")
    first = {k: v for k, v in tree_bytes(out).items() if k.endswith(".png")}
    second = {k: v for k, v in tree_bytes(again).items() if k.endswith(".png")}
    assert first == second and first


def test_incremental_build_redraws_only_the_changed_image(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    series = sorted((root / "content/series").glob("*.md"))
    edited, other = series[0], series[1]
    before = {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.png")}
    text = edited.read_text(encoding="utf-8")
    edited.write_text(re.sub(r'^title: .*$', 'title: "Contoh: Judul Baru untuk Gambar"', text, count=1, flags=re.M), encoding="utf-8")
    build(root, out)
    after = {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.png")}
    assert before.keys() == after.keys()
    changed = sorted(k for k in before if before[k][1] != after[k][1])
    assert changed == [f"seri/{edited.stem}/pratinjau.png"]
    untouched = f"seri/{other.stem}/pratinjau.png"
    assert before[untouched] == after[untouched]  # reused: not even rewritten
    clean = tmp_path / "clean"
    build(root, clean, "--no-cache")
    assert {k: v for k, v in tree_bytes(clean).items() if k.endswith(".png")} == {k: v[1] for k, v in after.items()}


def test_share_images_can_be_turned_off(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    yaml = root / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "share_images: false\n", encoding="utf-8")
    out = tmp_path / "site"
    build(root, out, "--no-cache")
    assert list(out.rglob("*.png")) == []
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find("meta", property="og:image") is None
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"


# ---- the PNG as decoders read it ---------------------------------------------------------------

def png_rows(data: bytes) -> tuple[dict, bytes]:
    """(IHDR fields, the decompressed image data), checking every chunk's CRC and, through
    zlib, the data stream's Adler-32: what a strict decoder (libpng) checks."""
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(tag + body), tag
        if tag == b"IHDR":
            w, h, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", body)
            header = {"size": (w, h), "depth": depth, "colour": colour, "interlace": interlace, "comp": (comp, filt)}
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    return header, zlib.decompress(idat)  # raises on a wrong checksum or a stream cut short


def test_images_are_valid_pngs_for_a_strict_decoder(built):
    _, out = built
    for path in sorted(out.rglob("pratinjau.png")):
        header, raw = png_rows(path.read_bytes())
        assert header == {"size": (1200, 630), "depth": 8, "colour": 3, "interlace": 0, "comp": (0, 0)}, path
        assert len(raw) == 630 * 1201, path  # one filter byte and 1,200 palette indices per row
        assert set(raw[::1201]) == {0}, path
        with Image.open(path) as img:
            palette = len(img.getpalette()) // 3
        assert max(raw) < palette, path  # every index names a colour of the palette


@needs_chromium
def test_chromium_decodes_the_images(built, tab):
    """The client's decoder: Chromium draws every image at 1200x630, and the pixels it
    draws are the ones Pillow reads."""
    import base64

    _, out = built
    paths = [out / "pratinjau.png", out / "laporan" / "pratinjau.png", sorted((out / "seri").glob("*/pratinjau.png"))[0]]
    page = tab().page
    for path in paths:
        url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        seen = page.evaluate("""async (url) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const px = (x, y) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
            return {w: img.naturalWidth, h: img.naturalHeight, corner: px(5, 5), footer: px(5, 620), text: px(600, 300)};
        }""", url)
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            assert seen["w"] == 1200 and seen["h"] == 630, path
            for key, xy in (("corner", (5, 5)), ("footer", (5, 620)), ("text", (600, 300))):
                assert tuple(seen[key]) == rgb.getpixel(xy), (path, key)


def test_text_in_any_script_is_drawn():
    """A title in a script whose letters join (Arabic) is laid out by the shaping engine,
    and a Latin title's width as measured is the width drawn."""
    from sitegen import share

    base = {"site": "Situs", "org": "BPSDM", "fonts": "x", "kicker": "ASN Mengaji", "when": "", "badge": ""}

    def ink_box(ctx):
        with Image.open(io.BytesIO(share.draw_png(ctx))) as img:
            rgb = img.convert("RGB")
        mask = Image.eval(rgb.crop((0, 216, 1200, 440)).convert("L"), lambda v: 255 if v > 200 else 0)
        return mask.getbbox()

    arabic = ink_box({**base, "title": "الحمد لله"})
    assert arabic is not None and arabic[2] - arabic[0] > 100
    title = "Tata Naskah Dinas"
    box = ink_box({**base, "title": title})
    face = share._face(True, 68)
    assert abs((box[2] - box[0]) - face.length(title)) <= 8  # measured as drawn (side bearings aside)


# ---- the card is declared by the page, not found by its template's name ------------------------

def test_a_renamed_template_keeps_its_share_image(tmp_path, monkeypatch):
    """Rename every page template (and the routes that name them): each page still gets its
    own image, named in its og:image."""
    import dataclasses
    import datetime as dt

    from sitegen import pipeline, routes

    root = copy_repo_project(tmp_path / "proj")
    renamed = {}
    for path in sorted((root / "templates").glob("*.html")):
        if path.name not in ("base.html", "data.html"):  # the data page is planned by opendata.py
            renamed[path.name] = "halaman-" + path.name
            path.rename(path.with_name(renamed[path.name]))
    pages = routes.pages
    monkeypatch.setattr(routes, "pages", lambda *a: [dataclasses.replace(r, template=renamed.get(r.template, r.template)) for r in pages(*a)])
    out = tmp_path / "site"
    result = pipeline.build(pipeline.Options(root=root, output=out, today=dt.date(2026, 11, 23), search=False,
                                             use_cache=False, jobs=1, base_url=BASE_URL))
    assert {r.template for r in result.routes if r.template} <= set(renamed.values()) | {"data.html"}
    series = sorted((out / "seri").glob("*/index.html"))
    assert len(series) >= 6
    for page in series + [out / "laporan" / "index.html", out / "program" / "asn-belajar" / "index.html"]:
        folder = page.parent.relative_to(out).as_posix()
        og = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").find("meta", property="og:image")["content"]
        assert og == f"{BASE_URL}{folder}/pratinjau.png", page
        assert (page.parent / "pratinjau.png").is_file(), page


def test_an_unknown_card_fails_loudly(tmp_path, monkeypatch):
    import dataclasses
    import datetime as dt

    from sitegen import pipeline, routes

    root = copy_repo_project(tmp_path / "proj")
    pages = routes.pages
    monkeypatch.setattr(routes, "pages", lambda *a: [dataclasses.replace(r, card="seri" if r.card == "series" else r.card) for r in pages(*a)])
    with pytest.raises(ValueError, match="unknown share card 'seri'"):
        pipeline.build(pipeline.Options(root=root, output=tmp_path / "site", today=dt.date(2026, 11, 23), search=False,
                                        use_cache=False, jobs=1), write=False)


def test_a_card_whose_text_did_not_change_is_not_drawn_again(tmp_path):
    """Editing a series' body (not its title, program, date or badge) leaves its image as
    it was: not drawn, not even rewritten."""
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    edited = sorted((root / "content/series").glob("*.md"))[0]
    image = out / "seri" / edited.stem / "pratinjau.png"
    page = out / "seri" / edited.stem / "index.html"
    before = (image.stat().st_mtime_ns, image.read_bytes())
    page_before = page.read_bytes()
    edited.write_text(edited.read_text(encoding="utf-8") + "\nParagraf tambahan yang tidak tampil di gambar.\n", encoding="utf-8")
    stdout = build(root, out)
    assert page.read_bytes() != page_before  # the page was rendered again
    assert (image.stat().st_mtime_ns, image.read_bytes()) == before, stdout
