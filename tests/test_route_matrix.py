"""The permission matrix and the query counts, generated from the URL resolver.

Every named route of the project (but the Django admin's and Django's password
views) has a row in ROUTES: how to build its URL from real records, the status
each demo user gets for GET (and for the htmx GET of a partial), the status for a
POST by ben (another team) and dora (the DPO, read-only on master data), and the
exact number of queries of the page for one user. A new route without a row
fails `test_every_route_is_in_the_table`.

The records are seeded once per module (seed_demo plus a Nord customer of anna's
with everything that hangs off it) inside one transaction that is rolled back at
the end; each test runs in a savepoint of it. The query counts are measured on
that data and again after `grown` added more of every kind: equal counts at both
sizes mean no query per row (N+1).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.sessions import reference_of
from tests.compliance.conftest import open_request
from tests.contracts.conftest import make_contract
from tests.crm.conftest import add_address, add_person, log_interactions, make_customer
from tests.support.otp import sign_in as otp_sign_in
from tests.support.pdfs import blank_pdf

USERS = ("anonymous", "anna", "ben", "maria", "dora", "admin")
# Every signed-in page's count includes one query of django-otp's OTPMiddleware:
# it loads the device that verified the session (so that a removed or reset
# factor ends the sessions it verified); anonymous pages have none.
PDF = blank_pdf()  # a real one: unreadable PDFs are refused

# Routes that are not the project's: the Django admin, and Django's password views
# (tested by Django; login and logout are ours to check and stay in the table).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def row(anonymous: int, anna: int, ben: int, maria: int, dora: int, admin: int):
    return dict(zip(USERS, (anonymous, anna, ben, maria, dora, admin), strict=True))


# GET statuses by kind of page. The record is anna's (team Nord): ben (Süd) gets
# 404 for it, never 403; dora reads every record but changes no master data.
PUBLIC = row(200, 200, 200, 200, 200, 200)
SIGNED_IN = row(302, 200, 200, 200, 200, 200)
RECORD = row(302, 200, 404, 200, 200, 200)
RECORD_EDIT = row(302, 200, 404, 200, 403, 200)
NEW_RECORD = row(302, 200, 200, 200, 403, 200)
DPO_PAGE = row(302, 403, 403, 403, 200, 200)
ADMIN_PAGE = row(302, 403, 403, 403, 403, 200)
# POST-only routes answer GET with 405 once the role check passed.
POST_ONLY_EDIT = row(302, 405, 405, 405, 403, 405)
POST_ONLY_READ = row(302, 405, 405, 405, 405, 405)
POST_ONLY_DPO = row(302, 403, 403, 403, 405, 405)
POST_ONLY_PUBLIC = row(405, 405, 405, 405, 405, 405)


@dataclass(frozen=True)
class Route:
    """One row of the matrix."""

    get: dict[str, int]
    # (ben, dora): the status of an empty POST by the other team and by the DPO.
    post: tuple[int, int]
    kwargs: Callable[[SimpleNamespace], dict] = lambda w: {}
    params: Callable[[SimpleNamespace], dict] = lambda w: {}
    htmx: dict[str, int] | None = None
    # (user, queries) of a GET that answers 200; None for routes without a page.
    queries: tuple[str, int] | None = None
    why: str = field(default="", compare=False)


def customer(w):
    return {"pk": w.nord.pk}


def contract(w):
    return {"pk": w.contract.pk}


def data_request(w):
    return {"pk": w.request.pk}


ROUTES: dict[str, Route] = {
    # --- core, accounts -------------------------------------------------------------
    "healthz": Route(PUBLIC, (405, 405), queries=("anonymous", 1)),
    # no worker or beat ran in the test: monitoring hears 503 (core.liveness)
    "healthz_tasks": Route(row(503, 503, 503, 503, 503, 503), (405, 405)),
    # The dashboard: session+user+company, OTP device, roles+teams, my deadlines;
    # "my tasks" adds two (the counts of overdue, today and this week in one
    # aggregate; the first few rows with their customers in one); "my cases" two
    # more (open, missed and due soon in one aggregate; the most urgent in one).
    "accounts:dashboard": Route(SIGNED_IN, (200, 200), queries=("anna", 8)),
    "accounts:administration": Route(ADMIN_PAGE, (403, 403), queries=("admin", 7)),
    # The company's settings: session+user+company, OTP device, roles+teams, the
    # company (read afresh: the form edits it).
    "accounts:company_settings": Route(ADMIN_PAGE, (403, 403), queries=("admin", 4)),
    "accounts:set_language": Route(POST_ONLY_PUBLIC, (302, 302)),
    # The user's companies: session+user+company, OTP device, roles+teams, the
    # companies. A POST without a company is a 400 (nothing switched).
    "accounts:company_switch": Route(SIGNED_IN, (400, 400), queries=("anna", 4)),
    # The confidentiality commitment: session+user+company, OTP device, roles
    # and teams (navigation), its text.
    "accounts:commitment": Route(SIGNED_IN, (400, 400), queries=("anna", 4)),
    # The DPO's page of it: versions, members, acceptances besides those.
    "accounts:commitment_admin": Route(DPO_PAGE, (403, 400), queries=("dora", 6)),
    # The user's own sessions: session+user, OTP device, roles+teams, the sessions.
    "accounts:session_list": Route(SIGNED_IN, (405, 405), queries=("anna", 4)),
    "accounts:session_end_others": Route(POST_ONLY_READ, (302, 302)),
    # anna's session: anyone else ending it gets 404, like a key that never was.
    "accounts:session_end": Route(
        POST_ONLY_READ,
        (404, 404),
        lambda w: {"reference": reference_of(w.sessions["anna"])},
    ),
    "login": Route(PUBLIC, (200, 200), queries=("anonymous", 0)),
    # --- the second factor (accounts/factors.py) ------------------------------------
    # Verified sessions: the second step sends them on (an empty POST too).
    "accounts:verify": Route(row(302, 302, 302, 302, 302, 302), (302, 302)),
    "accounts:security": Route(SIGNED_IN, (405, 405), queries=("anna", 6)),
    # An empty POST shows the form with its errors.
    "accounts:totp_add": Route(SIGNED_IN, (200, 200), queries=("anna", 3)),
    # Another user's factor is not found: 404, never 403.
    "accounts:factor_remove": Route(
        POST_ONLY_READ,
        (404, 404),
        lambda w: {"kind": "totp", "pk": w.totp.pk},
    ),
    "accounts:recovery_codes_renew": Route(POST_ONLY_READ, (302, 302)),
    # The company's users and teams (its Admins): session+user+company, OTP
    # device, roles+teams, the company, the form's teams (a team's form: the
    # members as manager and as member choices; an existing team, its members).
    "accounts:user_new": Route(ADMIN_PAGE, (403, 403), queries=("admin", 5)),
    # ... the user, their groups, roles and teams here, and the history (rows,
    # predecessors, groups of other companies, related rows, m2m states, names).
    "accounts:user_edit": Route(
        ADMIN_PAGE,
        (403, 403),
        lambda w: {"pk": w.users["anna"].pk},
        queries=("admin", 14),
    ),
    "accounts:user_invite_again": Route(
        row(302, 403, 403, 403, 403, 405),
        (403, 403),
        lambda w: {"pk": w.users["anna"].pk},
    ),
    "accounts:team_new": Route(ADMIN_PAGE, (403, 403), queries=("admin", 6)),
    "accounts:team_edit": Route(
        ADMIN_PAGE,
        (403, 403),
        lambda w: {"pk": w.team.pk},
        queries=("admin", 8),
    ),
    "accounts:factors_reset": Route(
        row(302, 403, 403, 403, 403, 405),
        (403, 403),
        lambda w: {"pk": w.users["anna"].pk},
    ),
    # The service calculators: session+user+company, OTP device, roles+teams, the
    # company (its calendar; holidays come from the holidays package).
    "service:sla_calculator": Route(
        SIGNED_IN, (405, 405), queries=("anna", 4), why="GET form"
    ),
    "service:warranty_calculator": Route(
        SIGNED_IN, (405, 405), queries=("anna", 4), why="GET form"
    ),
    # --- follow-up tasks (service.task_views) --------------------------------------
    # The list: session+user+company, OTP device, roles+teams, the filter's
    # members, the page's count and its rows (customer, person, contract and
    # assignee joined).
    "service:task_list": Route(SIGNED_IN, (405, 405), queries=("anna", 6)),
    # Reading roles (the DPO) add no task: 403; an empty POST shows the errors.
    # Session+user+company, OTP device, roles+teams, the assignees (twice: the
    # select without an empty choice asks for its first option to decide on
    # `required`, then renders them all).
    "service:task_new": Route(NEW_RECORD, (400, 403), queries=("anna", 5)),
    # The task of anna's customer: ben 404 (never 403), the DPO reads it and may
    # not change it (403 before the lookup). Besides the four of every page: the
    # task, may-change, the history rows (with users) and the hidden persons,
    # the form's assignees, persons and contracts (whether any, and the options),
    # and what the history entries name (person, contract, users).
    "service:task_detail": Route(
        RECORD, (404, 403), lambda w: {"pk": w.task.pk}, queries=("anna", 18)
    ),
    "service:task_complete": Route(
        POST_ONLY_READ, (404, 403), lambda w: {"pk": w.task.pk}
    ),
    "service:task_reopen": Route(
        POST_ONLY_READ, (404, 403), lambda w: {"pk": w.task.pk}
    ),
    # The customer's tasks card with the form (htmx) or as a page: the customer,
    # its access reasons (grants), the open tasks, the form's choices (see
    # task_new for the assignees' two).
    "service:customer_tasks": Route(
        RECORD, (404, 403), customer, htmx=RECORD, queries=("anna", 12)
    ),
    # --- cases (service.case_views) -------------------------------------------------
    # The list: the four of every page, the filter's members, the page's count
    # and its rows (customer, person, owner, team, category joined).
    "service:case_list": Route(SIGNED_IN, (405, 405), queries=("anna", 6)),
    # The form: categories, owners (twice, see task_new) and teams.
    "service:case_new": Route(NEW_RECORD, (400, 403), queries=("anna", 7)),
    # The customer (may change), and the form's persons and contracts as well.
    "service:customer_case_new": Route(
        RECORD_EDIT, (404, 403), customer, queries=("anna", 12)
    ),
    # The case, may-change; the clock (targets, pauses); the timeline (history
    # rows and what they name: customer, person, contract, users, team; the
    # contacts); the ratings, the open tasks; the four forms' choices.
    "service:case_detail": Route(
        RECORD, (404, 403), lambda w: {"pk": w.case.pk}, queries=("anna", 34)
    ),
    "service:case_status": Route(
        POST_ONLY_READ, (404, 403), lambda w: {"pk": w.case.pk}
    ),
    "service:case_contact": Route(
        POST_ONLY_READ, (404, 403), lambda w: {"pk": w.case.pk}
    ),
    "service:case_task": Route(POST_ONLY_READ, (404, 403), lambda w: {"pk": w.case.pk}),
    # The company's SLA targets and case categories (Admin): session+user+company,
    # OTP device, roles+teams, the categories and the targets.
    "service:settings": Route(ADMIN_PAGE, (403, 403), queries=("admin", 5)),
    # --- ratings (service.rating_views) ---------------------------------------------
    # The report for managers and admins: session+user+company, OTP device,
    # roles+teams, then one query each: per team, per owner, latest comments.
    "service:rating_report": Route(
        row(302, 403, 403, 200, 403, 200), (403, 403), queries=("maria", 6)
    ),
    # The link in a rating e-mail: the token is the credential, no login; an
    # empty POST (no score) is a 400 that stores nothing. The rating with its
    # case, customer, person and company in one query.
    "ratings:form": Route(
        PUBLIC,
        (400, 400),
        lambda w: {"token": w.rating.token},
        queries=("anonymous", 1),
    ),
    # django-otp-webauthn's JSON ceremonies (POST only) and its JS catalogue; an
    # empty "complete" without a begun ceremony: 400 (invalid_state).
    "otp_webauthn:credential-registration-begin": Route(POST_ONLY_READ, (200, 200)),
    "otp_webauthn:credential-registration-complete": Route(POST_ONLY_READ, (400, 400)),
    "otp_webauthn:credential-authentication-begin": Route(POST_ONLY_READ, (200, 200)),
    "otp_webauthn:credential-authentication-complete": Route(
        POST_ONLY_READ, (400, 400)
    ),
    "otp_webauthn:js-i18n-catalog": Route(SIGNED_IN, (405, 405), queries=("anna", 2)),
    "logout": Route(row(302, 405, 405, 405, 405, 405), (302, 302)),
    # --- crm ------------------------------------------------------------------------
    "crm:customer_list": Route(SIGNED_IN, (405, 405), queries=("anna", 4)),
    # An empty POST shows the form again (the kind is chosen first).
    "crm:customer_new": Route(NEW_RECORD, (200, 403), queries=("anna", 5)),
    "crm:customer_export": Route(SIGNED_IN, (405, 405), queries=("anna", 5)),
    # A bulk form: customers one may not change are refused with a message on the
    # list (302), none moved (test_post_by_another_team_changes_nothing).
    "crm:customer_reassign": Route(POST_ONLY_EDIT, (302, 403)),
    "crm:duplicate_list": Route(SIGNED_IN, (405, 405), queries=("anna", 12)),
    # 14: three of them from service through crm.cards: the tasks card's open
    # tasks, the cases card's cases and the customer's average rating.
    "crm:customer_detail": Route(
        RECORD, (405, 405), customer, htmx=RECORD, queries=("anna", 14)
    ),
    "crm:customer_edit": Route(RECORD_EDIT, (404, 403), customer, queries=("anna", 8)),
    # Deleting is for managers: anna 403; the DPO cannot change it at all: 404.
    "crm:customer_delete": Route(
        row(302, 403, 404, 200, 404, 200), (404, 404), customer, queries=("maria", 4)
    ),
    "crm:customer_reviewed": Route(POST_ONLY_EDIT, (404, 403), customer),
    "crm:customer_history": Route(RECORD, (405, 405), customer, queries=("anna", 25)),
    "crm:customer_timeline": Route(
        RECORD, (404, 404), customer, htmx=RECORD, queries=("anna", 6)
    ),
    "crm:customer_sharing": Route(RECORD, (404, 403), customer, queries=("anna", 10)),
    "crm:customer_duplicates": Route(
        RECORD, (405, 405), customer, htmx=RECORD, queries=("anna", 11)
    ),
    "crm:customer_merge": Route(RECORD_EDIT, (404, 403), customer, queries=("anna", 5)),
    "crm:person_new": Route(RECORD_EDIT, (404, 403), customer, queries=("anna", 4)),
    "crm:person_detail": Route(
        RECORD,
        (405, 405),
        lambda w: {"pk": w.nord.pk, "person_pk": w.person.pk},
        htmx=RECORD,
        queries=("anna", 8),
    ),
    "crm:person_edit": Route(
        RECORD_EDIT,
        (404, 403),
        lambda w: {"pk": w.nord.pk, "person_pk": w.person.pk},
        queries=("anna", 6),
    ),
    "crm:person_delete": Route(
        POST_ONLY_EDIT,
        (404, 403),
        lambda w: {"pk": w.nord.pk, "person_pk": w.person.pk},
    ),
    "crm:address_new": Route(RECORD_EDIT, (404, 403), customer, queries=("anna", 4)),
    "crm:address_edit": Route(
        RECORD_EDIT,
        (404, 403),
        lambda w: {"pk": w.nord.pk, "address_pk": w.address.pk},
        queries=("anna", 5),
    ),
    "search": Route(
        SIGNED_IN, (405, 405), params=lambda w: {"q": "Matrix"}, queries=("anna", 6)
    ),
    # --- contracts ------------------------------------------------------------------
    "contracts:contract_list": Route(SIGNED_IN, (405, 405), queries=("anna", 6)),
    "contracts:contract_new": Route(
        RECORD_EDIT,
        (404, 403),
        params=lambda w: {"customer": w.nord.pk},
        queries=("anna", 7),
    ),
    "contracts:contract_detail": Route(
        RECORD, (405, 405), contract, queries=("anna", 14)
    ),
    "contracts:contract_edit": Route(
        RECORD_EDIT, (404, 403), contract, queries=("anna", 8)
    ),
    "contracts:contract_history": Route(
        RECORD, (405, 405), contract, queries=("anna", 15)
    ),
    "contracts:contract_notice": Route(
        RECORD_EDIT, (404, 403), contract, queries=("anna", 4)
    ),
    "contracts:document_upload": Route(POST_ONLY_EDIT, (404, 403), contract),
    "contracts:document_download": Route(
        RECORD,
        (405, 405),
        lambda w: {"pk": w.contract.pk, "version_pk": w.version.pk},
        queries=("anna", 6),
    ),
    "contracts:deadline_calendar": Route(
        SIGNED_IN,
        (405, 405),
        params=lambda w: {"month": f"{w.contract.last_notice_day:%Y-%m}"},
        queries=("anna", 4),
    ),
    # The DPO may read the page but not acknowledge (no edit rights).
    "contracts:reminder_acknowledge": Route(
        RECORD, (404, 403), lambda w: {"pk": w.reminder.pk}, queries=("anna", 4)
    ),
    "contracts:calendar_feed_settings": Route(
        SIGNED_IN, (302, 302), queries=("anna", 4)
    ),
    # The secret address is the credential: anyone holding it reads the feed.
    "contracts:calendar_feed": Route(
        PUBLIC, (405, 405), lambda w: {"token": w.feed.token}, queries=("anonymous", 3)
    ),
    "contracts:deadline_calculator": Route(SIGNED_IN, (405, 405), queries=("anna", 3)),
    # --- compliance (DPO and Admin) -------------------------------------------------
    # The dashboard; its trainings panel: the members and their latest trainings.
    "compliance:index": Route(DPO_PAGE, (403, 405), queries=("dora", 15)),
    "compliance:activity_list": Route(DPO_PAGE, (403, 405), queries=("dora", 4)),
    "compliance:activity_new": Route(DPO_PAGE, (403, 400), queries=("dora", 3)),
    "compliance:activity_edit": Route(
        DPO_PAGE, (403, 400), lambda w: {"pk": w.activity.pk}, queries=("dora", 6)
    ),
    "compliance:request_list": Route(DPO_PAGE, (403, 405), queries=("dora", 4)),
    "compliance:request_new": Route(DPO_PAGE, (403, 400), queries=("dora", 3)),
    "compliance:request_detail": Route(
        DPO_PAGE, (403, 405), data_request, queries=("dora", 10)
    ),
    "compliance:request_update": Route(POST_ONLY_DPO, (403, 400), data_request),
    "compliance:request_extend": Route(POST_ONLY_DPO, (403, 400), data_request),
    "compliance:request_close": Route(POST_ONLY_DPO, (403, 400), data_request),
    # The erasure plan asks every registry entry for the person's rows and scans
    # the free text of the others: service.Task added two (its rows, its titles),
    # service.Case and CaseRating eight (rows, holds, the free text of each).
    "compliance:request_erase": Route(
        DPO_PAGE, (403, 400), data_request, queries=("dora", 46)
    ),
    # Without the version it was read at, the DPO's change is refused as stale.
    "compliance:request_recipients_told": Route(
        POST_ONLY_DPO, (403, 409), data_request
    ),
    "compliance:request_action": Route(
        POST_ONLY_DPO,
        (403, 409),
        lambda w: {"pk": w.request.pk, "action": "restrict"},
    ),
    "compliance:report_new": Route(POST_ONLY_DPO, (403, 302), data_request),
    "compliance:report_detail": Route(
        DPO_PAGE,
        (403, 405),
        lambda w: {"pk": w.report.pk},
        htmx=DPO_PAGE,
        queries=("dora", 4),
    ),
    "compliance:report_download": Route(
        DPO_PAGE,
        (403, 405),
        lambda w: {"pk": w.report.pk, "kind": "pdf"},
        queries=("dora", 7),
    ),
    "compliance:retention_rules": Route(DPO_PAGE, (403, 400), queries=("dora", 5)),
    "compliance:retention_rule_edit": Route(
        DPO_PAGE, (403, 400), lambda w: {"pk": w.rule.pk}, queries=("dora", 6)
    ),
    "compliance:access_log": Route(DPO_PAGE, (403, 405), queries=("dora", 5)),
    # session+user+company, OTP device, roles+teams, the members with their
    # latest trainings (two), the form's members; an empty POST: the errors.
    "compliance:trainings": Route(DPO_PAGE, (403, 400), queries=("dora", 6)),
    # A mistaken entry deleted (history keeps it); another company's is a 404.
    "compliance:training_delete": Route(
        POST_ONLY_DPO, (403, 302), lambda w: {"pk": w.training.pk}
    ),
    # Every user's own trainings (the page the training gate leads to):
    # session+user+company, OTP device, roles+teams, the trainings.
    "training:status": Route(SIGNED_IN, (405, 405), queries=("anna", 4)),
    # --- consents and disclosures (cards on the person and customer pages) ----------
    "consents:person": Route(
        RECORD,
        (404, 404),
        lambda w: {"person_pk": w.person.pk},
        htmx=RECORD,
        queries=("anna", 6),
    ),
    "consents:withdraw": Route(
        POST_ONLY_READ,
        (404, 404),
        lambda w: {"person_pk": w.person.pk, "pk": w.consent.pk},
    ),
    # The links in e-mails: the token is the credential, no login; POST is the
    # person's own click (confirm, withdraw), not a change of master data.
    "consents:confirm": Route(
        PUBLIC,
        (200, 200),
        lambda w: {"token": w.consent.confirm_token},
        queries=("anonymous", 1),
    ),
    "consents:withdraw_link": Route(
        PUBLIC,
        (200, 200),
        lambda w: {"token": w.consent.withdraw_token},
        queries=("anonymous", 1),
    ),
    "disclosures:customer": Route(
        RECORD,
        (404, 404),
        lambda w: {"customer_pk": w.nord.pk},
        htmx=RECORD,
        queries=("anna", 9),
    ),
}

# Cells where today's code differs from the intended rule and another branch fixes
# it: (route, method, user) -> reason. Remove after merging.
PENDING: dict[tuple[str, str, str], str] = {}


def resolver_routes() -> dict[str, str]:
    """Every named route of the project: name -> pattern, as the resolver has them."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str | None, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = (
                        f"{namespace}:{pattern.namespace}"
                        if namespace
                        else pattern.namespace
                    )
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, None, "")
    return {
        name: route
        for name, route in found.items()
        if name.split(":")[0] not in EXCLUDED_NAMESPACES and name not in EXCLUDED_NAMES
    }


# --- The records --------------------------------------------------------------------


def _seed() -> SimpleNamespace:
    from accounts.models import Team, User
    from compliance import services as compliance
    from compliance.models import (
        AccessReport,
        ProcessingActivity,
        ReportStatus,
        RetentionRule,
        Training,
    )
    from contracts import services as contracts
    from contracts.models import Reminder
    from service import cases, followups, ratings

    call_command("seed_demo", stdout=io.StringIO())
    users = {user.username: user for user in User.objects.filter(username__in=USERS)}
    anna, dora = users["anna"], users["dora"]
    nord = make_customer(anna, "Nord", name="Nordlicht Matrix GmbH")
    person = add_person(nord, anna, first_name="Nina", last_name="Nordmann")
    address = add_address(nord, anna)
    # One of each kind a page may show, so that a page's conditional steps (the
    # other persons of a timeline, a duplicate's customers) run at both sizes.
    colleague = add_person(nord, anna, first_name="Otto", last_name="Nordmann")
    log_interactions(
        nord, anna, kind="letter", subject="Matrix besprochen",
        persons=[person, colleague],
    )  # fmt: skip
    twin = make_customer(anna, "Nord", name="Nordlicht Matrix Zwei GmbH")
    add_person(twin, anna, last_name="Zwilling")  # the same e-mail as Nina's
    add_address(twin, anna)  # and the same postcode
    deal = make_contract(nord, anna)
    upload = SimpleUploadedFile("Vertrag.pdf", PDF)
    version = contracts.document_upload(
        contract=deal,
        actor=anna,
        upload=upload,
        checked=_checked(upload),
        title="Vertrag",
    )
    reminder = Reminder.objects.create(
        contract=deal, kind="notice", deadline=date(2025, 9, 30), lead_days=30,
        recipient=anna,
    )  # fmt: skip
    request = open_request(dora, person=person, kind="erasure")
    report = AccessReport.objects.create(
        request=request, person=person, requested_by=dora, status=ReportStatus.DONE
    )
    report.pdf.save("report.pdf", ContentFile(PDF), save=False)
    report.json.save("report.json", ContentFile(b"{}"), save=False)
    report.save()
    consent = compliance.consent_record(
        person=person, purpose="newsletter", source="web_form", actor=anna
    )
    task = followups.task_create(
        actor=anna, customer=nord, title="Matrix Rückruf", due_on=timezone.localdate(),
        assignee=anna, person=person, contract=deal,
    )  # fmt: skip
    case = cases.case_create(
        actor=anna, customer=nord, fields={
            "subject": "Matrix Reklamation", "kind": "warranty", "priority": "high",
            "channel": "email", "person": person, "contract": deal,
            "delivered_on": date(2025, 3, 15), "consumer": True,
        },
    )  # fmt: skip
    cases.case_log_contact(
        case=case, actor=anna, persons=[person], fields={
            "kind": "email", "direction": "out", "occurred_at": timezone.now(),
            "subject": "Matrix Antwort", "text": "",
        },
    )  # fmt: skip
    rated = _resolved_case(nord, anna, person)
    rating = ratings.rating_request(case=rated, actor=anna)
    _answered_rating(nord, anna, person, comment="Matrix zufrieden")
    # Signed in with password and second factor (each demo user's own TOTP
    # device), and with the password only (the second step still to come).
    sessions, unverified = {}, {}
    for username, user in users.items():
        signed_in = Client()
        signed_in.force_login(user)
        unverified[username] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        signed_in = otp_sign_in(Client(), user)
        sessions[username] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        users=users,
        sessions=sessions,
        unverified=unverified,
        totp=TOTPDevice.objects.get(user=anna),
        nord=nord,
        person=person,
        address=address,
        contract=deal,
        version=version,
        reminder=reminder,
        request=request,
        report=report,
        activity=ProcessingActivity.objects.order_by("pk").first(),
        rule=RetentionRule.objects.order_by("pk").first(),
        training=Training.objects.filter(company_id=dora.company_id)
        .order_by("pk")
        .first(),
        consent=consent,
        task=task,
        case=case,
        rating=rating,
        feed=contracts.calendar_feed_for(user=anna),
        team=Team.objects.get(company_id=anna.company_id, name="Nord"),
    )


def _resolved_case(customer, actor, person):
    from service import cases

    case = cases.case_create(
        actor=actor, customer=customer, fields={"subject": "Matrix Reklamation",
        "kind": "complaint", "priority": "normal", "channel": "phone",
        "person": person},
    )  # fmt: skip
    return cases.case_set_status(
        case=case, actor=actor, version=case.version, status="resolved",
        resolution="Ersatz geliefert",
    )  # fmt: skip


def _answered_rating(customer, actor, person, *, score=4, comment=""):
    from service import ratings

    rating = ratings.rating_request(
        case=_resolved_case(customer, actor, person), actor=actor
    )
    return ratings.rating_answer(token=rating.token, score=score, comment=comment)


def _checked(upload):
    from contracts.documents import check_upload

    return check_upload(upload)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The records of the matrix, seeded once; rolled back after the module."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_of(name: str, world) -> str:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    params = route.params(world)
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def sign_in(client, world, username: str):
    """The client with the user's session, made once at seeding (a test's logout
    deletes its row, the rollback of the test brings it back)."""
    if username != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[username]
    return client


def cells(method: str, users=USERS, *, only=None) -> list:
    """(route, user) parameters, xfail where another branch fixes the cell."""
    params = []
    for name, route in ROUTES.items():
        if only is not None and not only(route):
            continue
        for user in users:
            reason = PENDING.get((name, method, user))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(name, user, marks=marks, id=f"{name}-{user}"))
    return params


# --- The table covers the resolver ---------------------------------------------


def test_every_route_is_in_the_table():
    routes = resolver_routes()
    missing = sorted(set(routes) - set(ROUTES))
    gone = sorted(set(ROUTES) - set(routes))
    assert (missing, gone) == ([], []), (
        f"routes without a row in ROUTES: {missing}; "
        f"rows for routes that no longer exist: {gone}"
    )


def test_every_page_has_its_query_count():
    pages = {
        name
        for name, route in ROUTES.items()
        if 200 in route.get.values() or (route.htmx and 200 in route.htmx.values())
    }
    counted = {name for name, route in ROUTES.items() if route.queries}
    assert sorted(pages - counted) == []
    assert sorted(counted - pages) == []


# --- Statuses -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "user"), cells("get"))
def test_get(db, world, client, name, user):
    response = sign_in(client, world, user).get(url_of(name, world))
    assert response.status_code == ROUTES[name].get[user]
    if response.status_code == 302 and user == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "user"), cells("htmx", only=lambda r: r.htmx))
def test_htmx_get(db, world, client, name, user):
    client = sign_in(client, world, user)
    response = client.get(url_of(name, world), headers={"HX-Request": "true"})
    assert response.status_code == ROUTES[name].htmx[user]


@pytest.mark.parametrize(("name", "user"), cells("post", ("ben", "dora")))
def test_post(db, world, client, name, user):
    response = sign_in(client, world, user).post(url_of(name, world), {})
    ben, dora = ROUTES[name].post
    assert response.status_code == {"ben": ben, "dora": dora}[user]


def test_post_by_another_team_or_the_dpo_changes_nothing(db, world, client):
    """Valid data, so that only the permission check stands between it and a write."""
    from contracts.models import Contract, Reminder
    from crm.models import Address, Customer, Interaction, Person

    nord, person = world.nord, world.person
    pk = nord.pk
    writes = {
        "crm:customer_edit": {"name": "Gekapert GmbH", "version": nord.version},
        "crm:customer_delete": {},
        "crm:customer_reviewed": {},
        "crm:customer_timeline": {
            "kind": "note", "direction": "internal",
            "occurred_at": "2026-11-20T10:00", "subject": "Eingeschleust",
        },
        "crm:person_new": {"last_name": "Fremd", "email": "fremd@example.com"},
        "crm:person_delete": {},
        "crm:address_new": {
            "purpose": "postal", "street": "Weg 1", "postcode": "12345",
            "city": "Berlin", "country": "DE",
        },
        "crm:customer_sharing": {"user": world.users["ben"].pk, "can_edit": "on"},
        "contracts:contract_notice": {
            "version": world.contract.version, "given_by": "Kunde",
            "channel": "letter", "received_at": "2025-03-01T10:00",
        },
        "contracts:reminder_acknowledge": {},
        "consents:withdraw": {},
        "disclosures:customer": {
            "recipient": "Fremde GmbH", "what": "Adresse", "disclosed_on": "2025-03-01",
        },
        "service:customer_tasks": {
            "title": "Eingeschleust", "due_on": "2026-12-01",
            "assignee": world.users["ben"].pk, "priority": "normal",
        },
        "service:task_detail": {
            "title": "Gekapert", "due_on": "2026-12-01", "priority": "normal",
            "assignee": world.users["anna"].pk, "version": world.task.version,
        },
        "service:task_complete": {},
    }  # fmt: skip

    def state():
        nord_row = Customer.objects.filter(pk=pk).values("version", "name").first()
        return {
            "customer": nord_row,
            "persons": Person.objects.filter(customer_id=pk).count(),
            "addresses": Address.objects.filter(customer_id=pk).count(),
            "interactions": Interaction.objects.filter(customer_id=pk).count(),
            "grants": nord.customeruserobjectpermission_set.count(),
            "contract": Contract.objects.filter(pk=world.contract.pk)
            .values("version", "status")
            .first(),
            "acknowledged": Reminder.objects.filter(
                pk=world.reminder.pk, acknowledged_at__isnull=False
            ).exists(),
            "consent": person.consents.filter(withdrawn_at__isnull=False).count(),
            "disclosures": nord.disclosures.count(),
            "tasks": list(nord.tasks.values_list("title", "version", "done_at")),
        }

    before = state()
    for username in ("ben", "dora"):
        client = sign_in(client, world, username)
        for name, data in writes.items():
            if (name, "post", username) in PENDING:
                continue
            response = client.post(url_of(name, world), data)
            assert response.status_code in (403, 404), (username, name)
    assert state() == before
    reassign = sign_in(client, world, "ben").post(
        reverse("crm:customer_reassign"),
        {"customers": [pk], "owner": world.users["ben"].pk},
    )
    assert reassign.status_code == 302
    assert Customer.objects.get(pk=pk).owner == world.users["anna"]


# --- Query counts at two data sizes -----------------------------------------------


def count_queries(client, world, name: str, *, htmx: bool = False) -> int:
    url = url_of(name, world)
    headers = {"HX-Request": "true"} if htmx else {}

    def get():
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        if response.streaming:  # the CSV export and downloads read as they stream
            b"".join(response.streaming_content)
        return response

    get()  # warm: content types, translations, the cached counts and choices
    with CaptureQueriesContext(connection) as queries:
        get()
    return len(queries)


COUNTED = [
    pytest.param(name, id=name) for name, route in ROUTES.items() if route.queries
]


@pytest.fixture(scope="module")
def grown(world):
    """More of everything each counted page shows, visible to its user."""
    _grow(world, count=4)
    return world


def _grow(world, *, count: int) -> None:
    from accounts import services as accounts
    from accounts.models import Team
    from compliance import services as compliance
    from compliance.models import AccessReport, ReportStatus
    from compliance.trainings import training_record
    from contracts import services as contracts
    from contracts.models import Reminder
    from service import cases, followups

    users = world.users
    anna, dora, maria = users["anna"], users["dora"], users["maria"]
    nord_team = Team.objects.get(name="Nord")
    for number in range(count):
        other = make_customer(anna, "Nord", name=f"Matrix Nord {number} GmbH")
        contact = add_person(other, anna, last_name=f"Matrixer {number}")
        add_address(other, anna)
        log_interactions(other, anna, 2, persons=[contact])
        # running now, so that the calendar feed lists them
        start = (timezone.localdate() - timedelta(days=300)).replace(day=1)
        make_contract(
            other, anna, title=f"Matrix {number}", today=timezone.localdate(),
            concluded_on=start, start=start,
        )  # fmt: skip
        # on the record itself: persons, addresses, timeline, contracts, files
        extra = add_person(world.nord, anna, last_name=f"Nordmann {number}")
        add_address(world.nord, anna, purpose="delivery" if number else "billing")
        log_interactions(world.nord, anna, 3, persons=[world.person, extra])
        make_contract(world.nord, anna, title=f"Zusatz {number}")
        upload = SimpleUploadedFile(f"Anlage-{number}.pdf", PDF)
        contracts.document_upload(
            contract=world.contract, actor=anna, upload=upload,
            checked=_checked(upload), title=f"Anlage {number}",
        )  # fmt: skip
        Reminder.objects.create(
            contract=world.contract, kind="term_end", deadline=date(2025, 12, 31),
            lead_days=90 - number, recipient=maria if number % 2 else anna,
        )  # fmt: skip
        compliance.disclosure_record(
            customer=world.nord, actor=anna,
            fields={"recipient": f"Empfänger {number}", "what": "Adresse",
                    "disclosed_on": date(2025, 3, number + 1)},
        )  # fmt: skip
        request = open_request(dora, person=contact, kind="access")
        AccessReport.objects.create(
            request=request, person=contact, requested_by=dora,
            status=ReportStatus.DONE,
        )  # fmt: skip
        compliance.activity_create(
            actor=dora,
            fields={"name": f"Verarbeitung {number}", "purpose": "Zweck",
                    "legal_basis": "contract", "data_categories": ["contact_data"],
                    "retention": "6 Jahre"},
        )  # fmt: skip
        compliance.rule_create(
            actor=dora,
            fields={"name": f"Regel {number}", "kind": "former_customers",
                    "years": 6 + number},
        )  # fmt: skip
        compliance.consent_record(
            person=extra, purpose="phone_marketing", source="phone", actor=anna
        )
        # tasks on the record and on others, overdue, today and this week, with
        # persons and contracts; the matrix's task changed (its history grows)
        for customer, named in ((world.nord, extra), (other, contact)):
            followups.task_create(
                actor=anna, customer=customer, title=f"Matrix Aufgabe {number}",
                due_on=timezone.localdate() + timedelta(days=number - 1),
                assignee=anna, person=named,
            )  # fmt: skip
        world.task.refresh_from_db()
        followups.task_update(
            task=world.task, actor=anna, version=world.task.version,
            title=f"Matrix Rückruf {number}", due_on=world.task.due_on,
            assignee=anna, person=world.person, contract=world.contract,
        )  # fmt: skip
        # cases on the record and on others; the matrix's case worked on (its
        # timeline grows: changes and contacts)
        for customer, named in ((world.nord, extra), (other, contact)):
            cases.case_create(
                actor=anna, customer=customer, fields={
                    "subject": f"Matrix Fall {number}", "kind": "complaint",
                    "priority": "normal", "channel": "phone", "person": named,
                },
            )  # fmt: skip
        world.case.refresh_from_db()
        cases.case_log_contact(
            case=world.case, actor=anna, persons=[extra], fields={
                "kind": "call", "direction": "in", "occurred_at": timezone.now(),
                "subject": f"Matrix Anruf {number}", "text": "",
            },
        )  # fmt: skip
        cases.case_update(
            case=world.case, actor=anna, version=world.case.version, fields={
                "subject": f"Matrix Reklamation {number}", "kind": "warranty",
                "priority": "high", "channel": "email", "person": world.person,
                "contract": world.contract, "owner": anna,
                "team": world.case.team, "delivered_on": date(2025, 3, 15),
                "consumer": True,
            },
        )  # fmt: skip
        # answered ratings of cases of other teams' owners and of the record's:
        # the report's rows and comments grow
        _answered_rating(
            other, anna, contact, score=1 + number, comment=f"Matrix {number}"
        )
        sued = make_customer(users["ben"], "Süd", name=f"Matrix Süd {number} GmbH")
        _answered_rating(
            sued, users["ben"], add_person(sued, users["ben"], last_name="Sud"),
            score=5, comment=f"Süd {number}",
        )  # fmt: skip
        Client().force_login(anna)  # another browser of hers (the session list)
        user = accounts.user_create(
            username=f"matrix{number}", password=None, roles=["Staff"], actor=None
        )
        accounts.team_add_members(team=nord_team, users=[user], actor=None)
        # a member trained, so that the trainings page and panel list more
        if number % 2:
            held = timezone.localdate() - timedelta(days=400)
            training_record(
                actor=dora, users=[user], held_on=held, topic=f"Schulung {number}",
                valid_until=held + timedelta(days=380 + 10 * number),
            )  # fmt: skip


def _expected(name: str) -> tuple[str, int]:
    return ROUTES[name].queries


@pytest.mark.parametrize("name", COUNTED)
def test_query_count(db, world, client, name):
    user, expected = _expected(name)
    assert count_queries(sign_in(client, world, user), world, name) == expected


# Last in the module: `grown` adds its rows to the module's data for good.
# Pages whose count still grows with the data: (route) -> why it is left.
GROWS: dict[str, str] = {}  # route -> why its count grows (xfail); none now
GROWN = [
    pytest.param(
        name,
        id=name,
        marks=[pytest.mark.xfail(strict=True, reason=GROWS[name])]
        if name in GROWS
        else [],
    )
    for name, route in ROUTES.items()
    if route.queries
]


@pytest.mark.parametrize("name", GROWN)
def test_query_count_with_more_data(db, grown, client, name):
    user, expected = _expected(name)
    assert count_queries(sign_in(client, grown, user), grown, name) == expected


# --- Without the second factor ----------------------------------------------------

# What a session that passed only the password may open (accounts.middleware):
# the pages anonymous visitors may open anyway, the second step itself, logging
# out, and the passkey ceremonies (which check the session themselves).
OPEN_BEFORE_SECOND_STEP = {"accounts:verify", "logout"}


def test_the_second_step_opens_no_more_than_it_says():
    from accounts.middleware import SECOND_STEP_NAMESPACES, SECOND_STEP_ROUTES

    assert SECOND_STEP_ROUTES == OPEN_BEFORE_SECOND_STEP
    assert {"otp_webauthn"} == SECOND_STEP_NAMESPACES


def _closed_before_second_step(name: str) -> bool:
    route = ROUTES[name]
    public = route.get["anonymous"] != 302  # no login needed at all
    return not (
        public or name in OPEN_BEFORE_SECOND_STEP or name.startswith("otp_webauthn:")
    )


def admin_urls() -> list[tuple[str, str]]:
    """Every named URL of the Django admin, with sample arguments (the second
    step is asked before any admin view runs)."""
    from django.contrib import admin

    samples = {"app_label": "accounts", "object_id": "1", "content_type_id": "1"}
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name:
                regex = pattern.pattern.regex
                if regex.groupindex:
                    kwargs = {key: samples.get(key, "1") for key in regex.groupindex}
                    url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
                else:
                    url = reverse(f"admin:{pattern.name}", args=["1"] * regex.groups)
                found.append((pattern.name, url))

    walk(admin.site.urls[0])
    return found


CLOSED = [name for name in ROUTES if _closed_before_second_step(name)]


@pytest.mark.parametrize("user", ["dora", "admin", "maria"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_page_before_the_second_step(db, world, client, user, method):
    """dora, admin and maria signed in with the password only: every page but the
    second step sends them to it, with the page to go on to afterwards."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world.unverified[user]
    verify = reverse("accounts:verify")
    urls = [(name, url_of(name, world)) for name in CLOSED]
    urls += [(f"admin:{name}", url) for name, url in admin_urls() if name != "login"]
    assert len(urls) > 60 + 20  # the project's pages and the admin's
    wrong = {}
    for name, url in urls:
        response = getattr(client, method)(url)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(f"{verify}?next="):
            wrong[name] = (response.status_code, location)
    assert wrong == {}


def test_the_admin_has_no_login_page_of_its_own(db, client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


def test_the_second_step_page_asks_for_the_code(db, world, client):
    client.cookies[settings.SESSION_COOKIE_NAME] = world.unverified["dora"]
    response = client.get(reverse("accounts:verify"))
    assert response.status_code == 200
    assert b'name="code"' in response.content
