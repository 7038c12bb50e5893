"""Forms of the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from tracker.auth.forms import PASSWORD_HELP, PasswordPolicy
from tracker.common.forms import MultiCheckboxField
from tracker.common.versions import VersionField
from tracker.models import InstrumentKind, Role

# The one password policy (length, common passwords, name and e-mail), shown under the field.
PASSWORD_POLICY = [PasswordPolicy()]


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=Role.choices(), validators=[DataRequired()])
    clusters = MultiCheckboxField(_l("Clusters"), coerce=int)
    active = BooleanField(_l("Active (can sign in)"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), *PASSWORD_POLICY],
        description=PASSWORD_HELP,
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
    )
    version = VersionField()
    submit = SubmitField(_l("Save user"))


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), *PASSWORD_POLICY],
        description=PASSWORD_HELP,
    )
    version = None  # a new user has none yet
    submit = SubmitField(_l("Create user"))


class ClusterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    version = VersionField()
    submit = SubmitField(_l("Save cluster"))


class NewClusterForm(ClusterForm):
    slug = StringField(
        _l("Slug"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lower-case words joined by hyphens; it never changes."),
    )
    version = None
    submit = SubmitField(_l("Create cluster"))


def _slug_field() -> StringField:
    return StringField(
        _l("Slug"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lower-case words joined by hyphens; it never changes."),
    )


class NeedCategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    position = IntegerField(
        _l("Position"),
        validators=[InputRequired(), NumberRange(min=0, max=9999)],
        description=_l("Lists show the categories in this order, lowest first."),
    )
    active = BooleanField(_l("Active (offered for new needs)"), default=True)
    version = VersionField()
    submit = SubmitField(_l("Save category"))


class NewNeedCategoryForm(NeedCategoryForm):
    slug = _slug_field()
    position = IntegerField(
        _l("Position"),
        validators=[Optional(), NumberRange(min=0, max=9999)],
        description=_l("Lists show the categories in this order; leave empty to put it last."),
    )
    active = None  # a new category is active
    version = None
    submit = SubmitField(_l("Create category"))


class InstrumentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    provider = StringField(
        _l("Provider"),
        validators=[Length(max=160)],
        description=_l("The ministry, agency, bank or partner that runs it."),
    )
    kind = SelectField(_l("Kind"), choices=InstrumentKind.choices(), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    active_from = DateField(_l("Active from"), validators=[Optional()])
    active_to = DateField(
        _l("Active to"),
        validators=[Optional()],
        description=_l("Leave empty while the instrument has no end date."),
    )
    version = VersionField()
    submit = SubmitField(_l("Save instrument"))


class NewInstrumentForm(InstrumentForm):
    version = None
    submit = SubmitField(_l("Create instrument"))


class MarketForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Active (offered for companies)"), default=True)
    version = VersionField()
    submit = SubmitField(_l("Save market"))


class NewMarketForm(MarketForm):
    slug = _slug_field()
    active = None  # a new market is active
    version = None
    submit = SubmitField(_l("Create market"))


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with its CSRF token."""
