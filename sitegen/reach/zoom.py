"""Zoom's reports: the Meetings participant report and the Webinar attendee report.

Participant report layouts (docs/reach.md cites where each comes from):
- "older": a meeting block (Meeting ID, Topic, Start Time, End Time, User Email, Duration
  (Minutes), Participants) above the participant rows (Name (Original Name), User Email,
  Join Time, Leave Time, Duration (Minutes), Guest, Recording Consent[, In Waiting Room]);
  the meeting block is there when "Export with meeting data" was ticked;
- "unique-users": "Show unique users" ticked: one row per person with Total Duration
  (Minutes) and no join or leave times;
- "2024": sentence-case labels, `Email` instead of `User Email`, `In waiting room`;
- any of them with Zoom's Indonesian labels (Nama (Nama Asli), Email Pengguna, Waktu
  Bergabung, ...).

The rules (each is a test): a person is the same e-mail compared without case, else the
same display name after trimming, case folding and Unicode normalisation; rows in the
waiting room do not count; a person in several rows counts once, with the sum of their
minutes. The peak is the most people present at once, from join and leave times in the
export's time zone. Zoom's own headline figure (the meeting block's Participants, the
webinar's Unique Viewers) is kept beside ours as a cross-check.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..messages import _
from .stamps import Clock, Import, bad_stamp, choose_order
from .tables import ExportError, Row, Table, header_key

# canonical column -> (English labels, Indonesian labels), compared through header_key
MEETING_COLUMNS = {
    "meeting_id": (("meeting id", "id"), ("id rapat", "id pertemuan")),
    "topic": (("topic",), ("topik",)),
    "start": (("start time",), ("waktu mulai",)),
    "end": (("end time",), ("waktu selesai", "waktu berakhir")),
    "participants": (("participants",), ("peserta", "jumlah peserta")),
}
PARTICIPANT_COLUMNS = {
    "name": (("name (original name)", "name", "user name (original name)"), ("nama (nama asli)", "nama", "nama pengguna (nama asli)")),
    "email": (("user email", "email"), ("email pengguna", "alamat email", "email")),
    "join": (("join time",), ("waktu bergabung",)),
    "leave": (("leave time",), ("waktu keluar", "waktu meninggalkan")),
    "duration": (("duration (minutes)", "time in session (minutes)"), ("durasi (menit)", "waktu dalam sesi (menit)")),
    "total": (("total duration (minutes)",), ("total durasi (menit)", "durasi total (menit)")),
    "waiting": (("in waiting room",), ("di ruang tunggu",)),
    "attended": (("attended",), ("hadir",)),
}
WEBINAR_SUMMARY = {
    "webinar_id": (("webinar id",), ("id webinar",)),
    "start": (("actual start time",), ("waktu mulai sebenarnya", "waktu mulai aktual")),
    "duration": (("actual duration (minutes)",), ("durasi sebenarnya (menit)", "durasi aktual (menit)")),
    "unique_viewers": (("unique viewers",), ("penonton unik",)),
}
REPORT_TITLES = (("attendee report", "webinar attendee report"), ("laporan peserta", "laporan peserta webinar"))
SECTION_TITLES = {
    "host": (("host details",), ("detail host", "detail tuan rumah")),
    "panelist": (("panelist details",), ("detail panelis",)),
    "attendee": (("attendee details",), ("detail peserta",)),
    "other": (("other attended",), ("peserta lain yang hadir", "lainnya yang hadir")),
}
GENERATED = (("report generated:", "report generated", "report generated time"), ("laporan dibuat:", "laporan dibuat", "waktu laporan dibuat"))
YES = frozenset({"yes", "ya", "y", "true", "1"})
NO = frozenset({"no", "tidak", "n", "false", "0", ""})


def _index(labels: dict) -> dict:
    """header_key(label) -> (column, language)."""
    out = {}
    for column, (en, id_) in labels.items():
        for lang, names in (("id", id_), ("en", en)):
            for name in names:
                out[name] = (column, lang)
    return out


_MEETING = _index(MEETING_COLUMNS)
_PARTICIPANT = _index(PARTICIPANT_COLUMNS)
_SUMMARY = _index(WEBINAR_SUMMARY)
_SECTIONS = {name: section for section, pair in SECTION_TITLES.items() for names in pair for name in names}
_INDONESIAN_SECTIONS = {name for pair in SECTION_TITLES.values() for name in pair[1]}


def _columns(row: Row, index: dict) -> tuple[dict, str]:
    """(column -> position, language of the labels) for a header row."""
    found, languages = {}, []
    for i, cell in enumerate(row.cells):
        hit = index.get(header_key(cell))
        if hit and hit[0] not in found:
            found[hit[0]] = i
            languages.append(hit[1])
    lang = "id" if languages and languages.count("id") * 2 >= len(languages) else "en"
    return found, lang


def is_meeting_header(row: Row) -> bool:
    cols, _lang = _columns(row, _MEETING)
    return "meeting_id" in cols and ("start" in cols or "end" in cols)


def is_participant_header(row: Row) -> bool:
    cols, _lang = _columns(row, _PARTICIPANT)
    return "name" in cols and ("duration" in cols or "total" in cols or "join" in cols)


def is_webinar(row: Row) -> bool:
    return bool(row.cells) and any(header_key(row.cells[0]) in names for names in REPORT_TITLES)


def person_key(name: str, email: str) -> str | None:
    """Who a row is: the e-mail without case, else the display name trimmed, case-folded
    and in one Unicode form; None when the row names nobody."""
    email = email.strip()
    if email:
        # ASCII is its own NFKC form and its case folding is lower(): the common case, faster
        return "e:" + (email.lower() if email.isascii() else unicodedata.normalize("NFKC", email).casefold())
    if name.isascii():
        text = " ".join(name.split()).lower()
    else:
        text = " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return "n:" + text if text else None


def _cell(row: Row, cols: dict, column: str) -> str:
    i = cols.get(column)
    return row.cells[i] if i is not None and i < len(row.cells) else ""


def _check_width(row: Row, header: Row) -> None:
    expected = len(header.cells)
    if len(row.cells) > expected:
        raise ExportError(row.line, _("the row has {found} columns, the header on line {line} has {expected} (a value holds an unquoted separator, or the row is damaged)").format(found=len(row.cells), line=header.line, expected=expected))
    if row.width < expected:
        raise ExportError(row.line, _("the row has {found} columns, the header on line {line} has {expected} (the row is cut short: is the file truncated?)").format(found=row.width, line=header.line, expected=expected))


def _minutes(row: Row, cols: dict, column: str, label: str) -> int:
    text = _cell(row, cols, column).replace(",", "").replace(".", "")
    if not text.isdigit():
        raise ExportError(row.line, _("{column}: expected a whole number of minutes, got {found}").format(column=label, found=repr(_cell(row, cols, column))))
    return int(text)


def _label(header: Row, cols: dict, column: str) -> str:
    return header.cells[cols[column]]


def _whole(text: str) -> int | None:
    text = text.strip().replace(",", "").replace(".", "")
    return int(text) if text.isdigit() else None


class _People:
    """People met so far: minutes and presence intervals per person (the names and
    e-mails are only keys here, never kept once counted)."""

    def __init__(self):
        self.minutes: dict = {}
        self.spans: dict = {}

    def add(self, key: str, minutes: int, span: tuple | None) -> None:
        self.minutes[key] = self.minutes.get(key, 0) + minutes
        if span is not None:
            self.spans.setdefault(key, []).append(span)

    def __len__(self) -> int:
        return len(self.minutes)

    def peak(self) -> tuple[int, float | None]:
        """The most people present at once (each person's overlapping or touching
        intervals merged first, so a rejoin or a second device is still one person) and
        the first moment it was reached (seconds since 1970)."""
        events = []
        for spans in self.spans.values():
            spans.sort()
            start, end = spans[0]
            for s, e in spans[1:]:
                if s <= end:
                    end = max(end, e)
                else:
                    events.append((start, 1))
                    events.append((end, -1))
                    start, end = s, e
            events.append((start, 1))
            events.append((end, -1))
        events.sort()  # at the same moment a leave (-1) comes before a join (+1)
        now = best = 0
        when = None
        for t, step in events:
            now += step
            if now > best:
                best, when = now, t
        return best, when


def _stamps_of(rows: list, cols: dict, columns: tuple) -> set:
    """The distinct stamps of some columns (the date order is decided from them)."""
    out = set()
    for c in columns:
        i = cols.get(c)
        if i is not None:
            out.update(r.cells[i] for r in rows if i < len(r.cells))
    out.discard("")
    out.discard("--")
    return out


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _meeting_block(rows, i: int) -> tuple[Row | None, dict, list, int]:
    """The meeting block at row i, when the export has one ("Export with meeting data"):
    (its header, its columns, its rows, the index of the participants' header)."""
    if not is_meeting_header(rows[i]):
        return None, {}, [], i
    header = rows[i]
    cols, _lang = _columns(header, _MEETING)
    block: list = []
    i += 1
    while i < len(rows) and rows[i].cells and not is_participant_header(rows[i]):
        if any(rows[i].cells):
            _check_width(rows[i], header)
            block.append(rows[i])
        i += 1
    if not block:
        raise ExportError(header.line + 1, _("the meeting block has a header but no meeting row (expected the meeting's ID, topic and times below line {line})").format(line=header.line))
    return header, cols, block, _first_filled(rows, i, header.line)


def _layout(header: Row, cols: dict) -> str:
    """Which participant report this is (the module's docstring lists them)."""
    if "total" in cols:
        return "unique-users"
    if "join" not in cols or "leave" not in cols:
        missing = [c for c in ("join", "leave") if c not in cols]
        raise ExportError(header.line, _("the participants' header has no {columns} column (expected Join Time and Leave Time, or Total Duration (Minutes) for a report of unique users)").format(columns=" / ".join(PARTICIPANT_COLUMNS[c][0][0].title() for c in missing)))
    if "email" in cols and header_key(_label(header, cols, "email")) == "email":
        return "2024"
    return "older"


def _read_meeting_block(block: list, header: Row | None, cols: dict, clock: Clock, result: Import) -> tuple[list, list, int]:
    """The meeting block's IDs (into result), the meetings' starts and ends, and Zoom's own
    count of participants (their sum)."""
    starts, ends, headline = [], [], 0
    for r in block:
        mid = _cell(r, cols, "meeting_id")
        if mid and mid not in result.ids:
            result.ids += (mid,)
        for column, sink in (("start", starts), ("end", ends)):
            text = _cell(r, cols, column)
            if text:
                moment = clock.moment(text)
                if moment is None:
                    raise ExportError(r.line, bad_stamp(_label(header, cols, column), text))
                sink.append(moment)
        headline += _whole(_cell(r, cols, "participants")) or 0
    return starts, ends, headline


def _count_participants(data: list, header: Row, cols: dict, layout: str, clock: Clock, result: Import) -> tuple[_People, set, str | None]:
    """Every participant row read and counted (or left out, with its reason): (the people,
    the keys seen in the waiting room, the last leave time as written). The loop reads cells
    by position, once per row: a report of a large webinar has tens of thousands of rows."""
    people = _People()
    seen_waiting: set = set()
    latest = latest_text = None
    width = len(header.cells)
    name_i, email_i = cols.get("name"), cols.get("email")
    waiting_i = cols.get("waiting")
    join_i, leave_i = cols.get("join"), cols.get("leave")
    minutes_i = cols.get("total") if layout == "unique-users" else cols.get("duration")
    minutes_label = header.cells[minutes_i] if minutes_i is not None else ""
    minutes_of = people.minutes
    spans_of = people.spans
    for r in data:
        cells = r.cells
        if len(cells) > width or r.width < width:
            _check_width(r, header)
        result.rows_read += 1
        n = len(cells)
        key = person_key(cells[name_i] if name_i < n else "", cells[email_i] if email_i is not None and email_i < n else "")
        if key is None:
            result.leave_out("no-name-or-email")
            continue
        if waiting_i is not None and waiting_i < n and cells[waiting_i].casefold() in YES:
            result.leave_out("waiting-room")
            seen_waiting.add(key)
            continue
        if minutes_i is not None:
            text = cells[minutes_i] if minutes_i < n else ""
            minutes = int(text) if text.isdigit() else _minutes(r, cols, "total" if layout == "unique-users" else "duration", minutes_label)
        if layout == "unique-users":
            if key in minutes_of:
                result.leave_out("rejoin-merged")
            people.add(key, minutes, None)
            result.rows_counted += 1
            continue
        join_text = cells[join_i] if join_i < n else ""
        leave_text = cells[leave_i] if leave_i < n else ""
        joined, left = clock.seconds(join_text), clock.seconds(leave_text)
        if joined is None:
            raise ExportError(r.line, bad_stamp(_label(header, cols, "join"), join_text))
        if left is None:
            raise ExportError(r.line, bad_stamp(_label(header, cols, "leave"), leave_text))
        if left < joined:
            raise ExportError(r.line, _("{leave} {left} is before {join} {joined} (expected a leave time at or after the join time)").format(
                leave=_label(header, cols, "leave"), left=leave_text, join=_label(header, cols, "join"), joined=join_text))
        if minutes_i is None:
            minutes = round((left - joined) / 60)
        if key in minutes_of:
            result.leave_out("rejoin-merged")
            minutes_of[key] += minutes
            spans_of[key].append((joined, left))
        else:
            minutes_of[key] = minutes
            spans_of[key] = [(joined, left)]
        result.rows_counted += 1
        if latest is None or left > latest:
            latest, latest_text = left, leave_text
    return people, seen_waiting, latest_text


def read_meeting(table: Table, zone_name: str) -> Import:
    """The participant report: its meeting block (when there is one), the participants'
    header and layout, the date order decided from every stamp, each row counted, then
    the figures and the meeting's times."""
    rows = table.rows
    zone = ZoneInfo(zone_name)
    block_header, block_cols, block, i = _meeting_block(rows, _first_filled(rows, 0))
    header = rows[i]
    if not is_participant_header(header):
        raise ExportError(header.line, _("expected the participants' header (Name (Original Name), User Email, Join Time, Leave Time, Duration (Minutes), ...), got {found}").format(found=_show(header)))
    cols, lang = _columns(header, _PARTICIPANT)
    data = [r for r in rows[i + 1:] if r.cells]  # trailing empty cells are gone: an empty row has none
    layout = _layout(header, cols)
    order = choose_order(
        _stamps_of(data, cols, ("join", "leave")) | _stamps_of(block, block_cols, ("start", "end")),
        "dmy" if lang == "id" else "mdy",
    )
    clock = Clock(order, zone)
    result = Import(
        channel="zoom", platform="zoom", format="zoom-meeting-participants", layout=layout, labels=lang,
        measure="unique-participants", figure=0, timezone=zone_name, date_order=order,
        encoding=table.encoding, delimiter=table.delimiter,
    )
    starts, ends, headline = _read_meeting_block(block, block_header, block_cols, clock, result)
    people, seen_waiting, latest_text = _count_participants(data, header, cols, layout, clock, result)
    # Rows merged into a person are counted (their minutes are); the reason records them.
    merged = result.left_out.pop("rejoin-merged", 0)
    result.figure = len(people)
    result.figures["unique_participants"] = len(people)
    result.figures["minutes_total"] = sum(people.minutes.values())
    if merged:
        result.figures["rows_merged_into_a_person"] = merged
    waiting_only = len(seen_waiting - set(people.minutes))
    if waiting_only:
        result.figures["waiting_room_only_people"] = waiting_only
    if layout != "unique-users":
        peak, when = people.peak()
        result.figures["peak_concurrent"] = peak
        if when is not None:
            result.notes.append(("peak_at", dt.datetime.fromtimestamp(when, zone).isoformat()))
    if block and headline:
        result.figures["zoom_headline"] = headline
    start = min(starts) if starts else None
    end = max(ends) if ends else (clock.moment(latest_text) if latest_text is not None else None)
    result.started, result.ended = _iso(start), _iso(end)
    result.as_of = end.date() if end is not None else None
    return result


def _first_filled(rows: list, i: int, after: int = 0) -> int:
    while i < len(rows) and not any(rows[i].cells):
        i += 1
    if i >= len(rows):
        raise ExportError((rows[-1].line + 1) if rows else after + 1, _("the file ends before the participants' rows (expected a header row such as Name (Original Name), User Email, Join Time, ...): is it truncated?"))
    return i


def _show(row: Row) -> str:
    text = ", ".join(row.cells[:6]) + (", ..." if len(row.cells) > 6 else "")
    return repr(text if len(text) <= 120 else text[:117] + "...")


# ---- webinar -----------------------------------------------------------------------------------

SECTION_ORDER = ("host", "panelist", "attendee", "other", "unknown")


@dataclass
class _Sheet:
    """An attendee report cut into its parts, nothing read from them yet: the summary block
    (its header and value rows), each section's header row and data rows, the 'Report
    Generated' stamp, and every language its titles were seen in."""

    langs: list
    generated_text: str | None = None
    generated_line: int = 0
    summary_header: Row | None = None
    summary_values: Row | None = None
    headers: dict = field(default_factory=dict)  # section -> its header row
    sections: dict = field(default_factory=lambda: {name: [] for name in SECTION_ORDER})  # section -> data rows


def _cut_sheet(rows) -> _Sheet:
    """The report's rows, cut at its section titles (Host Details, Attendee Details, ...)."""
    first = _first_filled(list(rows), 0)
    title_lang = "id" if any(header_key(rows[first].cells[0]) in names for names in REPORT_TITLES[1:]) else "en"
    sheet = _Sheet(langs=[title_lang])
    current = None
    i = first + 1
    while i < len(rows):
        r = rows[i]
        i += 1
        if not any(r.cells):
            continue
        key = header_key(r.cells[0])
        if len(r.cells) <= 2 and any(key in names or key.rstrip(":") in names for names in GENERATED):
            sheet.generated_text, sheet.generated_line = (r.cells[1] if len(r.cells) > 1 else ""), r.line
            continue
        if len(r.cells) == 1 and (key in _SECTIONS or key.endswith(("details", "detail")) or key.startswith("detail ")):
            current = _SECTIONS.get(key, "unknown")
            if key in _INDONESIAN_SECTIONS:
                sheet.langs.append("id")
            sheet.headers.pop(current, None)
            continue
        if current is None and "webinar_id" in _columns(r, _SUMMARY)[0]:
            sheet.summary_header = r
            while i < len(rows) and not any(rows[i].cells):
                i += 1
            if i < len(rows):
                sheet.summary_values = rows[i]
                _check_width(sheet.summary_values, sheet.summary_header)
                i += 1
            continue
        if (current is None or current not in sheet.headers) and is_participant_header(r):
            current = current or "attendee"
            sheet.headers[current] = r
            continue
        if current is None or current not in sheet.headers:
            raise ExportError(r.line, _("a row outside any section of the attendee report, got {found} (expected a section title such as Attendee Details, then its header row)").format(found=_show(r)))
        sheet.sections[current].append(r)
    if "attendee" not in sheet.headers:
        raise ExportError((rows[-1].line if rows else 1), _("the attendee report has no Attendee Details section with a header row (expected Attended, User Name (Original Name), Email, Join Time, ...): is it truncated?"))
    return sheet


def _webinar_stamps(sheet: _Sheet, cols_of: dict, summary_cols: dict) -> set:
    """Every date and time the report holds, from which its date order is decided."""
    stamps = set()
    for section, rs in sheet.sections.items():
        if section in cols_of:
            stamps |= _stamps_of(rs, cols_of[section], ("join", "leave"))
    if sheet.summary_values is not None and _cell(sheet.summary_values, summary_cols, "start"):
        stamps.add(_cell(sheet.summary_values, summary_cols, "start"))
    if sheet.generated_text:
        stamps.add(sheet.generated_text)
    return stamps


def _span(r: Row, header: Row, cols: dict, clock: Clock) -> tuple[tuple[float, float], dt.datetime] | None:
    """A row's (join, leave) in seconds and its leave moment; None without both columns."""
    if "join" not in cols or "leave" not in cols:
        return None
    moments = []
    for column in ("join", "leave"):
        text = _cell(r, cols, column)
        moment = clock.moment(text)
        if moment is None:
            raise ExportError(r.line, bad_stamp(_label(header, cols, column), text))
        moments.append(moment)
    if moments[1] < moments[0]:
        raise ExportError(r.line, _("{leave} {left} is before {join} {joined} (expected a leave time at or after the join time)").format(
            leave=_label(header, cols, "leave"), left=_cell(r, cols, "leave"), join=_label(header, cols, "join"), joined=_cell(r, cols, "join")))
    return (moments[0].timestamp(), moments[1].timestamp()), moments[1]


@dataclass
class _Audience:
    """Who a webinar report shows: attendees and panelists (each counted once), the
    registered who did not attend, and the last leave time seen."""

    attendees: _People = field(default_factory=_People)
    panelists: _People = field(default_factory=_People)
    absent: set = field(default_factory=set)
    latest: dt.datetime | None = None


def _count_audience(sheet: _Sheet, cols_of: dict, clock: Clock, result: Import) -> _Audience:
    """Every row of every section read and counted (or left out, with its reason)."""
    seen = _Audience()
    for section in SECTION_ORDER:
        header = sheet.headers.get(section)
        cols = cols_of[section] if section in cols_of else {}
        for r in sheet.sections[section]:
            _check_width(r, header)
            result.rows_read += 1
            if section in ("host", "unknown"):
                result.leave_out(section)
                continue
            key = person_key(_cell(r, cols, "name"), _cell(r, cols, "email"))
            if key is None:
                result.leave_out("no-name-or-email")
                continue
            attended = section == "other" or "attended" not in cols or _cell(r, cols, "attended").casefold() in YES
            if "attended" in cols and section != "other" and _cell(r, cols, "attended").casefold() not in YES | NO:
                raise ExportError(r.line, _("{column}: expected Yes or No, got {found}").format(column=_label(header, cols, "attended"), found=repr(_cell(r, cols, "attended"))))
            if not attended:
                seen.absent.add(key)
                result.leave_out("registered-not-attended")
                continue
            found = _span(r, header, cols, clock)
            span = None
            if found is not None:
                span, left = found
                seen.latest = left if seen.latest is None or left > seen.latest else seen.latest
            minutes = _minutes(r, cols, "duration", _label(header, cols, "duration")) if "duration" in cols else 0
            if section == "panelist":
                seen.panelists.add(key, minutes, span)
                result.leave_out("panelist")
                continue
            seen.attendees.add(key, minutes, span)
            result.rows_counted += 1
    return seen


def _read_summary(sheet: _Sheet, summary_cols: dict, clock: Clock, result: Import) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The summary block's webinar ID and Unique Viewers (into result), and its actual
    start and end; (None, None) without one."""
    values = sheet.summary_values
    if values is None:
        return None, None
    wid = _cell(values, summary_cols, "webinar_id")
    if wid:
        result.ids = (wid,)
    viewers = _whole(_cell(values, summary_cols, "unique_viewers"))
    if viewers is not None:
        result.figures["zoom_headline"] = viewers
    text = _cell(values, summary_cols, "start")
    if not text:
        return None, None
    start = clock.moment(text)
    if start is None:
        raise ExportError(values.line, bad_stamp(_label(sheet.summary_header, summary_cols, "start"), text))
    minutes = _whole(_cell(values, summary_cols, "duration"))
    return start, (start + dt.timedelta(minutes=minutes) if minutes is not None else None)


def read_webinar(table: Table, zone_name: str) -> Import:
    """The attendee report: cut into sections, its date order decided from every stamp in
    it, each row counted, then the figures and the webinar's times."""
    zone = ZoneInfo(zone_name)
    sheet = _cut_sheet(table.rows)
    cols_of, langs = {}, list(sheet.langs)
    for section, header in sheet.headers.items():
        cols_of[section], lang = _columns(header, _PARTICIPANT)
        if section == "attendee":
            langs.append(lang)
    lang = "id" if "id" in langs else "en"
    summary_cols = _columns(sheet.summary_header, _SUMMARY)[0] if sheet.summary_header is not None else {}
    order = choose_order(_webinar_stamps(sheet, cols_of, summary_cols), "dmy" if lang == "id" else "mdy")
    clock = Clock(order, zone)
    result = Import(
        channel="zoom", platform="zoom", format="zoom-webinar-attendees", layout="sectioned", labels=lang,
        measure="webinar-attendees", figure=0, timezone=zone_name, date_order=order,
        encoding=table.encoding, delimiter=table.delimiter,
    )
    seen = _count_audience(sheet, cols_of, clock, result)
    result.figure = len(seen.attendees)
    result.figures["attendees"] = len(seen.attendees)
    result.figures["panelists"] = len(seen.panelists)
    result.figures["registered_not_attended"] = len(seen.absent - set(seen.attendees.minutes))
    result.figures["minutes_total"] = sum(seen.attendees.minutes.values())
    if seen.attendees.spans:
        peak, when = seen.attendees.peak()
        result.figures["peak_concurrent"] = peak
        if when is not None:
            result.notes.append(("peak_at", dt.datetime.fromtimestamp(when, zone).isoformat()))
    start, end = _read_summary(sheet, summary_cols, clock, result)
    if end is None:
        end = seen.latest
    if end is None and sheet.generated_text:
        end = clock.moment(sheet.generated_text)
        if end is None:
            raise ExportError(sheet.generated_line, bad_stamp("Report Generated", sheet.generated_text))
    result.started, result.ended = _iso(start), _iso(end)
    result.as_of = end.date() if end is not None else None
    return result
