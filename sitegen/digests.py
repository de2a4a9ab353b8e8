"""Digests of values: what each output is made from, as one string compared between builds.

Model objects contribute their source fingerprints, plain values their repr, so equal
inputs give equal digests and any change that can change an output changes its digest
(render.Renderer.route_digest uses these for every route; tests/test_digests.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal

def fingerprint(*parts: object) -> str:
    """A source's fingerprint (what a model object contributes to a digest): a short hash
    of the reprs of its parts, such as the source file's digest and path."""
    h = hashlib.blake2b(digest_size=12)
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


_FIELDS: dict = {}  # dataclass type -> names of the fields that take part in comparisons
_MEMO_MIN = 4  # shared containers of at least this many items are digested once
_PLAIN = frozenset((int, float, bool, type(None)))


def _fields_of(cls) -> tuple:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return names


class Digester:
    """Digests of values: model objects contribute their source fingerprints, plain values
    their repr. A container or report object shared by many routes (the archive facets,
    the program list, the reports) is digested once: its digest is remembered by object
    identity, and the object is kept alive meanwhile so that an identity is never reused.
    Use one Digester per build, for values that are not mutated while it is in use.

    With outline=True a model object that has an `outline` (a series: the fingerprint of
    everything but its body) contributes that instead of its fingerprint: the digest of a
    page that reads no series' body (pipeline._digests)."""

    def __init__(self, outline: bool = False):
        self.memo: dict = {}
        self._outline = outline

    def _print(self, value):
        """What a model object contributes ("F" + fingerprint, "O" + outline), or None."""
        if self._outline:
            fp = getattr(value, "outline", None)
            if type(fp) is str and fp:
                return "O" + fp
        fp = getattr(value, "fingerprint", None)
        return "F" + fp if type(fp) is str else None

    def digest(self, *values) -> str:
        parts: list = []
        for v in values:
            self._walk(v, parts)
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def digest_context(self, prefix: str, url: str, context: dict) -> str:
        """digest(prefix, url, context) for a route: its context is its own, never shared."""
        parts: list = [repr(prefix), repr(url)]
        self._walk_inner(context, parts)
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def _memoised(self, value, tag: str, out: list) -> None:
        """Walk a container or report object; from its second sighting on, by its digest."""
        key = id(value)
        hit = self.memo.get(key)
        if hit is None or hit[0] is not value:
            if len(value) < 64 if type(value) in (tuple, list, dict) else False:
                self.memo[key] = (value, None)  # small: walked in place at its first sighting
                self._walk_inner(value, out)
                return
            hit = (value, None)
        if hit[1] is None:
            parts: list = [tag]
            self._walk_inner(value, parts)
            d = hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            self.memo[key] = hit = (value, d)
        out.append("M" + hit[1])

    def _walk(self, value, out: list) -> None:
        t = type(value)
        if t is str:
            out.append(repr(value))
        elif t in _PLAIN:
            out.append("V" + repr(value))
        else:
            fp = self._print(value)
            if fp is not None:
                out.append(fp)
            elif t is tuple or t is list or t is dict:
                if len(value) >= _MEMO_MIN:
                    self._memoised(value, t.__name__, out)
                else:
                    self._walk_inner(value, out)
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                self._memoised(value, t.__name__, out)
            else:
                self._walk_inner(value, out)

    def _walk_inner(self, value, out: list) -> None:
        t = type(value)
        if (t is tuple or t is list or t is dict) and len(value) >= 8 and _marshalled(value, out):
            return
        if t is tuple or t is list:
            out.append("[")
            self._walk_items(value, out)
            out.append("]")
        elif t is dict:
            out.append("{")
            self._walk_items(_sorted_items(value), out)
            out.append("}")
        else:
            self._walk_other(value, out)

    def _walk_items(self, items, out: list) -> None:
        """Walk a container's items (a dict's as key, value, key, value...), the common
        cases inline: this loop runs for every route."""
        append, walk, print_ = out.append, self._walk, self._print
        for item in items:
            ti = type(item)
            if ti is str:
                append(repr(item))
            elif ti in _PLAIN:
                append("V" + repr(item))
            else:
                fp = print_(item)
                if fp is not None:
                    append(fp)
                else:
                    walk(item, out)

    def _walk_other(self, value, out: list) -> None:
        """Everything but a plain tuple, list or dict: subclasses of them, dates, dataclasses."""
        append, walk = out.append, self._walk
        if isinstance(value, (str, int, float, bool)) or value is None:
            append("V" + repr(value))
        elif isinstance(value, (dt.date, dt.time)):
            append("D" + value.isoformat())
        elif isinstance(value, dict):
            append("{")
            for k in sorted(value, key=repr):
                walk(k, out)
                walk(value[k], out)
            append("}")
        elif isinstance(value, (list, tuple)):
            append("[")
            for item in value:
                walk(item, out)
            append("]")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            append(type(value).__name__ + "(")
            for name in _fields_of(type(value)):
                walk(getattr(value, name), out)
            append(")")
        elif callable(value):
            append("C" + getattr(value, "__qualname__", repr(value)))
        else:
            raise TypeError(f"cannot digest {type(value).__name__} in a route context")


def _marshalled(value, out: list) -> bool:
    """Plain data (the records of the data files) digested in one C call: marshal takes
    only builtin values and refuses anything else; format 2 writes every string the same
    way whatever its interning, so equal values always give equal bytes."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        return False
    out.append("B" + hashlib.blake2b(data, digest_size=16).hexdigest())
    return True


def _sorted_items(mapping: dict) -> list:
    """[key, value, key, value...] in the order of the keys (by repr where they do not sort)."""
    try:
        keys = sorted(mapping)
    except TypeError:
        keys = sorted(mapping, key=repr)
    out = []
    for k in keys:
        out.append(k)
        out.append(mapping[k])
    return out


def digest(*values) -> str:
    return Digester().digest(*values)
