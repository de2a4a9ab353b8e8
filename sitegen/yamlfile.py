"""YAML with line numbers, a strict scalar schema, and no silent surprises.

PyYAML follows YAML 1.1, where `time: 10:00` is the integer 600, `draft: no` is False,
`date: 2024-02-30` raises a bare ValueError and a repeated key silently wins. Editors
should never meet any of that, so this loader resolves only the unambiguous scalars
(true/false, decimal integers, decimals, null) and leaves everything else a string for the
validator to check with a clear message. Every key's line is recorded so that problems can
name `path:line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .problems import Problems

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2-like implicit types."""


StrictLoader.yaml_implicit_resolvers = {}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)



class WrittenFloat(float):
    """A decimal as the file wrote it: `12.000` is the float 12.0 to YAML, but to an
    Indonesian editor it is twelve thousand. Number fields that accept dots grouping
    thousands read `.text` (see schema.Count); everywhere else it is a plain float."""

    __slots__ = ("text",)

    def __new__(cls, text: str):
        obj = super().__new__(cls, text)
        obj.text = text
        return obj

    def __reduce__(self):
        return (WrittenFloat, (self.text,))


def _construct_float(loader, node):
    return WrittenFloat(loader.construct_scalar(node))


StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)

Path_ = tuple  # a key path such as ("reach", "zoom") or ("speakers", 0)


@dataclass(frozen=True)
class Parsed:
    data: object
    lines: dict  # key path -> 1-based line in the file


def _record(node, path: tuple, lines: dict, offset: int, dups: list) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            sub = path + (key,)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                dups.append((sub, line))
            seen.add(key)
            lines[sub] = line
            _record(value_node, sub, lines, offset, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = path + (i,)
            lines[sub] = item.start_mark.line + 1 + offset
            _record(item, sub, lines, offset, dups)


def parse_yaml(text: str, path: str, problems: Problems, offset: int = 0) -> Parsed | None:
    """Parse `text`; `offset` is the number of file lines before it. None on error."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, {(): offset + 1})
        lines: dict = {(): node.start_mark.line + 1 + offset}
        dups: list = []
        _record(node, (), lines, offset, dups)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; no mark
        position = exc.position if isinstance(exc.position, int) else 0
        line = text[:position].count("\n") + 1 + offset
        char = exc.character if isinstance(exc.character, int) else ord(text[position : position + 1] or "\0")
        problems.error(
            path, line,
            f"YAML syntax error: character U+{char:04X} is not allowed here "
            "(an invisible control character, often pasted from another program; delete it)",
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark is not None else offset + 1
        detail = exc.problem or "invalid YAML"
        if exc.context:
            ctx_mark = exc.context_mark
            if ctx_mark is not None and exc.problem_mark is not None and ctx_mark.line != exc.problem_mark.line:
                detail = f"{detail} ({exc.context} that starts on line {ctx_mark.line + 1 + offset})"
            else:
                detail = f"{detail} ({exc.context})"
        problems.error(path, line, f"YAML syntax error: {detail}")
        return None
    except yaml.YAMLError as exc:  # no position known
        problems.error(path, offset + 1, "YAML syntax error: " + " ".join(str(exc).split()))
        return None
    finally:
        loader.dispose()
    ok = True
    for key_path, line in dups:
        problems.error(path, line, f"field '{dotted(key_path)}' is given twice (keep one)")
        ok = False
    return Parsed(data, lines) if ok else None


def dotted(key_path: tuple) -> str:
    out = ""
    for part in key_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
