"""Access to personal data, recorded: who viewed, exported or printed whose data.

crm and contracts call `record()`; the recorder named in settings
(ACCESS_RECORDER, compliance's access log) stores it. So the pages that show
data need not import the compliance app (compliance imports them, not the
other way round), and the log stays one table the DPO can filter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

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
) -> None:
    """Record one access (customer/person), or one per customer of `customers`."""
    recorder = _recorder()
    if recorder is not None and user is not None and user.is_authenticated:
        recorder(
            user=user,
            action=action,
            what=what,
            customer_id=customer_id,
            person_id=person_id,
            customers=customers,
        )
