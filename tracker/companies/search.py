"""What the companies search reads: one row of `company_search` per company, holding its legal
and trade names, locality, RCS and VAT numbers (without spaces) and the names and e-mail
addresses of its contact persons who are not archived, each folded (lower case, no accents).

One LIKE on one narrow column finds a company, where matching each of those columns (and every
person) costs several times more on a large agency. The session keeps the rows: a flush that
creates or changes a company or a person rewrites the rows of their companies in the same
transaction. Writes that bypass the ORM (the companies import, purge, the volume generator)
call `refresh` themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.companies.validation import fold
from tracker.models import Company, Person, company_search

SEPARATOR = "\x1f"  # between fields: a search never matches across two of them
COMPANY_FIELDS = ("legal_name", "trade_name", "locality", "rcs_number", "vat_number")
PERSON_FIELDS = ("name", "email", "archived", "company_id")
_CHUNK = 500  # ids per statement (SQLite takes at most 32,766 parameters)
_PENDING = "company_search_pending"


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
    chunk of ids); a company that no longer exists loses its row."""
    ids = sorted(set(company_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        company_table = Company.__table__
        companies = connection.execute(
            sa.select(
                company_table.c.id, *[company_table.c[name] for name in COMPANY_FIELDS]
            ).where(company_table.c.id.in_(chunk))
        ).all()
        people: dict[int, list[Any]] = {company_id: [] for company_id in chunk}
        person_table = Person.__table__
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
        lock_companies(connection, chunk)
        connection.execute(company_search.delete().where(company_search.c.company_id.in_(chunk)))
        rows = [{"company_id": c.id, "text": text_of(c, people[c.id])} for c in companies]
        if rows:
            connection.execute(company_search.insert(), rows)


def lock_companies(connection: sa.Connection, company_ids: list[int]) -> None:
    """Wait for, then hold, the rows of `company_ids` in `companies` (in id order), before
    rewriting rows derived from them.

    Two transactions rewriting the same company's derived row (two contacts logged at once)
    would otherwise both delete the row they saw and both insert one. The company row stays
    (the derived one is deleted and inserted again), so it serializes any number of writers;
    once it is held, each later statement sees what the others committed (PostgreSQL reads
    each statement afresh). FOR NO KEY UPDATE: inserting a contact of the company (a foreign
    key check) does not wait for it. SQLite lets one writer at a time anyway.
    """
    companies = Company.__table__
    connection.execute(
        sa.select(companies.c.id)
        .where(companies.c.id.in_(company_ids))
        .order_by(companies.c.id)
        .with_for_update(key_share=True)
    ).all()


def matching(needle: str) -> sa.ColumnElement[bool]:
    """Companies whose search text holds `needle` (already folded); a needle with digits is
    also looked for without its spaces, dots and dashes, as numbers are kept."""
    texts = [needle]
    if any(ch.isdigit() for ch in needle):
        squeezed = re.sub(r"[\s.\-]", "", needle)
        if squeezed and squeezed != needle:
            texts.append(squeezed)
    # The whole pattern as one value: PostgreSQL estimates a LIKE from its pattern, which it
    # cannot do for '%' || value || '%'.
    found = sa.or_(
        *[company_search.c.text.like(f"%{_escaped(text)}%", escape="/") for text in texts]
    )
    return Company.id.in_(sa.select(company_search.c.company_id).where(found))


def _escaped(text: str) -> str:
    """`text` for a LIKE pattern whose escape character is "/"."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def changed(obj: Any, fields: tuple[str, ...]) -> bool:
    """A field of `fields` of the object has a change not yet flushed (shared with facts.py)."""
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "before_flush")
def _note_companies(session: Session, _context: Any, _instances: Any) -> None:
    """Which companies this flush changes for the search (their ids come after the flush)."""
    pending: list[Any] = session.info.setdefault(_PENDING, [])
    for obj in chain(session.new, session.dirty, session.deleted):
        fields = COMPANY_FIELDS if isinstance(obj, Company) else PERSON_FIELDS
        if not isinstance(obj, Company | Person):
            continue
        if obj in session.new or obj in session.deleted or changed(obj, fields):
            pending.append(obj)
            if isinstance(obj, Person):  # a person moved: their former company too
                pending.extend(inspect(obj).attrs["company_id"].history.deleted or ())


@event.listens_for(Session, "after_soft_rollback")
def _forget_companies(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_companies(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    ids = set()
    for item in pending:
        if isinstance(item, int):
            ids.add(item)
        elif isinstance(item, Company):
            ids.add(item.id)
        else:  # a person, flushed: company_id is set
            ids.add(item.company_id)
    if ids:
        refresh(session.connection(), ids)
