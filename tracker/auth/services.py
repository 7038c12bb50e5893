"""Signing in and out."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.auth.passwords import burn_verification, hash_password, needs_rehash, verify_password
from tracker.extensions import db
from tracker.models import User
from tracker.models.base import utcnow


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None, taking the same time either way."""
    user = find_user_by_email(email)
    if user is None:
        burn_verification()
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    values = {"last_login_at": utcnow()}
    if needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    # Signing in is not an edit of the account: a bulk UPDATE leaves its version alone, so an
    # admin editing the account meanwhile is not refused, and two sign-ins at once don't race.
    db.session.execute(sa.update(User).where(User.id == user.id).values(**values))
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user."""
    user.rotate_session_token()
    db.session.flush()
