"""Django forms built from the declared entry specs (``oncotrial.web.entry``).

A form runs the field validation Django gives (types, required, min/max) and then the entity's
edit checks: errors are attached to their field and refuse the entry; warnings are shown and
need the person to tick "I have checked" before the entry is saved. Editing a record adds a
required "reason for change" (the audit trail keeps it with the change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms

from oncotrial.errors import OncotrialError
from oncotrial.web.entry import EntitySpec, EntryContext, FieldSpec, Issue
from oncotrial.web.entry.base import partial_bounds

__all__ = ["EntryForm", "build_entry_form", "field_schema"]


class EntryForm(forms.Form):
    spec: EntitySpec
    ctx: EntryContext
    field_specs: tuple[FieldSpec, ...]
    editing: bool
    warnings: list[Issue]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.warnings = []
        if self.errors:
            return cleaned
        try:
            issues = self.spec.checks(cleaned, self.ctx)
        except OncotrialError as exc:
            self.add_error(None, str(exc))
            return cleaned
        confirmed = bool(cleaned.get("confirm"))
        for issue in issues:
            if issue.warning:
                self.warnings.append(issue)
            else:
                self.add_error(issue.field if issue.field in self.fields else None, issue.message)
        if self.warnings and not confirmed and not self.errors:
            self.add_error(
                "confirm",
                "Check the warnings above, then tick this box to save the entry as it is.",
            )
        return cleaned

    def rows(self) -> list[tuple[FieldSpec, forms.BoundField]]:
        return [(spec, self[spec.name]) for spec in self.field_specs]


# The attributes of every date box (the templates' hand-written ones carry the same).
ISO_DATE_ATTRS = {
    "type": "text",
    "inputmode": "numeric",
    "placeholder": "YYYY-MM-DD",
    "maxlength": "10",
    "autocomplete": "off",
    "data-date": "",
}


class PartialDateField(forms.CharField):
    """A date that may be partial where SDTM allows it (ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY;
    SDTMIG 3.4 §4.4.2): a complete date cleans to a date, a partial one stays its text."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        if len(text) == 10:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        elif partial_bounds(text) is not None:
            return text
        raise forms.ValidationError(
            "Enter the date as YYYY-MM-DD, or YYYY-MM or YYYY when only the month or the year "
            "is known."
        )


def _django_field(spec: FieldSpec, refresh_url: str | None) -> forms.Field:
    attrs: dict[str, Any] = {}
    if spec.refresh and refresh_url:
        attrs.update(
            {
                "hx-get": refresh_url,
                "hx-trigger": "change",
                "hx-target": "#entry-form",
                "hx-select": "#entry-form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
    common = {"label": spec.label, "required": spec.required, "help_text": ""}
    if spec.kind == "date":
        # ISO 8601 typed as text: a type="date" box shows the browser's locale (mm/dd/yyyy in
        # en-US), while the records, SDTM and every page read yyyy-mm-dd (issue 13 item 11).
        return forms.DateField(
            widget=forms.DateInput(attrs={**attrs, **ISO_DATE_ATTRS}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            **common,
        )
    if spec.kind == "partial-date":
        attrs = {**attrs, **ISO_DATE_ATTRS, "placeholder": "YYYY-MM-DD, YYYY-MM or YYYY"}
        # No max_length validator: it would measure the cleaned date; the box holds 10 characters.
        return PartialDateField(widget=forms.TextInput(attrs=attrs), **common)
    if spec.kind == "number":
        return forms.FloatField(
            widget=forms.NumberInput(attrs={**attrs, "step": "any"}),
            min_value=spec.minimum,
            max_value=spec.maximum,
            **common,
        )
    if spec.kind == "integer":
        return forms.IntegerField(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.kind in {"choice", "grade"}:
        choices = list(spec.choices)
        if not spec.required and not any(value == "" for value, _ in choices):
            choices = [("", "—"), *choices]
        if spec.required and spec.kind == "choice":
            choices = [("", "Choose…"), *choices]
        widget: forms.Widget = (
            forms.RadioSelect(attrs=attrs) if spec.kind == "grade" else forms.Select(attrs=attrs)
        )
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if spec.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs=attrs), max_length=4000, **common)
    if spec.kind == "term":
        attrs.update(
            {
                "autocomplete": "off",
                "list": f"{spec.name}-options",
                "hx-get": "/ctcae/terms/",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{spec.name}-options",
                "hx-swap": "innerHTML",
            }
        )
        return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=200, **common)
    if spec.suggestions:
        attrs.update({"list": f"{spec.name}-options", "autocomplete": "off"})
    return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=200, **common)


def build_entry_form(
    spec: EntitySpec,
    ctx: EntryContext,
    *,
    data: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    editing: bool = False,
    refresh_url: str | None = None,
) -> EntryForm:
    current = dict(initial or {})
    if data is not None:
        current.update({k: data.get(k) for k in data})
    field_specs = spec.fields(ctx, current)
    fields: dict[str, forms.Field] = {s.name: _django_field(s, refresh_url) for s in field_specs}
    if editing:
        fields["reason"] = forms.CharField(
            label="Reason for change",
            max_length=500,
            required=True,
            help_text="Kept in the record's audit trail with your name and the time.",
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
        # The record's revision as this form showed it: a save from an older revision gets the
        # conflict page instead of overwriting (optimistic concurrency, oncotrial.web.conflict).
        fields["revision"] = forms.IntegerField(
            required=False, min_value=1, widget=forms.HiddenInput
        )
    fields["confirm"] = forms.BooleanField(
        label="I have checked the warnings and the entry is right", required=False
    )
    form_class = type(f"{spec.key.title()}Form", (EntryForm,), fields)
    form: EntryForm = form_class(data=data, initial=initial)
    form.spec = spec
    form.ctx = ctx
    form.field_specs = field_specs
    form.editing = editing
    form.warnings = []
    return form


def field_schema(form: EntryForm) -> list[dict[str, Any]]:
    """The form as data (the JSON twin of a form page)."""
    out = []
    for spec, bound in form.rows():
        value = bound.value()
        if isinstance(value, dt.date):
            value = value.isoformat()
        choices = getattr(bound.field, "choices", None)
        out.append(
            {
                "name": spec.name,
                "label": spec.label,
                "kind": spec.kind,
                "required": spec.required,
                "unit": spec.unit,
                "minimum": spec.minimum,
                "maximum": spec.maximum,
                "choices": [list(c) for c in choices] if choices else None,
                "value": value,
                "errors": list(bound.errors),
                "help": spec.help,
            }
        )
    return out
