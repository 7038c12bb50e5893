"""The dashboard each role lands on: the advisor's day at a glance."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from tests.helpers import count_statements
from tracker.dates import today
from tracker.extensions import db
from tracker.models import FollowUpStatus, RiskLevel


def _portfolio(app, users, companies: int = 3) -> None:
    """Companies owned by the advisor: one at critical risk, one stale, one fine."""
    advisor = users["advisor"].id
    now = today()
    with app.app_context():
        for i in range(companies):
            fine = factories.make_company(f"Fine Works {i:02d}", owner_id=advisor)
            factories.make_interaction(fine, advisor, now - timedelta(days=3), summary=f"Visit {i}")
            factories.make_health_check(
                fine, advisor, now - timedelta(days=3), risk_level=RiskLevel.LOW
            )
            factories.make_followup(fine, advisor, now + timedelta(days=2), title=f"Send offer {i}")
        risky = factories.make_company("Critical Castings", owner_id=advisor)
        factories.make_interaction(risky, advisor, now - timedelta(days=10))
        factories.make_health_check(
            risky, advisor, now - timedelta(days=10), risk_level=RiskLevel.CRITICAL
        )
        factories.make_followup(risky, advisor, now - timedelta(days=4), title="Call the CFO")
        stale = factories.make_company("Sleepy Sawmill", owner_id=advisor)
        factories.make_interaction(stale, advisor, now - timedelta(days=91))
        factories.make_company("Never Called", owner_id=advisor)
        contacted = factories.make_company("Recently Called", owner_id=advisor)
        factories.make_interaction(contacted, advisor, now - timedelta(days=89))
        done = factories.make_followup(
            stale, advisor, now - timedelta(days=9), title="Old done thing"
        )
        done.status = FollowUpStatus.DONE
        other = factories.make_company("Someone Else's", owner_id=users["manager"].id)
        factories.make_followup(
            other, users["manager"].id, now - timedelta(days=2), title="Not mine"
        )
        db.session.commit()


def test_dashboard_greets_with_role_and_clusters(client, login_as):
    login_as("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "Good to see you, Advisor Tester" in html
    assert 'data-testid="role">Advisor<' in html
    assert "Materials &amp; Manufacturing" in html


def test_advisor_dashboard_shows_their_day(app, client, login_as, users):
    _portfolio(app, users)
    login_as("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "Call the CFO" in html and "4 days overdue" in html
    assert "Send offer 0" in html and "in 2 days" in html
    assert "Old done thing" not in html and "Not mine" not in html
    at_risk = html.split('id="risk-heading"')[1].split("</section>")[0]
    assert "Critical Castings" in at_risk and "Fine Works" not in at_risk
    stale = html.split('id="stale-heading"')[1].split("</section>")[0]
    assert "Sleepy Sawmill" in stale and "Never Called" in stale and "never contacted" in stale
    assert "Recently Called" not in stale and "Fine Works" not in stale
    recent = html.split('id="recent-heading"')[1].split("</section>")[0]
    assert "Visit 0" in recent


def test_viewer_dashboard_has_no_portfolio(client, login_as):
    login_as("viewer")
    html = client.get("/").get_data(as_text=True)
    assert "Viewer" in html
    assert "companies you own" not in html
    assert "Log a contact" not in html


def test_empty_dashboard_says_what_to_do_next(client, login_as):
    login_as("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "log the first one" in html
    assert "Nothing due this week." in html


def test_dashboard_statements_do_not_grow_with_the_data(app, client, login_as, users):
    login_as("advisor")
    _portfolio(app, users, companies=2)
    client.get("/")
    with count_statements(app) as small:
        client.get("/")
    _portfolio_more(app, users)
    with count_statements(app) as large:
        client.get("/")
    assert len(small) == len(large), (len(small), len(large))


def _portfolio_more(app, users) -> None:
    advisor = users["advisor"].id
    now = today()
    with app.app_context():
        for i in range(25):
            c = factories.make_company(f"More Works {i:02d}", owner_id=advisor)
            factories.make_interaction(c, advisor, now - timedelta(days=100 + i))
            factories.make_health_check(
                c, advisor, now - timedelta(days=100), risk_level=RiskLevel.HIGH
            )
            factories.make_followup(c, advisor, now - timedelta(days=i + 1), title=f"Late {i}")
        db.session.commit()


def test_navigation_by_role(client, login_as, auth):
    staff_links = ['href="/companies"', 'href="/followups"', 'href="/pipeline"', 'href="/events"']
    login_as("viewer")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reports"' in html
    assert not any(link in html for link in staff_links)
    auth.logout()
    login_as("manager")
    html = client.get("/").get_data(as_text=True)
    assert all(link in html for link in [*staff_links, 'href="/reports"'])
    assert 'href="/admin/"' not in html
