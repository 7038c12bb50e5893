"""Forms of the event pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.common.forms import MultiCheckboxField
from tracker.common.versions import VersionField
from tracker.models import EventFormat
from tracker.support.forms import PageForm, optional_int


class EventForm(PageForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the event a title.")), Length(max=200)]
    )
    held_on = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter a date, like 2026-11-27."))]
    )
    format = SelectField(_l("Format"), choices=EventFormat.choices())
    cluster = SelectField(
        _l("Cluster"),
        coerce=optional_int,
        invalid_choice_message=_l("Choose a cluster from the list."),
        invalid_value_message=_l("Choose a cluster from the list."),
    )
    partners = TextAreaField(
        _l("Partner organisations"),
        validators=[Length(max=2000)],
        description=_l("One per line, e.g. Materalia."),
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    version = VersionField()
    submit = SubmitField(_l("Save the event"))


class EventFilterForm(PageForm):
    """The filters above the list of events (a GET form, without CSRF)."""

    class Meta:
        csrf = False

    cluster = SelectField(_l("Cluster"), coerce=optional_int, validate_choice=False)
    year = SelectField(_l("Year"), coerce=optional_int, validate_choice=False)


class AddParticipantsForm(PageForm):
    companies = MultiCheckboxField(
        _l("Companies found"),
        coerce=int,
        invalid_choice_message=_l(
            "Choose companies from the search results; archived companies cannot take part."
        ),
        invalid_value_message=_l("Choose companies from the search results."),
    )
    version = VersionField()
    submit = SubmitField(_l("Add the selected companies"))


class ParticipantsForm(PageForm):
    """Who of the participating companies' people took part; a button removes a company."""

    people = MultiCheckboxField(
        _l("People who took part"),
        coerce=int,
        invalid_choice_message=_l("Choose people of the participating companies."),
        invalid_value_message=_l("Choose people of the participating companies."),
    )
    remove = IntegerField(validators=[Optional()])
    version = VersionField()
    submit = SubmitField(_l("Save who took part"))
