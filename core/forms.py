"""Form rendering for the whole site: Bootstrap classes, errors next to each field."""

from django import forms
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting


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
