"""Checks at capture: phones (E.164), VAT IDs (DE, AT, CH, EU), IBANs, postcodes.

Phone numbers, VAT IDs and IBANs are checked by maintained libraries
(phonenumbers, python-stdnum, schwifty); only the postcode patterns are ours.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty import exceptions as iban_errors
from schwifty.exceptions import SchwiftyException
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

DEFAULT_REGION = "DE"

COUNTRIES = {
    "DE": _("Germany"),
    "AT": _("Austria"),
    "CH": _("Switzerland"),
    "LI": _("Liechtenstein"),
    "LU": _("Luxembourg"),
    "BE": _("Belgium"),
    "NL": _("Netherlands"),
    "FR": _("France"),
    "IT": _("Italy"),
    "ES": _("Spain"),
    "PL": _("Poland"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "SE": _("Sweden"),
    "GB": _("United Kingdom"),
}

# Postcode formats of the countries we list (Universal Postal Union formats).
POSTCODE_PATTERNS = {
    "DE": r"\d{5}",
    "AT": r"\d{4}",
    "CH": r"\d{4}",
    "LI": r"94(8[5-9]|9[0-8])",
    "LU": r"(L-)?\d{4}",
    "BE": r"\d{4}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "FR": r"\d{5}",
    "IT": r"\d{5}",
    "ES": r"\d{5}",
    "PL": r"\d{2}-\d{3}",
    "CZ": r"\d{3} ?\d{2}",
    "DK": r"\d{4}",
    "SE": r"\d{3} ?\d{2}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
}


def country_name(code: str) -> str:
    """The country's name in the current language, or its code when unknown."""
    return str(COUNTRIES.get(code, code))


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in E.164 (+4917123456789); raises ValidationError when invalid."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("Enter a valid phone number, e.g. 030 1234567 or +49 30 1234567."),
            code="invalid_phone",
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number does not exist in the numbering plan of its country."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str, region: str = DEFAULT_REGION) -> str:
    """A stored E.164 number as written: national at home, else international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        )
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def phone_search_forms(value: str, region: str = DEFAULT_REGION) -> list[str]:
    """Digit strings under which a typed phone number is found (E.164, national)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 4:
        return []
    forms = {digits}
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return sorted(forms)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    forms.add(e164.lstrip("+"))
    return sorted(forms)


# A VAT ID is checked by the rule of the country its prefix names (DACH first):
# Germany's USt-IdNr., Austria's UID-Nummer, Switzerland's UID with its VAT
# suffix (MWST/TVA/IVA; not in the EU, so stdnum.eu.vat does not know it), and
# every other EU member state's number through stdnum.eu.vat.
_VAT_MESSAGES = {
    "DE": _(
        "This is not a valid German VAT ID (DE and 9 digits, e.g. DE136695976): "
        "the length or check digit is wrong."
    ),
    "AT": _(
        "This is not a valid Austrian VAT ID (ATU and 8 digits, e.g. ATU13585627): "
        "the length or check digit is wrong."
    ),
    "CH": _(
        "This is not a valid Swiss VAT number (UID with MWST, TVA or IVA, "
        "e.g. CHE-116.281.710 MWST): the length, suffix or check digit is wrong."
    ),
}
_VAT_SEPARATORS = re.compile(r"[\s.,/:-]")


def vat_country(value: str) -> str:
    """The country whose rule a VAT ID is checked by, from its prefix ("" if none)."""
    prefix = _VAT_SEPARATORS.sub("", value).upper()[:2]
    if prefix == "CH":
        return "CH"
    if prefix == "EL":  # Greece writes EL on VAT IDs, GR elsewhere
        return "GR"
    if prefix.lower() in eu_vat.MEMBER_STATES and prefix != "GR":
        return prefix
    return ""


def normalize_vat_id(value: str) -> str:
    """A DE, AT, CH or other EU VAT ID in compact form (DE136695976,
    ATU13585627, CHE116281710MWST), checked by its country's rule."""
    value = value.strip()
    if not value:
        return ""
    country = vat_country(value)
    if not country:
        raise ValidationError(
            _(
                "Start the VAT ID with its country code, e.g. DE136695976, "
                "ATU13585627 or CHE-116.281.710 MWST."
            ),
            code="invalid_vat_id",
        )
    try:
        if country == "CH":
            return ch_vat.validate(value)
        return eu_vat.validate(value)
    except StdnumError as error:
        message = _VAT_MESSAGES.get(country)
        if message is None:
            raise ValidationError(
                _(
                    "This is not a valid VAT ID of %(country)s: "
                    "the length or check digit is wrong."
                ),
                params={"country": country_name(country)},
                code="invalid_vat_id",
            ) from error
        raise ValidationError(message, code="invalid_vat_id") from error


def format_vat_id(compact: str) -> str:
    """A stored VAT ID as written: CHE-116.281.710 MWST; EU ones stay compact."""
    if compact.startswith("CHE"):
        try:
            return ch_vat.format(compact)
        except StdnumError:  # stored before it was checked: show it as it is
            return compact
    return compact


IBAN_REASONS = [
    (iban_errors.InvalidChecksumDigits, _("the check digits do not match (a typo?).")),
    (
        iban_errors.InvalidLength,
        _("it has the wrong number of characters for its country."),
    ),
    (iban_errors.InvalidCountryCode, _("it does not begin with a known country code.")),
    (iban_errors.InvalidBankCode, _("the bank code is unknown.")),
    (iban_errors.SchwiftyException, _("it is not built like an IBAN of its country.")),
]


def normalize_iban(value: str) -> str:
    """An IBAN in compact form, checked for country, length and check digits."""
    value = value.strip()
    if not value:
        return ""
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError) as error:
        # schwifty's own messages are English: say the reason in the reader's words.
        reason = next(
            (text for kind, text in IBAN_REASONS if isinstance(error, kind)),
            IBAN_REASONS[-1][1],
        )
        raise ValidationError(
            _("This is not a valid IBAN: %(reason)s"),
            params={"reason": reason},
            code="invalid_iban",
        ) from error


def format_iban(compact: str) -> str:
    """An IBAN in groups of four, as printed on paper."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


DETAIL_LINE_MAX = 500
DETAIL_LINES_MAX = 30
# "Label: value": a label ends at the first colon followed by a space, so that
# "Anlieferung 7:30-15:00" is one line without a label, not label "Anlieferung 7".
_DETAIL_LABEL = re.compile(r"(?P<label>[^:]*?\S)\s*:\s+(?P<value>\S.*)")


def normalize_details(value) -> list[str]:
    """Delivery details as the lines the user typed, in their order: blank lines
    dropped, each stripped; a line needs no "Label:" (ValidationError if too long)."""
    if isinstance(value, dict):  # the former storage, {"label": "value"}
        value = [f"{label}: {text}" for label, text in value.items()]
    if isinstance(value, str):
        value = value.splitlines()
    lines = []
    for number, line in enumerate(value or [], start=1):
        line = str(line).strip()
        if not line:
            continue
        if len(line) > DETAIL_LINE_MAX:
            raise ValidationError(
                _("Line %(number)s is longer than %(max)s characters."),
                params={"number": number, "max": DETAIL_LINE_MAX},
                code="detail_too_long",
            )
        lines.append(line)
    if len(lines) > DETAIL_LINES_MAX:
        raise ValidationError(
            _("Give at most %(max)s lines of details."),
            params={"max": DETAIL_LINES_MAX},
            code="details_too_many",
        )
    return lines


def detail_label(line: str) -> tuple[str, str]:
    """A detail line split for display: ("Gate height", "3.5 m"), or ("", line)."""
    match = _DETAIL_LABEL.fullmatch(line)
    if match is None:
        return "", line
    return match["label"], match["value"]


def normalize_postcode(value: str, country: str) -> str:
    """The postcode, checked against the format of its country."""
    value = value.strip().upper()
    pattern = POSTCODE_PATTERNS.get(country)
    if pattern and not re.fullmatch(pattern, value):
        raise ValidationError(
            _("This is not a valid postcode for %(country)s."),
            params={"country": country_name(country)},
            code="invalid_postcode",
        )
    return value
