"""The company settings a test varies (Land, country, review interval, ...)."""

from __future__ import annotations


def set_company(user, **fields) -> None:
    """Change fields of the user's current company (a fresh read sees them)."""
    from accounts.models import Company

    Company.objects.filter(pk=user.company_id).update(**fields)
