"""The reach files in the build: read, check against the series, attach to them.

Checks (`build` and `check` alike):
- a reach file for a series that does not exist is an error;
- a typed figure that disagrees with the imported one of its channel is a warning naming
  both numbers (the imported one is shown);
- a Zoom meeting held on another day than the series' date (in the site's time zone,
  Asia/Jakarta) is a warning.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from .. import model
from ..messages import _, number
from ..problems import Problems
from . import records


def attach(reach_sources: list, series_records: list, series_objects: list, ctx: dict, timezone: str,
           problems: Problems) -> list:
    """The series objects, each with the imports of its reach file. `reach_sources` is
    [(path, parsed YAML or None, digest of the bytes)]; `series_records` the validated
    (document, record) pairs in the order of `series_objects`."""
    by_slug = {rec["slug"]: (doc, rec) for doc, rec in series_records}
    files: dict = {}
    for path, parsed, digest in reach_sources:
        valid = records.validate(parsed, path, ctx, problems)
        if valid is None:
            continue
        slug = valid["series"]
        if slug not in by_slug:
            problems.error(path, valid["line"], _("reach imported for a series that does not exist: '{slug}' (expected the slug of a series in content/series/; remove this file or import for an existing series)").format(slug=slug))
            continue
        stem = PurePosixPath(path).stem
        if stem != slug:
            problems.error(path, valid["line"], _("the file is named {stem}.yaml but holds the reach of '{slug}' (expected {slug}.yaml, as build.py reach import writes it)").format(stem=stem, slug=slug))
            continue
        files[slug] = records.make_file(valid, path, digest)
    if not files:
        return series_objects
    zone = ZoneInfo(timezone)
    out = []
    for obj in series_objects:
        reach_file = files.get(obj.slug)
        if reach_file is None:
            out.append(obj)
            continue
        doc, _rec = by_slug[obj.slug]
        for channel, typed in obj.typed_reach:
            imp = next((r for r in reach_file.imports if r.channel == channel), None)
            if imp is not None and imp.figure != typed:
                problems.warning(doc.path, doc.line("reach", channel), _(
                    "field 'reach': {channel} is typed as {typed} but the import from {file} counts {imported} "
                    "({counts}, {path}); the imported figure is shown: remove the typed one or import again").format(
                    channel=channel, typed=number(typed), file=imp.file, imported=number(imp.figure), counts=imp.counts, path=reach_file.path))
        for imp in reach_file.imports:
            moment = imp.started or imp.ended
            if imp.platform == "zoom" and moment is not None:
                day = moment.astimezone(zone).date()
                if day != obj.date:
                    problems.warning(reach_file.path, imp.line, _(
                        "the Zoom meeting in {file} was held on {day} ({zone}), not on the series' date {date}: "
                        "is it the export of another meeting?").format(file=imp.file, day=day.isoformat(), zone=timezone, date=obj.date.isoformat()))
        out.append(model.with_imports(obj, reach_file, list(ctx.get("channels", ()))))
    return out
