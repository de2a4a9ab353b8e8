"""Check a mapping against its field table (sitegen/schema.py): the one checker of front
matter, of content/figures.yaml and of site.yaml.

Every problem is reported at once, at the line of the value it is about: a wrong value as
an error, a missing required field as an error at the line of the set of fields that lacks
it, an unknown key as a warning. Lists, pairs and nested sets of fields are checked item by
item, each at its own line. How a message names the place of a value differs by file
("field 'x'", "setting 'x'", "figures[2]: field 'x'"), so each file has a Voice.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

from .messages import _
from .problems import Problems
from .schema import Either, Invalid, ListOf, MapOf, Record
from .yamlfile import dotted


def unknown_field(key, known) -> str:
    """The warning for an unknown field, with the nearest known name when there is one."""
    hint = difflib.get_close_matches(str(key), list(known), n=1)
    if hint:
        return _("unknown field '{key}' is ignored; did you mean '{hint}'?").format(key=key, hint=hint[0])
    return _("unknown field '{key}' is ignored (known fields: {known})").format(key=key, known=", ".join(known))


def shown(path: tuple) -> str:
    """A key path as a message writes it: links.zoom, speakers[2] (items counted from 1)."""
    return dotted(tuple(p + 1 if isinstance(p, int) else p for p in path))


class Voice:
    """How one kind of file names the place of a value in its messages."""

    def invalid(self, path: tuple, problem) -> str:
        return _("field '{field}': {problem}").format(field=shown(path), problem=problem)

    def missing(self, path: tuple, name: str) -> str:
        return _("missing required field '{field}'").format(field=name)

    def unknown(self, path: tuple, key, known: list) -> str:
        return unknown_field(key, known)


FRONT_MATTER = Voice()


class SettingsVoice(Voice):
    """site.yaml: "setting 'channels.zoom.url': ..."."""

    def invalid(self, path, problem):
        return _("setting '{setting}': {problem}").format(setting=shown(path), problem=problem)

    def missing(self, path, name):
        if not path:
            return _("missing required setting '{key}'").format(key=name)
        return self.invalid(path, _("missing required field '{field}'").format(field=name))

    def unknown(self, path, key, known):
        if not path:
            hint = difflib.get_close_matches(str(key), list(known), n=1)
            if hint:
                return _("unknown setting '{key}' is ignored; did you mean '{hint}'?").format(key=key, hint=hint[0])
            return _("unknown setting '{key}' is ignored").format(key=key)
        names = list(known)
        listed = _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1]) if len(names) > 1 else names[0]
        return self.invalid(path, _("unknown key '{key}' is ignored (expected {known})").format(key=key, known=listed))


SETTINGS = SettingsVoice()


class FiguresVoice(Voice):
    """content/figures.yaml: "'sources': ...", "figures[2]: ...", "figures[2]: field 'reach': ..."."""

    def invalid(self, path, problem):
        if len(path) == 1:
            return _("'{key}': {problem}").format(key=path[0], problem=problem)
        label = shown(path[:2])
        if len(path) == 2:
            return _("{label}: {problem}").format(label=label, problem=problem)
        return _("{label}: field '{field}': {problem}").format(label=label, field=shown(path[2:]), problem=problem)

    def missing(self, path, name):
        return _("{label}: missing required field '{field}'").format(label=shown(path[:2]), field=name)


FIGURES = FiguresVoice()


@dataclass
class Report:
    """Where the problems of one file go, and how to find the line of a key path."""

    problems: Problems
    path: str
    line: Callable[[tuple], int]
    voice: Voice = FRONT_MATTER

    def error(self, at: tuple, message: str) -> None:
        self.problems.error(self.path, self.line(at), message)

    def warning(self, at: tuple, message: str) -> None:
        self.problems.warning(self.path, self.line(at), message)


def line_finder(lines: dict) -> Callable[[tuple], int]:
    """The line of a key path, else of the nearest key above it, else 1."""

    def line(path: tuple) -> int:
        key = tuple(path)
        while key:
            if key in lines:
                return lines[key]
            key = key[:-1]
        return 1

    return line


def warn_unknown(data: dict, fields: tuple, at: tuple, report: Report) -> None:
    known = [f.name for f in fields]
    for key in data:
        if key not in known:
            report.warning(at + (key,), report.voice.unknown(at, key, known))


def check_record(data: dict, fields: tuple, at: tuple, ctx: dict, report: Report) -> dict | None:
    """The typed values of a set of fields (absent and empty optional ones left out), or None
    when any is wrong or a required one is missing; every problem reported."""
    warn_unknown(data, fields, at, report)
    record, ok = {}, True
    for f in fields:
        value = data.get(f.name)
        if value is None or (f.blank and isinstance(value, str) and not value.strip()):  # absent, or empty
            if f.required:
                report.error(at, report.voice.missing(at, f.name))
                ok = False
            continue
        good, checked = check_value(f.type, value, at + (f.name,), ctx, report)
        if good:
            record[f.name] = checked
        ok = ok and good
    return record if ok else None


def check_value(typ, value, at: tuple, ctx: dict, report: Report) -> tuple[bool, object]:
    """(all well, the typed value). A list gives a tuple of its items' values (None for a
    wrong item, so a caller may keep the good ones); pairs give a tuple of (key, value)."""
    try:
        checked = typ.check(value, ctx)
    except Invalid as exc:
        report.error(at, report.voice.invalid(at, exc))
        return False, None
    if isinstance(typ, ListOf):
        ok, items = True, []
        for i, item in enumerate(checked):
            good, item_value = check_value(typ.item, item, at + (i,), ctx, report)
            items.append(item_value if good else None)
            ok = ok and good
        if typ.unique:
            seen: list = []
            for item in checked:
                if item in seen:
                    report.error(at, report.voice.invalid(at, _("{value} is listed twice").format(value=repr(item))))
                    ok = False
                    break
                seen.append(item)
            items = list(dict.fromkeys(items))  # equal once stripped: kept once
        return ok, tuple(items)
    if isinstance(typ, MapOf):
        ok, pairs = True, []
        for k, v in checked.items():
            try:
                key = typ.key.check(k, ctx)
            except Invalid as exc:
                report.error(at + (k,), report.voice.invalid(at + (k,), exc))
                ok = False
                continue
            good, item_value = check_value(typ.value, v, at + (k,), ctx, report)
            if good:
                pairs.append((key, item_value))
            ok = ok and good
        return ok, tuple(pairs)
    if isinstance(typ, Record):
        record = check_record(checked, typ.fields, at, ctx, report)
        return record is not None, record
    if isinstance(typ, Either) and isinstance(checked, dict):
        record = check_record(checked, typ.record.fields, at, ctx, report)
        return record is not None, record
    return True, checked
