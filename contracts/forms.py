"""Forms of the contracts app."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from contracts import deadlines as engine
from contracts.documents import check_upload
from contracts.models import (
    ANCHOR_CHOICES,
    RENEWAL_CHOICES,
    UNIT_CHOICES,
    Contract,
    ContractDocument,
    ContractStatus,
    ContractType,
    Notice,
    validate_contract_date,
    validate_notice,
)
from core.forms import DATE_INPUT, DATETIME_INPUT, MoneyField, add_version_field
from crm.forms import owner_choices

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

    start = forms.DateField(
        label=_("Start"), widget=DATE_INPUT, validators=[validate_contract_date]
    )
    initial_months = forms.IntegerField(
        label=_("Initial term (months)"),
        min_value=1,
        max_value=engine.MAX_TERM_MONTHS,
        required=False,
        help_text=_("Leave empty for a contract without a fixed term."),
    )
    renewal = forms.ChoiceField(
        label=_("Renewal"),
        choices=RENEWAL_CHOICES,
        initial=engine.Renewal.MONTHS,
    )
    renewal_months = forms.IntegerField(
        label=_("Renewal (months)"),
        min_value=1,
        max_value=engine.MAX_TERM_MONTHS,
        required=False,
    )
    notice_amount = forms.IntegerField(
        label=_("Notice period"),
        min_value=1,
        max_value=max(engine.MAX_NOTICE.values()),
        initial=3,
    )
    notice_unit = forms.ChoiceField(
        label=_("Unit"),
        choices=UNIT_CHOICES,
        initial=engine.Unit.MONTHS,
    )
    anchor = forms.ChoiceField(
        label=_("Notice to"),
        choices=ANCHOR_CHOICES,
    )
    consumer = forms.BooleanField(label=_("Consumer contract (B2C)"), required=False)
    standard_terms = forms.BooleanField(
        label=_("Standard terms (AGB)"), required=False, initial=True
    )
    concluded = forms.DateField(
        label=_("Date concluded"),
        required=False,
        widget=DATE_INPUT,
        validators=[validate_contract_date],
        help_text=_("Decides which consumer rules apply; default: the start."),
    )
    today = forms.DateField(
        label=_("Compute for the day"),
        required=False,
        widget=DATE_INPUT,
        validators=[validate_contract_date],
    )
    received = forms.DateField(
        label=_("Notice received on"),
        required=False,
        widget=DATE_INPUT,
        validators=[validate_contract_date],
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
        too_long = validate_notice(
            cleaned.get("notice_amount"), cleaned.get("notice_unit")
        )
        if too_long:
            self.add_error("notice_amount", too_long)
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


# Which field a consumer-rule problem belongs to (its message stands there).
PROBLEM_FIELDS = {
    "b2c_initial_too_long": "initial_months",
    "b2c_renewal_must_be_indefinite": "renewal",
    "b2c_renewal_too_long": "renewal_months",
    "b2c_notice_too_long": "notice_amount",
    "b2c_no_anchor": "anchor",
}


class ContractForm(forms.ModelForm):
    """A contract's terms; consumer terms are checked against § 309 Nr. 9 BGB."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lead_times = forms.CharField(
        label=_("Reminder lead times (days)"),
        required=False,
        help_text=_('e.g. "90, 30, 7"; empty: those of the contract type.'),
    )

    class Meta:
        model = Contract
        fields = [
            "title",
            "type",
            "status",
            "owner",
            "consumer",
            "standard_terms",
            "concluded_on",
            "start",
            "initial_months",
            "renewal",
            "renewal_months",
            "notice_amount",
            "notice_unit",
            "anchor",
            "value_amount",
            "currency",
            "value_period",
            "persons",
            "notes",
        ]
        field_classes = {"value_amount": MoneyField}
        widgets = {
            "concluded_on": DATE_INPUT,
            "start": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "persons": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = customer.persons.usable()
        self.fields["persons"].required = False
        self.fields["owner"].queryset = owner_choices(customer.company_id)
        self.fields["type"].queryset = ContractType.objects.filter(
            company_id=customer.company_id
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            leads = self.instance.reminder_lead_times or []
            self.fields["lead_times"].initial = ", ".join(str(d) for d in leads)

    def clean_lead_times(self) -> list[int] | None:
        text = self.cleaned_data["lead_times"].strip()
        if not text:
            return None
        try:
            leads = sorted({int(part) for part in text.split(",")}, reverse=True)
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers of days, separated by commas.")
            ) from None
        if any(lead < 0 or lead > 730 for lead in leads):
            raise forms.ValidationError(_("Lead times lie between 0 and 730 days."))
        return leads

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("renewal") == engine.Renewal.MONTHS and not cleaned.get(
            "renewal_months"
        ):
            self.add_error(
                "renewal_months", _("How many months does each renewal run?")
            )
        too_long = validate_notice(
            cleaned.get("notice_amount"), cleaned.get("notice_unit")
        )
        if too_long:
            self.add_error("notice_amount", too_long)
        if self.errors:
            return cleaned
        try:
            terms = Contract(**self.model_fields()).terms
        except ValueError:
            return cleaned  # outside the engine's range: the fields' validators say so
        for problem in engine.consumer_problems(terms):
            (message,) = engine.explain([problem], get_language())
            self.add_error(PROBLEM_FIELDS[problem.key], message)
        return cleaned

    def model_fields(self) -> dict:
        fields = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"persons", "version", "lead_times"}
        }
        fields["reminder_lead_times"] = self.cleaned_data.get("lead_times")
        return fields


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ContractStatus.choices],
    )
    type = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("Type"),
        required=False,
        queryset=ContractType.objects.none(),
    )
    owner = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("Contract owner"),
        required=False,
        queryset=User.objects.none(),
    )
    team = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("Team"),
        required=False,
        queryset=Team.objects.none(),
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    within_days = forms.IntegerField(
        label=_("Last notice day within (days)"),
        required=False,
        min_value=0,
        max_value=3650,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("last_notice_day", _("Last notice day")),
            ("term_end", _("Term end")),
            ("number", _("Contract number")),
            ("customer", _("Customer")),
            ("-updated_at", _("Last changed")),
        ],
    )

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = ContractType.objects.filter(company_id=company)
        self.fields["owner"].queryset = owner_choices(company)
        self.fields["team"].queryset = Team.objects.of_company(company)


class NoticeForm(forms.ModelForm):
    """Recording a notice: receipt to the minute; optionally the end it asks for."""

    wanted_end = forms.DateField(
        label=_("Notice to (optional)"),
        required=False,
        widget=DATE_INPUT,
        validators=[validate_contract_date],
        help_text=_("Empty: the next possible end."),
    )

    class Meta:
        model = Notice
        fields = ["given_by", "channel", "received_at", "confirmation_sent_at", "note"]
        widgets = {
            "received_at": DATETIME_INPUT,
            "confirmation_sent_at": DATETIME_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self, version)  # the contract's: one notice per version
        self.fields["received_at"].initial = lambda: timezone.localtime().replace(
            second=0, microsecond=0
        )

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at and received_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A notice cannot be received in the future."))
        if received_at:
            validate_contract_date(timezone.localtime(received_at).date())
        return received_at


class DocumentForm(forms.Form):
    """Upload a file: a new document, or a new version of an existing one."""

    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    document = forms.ModelChoiceField(
        label=_("New version of"),
        required=False,
        queryset=ContractDocument.objects.none(),
        empty_label=_("(a new document)"),
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = contract.documents.all()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.checked = check_upload(upload)
        return upload
