"""Follow-ups: who may act, the transitions, my list by due date, and the calendar feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import icalendar
import pytest

from tests import factories
from tests.helpers import count_statements
from tracker.common.errors import NotAllowed, ValidationError
from tracker.extensions import db
from tracker.followups import services
from tracker.models import AuditEntry, Company, FollowUp, FollowUpStatus, User

TODAY = date(2026, 11, 25)  # a Wednesday; that week ends on Sunday 29 November


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.dates.today", lambda: TODAY)


@dataclass
class World:
    company_id: int  # owned by the advisor
    other_company_id: int  # owned by the second advisor
    other_advisor_id: int


@pytest.fixture
def world(app, users) -> World:
    with app.app_context():
        other = factories.make_user(role="advisor", email="other@example.lu", name="Other Advisor")
        company = factories.make_company("Moselle Precision Castings", owner_id=users["advisor"].id)
        other_company = factories.make_company("Ardennes Wood Works", owner_id=other.id)
        db.session.commit()
        return World(company.id, other_company.id, other.id)


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def make_followup(company_id: int, assignee_id: int, due: date, **fields) -> int:
    followup = factories.make_followup(
        db.session.get(Company, company_id), assignee_id, due=due, **fields
    )
    db.session.commit()
    return followup.id


def followup_state(app, followup_id: int) -> tuple:
    with app.app_context():
        f = db.session.get(FollowUp, followup_id)
        return (f.status, f.due_on, f.assignee_id, f.done_on)


def seen(app, followup_id: int) -> str:
    """The follow-up's version, as a freshly loaded list shows it in each row's forms."""
    with app.app_context():
        return str(db.session.get(FollowUp, followup_id).version)


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(AuditEntry.id)))


# Services: who may act


def test_who_may_act_on_a_follow_up(app, users, world):
    with app.app_context():
        # Assigned to the other advisor, created by the manager, on the advisor's company.
        f = db.session.get(
            FollowUp,
            make_followup(
                world.company_id,
                world.other_advisor_id,
                TODAY,
                created_by_id=users["manager"].id,
            ),
        )
        third = factories.make_user(role="advisor", email="third@example.lu")
        may = {
            "assignee": services.may_act_on(user(world.other_advisor_id), f),
            "creator": services.may_act_on(user(users["manager"].id), f),
            "admin": services.may_act_on(user(users["admin"].id), f),
            "company owner": services.may_act_on(user(users["advisor"].id), f),
            "another advisor": services.may_act_on(user(third.id), f),
            "viewer": services.may_act_on(user(users["viewer"].id), f),
        }
        assert may == {
            "assignee": True,
            "creator": True,
            "admin": True,
            "company owner": True,
            "another advisor": True,  # DESIGN.md 3: advisors edit follow-ups
            "viewer": False,
        }
        with pytest.raises(NotAllowed):
            services.check_may_act(f, user(users["viewer"].id))


# Services: transitions


def test_follow_up_transitions(app, users, world):
    with app.app_context():
        actor = user(users["advisor"].id)
        f = db.session.get(FollowUp, make_followup(world.company_id, actor.id, TODAY))
        services.complete_followup(f, on=TODAY, actor=actor)
        assert (f.status, f.done_on) == (FollowUpStatus.DONE, TODAY)
        with pytest.raises(ValidationError, match="already done"):
            services.complete_followup(f, on=TODAY, actor=actor)
        with pytest.raises(ValidationError, match="already done"):
            services.reschedule_followup(f, TODAY, actor=actor)
        services.reopen_followup(f, actor=actor)
        assert (f.status, f.done_on) == (FollowUpStatus.OPEN, None)
        services.reschedule_followup(f, TODAY + timedelta(days=7), actor=actor)
        assert f.due_on == TODAY + timedelta(days=7)
        services.reassign_followup(f, user(users["manager"].id), actor=actor)
        assert f.assignee_id == users["manager"].id
        services.cancel_followup(f, actor=actor)
        assert (f.status, f.done_on) == (FollowUpStatus.CANCELLED, None)
        with pytest.raises(ValidationError, match="already cancelled"):
            services.cancel_followup(f, actor=actor)
        db.session.commit()
        entries = db.session.scalars(
            db.select(AuditEntry).where(
                AuditEntry.record_type == "FollowUp", AuditEntry.record_id == f.id
            )
        ).all()
        assert len(entries) == 5
        assert all(e.user_id == actor.id for e in entries)


def test_follow_ups_go_only_to_active_staff(app, users, world):
    with app.app_context():
        actor = user(users["advisor"].id)
        f = db.session.get(FollowUp, make_followup(world.company_id, actor.id, TODAY))
        with pytest.raises(ValidationError, match="active advisor or manager"):
            services.reassign_followup(f, user(users["viewer"].id), actor=actor)
        gone = user(world.other_advisor_id)
        gone.active = False
        with pytest.raises(ValidationError, match="active advisor or manager") as error:
            services.create_followup(
                company=f.company, title="Call", due_on=TODAY, assignee=gone, actor=actor
            )
        assert error.value.field == "assignee"


def test_regenerating_the_calendar_token_replaces_it(app, users):
    with app.app_context():
        advisor = user(users["advisor"].id)
        assert advisor.calendar_token is None
        first = services.regenerate_calendar_token(advisor)
        second = services.regenerate_calendar_token(advisor)
        assert first != second and len(second) >= 40
        assert advisor.calendar_token == second


# Services: grouping by due date


@pytest.mark.parametrize(
    ("on", "due", "group"),
    [
        (TODAY, TODAY - timedelta(days=1), "overdue"),
        (TODAY, TODAY - timedelta(days=400), "overdue"),
        (TODAY, TODAY, "today"),
        (TODAY, TODAY + timedelta(days=1), "this_week"),
        (TODAY, date(2026, 11, 29), "this_week"),  # Sunday
        (TODAY, date(2026, 11, 30), "later"),  # next Monday
        (date(2026, 11, 29), date(2026, 11, 30), "later"),  # on a Sunday, Monday is later
        (date(2026, 11, 23), date(2026, 11, 29), "this_week"),  # from Monday to Sunday
    ],
)
def test_follow_ups_are_grouped_by_due_date(on, due, group):
    followup = FollowUp(title="x", due_on=due)
    groups = services.group_by_due([followup], on)
    assert {name: getattr(groups, name) for name in ("overdue", "today", "this_week", "later")}[
        group
    ] == [followup]
    assert groups


def test_no_follow_up_means_an_empty_grouping():
    assert not services.group_by_due([], TODAY)


# Pages: who may see and act


FOLLOWUP_POSTS = ["complete", "cancel", "reopen", "reschedule", "reassign"]


def test_viewers_get_403_on_every_follow_up_page(app, client, login_as, users, world):
    with app.app_context():
        f = make_followup(world.company_id, users["advisor"].id, TODAY)
    login_as("viewer")
    assert client.get("/followups").status_code == 403
    assert client.get(f"/followups/new?company={world.company_id}").status_code == 403
    assert client.post(f"/followups/new?company={world.company_id}").status_code == 403
    assert client.post("/followups/calendar").status_code == 403
    for action in FOLLOWUP_POSTS:
        response = client.post(
            f"/followups/{f}/{action}",
            data={"due_on": "2026-12-01", "assignee": str(users["viewer"].id)},
        )
        assert response.status_code == 403, action
    assert followup_state(app, f) == (FollowUpStatus.OPEN, TODAY, users["advisor"].id, None)
    with app.app_context():
        assert user(users["viewer"].id).calendar_token is None


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for url in ("/followups", f"/followups/new?company={world.company_id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("action", FOLLOWUP_POSTS)
def test_an_advisor_may_act_on_another_advisors_follow_up(
    app, client, login_as, users, world, action
):
    """DESIGN.md 3: advisors edit follow-ups, not only their own (a colleague covers)."""
    with app.app_context():
        f = make_followup(world.other_company_id, world.other_advisor_id, TODAY)
    before = audit_count(app)
    login_as("advisor")
    response = client.post(
        f"/followups/{f}/{action}",
        data={
            "due_on": "2026-12-01",
            "assignee": str(users["advisor"].id),
            "version": seen(app, f),
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert audit_count(app) > before or action == "reopen"


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_act_on_anyones_follow_up(app, client, login_as, users, world, role):
    with app.app_context():
        f = make_followup(world.other_company_id, world.other_advisor_id, TODAY)
    login_as(role)
    response = client.post(
        f"/followups/{f}/reschedule", data={"due_on": "2026-12-02", "version": seen(app, f)}
    )
    assert response.status_code == 302
    assert followup_state(app, f)[1] == date(2026, 12, 2)
    client.post(
        f"/followups/{f}/reassign",
        data={"assignee": str(users["advisor"].id), "version": seen(app, f)},
    )
    assert followup_state(app, f)[2] == users["advisor"].id
    client.post(f"/followups/{f}/complete", data={"version": seen(app, f)})
    assert followup_state(app, f)[0] is FollowUpStatus.DONE
    client.post(f"/followups/{f}/reopen", data={"version": seen(app, f)})
    client.post(f"/followups/{f}/cancel", data={"version": seen(app, f)})
    assert followup_state(app, f)[0] is FollowUpStatus.CANCELLED


def test_an_advisor_acts_on_follow_ups_of_a_company_they_own(app, client, login_as, world):
    with app.app_context():
        f = make_followup(world.company_id, world.other_advisor_id, TODAY)
    login_as("advisor")
    assert (
        client.post(f"/followups/{f}/complete", data={"version": seen(app, f)}).status_code == 302
    )
    assert followup_state(app, f)[0] is FollowUpStatus.DONE


def test_unknown_follow_ups_are_404(client, login_as, world):
    login_as("advisor")
    assert client.post("/followups/99999/complete").status_code == 404


def test_advisors_see_only_their_own_list(app, client, login_as, users, world):
    with app.app_context():
        make_followup(world.other_company_id, world.other_advisor_id, TODAY, title="Theirs")
    login_as("advisor")
    assert client.get(f"/followups?assignee={world.other_advisor_id}").status_code == 403
    assert "Theirs" not in client.get("/followups").get_data(as_text=True)
    own = client.get(f"/followups?assignee={users['advisor'].id}")
    assert own.status_code == 200


def test_a_manager_views_an_advisors_list(app, client, login_as, world):
    with app.app_context():
        make_followup(world.other_company_id, world.other_advisor_id, TODAY, title="Theirs")
    login_as("manager")
    response = client.get(f"/followups?assignee={world.other_advisor_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Follow-ups of Other Advisor" in html and "Theirs" in html
    assert "Calendar feed" not in html  # someone else's secret is not shown
    assert client.get("/followups?assignee=99999").status_code == 404
    # The list to switch to: every active member of staff, the one shown chosen, "me" marked.
    select = html.split('id="assignee-filter"', 1)[1].split("</select>", 1)[0]
    assert f'<option selected value="{world.other_advisor_id}">Other Advisor</option>' in select
    assert select.count(" (me)</option>") == 1
    # Its reassign selects offer the staff with the row's assignee chosen.
    reassign = html.split('name="assignee">', 1)[1].split("</select>", 1)[0]
    assert f'<option selected value="{world.other_advisor_id}">Other Advisor</option>' in reassign
    assert " (me)" not in reassign


# Pages: my list


def test_my_list_groups_follow_ups_by_due_date(app, client, login_as, users, world):
    advisor = users["advisor"].id
    with app.app_context():
        for title, due in [
            ("Due yesterday", TODAY - timedelta(days=1)),
            ("Due today", TODAY),
            ("Due Sunday", date(2026, 11, 29)),
            ("Due next Monday", date(2026, 11, 30)),
        ]:
            make_followup(world.company_id, advisor, due, title=title)
        done, cancelled = FollowUpStatus.DONE, FollowUpStatus.CANCELLED
        for title, status, done_on in [
            ("Done already", done, TODAY - timedelta(days=2)),
            ("Dropped", cancelled, None),
            ("Done long ago", done, TODAY - timedelta(days=14)),
        ]:
            make_followup(
                world.company_id, advisor, TODAY, title=title, status=status, done_on=done_on
            )
        make_followup(world.other_company_id, world.other_advisor_id, TODAY, title="Not mine")
    login_as("advisor")
    html = client.get("/followups").get_data(as_text=True)

    def section(group: str) -> str:
        return html.split(f'data-testid="group-{group}"')[1].split("</section>")[0]

    assert "Due yesterday" in section("overdue") and "1 day overdue" in section("overdue")
    assert "Due today" in section("today")
    assert "Due Sunday" in section("this-week") and "29 Nov 2026" in section("this-week")
    assert "Due next Monday" in section("later") and "in 5 days" in section("later")
    completed = html.split('id="completed-heading"')[1].split("</section>")[0]
    assert "Done already" in completed and "Done long ago" not in completed
    assert "Dropped" not in html and "Not mine" not in html
    assert "Moselle Precision Castings" in section("today")


def test_each_row_offers_every_active_staff_member_with_the_assignee_chosen(
    app, client, login_as, users, world
):
    with app.app_context():
        first = make_followup(world.company_id, world.other_advisor_id, TODAY, title="First")
        second = make_followup(world.company_id, world.other_advisor_id, TODAY, title="Second")
    login_as("manager")
    html = client.get(f"/followups?assignee={world.other_advisor_id}").get_data(as_text=True)
    staff = {users[r].id for r in ("admin", "manager", "advisor")} | {world.other_advisor_id}
    for followup_id in (first, second):
        select = html.split(f'id="assignee-{followup_id}"')[1].split("</select>")[0]
        assert {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', select)} == staff
        chosen = re.findall(r'<option(?=[^>]*\bselected\b)[^>]*value="(\d+)"', select)
        assert chosen == [str(world.other_advisor_id)]


def test_an_empty_list_says_all_clear(client, login_as, world):
    login_as("advisor")
    html = client.get("/followups").get_data(as_text=True)
    assert "Nothing to follow up — all clear" in html
    assert 'href="/followups"' in html  # the navigation shows Follow-ups


def test_marking_done_and_rescheduling_from_the_list(app, client, login_as, users, world):
    with app.app_context():
        f = make_followup(world.company_id, users["advisor"].id, TODAY - timedelta(days=3))
        g = make_followup(world.company_id, users["advisor"].id, TODAY)
    login_as("advisor")
    response = client.post(
        f"/followups/{f}/complete", data={"next": "/followups", "version": seen(app, f)}
    )
    assert response.headers["Location"] == "/followups"
    assert followup_state(app, f)[0] is FollowUpStatus.DONE
    assert followup_state(app, f)[3] == TODAY
    client.post(
        f"/followups/{g}/reschedule", data={"due_on": "2026-12-07", "version": seen(app, g)}
    )
    assert followup_state(app, g)[1] == date(2026, 12, 7)
    html = client.get("/followups").get_data(as_text=True)
    assert "Done: Call back." in html and "Call back is now due 7 Dec 2026." in html


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("reschedule", {"due_on": "next week"}, "Not a valid date value."),
        ("reschedule", {"due_on": ""}, "Enter a date, like 2026-11-27."),
        ("reschedule", {"due_on": "2026-11-24"}, "Pick today or a later date."),
        ("reassign", {"assignee": "viewer"}, "Choose an active advisor, manager or admin"),
        ("reassign", {"assignee": "inactive"}, "Choose an active advisor, manager or admin"),
        ("reassign", {"assignee": "99999"}, "Choose an active advisor, manager or admin"),
        ("reassign", {"assignee": "me; drop table"}, "Choose an active advisor, manager or admin"),
    ],
)
def test_bad_inline_actions_are_explained_and_nothing_is_written(
    app, client, login_as, users, world, action, data, message
):
    with app.app_context():
        f = make_followup(world.company_id, users["advisor"].id, TODAY)
        user(world.other_advisor_id).active = False
        db.session.commit()
    ids = {"viewer": str(users["viewer"].id), "inactive": str(world.other_advisor_id)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    before = followup_state(app, f), audit_count(app)
    login_as("advisor")
    response = client.post(f"/followups/{f}/{action}", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert (followup_state(app, f), audit_count(app)) == before


def test_acting_on_a_closed_follow_up_is_explained(app, client, login_as, users, world):
    with app.app_context():
        f = make_followup(
            world.company_id, users["advisor"].id, TODAY, status=FollowUpStatus.CANCELLED
        )
    login_as("advisor")
    response = client.post(
        f"/followups/{f}/complete", data={"version": seen(app, f)}, follow_redirects=True
    )
    assert "This follow-up is already cancelled." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:x"])
def test_actions_never_redirect_off_site(app, client, login_as, users, world, target):
    with app.app_context():
        f = make_followup(world.company_id, users["advisor"].id, TODAY)
    login_as("advisor")
    response = client.post(f"/followups/{f}/complete", data={"next": target})
    assert response.headers["Location"] == "/followups"


# Pages: a new follow-up


def test_adding_a_follow_up_to_a_company(app, client, login_as, users, world):
    with app.app_context():
        company = db.session.get(Company, world.company_id)
        need = factories.make_need(company, on=TODAY)
        solution = factories.make_solution(need, on=TODAY)
        db.session.commit()
        need_id, solution_id = need.id, solution.id
    login_as("advisor")
    page = client.get(f"/followups/new?company={world.company_id}&need={need_id}")
    assert page.status_code == 200 and "Moselle Precision Castings" in page.get_data(as_text=True)
    response = client.post(
        f"/followups/new?company={world.company_id}",
        data={
            "title": "Send the COVID-RDI form",
            "due_on": "2026-12-01",
            "assignee": str(users["manager"].id),
            "need": "",
            "solution": str(solution_id),
            "notes": "Ask for the balance sheet",
            "status": "done",  # not offered: ignored
            "created_by_id": str(users["admin"].id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        f = db.session.scalars(
            db.select(FollowUp).where(FollowUp.title == "Send the COVID-RDI form")
        ).one()
        assert (f.due_on, f.assignee_id, f.created_by_id, f.status) == (
            date(2026, 12, 1),
            users["manager"].id,
            users["advisor"].id,
            FollowUpStatus.OPEN,
        )
        assert (f.need_id, f.solution_id, f.company_id) == (need_id, solution_id, world.company_id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "  "}, "Say what is to be done."),
        ({"title": "t" * 201}, "Field cannot be longer than 200 characters."),
        ({"due_on": "31/12/2026"}, "Not a valid date value."),
        ({"due_on": ""}, "Enter a date, like 2026-11-27."),
        ({"due_on": "2026-11-01"}, "Pick today or a later date."),
        ({"assignee": "viewer"}, "Choose an active advisor, manager or admin from the list."),
        ({"assignee": "12345"}, "Choose an active advisor, manager or admin from the list."),
        ({"need": "other-need"}, "Choose one of this company's open needs."),
        ({"solution": "99999"}, "Choose one of this company's solutions under way."),
    ],
)
def test_bad_new_follow_ups_are_explained_and_nothing_is_written(
    app, client, login_as, users, world, data, message
):
    with app.app_context():
        factories.make_need(db.session.get(Company, world.company_id), on=TODAY)
        other_need = factories.make_need(db.session.get(Company, world.other_company_id), on=TODAY)
        db.session.commit()
        ids = {"viewer": str(users["viewer"].id), "other-need": str(other_need.id)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    login_as("advisor")
    before = audit_count(app)
    response = client.post(
        f"/followups/new?company={world.company_id}",
        data={
            "title": "Call",
            "due_on": "2026-12-01",
            "assignee": str(users["advisor"].id),
            **data,
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert audit_count(app) == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


def test_a_follow_up_needs_an_existing_company_that_is_not_archived(app, client, login_as, world):
    login_as("advisor")
    assert client.get("/followups/new").status_code == 404
    assert client.get("/followups/new?company=99999").status_code == 404
    assert client.get("/followups/new?company=abc").status_code == 404
    with app.app_context():
        db.session.get(Company, world.company_id).archived = True
        db.session.commit()
    response = client.post(
        f"/followups/new?company={world.company_id}",
        data={"title": "Call", "due_on": "2026-12-01", "assignee": "1"},
    )
    assert "This company is archived" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


# The calendar feed


def regenerate(client) -> str:
    """Ask for a new calendar link as the signed-in user; the feed's path."""
    client.post("/followups/calendar")
    html = client.get("/followups").get_data(as_text=True)
    url = html.split('data-testid="calendar-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def test_the_calendar_feed_lists_my_open_follow_ups(app, client, auth, login_as, users, world):
    advisor = users["advisor"].id
    with app.app_context():
        first = make_followup(world.company_id, advisor, date(2026, 12, 3), title="Visit the plant")
        second = make_followup(world.other_company_id, advisor, TODAY - timedelta(days=2))
        make_followup(world.company_id, advisor, TODAY, title="Done", status=FollowUpStatus.DONE)
        make_followup(world.company_id, world.other_advisor_id, TODAY, title="Not mine")
    login_as("advisor")
    path = regenerate(client)
    auth.logout()

    response = client.get(path)  # no session: calendar clients cannot sign in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Follow-ups — Advisor Tester"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"followup-{first}@localhost", f"followup-{second}@localhost"}
    visit = events[f"followup-{first}@localhost"]
    assert str(visit["SUMMARY"]) == "Visit the plant — Moselle Precision Castings"
    assert visit.decoded("DTSTART") == date(2026, 12, 3)
    assert visit["DTSTART"].params["VALUE"] == "DATE"
    assert visit.decoded("DTEND") == date(2026, 12, 4)
    assert "http://localhost/" in str(visit["DESCRIPTION"])
    assert "Ardennes Wood Works" in str(events[f"followup-{second}@localhost"]["SUMMARY"])


def test_a_bad_or_replaced_calendar_token_is_404(app, client, auth, login_as, users, world):
    login_as("advisor")
    old = regenerate(client)
    new = regenerate(client)
    assert old != new
    auth.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    with app.app_context():
        user(users["advisor"].id).active = False
        db.session.commit()
    assert client.get(new).status_code == 404


def test_a_viewers_calendar_token_opens_nothing(app, client, users):
    with app.app_context():
        token = services.regenerate_calendar_token(user(users["viewer"].id))
        db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_calendar_section_offers_a_new_link(client, login_as, world):
    login_as("advisor")
    html = client.get("/followups").get_data(as_text=True)
    assert "Create my calendar link" in html and 'data-testid="calendar-url"' not in html
    client.post("/followups/calendar")
    html = client.get("/followups").get_data(as_text=True)
    assert "Create a new link" in html and "readonly" in html


# The number of SQL statements does not grow with the data


def test_list_and_feed_send_the_same_statements_for_3_or_30_follow_ups(
    app, client, login_as, users, world
):
    with app.app_context():
        token = services.regenerate_calendar_token(user(users["advisor"].id))
        db.session.commit()
    login_as("advisor")
    counts: dict[int, list[int]] = {}
    made = 0
    for total in (3, 30):
        with app.app_context():
            company = db.session.get(Company, world.company_id)
            need = factories.make_need(company, on=TODAY)
            solution = factories.make_solution(need, on=TODAY)
            for i in range(made, total):
                due = TODAY + timedelta(days=i - 10)
                link = {"need_id": need.id} if i % 3 == 0 else {"solution_id": solution.id}
                make_followup(world.company_id, users["advisor"].id, due, **link)
                make_followup(
                    world.other_company_id,
                    users["advisor"].id,
                    TODAY - timedelta(days=i % 10),
                    status=FollowUpStatus.DONE,
                    done_on=TODAY - timedelta(days=i % 10),
                )
            made = total
        counts[total] = []
        for url in ("/followups", f"/calendar/{token}.ics"):
            with count_statements(app) as statements:
                assert client.get(url).status_code == 200
            counts[total].append(len(statements))
    assert counts[3] == counts[30]
