"""Sign-in enforcement, idle expiry, the rate-limit storage check and security headers."""

from __future__ import annotations

import re
import time

import click
from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from limits.storage import storage_from_string
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

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
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})

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

# The session key holding the time (seconds since the epoch) of the user's last request.
LAST_SEEN = "last_seen"


def now() -> float:
    """The clock of idle expiry; tests move it."""
    return time.time()


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The user whose current session token this is, if they are still active."""
    user = db.session.execute(
        db.select(User).where(User.session_token == session_token)
    ).scalar_one_or_none()
    if user is None or not user.active:
        return None
    return user


def expire_idle_session() -> Response | None:
    """Sign out a user whose last request is older than SESSION_IDLE_MINUTES; else note this one.

    Nothing of the expired request runs: a form posted after the expiry is not saved.
    """
    minutes = current_app.config.get("SESSION_IDLE_MINUTES") or 0
    if minutes <= 0 or request.endpoint in STATIC_ENDPOINTS:
        return None  # static files leave the session cookie as it is
    if not current_user.is_authenticated:
        return None
    moment = now()
    last_seen = session.get(LAST_SEEN)
    if isinstance(last_seen, int | float) and moment - last_seen > minutes * 60:
        # Clear first: logout_user then marks the remember-me cookie for deletion.
        session.clear()
        logout_user()
        flash(
            _("You were signed out after %(n)d minutes without activity.", n=minutes),
            "info",
        )
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=back))
    # Writing the cookie once a minute at most is precise enough for an idle limit in minutes.
    if not isinstance(last_seen, int | float) or moment - last_seen >= min(60, minutes * 6):
        session[LAST_SEEN] = int(moment)
    return None


def require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def strip_nul_characters() -> None:
    """Drop NUL characters from query arguments and form fields before any view reads them.

    Nobody types one, PostgreSQL text cannot hold one (a query or a save with it fails), and a
    pasted one is invisible: removing it is what the user would expect.
    """
    for name in ("args", "form"):
        values = getattr(request, name)
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            cleaned = ImmutableMultiDict(
                (key.replace("\x00", ""), value.replace("\x00", ""))
                for key, value in values.items(multi=True)
            )
            setattr(request, name, cleaned)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint not in STATIC_ENDPOINTS:
        # Private pages must not stay in a shared or back-button cache.
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("PRODUCTION"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


class RateLimitStorageUnavailable(RuntimeError):
    """The shared storage of the sign-in limits does not answer: the web app does not start."""


def _shown(uri: str) -> str:
    """The URI without its password, for a log line."""
    return re.sub(r"//[^@/]*@", "//***@", uri)


def check_rate_limit_storage(app: Flask) -> None:
    """Refuse to serve requests when a shared rate-limit storage (Redis) does not answer.

    A web server (gunicorn) gets RateLimitStorageUnavailable and one clear log line, at start-up,
    instead of an error on every sign-in. A `flask` command only logs a warning: commands do not
    sign anyone in, and backups or migrations must not depend on Redis being up. An outage after
    start-up falls back to per-process memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
    """
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if not app.config.get("RATELIMIT_ENABLED", True) or uri.startswith("memory://"):
        return
    reason = ""
    try:
        storage = storage_from_string(uri, **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))
        answered = storage.check()
    except Exception as error:  # a bad scheme, a missing driver: the same start-up failure
        answered, reason = False, f" ({error})"
    if answered:
        return
    message = (
        f"The rate-limit storage {_shown(uri)} (RATELIMIT_STORAGE_URI) does not answer{reason}. "
        "Start it, or correct RATELIMIT_STORAGE_URI (memory:// for a single process)."
    )
    if click.get_current_context(silent=True) is not None:
        app.logger.warning("%s The command goes on; the web app would not start.", message)
        return
    app.logger.critical(message)
    raise RateLimitStorageUnavailable(message)


def init_app(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        # The client's address (rate limits per address) and HTTPS as the proxy saw them; the
        # headers are believed only from that many proxies, so a client cannot forge its address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    login_manager.login_view = "auth.login"
    # Flask-Login flashes the message through localize_callback: in the visitor's language.
    login_manager.login_message = _l("Please sign in to continue.")  # type: ignore[assignment]
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(expire_idle_session)
    app.before_request(require_login)
    app.before_request(strip_nul_characters)
    app.after_request(set_security_headers)
