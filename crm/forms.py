"""Forms for customers, persons, addresses and the timeline: validation at capture."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from accounts.roles import Role
from accounts.selectors import company_members
from core.forms import DATE_INPUT, DATETIME_INPUT, add_version_field
from crm import services, validation
from crm.models import (
    Address,
    AddressPurpose,
    Customer,
    CustomerStatus,
    Interaction,
    InteractionKind,
    Person,
)


def owner_choices(company_id: int | None):
    """Users who can own the company's customers: its staff and managers."""
    return (
        User.objects.filter(
            is_active=True,
            groups__company_role__company_id=company_id,
            groups__company_role__role__in=[Role.STAFF, Role.MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CustomerForm(forms.ModelForm):
    """Master data of a customer; `version` guards against lost updates."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate several tags with commas."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Customer
        fields = [
            "name",
            "status",
            "owner",
            "team",
            "key_account",
            "industry",
            "website",
            "vat_id",
            "iban",
            "next_review_on",
            "notes",
        ]
        widgets = {
            "next_review_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            # Stored encrypted as text (core.fields); on the form a short input.
            "iban": forms.TextInput(attrs={"maxlength": 42, "autocomplete": "off"}),
        }
        help_texts = {
            "vat_id": _(
                "VAT ID with its country code, e.g. DE136695976, ATU13585627 "
                "or CHE-116.281.710 MWST."
            )
        }

    def __init__(self, *args, kind: str, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["owner"].queryset = owner_choices(company)
        self.fields["team"].queryset = Team.objects.of_company(company)
        if kind == "private":
            # A private customer's name is its person's name (form below).
            del self.fields["name"]
            del self.fields["industry"]
            del self.fields["vat_id"]
        else:
            self.fields["name"].label = _("Company name")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.vat_id and "vat_id" in self.fields:
                self.initial["vat_id"] = validation.format_vat_id(self.instance.vat_id)
            self.fields["tags"].initial = ", ".join(
                tag.name for tag in self.instance.tags.all()
            )

    def clean_vat_id(self) -> str:
        return validation.normalize_vat_id(self.cleaned_data["vat_id"])

    def clean_iban(self) -> str:
        return validation.normalize_iban(self.cleaned_data["iban"])

    def clean_tags(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["tags"].split(",") if n.strip()]
        if any(len(name) > 50 for name in names):
            raise ValidationError(_("A tag has at most 50 characters."))
        if len(set(names)) > services.MAX_TAGS:
            raise ValidationError(
                _("At most %(count)s tags per customer.") % {"count": services.MAX_TAGS}
            )
        return names

    def model_fields(self) -> dict:
        """The cleaned values that go onto the Customer row."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"tags", "version"}
        }


class PersonForm(forms.ModelForm):
    """A contact person, or the private customer: phones stored as E.164."""

    class Meta:
        model = Person
        fields = [
            "salutation",
            "title",
            "first_name",
            "last_name",
            "position",
            "email",
            "email_secondary",
            "phone",
            "mobile",
            "birthday",
            "preferred_language",
            "preferred_channel",
            "personal_notes",
        ]
        widgets = {
            "birthday": DATE_INPUT,
            "personal_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "mobile": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, private: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self)
        self.private = private
        if private:
            self.fields["first_name"].required = True
            del self.fields["position"]
        for name in ("phone", "mobile"):
            value = self.initial.get(name)
            if value:
                self.initial[name] = validation.display_phone(value)

    def model_fields(self) -> dict:
        """The cleaned values that go onto the Person row (not the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def clean_birthday(self):
        birthday = self.cleaned_data["birthday"]
        if birthday and not date(1900, 1, 1) <= birthday <= timezone.localdate():
            raise ValidationError(_("A birthday lies between 1900 and today."))
        return birthday

    def clean_phone(self) -> str:
        return validation.normalize_phone(self.cleaned_data["phone"])

    def clean_mobile(self) -> str:
        return validation.normalize_phone(self.cleaned_data["mobile"])

    def clean(self):
        cleaned = super().clean()
        reachable = any(
            cleaned.get(name) for name in ("email", "phone", "mobile")
        ) or any(self.has_error(name) for name in ("email", "phone", "mobile"))
        if not reachable and not self.private:
            # Rule of capture: a contact person we cannot reach is of no use.
            self.add_error("email", _("Give an e-mail address or a phone number."))
        return cleaned


class DetailsField(forms.CharField):
    """Free details, one per line ("Label: value" or any text), kept in order."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, (list, dict)):
            return "\n".join(validation.normalize_details(value))
        return value

    def to_python(self, value) -> list[str]:
        return validation.normalize_details(super().to_python(value))


class AddressForm(forms.ModelForm):
    details = DetailsField(
        label=_("Delivery details"),
        required=False,
        help_text=_(
            'One per line, in the order you want, e.g. "Gate height: 3.5 m" or '
            '"Report to the gatehouse".'
        ),
    )

    class Meta:
        model = Address
        fields = ["purpose", "recipient", "street", "postcode", "city", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self)
        self.fields["purpose"].choices = AddressPurpose.choices
        if self.instance.pk:
            self.fields["details"].initial = self.instance.details
            # A correction keeps the purpose; a new purpose is a new address.
            self.fields["purpose"].disabled = True

    def clean(self):
        cleaned = super().clean()
        postcode, country = cleaned.get("postcode"), cleaned.get("country")
        if postcode and country:
            try:
                cleaned["postcode"] = validation.normalize_postcode(postcode, country)
            except ValidationError as error:
                self.add_error("postcode", error)
        return cleaned

    def model_fields(self) -> dict:
        fields = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if self.instance.pk:
            fields.pop("purpose", None)
        return fields


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "direction", "occurred_at", "subject", "text", "persons"]
        widgets = {
            "occurred_at": DATETIME_INPUT,
            "text": forms.Textarea(attrs={"rows": 3}),
            "persons": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = customer.persons.usable()
        # A new entry starts at "now", to the minute, in the user's time zone.
        self.fields["occurred_at"].initial = lambda: timezone.localtime().replace(
            second=0, microsecond=0
        )
        self.fields["persons"].required = False


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *InteractionKind.choices],
    )
    before = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CustomerFilterForm(forms.Form):
    """Filters and sorting of the customer list (GET; no personal data in it)."""

    SORTS = {
        "name": _("Name A-Z"),
        "-name": _("Name Z-A"),
        "number": _("Customer number"),
        "-updated_at": _("Last changed"),
    }

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *CustomerStatus.choices],
    )
    owner = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("Account owner"),
        required=False,
        queryset=User.objects.none(),
    )
    team = forms.ModelChoiceField(
        empty_label=_("All"),
        label=_("Team"),
        required=False,
        queryset=Team.objects.none(),
    )
    key_account = forms.BooleanField(label=_("Key accounts only"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    review_due = forms.BooleanField(label=_("Review due"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=list(SORTS.items())
    )
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(company)
        self.fields["team"].queryset = Team.objects.of_company(company)


class ReassignForm(forms.Form):
    customers = forms.ModelMultipleChoiceField(
        queryset=Customer.objects.none(), widget=forms.MultipleHiddenInput
    )
    owner = forms.ModelChoiceField(
        label=_("New account owner"), required=False, queryset=User.objects.none()
    )
    team = forms.ModelChoiceField(
        label=_("New team"), required=False, queryset=Team.objects.none()
    )

    def __init__(self, *args, editable, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = editable
        self.fields["owner"].queryset = owner_choices(company)
        self.fields["team"].queryset = Team.objects.of_company(company)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner") and not cleaned.get("team"):
            raise ValidationError(_("Choose a new owner, a new team or both."))
        return cleaned


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=User.objects.none()
    )
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none()
    )
    can_edit = forms.BooleanField(label=_("May edit"), required=False)

    def __init__(self, *args, company: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            company_members(company)
            .filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["team"].queryset = Team.objects.of_company(company)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("team")):
            raise ValidationError(_("Choose either one user or one team."))
        return cleaned


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to merge into this customer"),
        queryset=Customer.objects.none(),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = candidates
