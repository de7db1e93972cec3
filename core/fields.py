"""Model fields stored encrypted (core.crypto); the Python side sees plain values.

An empty value stays empty (only its emptiness is visible) so that "has no
notes" stays a cheap query. Encrypted columns cannot be searched or compared in
SQL; nothing here needs that.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.db import models
from django.utils.text import capfirst

from core import crypto


class EncryptedTextField(models.TextField):
    """Text, stored as a Fernet token."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt_stored(value)

    def get_prep_value(self, value):
        # Always encrypted: what a user typed is never taken for a token, however
        # it begins (text typed as "gAAAAA..." used to be stored in plain).
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


class EncryptedDateField(models.TextField):
    """A date, stored as a Fernet token of its ISO form; a DateField to forms."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return date.fromisoformat(crypto.decrypt_stored(value))

    def to_python(self, value):
        if value in (None, "") or isinstance(value, date):
            return value or None
        return date.fromisoformat(str(value))

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.encrypt(value.isoformat())

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.isoformat() if value else ""

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        return forms.DateField(**defaults)
