"""/jadwal.ics: the weekly programs and the upcoming series as an iCalendar file
(RFC 5545), written with the `icalendar` package.

- One recurring event per program (RRULE FREQ=WEEKLY;BYDAY=<its weekday>), starting on the
  first matching weekday on or after the program's `since`, else site.yaml
  `schedule_since`, else its oldest series (else the build's `today`).
- The sources give no hours for most programs, so such events are ALL-DAY
  (DTSTART;VALUE=DATE, marked TRANSPARENT so they do not block a calendar). When a program
  or series has a `time` (a series without one takes its program's), the event starts then,
  with TZID=<site time zone> (Asia/Jakarta, described by a VTIMEZONE), and lasts its
  `duration` (the series', else the program's), else DEFAULT_DURATION (2 hours), which the
  description then says is not announced.
- Links: the meeting link (a Zoom link) is the LOCATION, so calendar apps offer it as the
  place to go; every known link (the event's, else the channel's own page from site.yaml) is
  listed in the DESCRIPTION; URL is the event's page on this site.
- One dated event per upcoming series (dated `today` or later), never drafts. A sample's
  SUMMARY starts with "Contoh: ".
- UIDs are "program-<slug>@<host>" and "seri-<slug>@<host>" (host of the base URL).
  DTSTAMP is derived from the data (the event's first day at 00:00 UTC), never the wall
  clock, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import i18n
from .model import is_meeting
from .outputs import absolute, display_title, host, midnight_utc
from .routes import Route

if TYPE_CHECKING:
    import icalendar

CALENDAR_URL = "/jadwal.ics"
DEFAULT_DURATION = dt.timedelta(hours=2)
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def program_start(site, program) -> dt.date:
    base = program.since or site.config.schedule_since
    if base is None:
        own = [s.date for s in site.series_of(program.slug)]
        base = min(own) if own else site.today
    return first_weekday_on_or_after(base, program.weekday_index)


def calendar_routes(site, reports) -> list[Route]:
    upcoming = tuple(s for s in site.upcoming_series if not s.draft)
    context = {
        "config": site.config,
        "programs": site.programs,
        "starts": {p.slug: program_start(site, p) for p in site.programs},
        "upcoming": upcoming,
    }
    return [Route(CALENDAR_URL, None, context, producer=render_calendar, sitemap=False)]


def _channels(config, slugs) -> str:
    labels = config.channel_labels
    return ", ".join(labels.get(c, c) for c in slugs)


def _when(event: icalendar.Event, day: dt.date, time: dt.time | None, minutes: int | None, zone: ZoneInfo) -> None:
    if time is None:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        start = dt.datetime.combine(day, time, tzinfo=zone)
        event.add("dtstart", start)
        event.add("dtend", start + (dt.timedelta(minutes=minutes) if minutes else DEFAULT_DURATION))


def _time_line(time: dt.time | None, minutes: int | None) -> str:
    if time is None:
        return "Jam mulai belum diumumkan."
    if minutes:
        end = (dt.datetime.combine(dt.date(2000, 1, 1), time) + dt.timedelta(minutes=minutes)).time()
        return f"Pukul {time:%H.%M}–{end:%H.%M} WIB."
    return f"Pukul {time:%H.%M} WIB (durasi belum diumumkan)."


def _links(config, channels, link_of) -> tuple[list, str | None]:
    """Description lines for joining or watching, and the meeting link (for LOCATION)."""
    labels, own = config.channel_labels, config.channel_urls
    lines, meeting = [], None
    for ch in channels:
        name = labels.get(ch, ch)
        url = link_of(ch)
        if url:
            lines.append(f"{'Gabung lewat' if is_meeting(ch) else 'Tonton di'} {name}: {url}")
            if meeting is None and is_meeting(ch):
                meeting = url
        elif own.get(ch):
            lines.append(f"Kanal {name}: {own[ch]} (tautan acaranya belum tersedia)")
        else:
            lines.append(f"Tautan {name} belum tersedia.")
    return lines, meeting


def render_calendar(globals_: dict, ctx: dict) -> bytes:
    import icalendar  # here, not at the top: a rebuild that keeps the calendar never loads it (40 ms)

    config = ctx["config"]
    zone = ZoneInfo(config.timezone)
    domain = host(config)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{config.organisation}//{config.title}//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # X- properties have no known value type: vText escapes newlines, ',' and ';' in them.
    cal.add("x-wr-calname", icalendar.vText(f"Jadwal {config.title}"))
    cal.add("x-wr-caldesc", icalendar.vText(f"Jadwal mingguan Senin–Jumat dan seri mendatang dari {config.organisation}. Zona waktu: {config.timezone}."))
    cal.add("x-wr-timezone", config.timezone)
    refresh = icalendar.vDuration(dt.timedelta(days=1))
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", refresh)

    days = list(ctx["starts"].values()) + [s.date for s in ctx["upcoming"]]
    first = min(days) if days else dt.date(1970, 1, 1)
    last = max(days) if days else first
    tz = icalendar.Timezone.from_tzinfo(zone, tzid=config.timezone, first_date=first, last_date=dt.date(last.year + 10, 1, 1))
    tz.pop("COMMENT", None)  # the library's note on the covered years, in English
    cal.add_component(tz)

    for p in ctx["programs"]:
        start = ctx["starts"][p.slug]
        event = icalendar.Event()
        event.add("uid", f"program-{p.slug}@{domain}")
        event.add("dtstamp", midnight_utc(start))
        event.add("summary", p.title)
        _when(event, start, p.time, p.duration, zone)
        event.add("rrule", {"freq": "weekly", "byday": [BYDAY[i] for i in p.weekday_indexes]})
        lines = [p.summary] if p.summary else []
        days = [i18n.weekday_name(i, config.language) for i in p.weekday_indexes]
        lines.append(f"Setiap hari {' dan '.join(days)}. {_time_line(p.time, p.duration)}")
        joins, meeting = _links(config, p.channels, p.link)
        lines += joins
        lines.append(f"Halaman program: {absolute(config, p.url)}")
        event.add("description", "\n\n".join(lines))
        location = meeting or p.place or (f"Daring: {_channels(config, p.channels)}" if p.channels else None)
        if location:
            event.add("location", location)
        event.add("url", absolute(config, p.url))
        event.add("categories", ["Program mingguan"])
        cal.add_component(event)

    for s in ctx["upcoming"]:
        event = icalendar.Event()
        event.add("uid", f"seri-{s.slug}@{domain}")
        event.add("dtstamp", midnight_utc(s.date))
        event.add("summary", display_title(s))
        program = next((p for p in ctx["programs"] if p.slug == s.program), None)
        _when(event, s.date, s.start_time(program), s.minutes(program), zone)
        lines = [s.summary] if s.summary else []
        if program is not None:
            lines.append(f"Program: {program.title}.")
        lines.append(_time_line(s.start_time(program), s.minutes(program)))
        if s.speakers:
            lines.append("Narasumber: " + "; ".join(s.speakers) + ".")
        if s.sample:
            lines.append("Ini entri contoh, bukan jadwal sungguhan.")
        channels = program.channels if program is not None else tuple(ch for ch, _ in s.links)
        joins, meeting = _links(config, channels, lambda ch: s.link(ch, program))
        lines += joins
        lines.append(f"Halaman seri: {absolute(config, s.url)}")
        event.add("description", "\n\n".join(lines))
        location = meeting or (program.place or (f"Daring: {_channels(config, program.channels)}" if program.channels else None) if program is not None else None)
        if location:
            event.add("location", location)
        event.add("url", absolute(config, s.url))
        categories = [program.title] if program is not None else []
        if s.sample:
            categories.append("Contoh")
        if categories:
            event.add("categories", categories)
        cal.add_component(event)
    return cal.to_ical()
