"""A user's changes to their own account."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from tracker import audit
from tracker.auth.passwords import hash_password, password_problem, verify_password
from tracker.common.errors import ValidationError
from tracker.common.versions import UNCHECKED, check_version
from tracker.i18n import LANGUAGES
from tracker.models import User

# What a user may change about themselves besides the password; audited field by field.
PROFILE_FIELDS = ["name", "locale"]
# The audit trail never holds a password hash, only that it changed.
PASSWORD_CHANGED = ["(changed)", "(changed)"]


def update_account(
    user: User,
    *,
    profile: dict[str, Any],
    current_password: str = "",
    new_password: str = "",
    version: Any = UNCHECKED,
) -> dict[str, list[Any]]:
    """Apply the user's own changes; a new password needs the current one and ends other sessions.

    Returns the audited changes (empty when nothing changed). The caller signs the user in again
    with the rotated session token, so that this session goes on.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")  # a bug, not input
    # An admin may have changed the account meanwhile (signing in also writes the row: no edit).
    check_version(user, version, _("account"), unaudited_ok=True)
    name = str(profile.get("name", user.name)).strip()
    if not name:
        raise ValidationError(_("Enter your name."), "name")
    # "" or None: follow the browser; else one of the languages the app speaks.
    locale = profile.get("locale", user.locale) or None
    if locale is not None and locale not in LANGUAGES:
        raise ValidationError(_("Choose a language from the list."), "locale")
    if new_password:
        if not current_password or not verify_password(user.password_hash, current_password):
            raise ValidationError(_("The current password is not right."), "current_password")
        problem = password_problem(new_password, email=user.email, name=name)
        if problem:
            raise ValidationError(problem, "new_password")
    before = audit.snapshot(user, PROFILE_FIELDS)
    user.name = name
    user.locale = locale
    changes = audit.diff(before, audit.snapshot(user, PROFILE_FIELDS))
    if new_password:
        user.password_hash = hash_password(new_password)
        user.rotate_session_token()
        changes["password"] = list(PASSWORD_CHANGED)
    if changes:
        audit.record(user, "update", user, changes)
    return changes
