"""The pages' locale: how the site writes numbers, dates and day names for its readers
(Indonesian), through Babel (CLDR data), loaded once per build. What the engine itself
prints to the person running it (problems, usage mistakes) is messages.py, its gettext
catalog."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .schema import WEEKDAYS


@lru_cache(maxsize=8)
def locale(code: str = "id") -> Locale:
    return Locale.parse(code)


def number(value: int | float, code: str = "id") -> str:
    """1529584 -> '1.529.584'."""
    if type(value) is int and value >= 0:
        group = _int_group(code)
        if group is not None:
            return f"{value:,}".replace(",", group) if value >= 1000 else str(value)
    return format_decimal(value, locale=locale(code), group_separator=True)


# Babel's format_decimal costs about 20 microseconds, and every series page shows figures
# of its own (no memo helps). A whole number not below zero in a locale whose decimal
# pattern is the usual one (#,##0.### or the like: groups of three, no prefix or suffix)
# is its digits in groups of three, joined by the locale's group symbol; tests/test_stages.py
# compares the two for every number below 20,000 and for large ones, in four locales.
@lru_cache(maxsize=8)
def _int_group(code: str) -> str | None:
    """The group symbol of the locale, when its whole numbers are grouped by threes with
    nothing around them; else None (Babel formats them)."""
    loc = locale(code)
    pattern = loc.decimal_formats.get(None)
    if (pattern is None or pattern.grouping != (3, 3) or pattern.prefix[0] or pattern.suffix[0]
            or pattern.int_prec[0] != 1 or pattern.scale or pattern.exp_prec):
        return None
    return loc.number_symbols["latn"]["group"]  # format_decimal's numbering system unless told


def decimal(value: float, digits: int = 1, code: str = "id") -> str:
    """Fixed decimals: 2.364 -> '2,4'."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=locale(code))


def percent(value: float, digits: int = 1, code: str = "id") -> str:
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(value, format=pattern, locale=locale(code))


# Formatting a date through Babel's pattern engine costs a sixteenth of a millisecond, and
# a site of thousands of series formats each date several times per build (page, share
# card, feeds), and the preview at every save. These two patterns are put together from
# the same CLDR names Babel uses (tests/test_stages.py compares them with format_date for
# every day of 2000-2040), and each date is formatted once per process.
@lru_cache(maxsize=1 << 16)
def long_date(value: dt.date, code: str = "id") -> str:
    """'Kamis, 22 Februari 2024' (CLDR pattern "EEEE, d MMMM y")."""
    return f"{weekday_name(value.weekday(), code)}, {date(value, code)}"


@lru_cache(maxsize=1 << 16)
def date(value: dt.date, code: str = "id") -> str:
    """'22 Februari 2024' (CLDR pattern "d MMMM y")."""
    return f"{value.day} {_month_names(code)[value.month]} {value.year}"


@lru_cache(maxsize=8)
def _month_names(code: str) -> dict:
    return dict(locale(code).months["format"]["wide"])


def month_year(value: dt.date, code: str = "id") -> str:
    """'Februari 2024'."""
    return format_date(value, format="LLLL y", locale=locale(code))


def month_name(month: int, code: str = "id") -> str:
    return locale(code).months["stand-alone"]["wide"][month]


def short_month_names(code: str = "id") -> list[str]:
    return [locale(code).months["stand-alone"]["abbreviated"][m] for m in range(1, 13)]


def weekday_name(index: int, code: str = "id") -> str:
    """0 = Monday -> 'Senin'."""
    return locale(code).days["format"]["wide"][index]


def weekday_index(slug: str) -> int:
    return WEEKDAYS.index(slug)
