"""Admin pages: who may use them, users and clusters."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import form_version
from tracker.extensions import db
from tracker.models import AuditEntry, Cluster, Role, User

ADMIN_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/new",
    "/admin/clusters",
    "/admin/clusters/new",
]


@pytest.mark.parametrize("role", ["manager", "advisor", "viewer"])
def test_only_admins_reach_admin_pages(client, login_as, users, role):
    login_as(role)
    for url in [*ADMIN_PAGES, f"/admin/users/{users['advisor'].id}/edit"]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Sneaky",
            "email": "sneaky@example.lu",
            "role": "admin",
            "password": "x" * 14,
        },
    )
    assert response.status_code == 403
    response = client.post(f"/admin/users/{users['viewer'].id}/deactivate")
    assert response.status_code == 403
    with client.application.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "sneaky@example.lu")) is None
        assert db.session.get(User, users["viewer"].id).active


def test_admin_reaches_every_admin_page(client, login_as, users):
    login_as("admin")
    for url in [*ADMIN_PAGES, f"/admin/users/{users['advisor'].id}/edit"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "has_admin_link"),
    [("admin", True), ("manager", False), ("advisor", False), ("viewer", False)],
)
def test_navigation_follows_the_role(client, login_as, role, has_admin_link):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    assert ('href="/admin/"' in html) is has_admin_link


def test_admin_creates_a_user_who_can_then_sign_in(app, client, login_as, auth, users):
    login_as("admin")
    with app.app_context():
        cluster_id = db.session.scalar(db.select(Cluster.id))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Claire Weber",
            "email": "Claire.Weber@Example.lu",
            "role": "manager",
            "clusters": [str(cluster_id)],
            "active": "y",
            "password": "a long enough secret",
            "confirm": "a long enough secret",
        },
    )
    assert response.status_code == 302
    assert "Claire Weber" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "claire.weber@example.lu"))
        assert user.role is Role.MANAGER
        assert [c.id for c in user.clusters] == [cluster_id]
        entry = db.session.scalar(
            db.select(AuditEntry).where(
                AuditEntry.record_type == "User", AuditEntry.record_id == user.id
            )
        )
        assert entry.action == "create" and entry.user_id == users["admin"].id
    auth.logout()
    assert auth.login("claire.weber@example.lu", "a long enough secret").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "admin@example.lu"}, "already exists"),
        ({"email": "not-an-email"}, "Invalid email address"),
        ({"password": "short", "confirm": "short"}, "Use at least 12 characters"),
        ({"confirm": "something else entirely"}, "The two passwords differ"),
        ({"name": ""}, "This field is required"),
        ({"role": "superuser"}, "Not a valid choice"),
    ],
)
def test_new_user_form_explains_bad_input_and_writes_nothing(app, client, login_as, data, message):
    login_as("admin")
    form = {
        "name": "New Person",
        "email": "new.person@example.lu",
        "role": "advisor",
        "password": "a long enough secret",
        "confirm": "a long enough secret",
        **data,
    }
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 4


def test_admin_edits_role_and_clusters(app, client, login_as, users):
    login_as("admin")
    with app.app_context():
        wood = factories.make_cluster("wood", "Wood")
        db.session.commit()
        wood_id = wood.id
    page = client.get(f"/admin/users/{users['advisor'].id}/edit").get_data(as_text=True)
    assert 'value="advisor@example.lu"' in page
    response = client.post(
        f"/admin/users/{users['advisor'].id}/edit",
        data={
            "name": "Advisor Renamed",
            "email": "advisor@example.lu",
            "role": "manager",
            "clusters": [str(wood_id)],
            "active": "y",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        assert (user.name, user.role) == ("Advisor Renamed", Role.MANAGER)
        assert [c.slug for c in user.clusters] == ["wood"]


def test_password_reset_by_admin_signs_the_user_out(app, client, login_as, auth, users):
    other = app.test_client()
    assert (
        other.post(
            "/login", data={"email": "advisor@example.lu", "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    login_as("admin")
    page = client.get(f"/admin/users/{users['advisor'].id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{users['advisor'].id}/edit",
        data={
            "name": "Advisor Tester",
            "email": "advisor@example.lu",
            "role": "advisor",
            "active": "y",
            "password": "the new secret phrase",
            "confirm": "the new secret phrase",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert (
        other.post(
            "/login", data={"email": "advisor@example.lu", "password": "the new secret phrase"}
        ).status_code
        == 302
    )


def test_deactivate_and_reactivate(app, client, login_as, users):
    login_as("admin")
    response = client.post(f"/admin/users/{users['advisor'].id}/deactivate", follow_redirects=True)
    assert b"is deactivated and signed out" in response.data
    with app.app_context():
        assert not db.session.get(User, users["advisor"].id).active
    client.post(f"/admin/users/{users['advisor'].id}/activate")
    with app.app_context():
        assert db.session.get(User, users["advisor"].id).active


def test_admin_cannot_deactivate_or_demote_themselves(app, client, login_as, users):
    login_as("admin")
    response = client.post(f"/admin/users/{users['admin'].id}/deactivate", follow_redirects=True)
    assert b"You cannot deactivate yourself." in response.data
    page = client.get(f"/admin/users/{users['admin'].id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{users['admin'].id}/edit",
        data={
            "name": "Admin Tester",
            "email": "admin@example.lu",
            "role": "viewer",
            "active": "y",
            "version": form_version(page),
        },
    )
    assert b"You cannot remove your own admin role" in response.data
    with app.app_context():
        admin = db.session.get(User, users["admin"].id)
        assert admin.active and admin.role is Role.ADMIN


def test_user_list_searches_and_paginates(app, client, login_as, users):
    with app.app_context():
        for i in range(30):
            factories.make_user(
                role="advisor", email=f"bulk{i:02d}@example.lu", name=f"Bulk {i:02d}"
            )
        db.session.commit()
    login_as("admin")
    page1 = client.get("/admin/users").get_data(as_text=True)
    assert "1–25 of 34" in page1
    page2 = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "26–34 of 34" in page2
    found = client.get("/admin/users?q=bulk07").get_data(as_text=True)
    assert "Bulk 07" in found and "Bulk 08" not in found
    assert "No user matches" in client.get("/admin/users?q=zzz").get_data(as_text=True)


def test_admin_creates_and_renames_a_cluster_but_not_its_slug(app, client, login_as, users):
    login_as("admin")
    response = client.post(
        "/admin/clusters/new",
        data={"slug": "space", "name": "Space", "description": "Space industry."},
    )
    assert response.status_code == 302
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster).where(Cluster.slug == "space"))
    page = client.get(f"/admin/clusters/{cluster.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/clusters/{cluster.id}/edit",
        data={
            "name": "Space Industry",
            "description": "Upstream and downstream.",
            "slug": "hacked",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        cluster = db.session.get(Cluster, cluster.id)
        assert (cluster.slug, cluster.name) == ("space", "Space Industry")
    assert "Space Industry" in client.get("/admin/clusters").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "materials-manufacturing", "name": "Other"}, "already exists"),
        ({"slug": "Bad Slug!", "name": "Bad"}, "lower-case letters"),
        ({"slug": "ok-slug", "name": "Materials & Manufacturing"}, "already exists"),
        ({"slug": "", "name": "X"}, "This field is required"),
    ],
)
def test_cluster_form_explains_bad_input(app, client, login_as, users, data, message):
    login_as("admin")
    response = client.post("/admin/clusters/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Cluster.id))) == 1


def test_missing_records_are_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.get("/admin/clusters/999999/edit").status_code == 404


def test_form_fields_carry_no_empty_attributes(client, login_as):
    login_as("admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert '="None"' not in html
    assert html.count("autofocus") == 1
