"""YouTube Studio's advanced-mode export: the downloaded zip, or its `Table data.csv`.

The table has one row per video after a leading `Total` row: `Content` (the video ID),
`Video title`, `Video publish time`, `Duration`, `Views`, `Watch time (hours)`,
`Subscribers`, `Impressions`, ... In Studio's Indonesian interface `Konten`, `Judul
video`, `Penayangan` (views) and `Tayangan` (impressions): two words a careless reader
swaps, so labels are matched whole, never by a part.

The figure is the views of the series' own videos (IDs from its `video` and `links`); the
Total row and other videos are left out; a file holding none of the series' videos is
refused. Unique viewers are kept only for a single video: they cannot be added up across
videos.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

from ..messages import _
from .stamps import Import
from .tables import ExportError, Row, Table, header_key

COLUMNS = {
    "content": (("content", "video"), ("konten",)),
    "title": (("video title",), ("judul video",)),
    "views": (("views",), ("penayangan",)),
    "impressions": (("impressions",), ("tayangan",)),
    "unique_viewers": (("unique viewers",), ("penonton unik",)),
}
TOTAL = frozenset({"total", "jumlah"})
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_INDEX = {name: (column, lang) for column, (en, id_) in COLUMNS.items() for lang, names in (("en", en), ("id", id_)) for name in names}
# A date range in the name Studio gives the download: "Content 2024-01-01_2024-01-31 ...".
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})")


def columns(row: Row) -> tuple[dict, str]:
    found, langs = {}, []
    for i, cell in enumerate(row.cells):
        hit = _INDEX.get(header_key(cell))
        if hit and hit[0] not in found:
            found[hit[0]] = i
            langs.append(hit[1])
    return found, ("id" if langs.count("id") * 2 >= len(langs) and langs else "en")


def is_table_header(row: Row) -> bool:
    cols, _lang = columns(row)
    return "content" in cols and "views" in cols and cols["content"] == 0


def video_ids(urls) -> tuple:
    """The YouTube video IDs in a series' addresses (watch?v=, youtu.be/, /live/, /embed/, /shorts/)."""
    out = []
    for url in urls:
        if not url:
            continue
        parts = urlsplit(url)
        host = parts.netloc.lower().split(":")[0]
        found = None
        if host.endswith("youtu.be"):
            found = parts.path.strip("/").split("/")[0]
        elif host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
            found = (parse_qs(parts.query).get("v") or [None])[0]
            if not found:
                bits = parts.path.strip("/").split("/")
                if len(bits) >= 2 and bits[0] in ("live", "embed", "shorts", "v"):
                    found = bits[1]
        if found and VIDEO_ID.match(found) and found not in out:
            out.append(found)
    return tuple(out)


def _count(row: Row, i: int, label: str) -> int:
    text = row.cells[i] if i < len(row.cells) else ""
    plain = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", plain):
        plain = plain.replace(",", "").replace(".", "")
    if not plain.isdigit():
        raise ExportError(row.line, _("{column}: expected a whole number, got {found}").format(column=label, found=repr(text)))
    return int(plain)


def read_table(table: Table, wanted: tuple, file_name: str, zip_date: tuple | None) -> Import:
    rows = [r for r in table.rows if any(r.cells)]
    header = rows[0]
    cols, lang = columns(header)
    result = Import(
        channel="youtube", platform="youtube", format="youtube-studio-table", layout="advanced-mode",
        labels=lang, measure="views", figure=0, encoding=table.encoding, delimiter=table.delimiter,
    )
    views_label = header.cells[cols["views"]]
    found: dict = {}
    for r in rows[1:]:
        if len(r.cells) > len(header.cells):
            raise ExportError(r.line, _("the row has {found} columns, the header on line {line} has {expected} (a value holds an unquoted separator, or the row is damaged)").format(found=len(r.cells), line=header.line, expected=len(header.cells)))
        if r.width < len(header.cells):
            raise ExportError(r.line, _("the row has {found} columns, the header on line {line} has {expected} (the row is cut short: is the file truncated?)").format(found=r.width, line=header.line, expected=len(header.cells)))
        result.rows_read += 1
        # Spreadsheets keep an ID starting with '-' from being read as a formula with a
        # leading apostrophe or space.
        content = r.cells[0].lstrip("'").strip()
        if header_key(content) in TOTAL:
            result.leave_out("total-row")
            continue
        if not VIDEO_ID.match(content):
            raise ExportError(r.line, _("{column}: expected a YouTube video ID of 11 letters, digits, '-' or '_', got {found}").format(column=header.cells[0], found=repr(r.cells[0])))
        if content not in wanted:
            result.leave_out("other-video")
            continue
        views = _count(r, cols["views"], views_label)
        impressions = _count(r, cols["impressions"], header.cells[cols["impressions"]]) if "impressions" in cols and r.cells[cols["impressions"]:cols["impressions"] + 1] != ("",) else None
        unique = _count(r, cols["unique_viewers"], header.cells[cols["unique_viewers"]]) if "unique_viewers" in cols and r.cells[cols["unique_viewers"]:cols["unique_viewers"] + 1] not in ((), ("",)) else None
        if content in found:
            raise ExportError(r.line, _("video {id} is listed twice in the table").format(id=content))
        found[content] = (views, impressions, unique)
        result.rows_counted += 1
    if not found:
        raise ExportError(header.line, _("the table holds none of the series' videos ({ids}); export the series' own videos (expected a row whose {column} is one of them)").format(ids=", ".join(wanted), column=header.cells[0]))
    result.ids = tuple(v for v in wanted if v in found)
    result.figure = sum(v[0] for v in found.values())
    result.figures["views"] = result.figure
    impressions = [v[1] for v in found.values()]
    if all(x is not None for x in impressions):
        result.figures["impressions"] = sum(impressions)
    if len(found) == 1:
        unique = next(iter(found.values()))[2]
        if unique is not None:
            result.figures["unique_viewers"] = unique
    missing = [v for v in wanted if v not in found]
    if missing:
        result.notes.append(("missing_videos", ", ".join(missing)))
    if zip_date is not None:
        result.as_of = dt.date(*zip_date[:3])
    else:
        m = _RANGE.search(file_name)
        if m:
            try:
                result.as_of = dt.date.fromisoformat(m.group(2))
            except ValueError:
                result.as_of = None
    return result
