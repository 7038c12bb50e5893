"""Form posts cannot set what the form does not offer: roles, owners, authors, statuses,
versions, archive flags, or ids that move a record into another company.

Each test posts the form as a browser shows it (parsed from the page), plus the fields an
attacker would add, and checks the database afterwards.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories, walk
from tracker import dates
from tracker.extensions import db
from tracker.models import (
    Company,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    NeedStatus,
    Person,
    Report,
    ReportStatus,
    Role,
    Solution,
    SolutionStatus,
    User,
)

# How the forms refuse a value they did not offer.
REFUSED = re.compile(
    r"not a valid choice|from the list|choose one of this company|who work at the company"
)


@pytest.fixture
def records(app: Flask, users: dict[str, factories.UserInfo]) -> dict[str, int]:
    """Company A (the advisor's) and company B (another advisor's), each with a contact, a need
    and a solution; an interaction of the advisor at A."""
    with app.app_context():
        other = factories.make_user(role="advisor", email="other@example.lu", name="Other One")
        a = factories.make_company("Alpha Tooling S.A.", owner_id=users["advisor"].id)
        b = factories.make_company("Beta Wood S.à r.l.", owner_id=other.id)
        person_a = factories.make_person(a, "Anne Alpha")
        person_b = factories.make_person(b, "Bert Beta")
        need_a = factories.make_need(a, on=dates.today() - timedelta(days=5))
        need_b = factories.make_need(b, on=dates.today() - timedelta(days=5))
        solution_b = factories.make_solution(need_b, on=dates.today() - timedelta(days=4))
        interaction = factories.make_interaction(a, users["advisor"].id)
        interaction.people.append(person_a)
        db.session.commit()
        return {
            "other": other.id,
            "a": a.id,
            "b": b.id,
            "person_a": person_a.id,
            "person_b": person_b.id,
            "need_a": need_a.id,
            "need_b": need_b.id,
            "solution_b": solution_b.id,
            "interaction": interaction.id,
        }


def form_on(client: FlaskClient, page: str, action: str | None = None) -> dict[str, list[str]]:
    """What the form of `page` posting to `action` (by default: to the page) sends as shown."""
    response = client.get(page)
    assert response.status_code == 200, page
    target = walk.form_path(action or page)
    for form in walk.post_forms(response.get_data(as_text=True), page):
        if walk.form_path(form.action) == target:
            return form.defaults()
    raise AssertionError(f"no form posting to {target} on {page}")


def messages(response: Any) -> str:
    """The error messages a page shows (under fields and in alerts), lower-cased."""
    found = re.findall(
        r'class="(?:invalid-feedback[^"]*|alert[^"]*)"[^>]*>(.*?)</',
        response.get_data(as_text=True),
        flags=re.S,
    )
    return " | ".join(" ".join(m.split()) for m in found).lower()


def saved(response: Any) -> bool:
    assert response.status_code in (200, 302, 400), response.status_code
    assert response.status_code == 302, messages(response)
    return True


def row(app: Flask, model: type, record_id: int) -> dict[str, Any]:
    with app.app_context():
        record = db.session.get(model, record_id)
        assert record is not None
        return {c.key: getattr(record, c.key) for c in sa.inspect(model).column_attrs}


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_account_page_changes_the_name_and_nothing_else(
    app: Flask, client: FlaskClient, login_as: Any, users: dict[str, factories.UserInfo]
) -> None:
    advisor = login_as("advisor")
    before = row(app, User, advisor.id)
    data = form_on(client, "/account")
    data.update(
        name=["Renamed Advisor"],
        role=["admin"],
        active=[""],
        email=["someone.else@example.lu"],
        session_token=["chosen-token"],
        calendar_token=["chosen-calendar"],
        password_hash=["x"],
        clusters=["1"],
        created_at=["2000-01-01"],
        id=[str(users["admin"].id)],
    )
    response = client.post("/account", data=data)
    assert response.status_code == 302
    after = row(app, User, advisor.id)
    assert after["name"] == "Renamed Advisor"
    for column in ("role", "active", "email", "session_token", "calendar_token", "password_hash"):
        assert after[column] == before[column], column
    assert after["created_at"] == before["created_at"]
    assert row(app, User, users["admin"].id)["name"] == "Admin Tester"
    assert client.get("/admin/").status_code == 403


def test_company_edit_ignores_archive_dates_and_ids_it_does_not_offer(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, int]
) -> None:
    login_as("advisor")
    before = row(app, Company, records["b"])
    data = form_on(client, f"/companies/{records['b']}/edit")
    data.update(
        archived=["y"],
        id=[str(records["a"])],
        owner_id=[str(records["a"])],
        created_at=["2000-01-01T00:00:00"],
        updated_at=["2000-01-01T00:00:00"],
        erased_at=["2000-01-01T00:00:00"],
    )
    data["trade_name"] = ["Beta"]
    assert saved(client.post(f"/companies/{records['b']}/edit", data=data))
    after = row(app, Company, records["b"])
    assert after["trade_name"] == "Beta"
    for column in ("id", "archived", "owner_id", "created_at", "legal_name"):
        assert after[column] == before[column], column
    assert row(app, Company, records["a"])["trade_name"] is None


def test_company_owner_must_be_one_of_the_staff_offered(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
) -> None:
    login_as("advisor")
    data = form_on(client, f"/companies/{records['b']}/edit")
    data["owner"] = [str(users["viewer"].id)]
    response = client.post(f"/companies/{records['b']}/edit", data=data)
    assert response.status_code in (200, 400)
    assert REFUSED.search(messages(response)), messages(response)
    assert row(app, Company, records["b"])["owner_id"] == records["other"]


def test_a_contact_stays_in_the_company_of_the_url(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, int]
) -> None:
    login_as("advisor")
    a, b = records["a"], records["b"]
    data = form_on(client, f"/companies/{a}/people/new")
    data.update(
        name=["Carla Created"],
        company_id=[str(b)],
        archived=["y"],
        erased_at=["2020-01-01T00:00:00"],
        id=[str(records["person_b"])],
    )
    assert saved(client.post(f"/companies/{a}/people/new", data=data))
    with app.app_context():
        created = db.session.execute(
            sa.select(Person).where(Person.name == "Carla Created")
        ).scalar_one()
        assert (created.company_id, created.archived, created.erased_at) == (a, False, None)
        assert db.session.get(Person, records["person_b"]).name == "Bert Beta"

    edit = f"/companies/{a}/people/{records['person_a']}/edit"
    data = form_on(client, edit)
    data.update(company_id=[str(b)], archived=["y"])
    assert saved(client.post(edit, data=data))
    assert row(app, Person, records["person_a"])["company_id"] == a
    assert row(app, Person, records["person_a"])["archived"] is False

    # A contact of A reached through company B's address is not found there.
    data["name"] = ["Moved Away"]
    response = client.post(f"/companies/{b}/people/{records['person_a']}/edit", data=data)
    assert response.status_code == 404
    assert row(app, Person, records["person_a"])["name"] == "Anne Alpha"


def test_need_edit_cannot_move_the_need_or_set_its_status(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
) -> None:
    login_as("advisor")
    need = records["need_a"]
    before = row(app, Need, need)
    data = form_on(client, f"/needs/{need}", f"/needs/{need}/edit")
    data.update(
        {
            "edit-description": ["Bridge loan"],
            "edit-company_id": [str(records["b"])],
            "company_id": [str(records["b"])],
            "edit-status": ["resolved"],
            "status": ["resolved"],
            "edit-interaction_id": [str(records["interaction"])],
            "edit-resolved_on": ["2020-01-01"],
        }
    )
    assert saved(client.post(f"/needs/{need}/edit", data=data))
    after = row(app, Need, need)
    assert after["description"] == "Bridge loan"
    for column in ("company_id", "status", "interaction_id", "resolved_on", "category_id"):
        assert after[column] == before[column], column
    assert after["status"] is NeedStatus.OPEN

    data["edit-owner"] = [str(users["viewer"].id)]
    response = client.post(f"/needs/{need}/edit", data=data)
    assert REFUSED.search(messages(response)), messages(response)
    assert row(app, Need, need)["owner_id"] == before["owner_id"]


def test_a_suggested_solution_answers_the_need_of_the_url_and_starts_as_suggested(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, int]
) -> None:
    login_as("advisor")
    need = records["need_a"]
    data = form_on(client, f"/needs/{need}", f"/needs/{need}/solutions")
    data.update(
        {
            "suggest-partner": ["Materalia"],
            "suggest-instrument": [""],
            "suggest-need_id": [str(records["need_b"])],
            "need_id": [str(records["need_b"])],
            "suggest-status": ["granted"],
            "status": ["granted"],
            "suggest-amount_granted": ["100000"],
            "amount_granted": ["100000"],
            "suggest-decided_on": [dates.today().isoformat()],
        }
    )
    solutions_of_b = count(app, Solution)
    assert saved(client.post(f"/needs/{need}/solutions", data=data))
    with app.app_context():
        created = db.session.execute(
            sa.select(Solution).where(Solution.partner == "Materalia")
        ).scalar_one()
        assert created.need_id == need
        assert created.status is SolutionStatus.SUGGESTED
        assert (created.amount_granted, created.decided_on) == (None, None)
    assert count(app, Solution) == solutions_of_b + 1


@pytest.mark.parametrize(
    ("field", "key", "other_value"),
    [
        ("need", "need_b", None),
        ("solution", "solution_b", None),
        ("assignee", None, "viewer"),
    ],
)
def test_a_follow_up_refuses_records_of_another_company_and_non_staff_assignees(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
    field: str,
    key: str | None,
    other_value: str | None,
) -> None:
    login_as("advisor")
    page = f"/followups/new?company={records['a']}"
    data = form_on(client, page)
    data.update(title=["Call back"], due_on=[(dates.today() + timedelta(days=3)).isoformat()])
    data[field] = [str(records[key] if key else users[other_value or ""].id)]
    response = client.post(page, data=data)
    assert response.status_code in (200, 400)
    assert REFUSED.search(messages(response)), messages(response)
    assert count(app, FollowUp) == 0


def test_a_follow_up_ignores_company_author_and_status_it_does_not_offer(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
) -> None:
    login_as("advisor")
    page = f"/followups/new?company={records['a']}"
    data = form_on(client, page)
    data.update(
        title=["Send the form"],
        due_on=[(dates.today() + timedelta(days=3)).isoformat()],
        company_id=[str(records["b"])],
        company=[str(records["b"])],
        created_by_id=[str(records["other"])],
        status=["done"],
        done_on=[dates.today().isoformat()],
    )
    assert saved(client.post(page, data=data))
    with app.app_context():
        followup = db.session.execute(sa.select(FollowUp)).scalar_one()
        assert followup.company_id == records["a"]
        assert followup.created_by_id == users["advisor"].id
        assert (followup.status, followup.done_on) == (FollowUpStatus.OPEN, None)


def test_the_people_met_must_work_at_the_company_contacted(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, int]
) -> None:
    login_as("advisor")
    data = form_on(client, f"/interactions/new?company={records['a']}")
    data.update(summary=["Met Bert"], people=[str(records["person_b"])])
    interactions = count(app, Interaction)
    response = client.post("/interactions/new", data=data)
    assert response.status_code in (200, 400)
    text = messages(response)
    assert REFUSED.search(text), text
    assert count(app, Interaction) == interactions

    edit = f"/interactions/{records['interaction']}/edit"
    data = form_on(client, edit)
    data.update(people=[str(records["person_a"]), str(records["person_b"])])
    response = client.post(edit, data=data)
    text = messages(response)
    assert REFUSED.search(text), text
    with app.app_context():
        interaction = db.session.get(Interaction, records["interaction"])
        assert [p.id for p in interaction.people] == [records["person_a"]]


def test_an_interaction_is_always_the_author_s_and_stays_in_its_company(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
) -> None:
    login_as("advisor")
    data = form_on(client, f"/interactions/new?company={records['a']}")
    data.update(
        summary=["Logged by me"],
        advisor_id=[str(records["other"])],
        advisor=[str(records["other"])],
        archived=["y"],
    )
    assert saved(client.post("/interactions/new", data=data))
    with app.app_context():
        logged = db.session.execute(
            sa.select(Interaction).where(Interaction.summary == "Logged by me")
        ).scalar_one()
        assert (logged.advisor_id, logged.company_id) == (users["advisor"].id, records["a"])
        assert logged.archived is False

    edit = f"/interactions/{records['interaction']}/edit"
    data = form_on(client, edit)
    data.update(
        summary=["Revised"],
        advisor_id=[str(records["other"])],
        company_id=[str(records["b"])],
        archived=["y"],
    )
    assert saved(client.post(edit, data=data))
    after = row(app, Interaction, records["interaction"])
    assert after["summary"] == "Revised"
    assert (after["advisor_id"], after["company_id"]) == (users["advisor"].id, records["a"])
    assert after["archived"] is False


def test_a_generated_report_is_a_draft_of_its_author(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    records: dict[str, int],
    users: dict[str, factories.UserInfo],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login_as("advisor")
    data = form_on(client, "/reports", "/reports")
    data.update(
        status=["final"],
        generated_by_id=[str(records["other"])],
        finalised_by_id=[str(records["other"])],
        pdf_sha256=["0" * 64],
        summary=["Written by the advisor"],
    )
    assert saved(client.post("/reports", data=data))
    with app.app_context():
        report = db.session.execute(sa.select(Report)).scalar_one()
        assert report.status is ReportStatus.DRAFT
        assert report.generated_by_id == users["advisor"].id
        assert (report.finalised_by_id, report.pdf_sha256, report.summary) == (None, None, "")


def test_an_admin_user_form_cannot_set_the_session_or_calendar_token(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, int]
) -> None:
    login_as("admin")
    page = f"/admin/users/{records['other']}/edit"
    before = row(app, User, records["other"])
    data = form_on(client, page)
    data.update(
        session_token=["chosen"],
        calendar_token=["chosen-calendar"],
        password_hash=["x"],
        last_login_at=["2000-01-01T00:00:00"],
    )
    assert saved(client.post(page, data=data))
    after = row(app, User, records["other"])
    for column in ("session_token", "calendar_token", "password_hash", "last_login_at", "role"):
        assert after[column] == before[column], column
    assert after["role"] is Role.ADVISOR
