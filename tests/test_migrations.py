"""The schema comes from the migrations: up from empty, down again, and no drift from the models."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from tests.conftest import make_config
from tracker import create_app
from tracker.extensions import db

EXPECTED_CATEGORIES = {
    "liquidity", "investment", "rdi-funding", "digitalisation", "new-markets",
    "internationalisation", "partnerships", "skills", "regulation",
    "energy-sustainability", "other",
}  # fmt: skip


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A brand-new, empty database of the same kind as the run's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    name = f"{url.database}_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Indexes on an expression: SQLAlchemy cannot reflect them from SQLite, so autogenerate cannot
# compare them; test_expression_indexes_exist checks them instead.
EXPRESSION_INDEXES = {"ix_companies_list_order"}
# The search rows' trigram index (revision 0012): FTS5 tables and triggers on SQLite, a pg_trgm
# index on PostgreSQL; outside the models, checked by test_trigram_index_exists.
TRIGRAMS = "company_search_trigrams"


def _comparable(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name.startswith(TRIGRAMS):
        return False
    return not (type_ == "index" and (name in EXPRESSION_INDEXES or TRIGRAMS in name))


def test_migrations_run_up_from_empty_match_the_models_and_run_down(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _comparable}
            )
            with warnings.catch_warnings():
                # SQLite's reflection skips indexes on expressions (see _comparable).
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
                warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified")
                assert compare_metadata(context, db.metadata) == []
            slugs = set(conn.execute(sa.text("SELECT slug FROM need_categories")).scalars())
            assert slugs == EXPECTED_CATEGORIES
            instruments = set(conn.execute(sa.text("SELECT name FROM instruments")).scalars())
            assert len(instruments) == 13
            assert {
                "COVID-RDI",
                "Fit 4 Digital",
                "Neistart Lëtzebuerg SME investment aid",
            } <= instruments
            assert conn.execute(sa.text("SELECT count(*) FROM markets")).scalar() > 5
        db.session.remove()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def test_db_upgrade_command_on_an_empty_database(empty_database_url):
    app = create_app(make_config(empty_database_url))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "companies" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(empty_database_url):
    """Revision 0006 rebuilds `solutions` on SQLite; the rows that reference it stay (foreign
    keys are off during migrations) and status_since is filled from the status history."""
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="0005")
        at = "2026-01-05 10:00:00"
        with db.engine.begin() as conn:
            category = conn.execute(sa.text("SELECT min(id) FROM need_categories")).scalar()
            conn.execute(
                sa.text(
                    "INSERT INTO companies (id, legal_name, country, status, archived, created_at,"
                    " updated_at) VALUES (1, 'Kept S.A.', 'LU', 'active', :f, :at, :at)"
                ),
                {"f": False, "at": at},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO companies (id, legal_name, country, status, archived, created_at,"
                    " updated_at) VALUES (2, 'GONE Sàrl', 'LU', 'dormant', :t, :at, :at)"
                ),
                {"t": True, "at": at},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO needs (id, company_id, category_id, description, urgency, status,"
                    " identified_on, outcome, created_at) VALUES (1, 1, :c, 'Cash', 'high',"
                    " 'in_progress', '2026-01-02', '', :at)"
                ),
                {"c": category, "at": at},
            )
            for sid in (1, 2):
                conn.execute(
                    sa.text(
                        "INSERT INTO solutions (id, need_id, status, suggested_on, notes,"
                        " created_at) VALUES (:id, 1, :status, '2026-01-05', '', :at)"
                    ),
                    {"id": sid, "status": "submitted" if sid == 1 else "suggested", "at": at},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, name, role, active, password_hash,"
                    " session_token, created_at) VALUES (1, 'a@kept.lu', 'A', 'advisor', :t,"
                    " 'x', 'token', :at)"
                ),
                {"t": True, "at": at},
            )
            for iid, on in ((1, "2026-01-05"), (2, "2026-03-02")):
                conn.execute(
                    sa.text(
                        "INSERT INTO interactions (id, occurred_on, type, company_id, advisor_id,"
                        " summary, created_at, updated_at) VALUES (:id, :on, 'call', 1, 1, '',"
                        " :at, :at)"
                    ),
                    {"id": iid, "on": on, "at": at},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO health_checks (id, company_id, checked_on, recorded_by_id,"
                    " risk_level, risk_reasons, comment, created_at) VALUES (1, 1, '2026-03-02',"
                    " 1, 'high', '[]', '', :at)"
                ),
                {"at": at},
            )
            for cid, to_status, on in (
                (1, "suggested", "2026-01-05"),
                (2, "submitted", "2026-02-10"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO solution_status_changes (id, solution_id, to_status,"
                        " changed_on, changed_at, note) VALUES (:id, 1, :to, :on, :at, '')"
                    ),
                    {"id": cid, "to": to_status, "on": on, "at": at},
                )
        upgrade()
        with db.engine.connect() as conn:
            assert (
                conn.execute(sa.text("SELECT count(*) FROM solution_status_changes")).scalar() == 2
            )
            since = conn.execute(
                sa.text("SELECT id, status_since FROM solutions ORDER BY id")
            ).all()
            assert [(sid, str(on)[:10]) for sid, on in since] == [
                (1, "2026-02-10"),  # its latest change
                (2, "2026-01-05"),  # no change recorded: its suggestion
            ]
            assert conn.execute(sa.text("SELECT count(*) FROM needs")).scalar() == 1
            # Revision 0007 fills the search rows of the companies already there.
            search = conn.execute(
                sa.text("SELECT company_id, text FROM company_search ORDER BY company_id")
            ).all()
            assert [tuple(row) for row in search] == [(1, "kept s.a."), (2, "gone sarl")]
            # Revision 0009 fills their facts rows.
            kept = conn.execute(sa.text("SELECT * FROM company_facts WHERE company_id = 1")).one()
            assert (kept.company_id, str(kept.last_contact_on)[:10]) == (1, "2026-03-02")
            assert kept.latest_risk == "high" and kept.next_followup_on is None
            # Revision 0014 gives each status change its company.
            companies = conn.execute(
                sa.text("SELECT DISTINCT company_id FROM solution_status_changes")
            ).all()
            assert [tuple(row) for row in companies] == [(1,)]
            # Revision 0018 counts the health check in the report's spans: the latest at the
            # end of March to August 2026 (month numbers 2026 x 12 + 3 and + 8).
            spans = conn.execute(
                sa.text("SELECT scope, span_from, span_to, assessed, risk_high FROM health_spans")
            ).all()
            assert [tuple(row) for row in spans] == [(0, 2026 * 12 + 3, 2026 * 12 + 8, 1, 1)]
            # Revision 0019 gives both kept rows the company's listed flag and sorting name,
            # and the facts row its status.
            listing = conn.execute(
                sa.text(
                    "SELECT s.listed, s.name_key, f.listed, f.status, f.name_key"
                    " FROM company_search s JOIN company_facts f ON f.company_id = s.company_id"
                    " ORDER BY s.company_id"
                )
            ).all()
            assert [(bool(a), b, bool(c), d, e) for a, b, c, d, e in listing] == [
                (True, "kept s.a.", True, "active", "kept s.a."),
                (False, "gone sàrl", False, "dormant", "gone sàrl"),
            ]
        db.session.remove()
        db.engine.dispose()


def test_expression_indexes_exist(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                names = conn.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")
                ).scalars()
            else:
                names = conn.execute(sa.text("SELECT indexname FROM pg_indexes")).scalars()
            assert set(names) >= EXPRESSION_INDEXES
        db.session.remove()
        db.engine.dispose()


def test_trigram_index_exists_and_goes_on_downgrade(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                names = "SELECT name FROM sqlite_master WHERE name LIKE 'company_search_trigrams%'"
            else:
                names = "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trigrams'"
            assert conn.execute(sa.text(names)).scalars().all()
        downgrade(revision="0011")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text(names)).scalars().all() == []
        db.session.remove()
        db.engine.dispose()
