"""The managers' pipeline: each view's rules, who sees and moves what, exports, SQL statements,
and agreement with the monthly report.

Today is Wednesday 25 November 2026: "this month" runs from 1 to 25 November, "last month" is
October 2026 (its snapshots are read at the end of 31 October).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.helpers import count_statements
from tracker.extensions import db
from tracker.models import (
    Cluster,
    CompanyStatus,
    FollowUpStatus,
    Instrument,
    InstrumentKind,
    NeedStatus,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    User,
)
from tracker.pipeline import queries
from tracker.pipeline.filters import preset_period
from tracker.pipeline.queries import Scope
from tracker.reports.figures import compute_figures, solutions_by_instrument_and_status

TODAY = date(2026, 11, 25)
NOVEMBER = (date(2026, 11, 1), TODAY)
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
VIEWS = ["board", "unaddressed", "workload", "coverage", "funnel"]
URLS = ["/pipeline", *[f"/pipeline/{view}" for view in VIEWS]]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.dates.today", lambda: TODAY)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def advance(solution: Solution, *steps: tuple[SolutionStatus, date]) -> Solution:
    """Move a solution through `steps`, each kept in its history as the service keeps it."""
    for status, on in steps:
        solution.changes.append(
            SolutionStatusChange(from_status=solution.status, to_status=status, changed_on=on)
        )
        solution.status = status
        solution.decided_on = on if status.is_decided else None
    db.session.flush()
    return solution


def other_advisor(name: str = "Other Advisor", email: str = "other@example.lu", **kw):
    return factories.make_user(role="advisor", email=email, name=name, **kw)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def card_version(html: str, solution_id: int) -> str:
    """The solution's version carried by its card's move form on the board."""
    form = re.search(rf'action="/pipeline/solutions/{solution_id}/move".*?</form>', html, re.S)
    return re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------------------------
# Access
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [*URLS, "/pipeline/board?format=csv", "/pipeline/funnel?format=xlsx"]
)
def test_viewers_are_refused_every_view_and_export(client, login_as, url):
    login_as("viewer")
    assert client.get(url).status_code == 403


def test_viewers_cannot_move_a_card(app, client, login_as, users):
    with app.app_context():
        company = factories.make_company(owner_id=users["advisor"].id)
        solution = factories.make_solution(factories.make_need(company, on=ago(20)), on=ago(20))
        db.session.commit()
        solution_id = solution.id
    login_as("viewer")
    response = client.post(f"/pipeline/solutions/{solution_id}/move", data={"status": "dropped"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Solution, solution_id).status is SolutionStatus.SUGGESTED


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/pipeline/workload")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "manager", "advisor"])
def test_staff_open_every_view_and_see_it_in_the_navigation(client, login_as, role):
    login_as(role)
    for url in URLS:
        assert client.get(url).status_code == 200, url
    assert 'href="/pipeline"' in text(client.get("/"))


def test_viewers_do_not_see_the_pipeline_in_the_navigation(client, login_as):
    login_as("viewer")
    assert 'href="/pipeline"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", URLS)
def test_an_advisor_cannot_ask_for_another_advisors_part(app, client, login_as, users, url):
    with app.app_context():
        other = other_advisor()
        db.session.commit()
    login_as("advisor")
    assert client.get(f"{url}?advisor={other.id}").status_code == 403
    assert client.get(f"{url}?advisor={users['advisor'].id}").status_code == 200


def test_an_unknown_export_format_is_not_found(client, login_as):
    login_as("manager")
    assert client.get("/pipeline/funnel?format=pdf").status_code == 404


# ------------------------------------------------------------------------------------------
# Period and scope
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("this-month", date(2026, 11, 1), TODAY),
        ("last-month", date(2026, 10, 1), date(2026, 10, 31)),
        ("last-3-months", date(2026, 9, 1), TODAY),
        ("this-year", date(2026, 1, 1), TODAY),
    ],
)
def test_presets_mean_these_days(preset, first, last):
    assert preset_period(preset, TODAY) == (first, last)


def test_last_month_in_january_is_december():
    assert preset_period("last-month", date(2027, 1, 10)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_period_defaults_to_this_month_and_dates_win_over_a_preset(client, login_as):
    login_as("manager")
    assert "1 Nov 2026 – 25 Nov 2026" in text(client.get("/pipeline"))
    html = text(client.get("/pipeline/funnel?preset=this-year&from=2026-02-01&to=2026-02-28"))
    assert "1 Feb 2026 – 28 Feb 2026" in html
    # Dates that are a preset's show that preset as chosen.
    html = text(client.get("/pipeline/funnel?from=2026-10-01&to=2026-10-31"))
    assert re.search(r'btn-primary" href="[^"]*preset=last-month[^"]*" aria-current', html)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "Dates must look like 2026-03-31"),
        ("from=2026-11-20&to=2026-11-01", "The period ends before it starts"),
        ("from=0001-01-01&to=0002-01-01", "out of range"),
    ],
)
def test_bad_dates_fall_back_to_this_month_with_a_message(client, login_as, query, message):
    login_as("manager")
    html = text(client.get(f"/pipeline/board?{query}"))
    assert message in html
    assert "1 Nov 2026 – 25 Nov 2026" in html


def test_unknown_scope_values_are_left_out(client, login_as):
    login_as("manager")
    for query in ["cluster=nope", "advisor=999999", "instrument=abc", "category=%3Cscript%3E"]:
        assert client.get(f"/pipeline/board?{query}").status_code == 200


# ------------------------------------------------------------------------------------------
# Solutions board
# ------------------------------------------------------------------------------------------


@dataclass
class Board:
    advisor_company: int
    other_company: int
    fresh: int
    stale: int
    submitted: int
    granted: int
    rejected: int
    dropped: int
    other_id: int


@pytest.fixture
def board_world(app, users) -> Board:
    """An advisor's company (Acier Wiltz, materials) and another advisor's (Bois Clervaux, wood),
    with solutions at every status."""
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        wood = factories.make_cluster("wood", "Wood")
        other = other_advisor(clusters=[wood])
        mine = factories.make_company(
            "Acier Wiltz S.A.", owner_id=users["advisor"].id, clusters=[mm]
        )
        theirs = factories.make_company(
            "Bois Clervaux S.à r.l.", owner_id=other.id, clusters=[wood]
        )
        fresh = factories.make_solution(factories.make_need(mine, "liquidity", ago(40)), on=ago(30))
        stale = factories.make_solution(
            factories.make_need(mine, "investment", ago(70)),
            "SNCI loan",
            on=ago(60),
            amount_requested=Decimal("50000"),
        )
        advance(stale, (SolutionStatus.IN_PREPARATION, ago(31)))
        submitted = factories.make_solution(
            factories.make_need(theirs, "rdi-funding", ago(95)),
            "National R&D aid",
            on=ago(90),
            amount_requested=Decimal("200000"),
        )
        advance(submitted, (SolutionStatus.SUBMITTED, ago(10)))
        granted = factories.make_solution(
            factories.make_need(mine, "rdi-funding", ago(120)),
            "Fit 4 Innovation",
            on=ago(100),
            amount_requested=Decimal("90000"),
            amount_granted=Decimal("75000"),
        )
        advance(granted, (SolutionStatus.SUBMITTED, ago(80)), (SolutionStatus.GRANTED, ago(5)))
        rejected = factories.make_solution(
            factories.make_need(theirs, "liquidity", ago(200)), "COVID-Invest", on=ago(150)
        )
        advance(rejected, (SolutionStatus.SUBMITTED, ago(100)), (SolutionStatus.REJECTED, ago(40)))
        dropped = factories.make_solution(
            factories.make_need(theirs, "partnerships", ago(50)),
            None,
            on=ago(45),
            partner="Materalia",
        )
        advance(dropped, (SolutionStatus.DROPPED, ago(2)))
        db.session.commit()
        return Board(
            mine.id, theirs.id, fresh.id, stale.id, submitted.id, granted.id, rejected.id,
            dropped.id, other.id,
        )  # fmt: skip


def board_csv(client, query: str = "") -> dict[str, list[dict[str, str]]]:
    """The board's export, column by column."""
    columns: dict[str, list[dict[str, str]]] = {}
    for row in csv_rows(client.get(f"/pipeline/board?format=csv&{query}")):
        columns.setdefault(row["Status"], []).append(row)
    return columns


def test_board_shows_open_solutions_and_those_decided_in_the_period(client, login_as, board_world):
    login_as("manager")
    columns = board_csv(client)
    assert [r["Company"] for r in columns["Suggested"]] == ["Acier Wiltz S.A."]
    assert [r["Instrument or partner"] for r in columns["In preparation"]] == ["SNCI loan"]
    assert [r["Instrument or partner"] for r in columns["Submitted"]] == ["National R&D aid"]
    assert [r["Instrument or partner"] for r in columns["Granted"]] == ["Fit 4 Innovation"]
    assert [r["Instrument or partner"] for r in columns["Dropped"]] == ["Referral: Materalia"]
    assert "Rejected" not in columns  # rejected in October
    october = board_csv(client, "preset=last-month")
    assert [r["Instrument or partner"] for r in october["Rejected"]] == ["COVID-Invest"]
    assert "Granted" not in october and "Dropped" not in october
    assert len(october["Suggested"]) == len(october["Submitted"]) == 1  # open: whatever the period

    html = text(client.get("/pipeline"))
    for status, count in [("suggested", 1), ("granted", 1), ("rejected", 0), ("dropped", 1)]:
        assert f'data-testid="count-{status}">{count}<' in html
    assert "Bois Clervaux S.à r.l." in html and "Other Advisor" in html


def test_days_in_status_count_from_the_latest_change_and_stall_after_30(
    client, login_as, board_world
):
    login_as("manager")
    columns = board_csv(client)
    fresh, stale = columns["Suggested"][0], columns["In preparation"][0]
    assert (fresh["Days in status"], fresh["Stalled"]) == ("30", "no")
    assert (stale["Days in status"], stale["Stalled"]) == ("31", "yes")
    assert stale["In status since"] == ago(31).isoformat()
    assert columns["Submitted"][0]["Days in status"] == "10"
    october = board_csv(client, "preset=last-month")
    rejected = october["Rejected"][0]
    assert (rejected["Days in status"], rejected["Stalled"]) == ("40", "no")  # decided: never

    html = text(client.get("/pipeline"))
    assert html.count('class="badge badge-stalled"') == 1
    assert "31 days in status" in html and "30 days in status" in html


def test_cards_show_the_requested_amount_and_the_granted_one_once_granted(
    client, login_as, board_world
):
    login_as("manager")
    html = text(client.get("/pipeline"))
    assert '€50,000.00</span> <span class="text-body-secondary small">requested' in html
    assert '€75,000.00</span> <span class="text-body-secondary small">granted' in html
    assert "€90,000.00" not in html


@pytest.mark.parametrize(
    ("query", "companies"),
    [
        ("cluster=wood", {"Bois Clervaux S.à r.l."}),
        ("cluster=materials-manufacturing", {"Acier Wiltz S.A."}),
        ("category=rdi-funding", {"Acier Wiltz S.A.", "Bois Clervaux S.à r.l."}),
    ],
)
def test_board_scope_filters(client, login_as, board_world, query, companies):
    login_as("manager")
    rows = [row for rows in board_csv(client, query).values() for row in rows]
    assert {row["Company"] for row in rows} == companies
    if "category" in query:
        assert {row["Need"] for row in rows} == {"R&D and innovation funding"}


def test_board_instrument_and_advisor_filters(app, client, login_as, board_world):
    login_as("manager")
    with app.app_context():
        rdi = factories.instrument("National R&D aid").id
    rows = [r for rows in board_csv(client, f"instrument={rdi}").values() for r in rows]
    assert [r["Instrument or partner"] for r in rows] == ["National R&D aid"]
    rows = [
        r for rows in board_csv(client, f"advisor={board_world.other_id}").values() for r in rows
    ]
    assert {r["Company"] for r in rows} == {"Bois Clervaux S.à r.l."}


def test_an_advisor_sees_their_own_cards_and_may_move_any(app, client, login_as, board_world):
    """The board shows an advisor their part; moving a colleague's card is allowed, as on the
    solution page (DESIGN.md 3: advisors edit solutions)."""
    login_as("advisor")
    html = text(client.get("/pipeline"))
    assert "Acier Wiltz S.A." in html
    assert "Bois Clervaux" not in html and "Other Advisor" not in html
    assert html.count('<details class="board-move">') == 3  # fresh, stale, granted
    with app.app_context():
        colleague_version = str(db.session.get(Solution, board_world.submitted).version)
    response = client.post(
        f"/pipeline/solutions/{board_world.submitted}/move",
        data={
            "status": "rejected",
            "on": ago(1).isoformat(),
            "next": "/pipeline",
            "version": colleague_version,
        },
    )
    assert response.status_code == 303
    response = client.post(
        f"/pipeline/solutions/{board_world.fresh}/move",
        data={
            "status": "in_preparation",
            "on": ago(1).isoformat(),
            "next": "/pipeline",
            "version": card_version(html, board_world.fresh),
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/pipeline"
    with app.app_context():
        assert db.session.get(Solution, board_world.submitted).status is SolutionStatus.REJECTED
        assert db.session.get(Solution, board_world.fresh).status is SolutionStatus.IN_PREPARATION


def test_a_manager_moves_a_card_to_granted_with_date_amount_and_author(
    app, client, login_as, board_world, users
):
    login_as("manager")
    html = text(client.get("/pipeline?cluster=wood"))
    assert f'action="/pipeline/solutions/{board_world.submitted}/move"' in html
    response = client.post(
        f"/pipeline/solutions/{board_world.submitted}/move",
        data={
            "status": "granted",
            "on": ago(1).isoformat(),
            "amount_requested": "200 000",
            "amount_granted": "180,000.50",
            "next": "/pipeline/board?cluster=wood",
            "version": card_version(html, board_world.submitted),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/pipeline/board?cluster=wood"
    html = text(client.get(response.headers["Location"]))
    assert "National R&amp;D aid for Bois Clervaux S.à r.l. is now granted: €180,000.50." in html
    with app.app_context():
        solution = db.session.get(Solution, board_world.submitted)
        assert solution.status is SolutionStatus.GRANTED
        assert solution.decided_on == ago(1)
        assert solution.amount_granted == Decimal("180000.50")
        change = solution.changes[-1]
        assert (change.from_status, change.to_status) == (
            SolutionStatus.SUBMITTED,
            SolutionStatus.GRANTED,
        )
        assert (change.changed_on, change.changed_by_id) == (ago(1), users["manager"].id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "granted", "on": "2026-02-30"}, "Date: Not a valid date value."),
        ({"status": "granted", "amount_granted": "12,34,5"}, "Enter an amount in euros"),
        ({"status": "granted", "amount_requested": "-5"}, "An amount cannot be negative."),
        ({"status": "granted", "on": "2026-11-26"}, "cannot be in the future"),
        ({"status": "granted", "on": "2026-01-01"}, "before the solution was suggested"),
        ({"status": "rejected", "amount_granted": "100"}, "Only a granted solution"),
        ({"status": "funded"}, "Not a valid choice"),
    ],
)
def test_a_bad_move_says_why_and_writes_nothing(app, client, login_as, board_world, data, message):
    login_as("manager")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(SolutionStatusChange.id)))
    version = card_version(text(client.get("/pipeline")), board_world.submitted)
    response = client.post(
        f"/pipeline/solutions/{board_world.submitted}/move",
        data={**data, "next": "/pipeline", "version": version},
    )
    assert response.status_code == 303
    html = text(client.get("/pipeline"))
    assert "National R&amp;D aid for Bois Clervaux S.à r.l. was not moved." in html
    assert message in html
    with app.app_context():
        solution = db.session.get(Solution, board_world.submitted)
        assert solution.status is SolutionStatus.SUBMITTED
        assert solution.amount_requested == Decimal("200000.00")
        assert solution.amount_granted is None
        assert db.session.scalar(db.select(db.func.count(SolutionStatusChange.id))) == before


def test_a_move_without_the_csrf_token_is_refused(app, client, login_as, board_world):
    login_as("manager")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"/pipeline/solutions/{board_world.submitted}/move", data={"status": "dropped"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (303, 400)
    with app.app_context():
        assert db.session.get(Solution, board_world.submitted).status is SolutionStatus.SUBMITTED


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/pipeline", "/admin/"])
def test_a_move_returns_only_to_the_pipeline(client, login_as, board_world, target):
    login_as("manager")
    response = client.post(
        f"/pipeline/solutions/{board_world.fresh}/move",
        data={"status": "suggested", "next": target},
    )
    assert response.headers["Location"] == "/pipeline/board"


def test_moving_an_unknown_solution_is_not_found(client, login_as):
    login_as("manager")
    assert client.post("/pipeline/solutions/999999/move", data={}).status_code == 404


def test_a_long_column_shows_its_first_cards_and_pages_through_all(
    app, client, login_as, users, monkeypatch
):
    monkeypatch.setattr(queries, "BOARD_LIMIT", 2)
    with app.app_context():
        company = factories.make_company(owner_id=users["advisor"].id)
        for days in (5, 6, 7):
            factories.make_solution(factories.make_need(company, on=ago(days)), on=ago(days))
        db.session.commit()
    login_as("manager")
    html = text(client.get("/pipeline"))
    assert 'data-testid="count-suggested">3<' in html
    assert html.count('data-status="suggested"') == 2  # the two waiting longest
    assert "7 days in status" in html and "5 days in status" not in html
    assert 'href="/pipeline?column=suggested">Show all 3</a>' in html
    first = text(client.get("/pipeline/board?column=suggested"))
    assert "3 solutions" in first and first.count('data-status="suggested"') == 2
    second = text(client.get("/pipeline/board?column=suggested&page=2"))
    assert second.count('data-status="suggested"') == 1 and "5 days in status" in second
    assert len(csv_rows(client.get("/pipeline/board?column=suggested&format=csv"))) == 3


def test_a_decided_column_shows_the_latest_decisions_of_the_period_first(
    app, client, login_as, users, monkeypatch
):
    monkeypatch.setattr(queries, "BOARD_LIMIT", 2)
    with app.app_context():
        company = factories.make_company(owner_id=users["advisor"].id)
        granted = {}
        # Granted 3 days ago (twice), 8 days ago, and in October (outside this month).
        for name, days in [("early", 3), ("later", 3), ("older", 8), ("october", 40)]:
            need = factories.make_need(company, on=ago(days + 30))
            solution = factories.make_solution(need, on=ago(days + 30))
            granted[name] = advance(solution, (SolutionStatus.GRANTED, ago(days))).id
        db.session.commit()
    login_as("manager")
    html = text(client.get("/pipeline"))
    assert 'data-testid="count-granted">3<' in html  # this month's
    shown = re.findall(r'data-status="granted" aria-labelledby="card-(\d+)-title"', html)
    # The latest first; on one day, the latest recorded first.
    assert [int(i) for i in shown] == [granted["later"], granted["early"]]
    rest = text(client.get("/pipeline/board?column=granted&page=2"))
    assert rest.count('data-status="granted"') == 1 and "8 days in status" in rest
    rows = csv_rows(client.get("/pipeline/board?column=granted&format=csv"))
    exported = board_csv(client)["Granted"]
    assert [r["In status since"] for r in rows] == [r["In status since"] for r in exported] == [
        ago(3).isoformat(), ago(3).isoformat(), ago(8).isoformat(),
    ]  # fmt: skip


def test_an_empty_board_says_what_to_do_next(client, login_as):
    login_as("manager")
    html = text(client.get("/pipeline"))
    assert "No solutions in this scope and period." in html
    assert "Suggest a solution from a company’s need" in html


# ------------------------------------------------------------------------------------------
# Unaddressed needs
# ------------------------------------------------------------------------------------------


@pytest.fixture
def needs_world(app, users) -> dict[str, int]:
    with app.app_context():
        other = other_advisor()
        mine = factories.make_company("Acier Wiltz S.A.", owner_id=users["advisor"].id)
        theirs = factories.make_company("Bois Clervaux S.à r.l.", owner_id=other.id)
        owner = {"owner_id": users["advisor"].id}
        ids = {}
        for days in (13, 14, 15):
            ids[f"day{days}"] = factories.make_need(mine, "skills", ago(days), **owner).id
        answered = factories.make_need(mine, "investment", ago(20), **owner)
        factories.make_solution(answered, on=ago(18))
        late = factories.make_need(mine, "liquidity", ago(30), **owner)
        factories.make_solution(late, on=ago(2))
        factories.make_need(
            mine, "energy-sustainability", ago(40), status=NeedStatus.RESOLVED, resolved_on=ago(1)
        )
        ids["theirs"] = factories.make_need(
            theirs, "rdi-funding", ago(16), status=NeedStatus.IN_PROGRESS, owner_id=other.id
        ).id
        # Identified on 10 October, first answered on 3 November.
        october = factories.make_need(mine, "new-markets", date(2026, 10, 10), **owner)
        factories.make_solution(october, on=date(2026, 11, 3))
        ids["october"] = october.id
        db.session.commit()
    return ids


def unaddressed_csv(client, query: str = "") -> list[dict[str, str]]:
    return csv_rows(client.get(f"/pipeline/unaddressed?format=csv&{query}"))


def test_unaddressed_needs_are_open_14_days_or_more_without_a_solution(
    client, login_as, needs_world
):
    login_as("manager")
    rows = unaddressed_csv(client)
    assert [(r["Company"], r["Need"], r["Days open"]) for r in rows] == [
        ("Bois Clervaux S.à r.l.", "R&D and innovation funding", "16"),
        ("Acier Wiltz S.A.", "Skills and recruitment", "15"),
        ("Acier Wiltz S.A.", "Skills and recruitment", "14"),
    ]
    assert rows[1]["Owner"] == "Advisor Tester" and rows[1]["Identified on"] == "2026-11-10"
    html = text(client.get("/pipeline/unaddressed"))
    assert "3 unaddressed needs" in html
    for key in ("day14", "day15", "theirs"):
        assert f'href="/needs/{needs_world[key]}">Suggest a solution' in html
    assert f'href="/needs/{needs_world["day13"]}"' not in html


def test_unaddressed_needs_at_the_end_of_last_month(client, login_as, needs_world):
    login_as("manager")
    rows = unaddressed_csv(client, "preset=last-month")
    # At the end of October: the need of 10 October (answered on 3 November) and the one of
    # 16 October (resolved since) had waited 14 days or more; November's did not exist yet.
    assert [(r["Need"], r["Days open"]) for r in rows] == [
        ("New markets and diversification", "21"),
        ("Energy and sustainability", "15"),
    ]


def test_unaddressed_needs_by_scope(client, login_as, needs_world):
    login_as("manager")
    assert [r["Need"] for r in unaddressed_csv(client, "category=rdi-funding")] == [
        "R&D and innovation funding"
    ]
    client.post("/logout")
    login_as("advisor")
    assert {r["Company"] for r in unaddressed_csv(client)} == {"Acier Wiltz S.A."}
    assert "Bois Clervaux" not in text(client.get("/pipeline/unaddressed"))


def test_no_unaddressed_needs_is_good_news(client, login_as):
    login_as("manager")
    assert "nothing to chase" in text(client.get("/pipeline/unaddressed"))


# ------------------------------------------------------------------------------------------
# Workload
# ------------------------------------------------------------------------------------------


@pytest.fixture
def workload_world(app, users) -> dict[str, int]:
    advisor = users["advisor"].id
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        other = other_advisor("Bea Other", clusters=[mm])
        idle = other_advisor("Idle Advisor", "idle@example.lu", clusters=[mm])
        gone = other_advisor("Gone Advisor", "gone@example.lu", clusters=[mm])
        db.session.get(User, gone.id).active = False
        first = factories.make_company("Acier Wiltz S.A.", owner_id=advisor, clusters=[mm])
        second = factories.make_company("Capellen Composites", owner_id=advisor, clusters=[mm])
        factories.make_company("Archived Works", owner_id=advisor, clusters=[mm], archived=True)
        factories.make_company(
            "Closed Works", owner_id=advisor, clusters=[mm], status=CompanyStatus.CLOSED
        )
        theirs = factories.make_company("Bois Clervaux", owner_id=other.id, clusters=[mm])
        nobody = factories.make_company("Nobody's Foundry", clusters=[mm])
        for days in (0, 29, 30):  # the last 30 days are today and the 29 before
            factories.make_interaction(first, advisor, ago(days))
        factories.make_interaction(theirs, other.id, ago(3))
        factories.make_need(first, "liquidity", ago(10))
        open_need = factories.make_need(second, "investment", ago(10))
        factories.make_need(
            second, "skills", ago(20), status=NeedStatus.RESOLVED, resolved_on=ago(2)
        )
        factories.make_need(nobody, "skills", ago(5))
        factories.make_solution(open_need, on=ago(9))
        advance(factories.make_solution(open_need, on=ago(9)), (SolutionStatus.SUBMITTED, ago(3)))
        advance(factories.make_solution(open_need, on=ago(9)), (SolutionStatus.GRANTED, ago(2)))
        factories.make_followup(first, advisor, ago(1), title="Overdue")
        factories.make_followup(first, advisor, TODAY, title="Due today")
        factories.make_followup(
            first, advisor, ago(5), status=FollowUpStatus.DONE, done_on=ago(4), title="Done"
        )
        factories.make_followup(first, advisor, ago(5), status=FollowUpStatus.CANCELLED)
        # Due on 31 October and done on 3 November: overdue at the end of October only.
        factories.make_followup(
            second, advisor, date(2026, 10, 31), status=FollowUpStatus.DONE, done_on=ago(22)
        )
        factories.make_followup(theirs, other.id, ago(40), title="Long overdue")
        db.session.commit()
        return {"other": other.id, "idle": idle.id, "gone": gone.id}


def workload_csv(client, query: str = "") -> list[list[str]]:
    rows = csv_rows(client.get(f"/pipeline/workload?format=csv&{query}"))
    return [list(row.values()) for row in rows]


def test_workload_per_advisor_with_zeros_for_an_advisor_with_nothing(
    client, login_as, workload_world
):
    login_as("manager")
    assert workload_csv(client) == [
        ["Advisor Tester", "2", "2", "2", "2", "1"],
        ["Bea Other", "1", "1", "0", "0", "1"],
        ["Idle Advisor", "0", "0", "0", "0", "0"],
        ["No advisor", "1", "0", "1", "0", "0"],
    ]
    html = text(client.get("/pipeline/workload"))
    assert "Gone Advisor" not in html
    assert '<th scope="row">Total</th>' in html


def test_workload_lists_anyone_else_with_a_figure_in_name_order(
    app, client, login_as, workload_world
):
    """A former advisor who still owns a company has a figure: listed among the advisors, by
    name."""
    with app.app_context():
        gone = db.session.get(User, workload_world["gone"])
        factories.make_company("Left Behind S.A.", owner_id=gone.id)
        db.session.commit()
    login_as("manager")
    names = [row[0] for row in workload_csv(client)]
    assert names == ["Advisor Tester", "Bea Other", "Gone Advisor", "Idle Advisor", "No advisor"]
    assert workload_csv(client)[2] == ["Gone Advisor", "1", "0", "0", "0", "0"]


def test_workload_at_the_end_of_last_month(client, login_as, workload_world):
    login_as("manager")
    october = workload_csv(client, "preset=last-month")
    # On 31 October: two contacts in 2..31 October (26 and 27 October), the needs and solutions
    # of November did not exist yet, and the follow-up due that day, done on 3 November, was
    # overdue at its end.
    assert october[0] == ["Advisor Tester", "2", "2", "0", "0", "1"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["Advisor Tester", "Bea Other", "Idle Advisor", "No advisor"]),
        ("-name", ["Idle Advisor", "Bea Other", "Advisor Tester", "No advisor"]),
        ("-portfolio", ["Advisor Tester", "Bea Other", "Idle Advisor", "No advisor"]),
        ("portfolio", ["Idle Advisor", "Bea Other", "Advisor Tester", "No advisor"]),
        ("-overdue", ["Advisor Tester", "Bea Other", "Idle Advisor", "No advisor"]),
        ("contacts", ["Idle Advisor", "Bea Other", "Advisor Tester", "No advisor"]),
        ("bogus", ["Advisor Tester", "Bea Other", "Idle Advisor", "No advisor"]),
    ],
)
def test_workload_sorts_by_each_column(client, login_as, workload_world, sort, order):
    login_as("manager")
    assert [row[0] for row in workload_csv(client, f"sort={sort}")] == order
    html = text(client.get(f"/pipeline/workload?sort={sort}"))
    table = html[html.index("workload-table") :]
    positions = [table.index(f">{name}<") for name in order if name != "No advisor"]
    assert positions == sorted(positions)


def test_workload_links_sort_the_largest_first(client, login_as, workload_world):
    login_as("manager")
    html = text(client.get("/pipeline/workload"))
    assert 'href="/pipeline/workload?sort=-portfolio"' in html
    html = text(client.get("/pipeline/workload?sort=-portfolio"))
    assert 'aria-sort="descending"' in html and 'href="/pipeline/workload?sort=portfolio"' in html


def test_an_advisor_sees_only_their_own_workload(client, login_as, workload_world):
    login_as("advisor")
    assert workload_csv(client) == [["Advisor Tester", "2", "2", "2", "2", "1"]]


def test_workload_in_a_cluster_lists_that_clusters_advisors(app, client, login_as, workload_world):
    with app.app_context():
        factories.make_cluster("wood", "Wood")
        db.session.commit()
    login_as("manager")
    assert workload_csv(client, "cluster=wood") == []
    assert "No advisors in this scope yet" in text(client.get("/pipeline/workload?cluster=wood"))


# ------------------------------------------------------------------------------------------
# Coverage
# ------------------------------------------------------------------------------------------


@pytest.fixture
def coverage_world(app, users) -> dict[str, int]:
    advisor = users["advisor"].id
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        wood = factories.make_cluster("wood", "Wood")
        ids = {}
        for days in (89, 90, 179, 180):
            clusters = [mm, wood] if days == 180 else [mm]
            company = factories.make_company(f"Silent {days}", owner_id=advisor, clusters=clusters)
            factories.make_interaction(company, advisor, ago(days))
            factories.make_interaction(company, advisor, ago(days + 300))
            ids[f"silent{days}"] = company.id
        ids["never"] = factories.make_company("Never Called", clusters=[wood]).id
        factories.make_company("Archived Silence", owner_id=advisor, archived=True, clusters=[mm])
        db.session.commit()
    return ids


def test_coverage_counts_companies_silent_for_90_and_180_days(app, coverage_world, users):
    with app.app_context():
        by_advisor, by_cluster = queries.coverage_counts(Scope(), TODAY)
        assert [(c.name, c.companies, c.silent_90, c.silent_180) for c in by_advisor] == [
            ("Advisor Tester", 4, 3, 1),
            ("", 1, 1, 1),
        ]
        assert [(c.name, c.companies, c.silent_90, c.silent_180) for c in by_cluster] == [
            ("Materials & Manufacturing", 4, 3, 1),
            ("Wood", 2, 2, 2),
        ]
        total = queries.coverage_total(by_advisor)
        assert (total.companies, total.silent_90, total.silent_180) == (5, 4, 2)
        assert total.covered_pct == Decimal("20.0")


def test_coverage_lists_the_silent_companies_never_contacted_first(
    client, login_as, coverage_world
):
    login_as("manager")
    html = text(client.get("/pipeline/coverage"))
    assert 'data-testid="silent-90">4<' in html and 'data-testid="silent-180">2<' in html
    names = ["Never Called", "Silent 180", "Silent 179", "Silent 90"]
    positions = [html.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    assert ">Silent 89<" not in html and "Archived Silence" not in html
    for key in ("never", "silent90"):
        assert f'href="/interactions/new?company={coverage_world[key]}">Log a contact' in html
    rows = csv_rows(client.get("/pipeline/coverage?format=csv&days=180"))
    assert [(r["Company"], r["Last contact"], r["Days since last contact"]) for r in rows] == [
        ("Never Called", "", ""),
        ("Silent 180", ago(180).isoformat(), "180"),
    ]
    assert rows[1]["Clusters"] == "Materials & Manufacturing, Wood"


def test_coverage_by_cluster_and_advisor_scope(client, login_as, coverage_world):
    login_as("manager")
    rows = csv_rows(client.get("/pipeline/coverage?format=csv&cluster=wood"))
    assert [r["Company"] for r in rows] == ["Never Called", "Silent 180"]
    client.post("/logout")
    login_as("advisor")
    rows = csv_rows(client.get("/pipeline/coverage?format=csv"))
    assert [r["Company"] for r in rows] == ["Silent 180", "Silent 179", "Silent 90"]


def test_coverage_is_read_at_the_end_of_the_period(client, login_as, coverage_world):
    login_as("manager")
    # On 31 October the companies last called 89 and 90 days before today (28 and 27 August)
    # had been called within 90 days.
    rows = csv_rows(client.get("/pipeline/coverage?format=csv&preset=last-month"))
    assert [r["Company"] for r in rows] == ["Never Called", "Silent 180", "Silent 179"]


def test_coverage_of_an_empty_portfolio(client, login_as):
    login_as("manager")
    html = text(client.get("/pipeline/coverage"))
    assert "was contacted in the last 90 days" in html
    assert "No portfolio companies in this scope." in html


# ------------------------------------------------------------------------------------------
# Funnel
# ------------------------------------------------------------------------------------------


@pytest.fixture
def funnel_world(app, users) -> None:
    with app.app_context():
        company = factories.make_company(owner_id=users["advisor"].id)
        need = factories.make_need(company, on=date(2026, 9, 1))

        def solution(instrument, suggested, *steps, **fields):
            return advance(
                factories.make_solution(need, instrument, on=suggested, **fields), *steps
            )

        solution(
            "COVID-RDI",
            ago(20),
            (SolutionStatus.SUBMITTED, ago(15)),
            (SolutionStatus.GRANTED, ago(5)),
            amount_requested=Decimal("100000"),
            amount_granted=Decimal("80000.50"),
        )
        solution(
            "COVID-RDI",
            ago(24),
            (SolutionStatus.SUBMITTED, ago(14)),
            (SolutionStatus.REJECTED, ago(4)),
            amount_requested=Decimal("50000"),
        )
        solution("COVID-RDI", ago(3))
        # Suggested in October, granted in November: granted in the period, not suggested in it.
        solution(
            "COVID-RDI",
            date(2026, 10, 1),
            (SolutionStatus.SUBMITTED, date(2026, 10, 20)),
            (SolutionStatus.GRANTED, ago(10)),
            amount_requested=Decimal("30000"),
            amount_granted=Decimal("20000"),
        )
        solution(None, ago(11), (SolutionStatus.DROPPED, ago(1)), partner="Materalia")
        solution("SNCI loan", date(2026, 10, 5))  # nothing happened in November
        db.session.commit()


def test_funnel_by_instrument_with_rates_amounts_and_median(app, funnel_world):
    with app.app_context():
        rows, total = queries.funnel(Scope(), *NOVEMBER)
    covid, referral = rows
    assert (covid.instrument, covid.suggested, covid.submitted, covid.granted) == (
        "COVID-RDI", 3, 2, 2,
    )  # fmt: skip
    assert (covid.submitted_rate, covid.granted_rate) == (Decimal("66.7"), Decimal("100.0"))
    assert (covid.requested_eur, covid.granted_eur) == (Decimal("150000.00"), Decimal("100000.50"))
    # Decided in November: 15, 20 and 45 days after their suggestion.
    assert (covid.decided, covid.median_days) == (3, 20.0)
    assert (referral.instrument, referral.suggested, referral.submitted) == (
        "Referral: Materalia", 1, 0,
    )  # fmt: skip
    assert (referral.submitted_rate, referral.granted_rate, referral.median_days) == (
        Decimal("0.0"), None, 10.0,
    )  # fmt: skip
    assert (total.suggested, total.submitted, total.granted, total.decided) == (4, 2, 2, 4)
    assert total.median_days == 17.5  # 10, 15, 20, 45


@pytest.mark.parametrize(
    "days",
    [[7], [3, 9], [5, 5, 5, 12], [1, 2, 2, 40, 41, 300], [0, 0, 1], [4, 10, 10, 10, 11, 90, 91]],
)
def test_the_funnel_median_comes_from_counts_of_days(days):
    row = queries.FunnelRow("COVID-RDI")
    for taken in reversed(days):
        row.decision_days[taken] += 1
    row.decision_days[999] += 0  # a day whose decisions all repeat another in the period
    assert (row.decided, row.median_days) == (len(days), float(statistics.median(days)))
    assert queries.FunnelRow("Nothing decided").median_days is None


def test_funnel_page_and_export_show_n_a_for_a_division_by_zero(client, login_as, funnel_world):
    login_as("manager")
    rows = csv_rows(client.get("/pipeline/funnel?format=csv"))
    assert [r["Instrument"] for r in rows] == ["COVID-RDI", "Referral: Materalia", "Total"]
    assert rows[1]["Granted / submitted (%)"] == "n/a"
    assert rows[0]["Submitted / suggested (%)"] == "66.7"
    assert rows[2]["Granted (EUR)"] == "100000.50"
    html = text(client.get("/pipeline/funnel"))
    assert "n/a" in html and ">100,000.50<" in html and "66.7%" in html
    empty = text(client.get("/pipeline/funnel?from=2020-01-01&to=2020-01-31"))
    assert "No solution was suggested, submitted or decided in this period" in empty


def test_funnel_by_instrument_scope(app, client, login_as, funnel_world):
    with app.app_context():
        snci = factories.instrument("SNCI loan").id
    login_as("manager")
    rows = csv_rows(client.get(f"/pipeline/funnel?format=csv&instrument={snci}&preset=this-year"))
    assert [(r["Instrument"], r["Suggested"]) for r in rows] == [("SNCI loan", "1"), ("Total", "1")]


# ------------------------------------------------------------------------------------------
# Exports: every view, both formats, neutralised
# ------------------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1 Industries", "-2 Works", "@x Labs"]


@pytest.fixture
def hostile_world(app, users) -> None:
    """Companies and an instrument whose names a spreadsheet would run as formulas."""
    with app.app_context():
        db.session.add(Instrument(name="@SUM(A1)", kind=InstrumentKind.GRANT))
        db.session.flush()
        for name in HOSTILE:
            company = factories.make_company(name, owner_id=users["advisor"].id)
            need = factories.make_need(company, "liquidity", ago(20))
            factories.make_solution(need, "@SUM(A1)", on=ago(3))
            factories.make_need(company, "skills", ago(30))
        db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("view", "column", "expected"),
    [
        ("board", 1, HOSTILE),
        ("unaddressed", 0, HOSTILE),
        ("coverage", 0, HOSTILE),
        ("funnel", 0, ["@SUM(A1)"]),
    ],
)
def test_exports_neutralise_text_a_spreadsheet_would_run(
    client, login_as, hostile_world, fmt, view, column, expected
):
    login_as("manager")
    response = client.get(f"/pipeline/{view}?format={fmt}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=pipeline-{view}")
    assert disposition.endswith(f".{fmt}")
    if fmt == "csv":
        body = [list(row.values()) for row in csv_rows(response)]
    else:
        body = xlsx_rows(response)[1:]
    values = {row[column] for row in body}
    assert {"'" + name for name in expected} <= values
    assert not any(
        isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for r in body for v in r
    )


def test_workload_export_in_excel(client, login_as, workload_world):
    login_as("manager")
    rows = xlsx_rows(client.get("/pipeline/workload?format=xlsx"))
    assert rows[0] == [
        "Advisor", "Portfolio", "Contacts, last 30 days", "Open needs", "Open solutions",
        "Overdue follow-ups",
    ]  # fmt: skip
    assert rows[1] == ["Advisor Tester", 2, 2, 2, 2, 1]


def test_board_export_in_excel_has_dates_and_amounts(client, login_as, board_world):
    login_as("manager")
    header, *rows = xlsx_rows(client.get("/pipeline/board?format=xlsx"))
    row = dict(zip(header, next(r for r in rows if r[4] == "SNCI loan"), strict=True))
    assert row["Amount requested (EUR)"] == 50000
    assert row["In status since"].date() == ago(31)
    assert (row["Days in status"], row["Stalled"]) == (31, "yes")


def test_exports_follow_the_filters_in_their_file_name(client, login_as, coverage_world):
    login_as("manager")
    response = client.get("/pipeline/coverage?format=csv&cluster=wood&days=180")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=pipeline-coverage-180d-wood-2026-11-25.csv"
    )
    response = client.get("/pipeline/funnel?format=xlsx&preset=last-month")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=pipeline-funnel-2026-10-01-2026-10-31.xlsx"
    )


# ------------------------------------------------------------------------------------------
# A constant number of SQL statements per view
# ------------------------------------------------------------------------------------------


def bulk(app, users, n: int) -> None:
    """`n` companies of each advisor, each with a contact, a need, a solution and a follow-up."""
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        for owner in (users["advisor"].id, users["manager"].id):
            for i in range(n):
                company = factories.make_company(f"Firm {owner}-{i}", owner_id=owner, clusters=[mm])
                if i % 3:  # every third company was never contacted
                    factories.make_interaction(company, owner, ago(i * 7))
                need = factories.make_need(company, "liquidity", ago(20 + i))
                solution = factories.make_solution(need, on=ago(15 + i))
                if i % 3 == 1:
                    advance(solution, (SolutionStatus.GRANTED, ago(1)))
                factories.make_need(company, "skills", ago(30 + i))
                factories.make_followup(company, owner, ago(i % 5))
        db.session.commit()


def statements(app, client, url: str) -> int:
    client.get(url)  # warm up: the first request of a test may load what later ones reuse
    with count_statements(app) as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize(
    "url",
    [
        *URLS,
        "/pipeline/board?column=suggested",
        "/pipeline/workload?sort=-contacts",
        *[f"/pipeline/{view}?format=csv" for view in VIEWS],
        "/pipeline/board?format=xlsx",
    ],
)
def test_statements_do_not_grow_with_the_data(app, client, login_as, users, url):
    login_as("manager")
    bulk(app, users, 3)
    small = statements(app, client, url)
    bulk(app, users, 27)
    assert statements(app, client, url) == small


# ------------------------------------------------------------------------------------------
# Agreement with the monthly report
# ------------------------------------------------------------------------------------------


def test_the_pipeline_agrees_with_the_monthly_report_on_the_demo_data(app, client):
    from tracker.demo.seed import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
        month, (first, last) = "2026-10", OCTOBER
        clusters = [(None, "all"), *db.session.execute(db.select(Cluster.id, Cluster.slug))]
        overall = None
        for cluster_id, slug in clusters:
            report = compute_figures(month, cluster_id, scope=slug, edition="internal")
            overall = overall or report
            scope = Scope(cluster_id=cluster_id)

            rows, total = queries.funnel(scope, first, last)
            solutions = report["solutions"]
            assert total.suggested == solutions["suggested"], slug
            assert {r.instrument: r.suggested for r in rows if r.suggested} == solutions[
                "by_instrument"
            ]
            assert total.granted == solutions["granted"], slug
            assert float(total.granted_eur) == solutions["granted_amount_eur"], slug

            by_advisor, _ = queries.coverage_counts(scope, last)
            coverage = queries.coverage_total(by_advisor)
            assert coverage.companies == report["portfolio"]["companies"], slug
            assert float(coverage.covered_pct or 0) == report["activity"]["coverage_90d_pct"]

            workload = queries.workload(scope, last, TODAY)
            assert sum(r.portfolio for r in workload) == report["portfolio"]["companies"]
            assert sum(r.open_needs for r in workload) == report["needs"]["open_end"], slug
            assert sum(r.overdue for r in workload) == report["followups"]["overdue_end"], slug
            by_status = solutions_by_instrument_and_status(month, cluster_id)
            still_open = sum(
                counts[s.value]
                for counts in by_status.values()
                for s in SolutionStatus
                if not s.is_decided
            )
            assert sum(r.open_solutions for r in workload) == still_open, slug
        assert overall["solutions"]["suggested"] > 0 and overall["portfolio"]["companies"] > 100

    # And through the pages, as a manager reads them.
    client.post(
        "/login", data={"email": "sandra.kremer@demo.lu", "password": "demo-password-manager"}
    )
    funnel_total = csv_rows(client.get("/pipeline/funnel?format=csv&preset=last-month"))[-1]
    assert int(funnel_total["Suggested"]) == overall["solutions"]["suggested"]
    assert int(funnel_total["Granted"]) == overall["solutions"]["granted"]
    html = text(client.get("/pipeline/coverage?preset=last-month"))
    assert f'data-testid="portfolio-total">{overall["portfolio"]["companies"]}<' in html
