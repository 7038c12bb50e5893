"""The password policy: one function, used by every path that sets a password."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tracker.admin import services
from tracker.auth.passwords import common_passwords, password_problem
from tracker.demo import data as demo
from tracker.extensions import db
from tracker.models import Role, User

COMMON_MESSAGE = "in a list of common passwords"
PERSONAL_MESSAGE = "Do not build your password on your name or e-mail address"


def a_long_common_password() -> str:
    """A password of 12 characters or more from zxcvbn's list (most entries are shorter)."""
    return next(p for p in sorted(common_passwords()) if len(p) >= 12 and len(set(p)) >= 4)


def test_the_common_list_is_zxcvbns_loaded_once_as_a_frozenset():
    first = common_passwords()
    assert isinstance(first, frozenset)
    assert len(first) > 25_000
    assert common_passwords() is first
    assert all(p == p.lower() for p in first)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", "Use at least 12 characters."),
        ("eleven char", "Use at least 12 characters."),
        ("x" * 257, "Use at most 256 characters."),
        ("abababababababab", "Use a less repetitive password."),
        ("Password1234", COMMON_MESSAGE),
        ("1234567890QWERTY", COMMON_MESSAGE),  # compared case-insensitively
        ("qwerty-123456", COMMON_MESSAGE),  # and without separators
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, expected):
    assert expected in (password_problem(password) or "")


def test_every_long_common_password_is_refused():
    long_ones = [p for p in common_passwords() if len(p) >= 12 and len(set(p)) >= 4]
    assert long_ones
    assert all(COMMON_MESSAGE in (password_problem(p) or "") for p in long_ones)
    assert COMMON_MESSAGE in password_problem(a_long_common_password().upper())


@pytest.mark.parametrize(
    "password",
    [
        "sandra.kremer",  # the e-mail's local part
        "SandraKremer2024",  # the name with a year
        "Sandra Kremer !!",
        "kremer-123456789",  # what is left is a common password
        "sandra.kremer@demo.lu",
    ],
)
def test_passwords_built_on_the_users_name_or_email_are_refused(password):
    problem = password_problem(password, email="sandra.kremer@demo.lu", name="Sandra Kremer")
    assert problem is not None and PERSONAL_MESSAGE in problem


def test_a_name_inside_a_long_passphrase_is_allowed():
    # What is left once the name is taken out is a password of its own.
    assert password_problem("kremer's garden by the river", name="Sandra Kremer") is None
    # Short names are not searched for inside words ("Li" in "lime").
    assert password_problem("lime and ginger tea", email="li@agency.lu", name="Li") is None


def test_the_test_password_and_every_demo_password_pass():
    for role, email, name, _clusters in demo.USERS:
        assert password_problem(f"demo-password-{role}", email=email, name=name) is None, email
    for role in ("admin", "manager", "advisor", "viewer"):
        problem = password_problem(
            factories.PASSWORD, email=f"{role}@example.lu", name=f"{role.title()} Tester"
        )
        assert problem is None


def test_the_service_refuses_a_weak_password_for_every_caller(app):
    with app.app_context():
        with pytest.raises(services.ValidationError, match=COMMON_MESSAGE) as refused:
            services.create_user(
                email="anne@agency.lu", name="Anne", role=Role.ADVISOR, password="Password1234"
            )
        assert refused.value.field == "password"
        user = services.create_user(
            email="anne.muller@agency.lu",
            name="Anne Muller",
            role=Role.ADVISOR,
            password=factories.PASSWORD,
        )
        with pytest.raises(services.ValidationError, match=PERSONAL_MESSAGE):
            services.reset_password(user, "AnneMuller-2026", actor=None)
        db.session.rollback()


def _create(runner, password, email="anne.muller@agency.lu", name="Anne Muller"):
    return runner.invoke(
        args=["users", "create", "--email", email, "--name", name, "--role", "advisor",
              "--password", password]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 12 characters."),
        ("Password1234", "This password is in a list of common passwords; choose another one."),
        ("anne.muller.2026", "Do not build your password on your name or e-mail address."),
    ],
)
def test_users_create_refuses_a_weak_password_in_one_line(app, runner, password, message):
    result = _create(runner, password)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {message}"
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_users_create_accepts_a_good_password(runner):
    result = _create(runner, "a walk along the Moselle")
    assert result.exit_code == 0, result.output


def _admin_form(**data):
    return {
        "name": "Anne Muller",
        "email": "anne.muller@agency.lu",
        "role": "advisor",
        "active": "y",
        **data,
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Password1234", COMMON_MESSAGE),
        ("AnneMuller!2026", PERSONAL_MESSAGE),
        ("short", "Use at least 12 characters"),
    ],
)
def test_admin_user_form_shows_the_policy_under_the_field(app, client, login_as, password, message):
    login_as("admin")
    response = client.post(
        "/admin/users/new", data=_admin_form(password=password, confirm=password)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="password-error"' in page
    with app.app_context():
        assert (
            db.session.scalar(db.select(User).where(User.email == "anne.muller@agency.lu")) is None
        )


def test_admin_password_reset_uses_the_policy_with_the_new_name(app, client, login_as, users):
    login_as("admin")
    url = f"/admin/users/{users['advisor'].id}/edit"
    # The edit form carries the version it was opened on (when the form has one).
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', client.get(url).text)
    extra = {"version": version.group(1)} if version else {}
    response = client.post(
        url,
        data=_admin_form(
            email="advisor@example.lu", password="Anne Muller 99", confirm="Anne Muller 99", **extra
        ),
    )
    assert PERSONAL_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).name == "Advisor Tester"
    response = client.post(
        url,
        data=_admin_form(
            email="advisor@example.lu",
            password="a river in spring",
            confirm="a river in spring",
            **extra,
        ),
    )
    assert response.status_code == 302
