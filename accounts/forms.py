from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts import selectors, services
from accounts.models import Company, Team, User
from accounts.roles import Role
from core.clientip import client_ip
from core.forms import add_version_field


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form; beyond the hourly limits it sends nothing (same page)."""

    def save(self, *, request, **kwargs) -> None:
        if services.password_reset_permitted(
            email=self.cleaned_data["email"], address=client_ip(request)
        ):
            super().save(request=request, **kwargs)


class SecondFactorForm(forms.Form):
    """The second step: a code of the authenticator app or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code of your authenticator app, or a recovery code."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class TotpAddForm(forms.Form):
    """A new authenticator app: its name and the first code it shows."""

    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        required=False,
        help_text=_("So that you can tell your factors apart, e.g. “Phone”."),
    )
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


LOGO_MAX_BYTES = 1024 * 1024

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class CompanyForm(forms.ModelForm):
    """The company's settings, as its Admin keeps them (accounts.services)."""

    business_days = forms.TypedMultipleChoiceField(
        label=_("business days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Company
        fields = [
            "legal_form", "address", "letterhead", "logo", "email", "country", "land",
            "supervisory_authority", "data_review_months", "business_hours_start",
            "business_hours_end", "business_days", "currency",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "letterhead": forms.Textarea(attrs={"rows": 2}),
            "supervisory_authority": forms.Textarea(attrs={"rows": 2}),
            "business_hours_start": forms.TimeInput(attrs={"type": "time"}),
            "business_hours_end": forms.TimeInput(attrs={"type": "time"}),
            "land": forms.TextInput(attrs={"maxlength": 3, "size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self)

    def clean(self):
        cleaned = super().clean()
        # The service's rules, next to their fields (a field with an error is
        # then left out of the model's check constraints, asked again otherwise).
        valid = {
            k: v for k, v in cleaned.items() if k in self.fields and k != "version"
        }
        for name, message in services.company_settings_errors(
            self.instance, valid
        ).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def clean_logo(self):
        """A PNG or JPEG of at most 1 MB, recognized by its first bytes."""
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):
            return logo  # unchanged (or cleared)
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may have at most 1 MB."))
        head = logo.read(8)
        logo.seek(0)
        if not head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        return logo

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CommitmentForm(forms.Form):
    """A new version of the confidentiality commitment."""

    text = forms.CharField(
        label=_("wording"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Everyone of the company accepts the new version before their next page."
        ),
    )


class UserForm(forms.Form):
    """A user of the company as its Admin keeps them (accounts.services): a new
    one (with username, invited by e-mail) or an existing one (with `version`
    and whether the account is active)."""

    username = User._meta.get_field("username").formfield()
    first_name = User._meta.get_field("first_name").formfield()
    last_name = User._meta.get_field("last_name").formfield()
    email = User._meta.get_field("email").formfield()
    language = User._meta.get_field("language").formfield()
    roles = forms.MultipleChoiceField(
        label=_("Roles in this company"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A disabled user cannot sign in; their sessions end at once."),
    )

    def __init__(self, *args, company_id: int, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["teams"].queryset = Team.objects.of_company(company_id)
        if user is None:
            del self.fields["is_active"]
            self.fields["email"].required = True
        else:
            del self.fields["username"]
            add_version_field(self, user.version)

    def clean_username(self) -> str:
        # The model field's validators (letters, digits and @.+-_ only): a
        # plain form does not run them by itself.
        username = self.cleaned_data["username"]
        User._meta.get_field("username").run_validators(username)
        return username

    def service_fields(self) -> dict:
        names = services.USER_FIELDS | ({"username"} if self.user is None else set())
        return {k: v for k, v in self.cleaned_data.items() if k in names}


class TeamForm(forms.Form):
    """A team of the company: name, manager, members."""

    name = forms.CharField(label=_("name"), max_length=100)
    manager = forms.ModelChoiceField(
        label=_("manager"), queryset=User.objects.none(), required=False
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, company_id: int, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members = selectors.company_members(company_id).order_by("username")
        self.fields["manager"].queryset = members
        self.fields["members"].queryset = members
        if team is not None:
            add_version_field(self, team.version)
