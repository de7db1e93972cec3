"""Forms of the DPO's pages: the Art. 30 register, requests, the access log filter."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import company_members
from compliance.models import (
    CATEGORY_CHOICES,
    AccessAction,
    ConsentPurpose,
    ConsentSource,
    LegalBasis,
    ProcessingActivity,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RetentionRule,
)
from core.dates import add_months
from core.forms import DATE_INPUT
from crm.models import Person


class ProcessingActivityForm(forms.ModelForm):
    """An entry of the Art. 30 register; `version` guards against lost updates."""

    data_categories = forms.MultipleChoiceField(
        label=_("categories of personal data"),
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProcessingActivity
        fields = [
            "name",
            "purpose",
            "legal_basis",
            "legitimate_interest",
            "data_subjects",
            "data_categories",
            "recipients",
            "third_countries",
            "retention",
            "source",
            "security_measures",
            "active",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "legitimate_interest": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "third_countries": forms.Textarea(attrs={"rows": 2}),
            "security_measures": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        basis = cleaned.get("legal_basis")
        if (
            basis == LegalBasis.LEGITIMATE_INTERESTS
            and not cleaned.get("legitimate_interest", "").strip()
        ):
            self.add_error(
                "legitimate_interest",
                _("Name the legitimate interest (Art. 13(1)(d) GDPR)."),
            )
        return cleaned

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RequestForm(forms.Form):
    """A new data-subject request, as received."""

    kind = forms.ChoiceField(label=_("kind"), choices=RequestKind.choices)
    person = forms.ModelChoiceField(
        label=_("person"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    subject_name = forms.CharField(
        label=_("requester as named in the request"), max_length=200
    )
    received_on = forms.DateField(label=_("received on"), widget=DATE_INPUT)
    channel = forms.ChoiceField(label=_("received by"), choices=RequestChannel.choices)
    identity_method = forms.CharField(
        label=_("how the identity was checked"),
        max_length=200,
        required=False,
        help_text=_("Empty: not checked yet. Ask only for what is needed."),
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        # The company's persons only: another company's is no valid choice.
        self.fields["person"].queryset = Person.objects.filter(
            company_id=company
        ).select_related("customer")

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError(
                _("A request cannot be received in the future.")
            )
        return received

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if fields["identity_method"]:
            fields["identity_checked_at"] = timezone.now()
        return fields


class RequestUpdateForm(forms.Form):
    """Working on an open request: status, identity check, note."""

    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (RequestStatus.OPEN, RequestStatus.OPEN.label),
            (RequestStatus.IN_PROGRESS, RequestStatus.IN_PROGRESS.label),
        ],
    )
    identity_method = forms.CharField(
        label=_("how the identity was checked"), max_length=200, required=False
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)


class IdentityCheckForm(forms.Form):
    """The erasure page's first step: how the requester's identity was checked."""

    identity_method = forms.CharField(
        label=_("how the identity was checked"),
        max_length=200,
        help_text=_(
            "E.g. a reply from the known e-mail address. Ask only for what is needed."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ErasureConfirmForm(forms.Form):
    """Erasing cannot be undone: the DPO confirms it explicitly."""

    confirm = forms.BooleanField(
        label=_("I understand that erasing cannot be undone."),
        error_messages={
            "required": _("Confirm that you understand erasing cannot be undone.")
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the extension"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person must be told of it, with the reasons."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (RequestStatus.DONE, RequestStatus.DONE.label),
            (RequestStatus.REJECTED, RequestStatus.REJECTED.label),
        ]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *RequestStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("All")), *RequestKind.choices]
    )


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("user"),
        required=False,
        queryset=User.objects.none(),
    )
    action = forms.ChoiceField(
        label=_("action"),
        required=False,
        choices=[("", _("All")), *AccessAction.choices],
    )
    customer = forms.CharField(
        label=_("customer number"), required=False, max_length=20
    )
    person = forms.IntegerField(label=_("person (id)"), required=False, min_value=1)
    since = forms.DateField(label=_("from"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        # The company's users only: another company's staff are not named here.
        self.fields["user"].queryset = company_members(company).order_by("username")


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=ConsentPurpose.choices)
    source = forms.ChoiceField(label=_("source"), choices=ConsentSource.choices)


class RetentionRuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RetentionRule
        fields = ["name", "kind", "years", "active"]


class DisclosureForm(forms.Form):
    """Data passed to a recipient; the person is one of the customer's or none."""

    recipient = forms.CharField(label=_("recipient"), max_length=200)
    what = forms.CharField(label=_("what was passed on"), max_length=300)
    disclosed_on = forms.DateField(label=_("passed on"), widget=DATE_INPUT)
    person = forms.ModelChoiceField(
        label=_("person"), required=False, queryset=Person.objects.none()
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = customer.persons.usable()

    def clean_disclosed_on(self):
        day = self.cleaned_data["disclosed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("This day lies in the future."))
        return day


class TrainingForm(forms.Form):
    """A training session: its participants (members of the company), its day,
    topic and end of validity (a year on unless the DPO says otherwise)."""

    users = forms.ModelMultipleChoiceField(
        label=_("participants"),
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    held_on = forms.DateField(label=_("held on"), widget=DATE_INPUT)
    topic = forms.CharField(label=_("topic"), max_length=200)
    valid_until = forms.DateField(
        label=_("valid until"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Empty: one year after the training."),
    )

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        # The company's members only: another company's user is no valid choice.
        self.fields["users"].queryset = company_members(company).order_by(
            "last_name", "first_name", "username"
        )

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        if held_on is not None and cleaned.get("valid_until") is None:
            cleaned["valid_until"] = add_months(held_on, 12)
        return cleaned
