"""Cases (complaints, warranty claims, service requests): every write on them.

A case hangs on a customer and is visible exactly when its customer is (like
tasks); who may change the customer may record and work its cases. Its number
comes from the company's counter (R-000123). Every change is a history row.

The SLA clock: each case has a first-response and a resolution target in
business hours (SlaTarget of its priority and category, or the defaults here),
counted from its opening in the company's working calendar (service.sla). The
clock stands while the case waits for the customer and between a resolution
and a reopening (CasePause); the due and warning moments are stored on the case
on every change, so lists and the escalation scan read columns, never compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.numbers import next_number
from accounts.roles import ADMIN_ROLES
from core import audit
from core.errors import NotPossible, PermissionRefused, messages
from core.versioning import lock_version
from crm import policy
from crm import services as crm_services
from crm.models import Customer, Interaction
from service import case_selectors, sla, warranty
from service.calendars import company_calendar
from service.followups import assignee_error
from service.models import (
    OPEN_STATUSES,
    AlertStage,
    Case,
    CaseCategory,
    CaseChannel,
    CaseKind,
    CasePause,
    CasePriority,
    CaseStatus,
    SlaTarget,
    SlaTargetKind,
)

messages(
    {
        "case_customer_restricted": _(
            "This customer's data is restricted (Art. 18 GDPR): no new cases "
            "until the data protection officer lifts the restriction."
        ),
        "case_status_not_allowed": _("This change of status is not possible."),
        "service_settings_admin_only": _(
            "Only an administrator of the company changes the service settings."
        ),
    }
)

# Business hours (first response, resolution) by priority, where the company
# has set none (Administration: SLA targets).
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal]] = {
    CasePriority.URGENT: (Decimal(1), Decimal(8)),
    CasePriority.HIGH: (Decimal(4), Decimal(16)),
    CasePriority.NORMAL: (Decimal(8), Decimal(40)),
    CasePriority.LOW: (Decimal(16), Decimal(80)),
}

DEFAULT_CATEGORIES = (
    "Lieferung",
    "Produktqualität",
    "Rechnung",
    "Beratung",
    "Sonstiges",
)

# The owner is reminded when this share of a target's business time has
# passed ("due soon"); the team's manager when it is missed.
WARN_SHARE = Decimal(str(getattr(settings, "SLA_WARN_SHARE", "0.75")))

# A case's status may go from the key to any of the values.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED}
    ),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
}

# The fields a case form edits (status, numbers and the clock are the service's).
EDIT_FIELDS = (
    "kind",
    "category",
    "priority",
    "channel",
    "subject",
    "description",
    "person",
    "contract",
    "order_reference",
    "owner",
    "team",
    "root_cause",
    "resolution",
    "goodwill_amount",
    "delivered_on",
    "consumer",
    "used_goods",
    "building",
    "agreed_months",
    "sold_before_2022",
)

MAX_GOODWILL = Decimal("1000000")


def company_setup(company) -> None:
    """accounts' company_setup hook: a new company's case categories."""
    for position, name in enumerate(DEFAULT_CATEGORIES):
        CaseCategory.objects.get_or_create(
            company=company, name=name, defaults={"position": position}
        )


# --- The company's settings: categories and targets ------------------------------

MIN_TARGET_HOURS = Decimal("0.25")
MAX_TARGET_HOURS = Decimal(2000)


def targets_table(company_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    """(first response, resolution) hours by priority: the company's, else the
    defaults (category-specific targets are the Django admin's)."""
    table = dict(DEFAULT_TARGETS)
    for row in SlaTarget.objects.filter(company_id=company_id, category__isnull=True):
        table[row.priority] = (row.response_hours, row.resolution_hours)
    return table


@transaction.atomic
def service_settings_save(
    *,
    actor: User | None,
    company_id: int,
    targets: dict[str, tuple[Decimal | None, Decimal | None]],
    categories: list[tuple[int, str, bool]],
    new_category: str = "",
) -> int:
    """Save the company's SLA targets by priority and its case categories (names,
    in use); the clocks of open cases follow. Returns the cases re-timed. Bad
    input is a ValidationError by field ("response_high", "category_3",
    "new_category") and writes nothing."""
    policy.require_role(actor, ADMIN_ROLES, "service_settings_admin_only")
    errors: dict[str, str] = {}
    for priority, (response, resolution) in targets.items():
        bad = False
        for name, value in (("response", response), ("resolution", resolution)):
            if value is None or not MIN_TARGET_HOURS <= value <= MAX_TARGET_HOURS:
                errors[f"{name}_{priority}"] = _("Enter hours from 0.25 to 2000.")
                bad = True
        if not bad and response > resolution:
            errors[f"resolution_{priority}"] = _(
                "The resolution cannot be due before the first response."
            )
    existing = {
        category.pk: category
        for category in CaseCategory.objects.filter(company_id=company_id)
    }
    names: dict[str, str] = {}
    for pk, name, _active in categories:
        name = " ".join(name.split())
        if pk not in existing:
            raise PermissionRefused(code="other_company")
        if not name or len(name) > 80:
            errors[f"category_{pk}"] = _("Enter a name of at most 80 characters.")
        elif name.casefold() in names:
            errors[f"category_{pk}"] = _("This name is used twice.")
        names[name.casefold()] = f"category_{pk}"
    new_category = " ".join((new_category or "").split())
    if new_category:
        if len(new_category) > 80:
            errors["new_category"] = _("Enter a name of at most 80 characters.")
        elif new_category.casefold() in names:
            errors["new_category"] = _("This category exists already.")
    if errors:
        raise ValidationError(errors)
    changed = []
    for priority, (response, resolution) in targets.items():
        row = SlaTarget.objects.filter(
            company_id=company_id, priority=priority, category__isnull=True
        ).first() or SlaTarget(company_id=company_id, priority=priority)
        if row.pk is None or (row.response_hours, row.resolution_hours) != (
            response,
            resolution,
        ):
            row.response_hours, row.resolution_hours = response, resolution
            audit.save(row, actor=actor)
            changed.append(priority)
    for pk, name, active in categories:
        category = existing[pk]
        name = " ".join(name.split())
        if (category.name, category.active) != (name, active):
            category.name, category.active = name, active
            audit.save(category, actor=actor)
    if new_category:
        position = max((c.position for c in existing.values()), default=-1) + 1
        audit.save(
            CaseCategory(company_id=company_id, name=new_category, position=position),
            actor=actor,
        )
    return sum(
        refresh_clocks(company_id=company_id, priority=priority) for priority in changed
    )


# --- The clock --------------------------------------------------------------------


def targets_for(
    case: Case, targets: list[SlaTarget] | None = None
) -> tuple[timedelta, timedelta]:
    """The case's (first response, resolution) targets as business time: the
    company's target for its priority and category, else for its priority,
    else the defaults (`targets`: the company's rows, read once for many)."""
    if targets is None:
        targets = SlaTarget.objects.filter(
            company_id=case.company_id, priority=case.priority
        )
    rows = {
        target.category_id: target
        for target in targets
        if target.priority == case.priority
        and target.category_id in (None, case.category_id)
    }
    row = rows.get(case.category_id) or rows.get(None)
    if row is not None:
        response, resolution = row.response_hours, row.resolution_hours
    else:
        response, resolution = DEFAULT_TARGETS[case.priority]
    return sla.hours(response), sla.hours(resolution)


def _pauses(case: Case) -> list[sla.Pause]:
    if case.pk is None:
        return []
    return [(p.started_at, p.ended_at) for p in case.pauses.all()]


def _calendar(case: Case, language: str = "de") -> sla.Calendar:
    # Holidays of the opening year and the next two: far beyond any target,
    # also after months of waiting for the customer.
    year = timezone.localtime(case.opened_at).year
    return company_calendar(
        case.company, years=range(year, year + 3), language=language
    )


@dataclass(frozen=True)
class Clock:
    """The case's two targets: when due, when the owner is warned, and why."""

    response_target: timedelta
    resolution_target: timedelta
    response: sla.Due
    resolution: sla.Due
    response_warn: datetime | None
    resolution_warn: datetime | None
    calendar: sla.Calendar


def clock(
    case: Case,
    *,
    language: str = "de",
    targets: list[SlaTarget] | None = None,
    calendars: dict | None = None,
) -> Clock:
    """Compute the case's SLA clock from its opening, targets and pauses (the
    company's targets and calendars may come in, read once for many cases)."""
    response_target, resolution_target = targets_for(case, targets)
    if calendars is None:
        calendar = _calendar(case, language)
    else:
        year = timezone.localtime(case.opened_at).year
        if year not in calendars:
            calendars[year] = _calendar(case, language)
        calendar = calendars[year]
    pauses = _pauses(case)
    response = sla.due(case.opened_at, response_target, calendar, pauses)
    resolution = sla.due(case.opened_at, resolution_target, calendar, pauses)

    def warn(target: timedelta, result: sla.Due) -> datetime | None:
        if result.due is None:
            return None
        share = timedelta(seconds=int(target.total_seconds() * float(WARN_SHARE)))
        return sla.due(case.opened_at, share, calendar, pauses).due

    return Clock(
        response_target=response_target,
        resolution_target=resolution_target,
        response=response,
        resolution=resolution,
        response_warn=warn(response_target, response),
        resolution_warn=warn(resolution_target, resolution),
        calendar=calendar,
    )


def _set_clock(case: Case, **shared) -> None:
    """Store the due and warning moments of the case's open targets."""
    if case.status not in OPEN_STATUSES:
        case.response_due_at = case.response_warn_at = None
        case.resolution_due_at = case.resolution_warn_at = None
        return
    result = clock(case, **shared)
    if case.first_response_at is None:
        case.response_due_at = result.response.due
        case.response_warn_at = result.response_warn
    else:
        case.response_due_at = case.response_warn_at = None
    case.resolution_due_at = result.resolution.due
    case.resolution_warn_at = result.resolution_warn


def refresh_clocks(*, company_id: int, priority: str | None = None) -> int:
    """Recompute the clock of the company's open cases (after its targets or
    business hours changed); returns how many were updated."""
    cases = Case.objects.open().filter(company_id=company_id).select_related("company")
    if priority:
        cases = cases.filter(priority=priority)
    targets = list(SlaTarget.objects.filter(company_id=company_id))
    calendars: dict = {}
    columns = [
        "response_due_at",
        "response_warn_at",
        "resolution_due_at",
        "resolution_warn_at",
    ]
    count, batch = 0, []
    for case in cases.prefetch_related("pauses").iterator(chunk_size=500):
        _set_clock(case, targets=targets, calendars=calendars)
        batch.append(case)
        if len(batch) == 500:
            Case.objects.bulk_update(batch, columns)
            count, batch = count + len(batch), []
    if batch:
        Case.objects.bulk_update(batch, columns)
    return count + len(batch)


# --- Validation ---------------------------------------------------------------------


def _clean(*, customer: Customer, fields: dict, today: date) -> dict:
    """The case's fields, normalized, or a ValidationError by field."""
    data = {name: fields.get(name) for name in EDIT_FIELDS if name in fields}
    errors: dict[str, str] = {}
    subject = " ".join((data.get("subject") or "").split())
    data["subject"] = subject
    if not subject:
        errors["subject"] = _("Say what the case is about.")
    elif len(subject) > 200:
        errors["subject"] = _("At most 200 characters.")
    for name in ("description", "root_cause", "resolution", "order_reference"):
        data[name] = (data.get(name) or "").strip()
    if len(data["order_reference"]) > 100:
        errors["order_reference"] = _("At most 100 characters.")
    if data.get("kind") not in CaseKind.values:
        errors["kind"] = _("Choose the kind of case.")
    if data.get("priority") not in CasePriority.values:
        errors["priority"] = _("Choose a priority.")
    if data.get("channel") not in CaseChannel.values:
        errors["channel"] = _("Choose how the customer got in touch.")
    category = data.get("category")
    if category is not None and category.company_id != customer.company_id:
        errors["category"] = _("Choose one of the company's categories.")
    owner = data.get("owner")
    owner_problem = assignee_error(owner, customer)
    if owner_problem:
        errors["owner"] = owner_problem
    team = data.get("team")
    if team is not None and team.company_id != customer.company_id:
        errors["team"] = _("Choose one of the company's teams.")
    goodwill = data.get("goodwill_amount")
    if goodwill is not None and not (Decimal(0) <= goodwill < MAX_GOODWILL):
        errors["goodwill_amount"] = _("Enter an amount from 0 to 999,999.99.")
    delivered = data.get("delivered_on")
    if delivered is not None and delivered > today:
        errors["delivered_on"] = _("The delivery day cannot be in the future.")
    elif delivered is not None and delivered.year < today.year - 40:
        errors["delivered_on"] = _("Enter the day of delivery.")
    months = data.get("agreed_months")
    if months is not None and not 1 <= months <= 600:
        errors["agreed_months"] = _("Enter between 1 and 600 months.")
    for name in ("consumer", "used_goods", "building", "sold_before_2022"):
        data[name] = bool(data.get(name))
    if errors:
        raise ValidationError(errors)
    person = data.get("person")
    if person is not None:
        policy.usable_persons(customer.pk, [person])
    contract = data.get("contract")
    if contract is not None and contract.customer_id != customer.pk:
        raise PermissionRefused(code="contract_of_other_customer")
    return data


def _require_change(actor: User | None, customer: Customer) -> None:
    policy.require_change(actor, customer.pk)
    if customer.restricted_until is not None:
        raise NotPossible(code="case_customer_restricted")


# --- Writes ---------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    actor: User | None,
    customer: Customer,
    fields: dict,
    now: datetime | None = None,
) -> Case:
    """Record a new case of the customer; the clock starts now."""
    _require_change(actor, customer)
    now = now or timezone.now()
    fields = dict(fields)
    if fields.get("owner") is None:
        fields["owner"] = customer.owner
    if "team" not in fields:
        fields["team"] = customer.team
    data = _clean(customer=customer, fields=fields, today=timezone.localdate(now))
    case = Case(
        customer=customer,
        company_id=customer.company_id,
        created_by=actor,
        opened_at=now,
        **data,
    )
    case.number = next_number(customer.company_id, "case", "R")
    _set_clock(case)
    case._history_date = now  # the timeline shows the moment given (demo, import)
    audit.save(case, actor=actor)
    transaction.on_commit(case_selectors.forget_case_counts)
    return case


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("company", "customer")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_update(
    *, case: Case, actor: User | None, version: int | None, fields: dict
) -> Case:
    """Save the case's fields edited from `version` (StaleEdit when saved
    meanwhile); a new priority or category moves the targets."""
    customer = case.customer
    _require_change(actor, customer)
    locked = lock_version(case, version)
    locked = _locked(locked)
    data = _clean(customer=customer, fields=fields, today=timezone.localdate())
    clock_moves = (
        data["priority"] != locked.priority or data.get("category") != locked.category
    )
    for name, value in data.items():
        setattr(locked, name, value)
    if clock_moves:
        _set_clock(locked)
    locked.version += 1
    audit.save(locked, actor=actor)
    transaction.on_commit(case_selectors.forget_case_counts)
    return locked


def allowed_statuses(case: Case) -> list[str]:
    """The statuses the case may go to next, in the order of the choices."""
    allowed = TRANSITIONS.get(case.status, frozenset())
    return [value for value in CaseStatus.values if value in allowed]


def _close_pause(case: Case, now: datetime) -> None:
    CasePause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)


def _open_pause(case: Case, now: datetime, reason: str) -> None:
    CasePause.objects.create(
        case=case, company_id=case.company_id, started_at=now, reason=reason
    )


@transaction.atomic
def case_set_status(
    *,
    case: Case,
    actor: User | None,
    version: int | None,
    status: str,
    now: datetime | None = None,
    resolution: str | None = None,
    reason: str = "",
) -> Case:
    """Move the case to `status` (TRANSITIONS). Leaving "new" is the first
    response; waiting for the customer and a resolution stop the clock, going
    on or reopening starts it again (a reopening begins a new cycle: its
    resolution is reminded anew)."""
    policy.require_change(actor, case.customer_id)
    locked = _locked(lock_version(case, version))
    if status not in TRANSITIONS.get(locked.status, frozenset()):
        raise NotPossible(code="case_status_not_allowed")
    if locked.customer.restricted_until is not None:
        raise NotPossible(code="case_customer_restricted")
    now = now or timezone.now()
    if resolution is not None:
        locked.resolution = resolution.strip()
    if status == CaseStatus.RESOLVED and not locked.resolution:
        raise ValidationError({"resolution": _("Say how the case was resolved.")})
    previous = locked.status
    if previous == CaseStatus.NEW and locked.first_response_at is None:
        locked.first_response_at = now
    if previous in (CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED):
        _close_pause(locked, now)
    if status == CaseStatus.WAITING:
        _open_pause(locked, now, CaseStatus.WAITING)
    elif status == CaseStatus.RESOLVED:
        locked.resolved_at = now
        _open_pause(locked, now, CaseStatus.RESOLVED)
    elif status == CaseStatus.CLOSED:
        locked.closed_at = now
        _open_pause(locked, now, CaseStatus.CLOSED)
    elif status == CaseStatus.REOPENED:
        locked.resolved_at = None
        locked.closed_at = None
        locked.cycle += 1
        locked.resolution_alert = AlertStage.NONE
    locked.status = status
    _set_clock(locked)
    locked.version += 1
    locked._history_date = now
    audit.save(locked, actor=actor, reason=reason)
    transaction.on_commit(case_selectors.forget_case_counts)
    return locked


@transaction.atomic
def case_log_contact(
    *,
    case: Case,
    actor: User | None,
    fields: dict,
    persons=(),
    now: datetime | None = None,
) -> Interaction:
    """Log a call, e-mail, ... about the case: on the customer's timeline and
    on the case's. An outbound contact is the first response when none was."""
    if case.customer.restricted_until is not None:
        raise NotPossible(code="case_customer_restricted")
    interaction = crm_services.interaction_create(
        customer=case.customer, actor=actor, fields=fields, persons=persons
    )
    case.interactions.add(interaction)
    if fields.get("direction") == "out":
        locked = _locked(case)
        if locked.first_response_at is None and locked.is_open:
            locked.first_response_at = now or timezone.now()
            _set_clock(locked)
            locked.version += 1
            audit.save(locked, actor=actor, reason=_("First response"))
    return interaction


def clock_view(case: Case, *, language: str = "de") -> dict | None:
    """What the case page shows of an open case's clock: each running target
    with its due time, whether it is missed or due soon, and the explanation
    ("opened Fri 16:30, 4 business hours: ...")."""
    if not case.is_open:
        return None
    result = clock(case, language=language)
    now = timezone.now()
    rows = []
    targets = (
        (SlaTargetKind.RESPONSE, result.response_target, result.response,
         result.response_warn, case.first_response_at is None),
        (SlaTargetKind.RESOLUTION, result.resolution_target, result.resolution,
         result.resolution_warn, True),
    )  # fmt: skip
    for kind, target, due, warn, running in targets:
        if not running:
            continue
        rows.append(
            {
                "kind": kind,
                "label": SlaTargetKind(kind).label,
                "target": sla.format_duration(target, language),
                "due": due.due,
                "breached": due.due is not None and due.due <= now,
                "soon": warn is not None and warn <= now < due.due,
                "explanation": sla.explain(due, result.calendar, language),
            }
        )
    return {"targets": rows, "waiting": case.status == CaseStatus.WAITING}


# --- Reads the pages share ------------------------------------------------------------


def warranty_of(case: Case, *, language: str = "de") -> dict | None:
    """For a warranty claim with its delivery day: whether the warranty still
    runs, until when, and why (service.warranty)."""
    if case.kind != CaseKind.WARRANTY or case.delivered_on is None:
        return None
    from core.holidays import company_holidays

    claim = warranty.Claim(
        delivered=case.delivered_on,
        consumer=case.consumer,
        used=case.used_goods,
        building=case.building,
        agreed_months=case.agreed_months,
        sold_before_2022=case.sold_before_2022,
    )
    # the public holidays around the period's last day (§ 193 may move it)
    holidays = company_holidays(warranty.last_day(claim).year, case.company)
    result = warranty.warranty(claim, holidays)
    today = timezone.localdate()
    return {
        "result": result,
        "runs": result.ends >= today,
        "days_left": (result.ends - today).days,
        "explanation": warranty.explain(result, language),
    }
