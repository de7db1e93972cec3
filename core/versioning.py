"""Lost updates: every editable row carries `version`; a save names the version it
was edited from and is refused (StaleEdit) when someone saved in between.

Plumbing for every app (DESIGN.md: core). What changed meanwhile is described by
the history renderer of the app that has one (crm registers crm.history's), so a
refused save can list the other person's changes while keeping the user's input.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model

from core import audit
from core.errors import DomainError

_describe: Callable[[Model, int], list] | None = None


def describe_changes_with(describer: Callable[[Model, int], list]) -> None:
    """Register how to describe a row's changes after a version (AppConfig.ready)."""
    global _describe
    _describe = describer


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
        return _describe(self.instance, self.version) if _describe else []


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
