"""Error pages that say what happened and leak nothing."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.common.errors import NotAllowed
from tracker.extensions import db

# Lazy: each error page is shown in the language of the request that failed.
MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Access denied"), _l("Your role does not give access to this page.")),
    404: (
        _l("Page not found"),
        _l("There is nothing at this address. It may have been moved or archived."),
    ),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (
        _l("Saved by someone else"),
        _l(
            "Someone else saved this record at the same moment. Nothing of yours was saved: "
            "go back, reload the page and make your change again."
        ),
    ),
    413: (_l("File too large"), _l("The file is larger than the server accepts.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The error has been logged. Nothing was saved; please try again."),
    ),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    known = MESSAGES.get(code)
    title = str(known[0]) if known else _("Error %(code)d", code=code)
    message = str(known[1]) if known else ""
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "status": code}, code  # type: ignore[return-value]
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
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
