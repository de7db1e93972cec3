"""Stored deadlines roll over to the next term; ended contracts end."""

from datetime import date, timedelta

from contracts.models import Contract, Reminder
from contracts.reminders import reminders_plan
from contracts.services import contract_give_notice, contracts_roll_over
from tests.support.versions import current

from .conftest import make_contract

# nord_contract: 01.01.2025, 12 months, renews by 12, 3 months to the term end:
# last notice day 30.09.2025, term end 31.12.2025.


def test_a_passed_last_notice_day_moves_to_the_next_term(nord_contract):
    assert contracts_roll_over(today=date(2025, 9, 30)) == 0  # still the day
    assert contracts_roll_over(today=date(2025, 10, 1)) == 1
    contract = Contract.objects.get(pk=nord_contract.pk)
    assert (contract.last_notice_day, contract.term_end) == (
        date(2026, 9, 30),
        date(2026, 12, 31),
    )
    assert contract.status == "active"
    assert contract.version == nord_contract.version + 1
    last = contract.history.latest()
    assert last.history_user is None and last.history_change_reason
    assert contracts_roll_over(today=date(2025, 10, 1)) == 0  # idempotent


def test_a_missed_year_is_caught_up_in_one_step(nord_contract):
    assert contracts_roll_over(today=date(2027, 3, 1)) == 1
    contract = Contract.objects.get(pk=nord_contract.pk)
    assert contract.last_notice_day == date(2027, 9, 30)


def test_the_renewed_term_gets_its_reminders(demo, nord_contract):
    today = date(2026, 9, 30) - timedelta(days=90)
    assert reminders_plan(today=today).written == 0  # the stored date is stale
    contracts_roll_over(today=today)
    assert reminders_plan(today=today).written == 1
    assert Reminder.objects.get().deadline == date(2026, 9, 30)


def test_a_fixed_term_without_renewal_ends(demo, nord_contract):
    fixed = make_contract(
        nord_contract.customer, demo["anna"], renewal="none", renewal_months=None
    )
    assert fixed.term_end == date(2025, 12, 31)
    contracts_roll_over(today=date(2026, 1, 1))
    fixed.refresh_from_db()
    assert fixed.status == "ended"
    assert (fixed.term_end, fixed.last_notice_day) == (date(2025, 12, 31), None)


def test_a_notice_takes_effect_on_its_end(demo, nord_contract):
    from datetime import UTC, datetime

    contract_give_notice(
        contract=nord_contract,
        version=current(nord_contract),
        actor=demo["anna"],
        given_by="customer",
        channel="letter",
        received_at=datetime(2025, 6, 2, 9, 0, tzinfo=UTC),
    )
    assert contracts_roll_over(today=date(2025, 12, 31)) == 0
    assert contracts_roll_over(today=date(2026, 1, 1)) == 1
    contract = Contract.objects.get(pk=nord_contract.pk)
    assert (contract.status, contract.term_end) == ("ended", date(2025, 12, 31))


def test_ended_and_draft_contracts_are_left_alone(nord_contract):
    Contract.objects.filter(pk=nord_contract.pk).update(status="draft")
    assert contracts_roll_over(today=date(2027, 1, 1)) == 0
