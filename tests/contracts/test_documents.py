"""Contract documents: type checked by content, versions, safe and logged downloads."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractDocument, DocumentVersion
from tests.support.pdfs import blank_pdf

PDF = blank_pdf()  # a real PDF: uploads are parsed (no scripts, readable)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, contract, name, content, **data):
    return client.post(
        reverse("contracts:document_upload", args=[contract.pk]),
        {"file": SimpleUploadedFile(name, content), **data},
    )


def test_a_pdf_is_stored_under_a_random_name_and_gets_versions(
    client_as, nord_contract
):
    client = client_as("anna")
    assert (
        upload(client, nord_contract, "Vertrag.pdf", PDF, title="Vertrag").status_code
        == 302
    )
    document = ContractDocument.objects.get()
    first = document.versions.get()
    assert (first.number, first.content_type, first.size) == (
        1,
        "application/pdf",
        len(PDF),
    )
    assert "Vertrag" not in first.file.name
    assert first.file.name.endswith(".pdf")
    upload(client, nord_contract, "Vertrag-2.pdf", PDF + b"\n", document=document.pk)
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert upload(client, nord_contract, "Anlage.docx", docx()).status_code == 302
    assert DocumentVersion.objects.filter(extension="docx").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rechnung.pdf", b"<html><script>alert(1)</script></html>"),
        ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
        ("vertrag.docx", PDF),  # the name does not fit the bytes
        ("leer.pdf", b""),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    client_as, nord_contract, name, content
):
    client = client_as("anna")
    response = upload(client, nord_contract, name, content)
    assert response.status_code == 302
    assert DocumentVersion.objects.exists() is False
    page = client.get(nord_contract.get_absolute_url()).content.decode()
    assert "alert-danger" in page


def test_too_large_files_are_refused(client_as, nord_contract, settings):
    settings.CONTRACT_DOCUMENT_MAX_BYTES = 100
    upload(client_as("anna"), nord_contract, "gross.pdf", PDF + b" " * 200)
    assert DocumentVersion.objects.exists() is False


def test_download_is_an_attachment_permission_checked_and_logged(
    client_as, demo, nord_contract, sud_contract
):
    from compliance.models import AccessLog

    upload(client_as("anna"), nord_contract, "Vertrag.pdf", PDF)
    version = DocumentVersion.objects.get()
    url = reverse("contracts:document_download", args=[nord_contract.pk, version.pk])
    response = client_as("dora").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    logged = AccessLog.objects.get(action="download")
    assert (logged.user, logged.customer_id) == (
        demo["dora"],
        nord_contract.customer_id,
    )
    assert logged.what == f"{nord_contract.number} #{version.pk}"
    # another team: 404, also through someone else's contract id
    assert client_as("ben").get(url).status_code == 404
    wrong = reverse("contracts:document_download", args=[sud_contract.pk, version.pk])
    assert client_as("ben").get(wrong).status_code == 404


def test_only_editors_upload(client_as, nord_contract, sud_contract):
    assert upload(client_as("dora"), nord_contract, "a.pdf", PDF).status_code == 403
    assert upload(client_as("anna"), sud_contract, "a.pdf", PDF).status_code == 404
    assert DocumentVersion.objects.exists() is False
