"""Database engine settings that SQLAlchemy does not apply by itself."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

_configured = False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work during a write;
    # the busy timeout makes a writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engine_events() -> None:
    """Install the SQLite connection pragmas once per process."""
    global _configured
    if not _configured:
        sa.event.listen(sa.Engine, "connect", _sqlite_pragmas)
        _configured = True
