"""/jadwal.ics (the weekly programs with their series) and /seri/<slug>/acara.ics (one
series) as iCalendar files (RFC 5545), written with the `icalendar` package.

The model (docs/open-data.md says why it was chosen):

- One recurring event per program (RRULE FREQ=WEEKLY;BYDAY=<its weekday>), starting on the
  first matching weekday on or after the program's `since`, else site.yaml
  `schedule_since`, else its oldest series (else the build's `today`).
- One event per series of its own, UID "seri-<slug>@<host>" for life. Where a series falls
  on one of its program's weekly instances, that instance is removed with an EXDATE on
  the program's event: a calendar shows one event per session, the series' own (its
  time, title and links). A moved series (`dipindah`) keeps its UID with its new date, and
  both its dates are removed from the program's event; a cancelled (`dibatalkan`) or
  postponed (`ditunda`, no new date yet) series stays on its date with STATUS:CANCELLED
  and "[Dibatalkan]"/"[Ditunda]" before its title, and its date is removed from the program's
  event too (nothing takes place that day).
- jadwal.ics holds the series from a year before `today` on (older ones are in the open
  data): earlier weeks show the program's weekly event. The same series, and only they,
  have an acara.ics of their own (`in_calendar`; a series page links it only then): an
  older session is no use in a calendar, and 20,000 files of 5 to 10 ms each would cost
  a clean build minutes.
- The sources give no hours for most programs, so such events are ALL-DAY
  (DTSTART;VALUE=DATE, TRANSPARENT so they do not block a calendar). With a `time` (a
  series without one takes its program's), the event starts then, with TZID=<site time
  zone> (described by a VTIMEZONE), and lasts its `duration` (the series', else the
  program's), else DEFAULT_DURATION (2 hours), which the description then says is not
  announced.
- Links: the meeting link (a Zoom link) is the LOCATION; every known link is listed in the
  DESCRIPTION; URL is the event's page on this site.
- Time stamps, never from the wall clock: LAST-MODIFIED is when the event's sources last
  changed (the last git commit, lastmod.py; left out when unknown); DTSTAMP (the time the
  file was made, as METHOD:PUBLISH asks) is the newest change among the file's sources,
  else SOURCE_DATE_EPOCH, else the newest date in it at 00:00 UTC. SEQUENCE follows the
  status: 0 as planned, 1 postponed, 2 moved, 3 cancelled, so each usual change (planned
  -> postponed -> moved, or -> cancelled) raises it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import localeformat
from .model import is_meeting
from .dataoutputs import absolute, host, in_calendar, midnight_utc, public_series, series_calendar_url, status_line, status_title
from .routes import Route

if TYPE_CHECKING:
    import icalendar

CALENDAR_URL = "/jadwal.ics"
DEFAULT_DURATION = dt.timedelta(hours=2)
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SEQUENCE = {"terjadwal": 0, "ditunda": 1, "dipindah": 2, "dibatalkan": 3}




def first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def program_start(site, program) -> dt.date:
    base = program.since or site.config.schedule_since
    if base is None:
        own = [s.date for s in site.series_of(program.slug)]
        base = min(own) if own else site.today
    return first_weekday_on_or_after(base, program.weekday_index)


def series_days(series) -> tuple:
    """The days a series takes from its program's weekly event: its date, and the earlier
    date of a moved series."""
    return (series.date, series.previous_date) if series.moved and series.previous_date else (series.date,)


def _dtstamp(history, sources, days) -> dt.datetime:
    newest = history.newest(sources)
    if newest is not None:
        return newest
    return midnight_utc(max(days)) if days else midnight_utc(dt.date(1970, 1, 1))


def calendar_routes(site, reports, history) -> list[Route]:
    config = site.config
    programs = {p.slug: p for p in site.programs}
    kept = tuple(sorted((s for s in public_series(site) if in_calendar(site, s)),
                        key=lambda s: (s.date, s.time or dt.time(0), s.slug)))
    starts = {p.slug: program_start(site, p) for p in site.programs}
    exdates: dict = {p.slug: set() for p in site.programs}
    taken_by: dict = {p.slug: [] for p in site.programs}
    for s in kept:
        p = programs.get(s.program)
        if p is None:
            continue
        for day in series_days(s):
            if day.weekday() in p.weekday_indexes and day >= starts[p.slug]:
                exdates[p.slug].add(day)
                taken_by[p.slug].append(s.path)
    program_events = tuple(
        {"program": p, "start": starts[p.slug], "exdates": tuple(sorted(exdates[p.slug])),
         "modified": history.newest((p.path, *taken_by[p.slug]))}
        for p in site.programs
    )
    series_events = tuple({"series": s, "program": programs.get(s.program), "modified": history.of(s.path)} for s in kept)
    days = [e["start"] for e in program_events] + [d for s in kept for d in series_days(s)]
    sources = ("site.yaml", *(p.path for p in site.programs), *(s.path for s in kept))
    routes = [Route(CALENDAR_URL, None, {
        "config": config, "programs": program_events, "series": series_events,
        "dtstamp": _dtstamp(history, sources, days), "whole": True,
    }, producer=render_calendar, sitemap=False)]
    for s in kept:
        p = programs.get(s.program)
        own_sources = ("site.yaml", s.path) + ((p.path,) if p is not None else ())
        routes.append(Route(series_calendar_url(s), None, {
            "config": config, "programs": (), "series": ({"series": s, "program": p, "modified": history.of(s.path)},),
            "dtstamp": _dtstamp(history, own_sources, series_days(s)), "whole": False,
        }, producer=render_calendar, sitemap=False))
    return routes


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


@lru_cache(maxsize=64)
def _timezone_ical(tzid: str, first: dt.date, last: dt.date) -> bytes:
    """The VTIMEZONE of a zone over a range of dates (the library takes about 0.1 s to
    make one, so each is made once per process)."""
    import icalendar  # here, as in render_calendar: a rebuild that keeps the calendar never loads it

    tz = icalendar.Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=first, last_date=last)
    tz.pop("COMMENT", None)  # the library's note on the covered years, in English
    return tz.to_ical()


def _program_event(icalendar, config, item: dict, zone: ZoneInfo, domain: str, dtstamp: dt.datetime):
    p, start = item["program"], item["start"]
    event = icalendar.Event()
    event.add("uid", f"program-{p.slug}@{domain}")
    event.add("dtstamp", dtstamp)
    if item["modified"] is not None:
        event.add("last-modified", item["modified"])
    event.add("summary", p.title)
    _when(event, start, p.time, p.duration, zone)
    event.add("rrule", {"freq": "weekly", "byday": [BYDAY[i] for i in p.weekday_indexes]})
    if item["exdates"]:
        if p.time is None:
            event.add("exdate", list(item["exdates"]))
        else:
            event.add("exdate", [dt.datetime.combine(d, p.time, tzinfo=zone) for d in item["exdates"]])
    lines = [p.summary] if p.summary else []
    days = [localeformat.weekday_name(i, config.language) for i in p.weekday_indexes]
    lines.append(f"Setiap hari {' dan '.join(days)}. {_time_line(p.time, p.duration)}")
    lines.append("Pada hari yang punya seri sendiri, seri itulah yang tampil.")
    joins, meeting = _links(config, p.channels, p.link)
    lines += joins
    lines.append(f"Halaman program: {absolute(config, p.url)}")
    event.add("description", "\n\n".join(lines))
    location = meeting or p.place or (f"Daring: {_channels(config, p.channels)}" if p.channels else None)
    if location:
        event.add("location", location)
    event.add("url", absolute(config, p.url))
    event.add("categories", ["Program mingguan"])
    return event


def _series_event(icalendar, config, item: dict, zone: ZoneInfo, domain: str, dtstamp: dt.datetime):
    s, program = item["series"], item["program"]
    event = icalendar.Event()
    event.add("uid", f"seri-{s.slug}@{domain}")
    event.add("dtstamp", dtstamp)
    if item["modified"] is not None:
        event.add("last-modified", item["modified"])
    event.add("sequence", SEQUENCE.get(s.status, 0))
    event.add("status", "CONFIRMED" if s.happens else "CANCELLED")
    event.add("summary", status_title(s))
    _when(event, s.date, s.start_time(program), s.minutes(program), zone)
    lines = [line for line in (status_line(s, config), s.summary) if line]
    if program is not None:
        lines.append(f"Program: {program.title}.")
    lines.append(_time_line(s.start_time(program), s.minutes(program)))
    if s.speakers:
        lines.append("Narasumber: " + "; ".join(s.speakers) + ".")
    if s.sample:
        lines.append("Ini entri contoh, bukan jadwal sungguhan.")
    channels = program.channels if program is not None else tuple(ch for ch, _ in s.links)
    joins, meeting = _links(config, channels, lambda ch: s.link(ch, program))
    if s.happens:
        lines += joins
    lines.append(f"Halaman seri: {absolute(config, s.url)}")
    event.add("description", "\n\n".join(lines))
    location = meeting if s.happens else None
    if location is None and program is not None:
        location = program.place or (f"Daring: {_channels(config, program.channels)}" if program.channels else None)
    if location:
        event.add("location", location)
    event.add("url", absolute(config, s.url))
    categories = [program.title] if program is not None else []
    if s.sample:
        categories.append("Contoh")
    if categories:
        event.add("categories", categories)
    return event


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
    if ctx["whole"]:
        # X- properties have no known value type: vText escapes newlines, ',' and ';' in them.
        cal.add("x-wr-calname", icalendar.vText(f"Jadwal {config.title}"))
        cal.add("x-wr-caldesc", icalendar.vText(f"Jadwal mingguan Senin–Jumat dan seri dari {config.organisation}. Zona waktu: {config.timezone}."))
        cal.add("x-wr-timezone", config.timezone)
        refresh = icalendar.vDuration(dt.timedelta(days=1))
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", refresh)

    timed = [e["start"] for e in ctx["programs"] if e["program"].time is not None]
    timed += [e["series"].date for e in ctx["series"] if e["series"].start_time(e["program"]) is not None]
    if timed:
        first = dt.date(min(timed).year, 1, 1)
        cal.add_component(icalendar.Timezone.from_ical(_timezone_ical(config.timezone, first, dt.date(max(timed).year + 10, 1, 1))))

    for item in ctx["programs"]:
        cal.add_component(_program_event(icalendar, config, item, zone, domain, ctx["dtstamp"]))
    for item in ctx["series"]:
        cal.add_component(_series_event(icalendar, config, item, zone, domain, ctx["dtstamp"]))
    return cal.to_ical()
