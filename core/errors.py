"""One error hierarchy for every rule a service enforces.

A service raises a DomainError with a stable `code` (and the values the message
needs); a page shows `message`, a later API answers with the code, an import
reports it per row. Codes never change once released; messages may.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action; nothing was written."""

    code = "refused"
    default_message = ""

    def __init__(
        self, message: str | None = None, *, code: str | None = None, **params
    ):
        self.code = code or type(self).code
        self.params = params
        self.message = (
            str(message) if message is not None else str(self.default_message)
        )
        super().__init__(self.message or self.code)

    def as_dict(self) -> dict:
        """The machine-readable form: {"code": ..., "message": ..., "params": ...}."""
        return {"code": self.code, "message": self.message, "params": self.params}


class PermissionRefused(DomainError):
    """The actor may not do this to this record (a view answers 403 or 404)."""

    code = "permission_denied"


class NotPossible(DomainError):
    """The record's state does not allow it (notice on an ended contract)."""

    code = "not_possible"


def allowed(fields: dict, names: frozenset[str]) -> dict:
    """`fields` if every name is one the service sets from outside, else refused."""
    unknown = sorted(set(fields) - names)
    if unknown:
        raise DomainError(code="unknown_fields", fields=unknown)
    return fields
