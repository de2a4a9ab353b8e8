"""Helpers shared by the data outputs beside the pages (feeds.py: Atom feed, sitemap.xml,
robots.txt; calendar.py: iCalendar; opendata.py: open data). They are planned in
planners.py.

Everything written here is a function of the model and the reports: no wall clock, no
environment, so two builds of the same sources give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from . import localeformat
from .config import Config

# Characters XML 1.0 cannot carry at all (even escaped); they are dropped from feed text.
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

SAMPLE_PREFIX = "Contoh: "
SERIES_CALENDAR = "acara.ics"  # beside a series page: /seri/<slug>/acara.ics (calendar.py)
KEEP_PAST = dt.timedelta(days=365)  # how far back jadwal.ics keeps series


def absolute(config: Config, path: str) -> str:
    """Site path -> absolute URL under the base URL (https://host/repo/seri/x/)."""
    return config.base_url + str(path).lstrip("/")


def host(config: Config) -> str:
    return (urlsplit(config.base_url).hostname or "localhost").lower()


def xml_text(value: str) -> str:
    """Text safe for an XML 1.0 document (escaping itself is left to the serializer)."""
    return _XML_INVALID.sub("", value)


def public_series(site) -> tuple:
    """Series that appear in data outputs: never drafts, even in a --drafts preview."""
    return tuple(s for s in site.series if not s.draft)


def display_title(series) -> str:
    """A sample's title always says so: 'Contoh: ...' (added only when missing)."""
    if series.sample and not series.title.lower().startswith(SAMPLE_PREFIX.strip().lower()):
        return SAMPLE_PREFIX + series.title
    return series.title


def midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


# What a series' status is called where it is shown (the field values are in schema.py).
STATUS_WORDS = {"terjadwal": "Terjadwal", "dibatalkan": "Dibatalkan", "ditunda": "Ditunda", "dipindah": "Dipindah"}


def status_title(series) -> str:
    """The display title, led by its status when it is not as planned: "[Dibatalkan] ..."."""
    title = display_title(series)
    if series.status == "terjadwal":
        return title
    return f"[{STATUS_WORDS[series.status]}] {title}"


def session_line(series, config) -> str:
    """"Kamis, 11 Januari 2024, pukul 09.00 WIB." (no time: the day only)."""
    day = localeformat.long_date(series.date, config.language)
    return f"{day}, pukul {series.time:%H.%M} WIB." if series.time else f"{day}."


def status_line(series, config) -> str:
    """One sentence on a status that is not as planned; "" otherwise."""
    if series.cancelled:
        return "Sesi ini dibatalkan."
    if series.postponed:
        return f"Sesi ini ditunda dari {localeformat.long_date(series.date, config.language)}; tanggal barunya menyusul."
    if series.moved and series.previous_date is not None:
        return f"Sesi ini dipindah dari {localeformat.long_date(series.previous_date, config.language)}."
    return ""


def series_calendar_url(series) -> str:
    return f"{series.url}{SERIES_CALENDAR}"


def in_calendar(site, series) -> bool:
    """Whether a series is in jadwal.ics and has its own acara.ics (calendar.py): not a
    draft, dated at most a year before `today`."""
    return not series.draft and series.date >= site.today - KEEP_PAST
