"""Forms of the follow-up pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from tracker import dates
from tracker.common.versions import VersionField
from tracker.support.forms import PageForm, optional_int, staff_select

DATE_ERROR = _l("Enter a date, like 2026-11-27.")


def not_in_past(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < dates.today():
        raise ValidationError(_l("Pick today or a later date."))


class ActionForm(PageForm):
    """A button on a follow-up (done, cancel, reopen); `next` is where to go back to."""

    next = HiddenField()
    version = VersionField()


class RescheduleForm(ActionForm):
    due_on = DateField(
        _l("New due date"),
        validators=[InputRequired(DATE_ERROR), not_in_past],
    )


class ReassignForm(ActionForm):
    assignee = staff_select(_l("Assign to"), validators=[InputRequired()])


class FollowUpForm(PageForm):
    title = StringField(
        _l("What is to be done"),
        validators=[DataRequired(_l("Say what is to be done.")), Length(max=200)],
    )
    due_on = DateField(_l("Due on"), validators=[InputRequired(DATE_ERROR), not_in_past])
    assignee = staff_select(_l("Assigned to"), validators=[InputRequired()])
    need = SelectField(
        _l("For the need"),
        coerce=optional_int,
        invalid_choice_message=_l("Choose one of this company's open needs."),
        invalid_value_message=_l("Choose one of this company's open needs."),
    )
    solution = SelectField(
        _l("For the solution"),
        coerce=optional_int,
        invalid_choice_message=_l("Choose one of this company's solutions under way."),
        invalid_value_message=_l("Choose one of this company's solutions under way."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Add the follow-up"))

    def validate_solution(self, field: SelectField) -> None:
        if (
            field.data
            and self.need.data
            and field.data not in self.solutions_by_need.get(self.need.data, ())
        ):
            raise ValidationError(_l("This solution answers another need."))

    # Set by the view: {need id: [solution ids]}.
    solutions_by_need: dict[int, list[int]] = {}
