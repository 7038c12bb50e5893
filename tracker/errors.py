"""Error pages that say what happened and leak nothing."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.common.errors import NotAllowed
from tracker.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Access denied", "Your role does not give access to this page."),
    404: (
        "Page not found",
        "There is nothing at this address. It may have been moved or archived.",
    ),
    405: ("Not allowed", "This address does not accept that kind of request."),
    409: (
        "Saved by someone else",
        "Someone else saved this record at the same moment. Nothing of yours was saved: "
        "go back, reload the page and make your change again.",
    ),
    413: ("File too large", "The file is larger than the server accepts."),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
    500: (
        "Something went wrong",
        "The error has been logged. Nothing was saved; please try again.",
    ),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, (f"Error {code}", ""))
    if request.accept_mimetypes.best == "application/json":
        return {"error": _(title), "status": code}, code  # type: ignore[return-value]
    return render_template(
        "errors/error.html", code=code, title=_(title), message=detail or _(message)
    ), code


def handle_http(error: HTTPException) -> tuple[str, int]:
    return _render(error.code or 500)


def handle_csrf(error: CSRFError) -> tuple[str, int]:
    return _render(
        400,
        _("The form had expired or came from another site. Go back, reload it and try again."),
    )


def handle_not_allowed(error: NotAllowed) -> tuple[str, int]:
    db.session.rollback()
    return _render(403, str(error) or None)


def handle_stale(error: StaleDataError) -> tuple[str, int]:
    """Two saves of one record raced past the version check: the later one is refused."""
    db.session.rollback()
    return _render(409)


def handle_unexpected(error: Exception) -> tuple[str, int]:
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(NotAllowed, handle_not_allowed)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(HTTPException, handle_http)
    if not app.debug:
        app.register_error_handler(Exception, handle_unexpected)
