"""The status of a user's data protection training: pure, `today` passed in."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class TrainingStatus(StrEnum):
    MISSING = "missing"  # never trained in this company
    EXPIRED = "expired"  # the latest training ended before today
    EXPIRING = "expiring"  # still valid, but ends within the reminder days
    VALID = "valid"


# The order of the DPO's list: what needs action first.
URGENCY = {
    TrainingStatus.MISSING: 0,
    TrainingStatus.EXPIRED: 1,
    TrainingStatus.EXPIRING: 2,
    TrainingStatus.VALID: 3,
}


def training_status(
    valid_until: date | None, *, today: date, reminder_days: int
) -> TrainingStatus:
    """The status of the latest training ending on `valid_until` (None: none).

    `valid_until` is the last day it is valid: on that day it still counts.
    """
    if valid_until is None:
        return TrainingStatus.MISSING
    if valid_until < today:
        return TrainingStatus.EXPIRED
    if valid_until <= today + timedelta(days=reminder_days):
        return TrainingStatus.EXPIRING
    return TrainingStatus.VALID
