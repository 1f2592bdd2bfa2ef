"""CSV and XLSX files from plain tables: every export of the server is written here, so that no
cell of any of them is run as a formula by the spreadsheet that opens it.

Text such as an operator's outcome or a topic name is typed by people; one starting with `=`
(or `+`, `-`, `@`, a tab, a carriage return) would be a live formula in Excel or LibreOffice.
Such text gets a leading apostrophe, the spreadsheets' own mark for "this is text".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def _as_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """A CSV cell: empty for None, else the value's text, never starting like a formula.

    A CSV has no types, so a negative number is checked as its text like anything else."""
    return "" if value is None else _as_text(str(value))


def xlsx_cell(value: Any) -> Any:
    """A workbook cell: numbers stay numbers (a negative one too), text never starts a formula."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return _as_text(str(value))


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One table as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def xlsx_document(sheets: Mapping[str, Table]) -> bytes:
    """A workbook with one sheet per named table."""
    from openpyxl import Workbook  # loaded on the first workbook asked for, not at start

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append([xlsx_cell(column) for column in header])
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
