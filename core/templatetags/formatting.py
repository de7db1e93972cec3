"""Template filters for money and numbers in the reader's language (core.formatting)."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """``{{ contract.value_amount|money:contract.currency }}`` -> ``1.234,56 €``."""
    return formatting.money(amount, currency or "EUR")


@register.filter
def decimal(value, places: int = 2) -> str:
    """``{{ value|decimal:1 }}`` -> ``1.234,5``."""
    return formatting.decimal(value, int(places))
