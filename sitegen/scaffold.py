"""`build.py new`: a new series file, its front matter filled in from the title, the
program and the date, with the optional fields as hints. It reads the programs from the
project itself (projectinfo.py), and the file must read back as a valid series before it
is written. (`build.py schema` is schemafiles.py.)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import yaml

from .messages import _
from .names import fold, invisible_in, name_problems, shown
from .load import MARKDOWN_KINDS, parse_document
from .plausible import BODY_PLACEHOLDER, SUMMARY_PLACEHOLDER
from .problems import Problems, print_problems
from .projectinfo import project_context
from .schema import FIELDS_BY_KIND, SERIES_FIELDS, slugify
from .validate import check_fields

# Optional fields that `new` does not offer as hints: a real series is never a sample, and
# the address comes from the file name.
NO_HINT = ("sample", "slug")


def _err(message: str) -> None:
    print(f"build.py: {message}", file=sys.stderr)


def yaml_value(value) -> str:
    """One YAML value, safely quoted (strings always in double quotes)."""
    text = yaml.safe_dump(value, default_style='"' if isinstance(value, str) else None,
                          allow_unicode=True, width=float("inf"), default_flow_style=True)
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text


def _hint_lines(program: dict) -> list[str]:
    """Commented lines for every optional series field, from the schema's own documentation."""
    lines = ["# Kolom pilihan: hapus tanda '# ' di awal baris untuk memakainya."]
    for f in SERIES_FIELDS:
        if f.required or f.name in NO_HINT:
            continue
        example = f.example
        if f.name == "time" and program.get("time") is not None:
            example = program["time"].strftime("%H:%M")
        if f.name == "competency" and program.get("competencies"):
            example = program["competencies"][0]
        if f.name == "draft":
            example = True
        if f.name == "summary" and not example:
            example = SUMMARY_PLACEHOLDER
        if isinstance(example, dict):
            lines.append(f"# {f.name}:  # {f.doc}")
            lines.extend(f"#   {k}: {yaml_value(v)}" for k, v in example.items())
        elif isinstance(example, list):
            lines.append(f"# {f.name}:  # {f.doc}")
            lines.extend(f"#   - {yaml_value(v)}" for v in example)
        else:
            lines.append(f"# {f.name}: {yaml_value(example)}  # {f.doc}")
    return lines


def series_text(title: str, program: str, date: dt.date, program_record: dict | None = None) -> str:
    """The text of a new series file."""
    lines = [
        "---",
        f"title: {yaml_value(title)}",
        f"program: {yaml_value(program)}",
        f"date: {yaml_value(date.isoformat())}",
        *_hint_lines(program_record or {}),
        "---",
        BODY_PLACEHOLDER,
    ]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """The path relative to the current folder when it lies below it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _same_name_there(folder: Path, name: str) -> list[str]:
    """Names in `folder`, other than `name` itself, that a macOS or Windows checkout would
    store as the same file."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if n != name and fold(n) == fold(name))


def cmd_new(args) -> int:
    root = args.root.resolve()
    title = " ".join(str(args.title).split())  # one line, single spaces
    if not title:
        _err(_("the title is empty; write it in quotes, e.g. python build.py new \"Literasi Data untuk ASN\" ..."))
        return 1
    problems = Problems()
    config, ctx, programs = project_context(root, problems)
    if config is None or problems.errors:
        print_problems(problems)
        _err(_("fix the problems above first (site.yaml or content/programs/)"))
        return 1
    if args.program not in programs:
        known = ", ".join(ctx["programs"]) or _("none (content/programs/ is empty)")
        _err(_("unknown program {program}; expected one of: {known}").format(program=repr(args.program), known=known))
        return 1
    hidden = invisible_in(title)
    if hidden:
        _err(_("the title holds invisible characters ({codes}); type it again without them").format(codes=", ".join(hidden)))
        return 1
    slug = slugify(title) or f"seri-{args.date.isoformat()}"
    folder = root / MARKDOWN_KINDS["series"]
    path = folder / f"{slug}.md"
    rel = path.relative_to(root).as_posix()
    unusable = name_problems(path.name)
    if unusable:
        _err(_("the title gives the file name {name}, a name Windows reserves for a device (CON, PRN, AUX, NUL, "
               "COM1-9, LPT1-9, with any extension): a Windows checkout could not hold it; choose another title "
               "(for example add a word); nothing was written").format(name=path.name))
        return 1
    same = _same_name_there(folder, path.name)
    if same:
        _err(_("{path} would be the same file as {others} on macOS and Windows (they differ only in upper and lower "
               "case or in how an accented letter is encoded); edit that file, or choose another title").format(
            path=rel, others=", ".join(shown(f"{MARKDOWN_KINDS['series']}/{n}") for n in same)))
        return 1
    text = series_text(title, args.program, args.date, programs[args.program])

    # The file must read back exactly as intended before it is written.
    check = Problems()
    doc = parse_document("series", rel, text.encode("utf-8"), check)
    record = check_fields(doc, FIELDS_BY_KIND["series"], ctx, check) if doc is not None else None
    if record is None or check.items or record["title"] != title or record["date"] != args.date:
        print_problems(check)
        _err(_("could not write a valid series file for the title {title}").format(title=repr(title)))
        return 1

    folder.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        _err(_("{path} already exists and was not changed; edit that file, or choose another title").format(path=rel))
        return 1
    print(_shown(path))
    return 0
