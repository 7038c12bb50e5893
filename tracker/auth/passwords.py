"""Password hashing with argon2id, and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_PASSWORD_LENGTH = 12

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


def password_problem(password: str) -> str | None:
    """Why this password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    if len(set(password)) < 4:
        return "Use a less repetitive password."
    return None
