"""Imported reach in the site: the series page as a visitor reads it, the checks of `check`,
the year report's count of series backed by exports, and incremental == clean when a
reach file is added, changed or removed."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import REPO, make_project, run_cli, tree_bytes

FIXTURES = REPO / "tests" / "fixtures" / "reach"
TODAY = "2024-03-01"
SERIES = """\
---
title: Literasi Data untuk ASN
program: asn-belajar
date: "{date}"
video: https://www.youtube.com/watch?v=-AbCdEfGh12
{extra}---
Isi seri.
"""


def project(tmp_path: Path, date: str = "2024-01-11", extra: str = "") -> Path:
    return make_project(tmp_path, {
        "content/series/literasi-data.md": SERIES.format(date=date, extra=extra),
        "content/series/tanpa-ekspor.md": "---\ntitle: Tanpa Ekspor\nprogram: asn-belajar\ndate: \"2024-01-04\"\nreach: {zoom: 70}\n---\nIsi.\n",
    })


def imp(root: Path, *files: str) -> None:
    proc = run_cli("reach", "import", *[str(FIXTURES / f) for f in files], "--series", "literasi-data", "--as-of", "2024-01-31", "--root", str(root))
    assert proc.returncode == 0, proc.stderr


def build(root: Path, out: Path, *extra: str) -> str:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-search", "--today", TODAY, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def reach_rows(site: Path, slug: str) -> list:
    soup = BeautifulSoup((site / "seri" / slug / "index.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.find("caption", id="tabel-jangkauan").find_parent("table")
    rows = [[text(c) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    foot = [[text(c) for c in tr.find_all(["th", "td"])] for tr in table.select("tfoot tr")]
    notes = [text(p) for p in soup.select(".reach-headline")]
    return rows, foot, notes


def test_the_series_page_says_what_each_figure_counts_and_where_it_comes_from(tmp_path):
    root = project(tmp_path)
    imp(root, "zoom-2024.csv", "youtube-table-en.csv")
    out = tmp_path / "site"
    build(root, out)
    rows, foot, notes = reach_rows(out, "literasi-data")
    assert rows == [
        ["Zoom Meeting", "4", "peserta unik Zoom", "berkas ekspor zoom-2024.csv , per Kamis, 11 Januari 2024"],
        ["YouTube", "1.200", "penayangan YouTube", "berkas ekspor youtube-table-en.csv , per Rabu, 31 Januari 2024"],
    ]
    assert foot == [["Jangkauan kotor", "1.204", "jumlah semua kanal, bukan jumlah orang: satu orang yang hadir di Zoom dan menonton di YouTube terhitung dua kali"]]
    assert len(notes) == 1 and notes[0].startswith("Zoom sendiri mencatat 8 peserta untuk rapat ini, sedangkan angka di atas 4.")
    assert "bergabung ulang" in notes[0]
    # a typed figure is marked as typed
    rows, foot, notes = reach_rows(out, "tanpa-ekspor")
    assert rows == [["Zoom Meeting", "70", "jangkauan yang dilaporkan", "diketik tanpa berkas ekspor"]] and foot == [] and notes == []


def test_a_webinar_says_what_zoom_counts_differently(tmp_path):
    root = project(tmp_path)
    imp(root, "zoom-webinar.csv")
    out = tmp_path / "site"
    build(root, out)
    rows, _foot, notes = reach_rows(out, "literasi-data")
    assert rows[0][:3] == ["Zoom Meeting", "3", "peserta webinar Zoom yang hadir"]
    assert notes == ["Zoom sendiri mencatat 4 penonton unik untuk webinar ini, sedangkan angka di atas 3. Hitungan Zoom ikut memasukkan panelis dan host; kami hanya menghitung peserta yang hadir, tiap orang sekali."]


def test_the_year_report_counts_the_series_backed_by_exports(tmp_path):
    root = project(tmp_path)
    out = tmp_path / "site"
    build(root, out)
    soup = BeautifulSoup((out / "laporan/2024/index.html").read_text(encoding="utf-8"), "html.parser")
    assert text(soup.select_one(".reach-backing")).startswith("Belum ada seri 2024 yang angka jangkauannya berasal dari berkas ekspor")
    imp(root, "zoom-older.csv")
    build(root, out)
    soup = BeautifulSoup((out / "laporan/2024/index.html").read_text(encoding="utf-8"), "html.parser")
    assert text(soup.select_one(".reach-backing")).startswith("1 dari 2 seri itu memiliki angka jangkauan dari berkas ekspor platform")


def test_check_warns_when_a_typed_figure_disagrees_and_when_the_meeting_was_another_day(tmp_path):
    root = project(tmp_path, date="2024-01-18", extra="reach:\n  zoom: 5\n")
    imp(root, "zoom-older.csv")
    proc = run_cli("check", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "content/reach/literasi-data.yaml:6: warning: the Zoom meeting in zoom-older.csv was held on 2024-01-11 (Asia/Jakarta), not on the series' date 2024-01-18: is it the export of another meeting?",
        "content/series/literasi-data.md:6: warning: field 'reach': zoom is typed as 5 but the import from zoom-older.csv counts 4 (peserta unik Zoom, content/reach/literasi-data.yaml); the imported figure is shown: remove the typed one or import again",
    ]
    proc = run_cli("check", "--root", str(root), "--today", TODAY, "--lang", "id")
    assert "kolom 'reach': zoom diketik 5, tetapi impor dari zoom-older.csv menghitung 4" in proc.stderr
    assert run_cli("check", "--strict", "--root", str(root), "--today", TODAY).returncode == 1


def test_the_meeting_date_is_taken_in_jakarta(tmp_path):
    """A meeting that started at 00:30 on 11 January in Makassar (UTC+8), as its export
    says, started at 23:30 on 10 January in Jakarta: the series' day."""
    root = project(tmp_path, date="2024-01-10")
    export = tmp_path / "tengah-malam.csv"
    export.write_text((FIXTURES / "zoom-older.csv").read_text(encoding="utf-8").replace("01/11/2024 08:50:03 AM", "01/11/2024 12:30:00 AM"), encoding="utf-8")
    proc = run_cli("reach", "import", str(export), "--series", "literasi-data", "--timezone", "Asia/Makassar", "--root", str(root))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("check", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 0 and "was held on" not in proc.stderr
    proc = run_cli("reach", "import", str(export), "--series", "literasi-data", "--root", str(root))  # taken as Jakarta time
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("check", "--root", str(root), "--today", TODAY)
    assert "was held on 2024-01-11 (Asia/Jakarta), not on the series' date 2024-01-10" in proc.stderr


def test_a_reach_file_for_a_series_that_does_not_exist_is_an_error(tmp_path):
    root = project(tmp_path)
    imp(root, "zoom-older.csv")
    (root / "content/series/literasi-data.md").unlink()
    proc = run_cli("check", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 1
    assert "content/reach/literasi-data.yaml:4: reach imported for a series that does not exist: 'literasi-data'" in proc.stderr


def test_a_hand_edited_reach_file_is_checked_with_its_line(tmp_path):
    root = project(tmp_path)
    imp(root, "zoom-older.csv")
    path = root / "content/reach/literasi-data.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("figure: 4", "figure: empat"), encoding="utf-8")
    proc = run_cli("check", "--root", str(root), "--today", TODAY)
    assert proc.returncode == 1
    assert "content/reach/literasi-data.yaml:7: field 'imports[1].figure': expected a whole number of 0 or more, got text 'empat'" in proc.stderr


def test_incremental_builds_equal_clean_builds_as_reach_files_change(tmp_path):
    root = project(tmp_path)
    out, clean = tmp_path / "site", tmp_path / "clean"

    def same_as_clean(what: str) -> None:
        if clean.exists():
            shutil.rmtree(clean)
        build(root, clean, "--no-cache")
        a, b = tree_bytes(out), tree_bytes(clean)
        diff = sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])
        assert diff == [], f"after {what}: {diff[:10]}"

    build(root, out)
    before = tree_bytes(out)
    for what, change in (
        ("importing a Zoom report", lambda: imp(root, "zoom-older.csv")),
        ("importing another report for the same channel", lambda: imp(root, "zoom-2024.csv")),
        ("importing YouTube beside it", lambda: imp(root, "youtube-table-en.csv")),
        ("removing the reach file", lambda: (root / "content/reach/literasi-data.yaml").unlink()),
    ):
        change()
        build(root, out)
        same_as_clean(what)
    assert tree_bytes(out) == before
