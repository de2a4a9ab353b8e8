"""Names every editor's computer can hold, and text without invisible characters.

The repository is checked out on Linux, macOS and Windows. A name that is fine here can be
one that Windows refuses to create (CON, AUX, NUL, COM1, LPT1 with any extension, in any
case; a name holding < > : " \\ | ? * or a control character; a name ending in a dot or a
space), and two names that differ here can be one file there: macOS and Windows do not
tell upper from lower case, and macOS does not tell the two Unicode spellings of an
accented letter apart (é as one code point, NFC, or as e plus a combining accent, NFD). A
checkout there holds only one of the two, and the site built from it loses a page, or
publishes one of two pages at the address both claim. Each file involved is named, with
the code points shown where the difference cannot be seen.

Bidirectional controls (which reorder what is shown: a title can read differently from
what it holds) and zero-width characters (which make two equal-looking words differ, and
slip into addresses and search) are reported wherever an editor types a name: titles,
speakers, tags, any front-matter text, and file names.
"""

from __future__ import annotations

import re
import unicodedata

from .messages import _

# Windows' reserved device names (the part before the first dot, in any case).
RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in "123456789\u00b9\u00b2\u00b3"]
    + [f"LPT{i}" for i in "123456789\u00b9\u00b2\u00b3"]
)
FORBIDDEN = frozenset('<>:"\\|?*')

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
INVISIBLE = BIDI | ZERO_WIDTH


def code_point(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def invisible_in(text: str) -> list[str]:
    """The invisible characters in `text`, each once, as 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    if INVISIBLE.isdisjoint(text):  # nearly every text: one pass in C, not a loop in Python
        return []
    seen: list[str] = []
    for ch in text:
        if ch in INVISIBLE and ch not in seen:
            seen.append(ch)
    return [code_point(ch) for ch in seen]


def shown(name: str) -> str:
    """A name as it can be told apart on screen: ASCII as it is, every other character
    followed by its code point (é<U+00E9>, e<U+0301>), invisible ones only as the code
    point."""
    out = []
    for ch in name:
        if ch.isascii() and ch.isprintable():
            out.append(ch)
        elif ch in INVISIBLE or not ch.isprintable() or unicodedata.combining(ch):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(f"{ch}<U+{ord(ch):04X}>")
    return "".join(out)


def fold(path: str) -> str:
    """The key under which a case-insensitive, normalising file system (macOS; Windows for
    case) stores a path: two paths with the same key are one file there."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", path).lower())


# A name of these characters only, not ending in a dot, has nothing to report unless its
# stem is reserved: most names are such, and checking them so keeps a scan of thousands cheap.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def name_problems(name: str) -> list[str]:
    """What makes one file or folder name impossible (or treacherous) on Windows or macOS;
    messages complete "file name 'x': ..."."""
    if _PLAIN_NAME.fullmatch(name) and not name.endswith(".") and name.split(".", 1)[0].upper() not in RESERVED:
        return []
    found = []
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in RESERVED:
        found.append(_("{stem} is a name Windows reserves for a device (with any extension, in any case): "
                       "a Windows checkout cannot hold it; rename the file").format(stem=name.split(".", 1)[0]))
    bad = sorted({ch for ch in name if ch in FORBIDDEN or ord(ch) < 32 or ord(ch) == 127})
    if bad:
        found.append(_("holds {chars}, which Windows does not allow in a file name: rename the file").format(
            chars=", ".join(repr(ch) + f" (U+{ord(ch):04X})" for ch in bad)))
    if name.endswith((".", " ")):
        found.append(_("ends in a dot or a space, which Windows drops (the file would get another name there): rename the file"))
    hidden = invisible_in(name)
    if hidden:
        found.append(_("holds invisible characters ({codes}): remove them from the file name").format(codes=", ".join(hidden)))
    return found


def check_paths(paths: list[str], problems) -> None:
    """Report every name in `paths` (posix, relative to the project) that a Windows or macOS
    checkout cannot hold, and every group of paths that such a checkout would make one."""
    seen_names: set = set()
    for rel in paths:
        parts = rel.split("/")
        for i, part in enumerate(parts):
            sub = "/".join(parts[: i + 1])
            if sub in seen_names:
                continue
            seen_names.add(sub)
            for message in name_problems(part):
                problems.error(sub, 1, _("file name {name}: {problem}").format(name=shown(part), problem=message))
    groups: dict = {}
    for rel in paths:
        groups.setdefault(fold(rel), []).append(rel)
    for members in groups.values():
        if len(members) < 2:
            continue
        members = sorted(members)
        for rel in members:
            others = [m for m in members if m != rel]
            problems.error(
                rel, 1,
                _("{name} and {others} differ only in upper and lower case or in how an accented letter is encoded; "
                  "macOS and Windows keep only one of them (a clone there loses the others): "
                  "give each a different name, or merge them").format(
                    name=shown(rel), others=", ".join(shown(m) for m in others)),
            )


def text_problems(value, where, report) -> None:
    """Report invisible characters in every text (and key) of a front-matter value;
    `where` is the key path, `report(key_path, message)`."""
    if isinstance(value, str):
        hidden = invisible_in(value)
        if hidden:
            report(where, _("{field} holds invisible characters ({codes}) that reorder or hide text on screen "
                            "and reach the address, the feed, the calendar and the share image: delete them "
                            "(retype the text if needed)").format(field=_field_name(where), codes=", ".join(hidden)))
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and invisible_in(k):
                text_problems(k, where + (k,), report)
            text_problems(v, where + (k,), report)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            text_problems(v, where + (i,), report)


def _field_name(where: tuple) -> str:
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return _("field '{field}'").format(field=out)
