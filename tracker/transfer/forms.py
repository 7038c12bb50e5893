"""Forms of the import pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

KIND_CHOICES = [
    SelectChoice(value="companies", label=_l("Companies")),
    SelectChoice(value="interactions", label=_l("Contact history (one row per interaction)")),
]


class UploadForm(FlaskForm):
    kind = RadioField(
        _l("The file holds"),
        choices=KIND_CHOICES,
        default="companies",
        validators=[InputRequired()],
    )
    file = FileField(
        _l("CSV or Excel file"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l(
            "CSV (UTF-8 or Windows-1252, commas or semicolons) or an Excel workbook (.xlsx), "
            "first sheet. Nothing is saved before you confirm."
        ),
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """Confirm an import previewed under a fingerprint of what it would write."""

    fingerprint = HiddenField()
