"""Search words: names folded so that Müller, Mueller and Muller meet (no Django).

PostgreSQL's unaccent would turn "Müller" into "Muller" only; German writes it
"Mueller" too. So every record keeps a `search_text` with both spellings of each
word, and a query is folded the same way. pg_trgm (where installed) adds tolerance
for typos on top of that; without it the search still finds exact words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from crm.validation import phone_search_forms

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_WORD = re.compile(r"[\w@.+-]+")
_PHONE_QUERY = re.compile(r"\+?[\d\s/().-]{5,}")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> list[str]:
    """The spellings a word may be searched by: "Müller" -> ["mueller", "muller"]."""
    lowered = text.casefold()  # also ß -> ss
    spellings = [_strip_accents(lowered.translate(_UMLAUTS)), _strip_accents(lowered)]
    return list(dict.fromkeys(spellings))


def document(*parts: str | None, phones: Iterable[str] = ()) -> str:
    """A record's search text: every word in every spelling, phones as digits."""
    words: list[str] = []
    for part in parts:
        for word in _WORD.findall(part or ""):
            words.extend(fold(word))
            # Compounds are found by their parts too: Müller-Lüdenscheidt,
            # K-000123, the name and the domain of an e-mail address.
            parts = [p for p in re.split(r"[-.@+]", word) if p]
            if len(parts) > 1:
                for piece in parts:
                    words.extend(fold(piece))
    for phone in phones:
        if phone:
            words.extend(phone_search_forms(phone))
            national = (
                "0" + phone.removeprefix("+49") if phone.startswith("+49") else ""
            )
            if national:
                words.append(national)
    return " ".join(dict.fromkeys(words))


@dataclass(frozen=True)
class Query:
    """A parsed search: words (each with its spellings) or the digits of a phone."""

    words: tuple[tuple[str, ...], ...] = ()
    phone_forms: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phone_forms


_TS_TOKEN = re.compile(r"[\w@.+-]+")


def ts_query(query: Query) -> str:
    """A PostgreSQL tsquery: every word as a prefix, in any of its spellings.

    Only word characters, @ . + - survive, so nothing the user types can become
    a tsquery operator.
    """
    terms = []
    for spellings in query.words or ((form,) for form in query.phone_forms):
        tokens = [t for s in spellings for t in _TS_TOKEN.findall(s)]
        tokens = [t.strip(".-+") for t in tokens if t.strip(".-+")]
        if tokens:
            terms.append("(" + " | ".join(f"{t}:*" for t in tokens) + ")")
    if query.phone_forms:
        return " | ".join(terms)
    return " & ".join(terms)


def parse_query(text: str) -> Query:
    """Turn what the user typed into words or phone digits."""
    text = text.strip()[:200]
    if _PHONE_QUERY.fullmatch(text) and sum(c.isdigit() for c in text) >= 5:
        return Query(phone_forms=tuple(phone_search_forms(text)))
    words = tuple(
        tuple(fold(word)) for word in _WORD.findall(text) if len(word.strip(".-+")) > 0
    )
    return Query(words=words[:6])
