"""A solution's `status_since`: kept with its status history, and what the board, the workload
and the report read instead of the whole history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import dates
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import Solution, SolutionStatus, SolutionStatusChange, User
from tracker.reports import figures
from tracker.support import services

TODAY = dates.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def solution_id(app, users) -> int:
    with app.app_context():
        company = factories.make_company()
        need = factories.make_need(company, on=ago(60))
        actor = db.session.get(User, users["advisor"].id)
        solution = services.suggest_solution(
            need=need,
            suggested_on=ago(50),
            actor=actor,
            instrument=factories.instrument("Fit 4 Digital"),
        )
        db.session.commit()
        return solution.id


def change(app, users, solution_id: int, status: SolutionStatus, on: date) -> Solution:
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        actor = db.session.get(User, users["advisor"].id)
        services.change_solution_status(solution, status, on=on, actor=actor)
        db.session.commit()
        return solution


def since(app, solution_id: int) -> date:
    with app.app_context():
        return db.session.get(Solution, solution_id).status_since


def test_it_starts_at_the_suggestion_and_follows_each_change(app, users, solution_id):
    assert since(app, solution_id) == ago(50)
    change(app, users, solution_id, SolutionStatus.IN_PREPARATION, ago(30))
    assert since(app, solution_id) == ago(30)
    change(app, users, solution_id, SolutionStatus.SUBMITTED, ago(30))  # same day: allowed
    change(app, users, solution_id, SolutionStatus.GRANTED, ago(2))
    assert since(app, solution_id) == ago(2)


def test_a_change_dated_before_the_current_status_began_is_refused(app, users, solution_id):
    change(app, users, solution_id, SolutionStatus.SUBMITTED, ago(10))
    with pytest.raises(ValidationError, match="before its current status began") as refused:
        change(app, users, solution_id, SolutionStatus.GRANTED, ago(11))
    assert refused.value.field == "on"
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        assert solution.status is SolutionStatus.SUBMITTED
        assert solution.status_since == ago(10)
        assert len(solution.changes) == 2


def test_the_form_explains_the_refusal_and_writes_nothing(
    app, client, login_as, users, solution_id
):
    from tests.helpers import form_version

    change(app, users, solution_id, SolutionStatus.SUBMITTED, ago(10))
    login_as("advisor")
    page = client.get(f"/solutions/{solution_id}").get_data(as_text=True)
    response = client.post(
        f"/solutions/{solution_id}/status",
        data={"status": "granted", "on": ago(20).isoformat(), "version": form_version(page)},
    )
    assert response.status_code == 200
    assert "before its current status began" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Solution, solution_id).status is SolutionStatus.SUBMITTED


def test_status_at_a_date_agrees_with_the_history_at_every_date(app, users):
    """The shortcut (current status from status_since on) gives what the history gives."""
    with app.app_context():
        company = factories.make_company()
        actor = db.session.get(User, users["advisor"].id)
        paths = [
            [],
            [(SolutionStatus.SUBMITTED, 40)],
            [(SolutionStatus.IN_PREPARATION, 45), (SolutionStatus.SUBMITTED, 30)],
            [(SolutionStatus.SUBMITTED, 20), (SolutionStatus.GRANTED, 20)],
            [(SolutionStatus.SUBMITTED, 35), (SolutionStatus.REJECTED, 5)],
        ]
        for path in paths:
            need = factories.make_need(company, on=ago(60))
            solution = services.suggest_solution(
                need=need, suggested_on=ago(50), actor=actor, instrument=None, partner="Partner"
            )
            db.session.flush()
            for status, days in path:
                services.change_solution_status(solution, status, on=ago(days), actor=actor)
        db.session.commit()
        for days in (60, 50, 46, 45, 40, 31, 30, 21, 20, 19, 6, 5, 0):
            day = ago(days)
            shortcut = sa.select(Solution.id, figures.solution_status_at(day)).order_by(Solution.id)
            history = sa.select(Solution.id, figures._status_from_history(day)).order_by(
                Solution.id
            )
            assert db.session.execute(shortcut).all() == db.session.execute(history).all(), day
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(SolutionStatusChange))
        assert changes == len(paths) + sum(len(p) for p in paths)
