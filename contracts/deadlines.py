"""The deadline engine: German contract periods as pure functions (no Django).

Sources are in ../shared/LEGAL.md, sections 1-3: BGB §§ 186-193 for counting,
§309 Nr. 9 BGB (and Art. 229 §60 EGBGB) for consumer contracts. Everything takes
its dates as arguments (`today` included) and returns values; nothing here reads
the clock, the database or the active language.
"""

from __future__ import annotations

import calendar
from collections.abc import Container
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from core.dates import add_months, last_day_of_month

# The "Gesetz für faire Verbraucherverträge" applies to contracts concluded from here.
FAIR_CONSUMER_CONTRACTS = date(2022, 3, 1)


class Unit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class Anchor(StrEnum):
    """What a notice period ends on: the term's end, or a calendar date."""

    TERM_END = "term_end"  # fixed terms: the end of the current term
    NONE = "none"  # indefinite: exactly when the period ends
    MONTH_END = "month_end"  # "zum Monatsende"
    QUARTER_END = "quarter_end"  # "zum Quartalsende"
    MID_OR_MONTH_END = "mid_or_month_end"  # "zum 15. oder zum Monatsende"


class Renewal(StrEnum):
    NONE = "none"  # ends after the initial term
    MONTHS = "months"  # renews by `renewal_months` unless notice is given
    INDEFINITE = "indefinite"  # runs on without end after the initial term


# The engine's domain: far beyond any real contract, near enough that every date
# it computes stays inside Python's calendar (the forms refuse what lies outside).
FIRST_START = date(1900, 1, 1)
LAST_START = date(2199, 12, 31)
MAX_TERM_MONTHS = 600  # 50 years, initial term or renewal
MAX_NOTICE = {"days": 3650, "weeks": 520, "months": 120}  # ten years each


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("a period cannot be negative")
        if self.amount > MAX_NOTICE[Unit(self.unit).value]:
            raise ValueError("a period of more than ten years")


@dataclass(frozen=True)
class Terms:
    """A contract's terms as far as deadlines go."""

    start: date
    initial_months: int | None  # None: indefinite from the start
    renewal: Renewal
    notice: Period
    anchor: Anchor = Anchor.TERM_END
    renewal_months: int | None = None
    consumer: bool = False  # B2C
    standard_terms: bool = True  # AGB
    concluded: date | None = None  # defaults to `start`

    def __post_init__(self) -> None:
        if not FIRST_START <= self.start <= LAST_START:
            raise ValueError("start outside the engine's range")
        for months in (self.initial_months, self.renewal_months):
            if months is not None and not 0 < months <= MAX_TERM_MONTHS:
                raise ValueError("term outside the engine's range")

    @property
    def concluded_on(self) -> date:
        return self.concluded or self.start

    @property
    def new_consumer_law(self) -> bool:
        """B2C standard terms concluded from 01.03.2022 (§309 Nr. 9 BGB, new)."""
        return (
            self.consumer
            and self.standard_terms
            and self.concluded_on >= FAIR_CONSUMER_CONTRACTS
        )


# --- Counting (BGB §§ 187, 188, 192) ----------------------------------------------
# last_day_of_month and add_months (§§ 188(3), 192) come from core.dates.


def is_month_end(day: date) -> bool:
    return day == last_day_of_month(day.year, day.month)


def term_end(*, start: date, months: int) -> date:
    """Last day of a term of `months` from the start of `start` (§187(2), §188(2)).

    The term ends the day before the day of the last month with the start's number;
    where that day does not exist, at the end of that month (§188(3)).
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if start.day > calendar.monthrange(year, month)[1]:
        return last_day_of_month(year, month)
    return date(year, month, start.day) - timedelta(days=1)


def is_contested_start(start: date) -> bool:
    """Starts on the 29th-31st give contested term ends (LEGAL.md §1): flag them."""
    return start.day >= 29


def period_end(*, received: date, period: Period) -> date:
    """End of a notice period starting with receipt on `received` (§187(1), §188(2))."""
    if period.unit == Unit.DAYS:
        return received + timedelta(days=period.amount)
    if period.unit == Unit.WEEKS:
        return received + timedelta(weeks=period.amount)
    return add_months(received, period.amount)


def last_notice_day(*, termination: date, notice: Period) -> date:
    """The latest day of receipt whose notice period ends on or before `termination`."""
    if notice.unit == Unit.DAYS:
        return termination - timedelta(days=notice.amount)
    if notice.unit == Unit.WEEKS:
        return termination - timedelta(weeks=notice.amount)
    earlier = add_months(termination, -notice.amount)
    # Naive subtraction is wrong exactly at month ends: 3 months before 30.06 is
    # 31.03 (received 31.03, the period ends 30.06), not 30.03.
    if is_month_end(termination):
        return last_day_of_month(earlier.year, earlier.month)
    return earlier


def next_anchor(day: date, anchor: Anchor) -> date:
    """The first anchor date on or after `day`."""
    if anchor in (Anchor.NONE, Anchor.TERM_END):
        return day
    if anchor == Anchor.MONTH_END:
        return last_day_of_month(day.year, day.month)
    if anchor == Anchor.QUARTER_END:
        quarter_month = ((day.month - 1) // 3) * 3 + 3
        return last_day_of_month(day.year, quarter_month)
    # MID_OR_MONTH_END
    if day.day <= 15:
        return date(day.year, day.month, 15)
    return last_day_of_month(day.year, day.month)


def previous_business_day(day: date, holidays: Container[date] = ()) -> date:
    """`day` itself if it is a working day, else the working day before it."""
    while day.weekday() >= 5 or day in holidays:
        day -= timedelta(days=1)
    return day


# --- Terms of a contract -------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    number: int  # 1 = the initial term
    start: date
    end: date


def term_at(terms: Terms, day: date) -> Term | None:
    """The fixed term that contains `day` (the first one before the start), or None
    when the contract runs indefinitely on that day or has ended."""
    if terms.initial_months is None:
        return None
    current = Term(
        1, terms.start, term_end(start=terms.start, months=terms.initial_months)
    )
    if day <= current.end:
        return current
    if not _renews_by_months(terms):
        return None
    # A new term starts the day after the old one ends (never from the original end).
    while current.end < day:
        start = current.end + timedelta(days=1)
        current = Term(
            current.number + 1,
            start,
            term_end(start=start, months=terms.renewal_months or 0),
        )
    return current


def effective_renewal(terms: Terms) -> Renewal:
    """The renewal that applies: new B2C standard terms may only renew into an
    indefinite term (§309 Nr. 9 b BGB), whatever the clause says."""
    if terms.new_consumer_law and terms.renewal == Renewal.MONTHS:
        return Renewal.INDEFINITE
    if terms.renewal == Renewal.MONTHS and not terms.renewal_months:
        return Renewal.NONE
    return terms.renewal


def _renews_by_months(terms: Terms) -> bool:
    return effective_renewal(terms) == Renewal.MONTHS


def initial_end(terms: Terms) -> date | None:
    if terms.initial_months is None:
        return None
    return term_end(start=terms.start, months=terms.initial_months)


def notice_for_phase(terms: Terms, *, indefinite: bool) -> tuple[Period, Anchor]:
    """Notice period and anchor that apply: new B2C contracts, once past the initial
    term, can be ended with at most one month's notice, no anchor (§309 Nr. 9 BGB)."""
    if indefinite and terms.new_consumer_law:
        notice = terms.notice if _at_most_months(terms.notice, 1) else None
        return notice or Period(1, Unit.MONTHS), Anchor.NONE
    anchor = terms.anchor
    if indefinite and anchor == Anchor.TERM_END:
        anchor = Anchor.NONE
    return terms.notice, anchor


# --- What the contract page shows --------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the explanation: a message key and its values (see explain())."""

    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Deadlines:
    today: date
    phase: str  # "fixed", "indefinite" or "ended"
    term: Term | None
    last_notice_day: date | None  # latest receipt for ending at the term's end
    recommended_send_by: date | None  # earlier when the last day is no working day
    next_renewal: date | None  # the next term's start, when no notice is given
    end_if_notice_today: date | None  # the end if notice is received today
    contested_start: bool
    steps: tuple[Step, ...]
    # upcoming(): the current term's last notice day when it has already passed.
    passed_notice_day: date | None = None


def end_for_notice(terms: Terms, *, received: date) -> date:
    """The day the contract ends when notice is received on `received`."""
    term = term_at(terms, received)
    if term is not None:
        deadline = last_notice_day(termination=term.end, notice=terms.notice)
        if received <= deadline:
            return term.end
        if _renews_by_months(terms):
            # Too late for this term: the next term's end.
            following = term_at(terms, term.end + timedelta(days=1))
            assert following is not None
            return following.end
        if effective_renewal(terms) == Renewal.NONE:
            return term.end  # ends anyway; the notice changes nothing
        # Renews into an indefinite phase: notice counts from the phase's start.
        notice, anchor = notice_for_phase(terms, indefinite=True)
        earliest = period_end(received=received, period=notice)
        return next_anchor(max(earliest, term.end + timedelta(days=1)), anchor)
    notice, anchor = notice_for_phase(terms, indefinite=True)
    return next_anchor(period_end(received=received, period=notice), anchor)


def deadlines(
    terms: Terms, *, today: date, holidays: Container[date] = ()
) -> Deadlines:
    """Everything the contract page shows for `today`, with the explanation."""
    steps: list[Step] = []
    contested = terms.initial_months is not None and is_contested_start(terms.start)
    if contested:
        steps.append(Step("contested_start", {"start": terms.start}))
    term = term_at(terms, today)
    first_end = initial_end(terms)
    renewal = effective_renewal(terms)
    if term is None and first_end is not None and renewal == Renewal.NONE:
        steps.append(Step("ended", {"end": first_end}))
        return Deadlines(
            today, "ended", None, None, None, None, None, contested, tuple(steps)
        )
    if term is not None:
        steps.append(
            Step(
                "term",
                {
                    "number": term.number,
                    "start": term.start,
                    "end": term.end,
                    "months": terms.initial_months
                    if term.number == 1
                    else terms.renewal_months,
                },
            )
        )
        deadline = last_notice_day(termination=term.end, notice=terms.notice)
        steps.append(
            Step(
                "last_notice_day",
                {
                    "day": deadline,
                    "notice": terms.notice,
                    "end": term.end,
                    "month_end": terms.notice.unit == Unit.MONTHS
                    and is_month_end(term.end),
                },
            )
        )
        send_by = previous_business_day(deadline, holidays)
        if send_by != deadline:
            steps.append(Step("not_moved", {"day": deadline, "send_by": send_by}))
        next_renewal = None
        if renewal in (Renewal.MONTHS, Renewal.INDEFINITE):
            next_renewal = term.end + timedelta(days=1)
            steps.append(
                Step(
                    "renewal",
                    {
                        "start": next_renewal,
                        "renewal": renewal,
                        "months": terms.renewal_months,
                    },
                )
            )
        else:
            steps.append(Step("no_renewal", {"end": term.end}))
        end_now = end_for_notice(terms, received=today)
        return Deadlines(
            today,
            "fixed",
            term,
            deadline,
            send_by,
            next_renewal,
            end_now,
            contested,
            tuple(steps),
        )
    notice, anchor = notice_for_phase(terms, indefinite=True)
    end_now = end_for_notice(terms, received=today)
    steps.append(
        Step(
            "indefinite",
            {"notice": notice, "anchor": anchor, "received": today, "end": end_now},
        )
    )
    return Deadlines(
        today, "indefinite", None, None, None, None, end_now, contested, tuple(steps)
    )


def upcoming(terms: Terms, *, today: date, holidays: Container[date] = ()) -> Deadlines:
    """The deadlines of the first term whose last notice day is today or later.

    Once this term's last notice day has passed, the contract renews: what is
    still ahead is the next term's deadline (computed from the new end). The
    passed day is kept (`passed_notice_day`, first step of the explanation), and
    "ends if notice arrives today" stays the answer for `today`.
    """
    current = deadlines(terms, today=today, holidays=holidays)
    result = current
    while (
        result.phase == "fixed"
        and result.last_notice_day is not None
        and result.last_notice_day < today
        and effective_renewal(terms) == Renewal.MONTHS
    ):
        result = deadlines(terms, today=result.next_renewal, holidays=holidays)
    if result is current:
        return current
    passed = Step(
        "passed",
        {"day": current.last_notice_day, "start": current.next_renewal},
    )
    return replace(
        result,
        today=today,
        end_if_notice_today=current.end_if_notice_today,
        passed_notice_day=current.last_notice_day,
        steps=(passed, *result.steps),
    )


# --- Consumer contracts (§309 Nr. 9 BGB) ----------------------------------------------


def _at_most_months(period: Period, months: int) -> bool:
    """True when the period can never be longer than `months` months.

    Days and weeks are compared with the shortest month (28 days) so that a doubtful
    case is flagged for a person to decide rather than let through.
    """
    if period.unit == Unit.MONTHS:
        return period.amount <= months
    days = period.amount * (7 if period.unit == Unit.WEEKS else 1)
    return days <= 28 * months


def consumer_problems(terms: Terms) -> list[Step]:
    """Terms that §309 Nr. 9 BGB does not allow in B2C standard terms (empty: fine)."""
    if not (terms.consumer and terms.standard_terms):
        return []
    problems = []
    if terms.initial_months is not None and terms.initial_months > 24:
        problems.append(Step("b2c_initial_too_long", {"months": terms.initial_months}))
    if terms.new_consumer_law:
        if terms.renewal == Renewal.MONTHS:
            problems.append(Step("b2c_renewal_must_be_indefinite", {}))
        if not _at_most_months(terms.notice, 1):
            problems.append(
                Step("b2c_notice_too_long", {"limit": Period(1, Unit.MONTHS)})
            )
        if terms.anchor in (
            Anchor.MONTH_END,
            Anchor.QUARTER_END,
            Anchor.MID_OR_MONTH_END,
        ):
            problems.append(Step("b2c_no_anchor", {}))
    else:
        if terms.renewal == Renewal.MONTHS and (terms.renewal_months or 0) > 12:
            problems.append(
                Step("b2c_renewal_too_long", {"months": terms.renewal_months})
            )
        if not _at_most_months(terms.notice, 3):
            problems.append(
                Step("b2c_notice_too_long", {"limit": Period(3, Unit.MONTHS)})
            )
    return problems


# --- Explanations in German and English ---------------------------------------------

MONTHS_EN = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
WEEKDAYS = {
    "de": ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def format_day(day: date, language: str) -> str:
    """31.12.2025 in German, Wed 31 Dec 2025 style in English (with the weekday)."""
    weekday = WEEKDAYS["de" if language == "de" else "en"][day.weekday()]
    if language == "de":
        return f"{weekday} {day:%d.%m.%Y}"
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


UNITS = {
    "de": {Unit.DAYS: ("Tag", "Tage"), Unit.WEEKS: ("Woche", "Wochen"),
           Unit.MONTHS: ("Monat", "Monate")},
    "en": {Unit.DAYS: ("day", "days"), Unit.WEEKS: ("week", "weeks"),
           Unit.MONTHS: ("month", "months")},
}  # fmt: skip
ANCHORS = {
    "de": {
        Anchor.NONE: "ohne Stichtag",
        Anchor.TERM_END: "zum Ende der Laufzeit",
        Anchor.MONTH_END: "zum Monatsende",
        Anchor.QUARTER_END: "zum Quartalsende",
        Anchor.MID_OR_MONTH_END: "zum 15. oder zum Monatsende",
    },
    "en": {
        Anchor.NONE: "with no anchor date",
        Anchor.TERM_END: "to the end of the term",
        Anchor.MONTH_END: "to the end of a month",
        Anchor.QUARTER_END: "to the end of a quarter",
        Anchor.MID_OR_MONTH_END: "to the 15th or the end of a month",
    },
}

TEXTS = {
    "de": {
        "contested_start": "Beginn am {start}: Laufzeiten, die am 29. bis 31. "
        "beginnen, werden unterschiedlich berechnet. Bitte prüfen.",
        "term": "Laufzeit {number}: {start} bis {end} ({months} Monate ab Tagesbeginn "
        "am {start}, §§ 187 Abs. 2, 188 Abs. 2 BGB).",
        "last_notice_day": "Letzter Tag für den Eingang der Kündigung: {day}. Eine am "
        "{day} eingehende Kündigung (Frist: {notice}) wirkt zum {end} (§§ 187 Abs. 1, "
        "188 BGB).",
        "last_notice_day_month_end": " Weil die Laufzeit am Monatsende endet, ist es "
        "der letzte Tag des Monats.",
        "not_moved": "Der {day} ist kein Werktag; die Frist verschiebt sich nicht "
        "(§ 193 BGB gilt nicht für Kündigungsfristen). Absenden bis {send_by}, damit "
        "die Kündigung rechtzeitig zugeht.",
        "renewal": "Ohne rechtzeitige Kündigung beginnt am {start} {what}.",
        "passed": "Der letzte Kündigungstag der laufenden Laufzeit, {day}, ist "
        "verstrichen: Der Vertrag verlängert sich am {start}. Maßgeblich ist nun die "
        "folgende Laufzeit.",
        "renewal_months": "eine neue Laufzeit von {months} Monaten",
        "renewal_indefinite": "die unbefristete Fortsetzung",
        "no_renewal": "Der Vertrag endet ohne Kündigung am {end}.",
        "ended": "Der Vertrag ist am {end} ausgelaufen.",
        "indefinite": "Unbefristet: Kündigungsfrist {notice} {anchor}. Eine heute "
        "({received}) eingehende Kündigung beendet den Vertrag am {end}.",
        "b2c_initial_too_long": "Verbrauchervertrag: Erstlaufzeit {months} Monate; "
        "erlaubt sind höchstens 24 (§ 309 Nr. 9 a BGB).",
        "b2c_renewal_must_be_indefinite": "Verbrauchervertrag ab 01.03.2022: "
        "stillschweigende Verlängerung nur auf unbestimmte Zeit (§ 309 Nr. 9 b BGB).",
        "b2c_renewal_too_long": "Verbrauchervertrag vor 01.03.2022: Verlängerung um "
        "{months} Monate; erlaubt sind höchstens 12.",
        "b2c_notice_too_long": "Verbrauchervertrag: Kündigungsfrist höchstens "
        "{limit} (§ 309 Nr. 9 c BGB).",
        "b2c_no_anchor": "Verbrauchervertrag ab 01.03.2022: nach der Erstlaufzeit "
        "jederzeit mit einem Monat Frist kündbar, ohne Stichtag.",
    },
    "en": {
        "contested_start": "Starts on {start}: terms starting on the 29th to 31st are "
        "computed differently by different readings. Please check.",
        "term": "Term {number}: {start} to {end} ({months} months from the start of "
        "{start}, BGB §§ 187(2), 188(2)).",
        "last_notice_day": "Last day for the notice to be received: {day}. A notice "
        "received on {day} (notice period: {notice}) ends the contract on {end} "
        "(BGB §§ 187(1), 188).",
        "last_notice_day_month_end": " Because the term ends at a month end, it is "
        "the last day of the month.",
        "not_moved": "{day} is not a working day; the deadline does not move (BGB "
        "§ 193 does not apply to notice periods). Send by {send_by} so that the "
        "notice arrives in time.",
        "renewal": "Without timely notice, {what} starts on {start}.",
        "passed": "The current term's last notice day, {day}, has passed: the "
        "contract renews on {start}. What counts now is the following term.",
        "renewal_months": "a new term of {months} months",
        "renewal_indefinite": "the indefinite continuation",
        "no_renewal": "Without notice the contract ends on {end}.",
        "ended": "The contract ended on {end}.",
        "indefinite": "Indefinite: notice period {notice} {anchor}. A notice received "
        "today ({received}) ends the contract on {end}.",
        "b2c_initial_too_long": "Consumer contract: initial term of {months} months; "
        "at most 24 are allowed (BGB § 309 no. 9 a).",
        "b2c_renewal_must_be_indefinite": "Consumer contract from 1 Mar 2022: tacit "
        "renewal only into an indefinite term (BGB § 309 no. 9 b).",
        "b2c_renewal_too_long": "Consumer contract before 1 Mar 2022: renewal by "
        "{months} months; at most 12 are allowed.",
        "b2c_notice_too_long": "Consumer contract: notice period at most {limit} "
        "(BGB § 309 no. 9 c).",
        "b2c_no_anchor": "Consumer contract from 1 Mar 2022: after the initial term "
        "it can be ended at any time with one month's notice, no anchor date.",
    },
}


def format_period(period: Period, language: str) -> str:
    singular, plural = UNITS["de" if language == "de" else "en"][period.unit]
    return f"{period.amount} {singular if period.amount == 1 else plural}"


def explain(steps: tuple[Step, ...] | list[Step], language: str = "de") -> list[str]:
    """The steps as sentences in German ("de") or English (anything else)."""
    lang = "de" if language == "de" else "en"
    texts = TEXTS[lang]
    lines = []
    for step in steps:
        values = {}
        for name, value in step.values.items():
            if isinstance(value, date):
                value = format_day(value, lang)
            elif isinstance(value, Period):
                value = format_period(value, lang)
            elif isinstance(value, Anchor):
                value = ANCHORS[lang][value]
            values[name] = value
        if step.key == "renewal":
            kind = (
                "renewal_indefinite"
                if step.values["renewal"] == Renewal.INDEFINITE
                else "renewal_months"
            )
            values["what"] = texts[kind].format(**values)
        line = texts[step.key].format(**values)
        if step.key == "last_notice_day" and step.values.get("month_end"):
            line += texts["last_notice_day_month_end"]
        lines.append(line)
    return lines
