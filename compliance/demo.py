"""Demo data protection records: the Art. 30 register of a small CRM user and a
few data-subject requests (one overdue), so that dora's pages have content."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Company, User
from compliance import services
from compliance.models import DataSubjectRequest, ProcessingActivity, RetentionRule
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
    return f"{company.name}: " + (", ".join(made) or "kept")
