"""Validate every document and the declared figures, collecting all problems at once.

Input: parsed documents. Output: plain records of typed values (still keyed by field
name), which `model` turns into frozen objects. Nothing here raises on bad input.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from .load import Document
from .messages import _
from .names import text_problems
from .plausible import check_placeholders
from .problems import Problems
from .fieldcheck import FIGURES, FRONT_MATTER, Report, check_record, check_value, line_finder, warn_unknown
from .schema import FIELDS_BY_KIND, FIGURES_FILE, MOVED, FIGURES_FILE_FIELDS, Field, Invalid, Slug
from .yamlfile import Parsed, dotted


def check_fields(doc: Document, fields: tuple[Field, ...], ctx: dict, problems: Problems) -> dict | None:
    """Check a document's front matter against `fields`; typed record or None if invalid."""
    text_problems(doc.meta, (), lambda where, message: problems.error(doc.path, doc.line(*where), message))
    report = Report(problems, doc.path, lambda path: doc.line(*path), FRONT_MATTER)
    record = check_record(doc.meta, fields, (), ctx, report)
    if record is None:
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

def validate_figures(parsed: Parsed | None, path: str, ctx: dict, problems: Problems) -> dict:
    """The declared-figures file: {"sources": {...}, "figures": [record...]}. Each field is
    checked against its table (schema.FIGURES_FILE_FIELDS); the rules across fields and
    entries are here."""
    result: dict = {"sources": {}, "figures": []}
    if parsed is None:
        return result
    data = parsed.data
    line = line_finder(parsed.lines)
    report = Report(problems, path, line, FIGURES)
    if data is None:
        return result
    try:
        FIGURES_FILE.check(data, ctx)
    except Invalid as exc:
        problems.error(path, 1, str(exc))
        return result
    warn_unknown(data, FIGURES_FILE_FIELDS, (), report)
    sources_field, figures_field = FIGURES_FILE_FIELDS
    if data.get("sources") is not None:
        _ok, sources = check_value(sources_field.type, data["sources"], ("sources",), ctx, report)
        for i, src in enumerate(sources or ()):
            if src is None:
                continue
            if src["id"] in result["sources"]:
                problems.error(path, line(("sources", i, "id")), _("source id '{id}' is used twice").format(id=src["id"]))
                continue
            result["sources"][src["id"]] = {**src, "url": src.get("url"), "line": line(("sources", i))}
    if data.get("figures") is not None:
        with_sources = {**ctx, "sources": list(result["sources"])}
        _ok, figures = check_value(figures_field.type, data["figures"], ("figures",), with_sources, report)
        for i, fig in enumerate(figures or ()):
            rec = _figure_rules(fig, i, path, line, problems) if fig is not None else None
            if rec is not None:
                result["figures"].append(rec)
    _check_overlaps(result["figures"], path, problems)
    return result


def _figure_rules(fig: dict, i: int, path: str, line, problems: Problems) -> dict | None:
    """The rules of one declared figure across its fields: a period, and channels that add
    up to no more than the reach."""
    where = ("figures", i)
    label = f"figures[{i + 1}]"
    year, start, as_of = fig.get("year"), fig.get("from"), fig.get("as_of")
    # The period: a year, part of a year (year + as_of), or a span (as_of without year).
    if year is None and as_of is None:
        problems.error(path, line(where), _("{label}: expected a period: 'year', 'year' with 'as_of', or 'from'/'as_of' for a span").format(label=label))
        return None
    if year is not None and start is not None:
        problems.error(path, line(where + ("from",)), _("{label}: field 'from' goes with a span, not with 'year' (use 'as_of' for part of a year)").format(label=label))
        return None
    if year is not None and as_of is not None and as_of.year != year:
        problems.error(path, line(where + ("as_of",)), _("{label}: field 'as_of': expected a date in {year}, got {date}").format(label=label, year=year, date=as_of.isoformat()))
        return None
    if start is not None and as_of is not None and start > as_of:
        problems.error(path, line(where + ("from",)), _("{label}: field 'from': expected a date before as_of {as_of}, got {date}").format(label=label, as_of=as_of.isoformat(), date=start.isoformat()))
        return None
    channels = fig.get("channels", ())
    if channels and sum(v for _k, v in channels) > fig["reach"]:
        problems.error(path, line(where + ("channels",)), _("{label}: the channels add up to {total}, more than the reach {reach}").format(label=label, total=sum(v for _k, v in channels), reach=fig["reach"]))
        return None
    return {
        "program": fig["program"], "year": year, "from": start, "as_of": as_of, "series": fig["series"],
        "reach": fig["reach"], "source": fig.get("source"), "note": fig.get("note"), "channels": channels,
        "path": path, "line": line(where),
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
