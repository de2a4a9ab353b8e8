"""Sessions: what happens on each day of the coming weeks, one entry per program and day.

A program meets every week on its weekday; a series is one of those meetings with a title,
and it may have its own time and links (which win over the program's), be cancelled,
postponed, or moved to another day. The home page and /jadwal/ answer "what is on next,
when, and how do I join" from these entries.

The pages list three weeks from the Monday of the build's week. The visitor's browser
decides again, from the dates on the page (WIB), which two weeks are "this week" and "next
week" and which session is next (static/assets/site.js), so a page built days ago still
tells the truth; without script the page states every date, so it never misleads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Program, Series, Site, is_meeting

WEEKS = 3  # weeks listed from the build's Monday: this, next, and one spare for a stale page


@dataclass(frozen=True)
class Session:
    date: dt.date
    program: Program
    series: Series | None  # the series held on that day, if one is announced
    moved_to: Series | None = None  # a series first set for this day and moved away

    @property
    def start(self) -> dt.time | None:
        return self.series.start_time(self.program) if self.series else self.program.time

    @property
    def end(self) -> dt.time | None:
        return self.series.end_time(self.program) if self.series else self.program.end_time

    @property
    def title(self) -> str:
        shown = self.series or self.moved_to
        return shown.title if shown else self.program.title

    @property
    def status(self) -> str:
        """terjadwal, dibatalkan, ditunda, dipindah (moved here), or pindah (moved away)."""
        if self.series is not None:
            return self.series.status
        if self.moved_to is not None:
            return "pindah"
        return "terjadwal"

    @property
    def happens(self) -> bool:
        """Held on this day: a join button and the "next session" mark make sense."""
        return self.status in ("terjadwal", "dipindah")

    @property
    def links(self) -> tuple:
        """(channel, url, meeting) for each channel with an address; none when it does not happen."""
        if not self.happens:
            return ()
        out = []
        for ch in self.program.channels or tuple(c for c, _ in (self.series.links if self.series else ())):
            url = self.series.link(ch, self.program) if self.series else self.program.link(ch)
            if url:
                out.append((ch, url, is_meeting(ch)))
        return tuple(out)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def sessions(site: Site, first: dt.date, days: int) -> tuple:
    """Every session from `first` for `days` days, in order of date, start time, program."""
    last = first + dt.timedelta(days=days - 1)
    shown = [s for s in site.series if first <= s.date <= last or (s.previous_date and first <= s.previous_date <= last)]
    held: dict = {}
    moved_away: dict = {}
    for s in shown:
        if first <= s.date <= last:
            held.setdefault((s.date, s.program), []).append(s)
        if s.moved and s.previous_date and first <= s.previous_date <= last:
            moved_away.setdefault((s.previous_date, s.program), []).append(s)
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        for program in site.programs:
            key = (day, program.slug)
            if key in held:
                out.extend(Session(day, program, s) for s in held[key])
            elif key in moved_away:
                out.extend(Session(day, program, None, moved_to=s) for s in moved_away[key])
            elif program.weekday_index == day.weekday() and (program.since is None or program.since <= day):
                out.append(Session(day, program, None))
    order = {p.slug: i for i, p in enumerate(site.programs)}
    out.sort(key=lambda x: (x.date, x.start or dt.time(0), order[x.program.slug], x.series.slug if x.series else ""))
    return tuple(out)


def window(site: Site) -> dict:
    """The sessions the schedule pages list: three weeks from the build's Monday."""
    start = monday(site.today)
    listed = sessions(site, start, 7 * WEEKS)
    return {
        "start": start,
        "weeks": tuple(start + dt.timedelta(days=7 * w) for w in range(WEEKS)),
        "sessions": listed,
        "today": site.today,
    }


WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def google_calendar(series: Series, program: Program) -> dict | None:
    """The fields of a Google Calendar "add event" link (calendar.google.com/calendar/render
    with action=TEMPLATE) for a series that is going to happen: times in UTC from WIB, or
    a whole day when the time is not announced. The template adds the page address to the
    details. None for a cancelled or postponed series (there is nothing to add)."""
    if not series.happens:
        return None
    start = series.start_time(program)
    if start is None:
        dates = f"{series.date:%Y%m%d}/{series.date + dt.timedelta(days=1):%Y%m%d}"
    else:
        begin = dt.datetime.combine(series.date, start, WIB)
        minutes = series.minutes(program)
        end = begin + dt.timedelta(minutes=minutes) if minutes else begin
        utc = dt.timezone.utc
        dates = f"{begin.astimezone(utc):%Y%m%dT%H%M%SZ}/{end.astimezone(utc):%Y%m%dT%H%M%SZ}"
    location = next((url for ch in (program.channels or ()) for url in [series.link(ch, program)] if url), None)
    if location is None:
        location = next((url for _ch, url in series.links), None)
    return {"text": f"{series.title} ({program.title})", "dates": dates, "details": series.summary, "location": location}
