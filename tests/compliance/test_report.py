"""The access report: every registered model's data, a readable PDF, a valid JSON."""

import io
import json
from datetime import UTC, datetime

import jsonschema
import pytest
from django.urls import reverse
from pypdf import PdfReader

from compliance import services
from compliance.models import AccessLog, AccessReport
from compliance.registry import REGISTRY
from compliance.report import SCHEMA_PATH
from core.history import EMPTY
from crm import services as crm_services
from tests.support.versions import current

from .conftest import open_request


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def erika_full(demo, erika):
    from tests.contracts.conftest import make_contract

    anna = demo["anna"]
    customer = erika.customer
    crm_services.person_update(
        person=erika, actor=anna, version=current(erika),
        fields={"email": "erika@example.org", "phone": "+49 30 1234567",
                "salutation": "ms"},
    )  # fmt: skip
    crm_services.address_create(
        customer=customer, actor=anna,
        fields={"purpose": "postal", "street": "Lindenweg 5", "postcode": "50667",
                "city": "Köln", "country": "DE"},
    )  # fmt: skip
    for number in range(3):
        crm_services.interaction_create(
            customer=customer, actor=anna, persons=[erika],
            fields={"kind": "call", "direction": "in",
                    "occurred_at": datetime(2025, 5, 2 + number, 10, tzinfo=UTC),
                    "subject": f"Rückfrage Tarif {number}"},
        )  # fmt: skip
    make_contract(customer, anna, title="Strom Haushalt")
    services.activity_create(
        actor=demo["dora"],
        fields={"name": "Kundenbetreuung", "purpose": "Verträge erfüllen",
                "legal_basis": "contract", "data_categories": ["contact_data"],
                "recipients": "Muster Rechenzentrum GmbH",
                "retention": "6 Jahre nach Vertragsende"},
    )  # fmt: skip
    return erika


def made_report(demo, person, django_capture_on_commit_callbacks, language="de"):
    request = open_request(demo["dora"], person=person)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        report = services.access_report_request(
            request=request, actor=demo["dora"], language=language
        )
    assert len(queued) == 1 and report.status == "queued"  # nothing made yet
    return services.access_report_build(report_id=report.pk)


def test_the_report_holds_every_registered_model_s_rows_of_the_person(
    demo, erika_full, django_capture_on_commit_callbacks
):
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    assert report.status == "done" and report.progress == 100
    data = json.loads(report.json.read())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    sections = {section["model"]: section for section in data["records"]}
    for entry in REGISTRY:
        if entry.subject_kind != "person":
            continue
        rows = entry.rows_of(erika_full.pk)
        if entry.label == "compliance.AccessLog":  # the report's own, logged after
            rows = rows.exclude(action="report")
        ids = sorted(rows.values_list("pk", flat=True))
        if ids:
            assert sorted(r["id"] for r in sections[entry.label]["rows"]) == ids
        else:
            assert entry.label not in sections
    expected = {"crm.Person", "crm.Customer", "crm.Address", "crm.Interaction",
                "contracts.Contract", "compliance.DataSubjectRequest"}  # fmt: skip
    assert expected <= set(sections)
    person = sections["crm.Person"]["rows"][0]["values"]
    assert person["email"] == "erika@example.org"
    assert any(c["field"] for e in data["history"] for c in e["changes"])
    purposes = data["information"]["purposes"]
    assert purposes[0]["recipients"] == ["Muster Rechenzentrum GmbH"]
    assert "Berlin" in data["information"]["complaint"]


def test_the_pdf_shows_name_address_and_interactions_with_page_numbers(
    demo, erika_full, django_capture_on_commit_callbacks
):
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    reader = PdfReader(io.BytesIO(report.pdf.read()))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert report.pages == len(pages) >= 2
    assert "Erika Muster" in pages[0] and "Lindenweg 5" in pages[0]
    assert "50667 Köln" in pages[0] and "Sehr geehrte Frau Muster" in pages[0]
    assert "Inhalt" in pages[1]
    for number in range(3):
        assert f"Rückfrage Tarif {number}" in text
    assert "Strom Haushalt" in text and "Muster Rechenzentrum GmbH" in text
    assert f"Seite 1 von {len(pages)}" in pages[0]
    # made and logged: who made a report of whom
    logged = AccessLog.objects.get(action="report")
    assert (logged.user, logged.person) == (demo["dora"], erika_full)


def test_the_report_speaks_english_when_asked(
    demo, erika_full, django_capture_on_commit_callbacks
):
    report = made_report(
        demo, erika_full, django_capture_on_commit_callbacks, language="en"
    )
    first = PdfReader(io.BytesIO(report.pdf.read())).pages[0].extract_text()
    assert "Dear Ms Muster" in first and "Page 1 of" in first


def test_the_dpo_queues_a_report_and_downloads_it(
    client_as, demo, erika_full, django_capture_on_commit_callbacks
):
    request = open_request(demo["dora"], person=erika_full)
    dora = client_as("dora")
    with django_capture_on_commit_callbacks(execute=False):
        response = dora.post(
            reverse("compliance:report_new", args=[request.pk]), {"language": "de"}
        )
    report = AccessReport.objects.get()
    assert response["Location"] == report.get_absolute_url()
    page = dora.get(report.get_absolute_url())
    assert 'hx-trigger="every 1s"' in page.content.decode()  # polls while queued
    services.access_report_build(report_id=report.pk)
    partial = dora.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert "download-pdf" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    pdf = dora.get(reverse("compliance:report_download", args=[report.pk, "pdf"]))
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(action="export", person=erika_full).count() == 1
    for name in ("anna", "maria"):
        assert client_as(name).get(report.get_absolute_url()).status_code == 403
        url = reverse("compliance:report_download", args=[report.pk, "json"])
        assert client_as(name).get(url).status_code == 403


def test_erasure_deletes_the_person_s_reports(
    demo, erika_full, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    path = report.pdf.path
    request = open_request(demo["dora"], person=erika_full, kind="erasure")
    request = services.request_update(
        request=request, actor=demo["dora"], version=1,
        fields={"identity_checked_at": timezone.now()},
    )  # fmt: skip
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=timezone.localdate()
    )
    report.refresh_from_db()
    assert not report.pdf and not report.json
    import os

    assert not os.path.exists(path)


def test_report_files_are_deleted_after_thirty_days(
    client_as, demo, erika_full, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    now = timezone.now()
    assert services.reports_expire(now=now + timedelta(days=29)) == 0
    assert services.reports_expire(now=now + timedelta(days=31)) == 1
    report.refresh_from_db()
    assert not report.pdf and not report.json
    page = client_as("dora").get(report.get_absolute_url())
    assert 'data-testid="report-gone"' in page.content.decode()
    url = reverse("compliance:report_download", args=[report.pk, "pdf"])
    assert client_as("dora").get(url).status_code == 404


def test_the_report_includes_the_history_of_records_deleted_earlier(
    demo, erika_full, django_capture_on_commit_callbacks
):
    from crm.models import Customer
    from tests.crm.conftest import make_customer

    # a contact of an organization (a private customer's person goes only with it)
    other = Customer.objects.filter(kind="organization").first() or make_customer(
        demo["anna"], "Nord", name="Früher GmbH"
    )
    earlier = crm_services.person_create(
        customer=other, actor=demo["anna"],
        fields={"first_name": "E.", "last_name": "Früher",
                "email": "ERIKA@example.org"},
    )  # fmt: skip
    crm_services.person_delete(person=earlier, actor=demo["anna"])
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    data = json.loads(report.json.read())
    deleted = [e for e in data["history"] if e["action"] == "deleted"]
    assert any("Früher" in e["record"] for e in deleted)


def pdf_text(report) -> tuple[list[str], str]:
    report.pdf.seek(0)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(report.pdf.read())).pages]
    # pypdf keeps no-break spaces ("1.234,56 €"): compare with plain ones
    return pages, "\n".join(pages).replace("\xa0", " ")


@pytest.fixture
def erika_contract(demo, erika_full):
    from datetime import date
    from decimal import Decimal

    from contracts import services as contract_services
    from contracts.models import Contract

    contract = Contract.objects.get(customer=erika_full.customer)
    contract_services.contract_update(
        contract=contract, actor=demo["anna"], version=contract.version,
        fields={"value_amount": Decimal("1234.56"), "currency": "EUR"},
        today=date(2025, 2, 1),
    )  # fmt: skip
    return contract


def test_the_pdf_names_records_and_values_as_the_reader_knows_them(
    demo, erika_full, erika_contract, django_capture_on_commit_callbacks
):
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    _pages, text = pdf_text(report)
    # a call by its subject and day, not by who recorded it; German quotes
    assert "Kontakt „Rückfrage Tarif 0 (02.05.2025)“" in text
    assert "Kontakt „Anna Albers“" not in text
    assert f"Vertrag „{erika_contract.number} Strom Haushalt“" in text
    assert "„#" not in text  # no record named by its internal number
    # values in the reader's format, field names capitalized
    assert "Telefon: 030 1234567" in text and "+49301234567" not in text
    assert "Wert: 1.234,56 €" in text and "1234.56" not in text
    assert "Bevorzugte Sprache: Deutsch" in text
    # no internal ids, no empty values (the address has no delivery details)
    assert "ID:" not in text and "{}" not in text
    assert "Lieferhinweise" not in text


def test_the_english_pdf_uses_english_quotes_and_money(
    demo, erika_full, erika_contract, django_capture_on_commit_callbacks
):
    report = made_report(
        demo, erika_full, django_capture_on_commit_callbacks, language="en"
    )
    _pages, text = pdf_text(report)
    assert "Interaction “Rückfrage Tarif 0 (2 May 2025)”" in text
    assert "„" not in text and "“Rückfrage" in text
    assert "Value: €1,234.56" in text and "Phone: 030 1234567" in text


def test_the_json_keeps_ids_for_machines_and_the_pdf_rows_do_not(
    demo, erika_full, django_capture_on_commit_callbacks
):
    from compliance import report as builder

    collected = builder.collect(erika_full)
    data = builder.as_json(collected)
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    person = next(s for s in data["records"] if s["model"] == "crm.Person")
    assert person["rows"][0]["id"] == erika_full.pk
    for section in collected.sections:
        assert "id" not in section.labels
        for line in section.display_rows():
            assert f": {EMPTY}" not in line and "{}" not in line


def test_timeline_entries_are_in_date_order_newest_first(demo, erika_full):
    from compliance import report as builder

    # logged last, happened first: it belongs at the end
    crm_services.interaction_create(
        customer=erika_full.customer, actor=demo["anna"], persons=[erika_full],
        fields={"kind": "note", "direction": "internal",
                "occurred_at": datetime(2025, 1, 5, 9, tzinfo=UTC),
                "subject": "Erstkontakt Messe"},
    )  # fmt: skip
    collected = builder.collect(erika_full)
    [timeline] = [s for s in collected.sections if s.model == "crm.Interaction"]
    subjects = [
        next(part for part in line.split(" · ") if part.startswith("Betreff"))
        for line in timeline.display_rows()
    ]
    assert subjects == [
        "Betreff: Rückfrage Tarif 2",
        "Betreff: Rückfrage Tarif 1",
        "Betreff: Rückfrage Tarif 0",
        "Betreff: Erstkontakt Messe",
    ]


def test_sections_flow_on_and_the_page_numbers_use_the_body_font(
    demo, erika_full, django_capture_on_commit_callbacks
):
    report = made_report(demo, erika_full, django_capture_on_commit_callbacks)
    pages, _text = pdf_text(report)
    # letter, then contents, information and the records flowing on: no page
    # per section (it was 10 pages for this little data)
    assert report.pages == len(pages) <= 3
    assert any("2. Personen" in page and "3. " in page for page in pages)
    fonts = set()
    report.pdf.seek(0)
    for page in PdfReader(io.BytesIO(report.pdf.read())).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, fonts  # no serif footer


def test_progress_only_goes_forward_while_the_report_is_made(
    demo, erika, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    progress = services._progress

    def recording(report, percent, **fields):
        # the state the polling page would read just before each step
        seen.append(tuple(AccessReport.objects.values_list("status", "progress").get()))
        progress(report, percent, **fields)

    monkeypatch.setattr(services, "_progress", recording)
    report = made_report(demo, erika, django_capture_on_commit_callbacks)
    assert (report.status, report.progress) == ("done", 100)
    assert seen[0] == ("queued", 0)
    assert all(status == "running" for status, _percent in seen[1:]), seen
    percents = [percent for _status, percent in seen]
    assert percents == sorted(percents), seen
    assert report.pdf and report.json
