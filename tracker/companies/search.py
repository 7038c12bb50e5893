"""What the companies search reads: one row of `company_search` per company, holding its legal
and trade names, locality, RCS and VAT numbers (without spaces) and the names and e-mail
addresses of its contact persons who are not archived, each folded (lower case, no accents);
and whether the company is listed (not archived) and its name as the list sorts it, so that a
search keeps and orders its matches without reading their companies.

One LIKE on one narrow column finds a company, where matching each of those columns (and every
person) costs several times more on a large agency. The session keeps the rows: a flush that
creates or changes a company or a person rewrites the rows of their companies in the same
transaction (tracker/companies/kept.py). Writes that bypass the ORM (the companies import,
purge, the volume generator) call `refresh` themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.companies import kept
from tracker.companies.validation import fold
from tracker.extensions import db
from tracker.models import Company, Person, company_search

SEPARATOR = "\x1f"  # between fields: a search never matches across two of them
# The trigram index of the search rows on SQLite (revision 0012, kept by triggers); on
# PostgreSQL a pg_trgm index of company_search.text. A needle shorter than a trigram is looked
# for row by row.
TRIGRAMS = sa.table("company_search_trigrams", sa.column("rowid"))
TRIGRAM = 3
TEXT_FIELDS = ("legal_name", "trade_name", "locality", "rcs_number", "vat_number")
COMPANY_FIELDS = (*TEXT_FIELDS, "archived")  # what a company's row is written from
PERSON_FIELDS = ("name", "email", "archived", "company_id")


def compact(value: str | None) -> str:
    """`B 123 456` → `b123456`: how numbers are kept and searched."""
    return re.sub(r"[\s.\-]", "", fold(value or ""))


def text_of(company: Any, people: Iterable[Any]) -> str:
    """The search text of a company (an object or a row with COMPANY_FIELDS) and its people."""
    parts = [company.legal_name, company.trade_name, company.locality]
    parts += [compact(company.rcs_number), compact(company.vat_number)]
    for person in people:
        if not person.archived:
            parts += [person.name, person.email]
    return SEPARATOR.join(fold(part) for part in parts if part)


def refresh(connection: sa.Connection, company_ids: Iterable[int]) -> None:
    """Rewrite the search rows of `company_ids` from the database (two reads, two writes per
    chunk of ids, once the companies are locked); a company that no longer exists loses its
    row."""
    company_table = Company.__table__
    person_table = Person.__table__
    for chunk in kept.chunks(company_ids):
        kept.lock_companies(connection, chunk)
        companies = connection.execute(
            sa.select(
                company_table.c.id,
                *[company_table.c[name] for name in COMPANY_FIELDS],
                sort_name(company_table.c.legal_name).label("name_key"),
            ).where(company_table.c.id.in_(chunk))
        ).all()
        people: dict[int, list[Any]] = {company_id: [] for company_id in chunk}
        for person in connection.execute(
            sa.select(
                person_table.c.company_id,
                person_table.c.name,
                person_table.c.email,
                person_table.c.archived,
            )
            .where(person_table.c.company_id.in_(chunk))
            .order_by(person_table.c.id)
        ):
            people[person.company_id].append(person)
        connection.execute(company_search.delete().where(company_search.c.company_id.in_(chunk)))
        rows = [
            {
                "company_id": c.id,
                "text": text_of(c, people[c.id]),
                "listed": not c.archived,
                "name_key": c.name_key,
            }
            for c in companies
        ]
        if rows:
            connection.execute(company_search.insert(), rows)


def sort_name(legal_name: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """A company's name as the list sorts it: lower-cased by the database, as the list's own
    index of the companies has it (`ix_companies_list_order`)."""
    return sa.func.lower(legal_name)


def matching(needle: str) -> sa.ColumnElement[bool]:
    """Companies whose search text holds `needle` (already folded); a needle with digits is
    also looked for without its spaces, dots and dashes, as numbers are kept."""
    if db.engine.dialect.name == "sqlite" and _trigrams(needle) is not None:
        return Company.id.in_(sa.select(TRIGRAMS.c.rowid).where(_trigrams(needle)))
    return Company.id.in_(sa.select(company_search.c.company_id).where(found(needle)))


def found(needle: str) -> sa.ColumnElement[bool]:
    """The same, as a condition on the search rows themselves (a list that reads them)."""
    trigrams = _trigrams(needle) if db.engine.dialect.name == "sqlite" else None
    if trigrams is not None:
        return company_search.c.company_id.in_(sa.select(TRIGRAMS.c.rowid).where(trigrams))
    # The whole pattern as one value: PostgreSQL estimates a LIKE from its pattern, which it
    # cannot do for '%' || value || '%'; its trigram index serves the LIKE.
    return sa.or_(
        *[company_search.c.text.like(f"%{_escaped(text)}%", escape="/") for text in _texts(needle)]
    )


def _texts(needle: str) -> list[str]:
    texts = [needle]
    if any(ch.isdigit() for ch in needle):
        squeezed = re.sub(r"[\s.\-]", "", needle)
        if squeezed and squeezed != needle:
            texts.append(squeezed)
    return texts


def _trigrams(needle: str) -> sa.TextClause | None:
    """On SQLite, the MATCH of the trigram index for the needle's texts, each as a phrase of
    trigrams; None when one is shorter than a trigram (looked for row by row)."""
    texts = _texts(needle)
    if min(len(text) for text in texts) < TRIGRAM:
        return None
    phrases = " OR ".join('"{}"'.format(text.replace('"', '""')) for text in texts)
    return sa.text("company_search_trigrams MATCH :phrases").bindparams(phrases=phrases)


def _escaped(text: str) -> str:
    """`text` for a LIKE pattern whose escape character is "/"."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _note(session: Session, obj: Any) -> list[Any]:
    """A company or person of the flush whose search text may change: its company, and a
    moved person's former company too."""
    if isinstance(obj, Company):
        fields = COMPANY_FIELDS
    elif isinstance(obj, Person):
        fields = PERSON_FIELDS
    else:
        return []
    if obj in session.new or obj in session.deleted or kept.changed(obj, fields):
        return [obj, *(kept.former(obj, "company_id") if isinstance(obj, Person) else ())]
    return []


kept.keep("company_search", _note, refresh)
