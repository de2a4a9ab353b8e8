"""`build.py new` (a new series file) and `build.py schema` (JSON Schema of front matter)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from conftest import REPO, make_project, run_cli
from sitegen.load import MARKDOWN_KINDS, Document, parse_document
from sitegen.problems import WARNING, Problems
from sitegen.schemafiles import schema_texts
from sitegen.schema import FIELDS_BY_KIND, SLUG_RE
from sitegen.validate import check_fields

def validator(kind: str, root: Path = REPO) -> jsonschema.Draft202012Validator:
    schema = json.loads((root / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def front_matter(path: Path, kind: str) -> dict:
    problems = Problems()
    doc = parse_document(kind, path.relative_to(path.parents[2]).as_posix(), path.read_bytes(), problems)
    assert doc is not None and not problems.items, problems.items
    return doc.meta


# ---- schema -----------------------------------------------------------------------------------

def test_committed_schema_is_generated_from_the_model():
    problems = Problems()
    texts = schema_texts(REPO, problems)
    assert texts is not None, problems.items
    assert set(texts) == {f"schema/{kind}.schema.json" for kind in ("series", "program", "page", "figures", "site")}
    for rel, text in texts.items():
        assert (REPO / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run python build.py schema"
    proc = run_cli("schema", "--check")
    assert proc.returncode == 0, proc.stderr


def test_schema_lists_the_real_programs_and_channels():
    schema = json.loads((REPO / "schema/series.schema.json").read_text(encoding="utf-8"))
    programs = sorted(p.stem for p in (REPO / "content/programs").glob("*.md"))
    assert sorted(schema["properties"]["program"]["enum"]) == programs
    assert schema["properties"]["reach"]["propertyNames"]["enum"] == ["zoom", "youtube"]
    assert set(schema["required"]) == {f.name for f in FIELDS_BY_KIND["series"] if f.required}
    assert set(schema["properties"]) == {f.name for f in FIELDS_BY_KIND["series"]}


@pytest.mark.parametrize("kind", ["series", "program", "page"])
def test_schema_accepts_every_shipped_file(kind):
    files = sorted((REPO / MARKDOWN_KINDS[kind]).rglob("*.md"))
    assert files, f"no shipped {kind} files"
    v = validator(kind)
    for path in files:
        errors = [e.message for e in v.iter_errors(front_matter(path, kind))]
        assert not errors, (path.name, errors)


GOOD = {"title": "Literasi Data untuk ASN", "program": "asn-belajar", "date": "2024-02-22"}

BAD = [
    ("missing title", {"title": None}),
    ("empty title", {"title": ""}),
    ("unknown program", {"program": "asn-tidak-ada"}),
    ("impossible date", {"date": "2024-02-30"}),
    ("day-month-year date", {"date": "22-02-2024"}),
    ("time without leading zero", {"time": "9:00"}),
    ("time as minutes", {"time": 540}),
    ("negative reach", {"reach": {"zoom": -1}}),
    ("unknown channel", {"reach": {"tiktok": 5}}),
    ("reach as a number", {"reach": 1000}),
    ("speakers as text", {"speakers": "Satu Orang"}),
    ("repeated tag", {"tags": ["data", "data"]}),
    ("unknown competency", {"competency": "umum"}),
    ("video not a web address", {"video": "ftp://contoh.id/video"}),
    ("draft as yes", {"draft": "yes"}),
    ("slug with capitals", {"slug": "Literasi-Data"}),
    ("an address with a space", {"video": "https://contoh.id/video saya"}),
    ("an address without a host", {"video": "https://"}),
    ("a date before 1900", {"date": "0001-01-01"}),
    ("29 February of a common year", {"date": "2023-02-29"}),
    ("a title of spaces", {"title": "   "}),
]


@pytest.mark.parametrize("label, change", BAD, ids=[b[0] for b in BAD])
def test_schema_rejects_bad_front_matter(label, change):
    meta = dict(GOOD)
    for key, value in change.items():
        if value is None:
            meta.pop(key)
        else:
            meta[key] = value
    assert not list(validator("series").iter_errors(GOOD))
    assert list(validator("series").iter_errors(meta)), f"schema accepted: {label}"
    # The build complains too (an error, or a warning that fails --strict).
    problems = Problems()
    doc = Document("series", "content/series/x.md", meta, {}, "", 1, "d")
    ctx = {"programs": ["asn-belajar", "asn-mengaji"], "channels": ["zoom", "youtube"]}
    record = check_fields(doc, FIELDS_BY_KIND["series"], ctx, problems)
    assert record is None or problems.items, f"validator accepted: {label}"


def test_schema_and_build_let_an_unknown_field_pass_and_the_build_warns():
    """An unknown field is a warning (an error only with --strict): the schema accepts it."""
    meta = {**GOOD, "judul": "Literasi Data"}
    assert not list(validator("series").iter_errors(meta))
    problems = Problems()
    doc = Document("series", "content/series/x.md", meta, {}, "", 1, "d")
    ctx = {"programs": ["asn-belajar", "asn-mengaji"], "channels": ["zoom", "youtube"]}
    assert check_fields(doc, FIELDS_BY_KIND["series"], ctx, problems) is not None
    assert [p.level for p in problems.items] == [WARNING]


def test_schema_check_finds_a_stale_schema(tmp_path):
    root = make_project(tmp_path)
    assert run_cli("schema", "--root", str(root), "--check").returncode == 1  # nothing written yet
    proc = run_cli("schema", "--root", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "schema/series.schema.json" in proc.stdout
    first = (root / "schema/series.schema.json").read_bytes()
    assert first.endswith(b"}\n")
    assert run_cli("schema", "--root", str(root), "--check").returncode == 0
    (root / "content/programs/asn-sehat-bugar.md").write_text(
        "---\ntitle: ASN Sehat Bugar\nweekday: jumat\n---\nOlahraga ringan.\n", encoding="utf-8")
    proc = run_cli("schema", "--root", str(root), "--check")
    assert proc.returncode == 1
    assert "schema/series.schema.json" in proc.stderr and "out of date" in proc.stderr
    assert run_cli("schema", "--root", str(root)).returncode == 0
    assert "asn-sehat-bugar" in json.loads((root / "schema/series.schema.json").read_text())["properties"]["program"]["enum"]
    # Deterministic: writing again changes nothing.
    again = (root / "schema/series.schema.json").read_bytes()
    assert run_cli("schema", "--root", str(root)).returncode == 0
    assert (root / "schema/series.schema.json").read_bytes() == again


# ---- new --------------------------------------------------------------------------------------

def new(root: Path, title: str, program: str = "asn-belajar", date: str = "2024-03-07"):
    return run_cli("new", title, "--program", program, "--date", date, "--root", str(root))


def written(path: Path) -> None:
    """What an editor does next: the placeholder body replaced by the series' own text."""
    from sitegen.scaffold import BODY_PLACEHOLDER

    text = path.read_text(encoding="utf-8")
    assert BODY_PLACEHOLDER in text
    path.write_text(text.replace(BODY_PLACEHOLDER, "Uraian seri yang ditulis editor.\n"), encoding="utf-8")


def placeholder_warnings_only(check) -> None:
    """check passes, warning of the placeholder body only (--strict fails on it)."""
    assert check.returncode == 0, check.stdout + check.stderr
    lines = [line for line in check.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and ("placeholder that build.py new wrote" in lines[0] or "isian contoh dari build.py new" in lines[0]), lines


def test_new_file_passes_check_strict_and_is_published(tmp_path):
    root = make_project(tmp_path)
    proc = new(root, "Literasi Data: ASN 4.0!")
    assert proc.returncode == 0, proc.stderr
    path = root / "content/series/literasi-data-asn-4-0.md"
    assert proc.stdout.strip() == str(path)
    meta = front_matter(path, "series")
    assert meta == {"title": "Literasi Data: ASN 4.0!", "program": "asn-belajar", "date": "2024-03-07"}
    assert not list(validator("series", REPO).iter_errors(meta))
    # As written, its body is the placeholder: check warns, and --strict (CI) refuses it.
    placeholder_warnings_only(run_cli("check", "--root", str(root)))
    assert run_cli("check", "--strict", "--root", str(root)).returncode == 1
    written(path)
    check = run_cli("check", "--strict", "--root", str(root))
    assert check.returncode == 0, check.stdout + check.stderr
    out = tmp_path / "out"
    build = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--strict")
    assert build.returncode == 0, build.stderr
    page = out / "seri/literasi-data-asn-4-0/index.html"
    assert page.is_file()  # not a draft: the preview and the published site show it
    assert BeautifulSoup(page.read_bytes(), "lxml").find("h1").get_text(strip=True) == "Literasi Data: ASN 4.0!"


def test_new_file_hints_become_valid_fields(tmp_path):
    """Every commented hint, uncommented, is a valid field (the hints come from the schema)."""
    root = make_project(tmp_path)
    assert new(root, "Seri dengan Semua Kolom").returncode == 0
    path = root / "content/series/seri-dengan-semua-kolom.md"
    text = path.read_text(encoding="utf-8")
    assert "\n# time: " in text and "\n# reach:" in text and "\n# draft: true" in text
    opened = "\n".join(
        line[2:] if line.startswith("# ") and not line.startswith("# Kolom") else line for line in text.splitlines()
    ).replace("draft: true", "draft: false")
    path.write_text(opened + "\n", encoding="utf-8")
    meta = front_matter(path, "series")
    assert {"time", "speakers", "competency", "tags", "reach", "video", "summary", "draft"} <= set(meta)
    assert not list(validator("series", REPO).iter_errors(meta))
    # The hints' examples (a speaker, addresses ending in "...", the summary) are placeholders
    # too: check names each of them, and the body.
    warned = run_cli("check", "--root", str(root), "--lang", "en")
    assert warned.returncode == 0, warned.stderr
    for field in ("speakers", "links", "video", "summary"):
        assert f"field '{field}' still holds the example that build.py new offered" in warned.stderr, field
    from sitegen.scaffold import SUMMARY_PLACEHOLDER

    text = path.read_text(encoding="utf-8")
    for old, real in (("Nama Narasumber", "Dr. Siti Aminah"), (SUMMARY_PLACEHOLDER, "Tentang data."),
                      ("https://zoom.us/j/...", "https://zoom.us/j/123"), ("https://www.youtube.com/watch?v=...", "https://www.youtube.com/watch?v=abc")):
        text = text.replace(old, real)
    path.write_text(text, encoding="utf-8")
    written(path)
    check = run_cli("check", "--strict", "--root", str(root))
    assert check.returncode == 0, check.stdout + check.stderr


TITLES = [  # (title, slug): "seri-{date}" where nothing of the title makes a slug
    ('Apa itu "Kata Kunci" & #Tagar?', "apa-itu-kata-kunci-tagar"),
    ("Kamis: 10:00 — 'Ngopi' bareng", "kamis-10-00-ngopi-bareng"),
    ("Résumé naïve: Öffentlicher Dienst", "resume-naive-offentlicher-dienst"),
    ("true", "true"),
    ("2024-03-07", "2024-03-07"),
    ("- [kurung] {kurawal} * & ! |", "kurung-kurawal"),
    ("  Spasi   berlebih\tdan\nbaris  ", "spasi-berlebih-dan-baris"),
    ("الإخلاص في العمل", "seri-{date}"),
    ("!!! ???", "seri-{date}"),
]


def test_new_makes_a_safe_slug_and_keeps_the_title(tmp_path):
    """Every title of TITLES made in one project, each on its own Thursday (the program's
    day): each file is named by its slug and keeps its title; check warns only of each
    placeholder body, and passes --strict once the bodies are written."""
    root = make_project(tmp_path)
    paths = []
    for i, (title, slug) in enumerate(TITLES):
        date = (dt.date(2024, 3, 7) + dt.timedelta(weeks=i)).isoformat()
        slug = slug.format(date=date)
        proc = new(root, title, date=date)
        assert proc.returncode == 0, (title, proc.stderr)
        path = root / "content/series" / f"{slug}.md"
        assert SLUG_RE.match(slug) and path.is_file(), (title, sorted(p.name for p in (root / "content/series").iterdir()))
        assert front_matter(path, "series")["title"] == " ".join(title.split())
        paths.append(path)
    check = run_cli("check", "--root", str(root))
    assert check.returncode == 0, check.stdout + check.stderr
    lines = [line for line in check.stderr.splitlines() if line.strip()]
    for path in paths:  # one warning each: the placeholder body
        rel = path.relative_to(root).as_posix()
        mine = [line for line in lines if line.startswith(rel + ":")]
        assert len(mine) == 1 and ("placeholder that build.py new wrote" in mine[0] or "isian contoh dari build.py new" in mine[0]), (rel, lines)
    assert len(lines) == len(paths), lines
    for path in paths:
        written(path)
    check = run_cli("check", "--strict", "--root", str(root))
    assert check.returncode == 0, check.stdout + check.stderr


def test_new_refuses_to_overwrite(tmp_path):
    root = make_project(tmp_path)
    assert new(root, "Seri Kedua").returncode == 0
    path = root / "content/series/seri-kedua.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nSudah diisi editor.\n", encoding="utf-8")
    before = path.read_bytes()
    proc = new(root, "Seri Kedua", date="2024-03-14")
    assert proc.returncode == 1
    assert "content/series/seri-kedua.md already exists" in proc.stderr
    assert path.read_bytes() == before


def test_new_refuses_an_existing_file_from_the_shipped_content(tmp_path):
    root = make_project(tmp_path)
    before = (root / "content/series/satu.md").read_bytes()
    proc = new(root, "Satu")
    assert proc.returncode == 1 and "already exists" in proc.stderr
    assert (root / "content/series/satu.md").read_bytes() == before


def test_new_unknown_program_lists_the_programs(tmp_path):
    root = make_project(tmp_path)
    proc = new(root, "Seri Baru", program="asn-ngaji")
    assert proc.returncode == 1
    assert "unknown program 'asn-ngaji'" in proc.stderr
    assert "asn-belajar, asn-mengaji" in proc.stderr
    assert not (root / "content/series/seri-baru.md").exists()


@pytest.mark.parametrize("args, code", [
    (["", "--program", "asn-belajar", "--date", "2024-03-07"], 1),  # empty title
    (["   ", "--program", "asn-belajar", "--date", "2024-03-07"], 1),
    (["Judul", "--program", "asn-belajar", "--date", "07-03-2024"], 2),  # usage: date format
    (["Judul", "--date", "2024-03-07"], 2),  # usage: no program
])
def test_new_bad_arguments(tmp_path, args, code):
    root = make_project(tmp_path)
    before = sorted(p.name for p in (root / "content/series").iterdir())
    proc = run_cli("new", *args, "--root", str(root))
    assert proc.returncode == code, proc.stderr
    assert sorted(p.name for p in (root / "content/series").iterdir()) == before


# ---- the editors' guide and the VS Code mapping -----------------------------------------------

MESSAGE_SOURCES = ("validate.py", "fieldcheck.py", "load.py", "schema.py", "yamlfile.py", "config.py", "pipeline.py", "gather.py",
                   "reports.py", "render.py", "search.py", "scaffold.py", "schemafiles.py", "preview/command.py",
                   "preview/livesite.py", "writer.py", "cli.py", "reach/tables.py", "reach/zoom.py", "reach/youtube.py",
                   "reach/command.py", "reach/records.py", "reach/site.py", "names.py", "plausible.py")
MESSAGE_CALLS = {"error", "warning", "Invalid", "expected", "_err", "_fail", "UsageError", "ArgumentTypeError", "ExportError"}


def message_fragments() -> set[tuple[str, str]]:
    """The fixed text of every problem message in the engine, as editors read it: (module,
    fragment). A message written `_("...")` (or `N_`) is taken from the Indonesian catalog,
    the language the engine speaks by default; a plain string is taken as it is."""
    import ast
    import re

    from sitegen import messages

    catalog = messages.catalog("id")
    found = set()

    def add(name, text):
        for piece in re.split(r"[{}]", text):
            piece = " ".join(piece.split()).strip(" :;,.'\"(")
            if len(piece) >= 14:
                found.add((name, piece))

    def translated(node) -> list:
        out = []
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Call) and getattr(sub.func, "id", "") in ("_", "N_") and sub.args
                    and isinstance(sub.args[0], ast.Constant) and isinstance(sub.args[0].value, str)):
                assert sub.args[0].value in catalog, sub.args[0].value
                out.append(catalog[sub.args[0].value])
        return out

    for name in MESSAGE_SOURCES:
        tree = ast.parse((REPO / "sitegen" / name).read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            fn = call.func
            if name == "schema.py" and getattr(fn, "id", "") == "N_":  # the types' descriptions
                add(name, catalog[call.args[0].value])
            if (fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")) not in MESSAGE_CALLS:
                continue
            for arg in call.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    add(name, arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    for v in arg.values:
                        if isinstance(v, ast.Constant) and isinstance(v.value, str):
                            add(name, v.value)
                        else:
                            for text in translated(v):
                                add(name, text)
                else:
                    for text in translated(arg):
                        add(name, text)
    return found


def test_editors_guide_explains_every_message():
    guide = " ".join((REPO / "docs/panduan-editor.md").read_text(encoding="utf-8").split())
    fragments = message_fragments()
    assert len(fragments) > 60  # the collector does find the messages
    missing = sorted(f"{name}: {piece}" for name, piece in fragments if piece not in guide)
    assert not missing, "messages missing from docs/panduan-editor.md:\n" + "\n".join(missing)


def test_editors_guide_lists_the_real_programs():
    guide = (REPO / "docs/panduan-editor.md").read_text(encoding="utf-8")
    for path in (REPO / "content/programs").glob("*.md"):
        assert f"`{path.stem}`" in guide, path.stem


def test_vscode_settings_map_each_schema_to_its_content():
    import fnmatch

    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for kind in ("series", "program", "page"):
        schema_path = f"./schema/{kind}.schema.json"
        assert (REPO / schema_path).is_file()
        globs = mapping[schema_path]
        files = sorted((REPO / MARKDOWN_KINDS[kind]).rglob("*.md"))
        assert files
        for path in files:
            rel = path.relative_to(REPO).as_posix()
            assert any(fnmatch.fnmatch(rel, g) for g in globs), (rel, globs)
