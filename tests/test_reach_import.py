"""`build.py reach import`: every layout from our own fixtures (tests/fixtures/reach/, fake
names and example.org addresses), the counting rules as properties, bad files refused with
`path:line` and nothing written, and no participant's name or e-mail anywhere we publish."""

from __future__ import annotations

import codecs
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, make_project, run_cli, tree_bytes
from sitegen import cli
from sitegen.reach import records, tables, zoom
from sitegen.yamlfile import parse_yaml
from sitegen.problems import Problems

FIXTURES = REPO / "tests" / "fixtures" / "reach"
SERIES = """\
---
title: Literasi Data untuk ASN
program: asn-belajar
date: "2024-01-11"
video: https://www.youtube.com/watch?v=-AbCdEfGh12
links:
  youtube: https://youtu.be/Xy_Z0123456
{extra}---
Isi seri.
"""


def project(tmp_path: Path, extra: str = "") -> Path:
    return make_project(tmp_path, {"content/series/literasi-data.md": SERIES.format(extra=extra)})


def run(root: Path, *args: str, lang: str = "en", capsys=None) -> tuple[int, str, str]:
    """build.py reach import in this process (as run_cli would, without the start-up cost)."""
    code = cli.main(["reach", "import", *args, "--root", str(root), "--lang", lang])
    out, err = capsys.readouterr()
    return code, out, err


def reach_yaml(root: Path, slug: str = "literasi-data") -> dict:
    path = root / "content" / "reach" / f"{slug}.yaml"
    problems = Problems()
    valid = records.validate(parse_yaml(path.read_text(encoding="utf-8"), str(path), problems), str(path), {"channels": ["zoom", "youtube"]}, problems)
    assert not problems.items, problems.items
    return {r["channel"]: r for r in valid["imports"]}


# ---- every layout ------------------------------------------------------------------------------

LAYOUTS = [
    # fixture, format, layout, labels, figure, figures, left_out, rows read, ids
    ("zoom-older.csv", "zoom-meeting-participants", "older", "en", 4,
     {"unique_participants": 4, "minutes_total": 448, "peak_concurrent": 4, "zoom_headline": 6, "rows_merged_into_a_person": 2},
     {}, 6, ("812 3456 7890",)),
    ("zoom-unique-users.csv", "zoom-meeting-participants", "unique-users", "en", 4,
     {"unique_participants": 4, "minutes_total": 448, "zoom_headline": 6}, {}, 4, ("812 3456 7890",)),
    ("zoom-2024.csv", "zoom-meeting-participants", "2024", "en", 4,
     {"unique_participants": 4, "minutes_total": 448, "peak_concurrent": 4, "zoom_headline": 8,
      "rows_merged_into_a_person": 2, "waiting_room_only_people": 1},
     {"waiting-room": 2}, 8, ("812 3456 7890",)),
    ("zoom-id.csv", "zoom-meeting-participants", "older", "id", 4,
     {"unique_participants": 4, "minutes_total": 448, "peak_concurrent": 4, "zoom_headline": 7, "rows_merged_into_a_person": 2},
     {"waiting-room": 1}, 7, ("812 3456 7890",)),
    ("zoom-webinar.csv", "zoom-webinar-attendees", "sectioned", "en", 3,
     {"attendees": 3, "panelists": 1, "registered_not_attended": 1, "minutes_total": 225, "peak_concurrent": 3, "zoom_headline": 4},
     {"host": 1, "panelist": 1, "registered-not-attended": 1}, 7, ("987 6543 2100",)),
]


@pytest.mark.parametrize("name, fmt, layout, labels, figure, figures, left_out, read, ids", LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_zoom_layouts(tmp_path, capsys, name, fmt, layout, labels, figure, figures, left_out, read, ids):
    root = project(tmp_path)
    code, out, err = run(root, str(FIXTURES / name), "--series", "literasi-data", capsys=capsys)
    assert code == 0, err
    rec = reach_yaml(root)["zoom"]
    assert (rec["format"], rec["layout"], rec["labels"], rec["figure"]) == (fmt, layout, labels, figure)
    assert rec["figures"] == figures
    assert rec.get("left_out", {}) == left_out and rec["rows_read"] == read
    assert rec["ids"] == ids and str(rec["as_of"]) == "2024-01-11"
    assert rec["file"] == name and rec["sha256"] == __import__("hashlib").sha256((FIXTURES / name).read_bytes()).hexdigest()
    # the printed table: one header line and one row for the channel
    table = [line for line in out.splitlines() if line.startswith(("channel ", "zoom "))]
    assert len(table) == 2 and re.split(r"\s{2,}", table[1])[:4] == ["zoom", str(figure), records.MEASURES[rec["measure"]], "2024-01-11"]


def test_meeting_times_and_date_order(tmp_path, capsys):
    """The meeting's own start and end, in the export's time zone; an Indonesian report's
    11/01/2024 is 11 January (day first), an English one's 01/11/2024 too (month first)."""
    root = project(tmp_path)
    for name in ("zoom-older.csv", "zoom-id.csv"):
        assert run(root, str(FIXTURES / name), "--series", "literasi-data", capsys=capsys)[0] == 0
        rec = reach_yaml(root)["zoom"]
        assert rec["started"].isoformat() == "2024-01-11T08:50:03+07:00"
        assert rec["ended"].isoformat() == "2024-01-11T11:05:40+07:00"
        assert rec["date_order"] == ("dmy" if name == "zoom-id.csv" else "mdy")
    assert run(root, str(FIXTURES / "zoom-older.csv"), "--series", "literasi-data", "--timezone", "Asia/Makassar", capsys=capsys)[0] == 0
    assert reach_yaml(root)["zoom"]["ended"].isoformat() == "2024-01-11T11:05:40+08:00"


def _utf16(data: bytes, delimiter: str) -> bytes:
    text = data.decode("utf-8-sig").replace(",", delimiter)
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


@pytest.mark.parametrize("variant", ["utf16-tab", "utf16-no-bom", "bom-crlf-semicolon", "trailing-columns"])
def test_what_spreadsheets_do_to_a_report(tmp_path, capsys, variant):
    """Saved again by a spreadsheet program, the report gives the same figures."""
    original = (FIXTURES / "zoom-older.csv").read_bytes()
    if variant == "utf16-tab":
        data = _utf16(original, "\t")
    elif variant == "utf16-no-bom":
        data = _utf16(original, ",")[2:]
    elif variant == "bom-crlf-semicolon":
        data = codecs.BOM_UTF8 + original.replace(b",", b";").replace(b"\n", b"\r\n")
    else:
        data = b"\n".join(line + b",,," if line else line for line in original.split(b"\n"))
    path = tmp_path / f"saved-{variant}.csv"
    path.write_bytes(data)
    root = project(tmp_path)
    code, _out, err = run(root, str(path), "--series", "literasi-data", capsys=capsys)
    assert code == 0, err
    rec = reach_yaml(root)["zoom"]
    assert (rec["figure"], rec["figures"]["minutes_total"], rec["figures"]["peak_concurrent"], rec["rows_read"]) == (4, 448, 4, 6)


def _zip(members: dict, when=(2024, 2, 1, 10, 30, 0)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, when), data)
    return buf.getvalue()


def test_youtube_table_en(tmp_path, capsys):
    root = project(tmp_path)
    code, out, err = run(root, str(FIXTURES / "youtube-table-en.csv"), "--series", "literasi-data", "--as-of", "2024-01-31", capsys=capsys)
    assert code == 0, err
    rec = reach_yaml(root)["youtube"]
    # the series' two videos (one ID starts with '-'); the Total row and the other video left out
    assert rec["figure"] == 1200 + 230 and rec["figures"] == {"views": 1430, "impressions": 25000}
    assert rec["ids"] == ("-AbCdEfGh12", "Xy_Z0123456") and rec["left_out"] == {"total-row": 1, "other-video": 1}
    assert rec["measure"] == "views" and str(rec["as_of"]) == "2024-01-31"


def test_youtube_indonesian_labels_do_not_confuse_views_and_impressions(tmp_path, capsys):
    """Penayangan is views, Tayangan impressions; a lone video keeps its unique viewers."""
    root = project(tmp_path)
    assert run(root, str(FIXTURES / "youtube-table-id.csv"), "--series", "literasi-data", "--as-of", "2024-01-31", capsys=capsys)[0] == 0
    rec = reach_yaml(root)["youtube"]
    assert rec["labels"] == "id" and rec["figure"] == 1200 and rec["figures"]["impressions"] == 20000
    assert rec["ids"] == ("-AbCdEfGh12",)


def test_youtube_zip_and_unique_viewers_never_summed(tmp_path, capsys):
    table = (FIXTURES / "youtube-table-en.csv").read_text(encoding="utf-8")
    one_video = table.replace("Impressions click-through rate (%)", "Impressions click-through rate (%),Unique viewers")
    one_video = "\n".join(line + (",900" if line.startswith("-AbC") else ",700" if line.startswith("Xy_") else ",") for line in one_video.splitlines()[1:])
    header = table.splitlines()[0] + ",Unique viewers"
    export = tmp_path / "Content 2024-01-01_2024-01-31 BPSDM.zip"
    export.write_bytes(_zip({"Chart data.csv": "Date,Views\n2024-01-11,5\n", "Table data.csv": header + "\n" + one_video + "\n", "Totals.csv": "Date,Views\n"}))
    root = project(tmp_path)
    code, _out, err = run(root, str(export), "--series", "literasi-data", capsys=capsys)
    assert code == 0, err
    rec = reach_yaml(root)["youtube"]
    assert rec["member"] == "Table data.csv" and str(rec["as_of"]) == "2024-02-01"  # the export's own date
    assert rec["figure"] == 1430 and "unique_viewers" not in rec["figures"]  # two videos: not added up
    # a series with one video keeps that video's unique viewers
    root2 = make_project(tmp_path / "b", {"content/series/literasi-data.md": SERIES.format(extra="").replace("  youtube: https://youtu.be/Xy_Z0123456\n", "").replace("links:\n", "")})
    assert run(root2, str(export), "--series", "literasi-data", capsys=capsys)[0] == 0
    assert reach_yaml(root2)["youtube"]["figures"]["unique_viewers"] == 900


def test_zoom_and_youtube_in_one_command_and_importing_twice_changes_nothing(tmp_path, capsys):
    root = project(tmp_path)
    args = (str(FIXTURES / "zoom-2024.csv"), str(FIXTURES / "youtube-table-en.csv"), "--series", "literasi-data", "--as-of", "2024-01-31")
    code, out, _err = run(root, *args, capsys=capsys)
    assert code == 0 and "written: content/reach/literasi-data.yaml" in out
    path = root / "content/reach/literasi-data.yaml"
    first, stamp = path.read_bytes(), path.stat().st_mtime_ns
    assert set(reach_yaml(root)) == {"zoom", "youtube"}
    code, out, _err = run(root, *args, capsys=capsys)
    assert code == 0 and "already up to date; nothing was written" in out
    assert path.read_bytes() == first and path.stat().st_mtime_ns == stamp
    # a later import of one channel keeps the other channel's import as it was
    assert run(root, str(FIXTURES / "zoom-older.csv"), "--series", "literasi-data", capsys=capsys)[0] == 0
    after = reach_yaml(root)
    assert after["zoom"]["file"] == "zoom-older.csv" and after["youtube"]["file"] == "youtube-table-en.csv"


# ---- bad files ---------------------------------------------------------------------------------

OLDER = (FIXTURES / "zoom-older.csv").read_text(encoding="utf-8")


def _replace_line(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


BAD = [
    # name, bytes, line, English message (start), Indonesian message (start)
    ("unknown-layout", b"nama,skor\nsatu,1\n", 1, "unknown layout: the first row is 'nama, skor'", "tata letak tidak dikenal: baris pertama 'nama, skor'"),
    ("truncated-in-a-cell", OLDER[: OLDER.index("Peserta Tiga")].encode() + b'"Peserta Ti', 9, "the file ends inside a quoted cell: it is truncated", "berkas berakhir di dalam sel bertanda kutip"),
    ("truncated-row", OLDER[: OLDER.index("dua@example.org") + 8].encode(), 8, "the row has 2 columns, the header on line 4 has 7 (the row is cut short", "baris ini punya 2 kolom, judul kolom di baris 4 punya 7"),
    ("truncated-before-rows", OLDER.split("\n\n")[0].encode() + b"\n", 3, "the file ends before the participants' rows", "berkas berakhir sebelum baris-baris peserta"),
    ("wrong-column-count", _replace_line(OLDER, 6, "Peserta Satu,satu@example.org,01/11/2024 08:58:10 AM,01/11/2024 09:40:00 AM,42,Yes,Y,extra").encode(), 6,
     "the row has 8 columns, the header on line 4 has 7", "baris ini punya 8 kolom, judul kolom di baris 4 punya 7"),
    ("leave-before-join", _replace_line(OLDER, 7, "Peserta Satu,SATU@Example.org,01/11/2024 09:45:00 AM,01/11/2024 09:15:00 AM,75,Yes,Y").encode(), 7,
     "Leave Time 01/11/2024 09:15:00 AM is before Join Time 01/11/2024 09:45:00 AM", "Leave Time 01/11/2024 09:15:00 AM lebih awal dari Join Time 01/11/2024 09:45:00 AM"),
    ("unparseable-date", _replace_line(OLDER, 8, "Peserta Dua (Dua Asli),dua@example.org,kemarin pagi,01/11/2024 10:30:00 AM,90,Yes,Y").encode(), 8,
     "Join Time: cannot read the date and time 'kemarin pagi'", "Join Time: tanggal dan jam 'kemarin pagi' tidak dapat dibaca"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 1, "not text: byte 0x89 cannot be read as UTF-8 or UTF-16", "bukan teks: byte 0x89 tidak dapat dibaca"),
    ("binary-nul", b"Meeting ID,Topic\n\x00\x01\x02\x03binary", 2, "not text: control character '\\x00'", "bukan teks: karakter kendali '\\x00'"),
    ("empty", b"", 1, "the file is empty", "berkas kosong"),
    ("blank", b"\r\n \n", 1, "the file is empty", "berkas kosong"),
    ("zip-without-table", _zip({"Chart data.csv": "Date,Views\n2024-01-11,5\n", "README.txt": "x"}), 1, "the zip holds no YouTube Studio table", "zip tidak berisi tabel YouTube Studio"),
    ("damaged-zip", _zip({"Table data.csv": "Content,Views\n"})[:30], 1, "not a readable zip archive", "arsip zip tidak dapat dibaca"),
    ("youtube-none-of-the-videos", b"Content,Video title,Views\nTotal,,10\nZZZZZZZZZZZ,Lain,10\n", 1,
     "the table holds none of the series' videos (-AbCdEfGh12, Xy_Z0123456)", "tabel tidak memuat satu pun video seri ini (-AbCdEfGh12, Xy_Z0123456)"),
]


@pytest.mark.parametrize("name, data, line, english, indonesian", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_and_nothing_is_written(tmp_path, capsys, name, data, line, english, indonesian):
    root = project(tmp_path, extra="reach:\n  zoom: 5\n")
    before = tree_bytes(root)
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    for lang, message in (("id", indonesian), ("en", english)):
        code, out, err = run(root, str(path), "--series", "literasi-data", "--as-of", "2024-01-31", lang=lang, capsys=capsys)
        problems = [l for l in err.splitlines() if l.startswith(str(path))]
        assert code == 1 and len(problems) == 1, err
        assert problems[0].startswith(f"{path}:{line}: {message}"), problems[0]
        assert "Traceback" not in err and out == ""
        assert err.splitlines()[-1] == ("impor gagal: 1 kesalahan, 0 peringatan; tidak ada yang ditulis" if lang == "id" else "import failed: 1 error, 0 warnings; nothing was written")
        assert tree_bytes(root) == before  # no reach file, the series unchanged


def test_every_problem_is_reported_at_once_and_a_good_file_beside_them_is_not_written(tmp_path, capsys):
    root = project(tmp_path)
    bad1, bad2 = tmp_path / "a.csv", tmp_path / "b.csv"
    bad1.write_bytes(b"")
    bad2.write_bytes(b"nama,skor\n")
    code, _out, err = run(root, str(FIXTURES / "zoom-older.csv"), str(bad1), str(bad2), "--series", "literasi-data", capsys=capsys)
    assert code == 1
    assert [l.split(": ")[0] for l in err.splitlines()[:-1]] == [f"{bad1}:1", f"{bad2}:1"]
    assert not (root / "content/reach").exists()


def test_an_import_for_a_series_that_does_not_exist_is_an_error(tmp_path, capsys):
    root = project(tmp_path)
    code, _out, err = run(root, str(FIXTURES / "zoom-older.csv"), "--series", "tidak-ada", capsys=capsys)
    assert code == 1 and err.splitlines()[0] == "content/series/tidak-ada.md:1: there is no series 'tidak-ada' to import reach for (expected the slug of a series in content/series/)"
    assert not (root / "content/reach").exists()


def test_two_exports_for_one_channel_are_refused(tmp_path, capsys):
    root = project(tmp_path)
    code, _out, err = run(root, str(FIXTURES / "zoom-older.csv"), str(FIXTURES / "zoom-2024.csv"), "--series", "literasi-data", capsys=capsys)
    assert code == 1 and "two exports for channel 'zoom' (zoom-older.csv and zoom-2024.csv)" in err
    assert not (root / "content/reach").exists()


def test_a_youtube_table_without_a_date_needs_as_of(tmp_path, capsys):
    root = project(tmp_path)
    code, _out, err = run(root, str(FIXTURES / "youtube-table-en.csv"), "--series", "literasi-data", capsys=capsys)
    assert code == 1 and "the export holds no date" in err and "--as-of YYYY-MM-DD" in err


def test_a_real_process_prints_no_traceback(tmp_path):
    root = project(tmp_path)
    path = tmp_path / "foto.csv"
    path.write_bytes(bytes(range(256)) * 4)
    proc = run_cli("reach", "import", str(path), "--series", "literasi-data", "--root", str(root), "--lang", "id")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0] == f"{path}:1: bukan teks: karakter kendali '\\x00' (seharusnya ekspor CSV apa adanya dari platform, bukan berkas biner)"


# ---- the counting rules as properties ------------------------------------------------------------

HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent"
NAMES = ["Peserta Uji", "Dewi Ayu", "Ñoño Pérez", "Ádám Ödön", "Ibu Siti", "Pak Bambang", "Ayşe Ünal", "Çağrı"]

people_strategy = st.lists(
    st.tuples(
        st.sampled_from(NAMES), st.booleans(),  # name, has an e-mail
        st.lists(st.tuples(st.integers(0, 170), st.integers(1, 60)), min_size=1, max_size=3),  # (start minute, length)
    ),
    min_size=1, max_size=12,
)


def _rows(people) -> list:
    """One row per attendance; person i has e-mail orang{i}@example.org or, without one, a
    name of their own (name + number)."""
    rows = []
    for i, (name, has_email, spans) in enumerate(people):
        email = f"orang{i}@example.org" if has_email else ""
        display = name if has_email else f"{name} {i}"
        for start, length in spans:
            rows.append([display, email, start, start + length])
    return rows


def _csv(rows) -> bytes:
    def stamp(minute: int) -> str:
        h, m = divmod(8 * 60 + minute, 60)
        return f"01/11/2024 {(h - 1) % 12 + 1:02d}:{m:02d}:00 {'AM' if h < 12 else 'PM'}"
    lines = [HEADER] + [f"{n},{e},{stamp(a)},{stamp(b)},{b - a},Yes," for n, e, a, b in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _count(rows) -> tuple:
    result = zoom.read_meeting(tables.read_table(_csv(rows)), "Asia/Jakarta")
    return result.figure, result.figures["minutes_total"], result.figures["peak_concurrent"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people_strategy, st.randoms(use_true_random=False))
def test_shuffling_rows_never_changes_the_figures(people, rnd):
    rows = _rows(people)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert _count(shuffled) == _count(rows)
    assert _count(rows)[0] == len(people)


@settings(max_examples=60, deadline=None)
@given(people_strategy, st.data())
def test_splitting_attendance_into_rejoins_never_changes_the_figures(people, data):
    rows = _rows(people)
    split = []
    for n, e, a, b in rows:
        if b - a >= 2 and data.draw(st.booleans()):
            cut = data.draw(st.integers(a + 1, b - 1))
            split += [[n, e, a, cut], [n, e, cut, b]]  # left and rejoined at the same minute
        else:
            split.append([n, e, a, b])
    assert _count(split) == _count(rows)


@settings(max_examples=60, deadline=None)
@given(people_strategy, st.data())
def test_email_case_and_unicode_form_of_names_never_change_the_count(people, data):
    rows = _rows(people)
    changed = []
    for n, e, a, b in rows:
        form = data.draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
        case = data.draw(st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
        pad = data.draw(st.sampled_from(["", " ", "  "]))
        changed.append([pad + unicodedata.normalize(form, n) + pad, case(e), a, b])
    assert _count(changed) == _count(rows)


@settings(max_examples=40, deadline=None)
@given(people_strategy)
def test_waiting_room_rows_never_count(people):
    rows = _rows(people)
    base = _csv(rows).decode().replace(HEADER, HEADER + ",In Waiting Room")
    lines = [line + ",No" if i else line for i, line in enumerate(base.strip().split("\n"))]
    extra = "Tamu Ruang Tunggu,tunggu@example.org,01/11/2024 08:00:00 AM,01/11/2024 08:05:00 AM,5,Yes,,Yes"
    with_waiting = ("\n".join(lines + [extra]) + "\n").encode()
    result = zoom.read_meeting(tables.read_table(with_waiting), "Asia/Jakarta")
    assert result.figure == len(people) and result.left_out == {"waiting-room": 1}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["zoom", "youtube"]), min_size=1, max_size=2, unique=True), st.integers(0, 10**7))
def test_a_written_reach_file_reads_back_and_writes_the_same_bytes(channels, figure):
    """Importing twice is a no-op: what emit writes, validated and emitted again, is byte
    for byte the same."""
    recs = [{"channel": ch, "figure": figure, "measure": "views" if ch == "youtube" else "unique-participants",
             "as_of": __import__("datetime").date(2024, 1, 11), "file": "ekspor \"uji\".csv", "sha256": "a" * 64,
             "platform": ch, "format": "youtube-studio-table" if ch == "youtube" else "zoom-meeting-participants",
             "layout": "advanced-mode" if ch == "youtube" else "older", "labels": "id", "delimiter": "\t",
             "started": "2024-01-11T08:50:03+07:00", "ids": ("-AbCdEfGh12",), "figures": {"views": figure},
             "rows_read": 3, "rows_counted": 2, "left_out": {"total-row": 1}} for ch in channels]
    text = records.emit("literasi-data", recs)
    problems = Problems()
    parsed = parse_yaml(text, "x.yaml", problems)
    fast = records.read_emitted(text)  # the build's reader of emitted files: the YAML reader's result
    assert fast is not None and (fast.data, fast.lines) == (parsed.data, parsed.lines)
    valid = records.validate(parsed, "x.yaml", {"channels": ["zoom", "youtube"]}, problems)
    assert problems.items == []
    again = []
    for r in valid["imports"]:
        r = dict(r)
        r.pop("line")
        r["started"] = r["started"].isoformat()
        again.append(r)
    assert records.emit("literasi-data", again) == text


# ---- nothing personal is published ---------------------------------------------------------------

def _personal_data() -> set:
    """Every participant name and e-mail address in our fixtures."""
    found = set()
    for path in FIXTURES.glob("*.csv"):
        table = tables.read_table(path.read_bytes())
        header = None
        for row in table.rows:
            if zoom.is_participant_header(row):
                header = zoom._columns(row, zoom._PARTICIPANT)[0]
                continue
            if header and row.cells and len(row.cells) > 1:
                for column in ("name", "email"):
                    i = header.get(column)
                    if i is not None and i < len(row.cells) and row.cells[i] not in ("", "--"):
                        found.add(row.cells[i])
        found |= set(re.findall(r"[\w.+-]+@example\.org", path.read_text(encoding="utf-8-sig")))
    return found


def _holds(text: str, personal: str) -> bool:
    """Whether casefolded text holds a name or a whole e-mail address (the calendar's
    `UID:seri-satu@example.org` is the series' own identifier, not `satu@example.org`)."""
    if "@" not in personal:
        return personal.casefold() in text
    return re.search(r"(?<![\w.+-])" + re.escape(personal.casefold()), text) is not None


def test_no_name_or_email_from_an_import_is_published(tmp_path, capsys):
    personal = _personal_data()
    assert {"Peserta Satu", "satu@example.org", "Narasumber Uji Satu", "pemandu.rapat@example.org"} <= personal
    root = project(tmp_path)
    for name in ("zoom-older.csv", "zoom-2024.csv", "zoom-id.csv", "zoom-unique-users.csv", "zoom-webinar.csv"):
        assert run(root, str(FIXTURES / name), str(FIXTURES / "youtube-table-id.csv"), "--series", "literasi-data", "--as-of", "2024-01-31", capsys=capsys)[0] == 0
        written = (root / "content/reach/literasi-data.yaml").read_text(encoding="utf-8")
        assert not [p for p in personal if p.casefold() in written.casefold()], name
    proc = run_cli("build", "--root", str(root), "--no-search", "--today", "2024-03-01")
    assert proc.returncode == 0, proc.stderr
    leaks = []
    for path in (root / "_site").rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace").casefold()
            leaks += [(path.name, p) for p in personal if _holds(text, p)]
    assert leaks == []
    # The repository's tracked files: only the fixtures themselves hold these fake names.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    leaks = []
    for rel in tracked:
        if not rel or rel.startswith("tests/fixtures/reach/") or rel == "tests/test_reach_import.py":
            continue
        path = REPO / rel
        if path.is_file() and path.stat().st_size < 5 << 20:
            text = path.read_bytes().decode("utf-8", "replace").casefold()
            leaks += [(rel, p) for p in personal if p.casefold() in text]
    assert leaks == []


def test_a_hand_edited_reach_file_is_read_as_yaml():
    text = (REPO / "tests/golden/site/content/reach/seri-b.yaml").read_text(encoding="utf-8")
    assert records.read_emitted(text) is not None
    for edited in (text.replace("figure: 4\n", "figure: 4  # diketik\n"), text.replace("  - channel", "  -   channel"),
                   text + "extra: {a: 1}\n", text.replace('file: "', "file: '").replace('.csv"', ".csv'")):
        assert records.read_emitted(edited) is None


def test_who_a_row_is():
    """The identity rule itself: e-mail without case; else the name trimmed, folded and in
    one Unicode form (the table reader also gives every cell in NFC)."""
    nfd = unicodedata.normalize("NFD", "Ñoño Pérez")
    assert zoom.person_key("Ñoño Pérez", "") == zoom.person_key(f"  {nfd}  ", "") == zoom.person_key("ñoño  pérez", "")
    assert zoom.person_key("A", "Satu@Example.ORG") == zoom.person_key("B", "satu@example.org")
    assert zoom.person_key("Peserta Satu", "") != zoom.person_key("Peserta Satu", "satu@example.org")
    assert zoom.person_key(" ", "") is None


def test_the_inbox_folder_one_command_and_exports_git_would_commit(tmp_path, capsys):
    """Exports dropped into inbox/ (ignored by git) are imported with one command; an
    export left where git would commit it is named in a warning."""
    root = project(tmp_path)
    (root / ".gitignore").write_text((REPO / ".gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    inbox = root / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURES / "zoom-older.csv", inbox / "participants_81234567890.csv")
    shutil.copy(FIXTURES / "youtube-table-en.csv", inbox / "Table data 2024-01-01_2024-01-31.csv")
    code, out, err = run(root, str(inbox), "--series", "literasi-data", capsys=capsys)
    assert code == 0 and err == "", err
    assert set(reach_yaml(root)) == {"zoom", "youtube"}
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "inbox" not in status and "content/reach/literasi-data.yaml" in status
    shutil.copy(FIXTURES / "zoom-older.csv", root / "content" / "laporan.csv")
    code, out, err = run(root, str(root / "content" / "laporan.csv"), "--series", "literasi-data", capsys=capsys)
    assert code == 0 and err.startswith("content/laporan.csv:1: warning: this export is inside the project where git would commit it")
