"""The "My account" form: what a user may change about themselves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.auth.forms import PASSWORD_HELP, PasswordPolicy
from tracker.common.versions import VersionField
from tracker.i18n import LANGUAGES

# "" is no choice of one's own: pages follow the browser's languages (users.locale is NULL).
BROWSER_DEFAULT = ""


def language_choices() -> list[SelectChoice]:
    """ "Browser default", then every language named in itself (it is not translated)."""
    return [
        SelectChoice(BROWSER_DEFAULT, _l("Browser default")),
        *(SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()),
    ]


class AccountForm(FlaskForm):
    """Profile fields (named in services.PROFILE_FIELDS, shown in that order), then the password.

    A new preference, such as the language, is one field here and its name in PROFILE_FIELDS.
    """

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(
        _l("Language"),
        choices=language_choices(),
        description=_l(
            "The language of your pages. Browser default follows your browser's settings."
        ),
    )
    current_password = PasswordField(
        _l("Current password"),
        validators=[Length(max=256)],
        description=_l("Needed only to set a new password."),
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), PasswordPolicy()],
        description=PASSWORD_HELP,
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    version = VersionField()
    submit = SubmitField(_l("Save changes"))

    def __init__(self, *args: object, user_email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.locale.data is None:  # the user follows the browser: that option is selected
            self.locale.data = BROWSER_DEFAULT
        # For PasswordPolicy: the form has no e-mail field, the user cannot change it here.
        self.user_email = user_email
