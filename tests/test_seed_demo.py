"""`seed_demo` as `make run` calls it: every app's part, once, in two companies."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone


def test_seed_demo_fills_every_app_once(db):
    from accounts.models import Company
    from compliance.models import DataSubjectRequest, ProcessingActivity, RetentionRule
    from contracts.models import Contract
    from crm.models import Customer, Interaction, Person

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "8 users created" in out.getvalue()
    first, second = Company.objects.order_by("pk")
    assert second.name == "Beispiel Handels AG" and second.land == "BY"

    def of(model, company):
        return model.objects.filter(company=company)

    assert of(Customer, first).count() == 43
    assert of(Customer, second).count() == 17
    assert of(Person, first).count() > 43
    assert of(Interaction, first).count() > 100
    assert of(Contract, first).count() == 24
    assert of(Contract, second).count() == 8
    # Numbers overlap on purpose: K-000001 and V-000001 exist once per company.
    for model, number in ((Customer, "K-000001"), (Contract, "V-000001")):
        assert of(model, first).filter(number=number).count() == 1
        assert of(model, second).filter(number=number).count() == 1
    today = timezone.localdate()
    soon = of(Contract, first).filter(
        last_notice_day__gte=today, last_notice_day__lte=today + timedelta(60)
    )
    assert soon.exists()
    for company in (first, second):
        assert of(ProcessingActivity, company).count() == 4
        assert of(RetentionRule, company).count() == 2
        assert of(DataSubjectRequest, company).overdue(today=today).count() == 1
        assert of(DataSubjectRequest, company).filter(number="DS-000001").exists()
    # Trainings: most valid, one expiring within the reminder days, one missing.
    from compliance.models import Training
    from compliance.selectors import training_rows

    statuses = {
        row.user.username: row.status
        for row in training_rows(company=first.pk, today=today)
    }
    assert statuses == {
        "anna": "valid", "ben": "missing", "maria": "expiring",
        "dora": "valid", "admin": "valid",
    }  # fmt: skip
    # Follow-up tasks: anna's overdue, today, in a week and one done; ben's two.
    from service.models import Task

    tasks = of(Task, first)
    assert tasks.filter(assignee__username="anna").count() == 4
    assert tasks.filter(assignee__username="ben").count() == 2
    assert tasks.done().count() == 1
    assert tasks.overdue(today=today).count() == 1
    assert tasks.due_today(today=today).count() == 2
    assert of(Task, second).exists() is False
    trainings = Training.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Training.objects.count() == trainings
    assert Task.objects.count() == 6
    assert Customer.objects.count() == 60
    assert Contract.objects.count() == 32
    assert DataSubjectRequest.objects.count() == 6
