"""Reading an uploaded spreadsheet, CSV or XLSX, into a header and rows of cell values.

The kind of file is told by its content, never by its name: an XLSX file is a ZIP archive with
`[Content_Types].xml` and an `xl/` folder; anything else must be text (UTF-8, with or without a
BOM, or Windows-1252 as older Excel writes it) separated by commas or semicolons.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tracker.exports import FORMULA_PREFIXES
from tracker.i18n import format_number

NOT_A_TABLE = _l(
    "The file is not a CSV or XLSX file. Save it from Excel as CSV or as Excel workbook."
)
# A ZIP whose members unpack to more than this is refused before openpyxl reads it.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
# Rows read at most, blank ones included, whatever the limit of rows with data.
BLANK_ROWS_FACTOR = 5
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")

Cell = str | int | float | date | None


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row as numbered in Excel, column) and why."""

    row: int | None
    column: str | None
    message: str
    letter: str | None = None

    def __str__(self) -> str:
        place = []
        if self.row is not None:
            place.append(f"Row {self.row}")
        if self.column:
            place.append(f"{self.column} (column {self.letter})" if self.letter else self.column)
        return f"{', '.join(place)}: {self.message}" if place else self.message


@dataclass
class SheetRow:
    """One data row: its number as Excel shows it (the header is row 1) and its non-empty cells."""

    number: int
    cells: dict[str, Cell]


@dataclass
class Sheet:
    """The rows of a file under its header, column names lower-cased."""

    columns: list[str]
    letters: dict[str, str]
    rows: list[SheetRow] = field(default_factory=list)
    description: str = ""

    def problem(self, row: int | None, column: str | None, message: str) -> Problem:
        return Problem(row, column, message, self.letters.get(column or ""))


def read_sheet(
    data: bytes, *, allowed: Sequence[str], required: Sequence[str], max_rows: int
) -> tuple[Sheet | None, list[Problem]]:
    """The file's rows, or None and the problems of its header (unknown or missing columns).

    Raises FileRefused when the file is not a table at all, or has more than `max_rows` rows.
    """
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(_ZIP_SIGNATURE):
        raw_rows, description = _xlsx_rows(data), _("Excel workbook (first sheet)")
    elif data.startswith(_OLE2_SIGNATURE):
        raise FileRefused(
            _(
                "This is an old Excel 97–2003 (.xls) file: open it in Excel and save it as "
                "Excel workbook (.xlsx) or CSV."
            )
        )
    else:
        text, encoding = _decode(data)
        delimiter = _delimiter(text)
        raw_rows = _csv_rows(text, delimiter)
        if delimiter == ";":
            description = _("CSV, %(encoding)s, separated by semicolons", encoding=encoding)
        else:
            description = _("CSV, %(encoding)s, separated by commas", encoding=encoding)
    try:
        header = next(raw_rows)
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    columns, letters, problems = _header(header, allowed, required)
    if problems:
        return None, problems
    sheet = Sheet(columns=[c for c in columns if c], letters=letters, description=description)
    limit = max_rows * BLANK_ROWS_FACTOR + 1
    for number, raw in enumerate(raw_rows, start=2):
        if number > limit:
            raise FileRefused(_too_many(max_rows))
        cells = _cells(raw, columns)
        if cells is None:
            continue  # a blank row: Excel often keeps a few at the end
        if isinstance(cells, Problem):
            problems.append(Problem(number, None, cells.message))
            continue
        sheet.rows.append(SheetRow(number, cells))
        if len(sheet.rows) > max_rows:
            raise FileRefused(_too_many(max_rows))
    if not sheet.rows and not problems:
        raise FileRefused(_("The file has a header row but no rows below it."))
    return sheet, problems


def _too_many(max_rows: int) -> str:
    return _(
        "The file has more than %(limit)s rows; split it into files of at most that many.",
        limit=format_number(max_rows),
    )


def _header(
    header: Sequence[Any], allowed: Sequence[str], required: Sequence[str]
) -> tuple[list[str | None], dict[str, str], list[Problem]]:
    """Column names by position (None for an unnamed, empty column), their letters, problems."""
    columns: list[str | None] = []
    letters: dict[str, str] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(header, start=1):
        letter = get_column_letter(index)
        text = "" if raw is None else str(raw).strip().lstrip("\ufeff")
        name = _HEADER_SEPARATORS.sub("_", text.lower())
        if not name:
            columns.append(None)
            continue
        if name in letters:
            problems.append(
                Problem(
                    1,
                    name,
                    _("The column appears twice (also column %(letter)s).", letter=letters[name]),
                    letter,
                )
            )
        elif name not in allowed:
            problems.append(
                Problem(
                    1,
                    text,
                    _(
                        "Unknown column; the accepted columns are %(columns)s.",
                        columns=", ".join(allowed),
                    ),
                    letter,
                )
            )
        letters.setdefault(name, letter)
        columns.append(name if name in allowed else None)
    for name in required:
        if name not in letters:
            problems.append(Problem(1, name, _("This required column is missing.")))
    return columns, letters, problems


def _cells(raw: Sequence[Any], columns: list[str | None]) -> dict[str, Cell] | Problem | None:
    """The row's non-empty cells by column name; None for a blank row."""
    cells: dict[str, Cell] = {}
    for index, value in enumerate(raw):
        value = _clean(value)
        if value is None:
            continue
        if index >= len(columns) or columns[index] is None:
            return Problem(
                None,
                None,
                _(
                    "Column %(letter)s holds %(value)s but has no name in the header row.",
                    letter=get_column_letter(index + 1),
                    value=repr(str(value)[:40]),
                ),
            )
        cells[columns[index]] = value  # type: ignore[index]
    return cells or None


def _clean(value: Any) -> Cell:
    """A cell's value: text stripped (None when empty), whole floats as integers, dates as dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFC", str(value)).strip()
    # Our own exports put an apostrophe before what a spreadsheet would run as a formula.
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text or None


# CSV


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            _(
                "The file is saved as Unicode text (UTF-16): save it from Excel as "
                "CSV UTF-8 (comma delimited) instead."
            )
        )
    if b"\x00" in data[:65536]:
        raise FileRefused(str(NOT_A_TABLE))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked_text(data[len(codecs.BOM_UTF8) :].decode("utf-8")), "UTF-8"
        except UnicodeDecodeError as error:
            raise FileRefused(
                _(
                    "The file says it is UTF-8 but byte %(byte)d is not: "
                    "save it again as CSV UTF-8.",
                    byte=error.start + 3,
                )
            ) from None
    try:
        return _checked_text(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return _checked_text(data.decode("cp1252")), "Windows-1252"
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is neither UTF-8 nor Windows-1252 text: save it from Excel as "
                "CSV UTF-8 (comma delimited)."
            )
        ) from None


def _checked_text(text: str) -> str:
    """`text` if it reads as a table; binary files decode too, but hold control characters."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls:
        raise FileRefused(str(NOT_A_TABLE))
    return text


def _delimiter(text: str) -> str:
    """`,` or `;`, whichever the header line holds more of (outside quotes)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    if unquoted.count("\t") > max(unquoted.count(","), unquoted.count(";")):
        raise FileRefused(
            _(
                "The file is separated by tabs: save it from Excel as CSV (separated by commas "
                "or semicolons)."
            )
        )
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise FileRefused(
            _(
                "The file cannot be read as CSV near line %(line)d: %(error)s.",
                line=reader.line_num,
                error=error,
            )
        ) from None


# XLSX


def _xlsx_rows(data: bytes) -> Iterator[Sequence[Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise FileRefused(str(NOT_A_TABLE)) from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(str(NOT_A_TABLE))
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("The workbook is too large once unpacked; split it into smaller files.")
        )
    try:
        with warnings.catch_warnings():
            # Files from other tools make openpyxl warn about styles it does not know.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise FileRefused(
            _(
                "The Excel workbook cannot be read; it may be damaged. "
                "Open it in Excel and save it again, or save it as CSV."
            )
        ) from None
    return _sheet_rows(workbook)


def _sheet_rows(workbook: Any) -> Iterator[Sequence[Any]]:
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield from _values(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _values(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    try:
        yield from rows
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise FileRefused(
            _(
                "The Excel workbook cannot be read; it may be damaged. "
                "Open it in Excel and save it again, or save it as CSV."
            )
        ) from None
