"""The access report (Art. 15) and portable export (Art. 20) of one person.

`collect(person)` walks the registry: every registered model's rows of the
person, the change history of those rows, and who accessed their data, plus the
information Art. 15(1) asks for from the Art. 30 register. `as_json` is the
export (structure: compliance/report.schema.json, documented in the README);
`render` makes the PDF (cover letter, contents, page numbers) with WeasyPrint.
Long lists are blocks, not tables: WeasyPrint lays out long tables several
times slower.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import models
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Company
from compliance.erasure import former_records
from compliance.models import ProcessingActivity
from compliance.registry import Entry, person_entries
from core.history import field_label, history_page, value_label
from core.pdf import data_uri, render_pdf
from crm.models import Address, Person

FORMAT = "kundenbuch-access-report/1"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
# Bookkeeping columns that say nothing about the person.
SKIPPED = {"search_text", "version", "password"}


@dataclass
class Section:
    model: str
    category: str
    title: str
    labels: dict[str, str]
    # {"id": pk, "values": {name: value} (the JSON's), "shown": {name: text} (the
    # PDF's: in the reader's format, empty values left out)}
    rows: list[dict] = field(default_factory=list)

    def common(self) -> list[tuple[str, str]]:
        """(label, text) of the fields every row shows the same: said once."""
        if len(self.rows) < 2:
            return []
        first = self.rows[0]["shown"]
        return [
            (self.labels[name], text)
            for name, text in first.items()
            if all(row["shown"].get(name) == text for row in self.rows[1:])
        ]

    def display_rows(self) -> list[str]:
        """Each row as one line of "label: value" (the PDF: one text run per row,
        which WeasyPrint lays out many times faster than a box per field)."""
        same = {label for label, _text in self.common()}
        return [
            " · ".join(
                f"{self.labels[name]}: {text}"
                for name, text in row["shown"].items()
                if self.labels[name] not in same
            )
            for row in self.rows
        ]


@dataclass
class Report:
    person: Person
    generated_at: datetime
    language: str
    address: Address | None
    sections: list[Section]
    history: list  # core.history.ChangeEntry
    activities: list[ProcessingActivity]
    company: Company  # the controller: its letterhead and supervisory authority


def _value(obj: models.Model, model_field: models.Field):
    """The JSON's value: plain, for machines."""
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else str(related)
    if model_field.choices:
        return getattr(obj, f"get_{model_field.name}_display")()
    value = getattr(obj, model_field.attname)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(obj: models.Model, model_field: models.Field) -> str:
    """The PDF's text: as the history tab shows it ("" when empty)."""
    attr = model_field.name if model_field.is_relation else model_field.attname
    return value_label(model_field, getattr(obj, attr), row=obj)


def _title(model: type[models.Model]) -> str:
    """A section's title; an m2m link table is named by its field on the owner
    ("Contracts: responsible persons"), not by Django's generated name."""
    owner = model._meta.auto_created
    if owner:
        link = next(
            f for f in owner._meta.many_to_many if f.remote_field.through is model
        )
        return f"{capfirst(owner._meta.verbose_name_plural)}: {link.verbose_name}"
    return capfirst(str(model._meta.verbose_name_plural))


def _section(entry: Entry, person_id: int) -> Section:
    model = entry.model
    shown = [
        f
        for f in model._meta.concrete_fields
        # the row's id is the JSON's "id"; an internal number says nothing to
        # the person reading the PDF
        if f.name not in SKIPPED and not f.primary_key and not f.name.endswith("_ptr")
    ]
    section = Section(
        model=entry.label,
        category=str(entry.category),
        title=_title(model),
        labels={f.name: field_label(f) for f in shown},
    )
    related = [f.name for f in shown if f.is_relation]
    # The model's own order: the timeline newest first, as the app shows it.
    order = model._meta.ordering or ["pk"]
    queryset = entry.rows_of(person_id).select_related(*related).order_by(*order)
    for obj in queryset.iterator(chunk_size=500):
        texts = ((f.name, _shown(obj, f)) for f in shown)
        section.rows.append(
            {
                "id": obj.pk,
                "values": {f.name: _value(obj, f) for f in shown},
                "shown": {name: text for name, text in texts if text},
            }
        )
    return section


def collect(person: Person, *, language: str = "de") -> Report:
    """Everything the system holds about the person, from the registry."""
    with translation.override(language):
        entries = person_entries()
        sections = [_section(entry, person.pk) for entry in entries]
        histories = []
        for entry, section in zip(entries, sections, strict=True):
            history = entry.history_model
            ids = [row["id"] for row in section.rows]
            if history is not None and ids:
                histories.append(history.objects.filter(id__in=ids))
        former = former_records(person)  # deleted earlier: only history is left
        if former:
            histories.append(Person.history.model.objects.filter(id__in=former))
        # Other persons restricted under Art. 18 (few) are named nowhere in it:
        # the report leaves the company, and restricted data is only stored.
        hidden = {
            Person: set(
                Person.objects.filter(restricted_until__isnull=False)
                .exclude(pk=person.pk)
                .values_list("pk", flat=True)
            )
        }
        changes, _more = (
            history_page(histories, limit=100_000, hidden=hidden)
            if histories
            else ([], 0)
        )
        customer = person.customer
        company = Company.objects.get(pk=person.company_id)
        address = (
            customer.addresses.current()
            .filter(purpose__in=["postal", "billing"])
            .order_by("-purpose")
            .first()
        )
        return Report(
            person=person,
            generated_at=timezone.now(),
            language=language,
            address=address,
            sections=[s for s in sections if s.rows],
            history=changes,
            activities=list(
                ProcessingActivity.objects.filter(company=company, active=True)
            ),
            company=company,
        )


def rights() -> list[str]:
    return [
        _("Rectification of inaccurate data (Art. 16 GDPR)"),
        _("Erasure (Art. 17 GDPR)"),
        _("Restriction of processing (Art. 18 GDPR)"),
        _("Data portability (Art. 20 GDPR)"),
        _("Objection to processing (Art. 21 GDPR), to direct marketing at any time"),
        _("Withdrawal of a consent at any time, for the future (Art. 7(3) GDPR)"),
    ]


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(report: Report) -> dict:
    """The portable export: structured, machine-readable (Art. 20)."""
    with translation.override(report.language):
        return {
            "format": FORMAT,
            "generated_at": report.generated_at.isoformat(),
            "language": report.language,
            "subject": {
                "person_id": report.person.pk,
                "name": report.person.full_name,
                "customer_number": report.person.customer.number,
            },
            "information": {
                "controller": report.company.name,
                "purposes": [
                    {
                        "name": activity.name,
                        "purpose": activity.purpose,
                        "legal_basis": activity.get_legal_basis_display(),
                        "categories": activity.data_categories,
                        "recipients": activity.recipient_list(),
                        "third_countries": activity.third_countries,
                        "retention": activity.retention,
                        "source": activity.source,
                    }
                    for activity in report.activities
                ],
                "rights": rights(),
                "complaint": report.company.supervisory_authority,
                "automated_decisions": _("No automated decision-making or profiling."),
            },
            "records": [
                {
                    "model": section.model,
                    "category": section.category,
                    "title": section.title,
                    "labels": section.labels,
                    "rows": [
                        {
                            "id": row["id"],
                            "values": {k: _plain(v) for k, v in row["values"].items()},
                        }
                        for row in section.rows
                    ],
                }
                for section in report.sections
            ],
            "history": [
                {
                    "when": entry.when.isoformat(),
                    "who": str(entry.who),
                    "what": str(entry.what),
                    "record": str(entry.record),
                    "action": entry.action,
                    "changes": [
                        {"field": str(c.label), "old": str(c.old), "new": str(c.new)}
                        for c in entry.changes
                    ],
                }
                for entry in report.history
            ],
        }


def json_bytes(report: Report) -> bytes:
    return json.dumps(as_json(report), ensure_ascii=False, indent=1).encode()


def render(report: Report) -> bytes:
    """The PDF: cover letter at the current postal address, contents, page numbers."""
    context = {
        "report": report,
        "person": report.person,
        "address": report.address,
        "company": report.company,
        "logo": data_uri(report.company.logo),
        "company_name": report.company.name,
        "company_address": report.company.address_lines,
        "authority": report.company.supervisory_authority,
        "rights": rights,
        "today": timezone.localdate(),
    }
    return render_pdf("compliance/report.html", context, language=report.language)
