"""Completeness of a customer record: the rule, written down once (pure: no database).

Each rule has a weight; the score is the share of the weights met, 0-100. The
customer page shows the score and every rule that is not met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Facts:
    """What the rules look at, read from the record and its children."""

    is_private: bool
    has_industry: bool
    has_vat_id: bool
    has_website: bool
    address_purposes: frozenset[str]
    persons: int
    persons_reachable: int  # persons with an e-mail or a phone
    persons_with_email: int
    persons_with_phone: int
    has_birthday: bool


@dataclass(frozen=True)
class Rule:
    label: object  # a lazy translation
    weight: int
    applies_to: str  # "all", "organization", "private"

    def applies(self, facts: Facts) -> bool:
        kind = "private" if facts.is_private else "organization"
        return self.applies_to in ("all", kind)


RULES: Sequence[tuple[Rule, object]] = (
    (
        Rule(_("a postal or billing address"), 25, "all"),
        lambda f: bool({"postal", "billing"} & f.address_purposes),
    ),
    (
        Rule(_("at least one contact person"), 20, "organization"),
        lambda f: f.persons > 0,
    ),
    (
        Rule(_("every contact person reachable by e-mail or phone"), 15, "all"),
        lambda f: f.persons > 0 and f.persons_reachable == f.persons,
    ),
    (Rule(_("an e-mail address"), 15, "private"), lambda f: f.persons_with_email > 0),
    (Rule(_("a phone number"), 15, "private"), lambda f: f.persons_with_phone > 0),
    (Rule(_("the industry"), 10, "organization"), lambda f: f.has_industry),
    (Rule(_("the VAT ID"), 15, "organization"), lambda f: f.has_vat_id),
    (Rule(_("a website"), 5, "organization"), lambda f: f.has_website),
    (Rule(_("the birthday"), 5, "private"), lambda f: f.has_birthday),
    (
        Rule(_("a notice address (for contracts)"), 10, "all"),
        lambda f: "notice" in f.address_purposes or "postal" in f.address_purposes,
    ),
)


@dataclass(frozen=True)
class Completeness:
    score: int  # 0-100
    missing: tuple[object, ...]  # labels of the rules not met


def completeness(facts: Facts) -> Completeness:
    """Score the record against the rules that apply to its kind."""
    total = met = 0
    missing = []
    for rule, check in RULES:
        if not rule.applies(facts):
            continue
        total += rule.weight
        if check(facts):
            met += rule.weight
        else:
            missing.append(rule.label)
    score = round(100 * met / total) if total else 100
    return Completeness(score=score, missing=tuple(missing))


def rules_for(is_private: bool) -> list[tuple[object, int]]:
    """The rules of a kind with their weights, to show how the score is made."""
    facts_kind = "private" if is_private else "organization"
    return [
        (rule.label, rule.weight)
        for rule, _check in RULES
        if rule.applies_to in ("all", facts_kind)
    ]
