"""Every write of the compliance app: one transaction each, with the acting user."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Company, User
from accounts.numbers import next_number
from accounts.permissions import access_of, company_for
from accounts.roles import COMPLIANCE_ROLES
from compliance import deadlines, freetext
from compliance.erasure import person_erase, report_files_delete
from compliance.models import (
    DOUBLE_OPT_IN,
    AccessAction,
    AccessLog,
    AccessReport,
    Consent,
    ConsentStatus,
    ConsentText,
    DataSubjectRequest,
    Disclosure,
    Erasure,
    FreeTextAction,
    FreeTextDecision,
    ProcessingActivity,
    ReportStatus,
    RequestKind,
    RequestStatus,
    RetentionHold,
    RetentionRule,
    new_consent_token,
)
from compliance.registry import entry as registry_entry
from core import audit, outbox
from core.errors import DomainError, PermissionRefused, allowed, messages
from core.holidays import company_holidays
from core.models import OutboxMessage
from core.outbox import site_url
from core.versioning import lock_version, update_versioned
from crm import policy
from crm.models import Customer, Person

OPEN_CONSENT = (ConsentStatus.PENDING, ConsentStatus.GRANTED)


class RequestRefused(DomainError):
    """A change the request's state or the law does not allow (the code says
    which; its message says why, for the page)."""

    code = "request_refused"


messages(
    {
        "request_refused": gettext_lazy("The request does not allow this."),
        "free_text_undecided": gettext_lazy(
            "Free text still names the person in %(count)s place(s): clear or "
            "keep each one (with a reason) before erasing."
        ),
        "request_closed": gettext_lazy("The request is closed."),
        "request_already_extended": gettext_lazy(
            "The request has already been extended."
        ),
        "extension_too_late": gettext_lazy(
            "Too late: an extension must be told within the first month."
        ),
        "extension_needs_reason": gettext_lazy(
            "An extension needs its reasons (Art. 12(3) GDPR)."
        ),
        "request_close_status": gettext_lazy(
            "A request is closed as done or rejected."
        ),
        "identity_method_missing": gettext_lazy("Say how the identity was checked."),
        "free_text_not_erasure": gettext_lazy(
            "Only an open erasure request decides on free text."
        ),
        "request_without_person": gettext_lazy("Link the request to a person first."),
        "free_text_gone": gettext_lazy("This text no longer names the person."),
        "free_text_keep_reason": gettext_lazy("Say why this text is kept."),
        "request_not_erasure": gettext_lazy("Only an erasure request erases data."),
        "identity_not_checked": gettext_lazy(
            "Check the requester's identity first (Art. 12(6) GDPR)."
        ),
        "consent_no_wording": gettext_lazy("There is no wording for this purpose yet."),
        "consent_already_recorded": gettext_lazy("This consent is already recorded."),
        "consent_no_email": gettext_lazy(
            "The person has no e-mail address to confirm with."
        ),
        "consent_link_invalid": gettext_lazy("This link is not valid."),
        "consent_not_effective": gettext_lazy(
            "This consent was withdrawn or has lapsed."
        ),
        "consent_needed_for_marketing": gettext_lazy(
            "Without an effective consent no advertising."
        ),
        "request_other_kind": gettext_lazy(
            "This action belongs to another kind of request."
        ),
        "restriction_held": gettext_lazy(
            "A retention hold keeps this customer restricted."
        ),
        "compliance_only": gettext_lazy(
            "Only the data protection officer and administrators may do this."
        ),
    }
)


# What the services set from outside (forms, the API, imports); the rest is theirs.
ACTIVITY_FIELDS = frozenset(
    {
        "name", "purpose", "legal_basis", "legitimate_interest", "data_subjects",
        "data_categories", "recipients", "third_countries", "retention", "source",
        "security_measures", "active",
    }
)  # fmt: skip
REQUEST_FIELDS = frozenset(
    {
        "kind", "person", "subject_name", "received_on", "channel",
        "identity_method", "identity_checked_at", "note", "status", "closed_on",
    }
)  # fmt: skip
RULE_FIELDS = frozenset({"name", "kind", "years", "active"})
DISCLOSURE_FIELDS = frozenset({"recipient", "what", "disclosed_on", "person"})


def _require_dpo(actor) -> None:
    """The compliance records are kept by the DPO and Admin (the system too)."""
    policy.require_role(actor, COMPLIANCE_ROLES, "compliance_only")


# --- Access log --------------------------------------------------------------------


def access_record(
    *,
    user: User,
    action: str,
    what: str,
    customer_id: int | None = None,
    person_id: int | None = None,
    customers: QuerySet | None = None,
    rows: list[tuple[int, int | None]] | None = None,
) -> None:
    """Write access log rows (settings.ACCESS_RECORDER; called through core.access).

    For an export, one row per exported customer in a single INSERT ... SELECT
    from the export's own query, so the log is as exact as the export. `rows`
    (search results, cards naming several customers): one row each, one INSERT.
    """
    company = access_of(user).company_id  # the user's company: no query
    if rows is not None:
        AccessLog.objects.bulk_create(
            AccessLog(
                company_id=company,
                user=user,
                action=action,
                what=what[:100],
                customer_id=row_customer,
                person_id=row_person,
            )
            for row_customer, row_person in rows
        )
        return
    if customers is None:
        AccessLog.objects.create(
            company_id=company,
            user=user,
            action=action,
            what=what[:100],
            customer_id=customer_id,
            person_id=person_id,
        )
        return
    ids = customers.order_by().values(logged_customer=F("pk"))
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO compliance_accesslog"
            " (at, company_id, user_id, action, what, customer_id)"
            f" SELECT now(), %s, %s, %s, %s, logged_customer FROM ({sql}) AS visible",
            [company, user.pk, action, what[:100], *params],
        )


# --- Record of processing activities (Art. 30) -------------------------------------


@transaction.atomic
def activity_create(
    *, actor: User | None, fields: dict, company: Company | int | None = None
) -> ProcessingActivity:
    """Add a processing activity to the Art. 30 register."""
    _require_dpo(actor)
    activity = ProcessingActivity(
        company_id=company_for(actor, company), **allowed(fields, ACTIVITY_FIELDS)
    )
    audit.save(activity, actor=actor)
    return activity


@transaction.atomic
def activity_update(
    *, activity: ProcessingActivity, actor: User, version: int, fields: dict
) -> ProcessingActivity:
    """Save changes made on `version`; refuse when someone saved meanwhile."""
    _require_dpo(actor)
    fields = allowed(fields, ACTIVITY_FIELDS)
    return update_versioned(activity, actor=actor, version=version, fields=fields)


# --- Data-subject requests (Art. 12, 15-21) ----------------------------------------


@transaction.atomic
def request_create(
    *, actor: User | None, fields: dict, company: Company | int | None = None
) -> DataSubjectRequest:
    """Open a request; its due date follows Art. 12(3) from the day of receipt."""
    _require_dpo(actor)
    received: date = allowed(fields, REQUEST_FIELDS)["received_on"]
    company = Company.objects.get(pk=company_for(actor, company))
    person = fields.get("person")
    if person is not None and person.company_id != company.pk:
        raise PermissionRefused(code="other_company")
    request = DataSubjectRequest(
        company=company,
        number=next_number(company.pk, "request", "DS"),
        due_on=deadlines.answer_due(received, company_holidays(received.year, company)),
        handled_by=actor,
        **fields,
    )
    audit.save(request, actor=actor)
    return request


@transaction.atomic
def request_update(
    *, request: DataSubjectRequest, actor: User, version: int, fields: dict
) -> DataSubjectRequest:
    """Change status, identity check, note or person; closing sets the day."""
    _require_dpo(actor)
    locked = lock_version(request, version)
    if not locked.is_open:
        raise RequestRefused(code="request_closed")
    for name, value in allowed(fields, REQUEST_FIELDS).items():
        setattr(locked, name, value)
    if "received_on" in fields:
        locked.due_on = _due(locked)
    if not locked.is_open:
        locked.closed_on = fields.get("closed_on") or timezone.localdate()
    locked.version = version + 1
    audit.save(locked, actor=actor)
    return locked


@transaction.atomic
def request_extend(
    *,
    request: DataSubjectRequest,
    actor: User,
    version: int,
    reason: str,
    today: date,
) -> DataSubjectRequest:
    """Extend by two further months (Art. 12(3) s. 2): once, with a reason, and
    only while the first month runs (the person must be told within it)."""
    _require_dpo(actor)
    locked = lock_version(request, version)
    if not locked.is_open:
        raise RequestRefused(code="request_closed")
    if locked.extended:
        raise RequestRefused(code="request_already_extended")
    if today > locked.due_on:
        raise RequestRefused(code="extension_too_late")
    if not reason.strip():
        raise RequestRefused(code="extension_needs_reason")
    locked.extended = True
    locked.extension_reason = reason.strip()
    locked.due_on = _due(locked)
    locked.version = version + 1
    audit.save(locked, actor=actor, reason=_("Extended by two months"))
    return locked


def _due(request: DataSubjectRequest) -> date:
    received = request.received_on
    holidays = company_holidays(received.year, request.company)
    if request.extended:
        return deadlines.extended_due(received, holidays)
    return deadlines.answer_due(received, holidays)


def request_close(
    *, request: DataSubjectRequest, actor: User, version: int, status: str, today: date
) -> DataSubjectRequest:
    """Mark a request done or rejected on `today`."""
    _require_dpo(actor)
    if status not in (RequestStatus.DONE, RequestStatus.REJECTED):
        raise RequestRefused(code="request_close_status")
    return request_update(
        request=request,
        actor=actor,
        version=version,
        fields={"status": status, "closed_on": today},
    )


@transaction.atomic
def request_identity_check(
    *, request: DataSubjectRequest, actor: User, version: int, method: str, now
) -> DataSubjectRequest:
    """Record how the requester's identity was checked (Art. 12(6) GDPR), and when."""
    _require_dpo(actor)
    locked = lock_version(request, version)
    if not locked.is_open:
        raise RequestRefused(code="request_closed")
    method = method.strip()
    if not method:
        raise RequestRefused(code="identity_method_missing")
    locked.identity_method = method
    if locked.identity_checked_at is None:
        locked.identity_checked_at = now
    locked.version = version + 1
    audit.save(locked, actor=actor, reason=_("Identity checked"))
    return locked


def _open_erasure(request: DataSubjectRequest) -> DataSubjectRequest:
    locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open or locked.kind != RequestKind.ERASURE:
        raise RequestRefused(code="free_text_not_erasure")
    if locked.person_id is None:
        raise RequestRefused(code="request_without_person")
    return locked


def _free_text_match(locked: DataSubjectRequest, key: str) -> freetext.Match:
    """The match `key` names, found again by scanning (never trusted from a form)."""
    for match in freetext.matches(locked.person):
        if match.key == key:
            return match
    raise RequestRefused(code="free_text_gone")


@transaction.atomic
def request_free_text_clear(
    *, request: DataSubjectRequest, actor: User, key: str
) -> FreeTextDecision:
    """Replace the person's name, e-mails and phones in one free-text match by
    "[gelöscht]" (live row and history rows) and record the decision."""
    _require_dpo(actor)
    locked = _open_erasure(request)
    match = _free_text_match(locked, key)
    freetext.clear(locked.person, match)
    return FreeTextDecision.objects.create(
        request=locked,
        label=match.label,
        object_id=match.object_id,
        field=match.field,
        action=FreeTextAction.CLEARED,
        decided_by=actor,
    )


@transaction.atomic
def request_free_text_keep(
    *, request: DataSubjectRequest, actor: User, key: str, reason: str
) -> FreeTextDecision:
    """Keep a free-text match as it is, with the reason (required, recorded)."""
    _require_dpo(actor)
    reason = reason.strip()
    if not reason:
        raise RequestRefused(code="free_text_keep_reason")
    locked = _open_erasure(request)
    match = _free_text_match(locked, key)
    decision, _created = FreeTextDecision.objects.update_or_create(
        request=locked,
        label=match.label,
        object_id=match.object_id,
        field=match.field,
        defaults={
            "action": FreeTextAction.KEPT,
            "reason": reason,
            "decided_by": actor,
        },
    )
    return decision


def _undecided_free_text(locked: DataSubjectRequest) -> int:
    """Free-text matches the DPO has neither cleared (they no longer match) nor
    kept with a reason: after the erasure the scan could not find them again."""
    kept = set(
        locked.free_text_decisions.filter(action=FreeTextAction.KEPT).values_list(
            "label", "object_id", "field"
        )
    )
    return sum(
        (m.label, m.object_id, m.field) not in kept
        for m in freetext.matches(locked.person)
    )


@transaction.atomic
def request_erase(
    *, request: DataSubjectRequest, actor: User, version: int, today: date
) -> Erasure:
    """Carry out an erasure request: erase the person (holds restrict instead),
    then close the request with a note that names no personal data."""
    _require_dpo(actor)
    locked = lock_version(request, version)
    if not locked.is_open:
        raise RequestRefused(code="request_closed")
    if locked.kind != RequestKind.ERASURE:
        raise RequestRefused(code="request_not_erasure")
    if locked.person_id is None:
        raise RequestRefused(code="request_without_person")
    if locked.identity_checked_at is None:
        raise RequestRefused(code="identity_not_checked")
    undecided = _undecided_free_text(locked)
    if undecided:
        raise RequestRefused(code="free_text_undecided", count=undecided)
    erasure = person_erase(
        person=locked.person, request=locked, actor=actor, today=today
    )
    locked.refresh_from_db()  # its requester's name went with the erasure
    held = erasure.holds.count()
    locked.status = RequestStatus.DONE
    locked.closed_on = today
    locked.note = (
        _("Erased. %(held)s records are restricted until their retention ends.")
        % {"held": held}
        if held
        else _("Erased completely.")
    )
    locked.version = version + 1
    audit.save(locked, actor=actor, reason=_("Erased"))
    return erasure


# --- Access report (Art. 15) and portable export (Art. 20) ---------------------------


@transaction.atomic
def access_report_request(
    *, request: DataSubjectRequest, actor: User, language: str
) -> AccessReport:
    """Queue the report of the request's person; a Celery task makes it."""
    _require_dpo(actor)
    from compliance.tasks import access_report_task

    if request.person_id is None:
        raise RequestRefused(code="request_without_person")
    report = AccessReport.objects.create(
        request=request, person=request.person, requested_by=actor, language=language
    )
    transaction.on_commit(lambda: access_report_task.delay(report.pk))
    return report


def _progress(report: AccessReport, percent: int, **fields) -> None:
    # Each step committed on its own: the page polling the report sees it.
    AccessReport.objects.filter(pk=report.pk).update(
        progress=percent, updated_at=timezone.now(), **fields
    )


# Longer than a task may run (CELERY_TASK_TIME_LIMIT, 15 minutes): a report not
# touched for this long has no worker any more.
REPORT_STUCK_AFTER = timedelta(minutes=20)


def access_reports_sweep(*, now) -> int:
    """Queue again the reports left queued or running by a lost task; how many."""
    from compliance.tasks import access_report_task

    stuck = list(
        AccessReport.objects.filter(
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
            updated_at__lt=now - REPORT_STUCK_AFTER,
        ).values_list("pk", flat=True)
    )
    for report_id in stuck:
        with transaction.atomic():
            # Touched first: the next sweep leaves it to this new task.
            AccessReport.objects.filter(pk=report_id).update(updated_at=now)
            transaction.on_commit(
                lambda report_id=report_id: access_report_task.delay(report_id)
            )
    return len(stuck)


def access_report_build(*, report_id: int) -> AccessReport | None:
    """Make the PDF and JSON of a queued report (run by the task; idempotent)."""
    from django.core.files.base import ContentFile
    from pypdf import PdfReader

    from compliance import report as builder

    report = AccessReport.objects.select_related("person__customer").get(pk=report_id)
    if report.status == ReportStatus.DONE or report.person is None:
        return report
    _progress(report, 5, status=ReportStatus.RUNNING)
    try:
        collected = builder.collect(report.person, language=report.language)
        _progress(report, 30)
        # save=False: this instance still says "queued, 0 %"; saving it would
        # put the progress back. Only the file's name is written, with the step.
        report.json.save(
            "report.json", ContentFile(builder.json_bytes(collected)), save=False
        )
        _progress(report, 40, json=report.json.name)
        pdf = builder.render(collected)
        _progress(report, 90)
        report.pdf.save("report.pdf", ContentFile(pdf), save=False)
        _progress(report, 95, pdf=report.pdf.name)
    except Exception as error:  # shown to the DPO; the task may be retried
        _progress(report, 0, status=ReportStatus.FAILED, error=repr(error)[:2000])
        raise
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    _progress(
        report,
        100,
        status=ReportStatus.DONE,
        pages=pages,
        finished_at=timezone.now(),
        error="",
    )
    person = report.person
    access_record(
        user=report.requested_by,
        action=AccessAction.REPORT,
        what=f"#{report.pk}",
        customer_id=person.customer_id,
        person_id=person.pk,
    )
    report.refresh_from_db()
    return report


# --- Consents (Art. 7 GDPR, § 7 UWG) --------------------------------------------------

CONFIRM_DAYS = 30  # an unconfirmed double opt-in lapses after this


class ConsentRefused(RequestRefused):
    """A consent change that cannot be made; `message` says why."""


# The wordings a new company starts with (version 1; the DPO words new versions).
CONSENT_WORDINGS = {
    "newsletter": (
        "Ja, ich möchte den E-Mail-Newsletter mit Informationen über Produkte und "
        "Veranstaltungen erhalten. Meine Einwilligung kann ich jederzeit widerrufen, "
        "zum Beispiel über den Abmeldelink in jeder E-Mail."
    ),
    "phone_marketing": (
        "Ja, Sie dürfen mich telefonisch über Produkte und Angebote informieren. "
        "Meine Einwilligung kann ich jederzeit widerrufen."
    ),
}


def company_setup(company: Company) -> None:
    """accounts' company_setup hook: a new company's consent wordings."""
    for purpose, text in CONSENT_WORDINGS.items():
        ConsentText.objects.get_or_create(
            company=company, purpose=purpose, version=1, defaults={"text": text}
        )


@transaction.atomic
def consent_record(
    *, person: Person, purpose: str, source: str, actor: User | None
) -> Consent:
    """Record a consent with the current wording; e-mail needs double opt-in.

    For the newsletter the consent stays "waiting" until the person confirms
    by the link in the e-mail sent after commit: unconfirmed is not consent.
    """
    policy.require_change(actor, person.customer_id)
    policy.usable_persons(person.customer_id, [person])
    text = (
        ConsentText.objects.filter(company_id=person.company_id, purpose=purpose)
        .order_by("-version")
        .first()
    )
    if text is None:
        raise ConsentRefused(code="consent_no_wording")
    if Consent.objects.filter(
        person=person, purpose=purpose, status__in=OPEN_CONSENT
    ).exists():
        raise ConsentRefused(code="consent_already_recorded")
    double_opt_in = purpose in DOUBLE_OPT_IN
    if double_opt_in and not person.email:
        raise ConsentRefused(code="consent_no_email")
    consent = Consent(
        person=person,
        purpose=purpose,
        text=text,
        source=source,
        recorded_by=actor,
        status=ConsentStatus.PENDING if double_opt_in else ConsentStatus.GRANTED,
        confirmed_at=None if double_opt_in else timezone.now(),
        confirm_token=new_consent_token() if double_opt_in else None,
    )
    audit.save(consent, actor=actor)
    if double_opt_in:
        # Sent by a worker from the outbox, never inside the request: SMTP
        # trouble cannot fail the recording, and the e-mail is retried.
        outbox.enqueue([(CONFIRMATION, consent.pk)])
        transaction.on_commit(outbox.deliver_soon, robust=True)
    return consent


CONFIRMATION = "consent-confirmation"


@outbox.kind(CONFIRMATION)
def _render_confirmation(message: OutboxMessage):
    """The double opt-in e-mail, rendered when sent (nothing once it is moot)."""
    consent = (
        Consent.objects.select_related("person", "text", "company")
        .filter(pk=message.object_id)
        .first()
    )
    if consent is None or consent.status != ConsentStatus.PENDING:
        return None
    person = consent.person
    if not person.email:
        return None
    context = {
        "consent": consent,
        "person": person,
        "confirm_url": site_url()
        + reverse("consents:confirm", args=[consent.confirm_token]),
        "company_name": consent.company.name,
    }
    return outbox.render_mail(
        template="compliance/email/confirm",
        context=context,
        to=[person.email],
        language=person.preferred_language or "de",
        from_email=consent.company.sender_email,
    )


@transaction.atomic
def consent_confirm(*, token: str, now) -> Consent:
    """The double opt-in link: waiting -> given (a second click changes nothing);
    after CONFIRM_DAYS it lapses instead ("expired")."""
    consent = Consent.objects.select_for_update().filter(confirm_token=token).first()
    if consent is None:
        raise ConsentRefused(code="consent_link_invalid")
    if consent.status == ConsentStatus.PENDING:
        if now - consent.requested_at > timedelta(days=CONFIRM_DAYS):
            # Saved, not raised: the lapse is part of the proof. The caller
            # shows it (status "expired").
            consent.status = ConsentStatus.EXPIRED
            audit.save(consent, actor=None, reason=_("Not confirmed in time"))
            return consent
        consent.status = ConsentStatus.GRANTED
        consent.confirmed_at = now
        audit.save(
            consent, actor=None, reason=_("Confirmed by the person (double opt-in)")
        )
    elif consent.status != ConsentStatus.GRANTED:
        raise ConsentRefused(code="consent_not_effective")
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User | None, via: str) -> Consent:
    """Withdraw (for the future; earlier processing stays lawful, Art. 7(3))."""
    locked = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=consent.pk)
    )
    # Withdrawing only ever stops processing: whoever may change the customer,
    # and the DPO (an objection, Art. 21), may record it for the person.
    if actor is not None and not access_of(actor).roles & COMPLIANCE_ROLES:
        policy.require_change(actor, locked.person.customer_id)
    if locked.status in OPEN_CONSENT:
        locked.status = ConsentStatus.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_via = via
        audit.save(locked, actor=actor, reason=_("Withdrawn"))
    return locked


def marketing_email(
    *, consent: Consent, subject: str, body: str, html: str | None = None
):
    """A marketing e-mail that carries its withdrawal link (in the text and as
    RFC 8058 one-click List-Unsubscribe), only for an effective consent."""
    from django.core.mail import EmailMultiAlternatives

    if consent.status != ConsentStatus.GRANTED:
        raise ConsentRefused(code="consent_needed_for_marketing")
    url = site_url() + reverse("consents:withdraw_link", args=[consent.withdraw_token])
    footer = "\n\n-- \n" + _("No more of these e-mails: %(url)s") % {"url": url}
    message = EmailMultiAlternatives(
        subject=subject,
        body=body + footer,
        to=[consent.person.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if html is not None:
        unsubscribe = _("Unsubscribe")  # outside the f-string: xgettext skips those
        message.attach_alternative(
            html + f'<p><a href="{url}">{unsubscribe}</a></p>', "text/html"
        )
    return message


# --- Restriction (Art. 18) and objection (Art. 21) ----------------------------------


def _open_request_of_kind(request, version: int, kind: str) -> DataSubjectRequest:
    locked = lock_version(request, version)
    if not locked.is_open:
        raise RequestRefused(code="request_closed")
    if locked.kind != kind:
        raise RequestRefused(code="request_other_kind")
    if locked.person_id is None:
        raise RequestRefused(code="request_without_person")
    return locked


@transaction.atomic
def request_restrict(
    *, request: DataSubjectRequest, actor: User, version: int, lift: bool = False
) -> DataSubjectRequest:
    """Restrict processing (Art. 18): a private customer as a whole, or one
    contact of an organization; only stored, seen by the DPO and Admin. Or lift
    it again (the person is told first, Art. 18(3))."""
    _require_dpo(actor)
    locked = _open_request_of_kind(request, version, RequestKind.RESTRICTION)
    person = locked.person
    if (
        lift
        and RetentionHold.objects.filter(
            erasure__person_ref=person.pk, released_at__isnull=True
        ).exists()
    ):
        raise RequestRefused(code="restriction_held")
    until = None if lift else date.max
    if person.customer.kind == "private":  # the private customer as a whole
        Customer.objects.filter(pk=person.customer_id).update(restricted_until=until)
    else:  # one contact of an organization; the organization stays in use
        Person.objects.filter(pk=person.pk).update(restricted_until=until)
    locked.note = (
        _("Restriction lifted (the person was told beforehand).")
        if lift
        else _("Processing restricted: stored only, hidden from staff.")
    )
    locked.version = version + 1
    audit.save(locked, actor=actor, reason=locked.note)
    return locked


@transaction.atomic
def request_object(
    *, request: DataSubjectRequest, actor: User, version: int
) -> DataSubjectRequest:
    """An objection (Art. 21): every consent of the person is withdrawn (direct
    marketing must stop at once, Art. 21(3)); other processing is weighed by the
    DPO and noted on the request."""
    _require_dpo(actor)
    locked = _open_request_of_kind(request, version, RequestKind.OBJECTION)
    withdrawn = 0
    for consent in Consent.objects.filter(
        person_id=locked.person_id, status__in=OPEN_CONSENT
    ):
        consent_withdraw(consent=consent, actor=actor, via="objection")
        withdrawn += 1
    locked.note = _("Objection: %(count)s consents withdrawn.") % {"count": withdrawn}
    locked.version = version + 1
    audit.save(locked, actor=actor, reason=_("Objection carried out"))
    return locked


# --- Retention rules ------------------------------------------------------------------


@transaction.atomic
def rule_create(
    *, actor: User | None, fields: dict, company: Company | int | None = None
) -> RetentionRule:
    """Add a retention rule (the daily task applies active ones)."""
    _require_dpo(actor)
    rule = RetentionRule(
        company_id=company_for(actor, company), **allowed(fields, RULE_FIELDS)
    )
    audit.save(rule, actor=actor)
    return rule


@transaction.atomic
def rule_update(
    *, rule: RetentionRule, actor: User, version: int, fields: dict
) -> RetentionRule:
    """Save changes made on `version`; refuse when someone saved meanwhile."""
    _require_dpo(actor)
    fields = allowed(fields, RULE_FIELDS)
    return update_versioned(rule, actor=actor, version=version, fields=fields)


REPORT_KEEP_DAYS = 30  # a report is a copy of a person's data: not kept longer


def reports_expire(*, now) -> int:
    """Delete the files of access reports older than REPORT_KEEP_DAYS."""
    old = AccessReport.objects.filter(
        created_at__lt=now - timedelta(days=REPORT_KEEP_DAYS)
    ).exclude(pdf="", json="")
    count = 0
    for report in old:
        report_files_delete(report)
        count += 1
    return count


# --- Disclosures (Art. 19) ------------------------------------------------------


@transaction.atomic
def disclosure_record(*, customer: Customer, actor: User, fields: dict) -> Disclosure:
    """Note that the customer's (or one person's) data went to a recipient."""
    policy.require_change(actor, customer.pk)
    fields = allowed(fields, DISCLOSURE_FIELDS)
    if fields.get("person") is not None:
        policy.usable_persons(customer.pk, [fields["person"]])
    disclosure = Disclosure(customer=customer, recorded_by=actor, **fields)
    audit.save(disclosure, actor=actor)
    return disclosure


def recipients_of(person: Person) -> list[str]:
    """The recipients the person's data went to (to tell under Art. 19)."""
    rows = registry_entry("compliance.Disclosure").rows_of(person.pk)
    return sorted(set(rows.values_list("recipient", flat=True)), key=str.lower)


@transaction.atomic
def request_recipients_told(
    *, request: DataSubjectRequest, actor: User, version: int, now
) -> DataSubjectRequest:
    """Record that every recipient was told of the rectification, erasure or
    restriction (Art. 19)."""
    _require_dpo(actor)
    return update_versioned(
        request, actor=actor, version=version, fields={"recipients_told_at": now}
    )
