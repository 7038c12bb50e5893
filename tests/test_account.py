"""My account: every user sees their account and changes their own name, language and password."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from tests import factories
from tracker.account.services import update_account
from tracker.admin import services as admin_services
from tracker.auth.passwords import verify_password
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import AuditEntry, Role, User

NEW_PASSWORD = "a quiet walk by the river"


def _entries(app, user_id):
    with app.app_context():
        return [
            (e.action, e.user_id, e.changes)
            for e in db.session.scalars(
                db.select(AuditEntry)
                .where(AuditEntry.record_type == "User", AuditEntry.record_id == user_id)
                .order_by(AuditEntry.id)
            )
        ]


def _version(client) -> str:
    """The version the account form was opened on, as a browser would post it back."""
    page = client.get("/account").get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)


def _change(client, **data):
    data.setdefault("name", "Advisor Tester")
    data.setdefault("version", _version(client))
    return client.post("/account", data=data)


@pytest.mark.parametrize("role", ["admin", "manager", "advisor", "viewer"])
def test_every_role_sees_its_account_from_the_user_menu(client, login_as, role):
    login_as(role)
    dashboard = client.get("/reports" if role == "viewer" else "/").get_data(as_text=True)
    assert 'href="/account"' in dashboard
    response = client.get("/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-testid="account-email">{role}@example.lu<' in page
    assert f'data-testid="account-role">{Role(role).label}<' in page
    assert "Materials &amp; Manufacturing" in page
    assert f'value="{role.title()} Tester"' in page
    assert 'aria-current="page"' in page


def test_signed_out_visitors_are_sent_to_sign_in(client, users):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_changing_the_name_is_saved_and_audited(app, client, login_as, users):
    login_as("viewer")
    response = _change(client, name="  Carole Feltes ")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your changes are saved." in page
    assert 'data-testid="user-name">Carole Feltes<' in page
    entries = _entries(app, users["viewer"].id)
    assert entries[-1] == (
        "update",
        users["viewer"].id,
        {"name": ["Viewer Tester", "Carole Feltes"]},
    )


def test_saving_without_a_change_writes_nothing(app, client, login_as, users):
    login_as("advisor")
    before = _entries(app, users["advisor"].id)
    response = _change(client)
    assert response.status_code == 302
    assert "Nothing to save" in client.get("/account").get_data(as_text=True)
    assert _entries(app, users["advisor"].id) == before


def test_posts_cannot_change_email_role_or_clusters(app, client, login_as, users):
    login_as("advisor")
    response = _change(
        client, name="Advisor Tester", email="boss@example.lu", role="admin", clusters="999"
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert (user.email, user.role, [c.slug for c in user.clusters]) == (
            "advisor@example.lu",
            Role.ADVISOR,
            ["materials-manufacturing"],
        )


def test_a_new_password_ends_other_sessions_and_keeps_this_one(app, client, login_as, users):
    other_device = app.test_client()
    assert (
        other_device.post(
            "/login", data={"email": "advisor@example.lu", "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert other_device.get("/").status_code == 200
    login_as("advisor")
    response = _change(
        client,
        current_password=factories.PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert response.status_code == 302
    page = client.get("/account")
    assert page.status_code == 200, "this session goes on"
    assert "your other sessions are signed out" in page.get_data(as_text=True)
    assert other_device.get("/").status_code == 302, "the other session ended"

    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert verify_password(user.password_hash, NEW_PASSWORD)
        assert not verify_password(user.password_hash, factories.PASSWORD)
        hash_ = user.password_hash
    action, actor, changes = _entries(app, users["advisor"].id)[-1]
    assert (action, actor, changes) == (
        "update",
        users["advisor"].id,
        {"password": ["(changed)", "(changed)"]},
    )
    assert hash_ not in str(changes) and NEW_PASSWORD not in str(changes)

    fresh = app.test_client()
    old = fresh.post("/login", data={"email": "advisor@example.lu", "password": factories.PASSWORD})
    assert old.status_code == 200
    new = fresh.post("/login", data={"email": "advisor@example.lu", "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_a_remembered_device_stays_remembered_after_a_password_change(app, client, users):
    client.post(
        "/login",
        data={"email": "viewer@example.lu", "password": factories.PASSWORD, "remember": "y"},
    )
    response = _change(
        client,
        name="Viewer Tester",
        current_password=factories.PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert response.status_code == 302
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    # The browser is closed: the session cookie goes, the new remember-me cookie signs in.
    client.delete_cookie("session")
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current_password": "wrong password!!"}, "current_password", "not right"),
        ({"current_password": ""}, "current_password", "not right"),
        ({"new_password": "Password1234", "confirm": "Password1234"}, "new_password", "common"),
        (
            {"new_password": "Advisor Tester 1", "confirm": "Advisor Tester 1"},
            "new_password",
            "Do not build your password on your name",
        ),
        ({"new_password": "short", "confirm": "short"}, "new_password", "at least 12"),
        ({"confirm": "something else entirely"}, "confirm", "The two passwords differ."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, client, login_as, users, data, field, message
):
    login_as("advisor")
    form = {
        "name": "A New Name",
        "current_password": factories.PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "version": _version(client),
        **data,
    }
    response = client.post("/account", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>\s*</div>', page, re.S)
    assert error and message in error.group(1), page
    assert NEW_PASSWORD not in page and factories.PASSWORD not in page
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert user.name == "Advisor Tester"
        assert verify_password(user.password_hash, factories.PASSWORD)
    assert client.get("/").status_code == 200, "still signed in"


def test_the_name_is_required(client, login_as):
    login_as("manager")
    response = _change(client, name="   ")
    assert response.status_code == 200
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_guessing_the_current_password_is_rate_limited(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    login_as("advisor")
    for _ in range(3):
        response = _change(
            client,
            current_password="guess number x",
            new_password=NEW_PASSWORD,
            confirm=NEW_PASSWORD,
        )
        assert response.status_code == 200
    response = _change(
        client, current_password=factories.PASSWORD, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert response.status_code == 429
    assert b"Too many attempts" in response.data


def test_the_form_needs_its_csrf_token(app, client, login_as, monkeypatch):
    login_as("advisor")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = _change(client, name="Changed Without Token")
    assert response.status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(db.select(User).where(User.name == "Changed Without Token")) is None
        )


def test_a_change_by_an_admin_meanwhile_is_shown_not_overwritten(app, client, login_as, users):
    login_as("advisor")
    opened_on = _version(client)
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        admin_services.update_user(
            advisor,
            email=advisor.email,
            name="Advisor Renamed By Admin",
            role=advisor.role,
            active=True,
            clusters=list(advisor.clusters),
            actor=db.session.get(User, users["admin"].id),
        )
        db.session.commit()
    response = _change(client, name="My Own Name", version=opened_on)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="edit-conflict"' in page
    assert "Advisor Renamed By Admin" in page
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Renamed By Admin"
    # The form now carries the current version: saving again applies the user's value knowingly.
    fresh = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    assert _change(client, name="My Own Name", version=fresh).status_code == 302
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "My Own Name"


def test_signing_in_elsewhere_is_no_conflict(app, client, login_as, users):
    login_as("manager")
    opened_on = _version(client)
    other = app.test_client()
    other.post("/login", data={"email": "manager@example.lu", "password": factories.PASSWORD})
    response = _change(client, name="Manager Renamed", version=opened_on)
    assert response.status_code == 302


def test_the_security_contact_is_shown_when_configured(app, client, login_as, monkeypatch):
    assert "security-contact" not in client.get("/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "SECURITY_CONTACT", "security@agency.example <b>")
    for url in ("/login", "/account"):
        if url == "/account":
            login_as("viewer")
        page = client.get(url).get_data(as_text=True)
        assert "Report it privately to security@agency.example &lt;b&gt;." in page, url


def _in_language(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


def test_the_language_menu_names_each_language_in_itself(client, login_as):
    login_as("advisor")
    page = client.get("/account").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="locale".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert [label for _attrs, label in options] == [
        "Browser default",
        "English",
        "Français",
        "Deutsch",
    ]
    assert 'selected value=""' in options[0][0] or 'value="" selected' in options[0][0]
    assert 'lang="fr"' in options[2][0]  # read out in French by a screen reader
    assert '<label class="form-label" for="locale">Language</label>' in page


def test_choosing_a_language_is_saved_audited_and_shown_at_once(app, client, login_as, users):
    login_as("advisor")
    response = _change(client, name="Advisor Tester", locale="fr")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert _in_language(app, "fr", "Your changes are saved.") in page
    assert re.search(r'<option [^>]*selected[^>]*value="fr"|<option value="fr"[^>]*selected', page)
    assert _entries(app, users["advisor"].id)[-1] == (
        "update",
        users["advisor"].id,
        {"locale": [None, "fr"]},
    )
    # Back to the browser's language: German here.
    response = _change(client, name="Advisor Tester", locale="")
    page = client.get("/account", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de">' in page
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).locale is None
    assert _entries(app, users["advisor"].id)[-1][2] == {"locale": ["fr", None]}


@pytest.mark.parametrize("language", ["it", "lb", "fr-FR", "<script>", "x" * 300])
def test_a_language_not_offered_is_refused_without_a_change(app, client, login_as, users, language):
    login_as("viewer")
    before = _entries(app, users["viewer"].id)
    response = _change(client, name="Viewer Tester", locale=language)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="locale-error"' in page and "Not a valid choice." in page
    with app.app_context():
        assert db.session.get(User, users["viewer"].id).locale is None
    assert _entries(app, users["viewer"].id) == before


def test_the_service_refuses_a_language_the_app_does_not_speak(app, users):
    with app.test_request_context():
        user = db.session.get(User, users["advisor"].id)
        with pytest.raises(ValidationError) as refused:
            update_account(user, profile={"name": user.name, "locale": "it"})
        assert refused.value.field == "locale"
        db.session.rollback()
