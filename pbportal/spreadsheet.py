"""Cells for CSV downloads that a spreadsheet opens. Text that starts like a formula (=, +, -, @, a tab or a
carriage return) would be run by Excel, LibreOffice or Sheets ("CSV injection"); such text gets a leading
apostrophe, which spreadsheets show as text and do not run. Numbers are written by the caller, untouched."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
