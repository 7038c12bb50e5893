"""Password hashing with argon2id, and the password policy."""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# Letters and digits a password must keep once the user's name and e-mail are taken out of it.
MIN_REST_LENGTH = 8

_strong = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Only for the test suite, where hundreds of hashes would otherwise take minutes.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _fast
    return _strong


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# Spent on unknown e-mails too, so that response time does not reveal which accounts exist.
_DUMMY_HASH = _strong.hash("not-a-real-password-but-the-same-cost")


def burn_verification() -> None:
    verify_password(_fast.hash("x") if _hasher() is _fast else _DUMMY_HASH, "wrong password")


@functools.cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's 30,000 most common passwords, lower-cased; loaded once, on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _personal_words(email: str, name: str) -> list[str]:
    """The e-mail's local part and the name, whole and word by word, longest first."""
    local = email.strip().split("@", 1)[0]
    words = [local, name, *re.split(r"[\s._+\-']+", f"{local} {name}")]
    found = {w for w in map(_letters_and_digits, words) if len(w) >= 3}
    return sorted(found, key=len, reverse=True)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is not acceptable for the user with this e-mail and name, or None.

    The one password policy: every path that sets a password (the `users create` command, the
    admin's user form, the user's own account page) calls it.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    if len(set(password)) < 4:
        return _("Use a less repetitive password.")
    flat = _letters_and_digits(password)
    common = common_passwords()
    if password.strip().lower() in common or flat in common:
        return _("This password is in a list of common passwords; choose another one.")
    # A name or e-mail adds nothing an attacker does not know: what is left must stand on its own.
    rest = flat
    for word in _personal_words(email, name):
        rest = rest.replace(word, "")
    if rest != flat and (len(rest) < MIN_REST_LENGTH or rest in common):
        return _("Do not build your password on your name or e-mail address.")
    return None
