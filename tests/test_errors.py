"""Every user-facing problem message, pinned exactly, and how problems are reported:
all at once, `path:line: message`, exit code 1, no traceback, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import make_project, run_cli, tree_bytes
from sitegen.pipeline import Options, build
from sitegen.problems import BuildFailed

GOOD = "---\ntitle: Seri\nprogram: asn-belajar\ndate: 2024-01-04\n---\nIsi.\n"


def problems_for(tmp_path: Path, files: dict, strict: bool = False) -> list[str]:
    root = make_project(tmp_path, files)
    try:
        result = build(Options(root=root, use_cache=False, search=False, today=dt.date(2026, 1, 1), strict=strict), write=False)
    except BuildFailed as exc:
        return [p.format() for p in exc.problems.sorted()]
    return [p.format() for p in result.problems.sorted()]


def series(front: str, body: str = "Isi.\n") -> str:
    return f"---\n{front}---\n{body}"


CASES = [
    ("yaml syntax", series("title: [tanpa tutup\nprogram: asn-belajar\n"),
     "content/series/x.md:3: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)"),
    ("yaml bad indent", series("title: a\n  program: b\n"),
     "content/series/x.md:3: YAML syntax error: mapping values are not allowed in this context"),
    ("front matter missing", "Judul tanpa front matter\n",
     "content/series/x.md:1: front matter missing (expected '---' on the first line, got 'Judul tanpa front matter')"),
    ("front matter unclosed", "---\ntitle: a\nprogram: asn-belajar\n",
     "content/series/x.md:1: front matter not closed (expected a second '---' line after line 1)"),
    ("front matter not a mapping", "---\n- a\n- b\n---\n",
     "content/series/x.md:2: front matter must be a set of 'field: value' lines, got a list"),
    ("empty file", "", "content/series/x.md:1: file is empty (expected front matter between '---' lines, then the text)"),
    ("blank file", "\n  \n", "content/series/x.md:1: file is empty (expected front matter between '---' lines, then the text)"),
    ("non utf-8", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
     "content/series/x.md:2: not valid UTF-8: byte 0xe9 at column 11 (save the file as UTF-8)"),
    ("missing title", series("program: asn-belajar\ndate: 2024-01-04\n"),
     "content/series/x.md:1: missing required field 'title'"),
    ("missing date", series("title: a\nprogram: asn-belajar\n"),
     "content/series/x.md:1: missing required field 'date'"),
    ("title not text", series("title: 12\nprogram: asn-belajar\ndate: 2024-01-04\n"),
     "content/series/x.md:2: field 'title': expected non-empty text, got the number 12"),
    ("unknown program", series("title: a\nprogram: asn-belajr\ndate: 2024-01-04\n"),
     "content/series/x.md:3: field 'program': unknown program 'asn-belajr' (expected one of: asn-belajar, asn-mengaji)"),
    ("impossible date", series("title: a\nprogram: asn-belajar\ndate: 2023-02-29\n"),
     "content/series/x.md:4: field 'date': impossible date '2023-02-29' (no such day in the calendar)"),
    ("date format", series("title: a\nprogram: asn-belajar\ndate: 4 Januari 2024\n"),
     "content/series/x.md:4: field 'date': expected a date as YYYY-MM-DD, got text '4 Januari 2024'"),
    ("time format", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ntime: 9:00\n"),
     "content/series/x.md:5: field 'time': expected a time as HH:MM in WIB, in quotes (for example \"09:00\"), got text '9:00'"),
    ("negative reach", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nreach:\n  zoom: -5\n"),
     "content/series/x.md:6: field 'reach.zoom': expected a whole number of 0 or more, got the number -5"),
    ("fractional reach", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {youtube: 12.5}\n"),
     "content/series/x.md:5: field 'reach.youtube': expected a whole number of 0 or more, written 12000 or 12.000 (a dot only between groups of three digits; no decimals), got 12.5"),
    ("text reach", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {youtube: 12rb}\n"),
     "content/series/x.md:5: field 'reach.youtube': expected a whole number of 0 or more, got text '12rb'"),
    ("reach not a mapping", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nreach: 950\n"),
     "content/series/x.md:5: field 'reach': expected a set of 'channel: number' pairs (for example {zoom: 950}), got the number 950"),
    ("unknown channel", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {tiktok: 5}\n"),
     "content/series/x.md:5: field 'reach.tiktok': unknown channel 'tiktok' (expected one of: zoom, youtube)"),
    ("speakers text", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nspeakers: Budi\n"),
     "content/series/x.md:5: field 'speakers': expected a list (write it as ['Budi'] or as '- ' lines), got text 'Budi'"),
    ("speaker item", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nspeakers:\n  - Budi\n  - 7\n"),
     "content/series/x.md:7: field 'speakers[2]': expected non-empty text, got the number 7"),
    ("duplicate tag", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ntags: [data, data]\n"),
     "content/series/x.md:5: field 'tags': 'data' is listed twice"),
    ("competency", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ncompetency: keuangan\n"),
     "content/series/x.md:5: field 'competency': unknown competency 'keuangan' (expected one of: manajerial, teknis, fungsional, sosial-kultural)"),
    ("draft yes", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ndraft: yes\n"),
     "content/series/x.md:5: field 'draft': expected true or false, got text 'yes'"),
    ("video scheme", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nvideo: javascript:alert(1)\n"),
     "content/series/x.md:5: field 'video': expected a web address starting with https://, got text 'javascript:alert(1)'"),
    ("slug escape", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nslug: ../x\n"),
     "content/series/x.md:5: field 'slug': expected a slug of lowercase letters, digits and single hyphens, got text '../x'"),
    ("duplicate key", series("title: a\ntitle: b\nprogram: asn-belajar\ndate: 2024-01-04\n"),
     "content/series/x.md:3: field 'title' is given twice (keep one)"),
    ("unknown status", series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nstatus: batal\n"),
     "content/series/x.md:5: field 'status': unknown status 'batal' (expected one of: terjadwal, dibatalkan, ditunda, dipindah)"),
    ("moved without previous date", series("title: a\nprogram: asn-belajar\ndate: 2024-01-11\nstatus: dipindah\n"),
     "content/series/x.md:5: status 'dipindah' needs the earlier date: add 'previous_date: YYYY-MM-DD' with the day "
     "the series was first set for, and keep the new day in 'date'"),
    ("previous date without moved", series("title: a\nprogram: asn-belajar\ndate: 2024-01-11\nstatus: dibatalkan\nprevious_date: 2024-01-04\n"),
     "content/series/x.md:6: field 'previous_date' goes only with 'status: dipindah' (a series moved to another day): "
     "add 'status: dipindah', or remove 'previous_date'"),
    ("previous date without status", series("title: a\nprogram: asn-belajar\ndate: 2024-01-11\nprevious_date: 2024-01-04\n"),
     "content/series/x.md:5: field 'previous_date' goes only with 'status: dipindah' (a series moved to another day): "
     "add 'status: dipindah', or remove 'previous_date'"),
    ("previous date equals date", series("title: a\nprogram: asn-belajar\ndate: 2024-01-11\nstatus: dipindah\nprevious_date: 2024-01-11\n"),
     "content/series/x.md:6: field 'previous_date': the earlier date 2024-01-11 is the same as 'date'; 'date' is the new day "
     "of the moved series and 'previous_date' the day it was first set for"),
    ("previous date format", series("title: a\nprogram: asn-belajar\ndate: 2024-01-11\nstatus: dipindah\nprevious_date: 4 Januari 2024\n"),
     "content/series/x.md:6: field 'previous_date': expected a date as YYYY-MM-DD, got text '4 Januari 2024'"),
]


def files_slugs(files: dict) -> set:
    return {Path(p).stem for p in files}


def test_series_status_reaches_the_model(tmp_path):
    files = {
        "content/series/batal.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nstatus: dibatalkan\n"),
        "content/series/tunda.md": series("title: b\nprogram: asn-belajar\ndate: 2024-01-04\nstatus: ditunda\n"),
        "content/series/pindah.md": series("title: c\nprogram: asn-belajar\ndate: 2024-01-11\nstatus: dipindah\nprevious_date: 2024-01-04\n"),
        "content/series/biasa.md": series("title: d\nprogram: asn-belajar\ndate: 2024-01-04\n"),
    }
    root = make_project(tmp_path, files)
    result = build(Options(root=root, use_cache=False, search=False, today=dt.date(2026, 1, 1)), write=False)
    assert not result.problems.items
    got = {s.slug: (s.status, s.previous_date, s.cancelled, s.postponed, s.moved) for s in result.site.series if s.slug in files_slugs(files)}
    assert got == {
        "batal": ("dibatalkan", None, True, False, False),
        "tunda": ("ditunda", None, False, True, False),
        "pindah": ("dipindah", dt.date(2024, 1, 4), False, False, True),
        "biasa": ("terjadwal", None, False, False, False),
    }



@pytest.mark.parametrize("name,text,message", CASES, ids=[c[0] for c in CASES])
def test_series_problem_message(tmp_path, name, text, message):
    assert problems_for(tmp_path, {"content/series/x.md": text}) == [message]


def test_unknown_field_is_a_warning_with_a_suggestion(tmp_path):
    found = problems_for(tmp_path, {"content/series/x.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ntitel: b\n")})
    assert found == ["content/series/x.md:5: warning: unknown field 'titel' is ignored; did you mean 'title'?"]


def test_unknown_setting_is_a_warning(tmp_path):
    from conftest import SITE_YAML

    found = problems_for(tmp_path, {"site.yaml": SITE_YAML + "per_pgae: 10\n"})
    assert found == ["site.yaml:11: warning: unknown setting 'per_pgae' is ignored; did you mean 'per_page'?"]


def test_bad_file_name_needs_a_slug(tmp_path):
    found = problems_for(tmp_path, {"content/series/Seri Baru!.md": GOOD})
    assert found == [
        "content/series/Seri Baru!.md:1: file name 'Seri Baru!.md' does not give a usable address: "
        "rename it with lowercase letters, digits and hyphens, or set 'slug'"
    ]


def test_two_files_with_one_url(tmp_path):
    found = problems_for(tmp_path, {
        "content/series/a.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\nslug: sama\n"),
        "content/series/b.md": series("title: b\nprogram: asn-belajar\ndate: 2024-01-11\nslug: sama\n"),
    })
    assert found == ["content/series/b.md:1: URL /seri/sama/ is already produced by content/series/a.md (change 'slug' or the file name)"]


def test_page_cannot_take_a_reserved_url(tmp_path):
    found = problems_for(tmp_path, {"content/pages/arsip.md": "---\ntitle: Arsip lain\n---\nx\n"})
    assert found == ["content/pages/arsip.md:1: URL /arsip/ is reserved for the site's own pages (change 'slug' or the file name)"]


FIG_HEAD = "sources:\n  - id: s\n    title: Sumber\n    date: 2024-02-22\nfigures:\n"

FIGURE_CASES = [
    ("negative series", "  - program: asn-belajar\n    year: 2022\n    series: -1\n    reach: 5\n",
     "content/figures.yaml:8: figures[1]: field 'series': expected a whole number of 0 or more, got the number -1"),
    ("unknown program", "  - program: asn-ngopi\n    year: 2022\n    series: 1\n    reach: 5\n",
     "content/figures.yaml:6: figures[1]: field 'program': unknown program 'asn-ngopi' (expected one of: asn-belajar, asn-mengaji)"),
    ("no period", "  - program: asn-belajar\n    series: 1\n    reach: 5\n",
     "content/figures.yaml:6: figures[1]: expected a period: 'year', 'year' with 'as_of', or 'from'/'as_of' for a span"),
    ("as_of outside year", "  - program: asn-belajar\n    year: 2024\n    as_of: 2023-12-01\n    series: 1\n    reach: 5\n",
     "content/figures.yaml:8: figures[1]: field 'as_of': expected a date in 2024, got 2023-12-01"),
    ("unknown source", "  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 5\n    source: koran\n",
     "content/figures.yaml:10: figures[1]: field 'source': unknown source 'koran' (expected one of: s)"),
    ("overlap", "  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 5\n  - program: asn-belajar\n    from: 2022-06-01\n    as_of: 2023-01-31\n    series: 1\n    reach: 5\n",
     "content/figures.yaml:10: figures for 'asn-belajar' overlap in time with the entry on line 6 (each day may be declared once)"),
]


@pytest.mark.parametrize("name,text,message", FIGURE_CASES, ids=[c[0] for c in FIGURE_CASES])
def test_figures_problem_message(tmp_path, name, text, message):
    assert problems_for(tmp_path, {"content/figures.yaml": FIG_HEAD + text}) == [message]


def test_archive_contradicting_declared_figures_warns(tmp_path):
    files = {"content/figures.yaml": FIG_HEAD + "  - program: asn-belajar\n    year: 2023\n    series: 1\n    reach: 100\n"}
    for i, day in enumerate(["2023-01-05", "2023-01-12"]):
        files[f"content/series/s{i}.md"] = series(f"title: s{i}\nprogram: asn-belajar\ndate: {day}\nreach: {{zoom: 60}}\n")
    found = problems_for(tmp_path, files)
    assert found == [
        "content/figures.yaml:6: warning: the archive holds 3 series of 'asn-belajar' in 2023, more than the 1 declared",
        "content/figures.yaml:6: warning: the archived series of 'asn-belajar' in 2023 reach 120, more than the 100 declared",
    ]


def test_samples_do_not_contradict_declared_figures(tmp_path):
    files = {"content/figures.yaml": FIG_HEAD + "  - program: asn-belajar\n    year: 2023\n    series: 1\n    reach: 100\n",
             "content/series/satu.md": series("title: s\nprogram: asn-belajar\ndate: 2023-03-02\nsample: true\nreach: {zoom: 500}\n")}
    files.update({f"content/series/c{i}.md": series(f"title: c{i}\nprogram: asn-belajar\ndate: 2023-01-05\nsample: true\nreach: {{zoom: 900}}\n") for i in range(3)})
    assert problems_for(tmp_path, files) == []


def test_site_yaml_problems(tmp_path):
    found = problems_for(tmp_path, {"site.yaml": "title: T\nbase_url: ftp://x\ntimezone: Asia/Jakartaa\nper_page: banyak\n"})
    assert found == [
        "site.yaml:1: missing required setting 'organisation'",
        "site.yaml:2: setting 'base_url': expected an absolute address such as https://example.org/ or https://user.github.io/repo/, got text 'ftp://x'",
        "site.yaml:3: setting 'timezone': unknown time zone 'Asia/Jakartaa' (expected for example Asia/Jakarta)",
        "site.yaml:4: setting 'per_page': expected a whole number of 0 or more, got text 'banyak'",
    ]


def test_all_problems_reported_at_once_and_nothing_written(tmp_path):
    root = make_project(tmp_path, {
        "content/series/a.md": series("title: a\nprogram: nope\ndate: 2024-01-04\n"),
        "content/series/b.md": "",
        "content/series/c.md": series("title: c\nprogram: asn-belajar\ndate: 2024-13-01\n"),
    })
    proc = run_cli("build", "--root", str(root), "--no-search")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[:3] == [
        "content/series/a.md:3: field 'program': unknown program 'nope' (expected one of: asn-belajar, asn-mengaji)",
        "content/series/b.md:1: file is empty (expected front matter between '---' lines, then the text)",
        "content/series/c.md:4: field 'date': impossible date '2024-13-01' (no such day in the calendar)",
    ]
    assert lines[-1] == "build failed: 3 errors, 0 warnings; nothing was written"
    assert not (root / "_site").exists()
    assert not [p for p in root.iterdir() if p.name.startswith("._site")]


def test_strict_turns_warnings_into_failure(tmp_path):
    root = make_project(tmp_path, {"content/series/x.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ntitel: b\n")})
    assert run_cli("check", "--root", str(root)).returncode == 0
    proc = run_cli("check", "--root", str(root), "--strict")
    assert proc.returncode == 1
    assert "content/series/x.md:5: warning: unknown field 'titel' is ignored; did you mean 'title'?" in proc.stderr


def test_check_writes_nothing(tmp_path):
    root = make_project(tmp_path)
    before = tree_bytes(root)
    proc = run_cli("check", "--root", str(root))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("check passed:")
    assert tree_bytes(root) == before


def test_template_error_names_template_and_line(tmp_path):
    root = make_project(tmp_path, {"templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ page.nonexistent.x }}\n{% endblock %}\n",
                                   "content/pages/tentang.md": "---\ntitle: Tentang\n---\nx\n"})
    proc = run_cli("build", "--root", str(root), "--no-search")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith("templates/page.html:3: template error while rendering /tentang/: ")
    assert not (root / "_site").exists()


def test_template_syntax_error(tmp_path):
    root = make_project(tmp_path, {"templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n"})
    proc = run_cli("build", "--root", str(root), "--no-search")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == "templates/page.html:3: template syntax error: Expected an expression, got 'end of statement block'"


def test_usage_errors_exit_2(tmp_path):
    root = make_project(tmp_path)
    assert run_cli("build", "--root", str(root), "--today", "kemarin").returncode == 2
    assert run_cli("build", "--root", str(root), "--nonsense").returncode == 2


MORE_FIGURE_CASES = [
    ("sources not a list", "sources: s\nfigures: []\n",
     "content/figures.yaml:1: 'sources': expected a list, got text 's'"),
    ("source not a mapping", "sources:\n  - s\nfigures: []\n",
     "content/figures.yaml:2: sources[1]: expected fields id, title, date, got text 's'"),
    ("source without date", "sources:\n  - id: s\n    title: T\nfigures: []\n",
     "content/figures.yaml:2: sources[1]: missing required field 'date'"),
    ("source id twice", "sources:\n  - id: s\n    title: T\n    date: 2024-01-01\n  - id: s\n    title: U\n    date: 2024-01-02\nfigures: []\n",
     "content/figures.yaml:5: source id 's' is used twice"),
    ("source url scheme", "sources:\n  - id: s\n    title: T\n    date: 2024-01-01\n    url: javascript:alert(1)\nfigures: []\n",
     "content/figures.yaml:5: sources[1]: field 'url': expected a web address starting with https://, got text 'javascript:alert(1)'"),
    ("figures not a list", "figures: {a: 1}\n",
     "content/figures.yaml:1: 'figures': expected a list, got a set of fields"),
    ("figure not a mapping", "figures:\n  - 49\n",
     "content/figures.yaml:2: figures[1]: expected fields program, year, series, reach, got the number 49"),
    ("missing reach", "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 49\n",
     "content/figures.yaml:2: figures[1]: missing required field 'reach'"),
    ("bad year", "figures:\n  - program: asn-belajar\n    year: dua ribu\n    series: 1\n    reach: 1\n",
     "content/figures.yaml:3: figures[1]: field 'year': expected a year such as 2023, got text 'dua ribu'"),
    ("from with year", "figures:\n  - program: asn-belajar\n    year: 2022\n    from: 2022-02-01\n    series: 1\n    reach: 1\n",
     "content/figures.yaml:4: figures[1]: field 'from' goes with a span, not with 'year' (use 'as_of' for part of a year)"),
    ("from after as_of", "figures:\n  - program: asn-belajar\n    from: 2024-03-01\n    as_of: 2024-02-22\n    series: 1\n    reach: 1\n",
     "content/figures.yaml:3: figures[1]: field 'from': expected a date before as_of 2024-02-22, got 2024-03-01"),
    ("channels not a mapping", "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 10\n    channels: 5\n",
     "content/figures.yaml:6: figures[1]: field 'channels': expected 'channel: number' pairs, got the number 5"),
    ("unknown channel", "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 10\n    channels: {radio: 5}\n",
     "content/figures.yaml:6: figures[1]: field 'channels.radio': unknown channel 'radio' (expected one of: zoom, youtube)"),
    ("channels over reach", "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 10\n    channels: {zoom: 8, youtube: 5}\n",
     "content/figures.yaml:6: figures[1]: the channels add up to 13, more than the reach 10"),
    ("not a mapping", "- a\n", "content/figures.yaml:1: expected 'sources:' and 'figures:' sections, got a list"),
]


@pytest.mark.parametrize("name,text,message", MORE_FIGURE_CASES, ids=[c[0] for c in MORE_FIGURE_CASES])
def test_more_figures_messages(tmp_path, name, text, message):
    assert problems_for(tmp_path, {"content/figures.yaml": text}) == [message]


def test_figures_unknown_key_warns(tmp_path):
    found = problems_for(tmp_path, {"content/figures.yaml": "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 1\n    jangkauan: 5\n"})
    assert found == ["content/figures.yaml:6: warning: unknown field 'jangkauan' is ignored (known fields: program, year, from, as_of, series, reach, source, note, channels)"]


CONFIG_CASES = [
    ("not a mapping", "- a\n", "site.yaml:1: expected 'key: value' settings, got a list"),
    ("language", "language: xx-zz\n", "site.yaml:6: setting 'language': unknown language 'xx-zz' (expected id)"),
    ("markdown engine", "markdown: mistune\n", "site.yaml:6: setting 'markdown': expected one of: pulldown-cmark, python-markdown, got text 'mistune'"),
    ("channels list", "channels: [zoom]\n", "site.yaml:6: setting 'channels': expected 'slug: Name' pairs, got a list"),
    ("channel slug", "channels:\n  Zoom Meeting: Zoom\n", "site.yaml:7: setting 'channels.Zoom Meeting': expected a slug of lowercase letters, digits and single hyphens, got text 'Zoom Meeting'"),
    ("raw_html", "raw_html: 5\n", "site.yaml:6: setting 'raw_html': expected a list of file paths or patterns, got the number 5"),
    ("search", "search: ya\n", "site.yaml:6: setting 'search': expected true or false, got text 'ya'"),
    ("youtube channel http", "youtube_channel: http://www.youtube.com/@x\n",
     "site.yaml:6: setting 'youtube_channel': expected a web address starting with https://, got text 'http://www.youtube.com/@x'"),
    ("contact email", "contact_email: humas at bpsdm\n",
     "site.yaml:6: setting 'contact_email': expected an e-mail address such as nama@contoh.go.id, got text 'humas at bpsdm'"),
    ("contact url", "contact_url: mailto:humas@example.org\n",
     "site.yaml:6: setting 'contact_url': expected a web address starting with https://, got text 'mailto:humas@example.org'"),
]


@pytest.mark.parametrize("name,extra,message", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_messages(tmp_path, name, extra, message):
    head = "title: T\norganisation: O\nbase_url: https://example.org/\ntimezone: Asia/Jakarta\nschedule_since: 2023-09-14\n"
    text = extra if name == "not a mapping" else head + extra
    files = {"site.yaml": text}
    if name.startswith("channel"):
        files["content/programs/asn-belajar.md"] = "---\ntitle: ASN Belajar\nweekday: kamis\n---\n"
        files["content/programs/asn-mengaji.md"] = "---\ntitle: ASN Mengaji\nweekday: rabu\n---\n"
    assert problems_for(tmp_path, files) == [message]


def test_contact_settings_are_read_and_may_be_empty(tmp_path):
    from sitegen.config import load_config
    from sitegen.problems import Problems

    head = "title: T\norganisation: O\nbase_url: https://example.org/\n"
    root = make_project(tmp_path, {"site.yaml": head + 'youtube_channel: ""\ncontact_email:\ncontact_url: " "\n'})
    problems = Problems()
    config = load_config(root, problems)
    assert not problems.items and (config.youtube_channel, config.contact_email, config.contact_url) == ("", "", "")
    (root / "site.yaml").write_text(head + "youtube_channel: https://www.youtube.com/@contoh\ncontact_email: humas@contoh.go.id\n"
                                    "contact_url: https://contoh.go.id/kontak\n", encoding="utf-8")
    config = load_config(root, problems)
    assert not problems.items
    assert (config.youtube_channel, config.contact_email, config.contact_url) == (
        "https://www.youtube.com/@contoh", "humas@contoh.go.id", "https://contoh.go.id/kontak")


def test_missing_site_yaml(tmp_path):
    assert problems_for(tmp_path, {"site.yaml": None}) == ["site.yaml:1: site settings file not found (expected site.yaml at the project root)"]


def test_bad_base_url_option(tmp_path):
    root = make_project(tmp_path)
    proc = run_cli("build", "--root", str(root), "--base-url", "example.org/repo")
    assert proc.returncode == 2  # a usage mistake, told in one line
    assert proc.stderr.splitlines() == ["build.py build: argument --base-url: expected an absolute address such as https://example.org/ or https://user.github.io/repo/, got text 'example.org/repo' (see: python build.py build --help)"]
    assert not (root / "_site").exists()


def test_non_markdown_file_in_series_warns(tmp_path):
    assert problems_for(tmp_path, {"content/series/catatan.txt": "x"}) == [
        "content/series/catatan.txt:1: warning: not a Markdown file (expected a name ending in .md); ignored"
    ]


def test_program_problems(tmp_path):
    found = problems_for(tmp_path, {"content/programs/asn-sehat.md": "---\ntitle: ASN Sehat\nweekday: jum'at\nchannels: zoom\n---\n"})
    assert found == [
        "content/programs/asn-sehat.md:3: field 'weekday': unknown weekday \"jum'at\" (expected one of: senin, selasa, rabu, kamis, jumat, sabtu, minggu)",
        "content/programs/asn-sehat.md:4: field 'channels': expected a list (write it as ['zoom'] or as '- ' lines), got text 'zoom'",
    ]


def test_page_needs_a_title(tmp_path):
    assert problems_for(tmp_path, {"content/pages/tentang.md": "---\nsummary: s\n---\nx\n"}) == [
        "content/pages/tentang.md:1: missing required field 'title'"
    ]


def test_competency_outside_program_warns(tmp_path):
    files = {"content/programs/asn-belajar.md": "---\ntitle: ASN Belajar\nweekday: kamis\ncompetencies: [teknis]\n---\n",
             "content/series/x.md": series("title: a\nprogram: asn-belajar\ndate: 2024-01-04\ncompetency: manajerial\n")}
    assert problems_for(tmp_path, files) == [
        "content/series/x.md:5: warning: field 'competency': 'manajerial' is not among the competencies of 'asn-belajar' (teknis)"
    ]


def test_static_file_cannot_overwrite_a_page(tmp_path):
    root = make_project(tmp_path, {"static/jadwal/index.html": "<p>lama</p>"})
    proc = run_cli("build", "--root", str(root), "--no-search")
    assert proc.returncode == 1
    assert "static/jadwal/index.html:1: static file would overwrite the page /jadwal/" in proc.stderr
    assert not (root / "_site").exists()


def test_two_routes_for_one_file_are_refused(tmp_path, monkeypatch):
    from sitegen import opendata, routes

    data_routes = opendata.data_routes
    monkeypatch.setattr(opendata, "data_routes", lambda site, reports, *keep: data_routes(site, reports, *keep) + [routes.Route("/jadwal/", None, {}, producer=lambda g, c: b"")])
    root = make_project(tmp_path)
    with pytest.raises(BuildFailed) as info:
        build(Options(root=root, use_cache=False, search=False))
    assert [p.format() for p in info.value.problems.errors] == ["templates:1: two outputs share the path jadwal/index.html: /jadwal/ and /jadwal/"]


def test_search_page_url_is_reserved(tmp_path):
    found = problems_for(tmp_path, {"content/pages/cari.md": "---\ntitle: Cari lain\n---\nx\n"})
    assert found == ["content/pages/cari.md:1: URL /cari/ is reserved for the site's own pages (change 'slug' or the file name)"]
