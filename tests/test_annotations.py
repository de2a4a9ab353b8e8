"""`check --format github`: every problem as a GitHub Actions workflow command, so a pull
request shows it as an annotation on the editor's own line; the default output unchanged."""

from __future__ import annotations

from conftest import make_project, run_cli
from sitegen.problems import ERROR, WARNING, Problem, Problems


def series(front: str, body: str = "Isi.\n") -> str:
    return f"---\n{front}---\n{body}"


def test_error_and_warning_commands():
    assert Problem("content/series/a.md", 3, "field 'program': unknown program 'nope'", ERROR).format_github() == (
        "::error file=content/series/a.md,line=3,title=field 'program'::field 'program': unknown program 'nope'"
    )
    assert Problem("content/series/a.md", 5, "unknown field 'titel' is ignored", WARNING).format_github() == (
        "::warning file=content/series/a.md,line=5,title=build.py check::unknown field 'titel' is ignored"
    )


def test_figure_label_before_field_gives_the_field_as_title():
    p = Problem("content/figures.yaml", 9, "figure 2 (asn-belajar, 2023): field 'reach': expected a whole number", ERROR)
    assert p.format_github().startswith("::error file=content/figures.yaml,line=9,title=field 'reach'::figure 2")


def test_escaping_of_message_and_properties():
    # The message: % first (so later escapes are not escaped twice), then CR and LF.
    p = Problem("content/series/a,b:c%.md", 2, "100% sure\r\nnext: a, b", ERROR)
    assert p.format_github() == (
        "::error file=content/series/a%2Cb%3Ac%25.md,line=2,title=build.py check::100%25 sure%0D%0Anext: a, b"
    )
    # In a property, ':' and ',' are escaped too, because they end the property.
    p = Problem("x.md", 1, "field 'a,b:c': bad", ERROR)
    assert p.format_github() == "::error file=x.md,line=1,title=field 'a%2Cb%3Ac'::field 'a,b:c': bad"


def test_collected_problems_stay_one_line():
    # Problems.error already turns a line break into a visible backslash-n; the command
    # stays one line whatever the path or message held.
    problems = Problems()
    problems.error("a\nb.md", 1, "x\ny")
    (p,) = problems.sorted()
    assert "\n" not in p.format_github()
    assert p.format_github() == "::error file=a\\nb.md,line=1,title=build.py check::x\\ny"


def test_check_format_github(tmp_path):
    root = make_project(tmp_path, {
        "content/series/a.md": series("title: a\nprogram: nope\ndate: 2024-01-04\n"),
        "content/series/b.md": series("title: b\nprogram: asn-belajar\ndate: 2024-01-04\ntitel: b\n"),
    })
    proc = run_cli("check", "--root", str(root), "--format", "github")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "::error file=content/series/a.md,line=3,title=field 'program'::field 'program': unknown program 'nope' (expected one of: asn-belajar, asn-mengaji)",
        "::warning file=content/series/b.md,line=5,title=build.py check::unknown field 'titel' is ignored; did you mean 'title'?",
    ]
    assert proc.stderr.strip() == "check failed: 1 error, 1 warning"


def test_check_format_github_strict_passes_clean_project(tmp_path):
    root = make_project(tmp_path)
    proc = run_cli("check", "--root", str(root), "--strict", "--format", "github")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("check passed:")
    assert "::" not in proc.stdout


def test_default_output_unchanged(tmp_path):
    root = make_project(tmp_path, {"content/series/a.md": series("title: a\nprogram: nope\ndate: 2024-01-04\n")})
    proc = run_cli("check", "--root", str(root))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "content/series/a.md:3: field 'program': unknown program 'nope' (expected one of: asn-belajar, asn-mengaji)",
        "check failed: 1 error, 0 warnings",
    ]


def test_unknown_format_is_a_usage_mistake(tmp_path):
    root = make_project(tmp_path)
    proc = run_cli("check", "--root", str(root), "--format", "xml")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
