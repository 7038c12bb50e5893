"""The sign-in form and the password policy as a form validator."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, StopValidation

from tracker.auth.passwords import MIN_PASSWORD_LENGTH, password_problem

PASSWORD_HELP = _l(
    "At least %(n)d characters; not a common password, not built on your name or e-mail.",
    n=MIN_PASSWORD_LENGTH,
)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


def _data_of(form: FlaskForm, name: str) -> str:
    field = form._fields.get(name)
    return (field.data or "") if field is not None else ""


class PasswordPolicy:
    """Checks a new password with `password_problem`; an empty field is left to other validators.

    The user's e-mail and name come from the form's `email` and `name` fields, or else from the
    form's `user_email` / `user_name` attributes, which a view sets for a form without those fields.
    """

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        problem = password_problem(
            field.data,
            email=_data_of(form, "email") or getattr(form, "user_email", ""),
            name=_data_of(form, "name") or getattr(form, "user_name", ""),
        )
        if problem:
            raise StopValidation(problem)
