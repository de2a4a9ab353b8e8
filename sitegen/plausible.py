"""Valid but wrong: series that pass every field check yet are plainly not what the editor
meant. Each is a warning (`--strict`, as CI runs `check`, makes it fatal) that says what to
do, at the line to change:

- the placeholder text `build.py new` writes (the body, the summary hint, the example
  speaker and addresses) left in a published series;
- a date that is not one of its program's days (a Thursday program on a Friday);
- a reach figure for a series that has not happened yet, or a recording (`video`) of one;
- a start time at night (01:00 typed for 13:00);
- two series of one program with the same title on the same day (a file copied and not
  changed).

These need the program, the other series and the build's today, so they run after every
source is loaded (and are not kept in the cache with each file's own problems).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from types import MappingProxyType

from .messages import _
from .problems import Problems
from .schema import SERIES_FIELDS, WEEKDAYS

# Start times an editor may plausibly mean (WIB): a webinar at 01:00 is a typo for 13:00.
EARLIEST = dt.time(6, 0)
LATEST = dt.time(22, 0)


# What `build.py new` writes into a new series as placeholders (scaffold.py writes them).
BODY_PLACEHOLDER = """\
Tulis uraian seri di sini: tema yang dibahas, tujuan, dan apa yang bisa dipetik peserta.
Paragraf dipisahkan dengan satu baris kosong.

- Poin pertama yang dibahas
- Poin kedua yang dibahas
"""
SUMMARY_PLACEHOLDER = "Ringkasan satu kalimat tentang seri ini."


@lru_cache(maxsize=1)
def placeholders() -> dict:
    """field -> the texts `new` writes as placeholders or offers as hints for that field
    ("body": the lines of the body): what `check` warns about when a published series
    still holds them. Defined here, where they are checked; `build.py new` (scaffold.py)
    writes the same texts."""
    body = []
    for line in BODY_PLACEHOLDER.splitlines():
        line = line.strip().lstrip("-").strip()
        if line:
            body.append(line)
    out: dict = {"body": tuple(body), "summary": (SUMMARY_PLACEHOLDER,)}
    for f in SERIES_FIELDS:
        if f.name in ("speakers",) and isinstance(f.example, list):
            out[f.name] = tuple(f.example)
        elif isinstance(f.example, str) and f.example.endswith("..."):
            out[f.name] = (f.example,)
        elif isinstance(f.example, dict):
            urls = tuple(v for v in f.example.values() if isinstance(v, str) and v.endswith("..."))
            if urls:
                out[f.name] = urls
    return MappingProxyType(out)  # made once, shared: read-only



def _placeholder_lines(doc, texts: tuple) -> list[int]:
    """Lines of the body (numbered as in the file) that still hold a placeholder text."""
    body = doc.body
    if not any(t in body for t in texts):
        return []  # the usual case, found at C speed: no placeholder anywhere in the text
    found = []
    for i, line in enumerate(body.split("\n")):
        text = line.strip().lstrip("-*").strip()
        if text and any(text == t for t in texts):
            found.append(doc.body_line + i)
    return found


def check_placeholders(doc, rec: dict, problems: Problems) -> None:
    """The scaffold's placeholders left in a published series (run on each parsed file,
    where its body is at hand)."""
    if rec.get("draft"):
        return  # not published: the editor is still writing it
    marks = placeholders()
    lines = _placeholder_lines(doc, marks["body"])
    if lines:
        problems.warning(doc.path, lines[0], _("the text still holds the placeholder that build.py new wrote ({count} lines, "
                                               "from line {line}): write the series' own description in its place").format(
            count=len(lines), line=lines[0]))
    for field, texts in marks.items():
        if field == "body" or rec.get(field) is None:
            continue
        value = rec[field]
        values = [v for _k, v in value] if field == "links" else (list(value) if isinstance(value, tuple) else [value])
        found = [v for v in values if v in texts]
        if found:
            problems.warning(doc.path, doc.line(field), _("field '{field}' still holds the example that build.py new offered "
                                                          "({value}): put in the real value, or delete the line").format(
                field=field, value=found[0]))


def check_series(records: dict, today: dt.date, problems: Problems) -> None:
    programs = {rec["slug"]: rec for _doc, rec in records["program"]}
    seen: dict = {}
    for doc, rec in records["series"]:
        if rec.get("draft"):
            continue  # not published: the editor is still writing it
        path = doc.path
        # The program's days.
        program = programs.get(rec["program"])
        if program is not None:
            days = tuple(program["weekday"])
            day = WEEKDAYS[rec["date"].weekday()]
            if day not in days:
                problems.warning(path, doc.line("date"), _("field 'date': {date} is a {day}, but {program} runs on {days}: "
                                                           "check the date (or the program's 'weekday')").format(
                    date=rec["date"].isoformat(), day=day, program=rec["program"], days=", ".join(days)))
        # What cannot be known before the day.
        if rec["date"] > today:
            if rec.get("reach"):
                problems.warning(path, doc.line("reach"), _("field 'reach': the series is on {date}, after today ({today}); "
                                                            "reach can only be counted once it has taken place: remove 'reach' "
                                                            "until then, or check the date").format(
                    date=rec["date"].isoformat(), today=today.isoformat()))
            if rec.get("video"):
                problems.warning(path, doc.line("video"), _("field 'video': the series is on {date}, after today ({today}); "
                                                            "a recording cannot exist yet: remove 'video' until then, or check "
                                                            "the date").format(date=rec["date"].isoformat(), today=today.isoformat()))
        # A night-time start.
        start = rec.get("time")
        if start is not None and not EARLIEST <= start <= LATEST:
            problems.warning(path, doc.line("time"), _("field 'time': {time} WIB is outside working hours ({first} to {last}); "
                                                       "times are written on the 24-hour clock, for example \"13:00\" for one "
                                                       "in the afternoon").format(
                time=start.strftime("%H:%M"), first=EARLIEST.strftime("%H:%M"), last=LATEST.strftime("%H:%M")))
        # A copy left unchanged.
        key = (rec["program"], rec["date"], " ".join(rec["title"].casefold().split()))
        if key in seen:
            problems.warning(path, doc.line("title"), _("{other} has the same program, date and title: if this file is a "
                                                        "copy, change it or delete one of them").format(other=seen[key]))
        else:
            seen[key] = path
