"""Retention rules: which customers' personal data has outlived its purpose.

Each rule kind is a query (so the dry-run page and the daily task see the same
customers); applying a rule erases every person of each customer found, with
the retention holds of compliance.erasure (what the law keeps is restricted,
not erased). Customers already restricted or erased are left out.
"""

from __future__ import annotations

from datetime import date

from django.db import models, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from compliance.erasure import person_erase
from compliance.models import Erasure, RetentionRule, RetentionRuleKind
from core.dates import add_months
from crm.models import Customer


def _cutoff(rule: RetentionRule, today: date) -> date:
    return add_months(today, -12 * rule.years)


def affected(rule: RetentionRule, *, today: date) -> QuerySet[Customer]:
    """The customers the rule applies to today."""
    cutoff = _cutoff(rule, today)
    queryset = (
        # A rule is its company's: it never reaches another company's customers.
        Customer.objects.filter(
            company_id=rule.company_id, restricted_until__isnull=True
        )
        .exclude(
            persons__pk__in=Erasure.objects.filter(company_id=rule.company_id).values(
                "person_ref"
            )
        )
        .annotate(last_contact=Max("interactions__occurred_at"))
    )
    # No contact at all counts as none since the cutoff (NULL is no "recent").
    quiet = Q(last_contact__isnull=True) | Q(last_contact__date__lt=cutoff)
    if rule.kind == RetentionRuleKind.INACTIVE_PROSPECTS:
        queryset = queryset.filter(status="prospect", created_at__date__lt=cutoff)
        queryset = queryset.filter(quiet).exclude(contracts__isnull=False)
    else:  # former customers: no contact and no contract end since the cutoff
        queryset = queryset.filter(status="former", updated_at__date__lt=cutoff)
        queryset = queryset.filter(quiet).exclude(contracts__term_end__gte=cutoff)
    return queryset.filter(persons__isnull=False).distinct().order_by("name", "pk")


DRY_RUN_SAMPLE = 20


def dry_run(rules, *, today: date) -> dict[int, tuple[int, list[Customer]]]:
    """Per rule: how many customers it would erase today and the first 20 of them,
    in one query for all rules (UNION ALL of each rule's first rows, each with
    the rule's full count from a window), not two queries per rule."""
    parts = [
        affected(rule, today=today).annotate(
            rule_ref=models.Value(rule.pk, output_field=models.BigIntegerField()),
            total=models.Window(models.Count("pk")),
        )[:DRY_RUN_SAMPLE]
        for rule in rules
    ]
    totals = dict.fromkeys((rule.pk for rule in rules), 0)
    samples: dict[int, list[Customer]] = {rule.pk: [] for rule in rules}
    for customer in parts[0].union(*parts[1:], all=True) if parts else ():
        totals[customer.rule_ref] = customer.total
        samples[customer.rule_ref].append(customer)
    return {pk: (totals[pk], samples[pk]) for pk in totals}


@transaction.atomic
def rule_apply(*, rule: RetentionRule, today: date) -> int:
    """Erase the persons of every customer the rule finds; returns persons erased."""
    erased = 0
    for customer in affected(rule, today=today).prefetch_related("persons"):
        for person in customer.persons.all():
            person_erase(
                person=person, request=None, actor=None, today=today, rule=rule
            )
            erased += 1
    RetentionRule.objects.filter(pk=rule.pk).update(last_run_at=timezone.now())
    return erased


def rules_apply(*, today: date) -> dict[str, int]:
    """The daily task: every active rule."""
    return {
        rule.name: rule_apply(rule=rule, today=today)
        for rule in RetentionRule.objects.filter(active=True)
    }
