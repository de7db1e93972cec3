"""`manage.py deadline`: the engine for support staff, JSON out."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return json.loads(out.getvalue())


def test_example_1_as_json_with_a_late_notice():
    result = run(
        "--start=2025-01-01", "--months=12", "--renewal=months",
        "--renewal-months=12", "--notice=3 months", "--today=2025-02-01",
        "--received=2025-10-01",
    )  # fmt: skip
    assert result["term"] == {"number": 1, "start": "2025-01-01", "end": "2025-12-31"}
    assert result["last_notice_day"] == "2025-09-30"
    assert result["next_renewal"] == "2026-01-01"
    assert result["end_for_notice_received"]["end"] == "2026-12-31"
    assert result["explanation"][1].startswith("Letzter Tag für den Eingang")


def test_a_deadline_on_a_public_holiday_recommends_the_working_day_before():
    # 03.10.2025 is German Unity Day (a Friday): receipt still counts that day.
    result = run(
        "--start=2024-11-04", "--months=12", "--notice=1 month",
        "--today=2025-01-10", "--language=en",
    )  # fmt: skip
    assert result["last_notice_day"] == "2025-10-03"
    assert result["recommended_send_by"] == "2025-10-02"
    assert "does not move" in " ".join(result["explanation"])


def test_a_consumer_contract_with_invalid_terms_lists_the_problems():
    result = run(
        "--start=2023-03-10", "--months=25", "--renewal=months",
        "--renewal-months=12", "--notice=3 months", "--b2c",
    )  # fmt: skip
    assert len(result["consumer_problems"]) == 3


@pytest.mark.parametrize(
    "bad", [["--notice=three months"], ["--notice=3 months", "--land=XX"]]
)
def test_bad_input_is_a_clear_error(bad):
    with pytest.raises(CommandError):
        run("--start=2025-01-01", "--months=12", *bad)
