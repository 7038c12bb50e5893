"""Forms of the report pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.common.errors import ValidationError as RefusedError
from tracker.common.versions import VersionField
from tracker.i18n import DEFAULT_LOCALE, LANGUAGES
from tracker.models import ReportEdition
from tracker.reports.services import SUMMARY_MAX, checked_month

ALL_CLUSTERS = "all"


class GenerateReportForm(FlaskForm):
    month = StringField(
        _l("Month"),
        validators=[DataRequired(message=_l("Choose the month the report covers."))],
        description=_l("Year and month, like 2026-10."),
        render_kw={"type": "month", "placeholder": _l("YYYY-MM"), "pattern": r"\d{4}-\d{2}"},
    )
    scope = SelectField(_l("Scope"), validators=[DataRequired()])
    edition = SelectField(
        _l("Edition"),
        choices=[
            SelectChoice(ReportEdition.MINISTRY.value, _l("Ministry (no company named)")),
            SelectChoice(ReportEdition.INTERNAL.value, _l("Internal (lists companies at risk)")),
        ],
        default=ReportEdition.MINISTRY.value,
        validators=[DataRequired()],
    )
    # Each language named in itself (and marked as such for screen readers), as in the account
    # page's language menu; the view preselects the user's own.
    language = SelectField(
        _l("Language of the report"),
        choices=[
            SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()
        ],
        default=DEFAULT_LOCALE,
        validators=[DataRequired()],
        description=_l("Its text, dates and numbers. The figures are the same in every language."),
    )
    submit = SubmitField(_l("Generate draft"))

    def validate_month(self, field: StringField) -> None:
        try:
            field.data = checked_month(field.data or "")
        except RefusedError as error:
            raise ValidationError(str(error)) from error


class SummaryForm(FlaskForm):
    summary = TextAreaField(
        _l("Text of the executive summary"),
        validators=[Length(max=SUMMARY_MAX)],
        description=_l(
            "Plain text for the ministry: what moved this month and why. "
            "Leave a blank line between paragraphs."
        ),
        render_kw={"rows": 8},
    )
    version = VersionField()
    submit = SubmitField(_l("Save summary"))
