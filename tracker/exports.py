"""Tables written as CSV or XLSX downloads, safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and a tab or a
carriage return lets one slip past a check), so a company named `=HYPERLINK(...)` could make a
manager's Excel fetch a URL. Every text cell is neutralised first: it gets a leading apostrophe,
as OWASP recommends ("CSV injection"). Numbers, dates and amounts are written as values.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.dates import AGENCY_TZ

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 60
# Rows read to size the columns of an XLSX export.
WIDTH_SAMPLE = 2_000
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | Decimal | date | datetime | bool | None


def neutralise(value: Any) -> Any:
    """`value` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return neutralise(value)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """A download of `rows` under `header` as CSV: UTF-8 with a BOM (Excel reads the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    data = buffer.getvalue().encode("utf-8-sig")
    return _download(data, filename, CSV_MIMETYPE)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        # Control characters are not allowed in the file format; they carry nothing readable.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime) and value.tzinfo is not None:
        # The file format has no time zones: write the agency's local time.
        return value.astimezone(AGENCY_TZ).replace(tzinfo=None)
    return value


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value))


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """A download of `rows` under `header` as an Excel workbook: one sheet, a bold header row,
    columns as wide as their content, dates as dates and amounts as numbers.

    The workbook is written in openpyxl's write-only mode, row by row, so that a large export
    (hundreds of thousands of rows) does not hold a cell object per value in memory. Column
    widths are taken from the header and the first WIDTH_SAMPLE rows.
    """
    values = [[_xlsx_value(raw) for raw in row] for row in rows]
    widths = [_display_width(name) for name in header]
    for row in values[:WIDTH_SAMPLE]:
        for column, value in enumerate(row):
            if column >= len(widths):
                widths.append(0)
            widths[column] = max(widths[column], _display_width(value))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(filename))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.append([_styled(sheet, _xlsx_value(name), bold=True) for name in header])
    for row in values:
        sheet.append([_styled(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _download(buffer.getvalue(), filename, XLSX_MIMETYPE)


def _styled(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    """A value as the write-only sheet takes it: a styled cell where it needs a format."""
    number_format = None
    if isinstance(value, datetime):
        number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        number_format = "#,##0.00"
    if not bold and number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def table_response(
    fmt: str, basename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> Response:
    """`basename.csv` or `basename.xlsx` as `fmt` ("csv" or "xlsx") asks."""
    if fmt not in FORMATS:
        raise ValueError(f"Format must be one of: {', '.join(FORMATS)}")
    write = csv_response if fmt == "csv" else xlsx_response
    return write(f"{basename}.{fmt}", header, rows)


def _sheet_title(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return _SHEET_TITLE_UNSAFE.sub("-", stem)[:31] or "Sheet"


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    """`data` as an attachment named `filename`; a non-ASCII name also goes in RFC 5987 form."""
    response = Response(data, mimetype=mimetype)
    names = {"filename": filename}
    if not filename.isascii():
        plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        names = {"filename": plain, "filename*": f"UTF-8''{quote(filename, safe='')}"}
    response.headers.set("Content-Disposition", "attachment", **names)
    return response
