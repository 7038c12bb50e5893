"""Forms of the GDPR pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from tracker.companies.forms import PersonForm


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that this person's data will be erased for good and cannot be restored"),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )
    submit = SubmitField(_l("Erase this person's data"))


class NewPersonForm(PersonForm):
    """The new contact form, with the answer to the warning about an erased person."""

    confirm_erased = BooleanField(_l("The person agreed: create the contact anyway"))
