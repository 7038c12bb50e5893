"""Sign-in enforcement, session loading and security headers for every response."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

from tracker.extensions import db, login_manager
from tracker.models import User

# Endpoints a signed-out visitor may reach; everything else redirects to the sign-in page.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "main.healthz",
        "static",
        "bootstrap.static",
        "followups.calendar_feed",  # opened by its secret token: calendar clients cannot sign in
    }
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The user whose current session token this is, if they are still active."""
    user = db.session.execute(
        db.select(User).where(User.session_token == session_token)
    ).scalar_one_or_none()
    if user is None or not user.active:
        return None
    return user


def require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint not in ("static", "bootstrap.static"):
        # Private pages must not stay in a shared or back-button cache.
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("PRODUCTION"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(require_login)
    app.after_request(set_security_headers)
