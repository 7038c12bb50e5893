"""company_search: a trigram index of the search text (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 16:10:00

"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# SQLite: an FTS5 table of trigrams over company_search (its content stays there), kept by
# triggers on every insert, update and delete of a search row.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE company_search_trigrams USING fts5("
    "text, content='company_search', content_rowid='company_id', tokenize='trigram')",
    "CREATE TRIGGER company_search_trigrams_insert AFTER INSERT ON company_search BEGIN "
    "INSERT INTO company_search_trigrams (rowid, text) VALUES (new.company_id, new.text); END",
    "CREATE TRIGGER company_search_trigrams_delete AFTER DELETE ON company_search BEGIN "
    "INSERT INTO company_search_trigrams (company_search_trigrams, rowid, text) "
    "VALUES ('delete', old.company_id, old.text); END",
    "CREATE TRIGGER company_search_trigrams_update AFTER UPDATE ON company_search BEGIN "
    "INSERT INTO company_search_trigrams (company_search_trigrams, rowid, text) "
    "VALUES ('delete', old.company_id, old.text); "
    "INSERT INTO company_search_trigrams (rowid, text) VALUES (new.company_id, new.text); END",
    "INSERT INTO company_search_trigrams (company_search_trigrams) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS company_search_trigrams_update",
    "DROP TRIGGER IF EXISTS company_search_trigrams_delete",
    "DROP TRIGGER IF EXISTS company_search_trigrams_insert",
    "DROP TABLE IF EXISTS company_search_trigrams",
]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:  # the search still works, reading every row
        logging.getLogger("alembic.runtime.migration").warning(
            "pg_trgm is not installed: the companies search goes without its index."
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_company_search_trigrams ON company_search "
        "USING gin (text gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX IF EXISTS ix_company_search_trigrams")
