"""Two people editing the same record: the second save is refused, never a silent overwrite.

For every kind of record the user opens its form (or its page of buttons), someone else saves
through the service, then the user posts the stale form: the page says so and lists what the
other person changed (who, each field old → new), the database keeps the other person's
values, and posting again with the refreshed version applies the user's values knowingly.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories
from tests.helpers import form_version
from tracker import dates
from tracker.admin import services as admin_services
from tracker.companies import services as company_services
from tracker.events import services as event_services
from tracker.extensions import db
from tracker.followups import services as followup_services
from tracker.interactions import services as interaction_services
from tracker.models import (
    Cluster,
    Company,
    Event,
    FollowUp,
    FollowUpStatus,
    Instrument,
    InstrumentKind,
    Interaction,
    Liquidity,
    Market,
    Need,
    NeedCategory,
    NeedStatus,
    Person,
    Report,
    Solution,
    SolutionStatus,
    Urgency,
    User,
)
from tracker.reports import services as report_services
from tracker.support import services as support_services

CONFLICT = 'data-testid="edit-conflict"'
THEY = "Manager Tester"  # the other person in every test


def manager(users) -> User:
    return db.session.get(User, users["manager"].id)


def text(response) -> str:
    return response.get_data(as_text=True)


def assert_conflict(html: str, *theirs: str) -> None:
    """The refusal is shown with who changed what since the user's version."""
    assert CONFLICT in html
    assert "Someone else saved this" in html
    assert THEY in html
    for value in theirs:
        assert value in html, value


def assert_flashed_conflict(html: str, *theirs: str) -> None:
    """After a button's post: a message saying what the other person changed."""
    assert "Someone else changed this" in html and "nothing was done" in html
    assert THEY in html
    for value in theirs:
        assert value in html, value


# Companies and their contact persons


def company_form(**values: str) -> dict[str, str]:
    return {"legal_name": "Acier Wiltz S.A.", "country": "LU", "status": "active", **values}


@pytest.fixture
def company_id(app, users) -> int:
    with app.app_context():
        company = factories.make_company("Acier Wiltz S.A.")
        db.session.commit()
        return company.id


def test_company_edit(app, client, login_as, users, company_id):
    login_as("advisor")
    stale = form_version(text(client.get(f"/companies/{company_id}/edit")))
    with app.app_context():
        company = db.session.get(Company, company_id)
        details = company_services.CompanyDetails(legal_name="Acier Theirs", employees=40)
        company_services.update_company(
            company, details, actor=manager(users), version=company.version
        )
        db.session.commit()
    url = f"/companies/{company_id}/edit"
    response = client.post(url, data=company_form(legal_name="Acier Mine", version=stale))
    assert response.status_code == 200
    html = text(response)
    assert_conflict(html, "Legal name", "Acier Wiltz S.A.", "Acier Theirs", "40")
    assert 'value="Acier Mine"' in html  # the user's input is kept
    with app.app_context():
        assert db.session.get(Company, company_id).legal_name == "Acier Theirs"
    response = client.post(
        url, data=company_form(legal_name="Acier Mine", version=form_version(html))
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Company, company_id).legal_name == "Acier Mine"


def test_a_conflict_brings_the_fields_the_user_left_alone_up_to_date(
    app, client, login_as, users, company_id
):
    """Saving again must not undo the other person's change of a field this user never
    touched: those fields take the new values; a field both changed keeps this user's."""
    login_as("advisor")
    url = f"/companies/{company_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        company = db.session.get(Company, company_id)
        details = company_services.CompanyDetails(
            legal_name="Acier Wiltz S.A.", employees=77, locality="Differdange"
        )
        company_services.update_company(
            company, details, actor=manager(users), version=company.version
        )
        db.session.commit()
    # This user changed only the employees, and left the locality empty as they found it.
    response = client.post(url, data=company_form(employees="80", version=stale))
    html = text(response)
    assert_conflict(html, "Differdange", "77")
    assert re.search(r'<input[^>]*name="locality"[^>]*value="Differdange"', html)
    assert re.search(r'<input[^>]*name="employees"[^>]*value="80"', html)
    assert "The fields you had not changed now show their values" in html
    # Saving the form as shown keeps both changes.
    response = client.post(
        url,
        data=company_form(employees="80", locality="Differdange", version=form_version(html)),
    )
    assert response.status_code == 302
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert (company.employees, company.locality) == (80, "Differdange")


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-1", "99"])
def test_a_missing_or_garbled_version_is_refused(app, client, login_as, company_id, version):
    login_as("advisor")
    data = company_form(legal_name="Acier Mine")
    if version is not None:
        data["version"] = version
    response = client.post(f"/companies/{company_id}/edit", data=data)
    assert response.status_code == 200
    html = text(response)
    assert CONFLICT in html and "This form is out of date" in html
    with app.app_context():
        assert db.session.get(Company, company_id).legal_name == "Acier Wiltz S.A."
    # The form now carries the current version: saving again applies the user's values.
    response = client.post(
        f"/companies/{company_id}/edit", data={**data, "version": form_version(html)}
    )
    assert response.status_code == 302


def test_a_button_without_a_version_is_refused(app, client, login_as, users, company_id):
    with app.app_context():
        company = db.session.get(Company, company_id)
        followup_id = factories.make_followup(company, users["advisor"].id).id
        db.session.commit()
    login_as("advisor")
    response = client.post(
        f"/followups/{followup_id}/complete", data={"next": "/followups"}, follow_redirects=True
    )
    assert "This form is out of date" in text(response)
    with app.app_context():
        assert db.session.get(FollowUp, followup_id).status is FollowUpStatus.OPEN


def test_person_edit(app, client, login_as, users, company_id):
    with app.app_context():
        person_id = factories.make_person(db.session.get(Company, company_id), "Anne Schmit").id
        db.session.commit()
    login_as("advisor")
    url = f"/companies/{company_id}/people/{person_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        person = db.session.get(Person, person_id)
        details = company_services.PersonDetails(name="Anne Theirs", job_title="CFO")
        company_services.update_person(person, details, actor=manager(users), version=stale)
        db.session.commit()
    data = {"name": "Anne Mine", "lawful_basis": "consent", "version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Anne Schmit", "Anne Theirs", "CFO")
    assert 'value="Anne Mine"' in html
    with app.app_context():
        assert db.session.get(Person, person_id).name == "Anne Theirs"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id).name == "Anne Mine"


# Contacts and their health checks


@pytest.fixture
def interaction_id(app, users, company_id) -> int:
    with app.app_context():
        company = db.session.get(Company, company_id)
        interaction = factories.make_interaction(company, users["advisor"].id, summary="First.")
        db.session.commit()
        return interaction.id


def contact_form(**values: str) -> dict[str, str]:
    return {"occurred_on": dates.today().isoformat(), "type": "call", **values}


@pytest.mark.parametrize("what", ["contact", "health check"])
def test_interaction_edit(app, client, login_as, users, interaction_id, what):
    """A change to the contact or only to its health check refuses the stale form alike."""
    login_as("advisor")
    url = f"/interactions/{interaction_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        interaction_services.revise_interaction(
            interaction,
            occurred_on=interaction.occurred_on,
            type=interaction.type,
            summary="Their words." if what == "contact" else interaction.summary,
            people=[],
            health=interaction_services.HealthAnswers(liquidity=Liquidity.TIGHT),
            actor=manager(users),
            version=stale,
        )
        db.session.commit()
    data = contact_form(summary="My words.", version=stale)
    html = text(client.post(url, data=data))
    assert_conflict(html, "Liquidity", "tight")
    if what == "contact":
        assert "Their words." in html
    assert "My words." in html
    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        assert interaction.health_check.liquidity is Liquidity.TIGHT
        assert interaction.summary == ("Their words." if what == "contact" else "First.")
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        # Saved knowingly: the user's form had no health answers, so the check is removed.
        assert (interaction.summary, interaction.health_check) == ("My words.", None)


# Needs and solutions


@pytest.fixture
def need_id(app, users, company_id) -> int:
    with app.app_context():
        company = db.session.get(Company, company_id)
        need = factories.make_need(company, on=dates.today() - timedelta(days=10))
        need.owner_id = users["advisor"].id
        db.session.commit()
        return need.id


def their_need_change(app, users, need_id: int) -> None:
    with app.app_context():
        need = db.session.get(Need, need_id)
        support_services.update_need(
            need,
            description="Their description",
            urgency=Urgency.HIGH,
            owner=need.owner,
            actor=manager(users),
            version=need.version,
        )
        db.session.commit()


def test_need_edit(app, client, login_as, users, need_id):
    login_as("advisor")
    stale = form_version(text(client.get(f"/needs/{need_id}")), "edit-version")
    their_need_change(app, users, need_id)
    data = {"edit-description": "My description", "edit-urgency": "low", "edit-version": stale}
    html = text(client.post(f"/needs/{need_id}/edit", data=data))
    assert_conflict(html, "Their description", "High")
    assert "My description" in html
    with app.app_context():
        assert db.session.get(Need, need_id).description == "Their description"
    data["edit-version"] = form_version(html, "edit-version")
    assert client.post(f"/needs/{need_id}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Need, need_id).description == "My description"


def test_need_status_change(app, client, login_as, users, need_id):
    login_as("advisor")
    stale = form_version(text(client.get(f"/needs/{need_id}")), "resolve-version")
    their_need_change(app, users, need_id)
    data = {"resolve-outcome": "Loan obtained", "resolve-submit": "y", "resolve-version": stale}
    html = text(client.post(f"/needs/{need_id}/status", data=data))
    assert_conflict(html, "Their description")
    assert "Loan obtained" in html
    with app.app_context():
        assert db.session.get(Need, need_id).status is NeedStatus.OPEN
    data["resolve-version"] = form_version(html, "resolve-version")
    assert client.post(f"/needs/{need_id}/status", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Need, need_id).status is NeedStatus.RESOLVED


@pytest.fixture
def solution_id(app, users, need_id) -> int:
    with app.app_context():
        need = db.session.get(Need, need_id)
        need.company.owner_id = users["advisor"].id
        solution = factories.make_solution(need, on=dates.today() - timedelta(days=5))
        db.session.commit()
        return solution.id


def their_solution_change(app, users, solution_id: int) -> None:
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        support_services.change_solution_status(
            solution, SolutionStatus.SUBMITTED, on=dates.today(), actor=manager(users)
        )
        db.session.commit()


def test_solution_status_change(app, client, login_as, users, solution_id):
    login_as("advisor")
    stale = form_version(text(client.get(f"/solutions/{solution_id}")))
    their_solution_change(app, users, solution_id)
    data = {"status": "dropped", "note": "My note", "version": stale}
    html = text(client.post(f"/solutions/{solution_id}/status", data=data))
    assert_conflict(html, "suggested", "submitted")
    assert "My note" in html
    with app.app_context():
        assert db.session.get(Solution, solution_id).status is SolutionStatus.SUBMITTED
    data["version"] = form_version(html)
    assert client.post(f"/solutions/{solution_id}/status", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Solution, solution_id).status is SolutionStatus.DROPPED


def test_pipeline_card_move(app, client, login_as, users, solution_id):
    login_as("advisor")
    board = text(client.get("/pipeline/board"))
    stale = form_version(board[board.index(f"/pipeline/solutions/{solution_id}/move") :])
    their_solution_change(app, users, solution_id)
    data = {"status": "dropped", "next": "/pipeline/board", "version": stale}
    response = client.post(f"/pipeline/solutions/{solution_id}/move", data=data)
    assert response.status_code == 303
    html = text(client.get(response.headers["Location"]))
    assert "was not moved" in html
    assert_flashed_conflict(html, "suggested", "submitted")
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        assert solution.status is SolutionStatus.SUBMITTED
    # The refreshed board carries the new version; moving from it works.
    fresh = form_version(html[html.index(f"/pipeline/solutions/{solution_id}/move") :])
    assert fresh != stale
    data["version"] = fresh
    client.post(f"/pipeline/solutions/{solution_id}/move", data=data)
    with app.app_context():
        assert db.session.get(Solution, solution_id).status is SolutionStatus.DROPPED


# Follow-ups: the buttons of the list


ACTIONS = {
    "complete": ({}, FollowUpStatus.DONE),
    "cancel": ({}, FollowUpStatus.CANCELLED),
    "reschedule": ({"due_on": (dates.today() + timedelta(days=20)).isoformat()}, None),
    "reassign": ({"assignee": "manager"}, None),
    "reopen": ({}, FollowUpStatus.OPEN),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_follow_up_actions(app, client, login_as, users, company_id, action):
    data, status = ACTIONS[action]
    data = {k: str(users[v].id) if v in users else v for k, v in data.items()}
    with app.app_context():
        company = db.session.get(Company, company_id)
        followup = factories.make_followup(company, users["advisor"].id, dates.today())
        if action == "reopen":
            followup.status, followup.done_on = FollowUpStatus.DONE, dates.today()
        db.session.commit()
        followup_id = followup.id
    login_as("advisor")
    page = text(client.get("/followups"))
    row = page[page.index(f"/followups/{followup_id}/{action}") :]
    stale = form_version(row)
    their_due = dates.today() + timedelta(days=3)
    with app.app_context():
        followup = db.session.get(FollowUp, followup_id)
        if action == "reopen":  # someone reopened it, moved it, and marked it done again
            followup_services.reopen_followup(followup, actor=manager(users))
            followup_services.reschedule_followup(followup, their_due, actor=manager(users))
            followup_services.complete_followup(followup, on=dates.today(), actor=manager(users))
        else:
            followup_services.reschedule_followup(followup, their_due, actor=manager(users))
        db.session.commit()
        before = (followup.status, followup.due_on, followup.assignee_id)
    url = f"/followups/{followup_id}/{action}"
    response = client.post(url, data={**data, "next": "/followups", "version": stale})
    assert response.headers["Location"] == "/followups"
    html = text(client.get("/followups"))
    assert_flashed_conflict(html, "Call back", "Due on")
    with app.app_context():
        followup = db.session.get(FollowUp, followup_id)
        assert (followup.status, followup.due_on, followup.assignee_id) == before
        fresh = str(followup.version)
    client.post(url, data={**data, "next": "/followups", "version": fresh})
    with app.app_context():
        followup = db.session.get(FollowUp, followup_id)
        if status is not None:
            assert followup.status is status
        elif action == "reschedule":
            assert followup.due_on == dates.today() + timedelta(days=20)
        else:
            assert followup.assignee_id == users["manager"].id


# Events and who took part


@pytest.fixture
def event_id(app) -> int:
    with app.app_context():
        event = factories.make_event("Energy webinar")
        db.session.commit()
        return event.id


def test_event_edit(app, client, login_as, users, event_id):
    login_as("advisor")
    url = f"/events/{event_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        event = db.session.get(Event, event_id)
        event_services.update_event(
            event,
            title="Their webinar",
            held_on=event.held_on,
            format=event.format,
            partners="Materalia",
            actor=manager(users),
            version=stale,
        )
        db.session.commit()
    data = {
        "title": "My webinar",
        "held_on": dates.today().isoformat(),
        "format": "webinar",
        "version": stale,
    }
    html = text(client.post(url, data=data))
    assert_conflict(html, "Energy webinar", "Their webinar", "Materalia")
    assert 'value="My webinar"' in html
    with app.app_context():
        assert db.session.get(Event, event_id).title == "Their webinar"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).title == "My webinar"


def test_event_participants(app, client, login_as, users, event_id, company_id):
    with app.app_context():
        company = db.session.get(Company, company_id)
        anne = factories.make_person(company, "Anne Schmit")
        other = factories.make_company("Bois Clervaux")
        event = db.session.get(Event, event_id)
        event.companies = [company]
        db.session.commit()
        anne_id, other_id = anne.id, other.id
    login_as("advisor")
    url = f"/events/{event_id}/participants"
    stale = form_version(text(client.get(url)), "people-version")
    with app.app_context():
        event = db.session.get(Event, event_id)
        event_services.add_participants(
            event, [db.session.get(Company, other_id)], actor=manager(users), version=stale
        )
        db.session.commit()
    data = {"people-people": [str(anne_id)], "people-submit": "Save", "people-version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Companies", "Bois Clervaux")
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert ([p.id for p in event.people], len(event.companies)) == ([], 2)
    data["people-version"] = form_version(html, "people-version")
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert [p.id for p in event.people] == [anne_id]
        assert len(event.companies) == 2  # saving the people kept the other's company


# The report's summary


def test_report_summary(app, client, login_as, users):
    with app.app_context():
        report = report_services.generate_report(
            dates.today().strftime("%Y-%m"), None, "ministry", manager(users)
        )
        db.session.commit()
        report_id = report.id
    login_as("admin")
    stale = form_version(text(client.get(f"/reports/{report_id}")))
    with app.app_context():
        report = db.session.get(Report, report_id)
        report_services.update_summary(report, "Their summary.", manager(users), version=stale)
        db.session.commit()
    data = {"summary": "My summary.", "version": stale}
    response = client.post(f"/reports/{report_id}/summary", data=data)
    assert response.status_code == 409
    html = text(response)
    assert_conflict(html, "Summary", "Their summary.")
    assert "My summary." in html
    with app.app_context():
        assert db.session.get(Report, report_id).summary == "Their summary."
    data["version"] = form_version(html)
    assert client.post(f"/reports/{report_id}/summary", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Report, report_id).summary == "My summary."


# Admin: users, clusters and the catalogues


def test_user_edit(app, client, login_as, users):
    login_as("admin")
    url = f"/admin/users/{users['advisor'].id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        admin_services.update_user(
            user,
            email=user.email,
            name="Advisor Theirs",
            role=user.role,
            active=True,
            clusters=user.clusters,
            actor=manager(users),
            version=stale,
        )
        db.session.commit()
    data = {
        "name": "Advisor Mine",
        "email": "advisor@example.lu",
        "role": "advisor",
        "active": "y",
        "version": stale,
    }
    html = text(client.post(url, data=data))
    assert_conflict(html, "Advisor Tester", "Advisor Theirs")
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Theirs"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Mine"


def test_a_user_using_their_account_meanwhile_is_no_conflict(app, client, login_as, users):
    """Signing in or renewing one's calendar link changes the user's row, but nothing the
    admin's form shows: the admin's save goes through."""
    login_as("admin")
    url = f"/admin/users/{users['advisor'].id}/edit"
    stale = form_version(text(client.get(url)))
    other = app.test_client()
    signed_in = other.post(
        "/login", data={"email": "advisor@example.lu", "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302
    assert other.post("/followups/calendar").status_code == 302
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert user.calendar_token is not None and str(user.version) != stale
    data = {
        "name": "Advisor Mine",
        "email": "advisor@example.lu",
        "role": "advisor",
        "active": "y",
        "version": stale,
    }
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Mine"


def test_cluster_edit(app, client, login_as, users):
    with app.app_context():
        cluster_id = db.session.scalar(db.select(Cluster.id))
    login_as("admin")
    url = f"/admin/clusters/{cluster_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        cluster = db.session.get(Cluster, cluster_id)
        admin_services.update_cluster(
            cluster, name="Their cluster", description="", actor=manager(users), version=stale
        )
        db.session.commit()
    data = {"name": "My cluster", "description": "", "version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Materials &amp; Manufacturing", "Their cluster")
    with app.app_context():
        assert db.session.get(Cluster, cluster_id).name == "Their cluster"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Cluster, cluster_id).name == "My cluster"


def test_need_category_edit(app, client, login_as, users):
    with app.app_context():
        category_id = factories.category("skills").id
    login_as("admin")
    url = f"/admin/need-categories/{category_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        category = db.session.get(NeedCategory, category_id)
        admin_services.update_need_category(
            category,
            name="Their skills",
            position=3,
            active=True,
            actor=manager(users),
            version=stale,
        )
        db.session.commit()
    data = {"name": "My skills", "position": "4", "active": "y", "version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Their skills")
    with app.app_context():
        assert db.session.get(NeedCategory, category_id).name == "Their skills"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(NeedCategory, category_id).name == "My skills"


def test_instrument_edit(app, client, login_as, users):
    with app.app_context():
        instrument_id = factories.instrument("COVID-RDI").id
    login_as("admin")
    url = f"/admin/instruments/{instrument_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        instrument = db.session.get(Instrument, instrument_id)
        admin_services.update_instrument(
            instrument,
            name="COVID-RDI",
            kind=InstrumentKind.GRANT,
            provider="Their ministry",
            description="",
            active_from=None,
            active_to=None,
            actor=manager(users),
            version=stale,
        )
        db.session.commit()
    data = {"name": "COVID-RDI", "kind": "grant", "provider": "My ministry", "version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Their ministry")
    assert 'value="My ministry"' in html
    with app.app_context():
        assert db.session.get(Instrument, instrument_id).provider == "Their ministry"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Instrument, instrument_id).provider == "My ministry"


def test_market_edit(app, client, login_as, users):
    with app.app_context():
        market_id = db.session.scalar(db.select(Market.id).where(Market.slug == "space"))
    login_as("admin")
    url = f"/admin/markets/{market_id}/edit"
    stale = form_version(text(client.get(url)))
    with app.app_context():
        market = db.session.get(Market, market_id)
        admin_services.update_market(
            market, name="Their space", active=True, actor=manager(users), version=stale
        )
        db.session.commit()
    data = {"name": "My space", "active": "y", "version": stale}
    html = text(client.post(url, data=data))
    assert_conflict(html, "Their space")
    with app.app_context():
        assert db.session.get(Market, market_id).name == "Their space"
    assert client.post(url, data={**data, "version": form_version(html)}).status_code == 302
    with app.app_context():
        assert db.session.get(Market, market_id).name == "My space"
