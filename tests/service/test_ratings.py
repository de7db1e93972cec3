"""Customer satisfaction: a resolved case's contact is asked once per resolution
by e-mail (in their language, from the company's sender), never when the data is
restricted, the person objected or withdrew a consent, or has no address; the
public page stores nothing on GET and one answer on POST; the report counts only
the cases its reader may see."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services as accounts
from accounts.models import Team
from compliance import services as compliance
from core.errors import NotPossible, PermissionRefused
from core.models import OutboxMessage
from crm.models import Customer, Person
from service import cases, ratings
from service.models import CaseRating, CaseStatus
from service.sla import BERLIN
from tests.crm.conftest import add_person, make_customer

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)


def resolved_case(customer, actor, *, person=None, **fields):
    """A case of the customer, resolved (through the services)."""
    fields = {
        "subject": "Lieferung beschädigt",
        "kind": "complaint",
        "priority": "normal",
        "channel": "phone",
        "person": person,
        **fields,
    }
    case = cases.case_create(actor=actor, customer=customer, fields=fields, now=TUESDAY)
    return resolve(case, actor)


def resolve(case, actor):
    return cases.case_set_status(
        case=case,
        actor=actor,
        version=case.version,
        status=CaseStatus.RESOLVED,
        resolution="Ersatz geliefert",
    )


def deliver() -> int:
    return ratings.outbox.deliver(kinds=[ratings.RATING])


def answer_url(rating) -> str:
    return reverse("ratings:form", args=[rating.token])


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Service GmbH")


@pytest.fixture
def nina(demo, nord):
    return add_person(
        nord,
        demo["anna"],
        first_name="Nina",
        last_name="Nord",
        email="nina@example.com",
    )


@pytest.fixture
def case(demo, nord, nina):
    return resolved_case(nord, demo["anna"], person=nina)


def nothing_written():
    return (
        CaseRating.objects.exists() is False
        and OutboxMessage.objects.filter(kind=ratings.RATING).exists() is False
    )


# --- Asking ------------------------------------------------------------------------


def test_the_request_is_sent_once_in_german_from_the_companys_sender(demo, case):
    anna = demo["anna"]
    mail.outbox.clear()
    rating = ratings.rating_request(case=case, actor=anna)
    again = ratings.rating_request(case=case, actor=anna)  # changes nothing
    assert again.pk == rating.pk and CaseRating.objects.count() == 1
    assert (rating.cycle, rating.person, rating.company_id) == (
        1,
        case.person,
        case.company_id,
    )
    assert rating.history.get().history_user == anna
    assert OutboxMessage.objects.filter(kind=ratings.RATING).count() == 1
    assert deliver() == 1
    assert deliver() == 0
    (message,) = mail.outbox
    assert message.to == ["nina@example.com"]
    assert message.from_email == case.company.sender_email
    assert message.body.startswith("Guten Tag Nina Nord,")
    assert case.number in message.subject and case.number in message.body
    for score in ratings.SCORES:
        assert f"{answer_url(rating)}?score={score}" in message.body
    html, _mime = message.alternatives[0]
    assert f"{answer_url(rating)}?score=5" in html
    rating.refresh_from_db()
    assert rating.sent_at is not None and rating.answered_at is None


def test_a_person_who_reads_english_gets_it_in_english(demo, case, nina):
    Person.objects.filter(pk=nina.pk).update(preferred_language="en")
    mail.outbox.clear()
    ratings.rating_request(case=case, actor=demo["anna"])
    assert deliver() == 1
    assert mail.outbox[0].body.startswith("Hello Nina Nord,")


def test_a_case_not_resolved_is_not_rated(demo, nord, nina):
    anna = demo["anna"]
    case = cases.case_create(
        actor=anna,
        customer=nord,
        fields={"subject": "Offen", "kind": "request", "priority": "normal",
                "channel": "phone", "person": nina},
    )  # fmt: skip
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=case, actor=anna)
    assert refused.value.code == "rating_not_resolved"
    assert nothing_written()


def test_no_person_or_no_e_mail_is_refused(demo, nord):
    anna = demo["anna"]
    nobody = resolved_case(nord, anna)
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=nobody, actor=anna)
    assert refused.value.code == "rating_no_person"
    silent = add_person(nord, anna, last_name="Ohnemail", email="")
    unreachable = resolved_case(nord, anna, person=silent)
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=unreachable, actor=anna)
    assert refused.value.code == "rating_no_email"
    assert nothing_written()


@pytest.mark.parametrize("who", ["person", "customer"])
def test_restricted_data_is_not_used_for_a_survey(demo, case, nina, who):
    if who == "person":
        Person.objects.filter(pk=nina.pk).update(restricted_until=date.max)
    else:
        Customer.objects.filter(pk=case.customer_id).update(restricted_until=date.max)
    case.refresh_from_db()
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=case, actor=demo["admin"])
    assert refused.value.code == "rating_restricted"
    assert nothing_written()


def test_an_objection_blocks_the_survey(demo, case, nina):
    compliance.request_create(
        actor=demo["dora"],
        fields={"kind": "objection", "person": nina, "subject_name": "Nina Nord",
                "received_on": date(2026, 11, 30), "channel": "email"},
    )  # fmt: skip
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=case, actor=demo["anna"])
    assert refused.value.code == "contact_objected"
    assert nothing_written()


def test_a_withdrawn_consent_blocks_the_survey_until_one_is_given_again(
    demo, case, nina
):
    anna = demo["anna"]
    consent = compliance.consent_record(
        person=nina, purpose="phone_marketing", source="phone", actor=anna
    )
    compliance.consent_withdraw(consent=consent, actor=anna, via="staff")
    with pytest.raises(NotPossible) as refused:
        ratings.rating_request(case=case, actor=anna)
    assert refused.value.code == "contact_objected"
    assert nothing_written()
    compliance.consent_record(
        person=nina, purpose="phone_marketing", source="phone", actor=anna
    )
    assert ratings.rating_request(case=case, actor=anna).pk


def test_an_objection_after_asking_stops_the_e_mail(demo, case, nina):
    anna = demo["anna"]
    ratings.rating_request(case=case, actor=anna)
    consent = compliance.consent_record(
        person=nina, purpose="phone_marketing", source="phone", actor=anna
    )
    compliance.consent_withdraw(consent=consent, actor=None, via="objection")
    mail.outbox.clear()
    assert deliver() == 0
    assert mail.outbox == []
    assert CaseRating.objects.get().sent_at is None


def test_another_team_and_the_dpo_may_not_ask(demo, case):
    for username in ("ben", "dora"):
        with pytest.raises(PermissionRefused):
            ratings.rating_request(case=case, actor=demo[username])
    assert nothing_written()


# --- The public page ------------------------------------------------------------


def test_opening_the_link_stores_nothing_and_preselects_the_score(client, demo, case):
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    response = client.get(answer_url(rating), {"score": 4})
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert 'value="4" autocomplete="off" checked' in page
    assert case.number in page and case.subject in page
    assert case.company.name in page
    assert "Nordlicht Service GmbH" not in page  # no customer data
    assert "nina@example.com" not in page and "Nina" not in page
    rating.refresh_from_db()
    assert (rating.score, rating.answered_at) == (None, None)
    assert rating.history.count() == 1
    # nonsense in the link is no error, just nothing chosen
    assert client.get(answer_url(rating), {"score": "²"}).status_code == 200


def test_the_answer_is_stored_once_with_a_history_row(client, demo, case):
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    url = answer_url(rating)
    response = client.post(url, {"score": "5", "comment": "  Schnell und nett.  "})
    assert response.status_code == 200
    assert 'data-testid="rating-thanks"' in response.content.decode()
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (5, "Schnell und nett.")
    first = rating.answered_at
    assert first is not None
    latest = rating.history.latest()
    assert latest.history_user is None and latest.score == 5
    again = client.post(url, {"score": "1", "comment": "Doch nicht"})
    assert again.status_code == 200
    assert 'data-testid="rating-answered"' in again.content.decode()
    rating.refresh_from_db()
    assert (rating.score, rating.comment, rating.answered_at) == (
        5,
        "Schnell und nett.",
        first,
    )
    assert rating.history.count() == 2
    assert 'data-testid="rating-answered"' in client.get(url).content.decode()


def test_an_unknown_token_is_404(client, db):
    assert client.get("/rating/no-such-token/").status_code == 404
    assert client.post("/rating/no-such-token/", {"score": "5"}).status_code == 404


@pytest.mark.parametrize(
    ("case_label", "data", "field"),
    [
        ("no score", {"comment": "ok"}, "score"),
        ("zero", {"score": "0"}, "score"),
        ("six", {"score": "6"}, "score"),
        ("not a number", {"score": "fünf"}, "score"),
        ("comment too long", {"score": "3", "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_input_is_400_next_to_the_field_and_stores_nothing(
    client, demo, case, case_label, data, field
):
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    response = client.post(answer_url(rating), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-testid="{field}-error"' in page
    assert 'data-testid="rating-form"' in page
    rating.refresh_from_db()
    assert (rating.score, rating.comment, rating.answered_at) == (None, "", None)
    assert rating.history.count() == 1


def test_a_comment_of_2000_characters_is_taken(client, demo, case):
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    response = client.post(answer_url(rating), {"score": "2", "comment": "x" * 2000})
    assert response.status_code == 200
    rating.refresh_from_db()
    assert len(rating.comment) == 2000


def test_an_english_reader_gets_the_page_in_english(client, demo, case, nina):
    Person.objects.filter(pk=nina.pk).update(preferred_language="en")
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    response = client.get(answer_url(rating))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_no_answer_is_taken_once_the_data_is_restricted(client, demo, case, nina):
    rating = ratings.rating_request(case=case, actor=demo["anna"])
    Person.objects.filter(pk=nina.pk).update(restricted_until=date.max)
    assert client.get(answer_url(rating)).status_code == 410
    assert client.post(answer_url(rating), {"score": "5"}).status_code == 410
    rating.refresh_from_db()
    assert rating.answered_at is None


def test_after_reopening_and_resolving_again_the_person_is_asked_again(
    client, demo, case
):
    anna = demo["anna"]
    first = ratings.rating_request(case=case, actor=anna)
    client.post(answer_url(first), {"score": "2", "comment": "Zu langsam"})
    case.refresh_from_db()
    reopened = cases.case_set_status(
        case=case, actor=anna, version=case.version, status=CaseStatus.REOPENED
    )
    with pytest.raises(NotPossible):  # open again: nothing to rate
        ratings.rating_request(case=reopened, actor=anna)
    again = resolve(reopened, anna)
    second = ratings.rating_request(case=again, actor=anna)
    assert second.pk != first.pk and (first.cycle, second.cycle) == (1, 2)
    mail.outbox.clear()
    assert deliver() == 1  # the first, answered before it went out, is moot
    assert answer_url(second) in mail.outbox[0].body
    client.post(answer_url(second), {"score": "5"})
    assert [(r.cycle, r.score) for r in ratings.case_ratings(again)] == [(2, 5), (1, 2)]


# --- Where ratings appear ----------------------------------------------------------


def _answered(case, actor, score: int, comment: str = ""):
    rating = ratings.rating_request(case=case, actor=actor)
    return ratings.rating_answer(token=rating.token, score=score, comment=comment)


def test_the_case_card_lists_the_ratings(demo, case):
    from django.template.loader import render_to_string

    _answered(case, demo["anna"], 4, "Gut gelöst")
    html = render_to_string(
        "service/_case_ratings.html", {"ratings": ratings.case_ratings(case)}
    )
    assert "Gut gelöst" in html and "Nina Nord" in html
    assert html.count('data-testid="case-rating"') == 1


@pytest.fixture
def rated(demo, nord, nina):
    """Answered ratings: two of team Nord (anna's), one of team Süd (ben's)."""
    anna, ben = demo["anna"], demo["ben"]
    _answered(resolved_case(nord, anna, person=nina), anna, 5, "Sehr gut")
    _answered(resolved_case(nord, anna, person=nina), anna, 2)
    sued = make_customer(ben, "Süd", name="Südwind GmbH")
    sam = add_person(sued, ben, last_name="Süd", email="sam@example.com")
    _answered(resolved_case(sued, ben, person=sam), ben, 1, "Südlich schlecht")
    company_id = nord.company_id
    return company_id


def test_team_ratings_are_one_query(demo, rated, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = ratings.team_ratings(rated)
    assert [(row.name, row.count, row.average) for row in rows] == [
        ("Nord", 2, 3.5),
        ("Süd", 1, 1.0),
    ]
    assert ratings.team_ratings(rated, since=datetime(2999, 1, 1, tzinfo=BERLIN)) == []


def test_the_report_is_for_managers_and_admins(client_as, rated):
    url = reverse("service:rating_report")
    for username, status in (
        ("anna", 403), ("ben", 403), ("dora", 403), ("maria", 200), ("admin", 200)
    ):  # fmt: skip
        assert client_as(username).get(url).status_code == status, username
    page = client_as("admin").get(url).content.decode()
    assert page.count('data-testid="rating-team"') == 2
    assert "Sehr gut" in page and "Südlich schlecht" in page


def test_a_manager_of_nord_sees_only_nords_ratings(client_as, demo, rated):
    sued = Team.objects.get(company_id=rated, name="Süd")
    accounts.team_set_manager(team=sued, manager=None, actor=None)
    response = client_as("maria").get(reverse("service:rating_report"), {"days": 30})
    assert [(r.name, r.count) for r in response.context["teams"]] == [("Nord", 2)]
    assert [(r.name, r.count) for r in response.context["owners"]] == [
        ("Anna Albers", 2)
    ]
    assert response.context["total"] == 2 and response.context["average"] == 3.5
    page = response.content.decode()
    assert "Sehr gut" in page and "Südlich schlecht" not in page
    assert "Südwind" not in page
