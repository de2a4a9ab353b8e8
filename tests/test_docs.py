"""The README and docs/ tell the truth about the commands: every `build.py` command they show
parses with the command line's own parser (its subcommand and every option exist), the
cheap ones run on a copy of the project, the scripts they name exist and take the options
shown, and every link between the documents reaches a file."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_repo_project, run_cli
from sitegen import cli

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell|console)\n(.*?)^```", re.M | re.S)
INDENTED_BLOCK = re.compile(r"(?:\A|\n\n)((?: {4}\S[^\n]*\n?)+)")
INLINE = re.compile(r"`([^`\n]+)`")
PYTHON = re.compile(r"^(?:python3?|\.venv/bin/python|\.venv\\Scripts\\python|py)$")


def shell_lines(text: str) -> list[str]:
    """The command lines of a document: fenced shell blocks, indented code blocks, and inline
    code that starts with a command (`python build.py ...`, `bash scripts/...`)."""
    lines = []
    for block in SHELL_BLOCK.findall(text):
        lines += [line.split("  #")[0].strip() for line in block.splitlines()]
    for block in INDENTED_BLOCK.findall(text):
        lines += [line.strip() for line in block.splitlines()]
    for span in INLINE.findall(text):
        if re.match(r"(python3? |\.venv/bin/python |bash scripts/)", span):
            lines.append(span)
    return [line for line in lines if line and not line.startswith("#")]


def commands(text: str) -> list[list[str]]:
    """Each simple command of the document's command lines, as words; `[--x]` optional parts
    become words of their own and `...` is dropped."""
    out = []
    for line in shell_lines(text):
        for part in re.split(r"&&|;|\|\|?", line):
            part = part.replace("[", " ").replace("]", " ")
            try:
                words = shlex.split(part, posix=True)
            except ValueError:
                continue
            words = [w for w in words if w not in ("...", "…")]
            if words:
                out.append(words)
    return out


def build_commands() -> list[tuple[str, list[str]]]:
    """(document, arguments after build.py) of every build.py command in the documents."""
    found = []
    for doc in DOCS:
        for words in commands(doc.read_text(encoding="utf-8")):
            if len(words) >= 2 and PYTHON.match(words[0]) and words[1] == "build.py":
                found.append((doc.relative_to(REPO).as_posix(), words[2:]))
    return found


def script_commands() -> list[tuple[str, str, list[str]]]:
    """(document, script path, arguments) of every `python x.py` or `bash x.sh` command."""
    found = []
    for doc in DOCS:
        for words in commands(doc.read_text(encoding="utf-8")):
            if len(words) >= 2 and (PYTHON.match(words[0]) or words[0] == "bash") and words[1] != "build.py" \
                    and words[1].endswith((".py", ".sh")):
                found.append((doc.relative_to(REPO).as_posix(), words[1], words[2:]))
    return found


def test_the_documents_show_build_commands():
    seen = {args[0] if args and args[0] in cli.COMMANDS else "build" for _doc, args in build_commands()}
    assert {"build", "check", "serve", "new", "schema", "admin"} <= seen
    readme = [args for doc, args in build_commands() if doc == "README.md"]
    assert [] in readme  # the first command: a plain build


@pytest.mark.parametrize("doc,args", build_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_build_command_shown_parses(doc, args):
    """The command line's own parser accepts the command: its subcommand and every option
    exist and take the values shown."""
    if len(args) == 1 and args[0] in cli.COMMANDS:
        return  # the command named in a sentence, without its arguments
    argv = list(args)
    if not argv or (argv[0] not in cli.COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    try:
        cli.parser().parse_args(argv)
    except SystemExit as exc:
        assert exc.code == 0, f"{doc}: build.py {' '.join(args)} is refused by the command line"


def test_the_parser_refuses_what_no_document_may_show():
    """The check above can fail: an unknown option or subcommand is refused."""
    for argv in (["check", "--strcit"], ["build", "--serach"], ["publish"]):
        with pytest.raises(SystemExit) as exc:
            cli.parser().parse_args(argv)
        assert exc.value.code == 2


@pytest.mark.parametrize("doc,script,args", script_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_script_shown_exists_and_takes_its_options(doc, script, args):
    path = REPO / script
    assert path.is_file(), f"{doc}: {script} does not exist"
    options = [a.split("=")[0] for a in args if a.startswith("--")]
    text = path.read_text(encoding="utf-8")
    for option in options:
        assert re.search(rf"['\"]{re.escape(option)}['\"=)|]|{re.escape(option)}\)", text), f"{doc}: {script} has no option {option}"


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    root = copy_repo_project(tmp_path_factory.mktemp("docs") / "proj")
    for name in ("schema", "admin"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.js", "fonts"))
    return root


CHEAP = {"check", "schema", "admin", "new"}


def runnable() -> list[list[str]]:
    """The distinct cheap commands the documents show: checks, --help, and the generators
    in --check mode; never a build that publishes, a preview or a fetch from npm."""
    out = []
    for _doc, args in build_commands():
        if "--vendor" in args or "--repo" in args:
            continue
        command = args[0] if args and args[0] in cli.COMMANDS else None
        if "--help" in args or "-h" in args or command in ("check",) or (command in ("schema", "admin") and "--check" in args):
            if args not in out:
                out.append(args)
    return out


@pytest.mark.system
def test_the_documented_checks_run_on_a_copy_of_the_project(project_copy):
    shown = runnable()
    assert any(a[:1] == ["check"] for a in shown) and any(a[:2] == ["schema", "--check"] for a in shown)
    for args in shown + [["--help"], ["check", "--help"]]:
        proc = run_cli(*args, "--root", str(project_copy)) if "--help" not in args else run_cli(*args)
        assert proc.returncode == 0, (args, proc.stdout[-500:], proc.stderr[-2000:])
        assert not list(project_copy.glob("_site")), f"build.py {' '.join(args)} wrote a site"


@pytest.mark.system
def test_the_readme_first_command_builds_a_copy(project_copy, tmp_path):
    """The build at the end of the README's first command, on a copy (the virtual environment
    and packages are this one's)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = commands(readme.split("## Two commands", 1)[1])[0:3]
    assert [w[:2] for w in first] == [["python3", "-m"], [".venv/bin/pip", "install"], [".venv/bin/python", "build.py"]]
    out = tmp_path / "_site"
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), *first[2][2:], "--root", str(project_copy),
                           "--output", str(out), "--no-search", "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file()


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_between_the_documents_reach_a_file(doc):
    text = doc.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (doc.parent / target).exists(), f"{doc.name}: link to {target} reaches nothing"


def test_the_readme_is_short_and_links_every_document():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for doc in sorted((REPO / "docs").glob("*.md")):
        assert f"(docs/{doc.name})" in readme, f"README does not link docs/{doc.name}"


def test_the_settings_reference_is_generated_from_the_field_tables():
    """docs/content-format.md's reference of every field is what scripts/settings_reference.py
    makes of the tables now, and documents every field of them."""
    import importlib.util

    from sitegen.schema import FIELDS_BY_KIND, FIGURE_FIELDS, SITE_FIELDS, SOURCE_FIELDS

    spec = importlib.util.spec_from_file_location("settings_reference", REPO / "scripts" / "settings_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (REPO / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert module.updated(text) == text, "run: python scripts/settings_reference.py"
    generated = text[text.index(module.BEGIN):text.index(module.END)]
    for fields in (SITE_FIELDS, SOURCE_FIELDS, FIGURE_FIELDS, *FIELDS_BY_KIND.values()):
        for f in fields:
            assert f"| `{f.name}` |" in generated and f.doc, f.name


def test_the_site_settings_defaults_are_the_configs():
    """The defaults the reference shows are the ones a build uses."""
    import dataclasses

    from sitegen.config import Config
    from sitegen.schema import SITE_FIELDS

    defaults = {f.name: f.default for f in dataclasses.fields(Config)}
    for f in SITE_FIELDS:
        if f.required or f.default is None:
            continue
        expected = defaults[f.name]
        shown = tuple(f.default.items()) if isinstance(f.default, dict) else tuple(f.default) if isinstance(f.default, list) else f.default
        assert shown == expected, f.name
