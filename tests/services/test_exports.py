"""Exports: no cell of a CSV or a workbook starts a formula; every other value comes out as it went in."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from queue_server.services import exports

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("text", "count")
ROWS = [
    ["=1+1", 1],
    ["+7 474 222-33-44", -2],
    ["-2+3", 0.5],
    ["@SUM(A1:A2)", None],
    ["\t=cmd|' /C calc'!A0", 3],
    ["\r=1", 4],
    ["contract signed", 5],
    ["a=b", 6],
]
MARKED = [f"'{row[0]}" for row in ROWS[:6]] + ["contract signed", "a=b"]


def test_csv_cells_never_start_a_formula() -> None:
    header, *rows = list(csv.reader(io.StringIO(exports.csv_document(HEADER, ROWS))))
    assert header == list(HEADER)
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert [row[0] for row in rows] == MARKED
    assert [row[1] for row in rows] == ["1", "'-2", "0.5", "", "3", "4", "5", "6"]


def test_workbook_cells_are_never_formulas_and_numbers_stay_numbers() -> None:
    workbook = load_workbook(io.BytesIO(exports.xlsx_document({"sheet": (HEADER, ROWS)})))
    assert workbook.sheetnames == ["sheet"]
    cells = [cell for row in workbook["sheet"].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(FORMULA_STARTS)]
    header, *rows = list(workbook["sheet"].iter_rows(values_only=True))
    assert header == HEADER
    # XML reads a carriage return back as a line feed; the apostrophe before it stays.
    assert [row[0] for row in rows] == [text.replace("\r", "\n") for text in MARKED]
    assert [row[1] for row in rows] == [1, -2, 0.5, None, 3, 4, 5, 6]
