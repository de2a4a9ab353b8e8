"""The project as the editors' helpers read it (`build.py new`, `schema`, `admin`):
site.yaml and the programs in content/programs/, read and checked the way a build reads
them, so that the slugs they offer are the real ones. Problems of other files are left to
`check`.
"""

from __future__ import annotations

from pathlib import Path

from .config import Config, load_config
from .load import MARKDOWN_KINDS, find_sources, parse_document
from .problems import Problems
from .validate import validate_documents


def project_context(root: Path, problems: Problems) -> tuple[Config | None, dict, dict]:
    """(config, ctx, program records by slug) from site.yaml and content/programs/, the same
    way a build reads them. ctx holds the program and channel slugs."""
    config = load_config(root, problems)
    if config is None:
        return None, {}, {}
    ctx: dict = {"channels": [c for c, _ in config.channels]}
    docs = []
    found = Problems()  # problems of other files are for `check`, not for these helpers
    sources = find_sources(root, found)
    problems.items.extend(p for p in found.items if p.path.startswith(MARKDOWN_KINDS["program"] + "/"))
    for src in sources:
        if src.kind == "program":
            doc = parse_document("program", src.rel, Path(src.abs).read_bytes(), problems)
            if doc is not None:
                docs.append(doc)
    records = validate_documents(docs, ctx, problems)["program"]
    ctx["programs"] = [rec["slug"] for _, rec in records]
    return config, ctx, {rec["slug"]: rec for _, rec in records}
