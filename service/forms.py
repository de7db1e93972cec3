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


# --- Follow-up tasks ------------------------------------------------------------

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def members_of(company_id):
    from accounts.selectors import company_members

    return (
        company_members(company_id)
        .filter(is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class TaskForm(forms.Form):
    """A task's fields; the service checks them again (the rules live there).

    Without a customer (the task list's form) the customer is named by its
    number and the task names no person or contract.
    """

    customer_number = forms.CharField(
        label=_("Customer number"), max_length=20, required=False
    )
    title = forms.CharField(label=_("Task"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT, required=False)
    due_at = forms.TimeField(label=_("at"), widget=TIME_INPUT, required=False)
    # No empty choice: the form starts with the user; the service refuses none.
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=None
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=())
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=None, required=False, empty_label=_("(none)")
    )
    contract = forms.ModelChoiceField(
        label=_("Contract"), queryset=None, required=False, empty_label=_("(none)")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, customer=None, user, task=None, **kwargs):
        from contracts.models import Contract
        from service.models import Priority

        if task is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": task.title,
                "due_on": task.due_on,
                "due_at": task.due_at,
                "assignee": task.assignee_id,
                "priority": task.priority,
                "person": task.person_id,
                "contract": task.contract_id,
                "version": task.version,
            }
        kwargs.setdefault("initial", {}).setdefault("assignee", user.pk)
        kwargs["initial"].setdefault("priority", Priority.NORMAL)
        kwargs["initial"].setdefault("due_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.user = user
        self.fields["priority"].choices = Priority.choices
        self.fields["assignee"].queryset = members_of(user.company_id)
        if customer is None:
            del self.fields["person"], self.fields["contract"]
        else:
            del self.fields["customer_number"]
            self.fields["person"].queryset = customer.persons.usable()
            self.fields["contract"].queryset = Contract.objects.filter(
                customer=customer
            ).order_by("number")
        if task is None:
            del self.fields["version"]

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

    def task_fields(self) -> dict:
        """The keyword arguments of task_create / task_update."""
        data = self.cleaned_data
        fields = {
            name: data.get(name)
            for name in ("title", "due_on", "due_at", "assignee", "priority")
        }
        fields["person"] = data.get("person")
        fields["contract"] = data.get("contract")
        return fields

    def add_errors(self, error) -> None:
        """A service's ValidationError next to its fields."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class TaskFilterForm(forms.Form):
    """Filters of the task list (GET; ids and codes only, no personal data)."""

    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("open")), ("done", _("done")), ("all", _("all"))],
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("any day")),
            ("overdue", _("overdue")),
            ("today", _("today")),
            ("week", _("this week")),
        ],
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        from service.models import Priority

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["priority"].choices = [("", _("any")), *Priority.choices]
        members = [(str(u.pk), str(u)) for u in members_of(user.company_id)]
        self.fields["assignee"].choices = [
            ("", _("everyone")),
            ("me", _("me")),
            *members,
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "open"}
        data = dict(self.cleaned_data)
        if data["assignee"] == "me":
            data["assignee"] = self.user.pk
        elif data["assignee"]:
            data["assignee"] = int(data["assignee"])
        return data
