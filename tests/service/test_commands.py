"""The support staff's commands `sla` and `warranty`: JSON out, clear errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_sla_across_christmas_with_a_pause_in_english():
    result = run(
        "sla", "--opened", "2026-12-23T16:30", "--hours", "12", "--land", "BY",
        "--pause", "2026-12-24T10:00", "2026-12-28T09:00", "--language", "en",
    )  # fmt: skip
    # 30 min Wed, 2 h Thu until the pause, Mon 09:00-17:00 (8 h), Tue 08:00-09:30
    assert result["due"] == "2026-12-29T09:30:00+01:00"
    assert result["calendar"]["land"] == "BY"
    assert result["explanation"][0].startswith("Opened Wed 23 Dec 2026 16:30")
    assert (
        "Fri 25 Dec 2026: public holiday (Christmas Day), not counted."
        in (result["explanation"])
    )


def test_sla_with_an_offset_and_an_open_pause():
    result = run(
        "sla", "--opened", "2026-12-07T08:00+00:00", "--hours", "0.5",
        "--pause", "2026-12-07T10:00", "open",
    )  # fmt: skip
    assert result["opened"] == "2026-12-07T09:00:00+01:00"
    assert result["due"] == "2026-12-07T09:30:00+01:00"
    stands = run("sla", "--opened", "2026-12-07T09:00", "--hours", "2",
                 "--pause", "2026-12-07T10:00", "open")  # fmt: skip
    assert stands["due"] is None


@pytest.mark.django_db
def test_sla_takes_a_company_s_calendar(demo):
    from tests.support.companies import set_company

    set_company(demo["anna"], business_days=[1, 2, 3, 4, 5, 6], land="BY")
    from accounts.models import Company

    slug = Company.objects.get(pk=demo["anna"].company_id).slug
    result = run(
        "sla", "--company", slug, "--opened", "2026-12-04T16:00", "--hours", "2"
    )
    assert result["due"] == "2026-12-05T09:00:00+01:00"  # Saturday works there
    assert result["calendar"]["days"] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--opened", "gestern", "--hours", "2"], "--opened"),
        (["--opened", "2026-12-07T09:00", "--hours", "viel"], "--hours"),
        (["--opened", "2026-12-07T09:00", "--hours", "-1"], "not negative"),
        (["--opened", "2026-12-07T09:00", "--hours", "2", "--land", "XX"], "--land"),
        (["--opened", "2026-12-07T09:00", "--hours", "2", "--days", "0,9"], "--days"),
        (
            ["--opened", "2026-12-07T09:00", "--hours", "2", "--start", "18:00"],
            "--end",
        ),
        (
            [
                "--opened", "2026-12-07T09:00", "--hours", "2",
                "--pause", "2026-12-07T12:00", "2026-12-07T11:00",
            ],
            "--pause",
        ),
    ],
)  # fmt: skip
def test_sla_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("sla", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_sla_unknown_company():
    with pytest.raises(CommandError, match="--company"):
        call_command("sla", "--company", "nope", "--opened", "2026-12-07T09:00",
                     "--hours", "1", stdout=io.StringIO())  # fmt: skip


def test_warranty_json():
    result = run("warranty", "--delivered", "2024-02-29", "--consumer",
                 "--today", "2026-03-01")  # fmt: skip
    assert result["last_day"] == "2026-02-28"
    assert result["ends"] == "2026-03-02"
    assert result["presumption_until"] == "2025-02-28"
    assert (result["runs"], result["presumed"]) == (True, False)
    used = run("warranty", "--delivered", "2025-03-15", "--consumer", "--used",
               "--agreed-months", "12", "--language", "en")  # fmt: skip
    assert used["ends"] == "2026-03-16"  # 15.03.2026 is a Sunday
    assert used["explanation"][1].startswith("12 months are agreed")
    business = run("warranty", "--delivered", "2025-03-15")
    assert business["presumption_until"] is None
    # thirty agreed years: the holidays of the last day's year count (§ 193)
    decades = run("warranty", "--delivered", "2000-12-25", "--agreed-months", "360")
    assert decades["last_day"] == "2030-12-25"  # Christmas, then Boxing Day
    assert decades["ends"] == "2030-12-27"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delivered", "15.03.2025"], "--delivered"),
        (["--delivered", "2025-03-15", "--agreed-months", "0"], "--agreed-months"),
        (["--delivered", "2025-03-15", "--land", "XX"], "--land"),
    ],
)
def test_warranty_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("warranty", *args, stdout=io.StringIO())
