"""Reading an uploaded CSV or XLSX file into a table of strings, within fixed bounds.

The file comes from a user, so it is bounded before and while it is parsed: its size, what
an XLSX unpacks to, the rows, the columns, the length of a cell and the time spent. The
XLSX's declared dimension is not trusted (a 1.6 KB file that declares A1:XFD1048576 made
openpyxl pad 1,048,575 rows of 16,384 cells each, until the memory ran out); rows are
taken as the sheet's XML holds them. Whatever a parser raises on a broken or hostile file
(zipfile, zlib, expat, openpyxl, csv) becomes one `ImportFileError` with a translated
message, never a server error.

Billion laughs in the XML: openpyxl parses with the standard library's expat unless
defusedxml is installed; expat 2.4.1 and newer (this Python has 2.5.0) refuses entity
expansion past its amplification limit, and external entities are never fetched, so
defusedxml is not added. The expat error this raises is caught like any other.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
"""An upload or a file given to the command; the form refuses larger ones first."""
MAX_ROWS = 20_000
"""Data rows per file (the header not counted): what one check can go through."""
MAX_SHEET_ROWS = 1_048_576
"""Rows counted with the empty ones (a spreadsheet's own limit): empty rows cost nothing
to skip, but a sheet whose XML numbers a row 10**9 must not be walked up to it."""
MAX_COLUMNS = 50
"""Columns read; the widest kind has 18, the rest are room for columns that are ignored.
A value further right is refused rather than silently dropped."""
MAX_CELL_CHARS = 131_072
"""Characters per cell: Python csv's own limit, above the longest text any column takes
(an activity's notes, 100,000: imports/tests/test_hostile_files.py holds them to it), so a
value over its column's limit is refused by that column's form, with the field's message,
and this bound only stops what no column could take. An Excel cell holds 32,767."""
XLSX_MAX_UNPACKED_BYTES = 50 * MB
"""The sum of the declared sizes of an XLSX's members. zipfile never unpacks a member past
its declared size (it stops and fails the CRC), so the sum bounds what parsing can read.
A 20,000 row file of the 18 activity columns, as openpyxl writes it, is 1.3 MB packed,
22.7 MB unpacked and read in 4.9 s; 257 MB packed in 0.9 MB kept a worker for more than
45 s and is now refused from the zip's directory in 0.06 s."""
XLSX_MAX_RATIO = 100
"""Unpacked / packed size of one member; spreadsheet XML packs 5-30 times (the file above
18 times), a bomb (2 MB unpacking to 630 MB) over 300 times. Members under
XLSX_RATIO_FROM_BYTES are exempt: a few kilobytes of repeated styles pack well and cost
nothing."""
XLSX_RATIO_FROM_BYTES = 1 * MB
MAX_READ_SECONDS = 10.0
"""Time to read a file, twice what the largest ordinary file takes and well within
gunicorn's 30 s timeout (the rows' checks follow). The other bounds should stop a file
first; this one holds for what they do not foresee."""
_DEADLINE_EVERY = 256  # rows between looks at the clock


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, bounds, missing columns)."""


def table_read(*, content: bytes, filename: str) -> list[list[str]]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) file as lists
    of stripped strings, at most MAX_COLUMNS wide; an empty row is an empty list (it keeps
    its number), trailing empty rows are dropped."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(file_too_large_message())
    deadline = time.monotonic() + MAX_READ_SECONDS
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_table(content, deadline)
    if name.endswith(".csv"):
        return _bounded(_csv_records(content), deadline)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def file_too_large_message() -> str:
    return _("The file is larger than %(max)d MB.") % {"max": MAX_FILE_BYTES // MB}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column(index: int) -> str:
    """A column's spreadsheet letter (0 is A), how the user finds it in the file."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _bounded(records: Iterable[Sequence], deadline: float) -> list[list[str]]:
    """The table of `records` (the raw rows of either format), refused past a bound."""
    table: list[list[str]] = []
    empty_run = 0  # empty rows not yet kept: kept only if a row with values follows
    for number, values in enumerate(records, start=1):
        if number % _DEADLINE_EVERY == 0 and time.monotonic() > deadline:
            raise ImportFileError(
                _("Reading the file took longer than %(max)d seconds; split it into smaller files.")
                % {"max": MAX_READ_SECONDS}
            )
        if number > MAX_SHEET_ROWS:
            raise ImportFileError(_too_many_rows())
        cells = [_cell(v) for v in values[:MAX_COLUMNS]]
        if any(_cell(v) for v in values[MAX_COLUMNS:]):
            raise ImportFileError(
                _("Row %(row)d has values past column %(column)s: at most %(max)d columns.")
                % {"row": number, "column": _column(MAX_COLUMNS - 1), "max": MAX_COLUMNS}
            )
        if not any(cells):
            empty_run += 1
            continue
        if number > MAX_ROWS + 1:
            raise ImportFileError(_too_many_rows())
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                raise ImportFileError(
                    _(
                        "Row %(row)d, column %(column)s: the cell has %(length)d characters, "
                        "at most %(max)d."
                    )
                    % {
                        "row": number,
                        "column": _column(index),
                        "length": len(cell),
                        "max": MAX_CELL_CHARS,
                    }
                )
        table.extend([] for _ in range(empty_run))
        empty_run = 0
        table.append(cells)
    return table


def _too_many_rows() -> str:
    return _("At most %(max)d rows per file.") % {"max": MAX_ROWS}


# --- CSV ------------------------------------------------------------------------------


def _csv_records(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Save the CSV file as UTF-8.")) from None
    if "\x00" in text:  # csv refuses it anyway; a UTF-16 file read as UTF-8 is full of them
        raise ImportFileError(_("The file contains NUL characters: save the CSV file as UTF-8."))
    first = re.match(r"[^\r\n]*", text).group()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="" lets csv see \r, \n and \r\n alike, also mixed, and newlines in quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    done = 0
    try:
        for record in reader:
            done += 1
            yield record
    except csv.Error as exc:
        row = done + 1
        if "field larger than field limit" in str(exc):
            message = _("Row %(row)d: a cell is longer than %(max)d characters.") % {
                "row": row,
                "max": MAX_CELL_CHARS,
            }
        else:
            message = _("Row %(row)d cannot be read as CSV (%(error)s).") % {
                "row": row,
                "error": exc,
            }
        raise ImportFileError(message) from None


# --- XLSX -----------------------------------------------------------------------------


def _xlsx_unreadable() -> ImportFileError:
    return ImportFileError(_("This is not a readable XLSX file."))


def _xlsx_sizes_checked(content: bytes) -> None:
    """Refuses, from the zip's directory alone, an XLSX that unpacks to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _xlsx_unreadable() from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The XLSX file unpacks to %(size)s, at most %(max)s.")
            % {"size": filesizeformat(unpacked), "max": filesizeformat(XLSX_MAX_UNPACKED_BYTES)}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= XLSX_RATIO_FROM_BYTES and ratio > XLSX_MAX_RATIO:
            raise ImportFileError(
                _(
                    "The XLSX file is packed %(ratio)d times (%(member)s), at most %(max)d "
                    "times: it is not an ordinary spreadsheet."
                )
                % {"ratio": ratio, "member": member.filename, "max": XLSX_MAX_RATIO}
            )


def _xlsx_table(content: bytes, deadline: float) -> list[list[str]]:
    from openpyxl import load_workbook

    _xlsx_sizes_checked(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # The declared dimension is not trusted: without it openpyxl yields each row
            # as wide as its last cell and pads only the gaps between rows it has.
            sheet.reset_dimensions()
            return _bounded(sheet.iter_rows(values_only=True), deadline)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception:  # whatever zipfile, zlib, expat or openpyxl raise on a bad file
        logger.info("An unreadable XLSX file was refused.", exc_info=True)
        raise _xlsx_unreadable() from None
