"""Reads of the compliance pages (DPO and Admin only; the views check the role)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import company_members
from compliance.models import AccessLog, DataSubjectRequest, RequestStatus, Training
from compliance.training_status import URGENCY, TrainingStatus
from compliance.trainings import STATUS_LABELS, status_of

LOG_PAGE = 50


def request_list(*, company: int, filters: dict) -> QuerySet[DataSubjectRequest]:
    """The company's requests by due date (open ones unless asked otherwise)."""
    queryset = DataSubjectRequest.objects.filter(company_id=company).select_related(
        "person__customer", "handled_by"
    )
    status = filters.get("status") or ""
    if status == "":
        queryset = queryset.open()
    elif status != "all":
        queryset = queryset.filter(status=status)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    return queryset.order_by("due_on", "number")


def request_get(*, company: int, pk: int) -> DataSubjectRequest:
    """One of the company's requests; another company's is a 404."""
    return get_object_or_404(
        DataSubjectRequest.objects.select_related("person__customer", "handled_by"),
        company_id=company,
        pk=pk,
    )


def request_counts(*, company: int, today: date) -> dict[str, int]:
    """The company's open and overdue requests, for the dashboard."""
    requests = DataSubjectRequest.objects.filter(company_id=company)
    open_requests = requests.open()
    return {
        "open": open_requests.count(),
        "overdue": open_requests.filter(due_on__lt=today).count(),
        "due_this_week": open_requests.filter(
            due_on__gte=today, due_on__lte=date.fromordinal(today.toordinal() + 7)
        ).count(),
        "closed": requests.exclude(
            status__in=[RequestStatus.OPEN, RequestStatus.IN_PROGRESS]
        ).count(),
    }


def access_log_page(
    *, company: int, filters: dict, before: int | None
) -> list[AccessLog]:
    """The company's log, newest first, keyset-paged by id; LOG_PAGE + 1 rows
    (the last says "more")."""
    queryset = AccessLog.objects.filter(company_id=company).select_related(
        "user", "customer", "person"
    )
    if filters.get("user"):
        queryset = queryset.filter(user=filters["user"])
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    if filters.get("customer"):
        queryset = queryset.filter(customer__number=filters["customer"].strip())
    if filters.get("person"):
        queryset = queryset.filter(person_id=filters["person"])
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        queryset = queryset.filter(
            at__gte=datetime.combine(filters["since"], time.min, zone)
        )
    if filters.get("until"):
        queryset = queryset.filter(
            at__lte=datetime.combine(filters["until"], time.max, zone)
        )
    if before:
        queryset = queryset.filter(pk__lt=before)
    return list(queryset.order_by("-id")[: LOG_PAGE + 1])


def free_text_rows(matches, decisions: dict, errors: dict) -> list[dict]:
    """The erasure plan's free-text matches as the page lists them: what kind of
    record and field, the excerpt, an earlier "kept" decision and a form error."""
    from django.apps import apps
    from django.utils.text import capfirst

    rows = []
    for match in matches:
        model = apps.get_model(match.label)
        rows.append(
            {
                "match": match,
                "what": capfirst(str(model._meta.verbose_name)),
                "field": capfirst(str(model._meta.get_field(match.field).verbose_name)),
                "decision": decisions.get((match.label, match.object_id, match.field)),
                "error": errors.get(match.key, ""),
            }
        )
    return rows


def plan_counts(plan) -> list[tuple[str, int, int]]:
    """(what, erased now, held) per registered model with rows of the person."""
    from django.apps import apps

    held = plan.held_ids
    rows = []
    for label, ids in plan.rows.items():
        if not ids:
            continue
        model = apps.get_model(label)
        kept = len([pk for pk in ids if pk in held[label]])
        rows.append((str(model._meta.verbose_name_plural), len(ids) - kept, kept))
    return rows


def dashboard(*, company: int, today: date) -> dict:
    """What needs the DPO's attention, in one place (a fixed number of queries)."""
    from datetime import timedelta

    from django.db.models import Max, Min

    from compliance.models import AccessAction, Consent, ConsentStatus, Erasure
    from crm.models import Customer

    month_ago = timezone.now() - timedelta(days=30)
    withdrawn = Consent.objects.filter(
        company_id=company, status=ConsentStatus.WITHDRAWN, withdrawn_at__gte=month_ago
    ).select_related("person__customer")
    pending = (
        Erasure.objects.filter(company_id=company, completed_at__isnull=True)
        .annotate(first_end=Min("holds__until"), last_end=Max("holds__until"))
        .order_by("first_end")
    )
    return {
        "withdrawn": list(withdrawn.order_by("-withdrawn_at")[:10]),
        "withdrawn_count": withdrawn.count(),
        "erasures_pending": list(pending[:10]),
        # The same rule as the list its link opens (crm: ?review_due=on).
        "reviews_due": Customer.objects.filter(company_id=company)
        .review_due(today=today)
        .count(),
        "exports": AccessLog.objects.filter(
            company_id=company,
            action__in=[AccessAction.EXPORT, AccessAction.REPORT],
            at__gte=month_ago,
        ).count(),
    }


@dataclass(frozen=True)
class TrainingRow:
    """A member of the company with their latest training (None: never trained)."""

    user: User
    training: Training | None
    status: TrainingStatus

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def training_rows(*, company: int, today: date) -> list[TrainingRow]:
    """The company's members with their latest training: missing, expired and
    expiring first, then by name. Two queries, whatever the number."""
    latest = {
        training.user_id: training
        for training in Training.objects.of_company(company).latest_per_user()
    }
    rows = []
    for member in company_members(company).order_by(
        "last_name", "first_name", "username"
    ):
        training = latest.get(member.pk)
        status = status_of(training.valid_until if training else None, today=today)
        rows.append(TrainingRow(member, training, status))
    rows.sort(key=lambda row: URGENCY[row.status])  # stable: by name within
    return rows


def training_summary(*, company: int, today: date) -> dict:
    """The dashboard's panel: who lacks a valid training or is about to."""
    rows = training_rows(company=company, today=today)
    by_status = {
        status: [row for row in rows if row.status == status]
        for status in (
            TrainingStatus.MISSING,
            TrainingStatus.EXPIRED,
            TrainingStatus.EXPIRING,
        )
    }
    return {
        "missing": by_status[TrainingStatus.MISSING],
        "expired": by_status[TrainingStatus.EXPIRED],
        "expiring": by_status[TrainingStatus.EXPIRING],
        "members": len(rows),
    }


def trainings_of(*, user: User, company: int | None) -> list[Training]:
    """A user's own trainings in the company, newest first."""
    return list(
        Training.objects.of_company(company)
        .filter(user=user)
        .select_related("recorded_by")
    )
