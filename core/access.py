"""Access to personal data, recorded: who viewed, exported or printed whose data.

crm and contracts call `record()`; the recorder named in settings
(ACCESS_RECORDER, compliance's access log) stores it. So the pages that show
data need not import the compliance app (compliance imports them, not the
other way round), and the log stays one table the DPO can filter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string


@functools.cache
def _recorder() -> Callable | None:
    path = getattr(settings, "ACCESS_RECORDER", "")
    return import_string(path) if path else None


def record(
    *,
    user,
    action: str,
    what: str,
    customer_id: int | None = None,
    person_id: int | None = None,
    customers: QuerySet | None = None,
    rows: Iterable[tuple[int, int | None]] | None = None,
) -> None:
    """Record one access (customer/person), or one per customer of `customers`,
    or one per (customer_id, person_id) of `rows` (search results, cards).

    Every read of personal data calls this, full page or htmx partial alike: a
    request header must never decide whether a read is logged.
    """
    recorder = _recorder()
    if recorder is None or user is None or not user.is_authenticated:
        return
    if rows is not None:
        rows = list(dict.fromkeys(rows))
        if not rows:
            return
    recorder(
        user=user,
        action=action,
        what=what,
        customer_id=customer_id,
        person_id=person_id,
        customers=customers,
        rows=rows,
    )
