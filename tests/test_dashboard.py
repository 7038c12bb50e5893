"""The dashboard each role lands on."""

from __future__ import annotations

from tests.helpers import count_statements


def test_dashboard_greets_and_shows_portfolio_counts(client, login_as):
    login_as("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "Good to see you, Advisor Tester" in html
    assert "companies you own" in html and "overdue follow-ups" in html


def test_viewer_dashboard_has_no_portfolio(client, login_as):
    login_as("viewer")
    html = client.get("/").get_data(as_text=True)
    assert "Viewer" in html
    assert "companies you own" not in html


def test_dashboard_runs_a_fixed_number_of_statements(app, client, login_as):
    login_as("advisor")
    client.get("/")
    with count_statements(app) as statements:
        client.get("/")
    # the session's user, the counts, and the user's clusters
    assert len(statements) <= 4, statements
