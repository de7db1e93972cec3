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
def tel_href(value: str) -> str:
    return f"tel:{value}" if value else ""
