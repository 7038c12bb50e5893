"""`flask --app tracker backup OUT` and `restore IN`, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from tests import factories
from tests.conftest import make_config
from tracker import create_app
from tracker.extensions import db
from tracker.maintenance import backup as backup_module
from tracker.models import Company, Person

UPGRADE_HINT = "run `flask --app tracker db upgrade` now"


@pytest.fixture
def fresh_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a second, empty database of the run's kind: the target of a restore."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        app = create_app(make_config(f"sqlite:///{tmp_path / 'fresh.sqlite'}"))
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    app = create_app(make_config(url.set(database=name).render_as_string(hide_password=False)))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def is_sqlite(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        result = {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Company, Person)
        }
        db.session.remove()
    return result


def add_companies(app: Flask, names: list[str]) -> None:
    """Each company with one contact person, in one transaction."""
    with app.app_context():
        for name in names:
            factories.make_person(factories.make_company(name), f"Contact of {name}")
        db.session.commit()


def printed_counts(output: str) -> dict[str, int]:
    """The table lines of the commands' output: `  companies   1,234`."""
    return {
        name: int(n.replace(",", ""))
        for name, n in re.findall(r"^  (\w+) +([\d,]+)$", output, flags=re.MULTILINE)
    }


def check_integrity(app: Flask) -> None:
    """Every foreign key of the restored database holds, and SQLite finds the file sound."""
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        else:
            foreign_keys = conn.execute(
                sa.text("SELECT count(*), count(*) FILTER (WHERE NOT convalidated) "
                        "FROM pg_constraint WHERE contype = 'f'")
            ).one()  # fmt: skip
            assert foreign_keys[0] > 20 and foreign_keys[1] == 0
        orphans = conn.scalar(
            sa.select(sa.func.count())
            .select_from(Person)
            .outerjoin(Company, Person.company_id == Company.id)
            .where(Company.id.is_(None))
        )
        assert orphans == 0


def test_a_backup_taken_while_writes_go_on_restores_a_consistent_snapshot(
    app, runner, fresh_app, tmp_path
):
    add_companies(app, [f"Seed {n}" for n in range(300)])
    # The restore target already holds a database: it is replaced, not merged.
    with fresh_app.app_context():
        upgrade()
    add_companies(fresh_app, ["Stale Company"])

    written = 0
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        nonlocal written
        try:
            while not stop.is_set():
                add_companies(app, [f"Written meanwhile {written}"])
                written += 1
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written < 5 and thread.is_alive():
            stop.wait(0.01)
        before = counts(app)
        out = tmp_path / "backup.bin"
        result = runner.invoke(args=["backup", str(out)])
        during = written
        while written < during + 5 and thread.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert result.exit_code == 0, result.output
    final = counts(app)
    assert final["companies"] >= before["companies"] + 5  # the writes went on throughout

    assert out.is_file() and not list(tmp_path.glob("*.part"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # confidential data: owner only
    assert f"written to {out} (" in result.stdout
    assert re.search(r"^Schema revision \w+; \d+ tables, [\d,]+ rows:$", result.stdout, re.M)
    saved = printed_counts(result.stdout)

    restored = fresh_app.test_cli_runner().invoke(args=["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    after = counts(fresh_app)
    # One snapshot: somewhere between the start and the end of the backup, never half a write.
    assert before["companies"] <= after["companies"] <= final["companies"]
    assert after["people"] == after["companies"]
    assert (
        {k: saved[k] for k in after}
        == after
        == {k: printed_counts(restored.stdout)[k] for k in after}
    )
    with fresh_app.app_context():
        names = set(db.session.scalars(sa.select(Company.legal_name)))
        db.session.remove()
    assert "Stale Company" not in names and "Seed 299" in names
    check_integrity(fresh_app)
    assert UPGRADE_HINT not in restored.stdout


def test_backup_refuses_to_overwrite_without_force(app, runner, tmp_path):
    out = tmp_path / "backup.bin"
    out.write_text("an older backup")
    refused = runner.invoke(args=["backup", str(out)])
    assert refused.exit_code != 0
    assert (
        refused.stderr.strip()
        == f"Error: {out} already exists: choose another name, or add --force."
    )
    assert out.read_text() == "an older backup"

    forced = runner.invoke(args=["backup", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.stat().st_size > 1000 and not list(tmp_path.glob("*.part"))


def test_backup_into_a_missing_folder_is_one_line(app, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "nowhere" / "backup.bin")])
    assert result.exit_code != 0
    assert result.stderr.strip() == f"Error: The folder {tmp_path / 'nowhere'} does not exist."


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, fresh_app, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    result = runner.invoke(args=["restore", str(text), "--yes"])
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    expected = (
        "is not a backup of this application" if is_sqlite(app) else "is not a pg_dump archive"
    )
    assert f"Error: {text} {expected}" in result.stderr

    # A real backup, but of some other database: refused too, and nothing is asked.
    with fresh_app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    other = tmp_path / "other.bin"
    assert fresh_app.test_cli_runner().invoke(args=["backup", str(other)]).exit_code == 0
    result = runner.invoke(args=["restore", str(other)])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        f"Error: {other} is not a backup of this application: it has no schema revision."
    )
    assert "Replace the whole database" not in result.output


def test_restore_refuses_a_backup_newer_than_the_code(app, runner, tmp_path, monkeypatch):
    add_companies(app, ["Kept Company"])
    out = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    with app.app_context():
        head, _known = backup_module.code_revisions()
    # This code pretends to know only the first revision: the backup's head is from the future.
    monkeypatch.setattr(backup_module, "code_revisions", lambda: ("0001", {"0001"}))
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        f"Error: {out} has schema revision {head}, newer than this code's 0001: "
        "restore it with the version of the application that made it."
    )
    assert counts(app)["companies"] == 1


def test_restoring_an_older_backup_says_to_upgrade(app, runner, fresh_app, tmp_path, monkeypatch):
    out = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    with app.app_context():
        head, known = backup_module.code_revisions()
    # This code pretends to have one revision more than the backup's.
    monkeypatch.setattr(backup_module, "code_revisions", lambda: ("9999", {*known, "9999"}))
    result = fresh_app.test_cli_runner().invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert (
        f"The backup's schema (revision {head}) is older than this code's (9999): "
        f"{UPGRADE_HINT}." in result.stdout
    )


def test_restore_asks_before_replacing_the_database(app, runner, fresh_app, tmp_path):
    add_companies(app, ["Backed-up Company"])
    out = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    with fresh_app.app_context():
        upgrade()
    add_companies(fresh_app, ["Current Company"])
    fresh_runner = fresh_app.test_cli_runner()

    declined = fresh_runner.invoke(args=["restore", str(out)], input="n\n")
    assert declined.exit_code != 0
    assert "Replace the whole database" in declined.output
    assert declined.stderr.strip().endswith("Error: Nothing was restored.")
    assert counts(fresh_app)["companies"] == 1

    accepted = fresh_runner.invoke(args=["restore", str(out)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    with fresh_app.app_context():
        assert list(db.session.scalars(sa.select(Company.legal_name))) == ["Backed-up Company"]
        db.session.remove()


def test_restore_drops_tables_the_backup_does_not_have(app, runner, fresh_app, tmp_path):
    out = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    with fresh_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            # A table of a newer schema, pointing at a table that the restore replaces.
            conn.execute(
                sa.text("CREATE TABLE newer_feature (id INTEGER PRIMARY KEY, "
                        "company_id INTEGER REFERENCES companies (id))")
            )  # fmt: skip
        db.engine.dispose()
    result = fresh_app.test_cli_runner().invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert "newer_feature" not in sa.inspect(db.engine).get_table_names()
    check_integrity(fresh_app)


def test_missing_postgresql_client_tools_are_named(tmp_path, monkeypatch):
    """Found by PATH: without them, the message says what to install."""
    app = create_app(make_config("postgresql+psycopg://tracker@127.0.0.1:9/tracker"))
    monkeypatch.setenv("PATH", str(tmp_path))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backup.dump")])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        "Error: pg_dump was not found: install the PostgreSQL client tools "
        "(Debian: postgresql-client) of the server's version or newer."
    )
    archive = tmp_path / "backup.dump"
    archive.write_bytes(b"PGDMP")
    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code != 0
    assert result.stderr.strip().startswith("Error: pg_restore was not found: install")
    assert not list(tmp_path.glob("*.part"))


def test_a_failed_pg_dump_leaves_no_file_and_says_why(app, runner, tmp_path, monkeypatch):
    if is_sqlite(app):
        pytest.skip("pg_dump is the PostgreSQL backup; SQLite's is covered by the other tests")
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != "--file" ]; do shift; done\n'
        'echo "half an archive" > "$2"\n'
        'echo "pg_dump: error: could not write to output file: No space left on device" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    out = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        "Error: pg_dump failed: pg_dump: error: could not write to output file: "
        "No space left on device"
    )
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_the_password_goes_to_the_client_tools_by_environment_not_argument():
    target, env = backup_module._libpq_target(
        make_url("postgresql+psycopg://us%20er:s3cr%40t@db.example:5433/tracker?sslmode=require")
    )
    assert target == "host=db.example port=5433 dbname=tracker user='us er' sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"
