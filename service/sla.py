"""The SLA clock: business time as pure functions (no Django).

A target ("first response within 4 business hours") counts only the company's
business hours: its weekdays, from `start` to `end` in its time zone, without
the public holidays of its Land, and not while the case waits for the customer
(pauses). Every moment is aware; all arithmetic is done in UTC, each day's
business window is placed in the calendar's zone first, so a day of a change
to or from daylight saving time is counted right (a naive or same-zone
subtraction would be an hour off).

Nothing here reads the clock, the database or the active language: the
calendar, the holidays and the pauses come in as values.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.deadlines import format_day

BERLIN = ZoneInfo("Europe/Berlin")
# Far enough for any real target; a calendar without business days ends here.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Calendar:
    """When the company works: weekdays (ISO, 1 = Monday), hours, zone, holidays."""

    start: time = time(8, 0)
    end: time = time(17, 0)
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    tz: ZoneInfo = BERLIN
    # A mapping names the holidays in the explanation; any container will do.
    holidays: Container[date] = frozenset()

    def __post_init__(self):
        if self.start >= self.end:
            raise ValueError("business hours end after they begin")
        if not self.days or not set(self.days) <= set(range(1, 8)):
            raise ValueError("business days are ISO weekdays 1..7, at least one")

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's business hours as UTC moments (the zone's offset of that day)."""
        return (
            datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC),
            datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC),
        )

    def holiday_name(self, day: date) -> str | None:
        if day not in self.holidays:
            return None
        if isinstance(self.holidays, Mapping):
            return str(self.holidays[day])
        return ""


Pause = tuple[datetime, datetime | None]  # (from, until); until None: still waiting


@dataclass(frozen=True)
class Step:
    """One line of the explanation: a key and its values (see explain())."""

    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    due: datetime | None  # None: paused with no end, the clock stands
    steps: tuple[Step, ...]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an SLA moment needs its time zone")
    return moment.astimezone(UTC)


def _merged(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime | None]]:
    """Pauses in UTC, sorted, overlapping ones joined; an open one ends the list."""
    spans = sorted(
        ((_utc(a), _utc(b) if b is not None else None) for a, b in pauses),
        key=lambda span: span[0],
    )
    merged: list[tuple[datetime, datetime | None]] = []
    for start, end in spans:
        if end is not None and end <= start:
            continue
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            if last_end is None or end is None:
                merged[-1] = (last_start, None)
            else:
                merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
        if merged[-1][1] is None:
            break
    return merged


def _free(start: datetime, end: datetime, pauses) -> list[tuple[datetime, datetime]]:
    """[start, end) without the pauses."""
    free = []
    cursor = start
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= cursor:
            continue
        if pause_start >= end:
            break
        if pause_start > cursor:
            free.append((cursor, pause_start))
        if pause_end is None:
            return free
        cursor = max(cursor, pause_end)
        if cursor >= end:
            return free
    if cursor < end:
        free.append((cursor, end))
    return free


def due(
    opened: datetime,
    target: timedelta,
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> Due:
    """When `target` of business time has passed since `opened`, with the steps
    that explain it. With a pause that has not ended before the target is
    reached, the clock stands: `due` is None."""
    if target < timedelta(0):
        raise ValueError("an SLA target is not negative")
    pauses = _merged(pauses)
    local = _utc(opened).astimezone(calendar.tz)
    steps = [Step("opened", {"at": local, "target": target})]
    for pause_start, pause_end in pauses:
        if pause_end is None or pause_end > _utc(opened):
            steps.append(Step("pause", {"start": pause_start, "end": pause_end}))
    remaining = target
    cursor = _utc(opened)
    day = local.date()
    for _ in range(MAX_DAYS):
        if not calendar.is_business_day(day):
            name = calendar.holiday_name(day)
            if name is not None and day.isoweekday() in calendar.days:
                steps.append(Step("holiday", {"day": day, "name": name}))
            day += timedelta(days=1)
            continue
        window_start, window_end = calendar.window(day)
        start = max(window_start, cursor)
        if start < window_end or (remaining == timedelta(0) and start == window_end):
            for free_start, free_end in _free(start, window_end, pauses) or [
                (start, start)
            ]:
                available = free_end - free_start
                if remaining <= available:
                    moment = free_start + remaining
                    if remaining:
                        steps.append(_segment(day, free_start, moment, remaining))
                    moment_local = moment.astimezone(calendar.tz)
                    steps.append(Step("due", {"at": moment_local}))
                    return Due(moment_local, _before(steps, moment))
                if available:
                    steps.append(_segment(day, free_start, free_end, available))
                remaining -= available
            if pauses and pauses[-1][1] is None and pauses[-1][0] < window_end:
                steps.append(Step("stands", {"remaining": remaining}))
                return Due(None, tuple(steps))
        cursor = max(cursor, window_end)
        day += timedelta(days=1)
    raise ValueError("no business time within ten years")


def _before(steps: list[Step], moment: datetime) -> tuple[Step, ...]:
    """The steps without pauses that begin after the due moment (they do not
    move it)."""
    return tuple(
        step for step in steps if step.key != "pause" or step.values["start"] < moment
    )


def _segment(day: date, start: datetime, end: datetime, counted: timedelta) -> Step:
    return Step("segment", {"day": day, "start": start, "end": end, "counted": counted})


def business_time(
    start: datetime,
    end: datetime,
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> timedelta:
    """The business time between two moments (pauses not counted)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return timedelta(0)
    pauses = _merged(pauses)
    total = timedelta(0)
    day = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    while day <= last:
        if calendar.is_business_day(day):
            window_start, window_end = calendar.window(day)
            span_start, span_end = max(window_start, start), min(window_end, end)
            if span_start < span_end:
                for free_start, free_end in _free(span_start, span_end, pauses):
                    total += free_end - free_start
        day += timedelta(days=1)
    return total


def hours(value: float | int | str) -> timedelta:
    """A target in hours ("4", "0.5", 1.25) as a timedelta, to the second."""
    seconds = round(float(value) * 3600)
    return timedelta(seconds=seconds)


# --- The explanation ------------------------------------------------------------------

TEXTS = {
    "de": {
        "opened": "Eröffnet {at}; Ziel: {target} Geschäftszeit.",
        "pause": "Uhr steht, solange auf den Kunden gewartet wird: {start} bis {end}.",
        "pause_open": "Uhr steht seit {start}: Es wird auf den Kunden gewartet.",
        "holiday": "{day}: Feiertag{name}, zählt nicht.",
        "segment": "{day} {start}\u2013{end}: {counted}",
        "due": "Fällig: {at}.",
        "stands": "Noch {remaining} offen, sobald der Kunde sich meldet.",
    },
    "en": {
        "opened": "Opened {at}; target: {target} of business time.",
        "pause": "The clock stands while waiting for the customer: {start} to {end}.",
        "pause_open": "The clock stands since {start}: waiting for the customer.",
        "holiday": "{day}: public holiday{name}, not counted.",
        "segment": "{day} {start}\u2013{end}: {counted}",
        "due": "Due: {at}.",
        "stands": "{remaining} left once the customer answers.",
    },
}


def format_duration(span: timedelta, language: str) -> str:
    """4 Std. 30 Min. / 4 h 30 min."""
    minutes = round(span.total_seconds() / 60)
    whole, rest = divmod(minutes, 60)
    units = ("Std.", "Min.") if language == "de" else ("h", "min")
    parts = []
    if whole:
        parts.append(f"{whole} {units[0]}")
    if rest or not whole:
        parts.append(f"{rest} {units[1]}")
    return " ".join(parts)


def format_moment(moment: datetime, language: str) -> str:
    """Fr 19.12.2025 16:30 / Fri 19 Dec 2025 16:30 (in the moment's zone)."""
    return f"{format_day(moment.date(), language)} {moment:%H:%M}"


def explain(result: Due, calendar: Calendar, language: str = "de") -> list[str]:
    """The steps as sentences in German ("de") or English (anything else)."""
    lang = "de" if language == "de" else "en"
    texts = TEXTS[lang]

    def local(moment: datetime) -> datetime:
        return moment.astimezone(calendar.tz)

    lines = []
    for step in result.steps:
        v = step.values
        if step.key == "opened":
            lines.append(
                texts["opened"].format(
                    at=format_moment(v["at"], lang),
                    target=format_duration(v["target"], lang),
                )
            )
        elif step.key == "pause":
            if v["end"] is None:
                lines.append(
                    texts["pause_open"].format(
                        start=format_moment(local(v["start"]), lang)
                    )
                )
            else:
                lines.append(
                    texts["pause"].format(
                        start=format_moment(local(v["start"]), lang),
                        end=format_moment(local(v["end"]), lang),
                    )
                )
        elif step.key == "holiday":
            name = f" ({v['name']})" if v["name"] else ""
            lines.append(
                texts["holiday"].format(day=format_day(v["day"], lang), name=name)
            )
        elif step.key == "segment":
            lines.append(
                texts["segment"].format(
                    day=format_day(v["day"], lang),
                    start=f"{local(v['start']):%H:%M}",
                    end=f"{local(v['end']):%H:%M}",
                    counted=format_duration(v["counted"], lang),
                )
            )
        elif step.key == "due":
            lines.append(texts["due"].format(at=format_moment(v["at"], lang)))
        elif step.key == "stands":
            lines.append(
                texts["stands"].format(remaining=format_duration(v["remaining"], lang))
            )
    return lines
