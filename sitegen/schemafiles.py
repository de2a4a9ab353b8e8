"""`build.py schema`: the JSON Schema files in schema/ (the front matter of each kind,
content/figures.yaml and site.yaml) for editors' tools such as VS Code's YAML extension,
generated from the field tables in schema.py with the project's own program and channel
slugs (projectinfo.py); `--check` fails when the committed files are out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .messages import _
from .problems import Problems, print_problems
from .projectinfo import project_context
from .schema import json_schema

SCHEMA_DIR = "schema"
SCHEMA_KINDS = ("series", "program", "page", "figures", "site")


def schema_texts(root: Path, problems: Problems) -> dict | None:
    """rel path -> JSON text of every schema file, or None when the project has problems."""
    config, ctx, _ = project_context(root, problems)
    if config is None or problems.errors:
        return None
    out = {}
    for kind in SCHEMA_KINDS:
        data = json_schema(kind, ctx)
        out[f"{SCHEMA_DIR}/{kind}.schema.json"] = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def cmd_schema(args) -> int:
    root = args.root.resolve()
    problems = Problems()
    texts = schema_texts(root, problems)
    if texts is None:
        print_problems(problems)
        print("build.py: " + _("the schema needs a valid site.yaml and content/programs/; fix the problems above"), file=sys.stderr)
        return 1
    stale = []
    for rel, text in texts.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(_("wrote {path}").format(path=rel))
    if args.check:
        if stale:
            for rel in stale:
                print(_("{path}: out of date (run: python build.py schema, then commit it)").format(path=rel), file=sys.stderr)
            return 1
        print(_("schema up to date: {files}").format(files=", ".join(texts)))
    elif not stale:
        print(_("schema up to date: {files}").format(files=", ".join(texts)))
    return 0
