"""Change history of a customer and everything under it, as "who changed which
field from what to what, and when" (read side of simple-history)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.models import BaseObjectPermission

from core.formatting import decimal, money

EMPTY = "\u2013"  # an en dash for "no value"
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Not shown: bookkeeping, on grants the customer itself (it is this page's), and
# the company (every row of a page is the reader's company's; it never changes).
HIDDEN_FIELDS = {
    "id",
    "company",
    "version",
    "created_at",
    "updated_at",
    "search_text",
    "content_object",
}
# Stored as E.164 (crm.validation.normalize_phone), read the national way.
# Fields an app shows its own way, by field name (crm registers phones, shown the
# national way, and IBANs in groups of four): the history and the access report
# then show them as the app's pages do.
VALUE_FORMATTERS: dict[str, Callable[[str], str]] = {}


def register_value_formatter(field_name: str, formatter: Callable[[str], str]) -> None:
    """Show string values of fields named `field_name` through `formatter`."""
    VALUE_FORMATTERS[field_name] = formatter


# guardian's grant fields, named as the sharing page names them.
GRANT_FIELD_LABELS = {
    "permission": gettext_lazy("access"),
    "group": gettext_lazy("team"),
    "user": gettext_lazy("user"),
}
PERMISSION_LABELS = {
    "view_customer": gettext_lazy("may read"),
    "change_customer": gettext_lazy("may edit"),
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    when: datetime
    who: str
    what: str  # model name
    record: str  # the record's label
    action: str  # created / changed / deleted
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """'Contract “V-000001 Wartung”', with the quotes of the reader's language."""
        return _("%(what)s “%(record)s”") % {"what": self.what, "record": self.record}


def field_label(model_field) -> str:
    """A field's name as the reader sees it: its verbose name, capitalized."""
    model = model_field.model
    if isinstance(model, type) and issubclass(model, BaseObjectPermission):
        label = GRANT_FIELD_LABELS.get(model_field.name, model_field.verbose_name)
    elif (
        model_field.name == "groups"
        and model_field.is_relation
        and model_field.related_model._meta.label == "auth.Group"
    ):
        label = gettext_lazy("roles and teams")  # what a user's groups are here
    elif model_field.is_relation and model_field.verbose_name == (
        model_field.name.replace("_", " ")
    ):
        # named after the code only ("contract", an m2m link table's columns):
        # the related model's name says the same, translated
        label = model_field.related_model._meta.verbose_name
    else:
        label = model_field.verbose_name
    return capfirst(str(label))


def value_label(model_field, value, *, row=None, names: dict | None = None) -> str:
    """A field's value as the reader reads it, in the active language; "" if empty.

    The history tab and the access report both show values through this: money in
    the row's currency, phone numbers the national way, dates and numbers in the
    reader's format. `value` of a foreign key is the related object or its id
    (then named from `names`, {(model, pk): name}).
    """
    if value is None or value == "" or value == {} or value == []:
        return ""
    if isinstance(value, models.Model):
        return _name_of(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        # a row deleted since: its id would mean nothing to the reader
        return (names or {}).get((model_field.related_model, value), _("(deleted)"))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        currency = getattr(row, "currency", None)
        if currency:
            return money(value, currency)
        return decimal(value, getattr(model_field, "decimal_places", None) or 2)
    if model_field.name in VALUE_FORMATTERS and isinstance(value, str):
        return VALUE_FORMATTERS[model_field.name](value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        # items may hold commas themselves (delivery details: "Mo, Di 7-15 Uhr")
        return "; ".join(str(item) for item in value)
    return str(value)


def _display(model_field, value, names: dict, row=None) -> str:
    return value_label(model_field, value, row=row, names=names) or EMPTY


def _tracked(history_model) -> list:
    return [
        f
        for f in history_model.tracked_fields
        if f.name not in HIDDEN_FIELDS and not f.name.startswith("history_")
    ]


def _name_of(obj) -> str:
    """How a referenced row is named in the history: teams, not their groups."""
    from django.contrib.auth.models import Group, Permission

    if isinstance(obj, Permission):
        return str(PERMISSION_LABELS.get(obj.codename, obj.codename))
    if isinstance(obj, Group) and hasattr(obj, "team"):
        return obj.team.name
    if isinstance(obj, Group) and hasattr(obj, "company_role"):
        return obj.company_role.get_role_display()
    return str(obj)


def _load_related(history_model, records) -> dict:
    """The users, teams, ... that foreign keys in the records point to, by
    (model, pk)."""
    wanted: dict = defaultdict(set)
    for model_field in _tracked(history_model):
        if isinstance(model_field, models.ForeignKey):
            for record in records:
                value = getattr(record, model_field.attname)
                if value is not None:
                    wanted[model_field.related_model].add(value)
    related = {}
    for model, ids in wanted.items():
        for pk, obj in model._base_manager.in_bulk(ids).items():
            related[(model, pk)] = obj
    return related


def _m2m_states(history_model, records) -> dict:
    """For each m2m field: history_id -> frozenset of target ids, in one query each."""
    states = {}
    ids = [r.history_id for r in records if r is not None]
    for model_field in getattr(history_model, "_history_m2m_fields", None) or []:
        target = model_field.related_model
        rows = next(  # simple-history's table of the m2m rows per history record
            rel.related_model
            for rel in history_model._meta.related_objects
            if rel.related_model.__name__.endswith(f"_{model_field.name}")
        )
        key = f"{target._meta.model_name}_id"
        by_record = defaultdict(set)
        for history_id, target_id in rows.objects.filter(
            history_id__in=ids
        ).values_list("history_id", key):
            by_record[history_id].add(target_id)
        states[model_field] = by_record
    return states


def _m2m_changes(
    states: dict, names: dict, new, old, hidden: dict
) -> list[FieldChange]:
    if old is None:
        return []
    changes = []
    for model_field, by_record in states.items():
        unseen = hidden.get(model_field.related_model, set())
        before = by_record.get(old.history_id, set()) - unseen
        after = by_record.get(new.history_id, set()) - unseen
        if before == after:
            continue

        def label(ids, target=model_field.related_model) -> str:
            shown = sorted(names.get((target, i), _("(deleted)")) for i in ids)
            return ", ".join(shown) or EMPTY

        changes.append(
            FieldChange(field_label(model_field), label(before), label(after))
        )
    return changes


def _load_m2m_names(states: dict) -> dict:
    from django.contrib.auth.models import Group

    names = {}
    for model_field, by_record in states.items():
        target = model_field.related_model
        ids = set().union(*by_record.values()) if by_record else set()
        rows = target._base_manager.all()
        if target is Group:  # a user's roles and teams, named as such
            rows = rows.select_related("team", "company_role")
        for pk, obj in rows.in_bulk(ids).items():
            names[(target, pk)] = _name_of(obj)
    return names


def entries(
    history_model, records, predecessors: dict, hidden: dict | None = None
) -> list[ChangeEntry]:
    """Change entries for history records; `predecessors` maps record -> previous.

    `hidden` ({model: ids}) names rows the reader may not see (persons restricted
    under Art. 18): left out of many-to-many lists, a foreign key to one reads as empty.
    """
    hidden = hidden or {}
    tracked = _tracked(history_model)
    objects = _load_related(history_model, [*records, *predecessors.values()])
    objects = {
        key: obj for key, obj in objects.items() if key[1] not in hidden.get(key[0], ())
    }
    names = {key: _name_of(obj) for key, obj in objects.items()}
    names.update({(m, pk): EMPTY for m, ids in hidden.items() for pk in ids})
    states = _m2m_states(history_model, [*records, *predecessors.values()])
    m2m_names = _load_m2m_names(states)
    model = history_model.instance_type
    result = []
    for record in records:
        old = predecessors.get(record.history_id)
        changes = []
        for model_field in tracked:
            new_value = getattr(record, model_field.attname)
            old_value = getattr(old, model_field.attname) if old else None
            if record.history_type == "-":
                continue
            if old is None and new_value in (None, "", {}, False):
                continue
            if old is None or new_value != old_value:
                changes.append(
                    FieldChange(
                        field_label(model_field),
                        _display(model_field, old_value, names, old) if old else EMPTY,
                        _display(model_field, new_value, names, record),
                    )
                )
        if record.history_type == "~":
            changes.extend(_m2m_changes(states, m2m_names, record, old, hidden))
        who = str(record.history_user) if record.history_user else _("system")
        result.append(
            ChangeEntry(
                when=record.history_date,
                who=who,
                what=capfirst(str(model._meta.verbose_name)),
                record=_record_label(history_model, record, objects),
                action=ACTIONS[record.history_type],
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return result


def _record_label(history_model, record, objects: dict) -> str:
    """The record named as the model names it (its `__str__`), as it was then."""
    model = history_model.instance_type
    if issubclass(model, BaseObjectPermission):  # a grant: to whom
        for attr in ("user", "group"):
            value = getattr(record, f"{attr}_id", None)
            if value is not None:
                target = model._meta.get_field(attr).related_model
                obj = objects.get((target, value))
                return _name_of(obj) if obj is not None else _("(deleted)")
    tracked = history_model.tracked_fields
    # Built from the history row's own values (not record.instance, which reads
    # excluded fields from the live row: a query per entry).
    instance = model(**{f.attname: getattr(record, f.attname) for f in tracked})
    for model_field in tracked:
        if isinstance(model_field, models.ForeignKey):
            related = objects.get(
                (model_field.related_model, getattr(record, model_field.attname))
            )
            if related is not None:  # what __str__ may name: no query per entry
                model_field.set_cached_value(instance, related)
    return str(instance)


def _predecessors(history_model, records) -> dict:
    """The record before each one, for the same object, in one query."""
    ids = {r.id for r in records}
    if not ids:
        return {}
    latest = max(r.history_date for r in records)
    by_object = defaultdict(list)
    for row in history_model.objects.filter(
        id__in=ids, history_date__lte=latest
    ).order_by("history_date", "history_id"):
        by_object[row.id].append(row)
    result = {}
    for rows in by_object.values():
        for previous, current in pairwise(rows):
            result[current.history_id] = previous
    return result


def history_page(
    sources,
    *,
    before: datetime | None = None,
    limit: int = 100,
    hidden: dict | None = None,
):
    """The newest `limit` changes across several history querysets, newest first
    (rows in `hidden`, {model: ids}, named nowhere: see `entries`)."""
    picked = []
    for queryset in sources:
        if before is not None:
            queryset = queryset.filter(history_date__lt=before)
        rows = list(
            queryset.select_related("history_user").order_by(
                "-history_date", "-history_id"
            )[:limit]
        )
        picked.extend((queryset.model, row) for row in rows)
    picked.sort(key=lambda pair: pair[1].history_date, reverse=True)
    picked = picked[:limit]
    by_model = defaultdict(list)
    for model, row in picked:
        by_model[model].append(row)
    result = []
    for model, rows in by_model.items():
        result.extend(entries(model, rows, _predecessors(model, rows), hidden))
    result.sort(key=lambda entry: entry.when, reverse=True)
    has_more = len(picked) == limit
    return result, has_more


def changes_since(customer, version: int) -> list[ChangeEntry]:
    """What was saved on the customer after `version`: the lost-update message."""
    records = list(
        customer.history.filter(version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    history_model = customer.history.model
    base = [r for r in records if r.version == version][-1:]
    later = [r for r in records if r.version > version]
    predecessors = {}
    previous = base[0] if base else None
    for record in later:
        if previous is not None:
            predecessors[record.history_id] = previous
        previous = record
    return entries(history_model, later, predecessors)
