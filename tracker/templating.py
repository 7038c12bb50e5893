"""Jinja filters and globals; the language machinery itself is in tracker.i18n."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from tracker import dates
from tracker.auth.access import MANAGERS, STAFF
from tracker.i18n import (
    LANGUAGES,
    current_language,
    format_clock,
    format_day,
    format_moment,
    format_money,
    format_number,
    format_percent,
    format_short_day,
    relative_day,
    select_locale,
)
from tracker.models import Role
from tracker.support.forms import options_html

# Re-exported: views and the app factory import these from here.
__all__ = ["format_day", "format_moment", "init_app", "nav_items", "relative_day", "select_locale"]

# (endpoint, label, icon, roles that see it); an entry shows once its endpoint exists.
# Labels are lazy: the list is built at import, each page shows it in its own language.
NAVIGATION = [
    ("main.dashboard", _l("Dashboard"), "house", tuple(Role)),
    ("companies.index", _l("Companies"), "buildings", STAFF),
    ("interactions.new", _l("Log a contact"), "plus-circle", STAFF),
    ("followups.index", _l("Follow-ups"), "check2-square", STAFF),
    ("events.index", _l("Events"), "calendar-event", STAFF),
    ("pipeline.index", _l("Pipeline"), "kanban", STAFF),
    ("reports.index", _l("Reports"), "file-earmark-bar-graph", tuple(Role)),
    ("transfer.exports", _l("Import & export"), "arrow-left-right", STAFF),
    ("gdpr.retention", _l("Data retention"), "hourglass-split", MANAGERS),
    ("admin.index", _l("Admin"), "gear", (Role.ADMIN,)),
]


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, label, icon) of the navigation the signed-in user's role gives."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [
        (endpoint, str(label), icon)
        for endpoint, label, icon, roles in NAVIGATION
        if current_user.role in roles and endpoint in views
    ]


def staff_options(people: Iterable[Any], selected: Any = None, me: int | None = None) -> Markup:
    """The <option>s of people (anything with an id and a name), `selected` marked, the user
    `me` (if given) labelled as such: one pass in Python, where a Jinja loop over hundreds of
    staff costs many times more."""
    word = gettext("me")  # outside the f-string: message extraction reads calls only
    me_label = f" ({word})"
    return options_html(
        (
            (person.id, person.name + me_label if person.id == me else person.name)
            for person in people
        ),
        selected,
    )


def init_app(app: Flask) -> None:
    """Filters that format by the page's locale (see tracker.i18n) and the globals of base.html."""
    app.jinja_env.filters["day"] = format_day  # 27 Nov 2026 · 27 nov. 2026 · 27.11.2026
    app.jinja_env.filters["short_day"] = format_short_day  # 27/11/2026 · 27.11.2026
    app.jinja_env.filters["moment"] = format_moment  # 27 Nov 2026, 14:05
    app.jinja_env.filters["clock"] = format_clock  # 14:05
    app.jinja_env.filters["number"] = format_number  # 1,234.5 · 1 234,5 · 1.234,5
    app.jinja_env.filters["money"] = format_money  # €1,234.50 · 1 234,50 € · 1.234,50 €
    app.jinja_env.filters["percent"] = format_percent  # 12.5% · 12,5 %
    app.jinja_env.filters["relative_day"] = relative_day
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES  # each language named in itself
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["staff_options"] = staff_options
    app.jinja_env.globals["options_html"] = options_html
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["today"] = dates.today
