"""What the form macros need to tie errors to their fields (WCAG 3.3.1, 4.1.2): each field's
aria attributes, and the list of a form's errors for the summary shown after a failed submit."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import Field, Form
from wtforms.fields import FieldList, FormField

# Fields with nothing to fill in: their errors (e.g. an expired CSRF token) have no field to
# link to, and are listed as plain text.
_NOT_FILLED = {"HiddenField", "CSRFTokenField", "SubmitField"}


def field_aria(field: Field) -> dict[str, str]:
    """aria-describedby (help text, then each error, by the ids the `field` macro gives them)
    and aria-invalid for a field that has errors."""
    ids = []
    if field.description:
        ids.append(f"{field.id}-help")
    ids.extend(f"{field.id}-error-{n}" for n in range(1, len(field.errors) + 1))
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def form_errors(form: Form | None) -> list[tuple[str | None, str, str]]:
    """(id of the field to go to or None, its label, the message) of every error in `form`,
    in the order of the form, rows of repeated sections included."""
    found: list[tuple[str | None, str, str]] = []
    if form is None:
        return found

    def walk(fields, prefix: str = "") -> None:
        for field in fields:
            if isinstance(field, FieldList):
                # Errors of the section itself (e.g. "give at least one"), not of a row: the
                # link goes to the section (its rows' box, `<name>-rows`, in the row macros).
                for message in field.errors:
                    if isinstance(message, str):
                        found.append((f"{field.id}-rows", str(field.label.text), message))
                for number, entry in enumerate(field.entries, start=1):
                    row = _("%(section)s, row %(number)d", section=field.label.text, number=number)
                    walk([entry], prefix=row)
            elif isinstance(field, FormField):
                nested = [f for f in field.form]
                row = prefix or field.label.text
                before = len(found)
                walk(nested, prefix=row)
                if len(found) == before and isinstance(field.errors, dict) and field.errors:
                    found.append((None, row, "; ".join(_flat(field.errors))))
            else:
                errors = field.errors if isinstance(field.errors, list | tuple) else []
                for message in errors:
                    if field.type in _NOT_FILLED:
                        found.append((None, "", str(message)))
                    else:
                        label = str(field.label.text)
                        if prefix:
                            label = _("%(row)s: %(field)s", row=prefix, field=label)
                        found.append((field.id, label, str(message)))

    walk(form)
    return found


def _flat(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _flat(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _flat(value)]
    return [str(errors)]
