"""Concurrent writes through the real app stack: none fails with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import FollowUp, HealthCheck, Interaction
from tracker.reports import spans

THREADS = 8
WRITES_PER_THREAD = 25


def _sqlite_file(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("about SQLite's file lock; PostgreSQL readers never wait for writers")
    return url.database


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_200_concurrent_contact_logs_all_succeed(app):
    """Eight advisors' browsers log 25 contacts each at the same time: every post is saved.

    Each post is one request and one transaction that reads (the company, the people, the
    users) before it writes (the contact, its follow-up, the audit entries). On SQLite a
    deferred transaction that reads and then writes fails at once with "database is locked"
    when another writer holds the lock; the engine's BEGIN IMMEDIATE makes it wait instead.
    """
    with app.app_context():
        company_id = factories.make_company("Moselle Precision Castings S.à r.l.").id
        advisors = [
            factories.make_user(role="advisor", email=f"advisor{n}@example.lu")
            for n in range(THREADS)
        ]
        db.session.commit()
    before = _count(app, Interaction), _count(app, FollowUp)
    start = threading.Barrier(THREADS)
    failures: list[str] = []

    def advisor_at_work(number: int) -> None:
        client = app.test_client()
        try:
            response = client.post(
                "/login", data={"email": advisors[number].email, "password": factories.PASSWORD}
            )
            assert response.status_code == 302, "sign-in failed"
            start.wait(timeout=30)
            for write in range(WRITES_PER_THREAD):
                response = client.post(
                    "/interactions/new",
                    data={
                        "occurred_on": today().isoformat(),
                        "type": "call",
                        "company_query": "Moselle Precision Castings S.à r.l.",
                        "company_id": str(company_id),
                        "summary": f"Call {number}-{write} about the order book.",
                        "followup-title": f"Call back {number}-{write}",
                        "followup-due_on": today().isoformat(),
                        "followup-assignee": str(advisors[number].id),
                        "health-risk_level": ("low", "medium", "high")[write % 3],
                    },
                )
                if response.status_code != 302 or "/login" in response.headers["Location"]:
                    failures.append(f"thread {number}, write {write}: {response.status_code}")
        except Exception as error:  # an OperationalError raised through the test client
            failures.append(f"thread {number}: {type(error).__name__}: {error}")
            start.abort()

    threads = [threading.Thread(target=advisor_at_work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert failures == []
    total = THREADS * WRITES_PER_THREAD
    assert (_count(app, Interaction), _count(app, FollowUp)) == (
        before[0] + total,
        before[1] + total,
    )
    with app.app_context():  # the report's kept health counts took every check, once
        assert _count(app, HealthCheck) == total
        assert spans.stale(db.session.connection()) == []


def test_pages_that_only_read_are_served_while_a_writer_holds_the_lock(
    app, client, login_as, database_url
):
    """Reading does not queue behind writes (WAL): a long import does not stall every page."""
    path = _sqlite_file(database_url)
    login_as("advisor")
    with app.app_context():
        factories.make_company("Moselle Precision Castings S.à r.l.")
        db.session.commit()
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # as a long write transaction would
        writer.execute("UPDATE companies SET legal_name = 'Not committed'")
        try:
            started = time.perf_counter()
            page = client.get("/companies")
            waited = time.perf_counter() - started
        finally:
            writer.execute("ROLLBACK")
    assert page.status_code == 200
    assert "Moselle Precision Castings" in page.get_data(as_text=True)
    assert waited < 5  # the busy timeout is 10 s: a reader that queued would wait it out


def test_a_write_waits_for_the_lock_instead_of_failing(app, client, login_as, database_url):
    path = _sqlite_file(database_url)
    advisor = login_as("advisor")
    with app.app_context():
        company_id = factories.make_company("Moselle Precision Castings S.à r.l.").id
        db.session.commit()
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, writer.execute, args=("ROLLBACK",))
    release.start()
    try:
        response = client.post(
            "/interactions/new",
            data={
                "occurred_on": today().isoformat(),
                "type": "call",
                "company_query": "Moselle Precision Castings S.à r.l.",
                "company_id": str(company_id),
                "summary": "Call while another transaction writes.",
                "followup-assignee": str(advisor.id),
            },
        )
    finally:
        release.join()
        writer.close()
    assert response.status_code == 302
    assert _count(app, Interaction) == 1
