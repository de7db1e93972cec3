"""Real PDFs for upload tests, made with pypdf (harmless and active ones)."""

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """A one-page A4 PDF with nothing active in it."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return _written(writer)


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hallo');"),
        }
    )
    # The document-level scripts: the catalogue's /Names /JavaScript name tree.
    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("start"), writer._add_object(script)]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _written(writer)


def pdf_with_open_action(action: str = "/JavaScript") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    opening = DictionaryObject({NameObject("/S"): NameObject(action)})
    if action == "/JavaScript":
        opening[NameObject("/JS")] = TextStringObject("app.alert(1)")
    else:
        opening[NameObject("/F")] = TextStringObject("calc.exe")
    writer._root_object[NameObject("/OpenAction")] = opening
    return _written(writer)


def pdf_opening_at_page_one() -> bytes:
    """What LibreOffice writes: open at the first page (a destination, harmless)."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/Fit")]
    )
    return _written(writer)
