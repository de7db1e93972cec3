"""The benchmark's cases are laid out as bench/cases.py says: one in ten open,
exactly the asked number of alerts due at the moment of seeding, and the
escalation scan finds those and no others."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Max

from accounts.models import Company, User
from service import escalation
from service.models import Case, CaseAlert

pytestmark = pytest.mark.django_db(transaction=True)  # the commands VACUUM


def test_the_bench_cases_have_exactly_the_due_alerts_asked_for(demo):
    out = io.StringIO()
    call_command("seed_bench", organizations=60, interactions_per_organization=1,
                 hot_interactions=1, stdout=out)  # fmt: skip
    call_command("seed_bench_cases", cases=2000, open=200, due=7, stdout=out)
    moment = Case.objects.aggregate(at=Max("created_at"))["at"]
    # The bench's own database has no commitment; here the demo's is accepted.
    company = Company.objects.order_by("pk").first()
    User.objects.filter(username__startswith="bench").update(
        accepted_commitments={str(company.pk): company.commitment_version}
    )

    assert Case.objects.count() == 2000 and Case.objects.open().count() == 200
    assert escalation.escalation_plan(now=moment) == 7
    assert CaseAlert.objects.count() == 7
    assert escalation.escalation_plan(now=moment) == 0
