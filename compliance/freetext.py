"""Free text that names a person outside the rows linked to them (Art. 17).

Erasure anonymizes the rows the registry links to a person. Staff also type
names into rows linked to no one ("Wartung (Ansprechpartner Zwetschgenbaum)",
"Rückruf Frau Zwetschgenbaum, mobil 0171 9876543"). `matches(person)` finds
them: the registry's free-text fields (Entry.free_text) of rows *not* linked
to the person, searched for the person's name, e-mails and phone numbers. The
DPO then clears each match (replaced by "[gelöscht]" in the live row and in
its history rows) or keeps it with a reason (recorded).

Cost: one query per registered free-text field (8 today), at most MAX_MATCHES
rows each, served by a pg_trgm GIN index per field (migration compliance/0015;
a case-insensitive regex cannot use a B-tree index) with sequential scans off
(`_index_scans`). `make bench` (bench/freetext.py), 200,000 interactions and
contracts: median 658 ms with the indexes, 5,907 ms without; at 20,000: 352 ms
and 1,203 ms (two shared cores under load).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import phonenumbers
from django.db import connection, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce

from compliance.registry import REDACTED, Entry, person_entries
from crm.models import Person

MAX_MATCHES = 50  # per field: the plan lists a bounded number, the DPO acts on them
EXCERPT = 40  # characters either side of a match
MIN_NAME = 3  # shorter last names ("Li") would match everywhere


@dataclass(frozen=True)
class Needle:
    """One value to look for, with its PostgreSQL regex (case-insensitive)."""

    kind: str  # "name", "email", "phone"
    pattern: str


@dataclass(frozen=True)
class Match:
    label: str  # registry label, "contracts.Contract"
    object_id: int
    field: str
    kinds: tuple[str, ...]
    excerpt: str

    @property
    def key(self) -> str:
        """What the plan's form posts back; the server scans again to find it."""
        return f"{self.label}:{self.object_id}:{self.field}"


def _literal(text: str) -> str:
    """`text` as a regex that matches it literally (any run of spaces alike)."""
    return r"\s+".join(re.escape(part) for part in text.split())


def needles(person: Person) -> list[Needle]:
    """The person's name (full and last), e-mails and phones as search patterns.

    A phone is found in any notation: +49 171 9876543, 0171/9876543, 01719876543
    (its national digits, with an optional separator between any two).
    """
    found: list[Needle] = []
    full = " ".join(p for p in (person.first_name, person.last_name) if p)
    if full and person.first_name:
        found.append(Needle("name", _literal(full)))
    if len(person.last_name) >= MIN_NAME and person.last_name != REDACTED:
        found.append(Needle("name", r"\m" + _literal(person.last_name) + r"\M"))
    for email in {person.email.lower(), person.email_secondary.lower()} - {""}:
        found.append(Needle("email", re.escape(email)))
    for number in {person.phone, person.mobile} - {""}:
        try:
            parsed = phonenumbers.parse(number, "DE")
        except phonenumbers.NumberParseException:
            continue
        digits = str(parsed.national_number)
        if len(digits) >= 6:
            # with its prefix (0, +49, 0049) when written, so that all of it goes
            prefix = rf"(?:(?:\+|00){parsed.country_code}[ ./-]?|0)?"
            found.append(Needle("phone", prefix + r"[ ./-]?".join(digits)))
    return found


def _excerpt(text: str, patterns: list[str]) -> str:
    """The text around the first match, for the DPO to judge it."""
    for pattern in patterns:
        # PostgreSQL's \m \M word boundaries: Python's \b
        hit = re.search(pattern.replace(r"\m", r"\b").replace(r"\M", r"\b"), text, re.I)
        if hit:
            start, end = max(hit.start() - EXCERPT, 0), hit.end() + EXCERPT
            return (
                ("…" if start else "")
                + text[start:end]
                + ("…" if end < len(text) else "")
            )
    return text[: 2 * EXCERPT]


def _fields(entry: Entry) -> list[str]:
    names = {f.name for f in entry.model._meta.concrete_fields}
    return [name for name in entry.free_text if name in names]


def scan(entry: Entry, name: str, wanted: list[Needle], *, company_id: int):
    """The company's rows of one free-text field that match any needle (its
    trigram index, migration compliance/0015, serves the case-insensitive
    regexes). Another company's text is never the DPO's to read or clear."""
    condition = Q()
    for needle in wanted:
        condition |= Q(**{f"{name}__iregex": needle.pattern})
    # No ORDER BY: with one and a LIMIT the planner walks the primary key and
    # tests every row; the matches are sorted by id afterwards.
    # The company as an expression, not the bare column: its b-tree index would
    # otherwise win over the trigram index on small estimates and read every
    # row of the company (COALESCE keeps the planner on the trigram index).
    return (
        entry.model._default_manager.alias(scope=Coalesce("company_id", 0))
        .filter(scope=company_id)
        .filter(condition)
        .order_by()
    )


@contextmanager
def _index_scans():
    """Sequential scans off for the scan's queries, in this transaction only.

    PostgreSQL cannot estimate how many rows a regex matches: at 200,000 rows it
    chose sequential scans (0.7-1 s per field) over the trigram index (0.1-0.2 s,
    `make bench`). Off is a cost penalty, not a ban: a field without an index is
    still read. The setting is put back, so that the rest of an enclosing
    transaction (the erasure) plans as usual.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")


def _rows_naming(entry: Entry, name: str, wanted: list[Needle], person: Person):
    """(pk, text) of at most MAX_MATCHES rows not linked to the person, by id."""
    rows = scan(entry, name, wanted, company_id=person.company_id).exclude(
        pk__in=entry.rows_of(person.pk).values("pk")
    )
    return sorted(rows.values_list("pk", name)[:MAX_MATCHES])


def matches(person: Person) -> list[Match]:
    """Rows not linked to the person whose free text names them (bounded)."""
    wanted = needles(person)
    if not wanted:
        return []
    patterns = [n.pattern for n in wanted]
    result: list[Match] = []
    with _index_scans():
        found = [
            (entry.label, name, _rows_naming(entry, name, wanted, person))
            for entry in person_entries()
            for name in _fields(entry)
        ]
    for label, name, rows in found:
        for pk, text in rows:
            kinds = tuple(
                dict.fromkeys(
                    n.kind
                    for n in wanted
                    if re.search(_python(n.pattern), text or "", re.I)
                )
            )
            result.append(Match(label, pk, name, kinds, _excerpt(text, patterns)))
    return result


def _python(pattern: str) -> str:
    return pattern.replace(r"\m", r"\b").replace(r"\M", r"\b")


class RegexpReplace(Func):
    function = "regexp_replace"


def clear(person: Person, match: Match) -> int:
    """Replace every mention of the person in the match's field by "[gelöscht]",
    in the live row and in all its history rows; returns rows changed."""
    from compliance.registry import entry as registry_entry

    entry = registry_entry(match.label)
    pattern = "|".join(f"(?:{n.pattern})" for n in needles(person))
    replaced = RegexpReplace(
        F(match.field), Value(pattern), Value(REDACTED), Value("gi")
    )
    # QuerySet.update() on purpose: a new history row would copy the text again.
    changed = entry.model._default_manager.filter(pk=match.object_id).update(
        **{match.field: replaced}
    )
    history = entry.history_model
    if history is not None:
        history.objects.filter(id=match.object_id).update(**{match.field: replaced})
    return changed
