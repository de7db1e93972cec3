"""Uploads that would run something or unpack to absurd sizes are refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.documents import check_upload
from contracts.models import DocumentVersion
from tests.support.pdfs import (
    blank_pdf,
    pdf_opening_at_page_one,
    pdf_with_javascript,
    pdf_with_open_action,
)


def zipped(entries: dict[str, bytes], *, first="[Content_Types].xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(first, "<Types/>")
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def checked(name: str, content: bytes):
    return check_upload(SimpleUploadedFile(name, content))


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        checked(name, content)
    return refused.value.code


@pytest.mark.parametrize(
    ("case", "content", "code"),
    [
        ("JavaScript in the names tree", pdf_with_javascript(), "pdf_active"),
        ("JavaScript on opening", pdf_with_open_action("/JavaScript"), "pdf_active"),
        (
            "a program launched on opening",
            pdf_with_open_action("/Launch"),
            "pdf_active",
        ),
        (
            "JavaScript spelt with a #-escape",
            pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript"),
            "pdf_active",
        ),
        ("not readable as a PDF", b"%PDF-1.4\n" + b"x" * 100, "pdf_unreadable"),
    ],
)
def test_active_or_unreadable_pdfs_are_refused(case, content, code):
    assert refusal("vertrag.pdf", content) == code


@pytest.mark.parametrize(
    ("case", "content"),
    [
        ("blank", blank_pdf()),
        ("opening at page one, as LibreOffice writes", pdf_opening_at_page_one()),
    ],
)
def test_ordinary_pdfs_are_accepted(case, content):
    assert checked("vertrag.pdf", content).content_type == "application/pdf"


def test_an_office_file_that_unpacks_to_gigabytes_is_refused(settings):
    settings.CONTRACT_DOCUMENT_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
    bomb = zipped({"word/document.xml": b"\0" * (11 * 1024 * 1024)})

    assert len(bomb) < 100_000  # small on the wire
    assert refusal("anlage.docx", bomb) == "zip_bomb"


def test_an_office_file_of_many_parts_is_refused(settings):
    settings.CONTRACT_DOCUMENT_MAX_ENTRIES = 50
    many = zipped({f"word/part{n}.xml": b"<p/>" for n in range(60)})

    assert refusal("anlage.docx", many) == "zip_bomb"


def test_an_ordinary_office_file_is_accepted():
    document = zipped({"word/document.xml": b"<document>" + b"Text " * 1000})

    assert checked("anlage.docx", document).extension == "docx"


def test_the_upload_page_says_why_and_stores_nothing(
    client_as, nord_contract, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("anna")

    response = client.post(
        reverse("contracts:document_upload", args=[nord_contract.pk]),
        {"file": SimpleUploadedFile("vertrag.pdf", pdf_with_javascript())},
        follow=True,
    )

    assert DocumentVersion.objects.exists() is False
    assert "PDFs mit JavaScript oder anderen aktiven Inhalten" in (
        response.content.decode()
    )
