"""Assertions shared by test modules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        # Transaction control (SQLite's BEGIN IMMEDIATE, tracker/database.py) is not a query.
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def form_version(html: str, name: str = "version") -> str:
    """The value of the hidden version field `name` on a page (tracker.common.versions)."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag:
            match = re.search(r'value="(\d*)"', tag)
            if match:
                return match.group(1)
    raise AssertionError(f"no hidden field {name} on the page")
