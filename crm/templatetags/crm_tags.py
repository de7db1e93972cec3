"""Display helpers for customer pages: phones as people write them, IBANs in groups."""

from django import template

from crm import validation

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+4930123456 -> 030 123456 (national at home, international abroad)."""
    return validation.display_phone(value or "")


@register.filter
def iban(value: str) -> str:
    return validation.format_iban(value or "")


@register.filter
def vat_id(value: str) -> str:
    """CHE116281710MWST -> CHE-116.281.710 MWST (EU VAT IDs stay compact)."""
    return validation.format_vat_id(value or "")


@register.filter
def tel_href(value: str) -> str:
    return f"tel:{value}" if value else ""


@register.inclusion_tag("crm/_overdue_reviews.html")
def overdue_reviews(user) -> dict:
    """Per team the user manages in their current company: customers whose data
    review is due."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Team
    from crm.models import review_due_condition

    today = timezone.localdate()
    teams = (
        Team.objects.managed_by(user)
        .of_company(user.company_id)
        .annotate(
            due=Count(
                "customers",
                filter=review_due_condition(today=today, prefix="customers__"),
            )
        )
        .order_by("name")
    )
    return {"teams": list(teams)}
