"""An export's bytes as rows of cells, each row with the line it starts on.

Exports reach us as the platform wrote them or as a spreadsheet program saved them again:
UTF-8 with or without a byte order mark, UTF-16 (Excel's "Unicode text"), CRLF line
ends, `;` instead of `,` (spreadsheets in a locale whose decimal mark is a comma), cells
padded with trailing empty columns. All of that is undone here, so that the readers in
zoom.py and youtube.py see one shape. A zip (YouTube Studio's download) is opened here
too. Anything that is not text is refused with the line where it stops being text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import NamedTuple

from ..messages import _

MAX_EXPORT_BYTES = 256 << 20  # a 50,000-row participant report is about 6 MiB
MAX_ZIP_MEMBER_BYTES = 256 << 20


class ExportError(Exception):
    """A problem with an export: the line (1-based) and the message."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class Row(NamedTuple):
    line: int  # the line the row starts on
    cells: tuple  # stripped cells (in Unicode form NFC), trailing empty cells removed
    width: int  # how many cells the row had before trailing empty ones were removed


@dataclass(frozen=True)
class Table:
    """A decoded export: its rows (blank ones kept, as empty rows, so that sections
    separated by blank lines can be told apart) and how it was written."""

    rows: tuple
    encoding: str
    delimiter: str


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"


def decode(data: bytes) -> tuple[str, str]:
    """(text with line ends as written, encoding name); ExportError when it is not text."""
    if not data.strip():
        raise ExportError(1, _("the file is empty (expected the platform's export: a header row, then rows)"))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExportError(_line_of_byte(data, exc.start, 2), _("not valid UTF-16 text at byte {offset} (save the export again as CSV)").format(offset=exc.start)) from None
    elif _looks_utf16le(data):
        encoding = "utf-16-le"
        try:
            text = data.decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise ExportError(_line_of_byte(data, exc.start, 2), _("not valid UTF-16 text at byte {offset} (save the export again as CSV)").format(offset=exc.start)) from None
    else:
        encoding = "utf-8"
        control = _CONTROL_BYTES.search(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if control is not None and control.start() < exc.start:
                text = data[: control.start() + 1].decode("utf-8", "replace")
                raise ExportError(text.count("\n") + 1, _("not text: control character {char} (expected a CSV export as the platform gives it, not a binary file)").format(char=repr(text[-1])))
            raise ExportError(
                _line_of_byte(data, exc.start, 1),
                _("not text: byte {byte} cannot be read as UTF-8 or UTF-16 (expected a CSV export as the platform gives it)").format(byte=f"0x{data[exc.start]:02x}"),
            ) from None
        if text.startswith("\ufeff"):
            encoding = "utf-8-sig"
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ExportError(line, _("not text: control character {char} (expected a CSV export as the platform gives it, not a binary file)").format(char=repr(bad.group())))
    return text, encoding


# NUL and the other C0 controls never appear in a CSV export; tab, CR and LF do.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_utf16le(data: bytes) -> bool:
    """UTF-16 without a byte order mark: every second byte of ASCII text is zero."""
    head = data[:400]
    return len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0


def _line_of_byte(data: bytes, offset: int, width: int) -> int:
    return data[:offset].count(b"\n" if width == 1 else b"\n\x00") + 1


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or a tab: the one that splits the first lines into the most cells."""
    head = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(r) for r in csv.reader(head, delimiter=delimiter)]
        except csv.Error:
            continue
        score = max(widths) if widths else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    previous_end = 0
    make = Row._make
    try:
        nfc, strip, isascii = unicodedata.normalize, str.strip, str.isascii
        ascii_only = text.isascii()  # then no cell needs the Unicode form: one test, not one a cell
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            width = len(cells)
            cleaned = list(map(strip, cells))
            if not ascii_only and not all(map(isascii, cleaned)):
                cleaned = [nfc("NFC", c) for c in cleaned]
            while cleaned and not cleaned[-1]:
                cleaned.pop()
            rows.append(make((start, tuple(cleaned), width)))
    except csv.Error as exc:
        line = previous_end + 1
        if "end of data" in str(exc) or "EOF" in str(exc):
            raise ExportError(line, _("the file ends inside a quoted cell: it is truncated (expected a closing '\"'; download the export again)")) from None
        raise ExportError(line, _("not a readable CSV row: {reason}").format(reason=str(exc))) from None
    return Table(tuple(rows), encoding, delimiter)


def header_key(label: str) -> str:
    """A header label compared without case, spacing or punctuation differences."""
    text = unicodedata.normalize("NFKC", label).casefold().strip().lstrip("\ufeff")
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    date: tuple  # the zip entry's date_time: (year, month, day, hour, minute, second)


def zip_members(data: bytes) -> list[Member]:
    """The CSV files inside a zip, in the zip's order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExportError(1, _("not a readable zip archive: it may be truncated (download the export again)")) from None
    out = []
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                raise ExportError(1, _("{name} in the zip is too large ({size} bytes)").format(name=info.filename, size=info.file_size))
            try:
                with archive.open(info) as fh:
                    body = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                raise ExportError(1, _("{name} in the zip cannot be read: the archive is damaged or truncated").format(name=info.filename)) from None
            out.append(Member(info.filename, body, info.date_time))
    return out
