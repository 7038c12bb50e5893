"""Sessions end after SESSION_IDLE_MINUTES without a request; tests move the clock."""

from __future__ import annotations

import pytest

from config import Config
from tests import factories
from tracker import security
from tracker.extensions import db
from tracker.models import User

T0 = 1_900_000_000.0
MESSAGE = "You were signed out after 60 minutes without activity."


@pytest.fixture
def clock(monkeypatch):
    """The time idle expiry reads; `clock.minutes = 61` moves it 61 minutes past T0."""

    class Clock:
        minutes = 0.0

        def __call__(self) -> float:
            return T0 + self.minutes * 60

    c = Clock()
    monkeypatch.setattr(security, "now", c)
    return c


def test_a_session_in_use_stays_open(client, login_as, clock):
    login_as("advisor")
    for minutes in (30, 59, 100, 150):  # never more than 60 minutes between two requests
        clock.minutes = minutes
        assert client.get("/").status_code == 200, minutes


def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, login_as, clock):
    login_as("advisor")
    assert client.get("/").status_code == 200
    clock.minutes = 60.5
    response = client.get("/companies?q=steel")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/companies?q%3Dsteel"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert MESSAGE in page
    assert client.get("/").status_code == 302, "signed out for good"


def test_the_idle_time_counts_from_the_sign_in(client, login_as, clock):
    login_as("manager")
    clock.minutes = 61
    assert client.get("/").status_code == 302


def test_a_post_after_the_expiry_saves_nothing(app, client, login_as, users, clock):
    login_as("advisor")
    clock.minutes = 90
    response = client.post("/account", data={"name": "Too Late"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert MESSAGE in client.get("/login").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Tester"


def test_the_expiry_forgets_the_remembered_device_too(client, users, clock):
    client.post(
        "/login",
        data={"email": "advisor@example.lu", "password": factories.PASSWORD, "remember": "y"},
    )
    assert client.get_cookie("remember_token") is not None
    clock.minutes = 61
    response = client.get("/")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302


def test_the_idle_time_is_configurable(app, client, login_as, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    login_as("viewer")
    clock.minutes = 4
    assert client.get("/reports").status_code == 200
    clock.minutes = 9.5
    response = client.get("/reports", follow_redirects=True)
    assert "You were signed out after 5 minutes without activity." in response.get_data(
        as_text=True
    )


def test_zero_turns_idle_expiry_off(app, client, login_as, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0)
    login_as("advisor")
    clock.minutes = 60 * 24
    assert client.get("/").status_code == 200


def test_static_files_do_not_rewrite_the_session_cookie(client, login_as, clock):
    login_as("advisor")
    clock.minutes = 30
    page = client.get("/")
    assert any("session=" in c for c in page.headers.getlist("Set-Cookie"))
    clock.minutes = 45
    for url in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers.getlist("Set-Cookie") == [], url
    # A static file is no activity: 61 minutes after the page, the session has ended.
    clock.minutes = 91
    assert client.get("/").status_code == 302


def test_the_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    assert Config().SESSION_IDLE_MINUTES == 15
    monkeypatch.delenv("SESSION_IDLE_MINUTES")
    assert Config().SESSION_IDLE_MINUTES == 60
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "an hour")
    with pytest.raises(RuntimeError, match="SESSION_IDLE_MINUTES must be a whole number"):
        Config()
