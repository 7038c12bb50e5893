"""Archived contacts are left out of every read, unless a statement asks for them.

An archived interaction and the health check taken at it stay in the database, restorable, but
no page, figure, export or count may show them. Rather than a condition in each of the many
queries (and in every query written later), one `do_orm_execute` hook adds
`archived IS false` for both models to every ORM SELECT: in its FROM list, its joins, its
subqueries and the relationship loads of the objects it returns (SQLAlchemy's
`with_loader_criteria`). A statement that must see archived rows (the archived list, the
detail page, restore, purge, history) says so::

    db.session.scalars(select(Interaction).execution_options(include_archived=True))

or, for every read in a block (a paginated list, whose count query is built by Flask-SQLAlchemy)::

    with archived_included():
        page = db.paginate(select(Interaction).where(Interaction.archived.is_(True)))

Statements that do not pass through the ORM session (`text()`, `engine.connect()`, a bare
`Table`) are not filtered: there are none for these two tables; a new one must filter itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from tracker.extensions import db
from tracker.models import HealthCheck, Interaction

INCLUDE_ARCHIVED = "include_archived"


def _hide_archived(state: ORMExecuteState) -> None:
    if (
        not state.is_select
        # Refreshing an object already loaded, or a lazy load of its relationships: the
        # criteria of the statement that loaded it already propagate to those.
        or state.is_column_load
        or state.is_relationship_load
        or state.execution_options.get(INCLUDE_ARCHIVED, False)
        or state.session.info.get(INCLUDE_ARCHIVED, False)
    ):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            Interaction,
            lambda cls: cls.archived.is_(False),
            include_aliases=True,
            track_closure_variables=False,
        ),
        with_loader_criteria(
            HealthCheck,
            lambda cls: cls.archived.is_(False),
            include_aliases=True,
            track_closure_variables=False,
        ),
    )


@contextmanager
def archived_included() -> Iterator[None]:
    """Within the block, every read of the app's session sees archived contacts too."""
    info = db.session.info
    before = info.get(INCLUDE_ARCHIVED, False)
    info[INCLUDE_ARCHIVED] = True
    try:
        yield
    finally:
        info[INCLUDE_ARCHIVED] = before


def install() -> None:
    """Add the hook to every ORM session, once per process."""
    if not sa.event.contains(Session, "do_orm_execute", _hide_archived):
        sa.event.listen(Session, "do_orm_execute", _hide_archived)


def init_app(app: Flask) -> None:
    """Called by the app factory; the hook is per process, so every app shares it."""
    del app
    install()
