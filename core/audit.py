"""The acting user and reason for simple-history, and numbers from sequences.

A leaf every app's services use: simple-history takes the acting user from the
request, and outside one (commands, tasks) from the instance.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def act(instance: Model, actor, reason: str = "") -> Model:
    """Name who does the next save or delete of `instance`, and why."""
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
    return instance


def save(instance: Model, *, actor, reason: str = "", **kwargs) -> None:
    """Save with the acting user (and reason) in the history row."""
    act(instance, actor, reason).save(**kwargs)


def delete(instance: Model, *, actor, reason: str = "") -> None:
    """Delete; the history's deletion row names the acting user (and reason)."""
    act(instance, actor, reason).delete()


def next_number(sequence: str, prefix: str) -> str:
    """The next number from a database sequence: "K-000123"."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        (value,) = cursor.fetchone()
    return f"{prefix}-{value:06d}"
