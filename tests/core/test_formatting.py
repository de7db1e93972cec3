from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core import formatting
from core.forms import MoneyField


@pytest.mark.parametrize(
    ("case", "amount", "currency", "language", "expected"),
    [
        ("German euro", Decimal("1234.56"), "EUR", "de", "1.234,56\u00a0€"),
        ("English euro", Decimal("1234.56"), "EUR", "en", "€1,234.56"),
        ("German franc", Decimal("1234.56"), "CHF", "de", "1.234,56\u00a0CHF"),
        ("English franc, spaced", Decimal("1234.56"), "CHF", "en", "CHF\u00a01,234.56"),
        ("whole amount gets cents", 250, "EUR", "de", "250,00\u00a0€"),
        ("millions grouped", Decimal("1234567.8"), "EUR", "de", "1.234.567,80\u00a0€"),
        ("negative", Decimal("-5"), "EUR", "de", "-5,00\u00a0€"),
    ],
)
def test_money_is_written_the_readers_way(case, amount, currency, language, expected):
    assert formatting.money(amount, currency, language=language) == expected


def test_money_follows_the_active_language():
    with translation.override("en"):
        assert formatting.money(Decimal("1.5")) == "€1.50"
    with translation.override("de"):
        assert formatting.money(Decimal("1.5")) == "1,50\u00a0€"
    assert formatting.money(None) == ""


@pytest.mark.parametrize(
    ("case", "text", "language", "expected"),
    [
        ("German with grouping", "1.234,56", "de", Decimal("1234.56")),
        ("German without grouping", "1234,56", "de", Decimal("1234.56")),
        ("German whole", "1200", "de", Decimal("1200")),
        ("German with euro sign", "1.234,56 €", "de", Decimal("1234.56")),
        ("English with grouping", "1,234.56", "en", Decimal("1234.56")),
        ("English without grouping", "1234.56", "en", Decimal("1234.56")),
        ("spaces around", "  99,90 ", "de", Decimal("99.90")),
    ],
)
def test_numbers_typed_the_readers_way_are_read(case, text, language, expected):
    assert formatting.parse_decimal(text, language=language) == expected


@pytest.mark.parametrize(
    ("case", "text", "language"),
    [
        ("English decimal point in German", "1234.56", "de"),
        ("English grouping in German", "1,234.56", "de"),
        ("German decimal comma in English", "1234,56", "en"),
        ("German grouping in English", "1.234,56", "en"),
        ("misplaced grouping", "1.23,4", "de"),
    ],
)
def test_what_could_mean_two_numbers_is_refused(case, text, language):
    with pytest.raises(formatting.AmbiguousNumber):
        formatting.parse_decimal(text, language=language)


@pytest.mark.parametrize("text", ["abc", "1e5", "²", "NaN", "Infinity", "", "12-3"])
def test_what_is_no_number_is_refused(text):
    with pytest.raises(ValueError):
        formatting.parse_decimal(text, language="de")


def test_money_field_reads_german_and_says_what_is_ambiguous():
    field = MoneyField(required=False)
    with translation.override("de"):
        assert field.clean("1.234,56") == Decimal("1234.56")
        assert field.clean("1234,56") == Decimal("1234.56")
        assert field.clean("") is None
        with pytest.raises(ValidationError) as refused:
            field.clean("1234.56")
        assert refused.value.code == "ambiguous"
        assert "1.234,56" in refused.value.messages[0]
        with pytest.raises(ValidationError) as too_precise:
            field.clean("1,234")  # German: 1.234 has three decimals
        assert too_precise.value.error_list[0].code == "max_decimal_places"


def test_money_field_shows_the_stored_value_in_the_readers_format():
    field = MoneyField(required=False)
    with translation.override("de"):
        assert field.widget.format_value(Decimal("1234.56")) == "1.234,56"
        assert field.widget.format_value("1234.5x") == "1234.5x"  # typed, shown back
    with translation.override("en"):
        assert field.widget.format_value(Decimal("1234.56")) == "1,234.56"
        assert field.clean("1,234.56") == Decimal("1234.56")
    html = field.widget.render("value", Decimal("1"))
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert "step" not in html
