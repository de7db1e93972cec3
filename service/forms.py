"""The support staff's calculators: SLA due times and warranty claims (GET forms)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT, DATETIME_INPUT
from service import sla
from service.warranty import Claim

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _in_range(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(_("Enter a date between 2000 and 2100."))


class SlaCalculatorForm(forms.Form):
    """When a target of business hours is due in the company's calendar."""

    opened = forms.DateTimeField(label=_("Opened"), widget=DATETIME_INPUT)
    hours = forms.DecimalField(
        label=_("Target (business hours)"),
        min_value=0,
        max_value=2000,
        decimal_places=2,
        initial=8,
    )
    pause_start = forms.DateTimeField(
        label=_("Waiting for the customer from"), widget=DATETIME_INPUT, required=False
    )
    pause_end = forms.DateTimeField(
        label=_("until"),
        widget=DATETIME_INPUT,
        required=False,
        help_text=_("Empty: still waiting (the clock stands)."),
    )

    def clean_opened(self):
        opened = self.cleaned_data["opened"]
        _in_range(opened.date())
        return opened

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("pause_start"), cleaned.get("pause_end")
        if end and not start:
            self.add_error("pause_start", _("Enter when the waiting began."))
        if start and end and end <= start:
            self.add_error("pause_end", _("The waiting ends after it begins."))
        return cleaned

    def target(self) -> timedelta:
        return sla.hours(self.cleaned_data["hours"])

    def pauses(self) -> list[sla.Pause]:
        start = self.cleaned_data.get("pause_start")
        if start is None:
            return []
        return [(start, self.cleaned_data.get("pause_end"))]


class WarrantyCalculatorForm(forms.Form):
    """Whether a warranty claim still runs (BGB §§ 438, 476, 477)."""

    delivered = forms.DateField(label=_("Delivered on"), widget=DATE_INPUT)
    consumer = forms.BooleanField(
        label=_("Consumer purchase"),
        required=False,
        help_text=_("A consumer bought from a business (§ 474 BGB)."),
    )
    used = forms.BooleanField(label=_("Used goods"), required=False)
    building = forms.BooleanField(
        label=_("Building or a thing used for one"), required=False
    )
    agreed_months = forms.IntegerField(
        label=_("Agreed limitation period (months)"),
        min_value=1,
        max_value=360,
        required=False,
        help_text=_("Empty: the statutory period."),
    )
    sold_before_2022 = forms.BooleanField(
        label=_("Purchase concluded before 01.01.2022"), required=False
    )
    today = forms.DateField(
        label=_("Check on"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Empty: today."),
    )

    def clean_delivered(self):
        delivered = self.cleaned_data["delivered"]
        _in_range(delivered)
        return delivered

    def claim(self) -> Claim:
        data = self.cleaned_data
        return Claim(
            delivered=data["delivered"],
            consumer=data["consumer"],
            used=data["used"],
            building=data["building"],
            agreed_months=data["agreed_months"],
            sold_before_2022=data["sold_before_2022"],
        )

    def day(self) -> date:
        return self.cleaned_data.get("today") or timezone.localdate()
