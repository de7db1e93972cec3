"""Demo data protection records: the Art. 30 register of a small CRM user and a
few data-subject requests (one overdue), so that dora's pages have content."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Company, User
from accounts.selectors import company_members
from compliance import services, trainings
from compliance.models import (
    DataSubjectRequest,
    ProcessingActivity,
    RetentionRule,
    Training,
)
from core.dates import add_months
from crm.models import Person

REGISTER = [
    {
        "name": "Kundenbetreuung und Vertragsverwaltung",
        "purpose": "Anbahnung, Durchführung und Verwaltung von Verträgen mit Kunden; "
        "Kommunikation mit Ansprechpartnern.",
        "legal_basis": "contract",
        "data_subjects": "Kunden, Ansprechpartner von Kunden, Interessenten",
        "data_categories": [
            "master_data",
            "contact_data",
            "address",
            "communication",
            "contract",
        ],
        "recipients": "Hosting: Muster Rechenzentrum GmbH, Frankfurt "
        "(Auftragsverarbeiter)",
        "retention": "Bis zum Ende der Geschäftsbeziehung; Handelsbriefe 6 Jahre, "
        "Buchungsbelege 8 Jahre ab Ende des Kalenderjahres (§ 257 HGB, § 147 AO)",
        "source": "Bei der betroffenen Person oder ihrem Arbeitgeber erhoben",
    },
    {
        "name": "Buchhaltung und Rechnungsstellung",
        "purpose": "Rechnungen, Zahlungsverkehr und gesetzliche Aufbewahrung.",
        "legal_basis": "legal_obligation",
        "data_subjects": "Kunden",
        "data_categories": ["master_data", "address", "bank_data", "contract"],
        "recipients": "Steuerberatung Beispiel & Partner mbB, Köln\nFinanzamt (auf "
        "Anforderung)",
        "retention": "Buchungsbelege 8 Jahre, Bücher 10 Jahre ab Ende des "
        "Kalenderjahres",
    },
    {
        "name": "E-Mail-Newsletter",
        "purpose": "Information über eigene Produkte und Veranstaltungen.",
        "legal_basis": "consent",
        "data_subjects": "Ansprechpartner, die eingewilligt haben",
        "data_categories": ["contact_data"],
        "recipients": "Versanddienstleister: Beispiel Mail GmbH, Berlin",
        "retention": "Bis zum Widerruf; Nachweis der Einwilligung 3 Jahre danach",
        "source": "Anmeldung mit Double-Opt-in",
    },
    {
        "name": "Bearbeitung von Betroffenenanfragen",
        "purpose": "Erfüllung der Rechte nach Art. 15-21 DSGVO.",
        "legal_basis": "legal_obligation",
        "data_subjects": "Antragsteller",
        "data_categories": ["data_requests", "access_log"],
        "retention": "3 Jahre nach Abschluss der Anfrage",
    },
]


RULES = [
    {"name": "Interessenten ohne Kontakt seit 3 Jahren",
     "kind": "inactive_prospects", "years": 3},
    {"name": "Ehemalige Kunden nach 6 Jahren", "kind": "former_customers", "years": 6},
]  # fmt: skip


DPOS = {"first": "dora", "second": "dieter"}
# The yearly training, held two months ago by everyone but these: one has none
# yet, one's ends within the reminder days (the DPO's page and panel show both).
TRAINING_TOPIC = "Datenschutz-Grundschulung (DSGVO, BDSG)"
TRAINING_MISSING = {"ben"}
TRAINING_EXPIRING = {"maria", "moritz"}


def seed_demo(context: dict) -> str:
    """seed_demo step: per company the register, retention rules and three
    requests; each part only when the company has none yet (a database seeded
    by an older version gets what is new)."""
    if context.get("users_only"):
        return "compliance skipped"
    made = [
        seed_company(company, dpo=User.objects.get(username=DPOS[key]))
        for key, company in context["companies"].items()
    ]
    return "; ".join(made)


def seed_company(company: Company, *, dpo: User) -> str:
    made = []
    if not ProcessingActivity.objects.filter(company=company).exists():
        for fields in REGISTER:
            services.activity_create(actor=dpo, fields=fields)
        made.append(f"{len(REGISTER)} processing activities")
    if not RetentionRule.objects.filter(company=company).exists():
        for fields in RULES:
            services.rule_create(actor=dpo, fields=fields)
        made.append(f"{len(RULES)} retention rules")
    requests = DataSubjectRequest.objects.filter(company=company)
    if not requests.exists():
        today = timezone.localdate()
        persons = list(Person.objects.filter(company=company).order_by("pk")[:3])
        for person, kind, days_ago in zip(
            persons, ["access", "erasure", "objection"], [40, 20, 3], strict=False
        ):
            services.request_create(
                actor=dpo,
                fields={
                    "kind": kind,
                    "person": person,
                    "subject_name": person.full_name,
                    "received_on": today - timedelta(days=days_ago),
                    "channel": "email",
                },
            )
        overdue = requests.overdue(today=today).count()
        made.append(f"{len(persons)} requests ({overdue} overdue)")
    if not Training.objects.filter(company=company).exists():
        made.append(f"{seed_trainings(company, dpo=dpo)} trainings")
    return f"{company.name}: " + (", ".join(made) or "kept")


def seed_trainings(company: Company, *, dpo: User) -> int:
    """The company's yearly training for its members (see TRAINING_*)."""
    today = timezone.localdate()
    members = list(company_members(company.pk).order_by("username"))
    regular = [
        user
        for user in members
        if user.username not in TRAINING_MISSING | TRAINING_EXPIRING
    ]
    expiring = [user for user in members if user.username in TRAINING_EXPIRING]
    held = today - timedelta(days=60)
    recorded = trainings.training_record(
        actor=dpo,
        users=regular,
        held_on=held,
        topic=TRAINING_TOPIC,
        valid_until=add_months(held, 12),
    )
    if expiring:
        ends = today + timedelta(days=20)
        recorded += trainings.training_record(
            actor=dpo,
            users=expiring,
            held_on=add_months(ends, -12),
            topic=TRAINING_TOPIC,
            valid_until=ends,
        )
    return len(recorded)
