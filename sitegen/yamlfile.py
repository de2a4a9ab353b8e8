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

from .messages import N_, _, number
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


# Limits no honest content comes near; each is reported as `path:line: message`.
MAX_DEPTH = 20  # lists and field sets inside one another (figures.yaml needs 4)
MAX_NODES = 20_000  # values in one file (a series has about 30)
MAX_VALUE_CHARS = 10_000  # characters in one value or key (long text belongs in the body)
MAX_INT_DIGITS = 18  # digits of a whole number (reach figures have at most 10)

_INT_TAG = "tag:yaml.org,2002:int"


class _Refused(Exception):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


def _compose(loader) -> object:
    """The document's node tree, composed from the parser's events without recursion.
    PyYAML's own composer recurses once per nesting level (a RecursionError, or with the C
    parser a segmentation fault, for `[[[[...`), and follows aliases, so that a few lines
    of anchors and aliases stand for billions of values. Here every limit is checked as
    the events arrive: aliases, anchors and explicit tags are refused (no editor needs
    them), and so is anything deeper, longer or larger than the limits above."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    start = loader.get_event()  # document start
    stack: list = []  # open collections
    keys: list = []  # per open collection: the mapping key waiting for its value
    root = None
    count = 0
    get_event, resolve = loader.get_event, loader.resolve
    while True:
        event = get_event()
        kind = type(event)
        if kind is yaml.DocumentEndEvent:
            break
        if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            node = stack.pop()
            keys.pop()
            node.end_mark = event.end_mark
            continue
        if kind is yaml.AliasEvent or event.anchor is not None:
            raise _Refused(event.start_mark, _("YAML anchors and aliases ('&name', '*name') are not allowed in content: write each value out in full"))
        if event.tag is not None:
            raise _Refused(event.start_mark, _("YAML tags such as {tag} are not allowed in content: write the value plainly (text in quotes)").format(tag=repr(event.tag)))
        count += 1
        if count > MAX_NODES:
            raise _Refused(event.start_mark, _("more than {limit} values in one file, over the limit (split the file)").format(limit=number(MAX_NODES)))
        if kind is yaml.ScalarEvent:
            value = event.value
            if len(value) > MAX_VALUE_CHARS:
                raise _Refused(event.start_mark, _("a value of {n} characters, over the limit of {limit} (shorten it; long text belongs in the body, below the front matter)").format(n=number(len(value)), limit=number(MAX_VALUE_CHARS)))
            tag = resolve(yaml.ScalarNode, value, event.implicit)
            if tag == _INT_TAG and len(value.lstrip("+-")) > MAX_INT_DIGITS:
                raise _Refused(event.start_mark, _("a whole number of {n} digits, over the limit of {limit} (no count comes near it; check the value)").format(n=number(len(value.lstrip('+-'))), limit=MAX_INT_DIGITS))
            node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
        else:
            if len(stack) >= MAX_DEPTH:
                raise _Refused(event.start_mark, _("values nested more than {limit} levels deep, over the limit (check the indentation and the brackets)").format(limit=MAX_DEPTH))
            if kind is yaml.SequenceStartEvent:
                node = yaml.SequenceNode(loader.resolve(yaml.SequenceNode, None, event.implicit), [], event.start_mark, None, flow_style=event.flow_style)
            else:
                node = yaml.MappingNode(loader.resolve(yaml.MappingNode, None, event.implicit), [], event.start_mark, None, flow_style=event.flow_style)
        if not stack:
            root = node
        else:
            parent = stack[-1]
            if type(parent) is yaml.SequenceNode:
                parent.value.append(node)
            elif keys[-1] is None:
                keys[-1] = node
            else:
                parent.value.append((keys[-1], node))
                keys[-1] = None
        if kind is not yaml.ScalarEvent:
            stack.append(node)
            keys.append(None)
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", start.start_mark, "but found another document", event.start_mark
        )
    loader.get_event()
    return root


# The YAML reader's (libyaml's) wording of the mistakes editors make, translated where shown;
# anything else is shown as the reader words it.
YAML_WORDING = (
    N_("mapping values are not allowed in this context"),
    N_("did not find expected key"),
    N_("found unexpected end of stream"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected '-' indicator"),
    N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("found unhashable key"),
    N_("but found another document"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a simple key"),
    N_("while scanning for the next token"),
    N_("while constructing a mapping"),
    N_("expected a single document in the stream"),
)


# ---- the plain shape of front matter, read without the YAML parser ------------------------------
#
# Nearly every series' front matter is `key: value` lines, with lists of `  - item` lines and
# one level of `  key: value` lines under a key: PyYAML takes about 0.3 ms for such a file
# (libyaml hands every event to Python as an object), a quarter of the cost of reading a
# series. `_plain` reads exactly that shape, with the same strict scalars, and gives up
# (None) on anything else: comments, flow lists, block scalars, continued lines, escapes,
# tabs, anchors, tags, duplicate keys, characters YAML refuses, values over the limits. What
# it gives up on goes to the YAML parser below, which also gives every error message.
# tests/test_yaml_plain.py checks that both readers agree on every text the first accepts.

_TOP = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_ITEM = re.compile(r"( +)- +(.*)")
_SUB = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*): +(.*)")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
# Anything that makes the text more than the plain shape: comments, tabs, carriage
# returns, YAML's other line breaks (NEL, U+2028, U+2029), the byte-order mark, and every
# character YAML does not allow (libyaml's printable set).
_NOT_PLAIN = re.compile("[#\t\r\x85\u2028\u2029\ufeff]|[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# The strict loader's resolvers by the first character of the values they can match, as
# PyYAML looks them up (Resolver.resolve).
_RESOLVERS = {first: tuple(pairs) for first, pairs in StrictLoader.yaml_implicit_resolvers.items()}


def _scalar(text: str):
    """The value of a one-line scalar as the strict loader reads it, or _Unplain."""
    if not text:
        return None
    if len(text) > MAX_VALUE_CHARS:
        raise _Unplain
    first = text[0]
    if first == '"':
        m = _DOUBLE.fullmatch(text)
        if m is None:
            raise _Unplain
        return m.group(1)
    if first == "'":
        m = _SINGLE.fullmatch(text)
        if m is None:
            raise _Unplain
        return m.group(1).replace("''", "'")
    if ": " in text or text.endswith(":"):
        raise _Unplain  # a field set, not a value
    if first in _INDICATORS and not (first in "-?:" and len(text) > 1 and text[1] != " "):
        raise _Unplain  # YAML's indicators start no plain value ("-1" and "?x" are values)
    for tag, regexp in _RESOLVERS.get(first, ()):
        if regexp.match(text):
            if tag == "tag:yaml.org,2002:bool":
                return text.lower() == "true"
            if tag == "tag:yaml.org,2002:int":
                if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                    raise _Unplain
                return int(text)
            if tag == "tag:yaml.org,2002:float":
                return WrittenFloat(text)
            return None
    return text


class _Unplain(Exception):
    """The text is not of the plain shape: the YAML parser reads it."""


def _plain(text: str, offset: int) -> Parsed | None:
    """`text` read as parse_yaml reads it, when it is of the plain shape; else None."""
    if _NOT_PLAIN.search(text) or text.count("\n") > 1000:
        return None
    data: dict = {}
    lines: dict = {}
    key = None  # the top-level key whose value is the block of indented lines below it
    block = None  # that value: a list or a dict, once its first line is read
    indent = None
    try:
        for number, line in enumerate(text.split("\n"), 1 + offset):
            stripped = line.rstrip(" ")
            if not stripped:
                continue
            if stripped[0] != " ":
                m = _TOP.fullmatch(stripped)
                if m is None or m.group(1) in data or _scalar(m.group(1)) != m.group(1):
                    return None  # not a key, a key given twice, or a key YAML reads as a value
                key, value = m.group(1), m.group(2)
                lines.setdefault((), number)
                lines[(key,)] = number
                data[key] = _scalar(value) if value else None
                block, indent = None, None
                if value:
                    key = None  # no indented lines may follow
                continue
            if key is None:
                return None
            m = _ITEM.fullmatch(stripped)
            if m is not None and (block is None or type(block) is list) and indent in (None, m.group(1)):
                if block is None:
                    block = data[key] = []
                    indent = m.group(1)
                lines[(key, len(block))] = number
                block.append(_scalar(m.group(2)))
                continue
            m = _SUB.fullmatch(stripped)
            if m is not None and (block is None or type(block) is dict) and indent in (None, m.group(1)):
                if block is None:
                    block = data[key] = {}
                    indent = m.group(1)
                sub = m.group(2)
                if sub in block or _scalar(sub) != sub:
                    return None
                lines[(key, sub)] = number
                block[sub] = _scalar(m.group(3))
                continue
            return None
    except _Unplain:
        return None
    if not data:
        return None
    return Parsed(data, lines)


def parse_yaml(text: str, path: str, problems: Problems, offset: int = 0) -> Parsed | None:
    """Parse `text`; `offset` is the number of file lines before it. None on error."""
    plain = _plain(text, offset)
    if plain is not None:
        return plain
    loader = StrictLoader(text)
    try:
        node = _compose(loader)
        if node is None:
            return Parsed(None, {(): offset + 1})
        lines: dict = {(): node.start_mark.line + 1 + offset}
        dups: list = []
        _record(node, (), lines, offset, dups)
        data = loader.construct_document(node)
    except _Refused as exc:
        problems.error(path, exc.mark.line + 1 + offset, exc.message)
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; no mark
        position = exc.position if isinstance(exc.position, int) else 0
        line = text[:position].count("\n") + 1 + offset
        char = exc.character if isinstance(exc.character, int) else ord(text[position : position + 1] or "\0")
        problems.error(
            path, line,
            _("YAML syntax error: character {char} is not allowed here "
              "(an invisible control character, often pasted from another program; delete it)").format(char=f"U+{char:04X}"),
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark is not None else offset + 1
        detail = _(exc.problem) if exc.problem else _("invalid YAML")
        if exc.context:
            ctx_mark = exc.context_mark
            if ctx_mark is not None and exc.problem_mark is not None and ctx_mark.line != exc.problem_mark.line:
                detail = _("{problem} ({context} that starts on line {line})").format(problem=detail, context=_(exc.context), line=ctx_mark.line + 1 + offset)
            else:
                detail = f"{detail} ({_(exc.context)})"
        problems.error(path, line, _("YAML syntax error: {problem}").format(problem=detail))
        return None
    except yaml.YAMLError as exc:  # no position known
        problems.error(path, offset + 1, _("YAML syntax error: {problem}").format(problem=" ".join(str(exc).split())))
        return None
    finally:
        loader.dispose()
    ok = True
    for key_path, line in dups:
        problems.error(path, line, _("field '{field}' is given twice (keep one)").format(field=dotted(key_path)))
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
