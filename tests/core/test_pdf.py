import io

import pytest
from pypdf import PdfReader

from core.pdf import render_pdf


@pytest.fixture
def sample_template():
    return "tests/pdf_sample.html"


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_from_a_template_carries_its_text_umlauts_and_page_numbers(sample_template):
    lines = [f"Gespräch {number} mit Jürgen Müller über Größe" for number in range(120)]

    data = render_pdf(
        sample_template, {"heading": "Übersicht für Frau Öztürk", "lines": lines}
    )

    assert data.startswith(b"%PDF-")
    pages = pdf_text(data)
    assert len(pages) > 1
    assert "Übersicht für Frau Öztürk" in pages[0]
    assert "Gespräch 119 mit Jürgen Müller über Größe" in pages[-1]
    assert f"Seite 1 von {len(pages)}" in pages[0]
    assert f"Seite {len(pages)} von {len(pages)}" in pages[-1]


def test_pdf_in_english_numbers_pages_in_english(sample_template):
    data = render_pdf(
        sample_template, {"heading": "Overview", "lines": []}, language="en"
    )

    assert "Page 1 of 1" in pdf_text(data)[0]
