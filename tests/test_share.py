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

from conftest import copy_repo_project, run_cli, tree_bytes

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
