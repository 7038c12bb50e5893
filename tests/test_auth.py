"""Signing in and out, sessions that really end, CSRF and rate limits."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tracker.admin import services
from tracker.extensions import db
from tracker.models import User
from tracker.security import PUBLIC_ENDPOINTS

INVALID = b"Invalid e-mail or password."


def sample_url(rule: str) -> str:
    """A concrete URL for a rule: 1 for every variable, the first choice of an `any`."""
    url = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(), rule)
    return re.sub(r"<(?:\w+:)?\w+>", "1", url)


def test_login_page_has_the_contract_fields(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("email", "password"):
        assert re.search(rf'name="{name}"', html)


def test_sign_in_lands_on_the_dashboard_with_role_and_clusters(client, auth, users):
    response = auth.login("advisor@example.lu")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Advisor Tester" in page
    assert 'data-testid="role">Advisor<' in page
    assert "Materials &amp; Manufacturing" in page


def test_email_is_case_insensitive(client, auth, users):
    assert auth.login("ADVISOR@Example.LU").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("advisor@example.lu", "wrong password!!"), ("nobody@example.lu", factories.PASSWORD)],
)
def test_wrong_password_and_unknown_email_get_the_same_message(
    client, auth, users, email, password
):
    response = auth.login(email, password)
    assert response.status_code == 200
    assert INVALID in response.data
    assert client.get("/").status_code == 302


def test_empty_form_shows_field_errors_not_a_crash(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert b"This field is required." in response.data


def test_every_page_requires_sign_in_except_login_healthz_and_static(app, client):
    public = PUBLIC_ENDPOINTS
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        url = sample_url(rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
        checked += 1
    assert checked >= 10
    assert client.get("/healthz").status_code == 200
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200


def test_next_redirect_is_followed_only_when_local(client, auth, users):
    response = auth.login("admin@example.lu", next="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    auth.logout()
    for evil in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = auth.login("admin@example.lu", next=evil)
        assert response.headers["Location"] == "/", evil
        auth.logout()


def test_redirect_to_login_carries_next(client):
    response = client.get("/admin/users")
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Fusers"


def test_logout_is_a_post_and_ends_the_session(client, auth, users):
    auth.login("advisor@example.lu")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_replayed_session_cookie_is_refused_after_logout(app, client, auth, users):
    auth.login("advisor@example.lu")
    cookie = client.get_cookie("session")
    assert cookie is not None
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 302


def test_remember_me_cookie_is_replaced_after_logout(app, client, auth, users):
    auth.login("advisor@example.lu", remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.http_only
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value)
    assert replay.get("/").status_code == 302


def test_deactivated_user_loses_open_session_and_cannot_sign_in(app, client, auth, users):
    auth.login("advisor@example.lu")
    assert client.get("/").status_code == 200
    with app.app_context():
        admin = db.session.get(User, users["admin"].id)
        advisor = db.session.get(User, users["advisor"].id)
        services.set_user_active(advisor, False, actor=admin)
        db.session.commit()
    assert client.get("/").status_code == 302
    response = auth.login("advisor@example.lu")
    assert INVALID in response.data


def test_password_change_ends_other_sessions(app, client, auth, users):
    auth.login("advisor@example.lu")
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        services.reset_password(advisor, "a brand new passphrase", actor=None)
        db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login("advisor@example.lu", "a brand new passphrase").status_code == 302


def test_passwords_are_stored_as_argon2id(app, users):
    with app.app_context():
        user = db.session.get(User, users["admin"].id)
        assert user.password_hash.startswith("$argon2id$")
        assert factories.PASSWORD not in user.password_hash


def test_csrf_token_is_required_when_enabled(app, client, users, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(
        "/login", data={"email": "advisor@example.lu", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert b"The form had expired" in response.data
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "advisor@example.lu", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    # Signed in, a post without the token is still refused.
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_sign_in_attempts_are_rate_limited(app, client, auth, users, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        assert auth.login("advisor@example.lu", "wrong password!!").status_code == 200
    response = auth.login("advisor@example.lu")
    assert response.status_code == 429
    assert b"Too many attempts" in response.data


def test_rate_limit_also_counts_per_email_across_addresses(app, client, auth, users, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    for i in range(3):
        response = client.post(
            "/login",
            data={"email": "advisor@example.lu", "password": "wrong password!!"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        assert response.status_code == 200
    response = client.post(
        "/login",
        data={"email": "advisor@example.lu", "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429


def test_signed_in_user_visiting_login_goes_to_dashboard(client, login_as):
    login_as("manager")
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signing_in_records_the_time_without_changing_the_account_version(app, auth, users):
    from tracker.models import User

    with app.app_context():
        before = db.session.get(User, users["advisor"].id).version
    assert auth.login(users["advisor"].email).status_code == 302
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert user.last_login_at is not None
        assert user.version == before
