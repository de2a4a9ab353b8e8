"""Structured data (schema.org JSON-LD) for search engines: a series as an EducationEvent,
a program as an EventSeries, the open data as a Dataset.

Only values the content states are written; a property the content lacks is left out
(no invented licence, time or address). Google's event guidelines ask for name, startDate
and location; for an online event the location is a VirtualLocation with the address
where people join: the series' own join link, else its program's, else the series page,
which is where the link is announced. Dates carry the WIB offset (+07:00); a series
without an announced time gets a date without a time, as the guidelines allow.

A sample series is not an event, and gets none: search engines would show it as one.
The templates write the result with the `json_data` filter (escaped for <script>).
"""

from __future__ import annotations

import datetime as dt

from .model import Program, Series

SCHEMA = "https://schema.org"
STATUS = {
    "terjadwal": f"{SCHEMA}/EventScheduled",
    "dibatalkan": f"{SCHEMA}/EventCancelled",
    "ditunda": f"{SCHEMA}/EventPostponed",
    "dipindah": f"{SCHEMA}/EventRescheduled",
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OFFSET = "+07:00"  # WIB
FORMATS = {"CSV": "text/csv", "JSON": "application/json", "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def when(day: dt.date, time: dt.time | None) -> str:
    """2024-02-22T09:00:00+07:00, or 2024-02-22 when the time is not known."""
    if time is None:
        return day.isoformat()
    return f"{day.isoformat()}T{time:%H:%M:%S}{OFFSET}"


def organiser(config) -> dict:
    return {"@type": "Organization", "name": config.organisation, "url": config.base_url}


def _join_url(series: Series | None, program: Program) -> str | None:
    channels = tuple(program.channels) + tuple(c for c, _ in (series.links if series else ()))
    for ch in channels:
        url = series.link(ch, program) if series else program.link(ch)
        if url:
            return url
    return None


def series_event(series: Series, program: Program, config, page: str, image: str | None) -> dict | None:
    """An EducationEvent for a series page (`page` and `image` are absolute addresses)."""
    if series.sample:
        return None
    start = series.start_time(program)
    end = series.end_time(program)
    event: dict = {
        "@context": SCHEMA,
        "@type": "EducationEvent",
        "name": series.title,
        "url": page,
        "startDate": when(series.date, start),
        "eventStatus": STATUS[series.status],
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": _join_url(series, program) or page},
        "organizer": organiser(config),
        "superEvent": {"@type": "EventSeries", "name": program.title, "url": config.base_url + program.url.lstrip("/")},
        "inLanguage": config.language,
        "isAccessibleForFree": True,
    }
    if start is not None and end is not None and end > start:
        event["endDate"] = when(series.date, end)
    if series.moved and series.previous_date:
        event["previousStartDate"] = when(series.previous_date, start)
    description = series.summary or program.summary
    if description:
        event["description"] = description
    if image:
        event["image"] = [image]
    if series.speakers:
        event["performer"] = [{"@type": "Person", "name": name} for name in series.speakers]
    return event


def program_series(program: Program, config, page: str, image: str | None) -> dict:
    """An EventSeries for a program page: its weekly schedule, as far as it is known."""
    schedule: dict = {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "byDay": f"{SCHEMA}/{DAYS[program.weekday_index]}",
        "scheduleTimezone": config.timezone,
    }
    if program.time is not None:
        schedule["startTime"] = f"{program.time:%H:%M:%S}"
        if program.end_time is not None and program.end_time > program.time:
            schedule["endTime"] = f"{program.end_time:%H:%M:%S}"
    if program.since is not None:
        schedule["startDate"] = program.since.isoformat()
    out: dict = {
        "@context": SCHEMA,
        "@type": "EventSeries",
        "name": program.title,
        "url": page,
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": _join_url(None, program) or page},
        "organizer": organiser(config),
        "eventSchedule": schedule,
        "inLanguage": config.language,
    }
    if program.since is not None:
        out["startDate"] = program.since.isoformat()
    if program.summary:
        out["description"] = program.summary
    if image:
        out["image"] = [image]
    return out


def dataset(config, page: str, name: str, description: str, files, abs_url, coverage=None) -> dict:
    """A Dataset for /data/: its files as DataDownloads. No licence is stated by the
    content, so none is written; the coverage is the span of the dates in the data."""
    out: dict = {
        "@context": SCHEMA,
        "@type": "Dataset",
        "name": name,
        "description": description,
        "url": page,
        "creator": organiser(config),
        "publisher": organiser(config),
        "inLanguage": config.language,
        "isAccessibleForFree": True,
        "distribution": [
            {"@type": "DataDownload", "name": f["url"].rsplit("/", 1)[-1], "encodingFormat": FORMATS.get(f["format"], f["format"]),
             "contentUrl": abs_url(f["url"]), "description": f["description"]}
            for f in files
        ],
    }
    if coverage and coverage[0] and coverage[1]:
        out["temporalCoverage"] = f"{coverage[0].isoformat()}/{coverage[1].isoformat()}"
    return out
