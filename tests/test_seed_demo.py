"""`seed_demo` as `make run` calls it: every app's part, once."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone


def test_seed_demo_fills_every_app_once(db):
    from contracts.models import Contract
    from crm.models import Customer, Interaction, Person

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "seed_demo (accounts): 5 users created" in out.getvalue()
    assert Customer.objects.count() == 43
    assert Person.objects.count() > 43
    assert Interaction.objects.count() > 100
    assert Contract.objects.count() == 24
    today = timezone.localdate()
    soon = Contract.objects.filter(
        last_notice_day__gte=today, last_notice_day__lte=today + timedelta(60)
    )
    assert soon.exists()
    from compliance.models import DataSubjectRequest, ProcessingActivity, RetentionRule

    assert ProcessingActivity.objects.count() == 4
    assert RetentionRule.objects.count() == 2
    assert DataSubjectRequest.objects.overdue(today=today).count() == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert Customer.objects.count() == 43
    assert Contract.objects.count() == 24
    assert DataSubjectRequest.objects.count() == 3
