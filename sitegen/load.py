"""Find the editors' source files and parse them into documents (front matter + body).

Only this module and `writer` touch the disk. Parsing is a pure function of a file's bytes,
so the build cache can keep parsed documents by content hash.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .messages import _, number
from .names import check_paths
from .problems import Problems
from .yamlfile import parse_yaml

# Source folders, relative to the project root: kind -> folder.
MARKDOWN_KINDS = {
    "series": "content/series",
    "program": "content/programs",
    "page": "content/pages",
}
FIGURES_FILE = "content/figures.yaml"
REACH_DIR = "content/reach"  # reach imported from the platforms' exports (sitegen/reach/)
CONFIG_FILE = "site.yaml"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"
ADMIN_DIR = "admin"  # the browser editor, served at /admin/


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
    """Every content file, in a stable order. Only regular files inside the project are
    taken: a symbolic link, a named pipe, a socket or a device anywhere in content/,
    templates/, static/ or admin/ (or as site.yaml or content/figures.yaml) is reported here, for
    `check` as for `build`, and never opened; so is a file over the size limit."""
    found: list[SourceFile] = []
    names: list[str] = []  # every file name, checked for what Windows and macOS can hold
    for kind, folder in MARKDOWN_KINDS.items():
        for rel, full, st in regular_files(root, folder, problems, skip=_skip_content):
            names.append(rel)
            if not rel.endswith(".md"):
                problems.warning(rel, 1, _("not a Markdown file (expected a name ending in .md); ignored"))
                continue
            if _within_limit(rel, st, MAX_SOURCE_BYTES, problems):
                found.append(SourceFile(kind, rel, full, st.st_size, st.st_mtime_ns))
    st = regular_file(root, FIGURES_FILE, problems)
    if st is not None and _within_limit(FIGURES_FILE, st, MAX_SOURCE_BYTES, problems):
        found.append(SourceFile("figures", FIGURES_FILE, str(root / FIGURES_FILE), st.st_size, st.st_mtime_ns))
    for rel, full, st in regular_files(root, REACH_DIR, problems, skip=_skip_content):
        if not rel.endswith(".yaml"):
            problems.warning(rel, 1, _("not a reach file (expected a name ending in .yaml, written by build.py reach import); ignored"))
            continue
        if _within_limit(rel, st, MAX_SOURCE_BYTES, problems):
            found.append(SourceFile("reach", rel, full, st.st_size, st.st_mtime_ns))
    # Templates and static files are read later (rendering, copying): checked now, so that
    # `check` reports them too; the readers skip whatever is not a regular file.
    for rel, _full, st in regular_files(root, TEMPLATES_DIR, problems, skip=_skip_hidden):
        names.append(rel)
        _within_limit(rel, st, MAX_SOURCE_BYTES, problems)
    for folder in (STATIC_DIR, ADMIN_DIR):
        for rel, _full, st in regular_files(root, folder, problems, skip=_skip_hidden):
            names.append(rel)
            _within_limit(rel, st, MAX_STATIC_BYTES, problems)
    check_paths(names, problems)
    return found


# ---- reading only regular files inside the project -------------------------------------------
#
# A repository can hold more than Markdown: a symbolic link to ../.git/config (the CI
# checkout token) or to /etc/passwd, a link that leads nowhere or to itself, a named pipe
# that blocks whoever opens it, a device. None of them is ever followed or opened: folders
# are listed with os.scandir and lstat (never following a link), and a file is opened with
# O_NOFOLLOW | O_NONBLOCK and checked with fstat before it is read, in case it was swapped
# after it was listed. Links are refused even when they stay inside the project: a
# reviewer then needs to look at nothing but the files themselves.

MAX_SOURCE_BYTES = 1 << 20  # a content file, site.yaml, figures.yaml or a template: 1 MiB
MAX_STATIC_BYTES = 50 << 20  # a file in static/: 50 MiB

_O_SAFE = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _skip_content(name: str, is_dir: bool) -> bool:
    return name.startswith((".", "_")) or (not is_dir and name.endswith("~"))


def _skip_hidden(name: str, is_dir: bool) -> bool:
    return not is_dir and name.startswith(".")


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    return _("not a regular file")


def _refuse(root: Path, full: str, rel: str, mode: int, problems: Problems) -> None:
    """Report a link or special file at `full` without opening (or following) it."""
    if not stat.S_ISLNK(mode):
        problems.error(rel, 1, _("{what} is not read: the build reads only regular files; remove it").format(what=_special(mode)))
        return
    try:
        target = os.readlink(full)
    except OSError:
        target = "?"
    shown = target if len(target) <= 80 else target[:77] + "..."
    try:
        os.stat(full)  # follows the link, opens nothing
    except OSError as exc:
        what = _("a symbolic link loop") if exc.errno == errno.ELOOP else _("a symbolic link that leads nowhere")
    else:
        real = os.path.realpath(full)
        inside = real == str(root) or real.startswith(str(root) + os.sep)
        what = _("a symbolic link") if inside else _("a symbolic link that leads outside the project")
    problems.error(
        rel, 1,
        _("{what} (to {target}) is not followed: the build reads only regular files "
          "inside the project, never links; put the file itself here").format(what=what, target=repr(shown)),
    )


def _component_ok(root: Path, rel: str, problems: Problems) -> os.stat_result | None:
    """lstat of root/rel after checking every folder on the way; None when it (or a
    folder on the way) is missing, or is a link or special file (then reported)."""
    parts = rel.split("/")
    for i in range(len(parts)):
        sub = "/".join(parts[: i + 1])
        full = os.path.join(root, *parts[: i + 1])
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return None
        except OSError as exc:
            problems.error(sub, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
            return None
        last = i == len(parts) - 1
        if stat.S_ISDIR(st.st_mode) and not last:
            continue
        if last:
            return st
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
            _refuse(root, full, sub, st.st_mode, problems)
        return None  # a file where a folder was expected: nothing below it
    return None


def regular_file(root: Path, rel: str, problems: Problems) -> os.stat_result | None:
    """The lstat of the single file root/rel when it is a regular file; None when it is
    missing, or (reported) a link, special file or folder."""
    st = _component_ok(root, rel, problems)
    if st is None:
        return None
    if stat.S_ISREG(st.st_mode):
        return st
    if stat.S_ISDIR(st.st_mode):
        problems.error(rel, 1, _("is a folder, not a file"))
        return None
    _refuse(root, os.path.join(root, rel), rel, st.st_mode, problems)
    return None


def regular_files(root: Path, folder: str, problems: Problems | None, skip) -> list:
    """[(rel, full path, lstat)] of the regular files below root/folder, sorted. Links and
    special files are reported (when `problems` is given) and left out; names for which
    skip(name, is_dir) is true are never looked at."""
    sink = problems if problems is not None else Problems()
    st = _component_ok(root, folder, sink)
    if st is None:
        return []
    if not stat.S_ISDIR(st.st_mode):
        if not stat.S_ISREG(st.st_mode):
            _refuse(root, os.path.join(root, folder), folder, st.st_mode, sink)
        return []
    out: list = []
    todo = [folder]
    while todo:
        rel_dir = todo.pop()
        full_dir = os.path.join(root, rel_dir)
        try:
            with os.scandir(full_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            sink.error(rel_dir, 1, _("cannot read the folder: {reason}").format(reason=exc.strerror or exc))
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}"
            try:
                est = entry.stat(follow_symlinks=False)
            except OSError as exc:
                sink.error(rel, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
                continue
            is_dir = stat.S_ISDIR(est.st_mode)
            if skip(entry.name, is_dir):
                continue
            if is_dir:
                todo.append(rel)
            elif stat.S_ISREG(est.st_mode):
                out.append((rel, entry.path, est))
            else:
                _refuse(root, entry.path, rel, est.st_mode, sink)
    out.sort(key=lambda t: t[0])
    return out


def _within_limit(rel: str, st: os.stat_result, limit: int, problems: Problems) -> bool:
    if st.st_size <= limit:
        return True
    problems.error(
        rel, 1,
        _("file is too large: {size} bytes, over the limit of {limit} bytes "
          "(no honest page comes near it; split the file or shrink it)").format(size=number(st.st_size), limit=number(limit)),
    )
    return False


def read_regular(path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file, opened without following a link or blocking on a
    pipe; OSError for anything else, or for a file over `limit` bytes."""
    fd = os.open(path, _O_SAFE)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, _("{what}, not a regular file").format(what=_special(st.st_mode)))
        if st.st_size > limit:
            raise OSError(errno.EFBIG, _("file is too large ({size} bytes, the limit is {limit})").format(size=number(st.st_size), limit=number(limit)))
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, max(1 << 16, st.st_size + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise OSError(errno.EFBIG, _("file is too large (over {limit} bytes)").format(limit=number(limit)))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


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
            _("not valid UTF-8: byte {byte} at column {column} "
              "(save the file as UTF-8)").format(byte=f"0x{data[exc.start]:02x}", column=column),
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
            path, 1, _("file is empty (expected front matter between '---' lines, then the text)")
        )
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        problems.error(
            path, 1, _("front matter missing (expected '---' on the first line, got {found})").format(found=_show(lines[0]))
        )
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        problems.error(path, 1, _("front matter not closed (expected a second '---' line after line 1)"))
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
            path, 2, _("front matter must be a set of 'field: value' lines, got {found}").format(found=_kind(meta))
        )
        return None
    line_map = dict(parsed.lines)
    line_map[()] = 1
    body = "\n".join(lines[close + 1 :]).strip("\n")
    body_line = close + 2
    deep = _too_deep(lines, close + 1)
    if deep is not None:
        problems.error(
            path, deep,
            _("the text is nested more than {limit} levels deep (quotes, lists or HTML tags "
              "inside one another), over the limit: check the '>' and '-' at the start of the line").format(limit=MAX_BODY_DEPTH),
        )
        return None
    return Document(kind, path, meta, line_map, body, body_line, digest_bytes(data))


MAX_BODY_DEPTH = 100  # quotes, lists and HTML elements inside one another in a body
# Block markers at the start of a line: quotes and list items, each one level deeper.
_BLOCK_MARKS = re.compile(r"[ \t]*(?:>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?(/?)>")
# Elements that never hold others, or whose end tag may be left out (the parser closes them).
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li dt dd tr td th "
    "option optgroup thead tbody tfoot colgroup rt rp".split()
)


def _too_deep(lines: list, first: int) -> int | None:
    """The line (1-based) where a body nests quotes, list items or HTML elements more than
    MAX_BODY_DEPTH deep; None when it never does. Linear in the text: the HTML sanitiser
    takes time that grows with the square of the nesting (a 1 MiB line of '>' would take
    hours), and no honest page nests more than a few levels."""
    # Each marker takes a character at least, so only a line longer than the limit can hold
    # too many; each element opens with a '<', so only a body with more of them than the
    # limit can nest too deep. Most bodies are read without a regular expression.
    tags = sum(lines[i].count("<") for i in range(first, len(lines))) > MAX_BODY_DEPTH
    depth = 0  # HTML elements open across lines
    for i in range(first, len(lines)):
        line = lines[i]
        if len(line) > MAX_BODY_DEPTH:
            marks = 0
            pos = 0
            while marks <= MAX_BODY_DEPTH:
                m = _BLOCK_MARKS.match(line, pos)
                if m is None or m.end() == pos:
                    break
                marks += 1
                pos = m.end()
            if marks > MAX_BODY_DEPTH:
                return i + 1
        if tags and "<" in line:
            for m in _TAG.finditer(line):
                if m.group(3) or m.group(2).lower() in _FLAT:
                    continue
                depth = max(depth - 1, 0) if m.group(1) else depth + 1
                if depth > MAX_BODY_DEPTH:
                    return i + 1
    return None


def _show(line: str) -> str:
    line = line.strip()
    if not line:
        return _("an empty line")
    return repr(line if len(line) <= 40 else line[:37] + "...")


def _kind(value: object) -> str:
    return {list: _("a list"), str: _("text"), int: _("a number"), float: _("a number"), bool: "true/false"}.get(
        type(value), type(value).__name__
    )
