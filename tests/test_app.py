"""The app factory, configuration, the health probe and response headers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import config
from tracker import create_app
from tracker.extensions import db


def test_testing_config_uses_the_test_database(app, database_url):
    assert app.config["TESTING"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_database_url_selects_the_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example:5432/tracker")
    assert config.DevelopmentConfig().SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")
    monkeypatch.delenv("DATABASE_URL")
    default = config.DevelopmentConfig().SQLALCHEMY_DATABASE_URI
    assert default.startswith("sqlite:///") and default.endswith("instance/tracker.sqlite")


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACKER_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    production = config.ProductionConfig()
    assert production.SESSION_COOKIE_SECURE and production.REMEMBER_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.REMEMBER_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == "Lax" == production.REMEMBER_COOKIE_SAMESITE


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "staging")
    with pytest.raises(RuntimeError, match="TRACKER_ENV"):
        create_app()


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(tmp_path):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'pragmas.sqlite'}"
    with create_app(cfg).app_context():
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_the_database_is_tuned_for_data_in_memory(app):
    """SQLite: a 64 MB page cache; PostgreSQL: random reads costed as SSDs and memory make them
    (tracker/database.py), still so after a transaction is rolled back."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(sa.text("PRAGMA cache_size")).scalar() == -65536
        else:
            db.session.rollback()
            assert db.session.execute(sa.text("SHOW random_page_cost")).scalar() == "1.1"


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up"}


def test_healthz_says_503_when_the_database_does_not_answer(tmp_path):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}"
    broken = create_app(cfg)
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"


def test_security_headers_on_every_response(client):
    for url in ("/login", "/healthz", "/static/css/app.css"):
        with client.get(url) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, auth, users):
    auth.login("advisor@example.lu")
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_bootstrap_is_served_locally(client, login_as):
    login_as("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "/bootstrap/static/" in html
    assert "cdn.jsdelivr" not in html and "https://" not in html.split("<body")[0]
    with client.get("/bootstrap/static/css/bootstrap.min.css") as response:
        assert response.status_code == 200


def test_unknown_page_is_a_friendly_404(client, login_as):
    login_as("advisor")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_unexpected_error_is_a_500_page_without_traceback(app, client, login_as, monkeypatch):
    login_as("advisor")
    from tracker.main import views

    def boom(user):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views, "build_dashboard", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data


def test_moments_are_shown_in_luxembourg_time(app) -> None:
    from datetime import UTC, datetime

    from tracker.templating import format_moment

    with app.test_request_context():
        assert format_moment(datetime(2026, 11, 27, 12, 0, tzinfo=UTC)) == "27 Nov 2026, 13:00"
        assert format_moment(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "1 Jul 2026, 14:00"
        # SQLite gives naive values back: they are UTC.
        assert format_moment(datetime(2026, 11, 27, 23, 30)) == "28 Nov 2026, 00:30"
