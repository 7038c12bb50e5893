"""Needs and solutions: the services' rules, the pages, who may use them, and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests import factories
from tests.helpers import count_statements, form_version
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Need,
    NeedStatus,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Urgency,
    User,
)
from tracker.support import services
from tracker.support.display import format_eur
from tracker.support.forms import parse_amount

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.dates.today", lambda: TODAY)


@dataclass
class World:
    company_id: int
    need_id: int
    solution_id: int


@pytest.fixture
def world(app, users) -> World:
    with app.app_context():
        company = factories.make_company("Moselle Precision Castings", owner_id=users["advisor"].id)
        need = factories.make_need(
            company, "liquidity", on=TODAY - timedelta(days=30), owner_id=users["advisor"].id
        )
        solution = factories.make_solution(
            need, "COVID-RDI", on=TODAY - timedelta(days=20), amount_requested=Decimal("50000")
        )
        db.session.commit()
        return World(company.id, need.id, solution.id)


def user(role_info) -> User:
    return db.session.get(User, role_info.id)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# Amounts


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("120000", "120000.00"),
        ("120 000", "120000.00"),
        ("120\u202f000", "120000.00"),
        ("120,000", "120000.00"),
        ("120.000", "120000.00"),
        ("120,000.50", "120000.50"),
        ("120.000,50", "120000.50"),
        ("1.234.567,8", "1234567.80"),
        ("99.5", "99.50"),
        ("99,05", "99.05"),
        ("€ 1 000", "1000.00"),
        ("2500 EUR", "2500.00"),
        ("0", "0.00"),
    ],
)
def test_amounts_are_read_the_english_and_the_continental_way(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["abc", "12,34,567", "1,000.000", "1.2.3", "12.345.67", "1e5", "5-", "120,000.505"]
)
def test_unreadable_amounts_are_refused_with_a_clear_message(text):
    with pytest.raises(ValueError, match="Enter an amount in euros"):
        parse_amount(text)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        parse_amount("-100")


def test_amounts_are_shown_with_grouping_cents_and_currency(app):
    with app.test_request_context():
        assert format_eur(Decimal("120000")) == "€120,000.00"
        assert format_eur(Decimal("0.5")) == "€0.50"
        assert format_eur(None) == ""
    # French and German put the sign after the amount, with their own grouping and comma.
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_eur(Decimal("120000")) == "120\u202f000,00\xa0€"
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert format_eur(Decimal("120000")) == "120.000,00\xa0€"


# Need services


def test_resolving_a_need_dates_it_and_keeps_the_outcome(app, users, world):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        services.change_need_status(
            need,
            NeedStatus.RESOLVED,
            on=TODAY - timedelta(days=1),
            outcome=" COVID-RDI granted. ",
            actor=user(users["advisor"]),
        )
        db.session.commit()
        assert need.status is NeedStatus.RESOLVED
        assert need.resolved_on == TODAY - timedelta(days=1)
        assert need.closed_on is None
        assert need.outcome == "COVID-RDI granted."
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.record_type == "Need")
        ).one()
        assert entry.user_id == users["advisor"].id
        assert entry.changes["status"] == ["open", "resolved"]


def test_closing_then_reopening_a_need_moves_its_dates(app, users, world):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        actor = user(users["advisor"])
        services.change_need_status(
            need, NeedStatus.RESOLVED, on=TODAY, outcome="Granted", actor=actor
        )
        services.change_need_status(
            need, NeedStatus.CLOSED_UNRESOLVED, on=TODAY, outcome="Company closed", actor=actor
        )
        assert (need.resolved_on, need.closed_on) == (None, TODAY)
        assert need.outcome == "Company closed"
        services.change_need_status(need, NeedStatus.IN_PROGRESS, on=TODAY, actor=actor)
        assert (need.status, need.resolved_on, need.closed_on) == (
            NeedStatus.IN_PROGRESS,
            None,
            None,
        )


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-31, "before the need was identified")],
)
def test_a_need_status_change_date_is_checked(app, users, world, days, message):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        with pytest.raises(ValidationError, match=message) as error:
            services.change_need_status(
                need,
                NeedStatus.RESOLVED,
                on=TODAY + timedelta(days=days),
                outcome="x",
                actor=user(users["advisor"]),
            )
        assert error.value.field == "on"


def test_update_need_is_audited(app, users, world):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        services.update_need(
            need,
            description="Needs a bridge loan",
            urgency=Urgency.HIGH,
            owner=user(users["manager"]),
            actor=user(users["admin"]),
        )
        db.session.commit()
        assert (need.description, need.urgency, need.owner_id) == (
            "Needs a bridge loan",
            Urgency.HIGH,
            users["manager"].id,
        )
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.record_type == "Need")
        ).one()
        assert entry.user_id == users["admin"].id
        assert entry.changes["owner_id"] == [users["advisor"].id, users["manager"].id]
        assert entry.changes["urgency"] == ["normal", "high"]


def test_update_need_refuses_a_viewer_or_inactive_owner_but_keeps_a_deactivated_one(
    app, users, world
):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        admin = user(users["admin"])
        with pytest.raises(ValidationError, match="active advisor") as error:
            services.update_need(
                need, description="", urgency=Urgency.LOW, owner=user(users["viewer"]), actor=admin
            )
        assert error.value.field == "owner"
        advisor = user(users["advisor"])
        advisor.active = False
        # The current owner, though deactivated, does not block other edits.
        services.update_need(
            need, description="still theirs", urgency=Urgency.LOW, owner=advisor, actor=admin
        )
        assert need.description == "still theirs"
        manager = user(users["manager"])
        manager.active = False
        with pytest.raises(ValidationError, match="active advisor"):
            services.update_need(
                need, description="", urgency=Urgency.LOW, owner=manager, actor=admin
            )


def test_update_need_refuses_to_overwrite_someone_elses_change(app, users, world):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        seen = need.version
        services.update_need(
            need,
            description="changed by a colleague meanwhile",
            urgency=Urgency.HIGH,
            owner=None,
            actor=user(users["manager"]),
            version=seen,
        )
        db.session.commit()
        with pytest.raises(ValidationError, match="Someone else saved this need"):
            services.update_need(
                need,
                description="mine",
                urgency=Urgency.LOW,
                owner=None,
                actor=user(users["advisor"]),
                version=seen,
            )


# Solution services


def test_suggesting_a_solution_starts_its_history_and_moves_the_need(app, users, world):
    with app.app_context():
        need = factories.make_need(db.session.get(Need, world.need_id).company, "skills", on=TODAY)
        solution = services.suggest_solution(
            need=need, partner=" Materalia ", suggested_on=TODAY, actor=user(users["advisor"])
        )
        db.session.commit()
        assert solution.title == "Referral: Materalia"
        assert need.status is NeedStatus.IN_PROGRESS
        [change] = solution.changes
        assert (change.from_status, change.to_status, change.changed_on, change.changed_by_id) == (
            None,
            SolutionStatus.SUGGESTED,
            TODAY,
            users["advisor"].id,
        )
        with pytest.raises(ValidationError, match="instrument or name a partner"):
            services.suggest_solution(
                need=need, partner="  ", suggested_on=TODAY, actor=user(users["advisor"])
            )


def test_every_solution_move_is_kept_with_date_author_and_note(app, users, world):
    with app.app_context():
        solution = db.session.get(Solution, world.solution_id)
        advisor, manager = user(users["advisor"]), user(users["manager"])
        moves = [
            (SolutionStatus.IN_PREPARATION, TODAY - timedelta(days=15), advisor, ""),
            (SolutionStatus.SUBMITTED, TODAY - timedelta(days=10), advisor, "Filed online"),
            (SolutionStatus.GRANTED, TODAY - timedelta(days=2), manager, "Letter received"),
            # A correction back, then the right decision.
            (SolutionStatus.SUBMITTED, TODAY - timedelta(days=1), manager, "Granted by mistake"),
            (SolutionStatus.REJECTED, TODAY, manager, ""),
        ]
        for status, on, actor, note in moves:
            services.change_solution_status(solution, status, on=on, actor=actor, note=note)
        db.session.commit()
        history = [
            (c.from_status, c.to_status, c.changed_on, c.changed_by_id, c.note)
            for c in solution.changes
        ]
        assert history[0][:2] == (None, SolutionStatus.SUGGESTED)
        assert history[1:] == [
            (SolutionStatus.SUGGESTED, SolutionStatus.IN_PREPARATION, moves[0][1], advisor.id, ""),
            (
                SolutionStatus.IN_PREPARATION,
                SolutionStatus.SUBMITTED,
                moves[1][1],
                advisor.id,
                "Filed online",
            ),
            (
                SolutionStatus.SUBMITTED,
                SolutionStatus.GRANTED,
                moves[2][1],
                manager.id,
                "Letter received",
            ),
            (
                SolutionStatus.GRANTED,
                SolutionStatus.SUBMITTED,
                moves[3][1],
                manager.id,
                "Granted by mistake",
            ),
            (SolutionStatus.SUBMITTED, SolutionStatus.REJECTED, TODAY, manager.id, ""),
        ]
        assert solution.status is SolutionStatus.REJECTED
        assert solution.decided_on == TODAY


def test_a_decision_dates_the_solution_and_a_move_back_clears_it(app, users, world):
    with app.app_context():
        solution = db.session.get(Solution, world.solution_id)
        actor = user(users["advisor"])
        services.change_solution_status(
            solution,
            SolutionStatus.GRANTED,
            on=TODAY,
            amount_granted=Decimal("42000.5"),
            actor=actor,
        )
        assert (solution.decided_on, solution.amount_granted) == (TODAY, Decimal("42000.50"))
        services.change_solution_status(solution, SolutionStatus.SUBMITTED, on=TODAY, actor=actor)
        assert (solution.decided_on, solution.amount_granted) == (None, None)
        assert solution.amount_requested == Decimal("50000.00")


def test_the_same_status_again_updates_amounts_without_a_history_row(app, users, world):
    with app.app_context():
        solution = db.session.get(Solution, world.solution_id)
        services.change_solution_status(
            solution,
            SolutionStatus.SUGGESTED,
            on=TODAY,
            amount_requested=Decimal("75000"),
            actor=user(users["advisor"]),
        )
        db.session.commit()
        assert solution.amount_requested == Decimal("75000.00")
        assert len(solution.changes) == 1


@pytest.mark.parametrize(
    ("status", "kwargs", "field", "message"),
    [
        (SolutionStatus.SUBMITTED, {"on": TODAY + timedelta(days=1)}, "on", "in the future"),
        (SolutionStatus.SUBMITTED, {"on": TODAY - timedelta(days=21)}, "on", "before the solution"),
        (
            SolutionStatus.REJECTED,
            {"amount_granted": Decimal(1)},
            "amount_granted",
            "Only a granted",
        ),
        (
            SolutionStatus.GRANTED,
            {"amount_granted": Decimal(-1)},
            "amount_granted",
            "cannot be negative",
        ),
        (
            SolutionStatus.SUBMITTED,
            {"amount_requested": Decimal("1e12")},
            "amount_requested",
            "too large",
        ),
    ],
)
def test_solution_changes_are_checked(app, users, world, status, kwargs, field, message):
    with app.app_context():
        solution = db.session.get(Solution, world.solution_id)
        with pytest.raises(ValidationError, match=message) as error:
            services.change_solution_status(
                solution,
                status,
                **{"on": TODAY, **kwargs},
                actor=user(users["advisor"]),
            )
        assert error.value.field == field


# Pages: who may see them


def support_urls(world: World) -> list[tuple[str, str]]:
    return [
        ("get", f"/needs/{world.need_id}"),
        ("post", f"/needs/{world.need_id}/status"),
        ("post", f"/needs/{world.need_id}/edit"),
        ("post", f"/needs/{world.need_id}/solutions"),
        ("get", f"/solutions/{world.solution_id}"),
        ("post", f"/solutions/{world.solution_id}/status"),
    ]


def test_viewers_get_403_on_every_support_page(app, client, login_as, world):
    login_as("viewer")
    for method, url in support_urls(world):
        response = getattr(client, method)(
            url, data={"resolve-outcome": "x", "resolve-submit": "y", "status": "granted"}
        )
        assert response.status_code == 403, url
    with app.app_context():
        assert db.session.get(Need, world.need_id).status is NeedStatus.OPEN
        assert db.session.get(Solution, world.solution_id).status is SolutionStatus.SUGGESTED


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for method, url in support_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "manager", "advisor"])
def test_staff_see_need_and_solution_pages(client, login_as, world, role):
    login_as(role)
    assert client.get(f"/needs/{world.need_id}").status_code == 200
    assert client.get(f"/solutions/{world.solution_id}").status_code == 200
    assert client.get("/needs/99999").status_code == 404
    assert client.get("/solutions/99999").status_code == 404


def test_need_page_shows_the_need_its_solutions_and_their_history(app, client, login_as, world):
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        need.description = "<script>alert(1)</script> cash for the order book"
        solution = db.session.get(Solution, world.solution_id)
        services.change_solution_status(
            solution,
            SolutionStatus.SUBMITTED,
            on=TODAY - timedelta(days=3),
            note="Filed",
            actor=db.session.get(User, login_as("manager").id),
        )
        db.session.commit()
    html = client.get(f"/needs/{world.need_id}").get_data(as_text=True)
    assert "Cash and liquidity" in html
    assert "Moselle Precision Castings" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "COVID-RDI" in html
    assert "€50,000.00" in html
    assert "22 Nov 2026" in html and "Manager Tester" in html and "Filed" in html
    assert "badge-solution-submitted" in html and ">Submitted<" in html
    assert "Advisor Tester" in html  # the owner
    assert "26 Oct 2026" in html  # identified on


# Pages: changing a need


def need_page_version(client, need_id: int, slot: str) -> str:
    return form_version(client.get(f"/needs/{need_id}").get_data(as_text=True), f"{slot}-version")


def test_resolving_a_need_through_the_page(app, client, login_as, world):
    login_as("advisor")
    response = client.post(
        f"/needs/{world.need_id}/status",
        data={
            "resolve-on": "2026-11-20",
            "resolve-outcome": "Loan obtained",
            "resolve-submit": "y",
            "resolve-version": need_page_version(client, world.need_id, "resolve"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        assert (need.status, need.resolved_on, need.outcome) == (
            NeedStatus.RESOLVED,
            date(2026, 11, 20),
            "Loan obtained",
        )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Loan obtained" in html and "Resolved on" in html


def test_closing_a_need_and_setting_it_back_in_progress(app, client, login_as, world):
    login_as("advisor")
    client.post(
        f"/needs/{world.need_id}/status",
        data={
            "close-outcome": "The company was sold",
            "close-submit": "y",
            "close-version": need_page_version(client, world.need_id, "close"),
        },
    )
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        assert (need.status, need.closed_on) == (NeedStatus.CLOSED_UNRESOLVED, TODAY)
    client.post(
        f"/needs/{world.need_id}/status",
        data={
            "progress-status": "in_progress",
            "progress-submit": "y",
            "progress-version": need_page_version(client, world.need_id, "progress"),
        },
    )
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        assert (need.status, need.closed_on) == (NeedStatus.IN_PROGRESS, None)


def written_rows(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(count(m) for m in (AuditEntry, Need, Solution, SolutionStatusChange))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resolve-outcome": "", "resolve-submit": "y"}, "Say how the need was resolved."),
        (
            {"resolve-outcome": "ok", "resolve-on": "27/13/2026", "resolve-submit": "y"},
            "Not a valid date value.",
        ),
        (
            {"resolve-outcome": "ok", "resolve-on": "2026-11-26", "resolve-submit": "y"},
            "cannot be in the future",
        ),
        (
            {"resolve-outcome": "ok", "resolve-on": "2026-10-01", "resolve-submit": "y"},
            "before the need was identified",
        ),
        ({"close-outcome": " ", "close-submit": "y"}, "Say why the need is closed"),
        ({"progress-status": "resolved", "progress-submit": "y"}, "Not a valid choice."),
    ],
)
def test_bad_need_status_input_is_explained_and_nothing_is_written(
    app, client, login_as, world, data, message
):
    login_as("advisor")
    before = written_rows(app)
    slot = next(k for k in data if k.endswith("-submit")).removesuffix("-submit")
    version = need_page_version(client, world.need_id, slot)
    response = client.post(
        f"/needs/{world.need_id}/status", data={f"{slot}-version": version, **data}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert written_rows(app) == before
    with app.app_context():
        assert db.session.get(Need, world.need_id).status is NeedStatus.OPEN


def test_editing_a_need_through_the_page(app, client, login_as, users, world):
    login_as("advisor")
    html = client.get(f"/needs/{world.need_id}").get_data(as_text=True)
    version = html.split('name="edit-version" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/needs/{world.need_id}/edit",
        data={
            "edit-description": "Bridge loan",
            "edit-urgency": "high",
            "edit-owner": str(users["manager"].id),
            "edit-version": version,
            # Not offered by the form: ignored.
            "edit-status": "resolved",
            "status": "resolved",
            "edit-company_id": "999",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        need = db.session.get(Need, world.need_id)
        assert (need.description, need.urgency, need.owner_id) == (
            "Bridge loan",
            Urgency.HIGH,
            users["manager"].id,
        )
        assert (need.status, need.company_id) == (NeedStatus.OPEN, world.company_id)


def test_editing_a_need_someone_changed_meanwhile_is_refused(app, client, login_as, world):
    login_as("advisor")
    html = client.get(f"/needs/{world.need_id}").get_data(as_text=True)
    version = html.split('name="edit-version" type="hidden" value="')[1].split('"')[0]
    with app.app_context():
        db.session.get(Need, world.need_id).description = "A colleague's words"
        db.session.commit()
    response = client.post(
        f"/needs/{world.need_id}/edit",
        data={"edit-description": "Mine", "edit-urgency": "low", "edit-version": version},
    )
    html = response.get_data(as_text=True)
    assert "Someone else saved this need" in html
    assert "Mine" in html  # the user's text is kept in the form
    with app.app_context():
        assert db.session.get(Need, world.need_id).description == "A colleague's words"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"edit-owner": "viewer"}, "Choose an active advisor, manager or admin from the list."),
        ({"edit-owner": "inactive"}, "Choose an active advisor, manager or admin from the list."),
        ({"edit-owner": "999"}, "Choose an active advisor, manager or admin from the list."),
        ({"edit-owner": "abc"}, "Choose an active advisor, manager or admin from the list."),
        ({"edit-urgency": "extreme"}, "Not a valid choice."),
        ({"edit-description": "x" * 4001}, "Field cannot be longer than 4000 characters."),
    ],
)
def test_bad_need_edits_are_explained_and_nothing_is_written(
    app, client, login_as, users, world, data, message
):
    with app.app_context():
        factories.make_user(role="advisor", email="gone@example.lu")
        gone = db.session.scalar(db.select(User).where(User.email == "gone@example.lu"))
        gone.active = False
        db.session.commit()
        ids = {"viewer": str(users["viewer"].id), "inactive": str(gone.id)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    login_as("advisor")
    before = written_rows(app)
    response = client.post(
        f"/needs/{world.need_id}/edit",
        data={"edit-description": "d", "edit-urgency": "normal", **data},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert written_rows(app) == before


# Pages: suggesting a solution


def test_suggesting_a_solution_through_the_page(app, client, login_as, world):
    login_as("advisor")
    with app.app_context():
        instrument_id = factories.instrument("Fit 4 Digital").id
    response = client.post(
        f"/needs/{world.need_id}/solutions",
        data={
            "suggest-instrument": str(instrument_id),
            "suggest-amount_requested": "120 000",
            "suggest-suggested_on": "2026-11-24",
            "suggest-notes": "Call the provider first",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        solution = db.session.scalars(
            db.select(Solution).where(Solution.instrument_id == instrument_id)
        ).one()
        assert (solution.amount_requested, solution.suggested_on, solution.need_id) == (
            Decimal("120000.00"),
            date(2026, 11, 24),
            world.need_id,
        )
    html = client.get(f"/needs/{world.need_id}").get_data(as_text=True)
    assert "Fit 4 Digital" in html and "€120,000.00" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"suggest-instrument": "", "suggest-partner": ""},
            "Choose an instrument or name a partner.",
        ),
        ({"suggest-instrument": "99999"}, "Choose an instrument from the list."),
        ({"suggest-instrument": "x"}, "Choose an instrument from the list."),
        ({"suggest-amount_requested": "12 thousand"}, "Enter an amount in euros"),
        ({"suggest-amount_requested": "-5"}, "An amount cannot be negative."),
        ({"suggest-suggested_on": "yesterday"}, "Not a valid date value."),
        ({"suggest-suggested_on": "2026-11-26"}, "cannot be in the future"),
        ({"suggest-suggested_on": "2026-10-01"}, "before the need was identified"),
        ({"suggest-partner": "p" * 161}, "Field cannot be longer than 160 characters."),
    ],
)
def test_bad_suggestions_are_explained_and_nothing_is_written(
    app, client, login_as, world, data, message
):
    login_as("advisor")
    before = written_rows(app)
    response = client.post(
        f"/needs/{world.need_id}/solutions", data={"suggest-partner": "Materalia", **data}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert written_rows(app) == before


# Pages: moving a solution


def test_granting_a_solution_through_the_page(app, client, login_as, users, world):
    login_as("manager")
    page = client.get(f"/solutions/{world.solution_id}").get_data(as_text=True)
    response = client.post(
        f"/solutions/{world.solution_id}/status",
        data={
            "version": form_version(page),
            "status": "granted",
            "on": "2026-11-23",
            "amount_requested": "120.000,50",
            "amount_granted": "100,000",
            "note": "Decision letter",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        solution = db.session.get(Solution, world.solution_id)
        assert solution.status is SolutionStatus.GRANTED
        assert solution.amount_requested == Decimal("120000.50")
        assert solution.amount_granted == Decimal("100000.00")
        assert solution.decided_on == date(2026, 11, 23)
        last = solution.changes[-1]
        assert (last.to_status, last.changed_by_id, last.note) == (
            SolutionStatus.GRANTED,
            users["manager"].id,
            "Decision letter",
        )
    html = client.get(f"/solutions/{world.solution_id}").get_data(as_text=True)
    assert "€120,000.50" in html and "€100,000.00" in html
    assert "23 Nov 2026" in html and "Decision letter" in html and "Manager Tester" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "approved"}, "Not a valid choice."),
        ({"on": "23.11.2026"}, "Not a valid date value."),
        ({"on": "2026-11-26"}, "cannot be in the future"),
        ({"on": "2026-11-01"}, "before the solution was suggested"),
        ({"amount_requested": "1,2,3"}, "Enter an amount in euros"),
        ({"amount_granted": "lots"}, "Enter an amount in euros"),
        ({"status": "rejected", "amount_granted": "1000"}, "Only a granted solution"),
        ({"amount_granted": "100000000000"}, "That amount is too large."),
        ({"note": "n" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_solution_changes_are_explained_and_nothing_is_written(
    app, client, login_as, world, data, message
):
    login_as("advisor")
    before = written_rows(app)
    version = form_version(client.get(f"/solutions/{world.solution_id}").get_data(as_text=True))
    response = client.post(
        f"/solutions/{world.solution_id}/status",
        data={"status": "granted", "version": version, **data},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert written_rows(app) == before
    with app.app_context():
        assert db.session.get(Solution, world.solution_id).status is SolutionStatus.SUGGESTED


# The number of SQL statements does not grow with the data


def _need_with_solutions(users, n: int) -> int:
    company = factories.make_company(f"Company {n}", owner_id=users["advisor"].id)
    need = factories.make_need(company, on=TODAY - timedelta(days=30))
    for i in range(n):
        solution = factories.make_solution(
            need, "COVID-Invest" if i % 2 else None, on=TODAY - timedelta(days=20), partner="P"
        )
        solution.changes.append(
            SolutionStatusChange(
                from_status=SolutionStatus.SUGGESTED,
                to_status=SolutionStatus.SUBMITTED,
                changed_on=TODAY,
                changed_by_id=users["manager"].id if i % 2 else users["admin"].id,
            )
        )
        factories.make_followup(company, users["advisor"].id, due=TODAY, need=need)
    db.session.flush()
    return need.id


def test_need_and_solution_pages_send_the_same_statements_for_3_or_30_rows(
    app, client, login_as, users
):
    with app.app_context():
        small, large = _need_with_solutions(users, 3), _need_with_solutions(users, 30)
        db.session.commit()
        small_solution = db.session.get(Need, small).solutions[0].id
        large_solution = db.session.get(Need, large).solutions[0].id
        for solution_id in (small_solution, large_solution):
            solution = db.session.get(Solution, solution_id)
            for _ in range(1 if solution_id == small_solution else 20):
                solution.changes.append(
                    SolutionStatusChange(
                        to_status=SolutionStatus.DROPPED,
                        changed_on=TODAY,
                        changed_by_id=users["advisor"].id,
                    )
                )
        db.session.commit()
    login_as("advisor")
    counts = []
    for url in (
        f"/needs/{small}",
        f"/needs/{large}",
        f"/solutions/{small_solution}",
        f"/solutions/{large_solution}",
    ):
        with count_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[2] == counts[3], counts
