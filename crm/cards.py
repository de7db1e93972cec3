"""Cards (and timeline actions) that higher apps add to the customer page,
without crm importing them.

An app registers a card in its AppConfig.ready(); the customer page renders every
registered card of a column in `order`, each with the context its function gives
(one function call per card and page: its queries run in the view, not in the
template).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class CustomerCard:
    name: str
    template: str
    column: Literal["main", "side"]
    order: int
    # (user, customer, access) -> the card's context; None hides the card.
    context: Callable[..., dict | None]


_CARDS: dict[str, CustomerCard] = {}


def register(card: CustomerCard) -> None:
    """Add (or replace, by name) a card on the customer page."""
    _CARDS[card.name] = card


def render_context(*, user, customer, access) -> dict[str, list[tuple[str, dict]]]:
    """Per column, the (template, context) of each card shown to `user`."""
    columns: dict[str, list[tuple[str, dict]]] = {"main": [], "side": []}
    for card in sorted(_CARDS.values(), key=lambda card: card.order):
        context = card.context(user=user, customer=customer, access=access)
        if context is not None:
            columns[card.column].append(
                (card.template, {"customer": customer, "access": access, **context})
            )
    return columns


# Actions of higher apps next to "Log a contact" on the timeline (for users who
# may change the customer): templates rendered with `customer` in the context.
_TIMELINE_ACTIONS: dict[str, str] = {}


def register_timeline_action(name: str, template: str) -> None:
    """Add (or replace, by name) an action on the customer's timeline."""
    _TIMELINE_ACTIONS[name] = template


def timeline_actions() -> list[str]:
    """The templates of the timeline's actions, in the order registered."""
    return list(_TIMELINE_ACTIONS.values())


# Actions of higher apps on a record's page (a person's, a contract's) for users
# who may change its customer: templates rendered with `customer` and the record
# (`person`, `contract`) in the context.
_RECORD_ACTIONS: dict[str, dict[str, str]] = {}


def register_record_action(record: str, name: str, template: str) -> None:
    """Add (or replace, by name) an action on the pages of `record` ("person",
    "contract")."""
    _RECORD_ACTIONS.setdefault(record, {})[name] = template


def record_actions(record: str) -> list[str]:
    """The templates of a record page's actions, in the order registered."""
    return list(_RECORD_ACTIONS.get(record, {}).values())
