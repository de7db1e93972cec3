"""One error hierarchy for every rule a service enforces.

A service raises a DomainError with a stable `code` and the values its message
needs (`params`); it never writes the message itself. The message comes from
the catalogue, where each app declares its codes once (`crm/errors.py` and the
like, registered with `messages`): a page shows `error.message` in the
reader's language, a later API answers with `as_dict()`, an import reports the
code per row. Codes never change once released; messages may.

A DomainError no view catches is answered by core.middleware.DomainErrors
(403 for PermissionRefused, 409 otherwise, with the message in our layout),
never with a 500.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# code -> message (lazy, translated when read; may use %(param)s of the error)
CATALOGUE: dict[str, Promise] = {}


def messages(entries: dict[str, Promise]) -> dict[str, Promise]:
    """Declare codes and their messages; a code is declared once, anywhere."""
    for code, message in entries.items():
        if code in CATALOGUE and CATALOGUE[code] != message:
            raise ValueError(f"error code {code!r} is declared twice")
        CATALOGUE[code] = message
    return entries


class DomainError(Exception):
    """A rule refused the action; nothing was written."""

    code = "refused"

    def __init__(self, *, code: str | None = None, **params):
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code)

    @property
    def message(self) -> str:
        """The catalogue's message for the code, in the active language."""
        template = CATALOGUE.get(self.code)
        if template is None:
            return str(CATALOGUE[DomainError.code])
        text = str(template)
        if "%(" in text:
            text = text % {k: _display(v) for k, v in self.params.items()}
        return text

    def as_dict(self) -> dict:
        """The machine-readable form: {"code": ..., "message": ..., "params": ...}."""
        params = {
            k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in self.params.items()
        }
        return {"code": self.code, "message": self.message, "params": params}


def _display(value) -> str:
    """A parameter as the message shows it (dates the locale's way)."""
    from datetime import date

    from django.utils.formats import date_format

    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (list, tuple)):
        return ", ".join(_display(v) for v in value)
    return str(value)


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


messages(
    {
        DomainError.code: _("This is not possible."),
        PermissionRefused.code: _("You may not do this."),
        NotPossible.code: _("This is not possible in the record's current state."),
        "unknown_fields": _("These fields cannot be set: %(fields)s."),
        "stale_edit": _("Someone else saved this record in the meantime."),
    }
)
