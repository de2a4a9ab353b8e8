"""`build.py reach import FILE... --series SLUG`: read the exports, compute, print, write.

All or nothing: every file is read and every problem collected first; only when there
is none is `content/reach/<slug>.yaml` written, in one atomic rename, and only when its
bytes change (importing the same export twice leaves the file as it is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import load_config
from ..load import decode, parse_document, read_regular, regular_files
from ..messages import _, number
from ..problems import Problems, UsageError, print_problems
from ..schema import Date, Invalid
from ..yamlfile import parse_yaml
from . import records, youtube, zoom
from .stamps import Import
from .tables import MAX_EXPORT_BYTES, ExportError, Table, is_zip, read_table, zip_members

SERIES_DIR = "content/series"


@dataclass(frozen=True)
class SeriesInfo:
    slug: str
    path: str
    date: dt.date | None
    video_ids: tuple


def find_series(root: Path, slug: str, problems: Problems) -> SeriesInfo | None:
    """The series with this slug: its own file first, else any file whose `slug:` names it."""
    own_rel = f"{SERIES_DIR}/{slug}.md"
    others = [rel for rel, _full, _st in regular_files(root, SERIES_DIR, None, skip=lambda n, d: n.startswith((".", "_")))
              if rel.endswith(".md") and rel != own_rel]
    for rel in [own_rel] + others:
        try:
            data = read_regular(root / rel)
        except OSError:
            continue
        if rel != own_rel and slug.encode() not in data:
            continue
        doc = parse_document("series", rel, data, Problems())
        if doc is None:
            continue
        own = doc.meta.get("slug") or Path(rel).stem
        if own != slug:
            continue
        try:
            day = Date().check(doc.meta.get("date"), {})
        except Invalid:
            day = None
        links = doc.meta.get("links") if isinstance(doc.meta.get("links"), dict) else {}
        urls = [doc.meta.get("video")] + [v for v in links.values() if isinstance(v, str)]
        return SeriesInfo(slug, rel, day, youtube.video_ids(u for u in urls if isinstance(u, str)))
    problems.error(f"{SERIES_DIR}/{slug}.md", 1, _("there is no series '{slug}' to import reach for (expected the slug of a series in content/series/)").format(slug=slug))
    return None


def read_export(shown: str, data: bytes, series: SeriesInfo, zone: str) -> Import:
    """The import of one export's bytes; ExportError (with `.path` set for a zip member)."""
    member, member_date = None, None
    if is_zip(data):
        tables = []
        for m in zip_members(data):
            try:
                table = read_table(m.data)
            except ExportError:
                continue
            first = next((r for r in table.rows if any(r.cells)), None)
            if first is not None and youtube.is_table_header(first):
                tables.append((m, table))
        if not tables:
            raise ExportError(1, _("the zip holds no YouTube Studio table (expected 'Table data.csv' with the columns Content, Video title, Views, ...)"))
        m, table = tables[0]
        member, member_date = m.name, m.date
        try:
            result = _read_table(table, f"{shown}[{m.name}]", series, zone, member_date)
        except ExportError as exc:
            exc.path = f"{shown}[{m.name}]"
            raise
    else:
        result = _read_table(read_table(data), shown, series, zone, None)
    result.member = member
    return result


def _read_table(table: Table, shown: str, series: SeriesInfo, zone: str, zip_date) -> Import:
    first = next((r for r in table.rows if any(r.cells)), None)
    if first is None:
        raise ExportError(1, _("the file is empty (expected the platform's export: a header row, then rows)"))
    if youtube.is_table_header(first):
        if not series.video_ids:
            raise ExportError(first.line, _("series '{slug}' names no YouTube video: add its address to 'video' or 'links' in {path} first (expected https://www.youtube.com/watch?v=...)").format(slug=series.slug, path=series.path))
        return youtube.read_table(table, series.video_ids, Path(shown).name, zip_date)
    if zoom.is_webinar(first):
        return zoom.read_webinar(table, zone)
    if zoom.is_meeting_header(first) or zoom.is_participant_header(first):
        return zoom.read_meeting(table, zone)
    raise ExportError(first.line, _(
        "unknown layout: the first row is {found} (expected a Zoom participant report "
        "(Meeting ID, Topic, ... or Name (Original Name), User Email, Join Time, ...), a Zoom "
        "webinar attendee report (Attendee Report) or a YouTube Studio table (Content, Video "
        "title, Views, ...))").format(found=zoom._show(first)))


def to_record(result: Import) -> dict:
    """The import as the fields records.py declares (no participant data exists here)."""
    return {
        "channel": result.channel, "figure": result.figure, "measure": result.measure, "as_of": result.as_of,
        "file": result.file, "sha256": result.sha256, "platform": result.platform, "format": result.format,
        "layout": result.layout, "labels": result.labels, "encoding": result.encoding,
        "delimiter": result.delimiter, "member": result.member, "timezone": result.timezone,
        "date_order": result.date_order, "started": result.started, "ended": result.ended,
        "ids": tuple(result.ids), "figures": dict(result.figures), "rows_read": result.rows_read,
        "rows_counted": result.rows_counted, "left_out": dict(result.left_out),
    }


def _existing(root: Path, rel: str, ctx: dict, problems: Problems) -> list:
    """The imports already in the series' file, as records to write back unchanged."""
    path = root / rel
    if not path.exists():
        return []
    try:
        data = read_regular(path)
    except OSError as exc:
        problems.error(rel, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
        return []
    text = decode(data, rel, problems)
    if text is None:
        return []
    valid = records.validate(parse_yaml(text, rel, problems), rel, ctx, problems)
    if valid is None:
        return []
    out = []
    for r in valid["imports"]:
        r = dict(r)
        r.pop("line", None)
        for key in ("started", "ended"):
            if r.get(key) is not None:
                r[key] = r[key].isoformat()
        out.append(r)
    return out


def import_files(root: Path, files: list, slug: str, zone: str | None, as_of: dt.date | None,
                 problems: Problems, channels: list | None = None) -> tuple[list, str | None, str | None]:
    """Read every export; ([Import], path of the reach file, its new text or None when
    unchanged). Problems are collected; the caller writes nothing when there is any."""
    if channels is None:
        config = load_config(root, problems, None)
        if config is None:
            return [], None, None
        channels = [c for c, _n in config.channels]
        zone = zone or config.timezone
    zone = zone or "Asia/Jakarta"
    series = find_series(root, slug, problems)
    results = []
    files = expand(files)
    if not files:
        problems.error("inbox", 1, _("no export to import: the folder is empty (expected a Zoom report or a YouTube Studio export in it)"))
    for f in files:
        shown = str(f)
        try:
            data = read_regular(f, MAX_EXPORT_BYTES)
        except OSError as exc:
            problems.error(shown, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
            continue
        if series is None:
            continue
        try:
            result = read_export(shown, data, series, zone)
        except ExportError as exc:
            problems.error(getattr(exc, "path", shown), exc.line, exc.message)
            continue
        result.file = Path(shown).name
        result.sha256 = hashlib.sha256(data).hexdigest()
        if result.channel not in channels:
            problems.error(shown, 1, _("the site has no channel '{channel}' for this export (site.yaml 'channels': {channels})").format(channel=result.channel, channels=", ".join(channels)))
            continue
        if result.as_of is None:
            if as_of is None:
                problems.error(shown, 1, _("the export holds no date (no meeting end, no date in its name or zip): give it with --as-of YYYY-MM-DD"))
                continue
            result.as_of = as_of
        results.append(result)
    by_channel: dict = {}
    for r in results:
        if r.channel in by_channel:
            problems.error(r.file, 1, _("two exports for channel '{channel}' ({first} and {second}); import one export per channel").format(channel=r.channel, first=by_channel[r.channel].file, second=r.file))
        by_channel[r.channel] = r
    if problems.errors or series is None:
        return results, None, None
    rel = f"{records.REACH_DIR}/{slug}.yaml"
    kept = [r for r in _existing(root, rel, {"channels": channels}, problems) if r["channel"] not in by_channel]
    if problems.errors:
        return results, None, None
    text = records.emit(slug, kept + [to_record(r) for r in results])
    try:
        current = (root / rel).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    return results, rel, (None if current == text else text)


def expand(files: list) -> list:
    """The files given, a folder standing for the regular files in it (hidden ones and
    notes left out), in name order: `reach import inbox/ --series x`."""
    out = []
    for f in files:
        f = Path(f)
        if f.is_dir() and not f.is_symlink():
            out += sorted(p for p in f.iterdir() if p.is_file() and not p.name.startswith(".")
                          and p.suffix.lower() in (".csv", ".zip", ".txt", ".tsv"))
        else:
            out.append(f)
    return out


def tracked_exports(root: Path, files: list) -> list:
    """The exports that lie inside the project where git would pick them up (not ignored):
    they hold personal data and must not be committed."""
    inside = []
    for f in files:
        try:
            rel = Path(f).resolve().relative_to(root)
        except ValueError:
            continue
        inside.append(rel.as_posix())
    if not inside:
        return []
    try:
        proc = subprocess.run(["git", "check-ignore", "--no-index", "--stdin", "-z"], cwd=root, input="\0".join(inside) + "\0",
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    if proc.returncode not in (0, 1):  # not a git repository: nothing would be committed
        return []
    ignored = set(filter(None, proc.stdout.split("\0")))
    return [rel for rel in inside if rel not in ignored]


def write_atomically(root: Path, rel: str, text: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def print_table(results: list, stream=None) -> None:
    stream = stream or sys.stdout
    head = (_("channel"), _("figure"), _("counts"), _("as of"), _("rows read"), _("left out"), _("file"))
    rows = [head]
    for r in sorted(results, key=lambda r: r.channel):
        left = ", ".join(f"{k} {number(v)}" for k, v in sorted(r.left_out.items())) or "-"
        rows.append((r.channel, number(r.figure), records.MEASURES[r.measure], r.as_of.isoformat(), number(r.rows_read), left, r.file))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), file=stream)
    for r in results:
        extra = dict(r.figures)
        if "zoom_headline" in extra and extra["zoom_headline"] != r.figure:
            print(_("{file}: Zoom's own figure is {theirs}, ours is {ours} (Zoom counts connections: a rejoin or a second device again; we count each person once)").format(
                file=r.file, theirs=number(extra["zoom_headline"]), ours=number(r.figure)), file=stream)
        for key, value in r.notes:
            if key == "missing_videos":
                print(_("{file}: the export does not list the series' video(s) {ids}; their views are not counted").format(file=r.file, ids=value), file=stream)


def cmd_reach(args) -> int:
    if args.reach_command != "import":
        return 2
    root = args.root.resolve()
    if args.timezone:
        try:
            ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(_("--timezone: unknown time zone {value} (expected a name such as Asia/Jakarta)").format(value=repr(args.timezone))) from None
    problems = Problems()
    results, rel, text = import_files(root, args.files, args.series, args.timezone, args.as_of, problems)
    if problems.errors:
        print_problems(problems)
        print(_("import failed: {summary}; nothing was written").format(summary=problems.summary()), file=sys.stderr)
        return 1
    for rel in tracked_exports(root, expand(args.files)):
        problems.warning(rel, 1, _("this export is inside the project where git would commit it, with the participants' names and e-mails: move it to inbox/ (ignored by git) or delete it now that it is imported"))
    print_problems(problems)
    print_table(results)
    if text is None:
        print(_("{path} is already up to date; nothing was written").format(path=rel))
    else:
        write_atomically(root, rel, text)
        print(_("written: {path}").format(path=rel))
    return 0
