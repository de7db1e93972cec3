"""Money and numbers in the reader's language (Babel's CLDR data, no hand-made rules).

German: ``1.234,56 €``, English: ``€1,234.56``; Swiss francs as ``1.234,56 CHF`` and
``CHF 1,234.56``. Input is read the same way: ``1.234,56`` and ``1234,56`` in German,
``1,234.56`` and ``1234.56`` in English; what could mean two things is refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel import numbers
from django.utils import translation

# Django's language codes to the CLDR locale whose conventions the pages follow.
LOCALES = {"de": "de_DE", "en": "en_GB"}


def babel_locale(language: str | None = None) -> str:
    """The CLDR locale for a Django language code (the active one by default)."""
    code = (language or translation.get_language() or "de").split("-")[0]
    return LOCALES.get(code, "de_DE")


def money(
    amount: Decimal | int | float | None,
    currency: str = "EUR",
    *,
    language: str | None = None,
) -> str:
    """`amount` in `currency`, formatted for the reader: ``1.234,56 €``."""
    if amount is None:
        return ""
    text = numbers.format_currency(
        Decimal(amount), currency, locale=babel_locale(language)
    )
    # CLDR's currency spacing (a space between a letter symbol and the digits),
    # which Babel leaves out: "CHF 1,234.56", not "CHF1,234.56".
    if text.startswith(currency) and text[len(currency) : len(currency) + 1].isdigit():
        text = f"{currency}\u00a0{text[len(currency) :]}"
    return text


def decimal(
    value: Decimal | int | float | None,
    places: int = 2,
    *,
    language: str | None = None,
) -> str:
    """A number with grouping and `places` decimals, formatted for the reader."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return numbers.format_decimal(
        Decimal(value), format=pattern, locale=babel_locale(language)
    )


class AmbiguousNumber(ValueError):
    """The input could mean two numbers (``1.234`` in an English form, ``1,5,3``)."""


def parse_decimal(text: str, *, language: str | None = None) -> Decimal:
    """Read a number typed in the reader's convention; raise ValueError if it is not.

    Grouping separators must stand where the locale puts them (``1.234,56``, not
    ``1.23,456``); a lone grouping separator followed by exactly three digits
    (``1.234`` in German means 1234, in English 1.234) is read by the locale's rule.
    """
    locale = babel_locale(language)
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    for symbol in ("€", "EUR", "CHF", "Fr.", "SFr."):
        cleaned = cleaned.replace(symbol, "")
    if (
        not cleaned
        or not all(char.isascii() for char in cleaned)
        or "e" in cleaned.lower()
    ):
        raise ValueError(text)  # no exponents, no other scripts' digits ("²")
    try:
        value = numbers.parse_decimal(cleaned, locale=locale, strict=True)
    except numbers.NumberFormatError as error:
        if error.suggestions:
            raise AmbiguousNumber(text) from error
        raise ValueError(text) from error
    except (InvalidOperation, ValueError) as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value
