from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from core.clientip import client_ip


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
