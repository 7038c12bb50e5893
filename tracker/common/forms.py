"""Form pieces shared by every feature."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.i18n import translations
from wtforms import SelectMultipleField, widgets

from tracker.common.errors import ValidationError


class TranslatedMeta:
    """WTForms' own messages ("Not a valid choice.") in the page's language, as a FlaskForm has
    them: for plain `Form`s, which are sub-forms of a FlaskForm or search forms without CSRF.
    Use it as `Meta = TranslatedMeta` in the form class."""

    def get_translations(self, form: Any) -> Any:
        return translations


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
