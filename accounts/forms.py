from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

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
