"""The open data as one Excel workbook (/data/data-terbuka.xlsx), for people who open files
by double-click.

Why a workbook beside the CSVs: Excel on Windows splits a double-clicked CSV on the list
separator of the regional settings, and with Indonesian settings that is a semicolon, so a
comma CSV lands in one column. No CSV dialect opens right in every locale; an .xlsx does,
with its cells already typed: numbers as numbers, dates as dates (shown YYYY-MM-DD), start
times as times, true/false as Excel booleans, text as text (never run as a formula, so it
is written unchanged, without the CSVs' protective apostrophe).

One sheet per CSV table of the /data/ page (same columns, same rows, same order: the
records come from opendata.py), and a "keterangan" sheet with every column's type and
meaning, from the same declarations as the CSVs' schemas.

Written with XlsxWriter (requirements.txt). Byte-identical across builds: the document's
created and modified dates are a fixed moment (XlsxWriter would write the time of the build
otherwise), and XlsxWriter dates every zip entry 1980-01-01 when it writes in memory.
"""

from __future__ import annotations

import datetime as dt
import io

from .routes import Route

WORKBOOK_URL = "/data/data-terbuka.xlsx"
# Not the time of any build: the file is made from the data alone, so it carries no moment
# of its own. The zip entries inside carry the same date.
FIXED_MOMENT = dt.datetime(1980, 1, 1)
MAX_WIDTH = 60  # characters; longer texts wrap into the cell's width only when edited


def _cell_value(column, value):
    """A record's value as the Python value XlsxWriter writes with the column's type."""
    if value is None or value == "":
        return None
    if column.type == "date":
        return dt.date.fromisoformat(value)
    if column.type == "time":
        return dt.time.fromisoformat(value)
    return value


def _width(column, values) -> int:
    longest = max([len(column.name)] + [len(str(v)) for v in values if v is not None])
    return min(MAX_WIDTH, longest + 2)


def workbook_bytes(title: str, author: str, tables) -> bytes:
    """tables: (sheet name, columns, records) in sheet order."""
    buf = io.BytesIO()
    book = _filled(buf, title, author, tables)
    book.close()
    return buf.getvalue()


def check_workbook(title: str, author: str, tables) -> None:
    """What `check` runs instead of workbook_bytes: every cell is written as a build writes
    it (XlsxWriter raises on a value of the wrong type for its cell there), but the sheets'
    XML and the zip are not made. Of what `close` does, only encoding the text as UTF-8
    can fail on this workbook's data (no chart, table, theme or file: its other checks
    cannot fire), so the texts are encoded here, raising the same error."""
    book = _filled(io.BytesIO(), title, author, tables)
    for text in book.str_table.string_table:
        text.encode("utf-8")
    for text in [title, author] + [sheet.name for sheet in book.worksheets()]:
        text.encode("utf-8")


def _filled(buf, title: str, author: str, tables):
    """The workbook with every sheet and cell written, not yet closed."""
    import xlsxwriter  # here, not at the top: a rebuild that keeps the workbook never loads it (0.1 to 0.3 s)

    book = xlsxwriter.Workbook(buf, {
        "in_memory": True,
        # Text stays text: no guessing numbers, formulas or links from it.
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    book.set_properties({"title": title, "author": author, "created": FIXED_MOMENT})
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    time = book.add_format({"num_format": "hh:mm"})
    for name, columns, records in tables:
        sheet = book.add_worksheet(name)
        for c, column in enumerate(columns):
            sheet.write_string(0, c, column.name, bold)
        for r, rec in enumerate(records, 1):
            for c, column in enumerate(columns):
                value = _cell_value(column, rec[column.name])
                if value is None:
                    continue
                if column.type == "date":
                    sheet.write_datetime(r, c, value, date)
                elif column.type == "time":
                    sheet.write_datetime(r, c, value, time)
                elif column.type == "boolean":
                    sheet.write_boolean(r, c, value)
                elif column.type in ("integer", "number"):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        for c, column in enumerate(columns):
            fmt_width = 11 if column.type == "date" else None
            sheet.set_column(c, c, fmt_width or _width(column, [rec[column.name] for rec in records]))
        sheet.freeze_panes(1, 0)
        if records:
            sheet.autofilter(0, 0, len(records), len(columns) - 1)
    about = book.add_worksheet("keterangan")
    about.write_row(0, 0, ["lembar", "kolom", "jenis", "arti"], bold)
    row = 1
    for name, columns, _records in tables:
        for column in columns:
            about.write_row(row, 0, [name, column.name, column.type, column.doc])
            row += 1
    about.set_column(0, 1, 18)
    about.set_column(2, 2, 9)
    about.set_column(3, 3, 100)
    about.freeze_panes(1, 0)
    return book


def render_workbook(globals_: dict, ctx: dict) -> bytes:
    return workbook_bytes(ctx["title"], ctx["author"], ctx["tables"])


def checked_workbook(globals_: dict, ctx: dict) -> None:
    check_workbook(ctx["title"], ctx["author"], ctx["tables"])


def workbook_route(title: str, author: str, tables) -> Route:
    return Route(WORKBOOK_URL, None, {"title": title, "author": author, "tables": tuple(tables)},
                 producer=render_workbook, checker=checked_workbook, sitemap=False)
