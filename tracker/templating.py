"""Jinja filters, globals and the locale choice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, current_app
from flask_babel import format_date, format_datetime
from flask_login import current_user

from tracker import dates
from tracker.auth.access import MANAGERS, STAFF
from tracker.dates import AGENCY_TZ
from tracker.models import Role


def select_locale() -> str:
    """English until the French and German catalogues exist (issue 9)."""
    return "en"


def format_day(value: date | datetime | None) -> str:
    """`27 Nov 2026`; an empty string for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(AGENCY_TZ).date()
    return format_date(value, "d MMM y")


def format_moment(value: datetime | None) -> str:
    """`27 Nov 2026, 14:05` in Luxembourg time; a naive value (SQLite) is taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # Flask-Babel converts to BABEL_DEFAULT_TIMEZONE (the agency's zone, see config.py).
    return format_datetime(value, "d MMM y, HH:mm")


def relative_day(value: date | None) -> str:
    """`today`, `in 3 days`, `3 days overdue`."""
    if value is None:
        return ""
    delta = (value - dates.today()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "1 day overdue"
    if delta < 0:
        return f"{-delta} days overdue"
    return f"in {delta} days"


# (endpoint, label, icon, roles that see it); an entry shows once its endpoint exists.
NAVIGATION = [
    ("main.dashboard", "Dashboard", "house", tuple(Role)),
    ("companies.index", "Companies", "buildings", STAFF),
    ("interactions.new", "Log a contact", "plus-circle", STAFF),
    ("followups.index", "Follow-ups", "check2-square", STAFF),
    ("events.index", "Events", "calendar-event", STAFF),
    ("pipeline.index", "Pipeline", "kanban", STAFF),
    ("reports.index", "Reports", "file-earmark-bar-graph", tuple(Role)),
    ("transfer.exports", "Import & export", "arrow-left-right", STAFF),
    ("gdpr.retention", "Data retention", "hourglass-split", MANAGERS),
    ("admin.index", "Admin", "gear", (Role.ADMIN,)),
]


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, label, icon) of the navigation the signed-in user's role gives."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [
        (endpoint, label, icon)
        for endpoint, label, icon, roles in NAVIGATION
        if current_user.role in roles and endpoint in views
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["relative_day"] = relative_day
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["today"] = dates.today
