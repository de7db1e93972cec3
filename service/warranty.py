"""Warranty claims (Mängelansprüche, §§ 437, 438 BGB) as pure functions (no Django).

Whether the limitation period of a claim about goods or work still runs, and
until when, with the reasons; and, for a consumer purchase, until when a defect
that shows is presumed to have been there at delivery (§ 477 BGB).

- § 438(1) Nr. 3: two years for goods; Nr. 2: five years for a building and
  for things used for a building in the usual way. § 438(2): from delivery.
- Counting: delivery is an event, its day is not counted (§ 187(1)); the
  period ends with the day of the last year that has the delivery day's number
  (§ 188(2)), or the last day of that month where it has no such day
  (§ 188(3): 29 February). A last day on a Saturday, Sunday or public holiday
  runs to the next working day (§ 193).
- Agreed shorter periods: in a consumer purchase not below two years, one
  year for used goods (§ 476(2)); an agreement below that is void and the law's
  period applies. Between businesses a shorter period may be agreed (in
  standard terms, under one year is doubtful: § 307; shown for a person to
  decide). A longer agreed period applies (§ 202(2)).
- Presumption (§ 477(1)): a defect showing within one year of delivery (six
  months for purchases concluded before 01.01.2022, § 477 old version) is
  presumed present at delivery. It is a window of fact, not a limitation
  period: § 193 does not move it.

Nothing here reads the clock, the database or the active language.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, timedelta

from contracts.deadlines import format_day
from core.dates import add_months

# Sale-of-goods directive implemented (Gesetz zur Regelung des Verkaufs von
# Sachen mit digitalen Elementen): the one-year presumption from here.
NEW_SALES_LAW = date(2022, 1, 1)
GOODS_MONTHS = 24
BUILDING_MONTHS = 60


@dataclass(frozen=True)
class Claim:
    delivered: date
    consumer: bool = False  # a consumer bought from a business (§ 474)
    used: bool = False
    building: bool = False  # a building, or a thing used for one
    agreed_months: int | None = None  # an agreed limitation period
    sold_before_2022: bool = False  # purchase concluded before 01.01.2022

    def __post_init__(self):
        if self.agreed_months is not None and self.agreed_months < 1:
            raise ValueError("an agreed period has at least one month")


@dataclass(frozen=True)
class Step:
    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Warranty:
    months: int  # the period that applies
    last_day: date  # by §§ 187(1), 188(2)/(3)
    ends: date  # moved by § 193 where the last day is no working day
    presumption_until: date | None  # consumer purchases only
    steps: tuple[Step, ...]

    def runs_on(self, day: date) -> bool:
        return day <= self.ends

    def presumed_on(self, day: date) -> bool:
        return self.presumption_until is not None and day <= self.presumption_until


def next_working_day(day: date, holidays: Container[date] = ()) -> date:
    """The day itself, or the next one that is no Saturday, Sunday or holiday."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def _months(claim: Claim, steps: list[Step]) -> int:
    statutory = BUILDING_MONTHS if claim.building else GOODS_MONTHS
    steps.append(Step("building" if claim.building else "goods", {"months": statutory}))
    agreed = claim.agreed_months
    if agreed is None or agreed == statutory:
        return statutory
    if agreed > statutory:
        steps.append(Step("agreed_longer", {"months": agreed}))
        return agreed
    if claim.consumer:
        minimum = 12 if claim.used and not claim.building else 24
        if agreed < minimum:
            steps.append(Step("agreed_void", {"months": agreed, "minimum": minimum}))
            return statutory
        steps.append(Step("agreed_consumer", {"months": agreed, "used": claim.used}))
        return agreed
    steps.append(Step("agreed_business", {"months": agreed}))
    if agreed < 12:
        steps.append(Step("agreed_business_doubt", {"months": agreed}))
    return agreed


def last_day(claim: Claim) -> date:
    """The period's last day before § 193: the year whose holidays a caller
    passes to warranty() (a period may run for decades)."""
    return add_months(claim.delivered, _months(claim, []))


def warranty(claim: Claim, holidays: Container[date] = ()) -> Warranty:
    """The limitation period of the claim, its end and the presumption window."""
    steps: list[Step] = []
    months = _months(claim, steps)
    last_day = add_months(claim.delivered, months)
    clamped = last_day.day != claim.delivered.day
    steps.append(
        Step(
            "counted",
            {
                "delivered": claim.delivered,
                "months": months,
                "last_day": last_day,
                "clamped": clamped,
            },
        )
    )
    ends = next_working_day(last_day, holidays)
    if ends != last_day:
        why = {5: "saturday", 6: "sunday"}.get(last_day.weekday(), "holiday")
        steps.append(Step("moved", {"last_day": last_day, "ends": ends, "why": why}))
    presumption = None
    if claim.consumer:
        window = 6 if claim.sold_before_2022 else 12
        presumption = add_months(claim.delivered, window)
        steps.append(
            Step(
                "presumption",
                {"months": window, "until": presumption, "old": claim.sold_before_2022},
            )
        )
        if claim.building:
            steps.append(Step("presumption_building"))
    else:
        steps.append(Step("no_presumption"))
    return Warranty(
        months=months,
        last_day=last_day,
        ends=ends,
        presumption_until=presumption,
        steps=tuple(steps),
    )


TEXTS = {
    "de": {
        "goods": "Mängelansprüche bei Sachen verjähren in {months} Monaten "
        "(§ 438 Abs. 1 Nr. 3 BGB), beginnend mit der Ablieferung (§ 438 Abs. 2 BGB).",
        "building": "Bei einem Bauwerk oder einer dafür verwendeten Sache: "
        "{months} Monate (§ 438 Abs. 1 Nr. 2 BGB), ab Ablieferung bzw. Übergabe.",
        "agreed_longer": "Vereinbart ist eine längere Frist von {months} Monaten "
        "(§ 202 Abs. 2 BGB): Sie gilt.",
        "agreed_void": "Vereinbart sind {months} Monate; beim Verbrauchsgüterkauf "
        "sind mindestens {minimum} Monate vorgeschrieben (§ 476 Abs. 2 BGB). Die "
        "Vereinbarung ist unwirksam, es gilt die gesetzliche Frist.",
        "agreed_consumer": "Vereinbart sind {months} Monate; beim Verbrauchsgüterkauf "
        "zulässig (§ 476 Abs. 2 BGB), sofern der Verbraucher eigens darauf "
        "hingewiesen wurde und es gesondert vereinbart ist.",
        "agreed_business": "Zwischen Unternehmern vereinbart: {months} Monate.",
        "agreed_business_doubt": "In Allgemeinen Geschäftsbedingungen ist eine Frist "
        "unter einem Jahr zweifelhaft (§ 307 BGB): bitte prüfen.",
        "counted": "Abgeliefert am {delivered}; der Tag der Ablieferung zählt nicht "
        "(§ 187 Abs. 1 BGB). {months} Monate später endet die Frist mit Ablauf des "
        "{last_day} (§ 188 Abs. 2 BGB){clamped}.",
        "clamped": "; diesen Tag hat der Monat nicht, also sein letzter Tag "
        "(§ 188 Abs. 3 BGB)",
        "moved": "Der {last_day} ist {why}: Die Frist endet mit Ablauf des nächsten "
        "Werktags, {ends} (§ 193 BGB).",
        "saturday": "ein Samstag",
        "sunday": "ein Sonntag",
        "holiday": "ein gesetzlicher Feiertag",
        "presumption": "Verbrauchsgüterkauf: Zeigt sich ein Mangel bis {until} "
        "({months} Monate ab Ablieferung), wird vermutet, dass er schon bei "
        "Ablieferung vorlag (§ 477 Abs. 1 BGB{old}). Dieses Fenster verschiebt sich "
        "nicht auf einen Werktag.",
        "presumption_old": " a. F., Kaufvertrag vor dem 01.01.2022",
        "presumption_building": "Für ein Bauwerk selbst (Grundstückskauf) gilt die "
        "Vermutung nicht, für Baustoffe schon: bitte prüfen.",
        "no_presumption": "Kein Verbrauchsgüterkauf: Der Käufer muss beweisen, dass "
        "der Mangel schon bei Ablieferung vorlag.",
    },
    "en": {
        "goods": "Claims for defects of goods become time-barred after {months} "
        "months (BGB § 438(1) no. 3), from delivery (§ 438(2)).",
        "building": "For a building or a thing used for one: {months} months "
        "(BGB § 438(1) no. 2), from delivery or handover.",
        "agreed_longer": "A longer period of {months} months is agreed "
        "(BGB § 202(2)): it applies.",
        "agreed_void": "{months} months are agreed; a consumer purchase requires at "
        "least {minimum} months (BGB § 476(2)). The agreement is void; the statutory "
        "period applies.",
        "agreed_consumer": "{months} months are agreed; allowed in a consumer "
        "purchase (BGB § 476(2)) if the consumer was told specifically and it was "
        "agreed separately.",
        "agreed_business": "Agreed between businesses: {months} months.",
        "agreed_business_doubt": "In standard terms a period under one year is "
        "doubtful (BGB § 307): please check.",
        "counted": "Delivered on {delivered}; the day of delivery is not counted "
        "(BGB § 187(1)). {months} months later the period ends at the end of "
        "{last_day} (§ 188(2)){clamped}.",
        "clamped": "; that month has no such day, so its last day (§ 188(3))",
        "moved": "{last_day} is {why}: the period ends at the end of the next "
        "working day, {ends} (BGB § 193).",
        "saturday": "a Saturday",
        "sunday": "a Sunday",
        "holiday": "a public holiday",
        "presumption": "Consumer purchase: a defect that shows by {until} ({months} "
        "months from delivery) is presumed to have been there at delivery "
        "(BGB § 477(1){old}). This window does not move to a working day.",
        "presumption_old": ", old version, purchase before 1 Jan 2022",
        "presumption_building": "For a building itself (a purchase of land) the "
        "presumption does not apply, for building materials it does: please check.",
        "no_presumption": "No consumer purchase: the buyer must prove that the "
        "defect was there at delivery.",
    },
}


def explain(result: Warranty, language: str = "de") -> list[str]:
    """The steps as sentences in German ("de") or English (anything else)."""
    lang = "de" if language == "de" else "en"
    texts = TEXTS[lang]
    lines = []
    for step in result.steps:
        values = {
            name: format_day(value, lang) if isinstance(value, date) else value
            for name, value in step.values.items()
        }
        if step.key == "counted":
            values["clamped"] = texts["clamped"] if step.values["clamped"] else ""
        if step.key == "moved":
            values["why"] = texts[step.values["why"]]
        if step.key == "presumption":
            values["old"] = texts["presumption_old"] if step.values["old"] else ""
        lines.append(texts[step.key].format(**values))
    return lines
