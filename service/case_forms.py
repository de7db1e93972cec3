"""Forms of cases; the service checks every field again (the rules live there)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT, MoneyField
from service.cases import EDIT_FIELDS
from service.forms import members_of
from service.models import (
    CaseCategory,
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CaseForm(forms.Form):
    """A case's fields. Without a customer (the case list's "New case") the
    customer is named by its number and the case names no person or contract."""

    customer_number = forms.CharField(
        label=_("Customer number"), max_length=20, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=TEXTAREA, required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("(none)")
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices)
    person = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=None,
        required=False,
        empty_label=_("(none)"),
    )
    contract = forms.ModelChoiceField(
        label=_("Contract"), queryset=None, required=False, empty_label=_("(none)")
    )
    order_reference = forms.CharField(
        label=_("Order or invoice"), max_length=100, required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=None
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("(none)")
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=DATE_INPUT, required=False
    )
    consumer = forms.BooleanField(
        label=_("Consumer purchase"),
        required=False,
        help_text=_("A consumer bought from a business (§ 474 BGB)."),
    )
    used_goods = forms.BooleanField(label=_("Used goods"), required=False)
    building = forms.BooleanField(
        label=_("Building or a thing used for one"), required=False
    )
    agreed_months = forms.IntegerField(
        label=_("Agreed limitation period (months)"),
        required=False,
        help_text=_("Empty: the statutory period."),
    )
    sold_before_2022 = forms.BooleanField(
        label=_("Purchase concluded before 01.01.2022"), required=False
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=TEXTAREA, required=False)
    resolution = forms.CharField(label=_("Resolution"), widget=TEXTAREA, required=False)
    goodwill_amount = MoneyField(label=_("Goodwill (€)"), max_digits=10, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, customer=None, user, case=None, **kwargs):
        from accounts.models import Team
        from contracts.models import Contract

        if case is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(case, name + "_id", None)
                if name in ("category", "person", "contract", "owner", "team")
                else getattr(case, name)
                for name in EDIT_FIELDS
            } | {"version": case.version}
        initial = kwargs.setdefault("initial", {})
        if customer is not None and case is None:
            initial.setdefault("owner", customer.owner_id)
            initial.setdefault("team", customer.team_id)
        initial.setdefault("owner", user.pk)
        initial.setdefault("priority", CasePriority.NORMAL)
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.user = user
        company = user.company_id
        categories = CaseCategory.objects.filter(company_id=company)
        current = case.category_id if case is not None else None
        self.fields["category"].queryset = categories.filter(
            active=True
        ) | categories.filter(pk=current)
        self.fields["owner"].queryset = members_of(company)
        self.fields["team"].queryset = Team.objects.of_company(company).order_by("name")
        if customer is None:
            del self.fields["person"], self.fields["contract"]
        else:
            del self.fields["customer_number"]
            self.fields["person"].queryset = customer.persons.usable()
            self.fields["contract"].queryset = Contract.objects.filter(
                customer=customer
            ).order_by("number")
        if case is None:
            del self.fields["version"]
            # Root cause and resolution come while the case is worked.
            del self.fields["root_cause"], self.fields["resolution"]

    def clean_customer_number(self):
        """The customer among those the user may change, by its number."""
        from crm.models import Customer

        number = self.cleaned_data["customer_number"].strip()
        if not number:
            raise forms.ValidationError(_("Enter the customer number."))
        customer = Customer.objects.editable_by(self.user).filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer of yours has this number."))
        self.customer = customer
        return number

    def case_fields(self) -> dict:
        """The `fields` of case_create / case_update."""
        return {
            name: self.cleaned_data.get(name)
            for name in EDIT_FIELDS
            if name in self.fields
        }

    def add_errors(self, error) -> None:
        """A service's ValidationError next to its fields."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class CaseStatusForm(forms.Form):
    """Move the case on: to one of the statuses allowed next."""

    status = forms.ChoiceField(label=_("New status"), choices=())
    resolution = forms.CharField(
        label=_("Resolution"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Needed to resolve the case."),
    )
    ask_rating = forms.BooleanField(
        label=_("Ask the contact person for a rating"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, allowed, **kwargs):
        kwargs.setdefault(
            "initial", {"version": case.version, "resolution": case.resolution}
        )
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in allowed]
        if CaseStatus.RESOLVED not in allowed:  # resolved or closed: close or reopen
            del self.fields["resolution"], self.fields["ask_rating"]


class CaseFilterForm(forms.Form):
    """Filters of the case list (GET; ids and codes only, no personal data)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("any")),
            ("breached", _("breached")),
            ("soon", _("due soon")),
        ],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["status"].choices = [
            ("open", _("open")),
            ("all", _("all")),
            *CaseStatus.choices,
        ]
        self.fields["kind"].choices = [("", _("any")), *CaseKind.choices]
        self.fields["priority"].choices = [("", _("any")), *CasePriority.choices]
        members = [(str(u.pk), str(u)) for u in members_of(user.company_id)]
        self.fields["owner"].choices = [
            ("", _("everyone")),
            ("me", _("me")),
            *members,
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "open"}
        data = dict(self.cleaned_data)
        if data["owner"] == "me":
            data["owner"] = self.user.pk
        elif data["owner"]:
            data["owner"] = int(data["owner"])
        return data


class ServiceSettingsForm(forms.Form):
    """The company's SLA targets by priority and its case categories: fields
    made per priority and per category (response_high, category_3, active_3)."""

    new_category = forms.CharField(
        label=_("New category"), max_length=200, required=False
    )

    def __init__(self, *args, targets: dict, categories: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        labels = dict(CasePriority.choices)
        self.target_rows = []
        for priority in CasePriority.values:
            response, resolution = targets[priority]
            for name, label, value in (
                ("response", _("First response (business hours)"), response),
                ("resolution", _("Resolution (business hours)"), resolution),
            ):
                self.fields[f"{name}_{priority}"] = forms.DecimalField(
                    label=label,
                    max_digits=6,
                    decimal_places=2,
                    initial=value,
                    localize=True,
                )
            self.target_rows.append(
                (labels[priority], self[f"response_{priority}"],
                 self[f"resolution_{priority}"])
            )  # fmt: skip
        self.category_rows = []
        for category in categories:
            self.fields[f"category_{category.pk}"] = forms.CharField(
                label=_("Name"), max_length=200, initial=category.name
            )
            self.fields[f"active_{category.pk}"] = forms.BooleanField(
                label=_("in use"), required=False, initial=category.active
            )
            self.category_rows.append(
                (self[f"category_{category.pk}"], self[f"active_{category.pk}"])
            )

    def settings(self) -> dict:
        """The keyword arguments of service_settings_save."""
        data = self.cleaned_data
        return {
            "targets": {
                priority: (
                    data.get(f"response_{priority}"),
                    data.get(f"resolution_{priority}"),
                )
                for priority in CasePriority.values
            },
            "categories": [
                (
                    category.pk,
                    data.get(f"category_{category.pk}") or "",
                    bool(data.get(f"active_{category.pk}")),
                )
                for category in self.categories
            ],
            "new_category": data.get("new_category") or "",
        }

    def add_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
