"""Validate every document and the declared figures, collecting all problems at once.

Input: parsed documents. Output: plain records of typed values (still keyed by field
name), which `model` turns into frozen objects. Nothing here raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import PurePosixPath

from .load import Document
from .messages import _
from .names import text_problems
from .problems import Problems
from .schema import (
    FIELDS_BY_KIND,
    MOVED,
    Count,
    Date,
    Field,
    Invalid,
    ListOf,
    MapOf,
    Slug,
    Text,
    describe,
)
from .yamlfile import Parsed, dotted


def _unknown_key(problems, path, line, key, known) -> None:
    hint = difflib.get_close_matches(str(key), list(known), n=1)
    if hint:
        message = _("unknown field '{key}' is ignored; did you mean '{hint}'?").format(key=key, hint=hint[0])
    else:
        message = _("unknown field '{key}' is ignored (known fields: {known})").format(key=key, known=", ".join(known))
    problems.warning(path, line, message)


def check_fields(doc: Document, fields: tuple[Field, ...], ctx: dict, problems: Problems) -> dict | None:
    """Check a document's front matter against `fields`; typed record or None if invalid."""
    record: dict = {}
    ok = True
    known = [f.name for f in fields]
    text_problems(doc.meta, (), lambda where, message: problems.error(doc.path, doc.line(*where), message))
    for key in doc.meta:
        if key not in known:
            _unknown_key(problems, doc.path, doc.line(key), key, known)
    for f in fields:
        if f.name not in doc.meta or doc.meta[f.name] is None:
            if f.required:
                problems.error(doc.path, 1, _("missing required field '{field}'").format(field=f.name))
                ok = False
            continue
        value = doc.meta[f.name]
        line = doc.line(f.name)
        try:
            checked = f.type.check(value, ctx)
        except Invalid as exc:
            problems.error(doc.path, line, _("field '{field}': {problem}").format(field=f.name, problem=exc))
            ok = False
            continue
        if isinstance(f.type, ListOf):
            items = []
            for i, item in enumerate(checked):
                try:
                    items.append(f.type.item.check(item, ctx))
                except Invalid as exc:
                    problems.error(doc.path, doc.line(f.name, i), _("field '{field}': {problem}").format(field=f"{f.name}[{i + 1}]", problem=exc))
                    ok = False
            if f.type.unique and len(set(items)) != len(items):
                dup = next(x for x in items if items.count(x) > 1)
                problems.error(doc.path, line, _("field '{field}': {value} is listed twice").format(field=f.name, value=repr(dup)))
                ok = False
            checked = tuple(items)
        elif isinstance(f.type, MapOf):
            pairs = []
            for k, v in checked.items():
                kline = doc.line(f.name, k)
                try:
                    key = f.type.key.check(k, ctx)
                    pairs.append((key, f.type.value.check(v, ctx)))
                except Invalid as exc:
                    problems.error(doc.path, kline, _("field '{field}': {problem}").format(field=f"{f.name}.{k}", problem=exc))
                    ok = False
            checked = tuple(pairs)
        record[f.name] = checked
    if not ok:
        return None
    record["slug"] = record.get("slug") or PurePosixPath(doc.path).stem
    if "slug" not in doc.meta:
        try:
            Slug().check(record["slug"], ctx)
        except Invalid:
            problems.error(
                doc.path,
                1,
                _("file name {name} does not give a usable address: "
                  "rename it with lowercase letters, digits and hyphens, or set 'slug'").format(name=repr(PurePosixPath(doc.path).name)),
            )
            return None
    return record


def validate_documents(docs: list[Document], ctx: dict, problems: Problems) -> dict:
    """Validated records by kind: {"program": [(doc, record)], "series": [...], "page": [...]}."""
    out: dict = {"program": [], "series": [], "page": []}
    for doc in docs:
        record = check_fields(doc, FIELDS_BY_KIND[doc.kind], ctx, problems)
        if record is not None and doc.kind == "series" and not check_status(doc, record, problems):
            record = None
        if record is not None:
            if doc.kind == "series":
                from .plausible import check_placeholders

                check_placeholders(doc, record, problems)
            out[doc.kind].append((doc, record))
    return out


def check_status(doc: Document, record: dict, problems: Problems) -> bool:
    """`previous_date` goes with `status: dipindah`, always, and only with it; the earlier
    day differs from the new one. Each message says what to write instead."""
    status, previous = record.get("status"), record.get("previous_date")
    if status == MOVED and previous is None:
        problems.error(doc.path, doc.line("status"), _(
            "status 'dipindah' needs the earlier date: add 'previous_date: YYYY-MM-DD' with the day "
            "the series was first set for, and keep the new day in 'date'"))
        return False
    if previous is not None and status != MOVED:
        problems.error(doc.path, doc.line("previous_date"), _(
            "field 'previous_date' goes only with 'status: dipindah' (a series moved to another day): "
            "add 'status: dipindah', or remove 'previous_date'"))
        return False
    if previous is not None and previous == record["date"]:
        problems.error(doc.path, doc.line("previous_date"), _(
            "field 'previous_date': the earlier date {date} is the same as 'date'; 'date' is the new day "
            "of the moved series and 'previous_date' the day it was first set for").format(date=previous.isoformat()))
        return False
    return True


# ---- declared figures -------------------------------------------------------------------

FIGURE_KEYS = ("program", "year", "from", "as_of", "series", "reach", "source", "note", "channels")
SOURCE_KEYS = ("id", "title", "date", "url")


def validate_figures(parsed: Parsed | None, path: str, ctx: dict, problems: Problems) -> dict:
    """The declared-figures file: {"sources": {...}, "figures": [record...]}."""
    result: dict = {"sources": {}, "figures": []}
    if parsed is None:
        return result
    data, lines = parsed.data, parsed.lines

    def line(*key):
        key = tuple(key)
        while key and key not in lines:
            key = key[:-1]
        return lines.get(key, 1)

    if not isinstance(data, dict):
        problems.error(path, 1, _("expected 'sources:' and 'figures:' sections, got {found}").format(found=describe(data)))
        return result
    for key in data:
        if key not in ("sources", "figures"):
            _unknown_key(problems, path, line(key), key, ["sources", "figures"])
    sources = data.get("sources") or []
    if not isinstance(sources, list):
        problems.error(path, line("sources"), _("'sources': expected a list, got {found}").format(found=describe(sources)))
        sources = []
    for i, src in enumerate(sources):
        where = ("sources", i)
        if not isinstance(src, dict):
            problems.error(path, line(*where), _("{label}: expected fields id, title, date, got {found}").format(label=f"sources[{i + 1}]", found=describe(src)))
            continue
        for key in src:
            if key not in SOURCE_KEYS:
                _unknown_key(problems, path, line(*where, key), key, SOURCE_KEYS)
        try:
            sid = Slug().check(src.get("id"), ctx)
            title = Text().check(src.get("title"), ctx)
            date = Date().check(src.get("date"), ctx)
        except Invalid as exc:
            problems.error(path, line(*where), f"sources[{i + 1}]: {exc}")
            continue
        url = None
        if src.get("url") is not None:
            from .schema import Url

            try:
                url = Url().check(src["url"], ctx)
            except Invalid as exc:
                problems.error(path, line(*where, "url"), _("{label}: field '{field}': {problem}").format(label=f"sources[{i + 1}]", field="url", problem=exc))
                continue
        if sid in result["sources"]:
            problems.error(path, line(*where, "id"), _("source id '{id}' is used twice").format(id=sid))
            continue
        result["sources"][sid] = {"id": sid, "title": title, "date": date, "url": url, "line": line(*where)}

    figures = data.get("figures") or []
    if not isinstance(figures, list):
        problems.error(path, line("figures"), _("'figures': expected a list, got {found}").format(found=describe(figures)))
        figures = []
    for i, fig in enumerate(figures):
        rec = _validate_figure(fig, i, path, line, ctx, result["sources"], problems)
        if rec is not None:
            result["figures"].append(rec)
    _check_overlaps(result["figures"], path, problems)
    return result


def _validate_figure(fig, i, path, line, ctx, sources, problems) -> dict | None:
    where = ("figures", i)
    label = f"figures[{i + 1}]"
    if not isinstance(fig, dict):
        problems.error(path, line(*where), _("{label}: expected fields program, year, series, reach, got {found}").format(label=label, found=describe(fig)))
        return None
    for key in fig:
        if key not in FIGURE_KEYS:
            _unknown_key(problems, path, line(*where, key), key, FIGURE_KEYS)
    ok = True

    def take(key, typ, required=True):
        nonlocal ok
        if key not in fig or fig[key] is None:
            if required:
                problems.error(path, line(*where), _("{label}: missing required field '{field}'").format(label=label, field=key))
                ok = False
            return None
        try:
            return typ.check(fig[key], ctx)
        except Invalid as exc:
            problems.error(path, line(*where, key), _("{label}: field '{field}': {problem}").format(label=label, field=key, problem=exc))
            ok = False
            return None

    from .schema import Choice

    program = take("program", Choice(from_ctx="programs", noun="program"))
    series = take("series", Count(grouped=True))
    if series == 0:  # every average divides by it
        problems.error(path, line(*where, "series"), _("{label}: field 'series': expected 1 or more (a period without series has nothing to declare; remove the entry)").format(label=label))
        ok = False
    reach = take("reach", Count(grouped=True))
    as_of = take("as_of", Date(), required=False)
    start = take("from", Date(), required=False)
    note = take("note", Text(), required=False)
    source = take("source", Text(), required=False)
    year = None
    if "year" in fig:
        y = fig["year"]
        if isinstance(y, bool) or not isinstance(y, int) or not 1900 <= y <= 2999:
            problems.error(path, line(*where, "year"), _("{label}: field 'year': expected a year such as 2023, got {found}").format(label=label, found=describe(y)))
            ok = False
        else:
            year = y
    channels = ()
    if fig.get("channels") is not None:
        raw = fig["channels"]
        if not isinstance(raw, dict):
            problems.error(path, line(*where, "channels"), _("{label}: field 'channels': expected 'channel: number' pairs, got {found}").format(label=label, found=describe(raw)))
            ok = False
        else:
            pairs = []
            for k, v in raw.items():
                try:
                    pairs.append((Choice(from_ctx="channels", noun="channel").check(k, ctx), Count(grouped=True).check(v, ctx)))
                except Invalid as exc:
                    problems.error(path, line(*where, "channels", k), _("{label}: field '{field}': {problem}").format(label=label, field=f"channels.{k}", problem=exc))
                    ok = False
            channels = tuple(pairs)
    if source is not None and source not in sources:
        problems.error(path, line(*where, "source"), _("{label}: field 'source': unknown source {value} (expected one of: {values})").format(label=label, value=repr(source), values=", ".join(sources) or _("none defined")))
        ok = False
    # The period: a year, part of a year (year + as_of), or a span (as_of without year).
    if ok:
        if year is None and as_of is None:
            problems.error(path, line(*where), _("{label}: expected a period: 'year', 'year' with 'as_of', or 'from'/'as_of' for a span").format(label=label))
            ok = False
        elif year is not None and start is not None:
            problems.error(path, line(*where, "from"), _("{label}: field 'from' goes with a span, not with 'year' (use 'as_of' for part of a year)").format(label=label))
            ok = False
        elif year is not None and as_of is not None and as_of.year != year:
            problems.error(path, line(*where, "as_of"), _("{label}: field 'as_of': expected a date in {year}, got {date}").format(label=label, year=year, date=as_of.isoformat()))
            ok = False
        elif start is not None and as_of is not None and start > as_of:
            problems.error(path, line(*where, "from"), _("{label}: field 'from': expected a date before as_of {as_of}, got {date}").format(label=label, as_of=as_of.isoformat(), date=start.isoformat()))
            ok = False
    if channels and reach is not None and sum(v for _k, v in channels) > reach:
        problems.error(path, line(*where, "channels"), _("{label}: the channels add up to {total}, more than the reach {reach}").format(label=label, total=sum(v for _k, v in channels), reach=reach))
        ok = False
    if not ok:
        return None
    return {
        "program": program, "year": year, "from": start, "as_of": as_of, "series": series,
        "reach": reach, "source": source, "note": note, "channels": channels,
        "path": path, "line": line(*where),
    }


def period_bounds(rec: dict) -> tuple[dt.date | None, dt.date]:
    """First and last day a declared figure covers (first None: since the program began)."""
    if rec["year"] is not None:
        end = rec["as_of"] or dt.date(rec["year"], 12, 31)
        return dt.date(rec["year"], 1, 1), end
    return rec["from"], rec["as_of"]


def _check_overlaps(figures: list[dict], path: str, problems: Problems) -> None:
    by_program: dict = {}
    for rec in figures:
        by_program.setdefault(rec["program"], []).append(rec)
    for recs in by_program.values():
        for i, a in enumerate(recs):
            for b in recs[i + 1 :]:
                a0, a1 = period_bounds(a)
                b0, b1 = period_bounds(b)
                lo_a = a0 or dt.date.min
                lo_b = b0 or dt.date.min
                if lo_a <= b1 and lo_b <= a1:
                    problems.error(
                        path,
                        b["line"],
                        _("figures for '{program}' overlap in time with the entry on line {line} "
                          "(each day may be declared once)").format(program=b["program"], line=a["line"]),
                    )


def check_unique_urls(entries: list[tuple[str, str, int]], problems: Problems) -> None:
    """entries: (url, path, line). Two sources may never produce one URL."""
    first: dict = {}
    for url, path, line in sorted(entries, key=lambda e: (e[1], e[2], e[0])):
        if url in first:
            other_path, _line = first[url]
            problems.error(path, line, _("URL {url} is already produced by {path} (change 'slug' or the file name)").format(url=url, path=other_path))
        else:
            first[url] = (path, line)


def describe_key(key_path: tuple) -> str:
    return dotted(key_path)
