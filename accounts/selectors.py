"""Reads of accounts that pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ua_parser import parse

from accounts.models import User, UserSession


def company_members(company_id: int | None):
    """The users who hold a role in the company (each once)."""
    return User.objects.filter(groups__company_role__company_id=company_id).distinct()


@dataclass(frozen=True)
class SessionRow:
    """One signed-in browser as the user's session list shows it."""

    reference: str
    browser: str
    system: str
    device: str
    ip_address: str | None
    signed_in_at: datetime | None
    last_seen: datetime | None
    current: bool


@lru_cache(maxsize=256)
def describe_agent(agent: str) -> tuple[str, str, str]:
    """(browser, operating system, device) named from a User-Agent header;
    empty strings for what it does not tell."""
    if not agent:
        return "", "", ""
    result = parse(agent)

    def named(part) -> str:
        if part is None or part.family == "Other":
            return ""
        return f"{part.family} {part.major}" if part.major else part.family

    device = result.device
    kind = (
        "" if device is None or device.family in {"Other", "Spider"} else device.family
    )
    return named(result.user_agent), named(result.os), kind


def session_list(*, user: User, current_key: str | None) -> list[SessionRow]:
    """The user's sessions that still sign in, the current one first, then by last
    use; never another user's."""
    rows = (
        UserSession.objects.of_user(user)
        .active(now=timezone.now())
        .only(
            "session_key",
            "reference",
            "user_agent",
            "ip_address",
            "signed_in_at",
            "last_seen",
        )
        .order_by("-last_seen")
    )
    listed = [
        SessionRow(
            row.reference,
            *describe_agent(row.user_agent),
            row.ip_address,
            row.signed_in_at,
            row.last_seen,
            current=row.session_key == current_key,
        )
        for row in rows
    ]
    return sorted(listed, key=lambda row: not row.current)  # stable: keeps the order


def session_get(*, user: User, reference: str, current_key: str | None) -> UserSession:
    """One of the user's other sessions, or 404 (another user's, the current one,
    an ended one look the same)."""
    rows = UserSession.objects.of_user(user).active(now=timezone.now())
    if current_key:
        rows = rows.exclude(session_key=current_key)
    return get_object_or_404(rows, reference=reference)


def commitment_pending(pairs) -> set[tuple[int, int]]:
    """Of (user id, company id) pairs, those where the user has not accepted the
    company's current confidentiality commitment: e-mails with personal data
    (reminders, digests) wait for them until they have (two queries)."""
    from accounts.models import Company

    pairs = set(pairs)
    if not pairs:
        return set()
    accepted = dict(
        User.objects.filter(pk__in={u for u, _c in pairs}).values_list(
            "pk", "accepted_commitments"
        )
    )
    versions = dict(
        Company.objects.filter(pk__in={c for _u, c in pairs}).values_list(
            "pk", "commitment_version"
        )
    )
    return {
        (user_id, company_id)
        for user_id, company_id in pairs
        if versions.get(company_id, 0)
        > (accepted.get(user_id) or {}).get(str(company_id), 0)
    }
