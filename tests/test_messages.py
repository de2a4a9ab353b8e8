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
    from sitegen.serve import error_page

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
