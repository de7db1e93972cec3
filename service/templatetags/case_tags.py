"""Case pieces that other apps' pages show (the dashboard's case panels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone

from service import case_selectors
from service.models import Case

register = template.Library()


@dataclass(frozen=True)
class Urgent:
    """A case of a panel with its nearest unmet due time and whether it passed."""

    case: Case
    due_at: datetime | None
    breached: bool


def _urgent(case: Case, now: datetime) -> Urgent:
    """The case's nearest due time of a target still to be met."""
    dues = [case.resolution_due_at]
    if case.first_response_at is None:
        dues.append(case.response_due_at)
    dues = [due for due in dues if due is not None]
    due_at = min(dues, default=None)
    return Urgent(
        case=case, due_at=due_at, breached=due_at is not None and due_at <= now
    )


def _panel(counts: case_selectors.CaseCounts, now: datetime) -> dict:
    return {
        "counts": counts,
        "urgent": [_urgent(case, now) for case in counts.first],
    }


@register.inclusion_tag("service/_my_cases.html")
def my_cases(user) -> dict:
    """The user's own open cases: how many, missed, due soon, the most urgent
    (two queries)."""
    now = timezone.now()
    return _panel(case_selectors.my_cases(user=user, now=now), now)


@register.inclusion_tag("service/_team_cases.html")
def team_cases(user) -> dict:
    """The open cases of the teams the user manages, counted the same way (two
    queries)."""
    now = timezone.now()
    return _panel(case_selectors.team_cases(user=user, now=now), now)
