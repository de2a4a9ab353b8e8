"""Dates and times as exports write them, and what one import found.

Zoom writes times in the time zone and date order of the account that exported the
report (`01/11/2024 08:55:12 AM` in the United States, `11/01/2024 08:55:12` elsewhere),
without saying which. The order is decided once per file from all its stamps (a day over
12 settles it), else from the language of the labels; the zone is the site's unless the
command is given another.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..messages import _

_NUMERIC = re.compile(
    r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_WORDED = re.compile(
    r"^(?:(\d{1,2}) ([^\W\d_]{3,})\.?|([^\W\d_]{3,})\.? (\d{1,2}),?) (\d{4})"
    r"(?:,? (\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?$"
)
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "mei": 5, "jun": 6, "jul": 7, "aug": 8,
    "agu": 8, "agt": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "des": 12,
}
HOW = "MM/DD/YYYY hh:mm:ss AM, DD/MM/YYYY hh:mm, YYYY-MM-DD hh:mm or 'Jan 11, 2024 08:55 AM'"


def _clock(h, m, s, half) -> tuple | None:
    hour, minute, second = int(h or 0), int(m or 0), int(s or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def parse_stamp(text: str, order: str) -> dt.datetime | None:
    """A naive datetime from an export's stamp in the given date order; None if it is not one."""
    text = text.strip()
    m = _NUMERIC.match(text)
    if m:
        a, b, c = m.group(1), m.group(2), m.group(3)
        if len(a) == 4:
            y, mo, d = int(a), int(b), int(c)
        elif len(c) == 4 or len(c) == 2:
            year = int(c) + (2000 if len(c) == 2 else 0)
            if order == "dmy":
                y, mo, d = year, int(b), int(a)
            else:
                y, mo, d = year, int(a), int(b)
        else:
            return None
        clock = _clock(m.group(4), m.group(5), m.group(6), m.group(7))
    else:
        m = _WORDED.match(text)
        if not m:
            return None
        day, month_word = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        mo = MONTHS.get(month_word[:3].casefold())
        if mo is None:
            return None
        y, d = int(m.group(5)), int(day)
        clock = _clock(m.group(6), m.group(7), m.group(8), m.group(9))
    if clock is None:
        return None
    try:
        return dt.datetime(y, mo, d, *clock)
    except ValueError:
        return None


def choose_order(samples: list, prefer: str) -> str:
    """The date order under which every sample reads as a date: ymd when the year comes
    first; else mdy or dmy, whichever fits all (`prefer` when both do)."""
    texts = {s.strip() for s in samples} - {""}
    if any(re.match(r"^\d{4}[/.-]", t) for t in texts):
        return "ymd"
    fits = {o: all(parse_stamp(t, o) is not None for t in texts) for o in ("mdy", "dmy")}
    if fits[prefer]:
        return prefer
    other = "dmy" if prefer == "mdy" else "mdy"
    return other if fits[other] else prefer


class Clock:
    """Stamps of one export read in its date order and time zone, each distinct text once
    (a report of 50,000 rows repeats its stamps many times over)."""

    def __init__(self, order: str, zone):
        self.order, self.zone = order, zone
        self.memo: dict = {}
        self.memo_seconds: dict = {}

    def moment(self, text: str) -> dt.datetime | None:
        hit = self.memo.get(text)
        if hit is None and text not in self.memo:
            naive = parse_stamp(text, self.order)
            hit = self.memo[text] = naive.replace(tzinfo=self.zone) if naive is not None else None
        return hit

    def seconds(self, text: str) -> float | None:
        """The stamp as seconds since 1970 (None: not a stamp)."""
        try:
            return self.memo_seconds[text]
        except KeyError:
            moment = self.moment(text)
            hit = self.memo_seconds[text] = moment.timestamp() if moment is not None else None
            return hit


def bad_stamp(label: str, text: str) -> str:
    return _("{column}: cannot read the date and time {found} (expected {how})").format(column=label, found=repr(text), how=HOW)


@dataclass
class Import:
    """What one export gave: the figure and its provenance. Holds no participant data."""

    channel: str  # the site's channel the figure is for
    platform: str  # zoom | youtube
    format: str  # zoom-meeting-participants | zoom-webinar-attendees | youtube-studio-table
    layout: str
    labels: str  # en | id: the language of the export's column labels
    measure: str  # what the figure counts (records.MEASURES)
    figure: int
    figures: dict = field(default_factory=dict)  # further counts, name -> whole number
    rows_read: int = 0
    rows_counted: int = 0
    left_out: dict = field(default_factory=dict)  # reason -> rows
    ids: tuple = ()  # meeting, webinar or video IDs
    as_of: dt.date | None = None
    started: str | None = None  # ISO time with offset, in the export's time zone
    ended: str | None = None
    timezone: str | None = None
    date_order: str | None = None
    encoding: str = ""
    delimiter: str = ""
    member: str | None = None  # the table's name inside a zip
    file: str = ""
    sha256: str = ""
    notes: list = field(default_factory=list)  # printed by the command, never stored

    def leave_out(self, reason: str, n: int = 1) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + n
