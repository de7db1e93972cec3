"""Forms of the contracts app."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts import deadlines as engine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANDS = [
    ("", _("Nationwide holidays only")),
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
]


class DeadlineCalculatorForm(forms.Form):
    """The terms of a contract, to compute its deadlines (GET: bookmarkable)."""

    start = forms.DateField(label=_("Start"), widget=DATE)
    initial_months = forms.IntegerField(
        label=_("Initial term (months)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Leave empty for a contract without a fixed term."),
    )
    renewal = forms.ChoiceField(
        label=_("Renewal"),
        choices=[
            (engine.Renewal.NONE, _("none: ends after the term")),
            (engine.Renewal.MONTHS, _("by a number of months")),
            (engine.Renewal.INDEFINITE, _("indefinitely")),
        ],
        initial=engine.Renewal.MONTHS,
    )
    renewal_months = forms.IntegerField(
        label=_("Renewal (months)"), min_value=1, max_value=120, required=False
    )
    notice_amount = forms.IntegerField(
        label=_("Notice period"), min_value=1, max_value=365, initial=3
    )
    notice_unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[
            (engine.Unit.DAYS, _("days")),
            (engine.Unit.WEEKS, _("weeks")),
            (engine.Unit.MONTHS, _("months")),
        ],
        initial=engine.Unit.MONTHS,
    )
    anchor = forms.ChoiceField(
        label=_("Notice to"),
        choices=[
            (engine.Anchor.TERM_END, _("the end of the term")),
            (engine.Anchor.NONE, _("no anchor date")),
            (engine.Anchor.MONTH_END, _("the end of a month")),
            (engine.Anchor.QUARTER_END, _("the end of a quarter")),
            (engine.Anchor.MID_OR_MONTH_END, _("the 15th or the end of a month")),
        ],
    )
    consumer = forms.BooleanField(label=_("Consumer contract (B2C)"), required=False)
    standard_terms = forms.BooleanField(
        label=_("Standard terms (AGB)"), required=False, initial=True
    )
    concluded = forms.DateField(
        label=_("Date concluded"),
        required=False,
        widget=DATE,
        help_text=_("Decides which consumer rules apply; default: the start."),
    )
    today = forms.DateField(label=_("Compute for the day"), required=False, widget=DATE)
    received = forms.DateField(
        label=_("Notice received on"),
        required=False,
        widget=DATE,
        help_text=_("Optional: when would a notice received that day end it?"),
    )
    land = forms.ChoiceField(
        label=_("Public holidays of"), choices=LANDS, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("renewal") == engine.Renewal.MONTHS and not cleaned.get(
            "renewal_months"
        ):
            self.add_error(
                "renewal_months", _("How many months does each renewal run?")
            )
        return cleaned

    def terms(self) -> engine.Terms:
        data = self.cleaned_data
        return engine.Terms(
            start=data["start"],
            initial_months=data["initial_months"],
            renewal=engine.Renewal(data["renewal"]),
            renewal_months=data["renewal_months"],
            notice=engine.Period(
                data["notice_amount"], engine.Unit(data["notice_unit"])
            ),
            anchor=engine.Anchor(data["anchor"]),
            consumer=data["consumer"],
            standard_terms=data["standard_terms"],
            concluded=data["concluded"],
        )

    def day(self):
        return self.cleaned_data["today"] or timezone.localdate()
