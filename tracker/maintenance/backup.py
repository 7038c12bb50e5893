"""Online backup and restore of the whole database: `flask --app tracker backup OUT`, `restore IN`.

SQLite: the backup API copies one consistent snapshot of the live file while the app keeps
writing (WAL lets it read alongside the writer), into a single self-contained file. PostgreSQL:
`pg_dump --format=custom` in a snapshot exported by a transaction that also counts the rows, so
the counts printed are those of the archive; `pg_restore` puts it back in one transaction.
Either way the backup is written to a temporary file next to OUT and renamed at the end, so a
failed backup never leaves a half file behind.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from psycopg.conninfo import make_conninfo

from tracker.common.cli import OneLineErrors
from tracker.extensions import db

# Tables that every revision of the schema has: a file without them is not one of our backups.
CORE_TABLES = frozenset({"users", "clusters", "companies", "people", "interactions"})
UPGRADE_COMMAND = "flask --app tracker db upgrade"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in one line."""


class ToolFailed(BackupError):
    """pg_dump or pg_restore exited with an error; `reason` is the last line it wrote."""

    def __init__(self, tool: str, reason: str) -> None:
        super().__init__(f"{tool} failed: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Contents:
    """What a database or a backup holds: its schema revision and the rows of each table."""

    revision: str | None
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        width = max((len(name) for name in self.counts), default=0)
        return [f"  {name:<{width}}  {n:>9,}" for name, n in sorted(self.counts.items())]


# Backup


def backup(engine: sa.Engine, out: Path, *, force: bool = False) -> Contents:
    """Write a consistent copy of the database behind `engine` to `out`; returns what it holds."""
    if out.is_dir():
        raise BackupError(f"{out} is a folder: give the path of the backup file to write.")
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist.")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists: choose another name, or add --force.")
    if engine.dialect.name == "sqlite":
        return _backup_sqlite(_sqlite_file(engine.url), out)
    if engine.dialect.name == "postgresql":
        return _backup_postgres(engine, out)
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def _backup_sqlite(source: Path, out: Path) -> Contents:
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    with (
        _written_in_place(out) as part,
        closing(sqlite3.connect(source, timeout=10)) as live,
        closing(sqlite3.connect(part)) as copy,
    ):
        # One step (pages=-1) reads the whole file in one read transaction: a snapshot.
        live.backup(copy)
        # The copy inherits WAL mode from the header; a backup is one file, no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_contents(copy)


def _backup_postgres(engine: sa.Engine, out: Path) -> Contents:
    pg_dump = _client_tool("pg_dump")
    target, env = _libpq_target(engine.url)
    with _connected(engine) as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads the snapshot this transaction exports, which its counts also see.
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            contents = _live_contents(conn)
            with _written_in_place(out) as part:
                _run(
                    [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                     "--file", str(part), target],
                    env,
                )  # fmt: skip
    return contents


# Restore


def inspect_backup(engine: sa.Engine, path: Path) -> Contents:
    """Check that `path` is a backup of this application that this code can restore."""
    if engine.dialect.name == "sqlite":
        contents = _sqlite_backup_contents(path)
    elif engine.dialect.name == "postgresql":
        contents = _postgres_archive_contents(path)
    else:
        raise BackupError(f"Restoring {engine.dialect.name} databases is not supported.")
    if contents.revision is None:
        raise BackupError(f"{path} is not a backup of this application: it has no schema revision.")
    missing = CORE_TABLES - set(contents.counts)
    if missing:
        raise BackupError(
            f"{path} is not a backup of this application: it lacks the tables "
            f"{', '.join(sorted(missing))}."
        )
    head, known = code_revisions()
    if contents.revision not in known:
        raise BackupError(
            f"{path} has schema revision {contents.revision}, newer than this code's {head}: "
            f"restore it with the version of the application that made it."
        )
    return contents


def restore(engine: sa.Engine, path: Path, backup_contents: Contents) -> Contents:
    """Replace the whole database behind `engine` with the backup; returns what it now holds."""
    db.session.remove()
    engine.dispose()  # no pooled connection of ours holds a lock or an old schema
    if engine.dialect.name == "sqlite":
        with (
            closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as saved,
            closing(sqlite3.connect(_sqlite_file(engine.url), timeout=10)) as live,
        ):
            saved.backup(live)
    else:
        _restore_postgres(engine, path, backup_contents)
    engine.dispose()
    with _connected(engine) as conn:
        return _live_contents(conn)


def _restore_postgres(engine: sa.Engine, path: Path, backup_contents: Contents) -> None:
    pg_restore = _client_tool("pg_restore")
    target, env = _libpq_target(engine.url)
    with _connected(engine) as conn, conn.begin():
        # Tables the backup does not have (a newer schema's) would keep the backup's tables
        # from being dropped (their foreign keys) and then clash with `db upgrade`.
        extra = set(sa.inspect(conn).get_table_names()) - set(backup_contents.counts)
        extra.discard("alembic_version")
        for name in sorted(extra):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {_quoted(conn, name)} CASCADE"))
    # Wait at most a minute for locks held by a running app rather than for ever.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout=60000".strip()
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", "--dbname", target, str(path)],
        env,
    )  # fmt: skip


def code_revisions() -> tuple[str, set[str]]:
    """This code's head schema revision and every revision it knows."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head() or ""
    return head, {revision.revision for revision in script.walk_revisions()}


# SQLite helpers


def _sqlite_file(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(url.database)


def _sqlite_contents(conn: sqlite3.Connection) -> Contents:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
    ]
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {}
    for name in names:
        if name != "alembic_version":
            quoted = '"' + name.replace('"', '""') + '"'  # a name from sqlite_master
            counts[name] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
    return Contents(revision, counts)


def _sqlite_backup_contents(path: Path) -> Contents:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as saved:
            check = saved.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{path} is damaged: {check}")
            return _sqlite_contents(saved)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of this application: {error}.") from None


# PostgreSQL helpers

_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ", re.MULTILINE)


def _postgres_archive_contents(path: Path) -> Contents:
    pg_restore = _client_tool("pg_restore")
    env = dict(os.environ)
    try:
        toc = _run([pg_restore, "--list", str(path)], env)
    except ToolFailed as error:
        raise BackupError(f"{path} is not a pg_dump archive: {error.reason}") from None
    tables = {name for _schema, name in _TOC_TABLE.findall(toc)}
    revision = None
    if "alembic_version" in tables:
        data = _run(
            [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], env
        )
        # The table's rows, as COPY data: "COPY ... FROM stdin;", one line per row, "\.".
        values = data.partition("FROM stdin;\n")[2].partition("\\.")[0].split()
        revision = values[0] if values else None
    # Row counts of an archive are only known once restored; the tables are what we check.
    return Contents(revision, dict.fromkeys(sorted(tables - {"alembic_version"}), 0))


def _libpq_target(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The client tools' connection string (libpq key=value, quoted), and their environment.

    The password goes in PGPASSWORD, never on the command line, which `ps` shows to everyone.
    """
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # URL query parameters (sslmode, a socket directory as host=...) are libpq's own.
    query = {
        key: value[-1] if isinstance(value, tuple) else value for key, value in url.query.items()
    }
    params = {"host": url.host, "port": url.port, "dbname": url.database, "user": url.username}
    params.update(query)
    return make_conninfo("", **{k: v for k, v in params.items() if v not in (None, "")}), env


def _client_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools "
            f"(Debian: postgresql-client) of the server's version or newer."
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise ToolFailed(Path(args[0]).name, reason)
    return result.stdout


# Shared helpers


def _live_contents(conn: sa.Connection) -> Contents:
    names = sa.inspect(conn).get_table_names()
    revision = None
    if "alembic_version" in names:
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    counts = {
        name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
        for name in names
        if name != "alembic_version"
    }
    return Contents(revision, counts)


def _quoted(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


@contextmanager
def _connected(engine: sa.Engine) -> Iterator[sa.Connection]:
    try:
        conn = engine.connect()
    except sa.exc.OperationalError as error:
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupError(f"Cannot connect to the database: {first}") from None
    with conn:
        yield conn


@contextmanager
def _written_in_place(out: Path) -> Iterator[Path]:
    """A temporary file next to `out` (private: mode 0600), renamed to `out` on success."""
    handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(handle)
    part = Path(name)
    try:
        yield part
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return ""  # not reached


def _where(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


# Commands


@click.command("backup", cls=OneLineErrors)
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def backup_command(out: Path, force: bool) -> None:
    """Write a consistent backup of the whole database to OUT, while the app keeps running.

    SQLite: a copy of the database file. PostgreSQL: a pg_dump archive (custom format).
    """
    started = time.perf_counter()
    try:
        contents = backup(db.engine, out, force=force)
    except (BackupError, OSError, sqlite3.Error, sa.exc.SQLAlchemyError) as error:
        raise click.ClickException(_one_line(error)) from None
    click.echo(
        f"Backup of {_where(db.engine)} written to {out} ({_size(out)}) "
        f"in {time.perf_counter() - started:.1f} s."
    )
    click.echo(
        f"Schema revision {contents.revision}; {len(contents.counts)} tables, "
        f"{contents.rows:,} rows:"
    )
    click.echo("\n".join(contents.lines()))


@click.command("restore", cls=OneLineErrors)
@with_appcontext
@click.argument(
    "source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the whole database with the backup IN (made by `backup`)."""
    engine = db.engine
    try:
        contents = inspect_backup(engine, source)
    except (BackupError, OSError) as error:
        raise click.ClickException(_one_line(error)) from None
    question = (
        f"Replace the whole database {_where(engine)} with the backup {source} "
        f"(schema revision {contents.revision})? Everything in the database now is lost"
    )
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("Nothing was restored.")
    started = time.perf_counter()
    try:
        restored = restore(engine, source, contents)
    except (BackupError, OSError, sqlite3.Error, sa.exc.SQLAlchemyError) as error:
        raise click.ClickException(_one_line(error)) from None
    click.echo(
        f"Restored {source} into {_where(engine)} in {time.perf_counter() - started:.1f} s: "
        f"schema revision {restored.revision}; {len(restored.counts)} tables, "
        f"{restored.rows:,} rows:"
    )
    click.echo("\n".join(restored.lines()))
    head, _known = code_revisions()
    if restored.revision != head:
        click.echo(
            f"The backup's schema (revision {restored.revision}) is older than this code's "
            f"({head}): run `{UPGRADE_COMMAND}` now."
        )


def _one_line(error: Exception) -> str:
    if isinstance(error, sa.exc.DBAPIError) and error.orig is not None:
        error = error.orig  # the database's own message, without SQLAlchemy's SQL and link
    text = " ".join(str(error).split())
    return text or type(error).__name__


COMMANDS = [backup_command, restore_command]
