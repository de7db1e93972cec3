"""The company's settings page: its Admins keep them; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Company

URL = reverse("accounts:company_settings")


def _form(company: Company, **changes) -> dict:
    data = {
        "legal_form": company.legal_form,
        "address": company.address,
        "letterhead": company.letterhead,
        "email": company.email,
        "country": company.country,
        "land": company.land,
        "supervisory_authority": company.supervisory_authority,
        "data_review_months": company.data_review_months,
        "business_hours_start": company.business_hours_start.strftime("%H:%M"),
        "business_hours_end": company.business_hours_end.strftime("%H:%M"),
        "business_days": company.business_days,
        "currency": company.currency,
        "version": company.version,
    }
    return data | changes


def test_the_admin_changes_the_company_s_settings(client_as, demo):
    company = Company.objects.get(pk=demo["admin"].company_id)
    client = client_as("admin")
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        _form(
            company,
            land="NW",
            letterhead="Amtsgericht Berlin HRB 1",
            data_review_months=9,
            business_days=[1, 2, 3, 4],
        ),
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.land, company.data_review_months) == ("NW", 9)
    assert company.business_days == [1, 2, 3, 4]
    assert company.version == 2
    assert company.history.order_by("-history_id").first().history_user == demo["admin"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"land": "XX"}, "land", "kein Bundesland"),
        (
            {"business_hours_start": "18:00", "business_hours_end": "08:00"},
            "business_hours_end",
            "nach ihrem Beginn",
        ),
        ({"business_days": []}, "business_days", "erforderlich"),
        ({"data_review_months": 0}, "data_review_months", "größer oder gleich 1"),
    ],
)
def test_bad_settings_are_refused_next_to_the_field(
    client_as, demo, changes, field, message
):
    company = Company.objects.get(pk=demo["admin"].company_id)
    response = client_as("admin").post(URL, _form(company, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert Company.objects.get(pk=company.pk).version == company.version


def test_a_stale_save_is_refused(client_as, demo):
    company = Company.objects.get(pk=demo["admin"].company_id)
    client = client_as("admin")
    assert client.post(URL, _form(company, land="BY")).status_code == 302
    stale = client.post(URL, _form(company, land="HE"))  # the version before
    assert stale.status_code == 409
    assert Company.objects.get(pk=company.pk).land == "BY"


def test_only_the_company_s_admins_change_it(client_as, demo):
    from accounts import services
    from core.errors import PermissionRefused

    for name in ("anna", "maria", "dora", "carla", "dieter"):
        assert client_as(name).get(URL).status_code == 403
    first = Company.objects.get(pk=demo["anna"].company_id)
    second = Company.objects.get(slug="beispiel-handels-ag")
    olga = services.user_create(
        username="olga", password=None, roles=["Admin"], company=second, actor=None
    )
    with pytest.raises(PermissionRefused):
        services.company_update(
            company=first, actor=olga, version=first.version, fields={"land": "BY"}
        )
    assert Company.objects.get(pk=first.pk).land == first.land


def test_the_logo_stands_on_the_access_report(client_as, demo, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfReader

    from compliance.report import collect, render
    from tests.crm.conftest import add_person, make_customer

    settings.MEDIA_ROOT = tmp_path
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08"
        b"\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?"
        b"\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    company = Company.objects.get(pk=demo["admin"].company_id)
    client = client_as("admin")
    refused = client.post(
        URL, _form(company, logo=SimpleUploadedFile("logo.gif", b"GIF89a..."))
    )
    assert refused.status_code == 400
    assert "PNG- oder JPEG" in " ".join(refused.context["form"].errors["logo"])
    response = client.post(
        URL, _form(company, logo=SimpleUploadedFile("logo.png", png))
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.logo
    customer = make_customer(demo["anna"], "Nord", name="Logo Test GmbH")
    person = add_person(customer, demo["anna"], last_name="Logo")
    pdf = PdfReader(io.BytesIO(render(collect(person, language="de"))))
    images = [image for page in pdf.pages[:1] for image in page.images]
    assert images  # the logo on the letter's first page
