"""Access report files are encrypted at rest and decrypted on download."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from core import crypto
from tests.compliance import test_report

erika_full = test_report.erika_full  # the fixture, shared with test_report
made_report = test_report.made_report


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_report_files_hold_tokens_and_downloads_give_the_documents(
    client_as, demo, erika_full, django_capture_on_commit_callbacks
):
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)

    at_rest = {
        kind: Path(getattr(report, kind).path).read_bytes() for kind in ("pdf", "json")
    }
    assert b"%PDF" not in at_rest["pdf"]
    assert b"Erika" not in at_rest["json"]
    assert crypto.fernet().decrypt(at_rest["pdf"]).startswith(b"%PDF")
    client = client_as("dora")
    pdf = client.get(reverse("compliance:report_download", args=[report.pk, "pdf"]))
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    assert int(pdf["Content-Length"]) == len(body)
    assert "no-store" in pdf["Cache-Control"]
    exported = client.get(
        reverse("compliance:report_download", args=[report.pk, "json"])
    )
    assert json.loads(b"".join(exported.streaming_content))["format"]
    assert report.pdf.size == len(body)  # the page shows the document's size
