"""A save that changed only what series pages show of their bodies, applied to the plan in
memory instead of planning the site again.

When the only files saved are series whose front matter reads the same as before (the
same validated record, at the same lines, with the same problems), the site has the same
structure: the same series in the same order, the same archive pages, the same reports
and the same routes. What differs is the series' model object, which carries the new body
and the new fingerprint. The plan a clean load would make is then the previous plan with
each old object replaced by its new one wherever it appears, and nothing else changed:
no planner reads a series' body or fingerprint to decide anything (they are read while
rendering, and by the route digests). `swap` makes that replacement, and `RouteIndex`
finds the routes whose context holds a given model object, so that only those are
walked.

Objects are replaced by identity; containers holding one are copied with it replaced
(tuples, lists, dicts, named tuples, frozen dataclasses), and everything else is shared
with the previous plan, unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.datetime, bytes)


def is_model(value) -> bool:
    """A model object made from one source (Series, Program, Page): it carries the
    fingerprint of its source, and holds no other model object."""
    return type(getattr(value, "fingerprint", None)) is str


class RouteIndex:
    """Which routes' contexts hold each model object (by identity; the objects are kept
    alive here so that an identity is not taken by another object)."""

    def __init__(self, routes: dict):
        self.holders: dict = {}  # id(model object) -> (object, set of output paths)
        seen: dict = {}  # id(container) -> (container, the model objects inside it, by id)
        unknown: set = set()
        holders = self.holders
        for rel, route in routes.items():
            for key, obj in _models(route.context, seen, unknown).items():
                entry = holders.get(key)
                if entry is None:
                    entry = holders[key] = (obj, set())
                entry[1].add(rel)
        # A context holding an object of another kind could hide a model object inside it:
        # then nothing is patched (every save plans again).
        self.complete = not unknown

    def routes_with(self, obj) -> set:
        entry = self.holders.get(id(obj))
        return set(entry[1]) if entry is not None and entry[0] is obj else set()

    def replaced(self, old, new) -> None:
        """`new` now stands where `old` stood."""
        entry = self.holders.pop(id(old), None)
        if entry is not None and entry[0] is old:
            self.holders[id(new)] = (new, entry[1])


_PLAIN_KIND, _MODEL_KIND, _INSIDE_KIND, _TEXT_KIND, _UNKNOWN_KIND = range(5)
_KINDS: dict = {t: _PLAIN_KIND for t in _PLAIN}


def _kind(value) -> int:
    """What a value's type is to the index (the same for every value of a type)."""
    t = type(value)
    kind = _KINDS.get(t)
    if kind is None:
        if is_model(value):
            kind = _MODEL_KIND
        elif issubclass(t, (dict, tuple, list, set, frozenset)) or (dataclasses.is_dataclass(t) and not isinstance(value, type)):
            kind = _INSIDE_KIND
        elif issubclass(t, (str, bytes, int, float, dt.date, dt.time)):
            kind = _TEXT_KIND
        else:
            kind = _UNKNOWN_KIND
        _KINDS[t] = kind
    return kind


_NONE: dict = {}


def _models(value, seen: dict, unknown: set) -> dict:
    """The model objects inside a container (id -> object; containers shared between
    routes are walked once); the types it cannot look inside are added to `unknown`."""
    key = id(value)
    hit = seen.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    found: dict = {}
    for item in _children(value):
        kind = _KINDS.get(type(item))
        if kind is None:
            kind = _kind(item)
        if kind == _PLAIN_KIND or kind == _TEXT_KIND:
            continue
        if kind == _MODEL_KIND:
            found[id(item)] = item
        elif kind == _INSIDE_KIND:
            inner = _models(item, seen, unknown)
            if inner:
                found.update(inner)
        else:
            unknown.add(type(item))
    seen[key] = (value, found or _NONE)
    return found or _NONE


def _children(value):
    if isinstance(value, dict):
        return value.values()
    if isinstance(value, (tuple, list, set, frozenset)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return ()


def swap(value, table: dict, memo: dict):
    """`value` with every object in `table` (id -> (old, new)) replaced by its new one;
    `value` itself when nothing inside it is replaced. `memo` holds what was already made
    (id -> (value, result)), so a shared container is copied once."""
    if type(value) in _PLAIN:
        return value
    key = id(value)
    hit = table.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    if is_model(value):
        return value
    done = memo.get(key)
    if done is not None and done[0] is value:
        return done[1]
    result = _swap_inside(value, table, memo)
    memo[key] = (value, result)
    return result


def _swap_inside(value, table: dict, memo: dict):
    if isinstance(value, dict):
        items = {k: swap(v, table, memo) for k, v in value.items()}
        if all(items[k] is v for k, v in value.items()):
            return value
        return type(value)(items) if type(value) is not dict else items
    if isinstance(value, (tuple, list)):
        items = [swap(v, table, memo) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        if type(value) is list:
            return items
        if type(value) is tuple:
            return tuple(items)
        return type(value)(*items)  # a named tuple
    if isinstance(value, (set, frozenset)):
        items = [swap(v, table, memo) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = swap(old, table, memo)
            if new is not old:
                if not f.init:
                    raise TypeError(f"cannot replace inside {type(value).__name__}.{f.name}")
                changed[f.name] = new
        return dataclasses.replace(value, **changed) if changed else value
    return value
