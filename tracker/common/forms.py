"""Form pieces shared by every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from tracker.common.errors import ValidationError


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def attach_error(form: FlaskForm, error: ValidationError) -> bool:
    """Show a service's refusal under the field it concerns; False when it names no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, str(error)]
    return True
