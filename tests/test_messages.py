"""Messages in the editors' language: Bahasa Indonesia by default, English with --lang en or
SITEGEN_LANG=en, through gettext catalogs read with Babel (sitegen/messages.py).

The catalog must be complete: every message wrapped in _() or ngettext() in sitegen/ (as
pybabel extracts them with babel.cfg) has an Indonesian translation that keeps its
{placeholders}, and the committed template (sitegen/locale/sitegen.pot) is up to date."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from conftest import REPO, make_project, run_cli
from sitegen import messages
from sitegen.problems import Problem, Problems

ID = {"SITEGEN_LANG": ""}  # no language chosen: the default
EN = {"SITEGEN_LANG": "en"}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def extracted() -> set:
    """Every message id in the code, extracted the way pybabel does with babel.cfg."""
    method_map = [("sitegen/**.py", "python")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(REPO), method_map=method_map):
        found.add(tuple(message) if isinstance(message, (list, tuple)) else message)
    return found


def test_every_message_has_an_indonesian_translation_with_its_placeholders():
    ids = extracted()
    assert len(ids) >= 40
    catalog = messages.catalog("id")
    missing = sorted(str(m) for m in ids if m not in catalog)
    assert missing == [], "untranslated (add them to sitegen/locale/id/LC_MESSAGES/sitegen.po):\n" + "\n".join(missing)
    for msgid in ids:
        sources = msgid if isinstance(msgid, tuple) else (msgid,)
        translations = catalog[msgid] if isinstance(msgid, tuple) else [catalog[msgid]]
        for t in translations:
            assert sorted(PLACEHOLDER.findall(t)) == sorted(PLACEHOLDER.findall(sources[-1])), (msgid, t)


def test_catalog_has_no_stale_entries_and_the_template_is_current():
    ids = extracted()
    with open(messages.po_path("id"), "rb") as fh:
        po = {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id for m in read_po(fh) if m.id}
    assert po == ids, f"stale: {sorted(map(str, po - ids))}; missing: {sorted(map(str, ids - po))}"
    with open(REPO / "sitegen/locale/sitegen.pot", "rb") as fh:
        pot = {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id for m in read_po(fh) if m.id}
    assert pot == ids, "run: pybabel extract -F babel.cfg -o sitegen/locale/sitegen.pot --no-location --omit-header --sort-output ."


@pytest.mark.parametrize("value, code", [("en", "en"), ("EN", "en"), ("en_US.UTF-8", "en"), ("id", "id"), ("", None), ("fr", None)])
def test_language_names(value, code):
    assert messages.normalise(value) == code


def test_summary_in_both_languages(monkeypatch):
    problems = Problems()
    problems.error("a.md", 1, "x")
    problems.warning("a.md", 2, "y")
    problems.warning("a.md", 3, "z")
    monkeypatch.setattr(messages, "_language", "id")
    assert problems.summary() == "1 kesalahan, 2 peringatan"
    monkeypatch.setattr(messages, "_language", "en")
    assert problems.summary() == "1 error, 2 warnings"


def series(front: str) -> str:
    return f"---\n{front}---\nIsi.\n"


def test_check_summary_lines(tmp_path):
    root = make_project(tmp_path)
    assert run_cli("check", "--root", str(root), env=ID).stdout.startswith("pemeriksaan lolos: ")
    assert run_cli("check", "--root", str(root), env=ID).stdout.strip().endswith("halaman, 0 kesalahan, 0 peringatan")
    assert run_cli("check", "--root", str(root), env=EN).stdout.strip().endswith("pages, 0 errors, 0 warnings")
    assert run_cli("check", "--root", str(root), "--lang", "en", env=ID).stdout.startswith("check passed: ")
    assert run_cli("--lang", "id", "check", "--root", str(root), env=EN).stdout.startswith("pemeriksaan lolos: ")
    bad = make_project(tmp_path / "bad", {"content/series/x.md": series("title: a\nprogram: nope\ndate: 2024-01-04\n")})
    assert run_cli("check", "--root", str(bad), env=ID).stderr.splitlines()[-1] == "pemeriksaan gagal: 1 kesalahan, 0 peringatan"
    assert run_cli("check", "--root", str(bad), env=EN).stderr.splitlines()[-1] == "check failed: 1 error, 0 warnings"
    assert run_cli("build", "--root", str(bad), env=ID).stderr.splitlines()[-1] == "pembangunan gagal: 1 kesalahan, 0 peringatan; tidak ada yang ditulis"
    assert run_cli("build", "--root", str(bad), env=EN).stderr.splitlines()[-1] == "build failed: 1 error, 0 warnings; nothing was written"


def test_build_summary_lines(tmp_path):
    root = make_project(tmp_path)
    out = run_cli("build", "--root", str(root), "--no-search", env=ID, cwd=root).stdout.splitlines()
    assert re.fullmatch(r"\d+ halaman dibangun ke _site/ dalam [\d.]+ dtk \(\d+ dirender, \d+ tidak berubah\); 0 peringatan", out[0]), out
    assert re.fullmatch(r"pratinjau: (\S+) build\.py serve   \(atau: \1 -m http\.server -d _site 8000\)", out[1]), out
    out = run_cli("build", "--root", str(root), "--no-search", env=EN, cwd=root).stdout.splitlines()
    assert re.fullmatch(r"built \d+ pages into _site/ in [\d.]+ s \(\d+ rendered, \d+ unchanged\); 0 warnings", out[0]), out


def test_new_messages(tmp_path):
    root = make_project(tmp_path)
    args = ("new", "Seri", "--program", "asn-ngaji", "--date", "2024-01-04", "--root", str(root))
    assert run_cli(*args, env=ID).stderr.strip() == "build.py: program 'asn-ngaji' tidak dikenal; pilih salah satu: asn-belajar, asn-mengaji"
    assert run_cli(*args, env=EN).stderr.strip() == "build.py: unknown program 'asn-ngaji'; expected one of: asn-belajar, asn-mengaji"
    ok = ("new", "Seri Baru", "--program", "asn-belajar", "--date", "2024-01-04", "--root", str(root))
    assert run_cli(*ok, env=ID).returncode == 0
    assert run_cli(*ok, env=ID).stderr.strip() == (
        "build.py: content/series/seri-baru.md sudah ada dan tidak diubah; sunting berkas itu, atau pilih judul lain")
    assert run_cli(*ok, env=EN).stderr.strip() == (
        "build.py: content/series/seri-baru.md already exists and was not changed; edit that file, or choose another title")
    assert run_cli("new", "  ", "--program", "asn-belajar", "--date", "2024-01-04", "--root", str(root), env=ID).stderr.startswith(
        "build.py: judulnya kosong; tulis dalam tanda kutip")


def test_schema_and_admin_messages(tmp_path):
    root = make_project(tmp_path)
    assert run_cli("schema", "--root", str(root), "--check", env=ID).stderr.splitlines()[0] == (
        "schema/series.schema.json: belum mutakhir (jalankan: python build.py schema, lalu commit)")
    assert run_cli("schema", "--root", str(root), env=ID).stdout.splitlines()[0] == "ditulis: schema/series.schema.json"
    assert run_cli("schema", "--root", str(root), "--check", env=EN).stdout.startswith("schema up to date: ")
    assert run_cli("admin", "--root", str(root), "--check", env=ID).stderr.strip() == (
        "admin/config.yml: belum mutakhir (jalankan: python build.py admin, lalu commit)")
    assert run_cli("admin", "--root", str(root), env=EN).stdout.strip() == "wrote admin/config.yml"
    assert run_cli("admin", "--root", str(root), "--check", env=ID).stdout.strip() == (
        "konfigurasi editor sudah mutakhir: admin/config.yml; repositorinya masih pemilik/repositori (isi dengan --repo pemilik/nama)")


def test_serve_error_page_in_both_languages(monkeypatch):
    from sitegen.preview.errorpage import error_page

    problems = [Problem("content/series/x.md", 4, "field 'date': expected a date as YYYY-MM-DD, got text 'x'")]
    monkeypatch.setattr(messages, "_language", "id")
    soup = BeautifulSoup(error_page(problems, ""), "lxml")
    assert soup.html["lang"] == "id"
    assert soup.title.get_text() == "Pratinjau: ada masalah (1)"
    assert soup.h1.get_text() == "Situs belum bisa dibangun ulang"
    assert soup.find("p").get_text() == ("Perbaiki masalah berikut, lalu simpan berkasnya. Halaman ini dimuat ulang sendiri "
                                         "setelah berkas disimpan. Setiap baris menyebut berkas:baris: pesan.")
    monkeypatch.setattr(messages, "_language", "en")
    soup = BeautifulSoup(error_page(problems, ""), "lxml")
    assert soup.html["lang"] == "en"
    assert soup.title.get_text() == "Preview: problems (1)"
    assert soup.h1.get_text() == "The site could not be rebuilt"
    assert [li.get_text() for li in soup.select("#masalah li")] == ["content/series/x.md:4: field 'date': expected a date as YYYY-MM-DD, got text 'x'"]


def test_unknown_language_is_a_usage_mistake(tmp_path):
    proc = run_cli("check", "--lang", "fr", "--root", str(make_project(tmp_path)))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "build.py: --lang: expected one of id, en, got 'fr'"


def test_the_preview_hint_names_a_python_that_exists(tmp_path, monkeypatch):
    """Debian and Ubuntu have no `python`; the README's first command runs .venv/bin/python
    without activating the environment: the hint must name what works there."""
    import shutil
    import sys as real_sys

    from sitegen import cli

    venv = tmp_path / ".venv" / "bin" / "python"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(real_sys, "prefix", str(tmp_path / ".venv"))
    monkeypatch.setattr(real_sys, "executable", str(venv))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert cli.python_command() == ".venv/bin/python"  # not activated
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / ".venv"))
    monkeypatch.setattr(shutil, "which", lambda name: "/x/python" if name == "python" else None)
    assert cli.python_command() == "python"  # activated: `python` is the venv's
    monkeypatch.setattr(real_sys, "prefix", real_sys.base_prefix)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert cli.python_command() == "python3"  # a system without `python`


# ---- problem, warning and usage messages through the real command line -----------------------

BROKEN = {
    "content/series/a.md": series("title: a\nprogram: nope\ndate: 2024-02-30\ntime: 9:00\nreach: {zoom: 12.5}\nspeakers: Budi\ntitel: b\n"),
    "content/series/b.md": "\n---\ntitle: b\n---\n",
    "content/series/c.md": "---\ntitle: Contoh: Literasi\nprogram: asn-belajar\n---\n",
    "content/series/d.md": series("title: d\nprogram: asn-belajar\ndate: 2024-01-04\nlinks: {zoom: 'https://x.test/', tiktok: 'https://y.test/'}\n"),
}

BROKEN_ID = [
    "content/series/a.md:3: kolom 'program': program 'nope' tidak dikenal (seharusnya salah satu dari: asn-belajar, asn-mengaji)",
    "content/series/a.md:4: kolom 'date': tanggal '2024-02-30' tidak mungkin (tidak ada hari itu di kalender)",
    "content/series/a.md:5: kolom 'time': seharusnya jam JJ:MM dalam WIB, di dalam tanda kutip (misalnya \"09:00\"), tertulis teks '9:00'",
    "content/series/a.md:6: kolom 'reach.zoom': seharusnya bilangan bulat 0 atau lebih, ditulis 12000 atau 12.000 "
    "(titik hanya di antara kelompok tiga angka; tanpa desimal), tertulis 12.5",
    "content/series/a.md:7: kolom 'speakers': seharusnya daftar (tulis sebagai ['Budi'] atau sebagai baris '- '), tertulis teks 'Budi'",
    "content/series/a.md:8: peringatan: kolom 'titel' tidak dikenal dan diabaikan; maksudnya 'title'?",
    "content/series/b.md:1: front matter tidak ada (seharusnya '---' di baris pertama, tertulis baris kosong)",
    "content/series/c.md:2: kesalahan penulisan YAML: tanda ': ' tidak boleh ada di sini",
    "content/series/d.md:5: kolom 'links.tiktok': kanal 'tiktok' tidak dikenal (seharusnya salah satu dari: zoom, youtube)",
    "pemeriksaan gagal: 8 kesalahan, 1 peringatan",
]

BROKEN_EN = [
    "content/series/a.md:3: field 'program': unknown program 'nope' (expected one of: asn-belajar, asn-mengaji)",
    "content/series/a.md:4: field 'date': impossible date '2024-02-30' (no such day in the calendar)",
    "content/series/a.md:5: field 'time': expected a time as HH:MM in WIB, in quotes (for example \"09:00\"), got text '9:00'",
    "content/series/a.md:6: field 'reach.zoom': expected a whole number of 0 or more, written 12000 or 12.000 "
    "(a dot only between groups of three digits; no decimals), got 12.5",
    "content/series/a.md:7: field 'speakers': expected a list (write it as ['Budi'] or as '- ' lines), got text 'Budi'",
    "content/series/a.md:8: warning: unknown field 'titel' is ignored; did you mean 'title'?",
    "content/series/b.md:1: front matter missing (expected '---' on the first line, got an empty line)",
    "content/series/c.md:2: YAML syntax error: mapping values are not allowed in this context",
    "content/series/d.md:5: field 'links.tiktok': unknown channel 'tiktok' (expected one of: zoom, youtube)",
    "check failed: 8 errors, 1 warning",
]


def test_problems_in_indonesian_by_default_and_english_on_request(tmp_path):
    root = make_project(tmp_path, BROKEN)
    for args, env, expected in (
        ((), ID, BROKEN_ID),
        (("--lang", "en"), ID, BROKEN_EN),
        ((), EN, BROKEN_EN),  # SITEGEN_LANG=en
        (("--lang", "id"), EN, BROKEN_ID),  # the option wins over the variable
    ):
        proc = run_cli("check", "--root", str(root), *args, env=env)
        assert proc.returncode == 1
        assert proc.stderr.splitlines() == expected


def test_github_annotations_in_both_languages(tmp_path):
    root = make_project(tmp_path, BROKEN)
    out = run_cli("check", "--root", str(root), "--format", "github", env=ID).stdout.splitlines()
    assert out[0] == ("::error file=content/series/a.md,line=3,title=kolom 'program'::kolom 'program': "
                      "program 'nope' tidak dikenal (seharusnya salah satu dari: asn-belajar, asn-mengaji)")
    assert out[5] == ("::warning file=content/series/a.md,line=8,title=kolom 'titel'::"
                      "kolom 'titel' tidak dikenal dan diabaikan; maksudnya 'title'?")
    assert out[6] == ("::error file=content/series/b.md,line=1,title=build.py check::"
                      "front matter tidak ada (seharusnya '---' di baris pertama, tertulis baris kosong)")
    out = run_cli("check", "--root", str(root), "--format", "github", "--lang", "en", env=ID).stdout.splitlines()
    assert out[0] == ("::error file=content/series/a.md,line=3,title=field 'program'::field 'program': "
                      "unknown program 'nope' (expected one of: asn-belajar, asn-mengaji)")
    assert out[5] == "::warning file=content/series/a.md,line=8,title=build.py check::unknown field 'titel' is ignored; did you mean 'title'?"


def test_settings_messages_in_both_languages(tmp_path):
    root = make_project(tmp_path)
    text = re.sub(r"(?m)^timezone:.*\n", "", (root / "site.yaml").read_text(encoding="utf-8"))
    (root / "site.yaml").write_text(text + "timezone: Asia/Surabaya\ntitel: x\n", encoding="utf-8")
    idn = run_cli("check", "--root", str(root), env=ID).stderr
    eng = run_cli("check", "--root", str(root), env=EN).stderr
    assert ("site.yaml:" in idn and ": pengaturan 'timezone': zona waktu 'Asia/Surabaya' tidak dikenal "
            "(seharusnya misalnya Asia/Jakarta)" in idn), idn
    assert ": setting 'timezone': unknown time zone 'Asia/Surabaya' (expected for example Asia/Jakarta)" in eng
    assert ": peringatan: pengaturan 'titel' tidak dikenal dan diabaikan; maksudnya 'title'?" in idn
    assert ": warning: unknown setting 'titel' is ignored; did you mean 'title'?" in eng


def test_figures_messages_in_both_languages(tmp_path):
    root = make_project(tmp_path, {
        "content/figures.yaml": "sources:\n  - {id: s1, title: Laporan, date: 2024-01-05}\n"
                                "figures:\n  - {program: asn-belajar, year: 2023, series: 0, reach: 100, source: s2}\n",
    })
    idn = run_cli("check", "--root", str(root), env=ID).stderr.splitlines()
    eng = run_cli("check", "--root", str(root), env=EN).stderr.splitlines()
    assert ("content/figures.yaml:4: figures[1]: kolom 'series': seharusnya 1 atau lebih (periode tanpa seri tidak "
            "perlu dinyatakan; hapus entri ini)") in idn, idn
    assert "content/figures.yaml:4: figures[1]: kolom 'source': sumber 's2' tidak dikenal (seharusnya salah satu dari: s1)" in idn
    assert ("content/figures.yaml:4: figures[1]: field 'series': expected 1 or more (a period without series has "
            "nothing to declare; remove the entry)") in eng, eng
    assert "content/figures.yaml:4: figures[1]: field 'source': unknown source 's2' (expected one of: s1)" in eng


@pytest.mark.parametrize("args, env, indonesian, english", [
    (["build", "--jobs", "-3"], {},
     "build.py build: argument --jobs: seharusnya jumlah proses pekerja dari 0 (satu per inti) sampai 1024, tertulis '-3' "
     "(lihat: python build.py build --help)",
     "build.py build: argument --jobs: expected a number of worker processes from 0 (one per core) to 1024, got '-3' "
     "(see: python build.py build --help)"),
    (["serve", "--port", "70000"], {},
     "build.py serve: argument --port: seharusnya nomor port dari 0 sampai 65535 (0: port bebas mana saja), tertulis '70000' "
     "(lihat: python build.py serve --help)",
     "build.py serve: argument --port: expected a port number from 0 to 65535 (0: any free port), got '70000' "
     "(see: python build.py serve --help)"),
    (["build", "--today", "3000-01-01"], {},
     "build.py build: argument --today: seharusnya tanggal dari 1900-01-01 sampai 2999-12-31, tertulis '3000-01-01' "
     "(lihat: python build.py build --help)",
     "build.py build: argument --today: expected a date from 1900-01-01 to 2999-12-31, got '3000-01-01' "
     "(see: python build.py build --help)"),
    (["build", "--base-url", "example.org"], {},
     "build.py build: argument --base-url: seharusnya alamat lengkap seperti https://example.org/ atau "
     "https://user.github.io/repo/, tertulis teks 'example.org' (lihat: python build.py build --help)",
     "build.py build: argument --base-url: expected an absolute address such as https://example.org/ or "
     "https://user.github.io/repo/, got text 'example.org' (see: python build.py build --help)"),
    (["check"], {"SOURCE_DATE_EPOCH": "kemarin"},
     "build.py: SOURCE_DATE_EPOCH harus bilangan bulat detik sejak 1970-01-01 (paling besar 32503593600), tertulis 'kemarin'",
     "build.py: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 (at most 32503593600), got 'kemarin'"),
    (["build", "--output", "."], {},
     "build.py: folder hasil {root} adalah folder proyek; pilih folder seperti _site",
     "build.py: output folder {root} is the project folder; choose a folder such as _site"),
    (["build", "--output", "content/out"], {},
     "build.py: folder hasil {root}/content/out berada di dalam folder sumber content; pilih folder seperti _site",
     "build.py: output folder {root}/content/out is inside the source folder content; choose a folder such as _site"),
    (["check", "--lang", "fr"], {},
     "build.py: --lang: seharusnya salah satu dari id, en, tertulis 'fr'",
     "build.py: --lang: expected one of id, en, got 'fr'"),
])
def test_usage_mistakes_in_both_languages(tmp_path, args, env, indonesian, english):
    root = make_project(tmp_path)
    real = root.resolve()
    for lang, expected in (("", indonesian), ("en", english)):
        proc = run_cli(*args, "--root", str(root), cwd=root, env={**env, "SITEGEN_LANG": lang})
        assert proc.returncode == 2
        assert proc.stderr.strip() == expected.format(root=real)


def test_language_reaches_forked_workers_and_the_cache(tmp_path):
    # 300 sources with two jobs: the sources are read and validated in forked processes.
    files = {f"content/series/s{i:03d}.md": series(f"title: s{i}\nprogram: asn-belajar\ndate: 2024-01-04\n") for i in range(300)}
    files["content/series/s150.md"] = series("title: x\nprogram: asn-belajar\ndate: 2024-01-04\ntitel: y\n")
    root = make_project(tmp_path, files)
    line_id = "content/series/s150.md:5: peringatan: kolom 'titel' tidak dikenal dan diabaikan; maksudnya 'title'?"
    line_en = "content/series/s150.md:5: warning: unknown field 'titel' is ignored; did you mean 'title'?"
    out = run_cli("build", "--root", str(root), "--jobs", "2", "--no-search", "--no-cache", env=ID)
    assert out.returncode == 0 and line_id in out.stderr.splitlines(), out.stderr
    out = run_cli("build", "--root", str(root), "--jobs", "2", "--no-search", "--no-cache", env=EN)
    assert line_en in out.stderr.splitlines(), out.stderr
    # The build cache keeps problems as text: a build in the other language reads them again.
    for env, line in ((ID, line_id), (EN, line_en), (ID, line_id)):
        out = run_cli("build", "--root", str(root), "--no-search", env=env)
        assert line in out.stderr.splitlines(), out.stderr


def test_build_stage_messages_in_both_languages(tmp_path):
    root = make_project(tmp_path, {
        "content/pages/arsip.md": "---\ntitle: Arsip\n---\nIsi.\n",
        "content/series/a.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ncompetency: sosial-kultural\n"),
    })
    text = (root / "content/programs/asn-belajar.md").read_text(encoding="utf-8")
    (root / "content/programs/asn-belajar.md").write_text(
        text.replace("---\n", "---\ncompetencies: [manajerial]\n", 1), encoding="utf-8")
    idn = run_cli("check", "--root", str(root), env=ID).stderr.splitlines()
    eng = run_cli("check", "--root", str(root), env=EN).stderr.splitlines()
    assert "content/pages/arsip.md:1: alamat /arsip/ sudah dipakai halaman situs sendiri (ubah 'slug' atau nama berkas)" in idn, idn
    assert "content/pages/arsip.md:1: URL /arsip/ is reserved for the site's own pages (change 'slug' or the file name)" in eng, eng
    assert ("content/series/a.md:5: peringatan: kolom 'competency': 'sosial-kultural' tidak termasuk kompetensi program "
            "'asn-belajar' (manajerial)") in idn
    assert ("content/series/a.md:5: warning: field 'competency': 'sosial-kultural' is not among the competencies of "
            "'asn-belajar' (manajerial)") in eng


def test_template_mistake_in_both_languages(tmp_path):
    root = make_project(tmp_path, {"templates/page.html": "\n{% if %}"})
    idn = run_cli("build", "--root", str(root), "--no-search", env=ID).stderr.splitlines()
    eng = run_cli("build", "--root", str(root), "--no-search", env=EN).stderr.splitlines()
    # Jinja's own detail stays as Jinja words it.
    assert idn[0] == "templates/page.html:2: kesalahan penulisan templat: Expected an expression, got 'end of statement block'"
    assert eng[0] == "templates/page.html:2: template syntax error: Expected an expression, got 'end of statement block'"
