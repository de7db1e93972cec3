"""Form rendering for the whole site: Bootstrap classes, errors next to each field."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from core import formatting


class BootstrapBoundField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        input_type = getattr(widget, "input_type", None)
        if input_type in {"checkbox", "radio"}:
            css = "form-check-input"
        elif input_type == "select":
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        attrs = {**(attrs or {})}
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return super().as_widget(widget=widget, attrs=attrs, only_initial=only_initial)


class BootstrapFormRenderer(TemplatesSetting):
    bound_field_class = BootstrapBoundField
    field_template_name = "core/forms/field.html"


# The browser's own pickers; the value format is what <input type=date> sends.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class MoneyInput(forms.TextInput):
    """A text box (not type=number: the browser's locale would read the separators)."""

    def __init__(self, attrs=None):
        super().__init__(
            {"inputmode": "decimal", "autocomplete": "off", **(attrs or {})}
        )

    def format_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, str):
            return value  # what the user typed, shown back as typed
        return formatting.decimal(value, 2)


class MoneyField(forms.DecimalField):
    """Money typed the reader's way: ``1.234,56`` / ``1234,56`` in German,
    ``1,234.56`` / ``1234.56`` in English; what could mean two things is refused."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Enter an amount such as %(example)s."),
        "ambiguous": _(
            "“%(value)s” can be read in two ways. Write the amount as %(example)s."
        ),
    }

    def __init__(self, *, max_digits: int = 12, decimal_places: int = 2, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def widget_attrs(self, widget):
        return {}  # no min/max/step: those belong to type=number

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        example = formatting.decimal(Decimal("1234.56"), 2)
        try:
            return formatting.parse_decimal(str(value))
        except formatting.AmbiguousNumber:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": value, "example": example},
            ) from None
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"example": example},
            ) from None


def add_version_field(form: forms.BaseForm, version: int | None = None) -> None:
    """Add the hidden `version` the record was opened at (core.versioning): the
    instance's for a model form, else `version`."""
    form.fields["version"] = forms.IntegerField(
        widget=forms.HiddenInput, required=False
    )
    instance = getattr(form, "instance", None)
    if version is None and instance is not None and instance.pk:
        version = instance.version
    form.fields["version"].initial = version
