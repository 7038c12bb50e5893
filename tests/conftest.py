"""Fixtures: one app and one migrated database per run, emptied after every test.

The database is SQLite in a temporary folder, or the PostgreSQL database named by
TEST_DATABASE_URL (the CI creates a fresh one per run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from tests import factories
from tracker import create_app
from tracker.extensions import db, limiter
from tracker.i18n import compile_catalogue, stale_catalogues

REFERENCE_TABLES = ("need_categories", "instruments", "markets")


def make_config(database_url: str) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
        reference = {
            name: [dict(r._mapping) for r in db.session.execute(sa.text(f"SELECT * FROM {name}"))]  # noqa: S608
            for name in REFERENCE_TABLES
        }
        db.session.remove()
    app.config["REFERENCE_SNAPSHOT"] = reference
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_database(app: Flask) -> None:
    """Delete every row, then put back the reference data the migration loaded."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            for name, rows in app.config["REFERENCE_SNAPSHOT"].items():
                if rows:
                    conn.execute(db.metadata.tables[name].insert(), rows)
        db.session.remove()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app: Flask = request.getfixturevalue("app")
        empty_database(app)
        with app.app_context():
            limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real form, as a browser would."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD, **extra: str) -> Any:
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self) -> Any:
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def users(app: Flask) -> dict[str, factories.UserInfo]:
    """One user of each role, in a cluster; keyed by role name."""
    with app.app_context():
        cluster = factories.make_cluster("materials-manufacturing", "Materials & Manufacturing")
        infos = {
            role: factories.make_user(role=role, email=f"{role}@example.lu", clusters=[cluster])
            for role in ("admin", "manager", "advisor", "viewer")
        }
        db.session.commit()
    return infos


@pytest.fixture
def login_as(auth: AuthActions, users: dict[str, factories.UserInfo]) -> Any:
    def _login(role: str) -> factories.UserInfo:
        response = auth.login(users[role].email)
        assert response.status_code == 302, "sign-in failed"
        return users[role]

    return _login


def pytest_configure(config: pytest.Config) -> None:
    """Compile the French and German catalogues when a .po is newer than its .mo (or it has none):
    the .mo files are not committed, and a bare `pytest` must test the translated pages."""
    for po in stale_catalogues():
        compile_catalogue(po)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent.name == "browser":
            item.add_marker(pytest.mark.browser)
