"""Database engine settings that SQLAlchemy does not apply by itself."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

_configured = False
# Requests that only read, by HTTP's rules (RFC 9110 "safe methods").
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # sqlite3's own transaction control is switched off: it would emit a deferred BEGIN only
    # before the first INSERT/UPDATE/DELETE, leaving SELECTs and DDL outside the transaction.
    # _sqlite_begin decides how each transaction begins (SQLAlchemy's recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work during a write;
    # the busy timeout makes a writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A larger page cache and memory-mapped reads: SQLite's default 2 MB cache makes queries on a
    # database of a few hundred MB spend half their time in read() calls (bench/, issue 8).
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MB per connection
    cursor.execute("PRAGMA mmap_size=1073741824")  # 1 GB
    cursor.close()


# PostgreSQL's planner costs a page read at random 4 times a sequential one (its default, for
# spinning disks). The tracker's tables fit in memory or sit on SSDs, where both cost about the
# same: at the default, PostgreSQL reads all 50,000 companies of a large agency to join them to
# the 2,000 a search or filter keeps, where looking those up by key is several times faster.
RANDOM_PAGE_COST = 1.1


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
    dbapi_connection.commit()  # a setting made in a transaction rolled back would be undone


def _sqlite_begin(connection: sa.Connection) -> None:
    """Start each SQLite transaction so that no write fails with "database is locked".

    A deferred transaction that has read and then wants to write must upgrade its lock, and
    SQLite refuses that at once when another connection holds the write lock or has committed
    since the read: the busy timeout does not apply, since waiting could deadlock. So a
    transaction takes the write lock up front with BEGIN IMMEDIATE, waiting for it (up to the
    busy timeout) before its first statement; writers queue instead of failing.

    Pages that only read (GET, HEAD, OPTIONS requests) would then queue behind every writer
    and behind each other, so they read without a transaction, each statement on the latest
    commit, as sqlite3 did by default; should one of them write, sqlite3 issues the BEGIN
    IMMEDIATE just before its first INSERT, UPDATE or DELETE, when no read lock is held.
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    if has_request_context() and request.method in READING_METHODS:
        dbapi_connection.isolation_level = "IMMEDIATE"
        return
    dbapi_connection.isolation_level = None
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engine_events() -> None:
    """Install the SQLite connection pragmas and transaction start, and the PostgreSQL planner
    setting, once per process."""
    global _configured
    if not _configured:
        sa.event.listen(sa.Engine, "connect", _sqlite_pragmas)
        sa.event.listen(sa.Engine, "connect", _postgresql_settings)
        sa.event.listen(sa.Engine, "begin", _sqlite_begin)
        _configured = True
