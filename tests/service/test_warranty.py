"""Warranty claims (BGB §§ 438, 476, 477, 187-193): worked examples."""

from __future__ import annotations

from datetime import date

import pytest

from core.holidays import public_holidays
from service.warranty import Claim, explain, warranty

HOLIDAYS = public_holidays(2024) | public_holidays(2029)


def run(**kwargs):
    return warranty(Claim(**kwargs), HOLIDAYS)


def test_goods_two_years_from_delivery_and_the_consumer_s_presumption():
    result = run(delivered=date(2025, 3, 15), consumer=True)
    assert (result.months, result.last_day, result.ends) == (
        24, date(2027, 3, 15), date(2027, 3, 15),
    )  # fmt: skip
    assert result.presumption_until == date(2026, 3, 15)
    assert result.runs_on(date(2027, 3, 15)) and not result.runs_on(date(2027, 3, 16))
    assert result.presumed_on(date(2026, 3, 15))
    assert not result.presumed_on(date(2026, 3, 16))


def test_a_leap_day_delivery_ends_on_the_last_of_february_and_then_monday():
    result = run(delivered=date(2024, 2, 29), consumer=True)
    assert result.last_day == date(2026, 2, 28)  # § 188(3); a Saturday
    assert result.ends == date(2026, 3, 2)  # § 193
    assert result.presumption_until == date(2025, 2, 28)
    lines = explain(result)
    assert "(§ 188 Abs. 3 BGB)" in lines[1]
    assert lines[2] == (
        "Der Sa 28.02.2026 ist ein Samstag: Die Frist endet mit Ablauf des nächsten "
        "Werktags, Mo 02.03.2026 (§ 193 BGB)."
    )
    assert "is a Saturday" in explain(result, "en")[2]


def test_christmas_and_the_weekend_move_the_end_to_monday():
    result = run(delivered=date(2023, 12, 25))
    assert result.last_day == date(2025, 12, 25)
    assert result.ends == date(2025, 12, 29)
    assert "ein gesetzlicher Feiertag" in explain(result)[2]


def test_the_presumption_window_does_not_move():
    result = run(delivered=date(2025, 2, 28), consumer=True)
    assert result.presumption_until == date(2026, 2, 28)  # a Saturday, stays


def test_between_businesses_no_presumption_and_an_agreed_shorter_period():
    plain = run(delivered=date(2025, 3, 15))
    assert plain.presumption_until is None
    assert "Der Käufer muss beweisen" in explain(plain)[-1]
    agreed = run(delivered=date(2025, 3, 14), agreed_months=12)
    assert (agreed.months, agreed.ends) == (12, date(2026, 3, 16))  # 14.03.2026 Sat
    doubtful = run(delivered=date(2025, 3, 14), agreed_months=6)
    assert doubtful.months == 6
    assert any("§ 307 BGB" in line for line in explain(doubtful))


def test_used_goods_a_consumer_may_agree_one_year_not_less():
    used = run(delivered=date(2025, 6, 10), consumer=True, used=True, agreed_months=12)
    assert (used.months, used.ends) == (12, date(2026, 6, 10))
    assert used.presumption_until == date(2026, 6, 10)
    void = run(delivered=date(2025, 6, 10), consumer=True, used=True, agreed_months=6)
    assert void.months == 24
    assert "unwirksam" in explain(void)[1]
    # new goods: not below two years
    new = run(delivered=date(2025, 6, 10), consumer=True, agreed_months=12)
    assert new.months == 24
    # a longer agreed period applies (§ 202(2))
    longer = run(delivered=date(2025, 6, 10), agreed_months=36)
    assert longer.months == 36


def test_buildings_five_years():
    result = run(delivered=date(2021, 5, 20), building=True)
    assert (result.months, result.ends) == (60, date(2026, 5, 20))
    consumer = run(delivered=date(2021, 5, 20), building=True, consumer=True)
    assert any("Baustoffe" in line for line in explain(consumer))


def test_purchases_before_2022_presume_for_six_months_only():
    old = run(delivered=date(2021, 7, 1), consumer=True, sold_before_2022=True)
    assert old.presumption_until == date(2022, 1, 1)
    assert "a. F." in explain(old)[-1]
    new = run(delivered=date(2022, 1, 3), consumer=True)
    assert new.presumption_until == date(2023, 1, 3)


def test_an_agreed_period_under_a_month_is_refused():
    with pytest.raises(ValueError):
        Claim(delivered=date(2025, 1, 1), agreed_months=0)
