"""Find the editors' source files and parse them into documents (front matter + body).

Only this module and `writer` touch the disk. Parsing is a pure function of a file's bytes,
so the build cache can keep parsed documents by content hash.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .problems import Problems
from .yamlfile import parse_yaml

# Source folders, relative to the project root: kind -> folder.
MARKDOWN_KINDS = {
    "series": "content/series",
    "program": "content/programs",
    "page": "content/pages",
}
FIGURES_FILE = "content/figures.yaml"
CONFIG_FILE = "site.yaml"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"


@dataclass(frozen=True)
class SourceFile:
    """A file found on disk, before parsing."""

    kind: str
    rel: str  # posix path relative to the project root, as shown in messages
    abs: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Document:
    """A parsed Markdown source: front matter, its line numbers, and the body."""

    kind: str
    path: str
    meta: dict
    lines: dict
    body: str
    body_line: int
    digest: str

    def line(self, *key_path) -> int:
        """Line of a field, else of its parent, else the front matter's first line."""
        key = tuple(key_path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def find_sources(root: Path, problems: Problems) -> list[SourceFile]:
    """Every content file, in a stable order."""
    found: list[SourceFile] = []
    for kind, folder in MARKDOWN_KINDS.items():
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            for name in sorted(filenames):
                if name.startswith((".", "_")) or name.endswith("~"):
                    continue
                full = os.path.join(dirpath, name)
                rel = Path(full).relative_to(root).as_posix()
                if not name.endswith(".md"):
                    problems.warning(rel, 1, "not a Markdown file (expected a name ending in .md); ignored")
                    continue
                st = os.stat(full)
                found.append(SourceFile(kind, rel, full, st.st_size, st.st_mtime_ns))
    fig = root / FIGURES_FILE
    if fig.is_file():
        st = fig.stat()
        found.append(SourceFile("figures", FIGURES_FILE, str(fig), st.st_size, st.st_mtime_ns))
    return found


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes, path: str, problems: Problems) -> str | None:
    """UTF-8 text with a BOM dropped and line ends made `\\n`; None (and a problem) otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.error(
            path,
            line,
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at column {column} "
            "(save the file as UTF-8)",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(kind: str, path: str, data: bytes, problems: Problems) -> Document | None:
    """Split `---` front matter from the Markdown body and parse the YAML."""
    text = decode(data, path, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(
            path, 1, "file is empty (expected front matter between '---' lines, then the text)"
        )
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        problems.error(
            path, 1, f"front matter missing (expected '---' on the first line, got {_show(lines[0])})"
        )
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        problems.error(path, 1, "front matter not closed (expected a second '---' line after line 1)")
        return None
    yaml_text = "\n".join(lines[1:close])
    parsed = parse_yaml(yaml_text, path, problems, offset=1)
    if parsed is None:
        return None
    meta = parsed.data
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.error(
            path, 2, f"front matter must be a set of 'field: value' lines, got {_kind(meta)}"
        )
        return None
    line_map = dict(parsed.lines)
    line_map[()] = 1
    body = "\n".join(lines[close + 1 :]).strip("\n")
    body_line = close + 2
    return Document(kind, path, meta, line_map, body, body_line, digest_bytes(data))


def _show(line: str) -> str:
    line = line.strip()
    if not line:
        return "an empty line"
    return repr(line if len(line) <= 40 else line[:37] + "...")


def _kind(value: object) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
