"""Lost updates: every editable row carries `version`; a save names the version it
was edited from and is refused (StaleEdit) when someone saved in between.

Plumbing for every app (DESIGN.md: core). What changed meanwhile comes from the
change history (core.history), so a refused save can list the other person's
changes while keeping the user's input.
"""

from __future__ import annotations

from django.db.models import Model

from core import audit
from core.errors import DomainError


class StaleEdit(DomainError):
    """The record changed after the form was opened; nothing was saved."""

    code = "stale_edit"

    def __init__(self, instance: Model, version: int):
        super().__init__(instance=instance._meta.label, version=version)
        self.instance = instance
        self.version = version

    @property
    def changes(self) -> list:
        """What was saved after `version` (history entries), for the message."""
        from core.history import changes_since  # history imports models lazily

        return changes_since(self.instance, self.version)


def lock_version(instance: Model, version: int | None) -> Model:
    """The row locked for update (only this row), if it is still at `version`;
    else StaleEdit."""
    locked = (
        type(instance)
        .objects.select_for_update(of=("self",))
        .select_related(None)
        .get(pk=instance.pk)
    )
    if version is None or locked.version != version:
        raise StaleEdit(locked, version if version is not None else 0)
    return locked


def update_versioned(instance: Model, *, actor, version: int, fields: dict) -> Model:
    """Save `fields` on a row edited from `version` (StaleEdit if saved meanwhile)."""
    locked = lock_version(instance, version)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version = version + 1
    audit.save(locked, actor=actor)
    return locked
