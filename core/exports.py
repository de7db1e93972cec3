"""Exports that end up in spreadsheets: no cell may be run as a formula.

A cell beginning with = + - @ (and tab or carriage return, which spreadsheets
skip before looking) is a formula or DDE call to Excel, LibreOffice and Google
Sheets (OWASP "CSV injection"). Such text cells get a leading apostrophe, which
the spreadsheet shows as text; numbers and dates are left alone. defusedcsv does
the same but misses tab and carriage return and rewrites "|" inside the text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """The value as a spreadsheet shows it literally: text that would be a formula
    gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows go out with every cell made safe for spreadsheets."""

    def __init__(self, file, **options) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **options) -> SafeWriter:
    """A CSV writer for every export (the options are csv.writer's)."""
    return SafeWriter(file, **options)
