"""Security headers on every response: every GET route of the app, signed out and as an admin,
error pages and redirects; HSTS and Secure cookies in production only."""

from __future__ import annotations

import re

import pytest
from flask import Flask

import config as settings
from tests import walk
from tests.isolated_apps import extra_app
from tracker.security import PUBLIC_ENDPOINTS, STATIC_ENDPOINTS

HSTS_MIN_AGE = 180 * 24 * 3600


def csp_directives(value: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in value.split(";") if part.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def check_headers(response, where: str, *, static: bool = False, production: bool = False) -> None:
    headers = response.headers
    assert response.status_code != 500, where
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == "'self'", where
    assert csp.get("script-src") == "'self'", where
    assert csp.get("object-src") == "'none'", where
    assert csp.get("frame-ancestors") == "'none'", where
    assert "unsafe-inline" not in headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in headers["Content-Security-Policy"], where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    cache = headers.get("Cache-Control", "")
    if static:
        assert "no-store" not in cache and "private" not in cache, where
    else:
        assert "no-store" in cache, where
    hsts = headers.get("Strict-Transport-Security")
    if production:
        assert hsts, where
        age = int(re.search(r"max-age=(\d+)", hsts).group(1))
        assert age >= HSTS_MIN_AGE and "includeSubDomains" in hsts, where
    else:
        assert hsts is None, where


def get_cases(app: Flask, world: walk.World) -> list[walk.Case]:
    cases = [c for c in walk.all_cases(app, world) if c.method == "GET"]
    # Every GET route of the url map is walked (the walk fails on an argument it cannot fill).
    walked = {c.rule for c in cases}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()):
            assert rule.rule in walked, rule.rule
    return cases


def walk_gets(client, cases: list[walk.Case], *, signed_in: bool) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for case in cases:
        response = client.get(case.url)
        response.close()
        where = f"{case} signed {'in' if signed_in else 'out'}"
        check_headers(response, where, static=case.endpoint in STATIC_ENDPOINTS)
        if not signed_in and case.endpoint not in PUBLIC_ENDPOINTS:
            assert walk.redirects_to_login(response), where
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return statuses


def test_every_get_route_signed_out_and_as_admin(app, client):
    world = walk.build_world(app)
    cases = get_cases(app, world)
    assert len(cases) > 40
    signed_out = walk_gets(client, cases, signed_in=False)
    assert signed_out.get(302, 0) > 30
    walk.sign_in(client, world, "admin")
    signed_in = walk_gets(client, cases, signed_in=True)
    assert signed_in.get(200, 0) > 40, signed_in


@pytest.mark.parametrize(
    ("role", "method", "url", "status"),
    [
        ("advisor", "GET", "/no/such/page", 404),
        ("advisor", "GET", "/companies/987654", 404),
        ("advisor", "GET", "/admin/", 403),
        ("advisor", "GET", "/logout", 405),
        ("manager", "POST", "/reports/987654/finalise", 404),
        (None, "GET", "/no/such/page", 302),  # signed out: to the sign-in page first
        (None, "GET", "/static/no-such-file.css", 404),
        ("viewer", "DELETE", "/account", 405),
    ],
)
def test_error_pages_and_redirects_carry_the_headers(client, login_as, role, method, url, status):
    if role:
        login_as(role)
    response = client.open(url, method=method)
    assert response.status_code == status
    check_headers(response, f"{method} {url}", static=url.startswith("/static/"))


def test_a_refused_form_and_too_many_attempts_carry_the_headers(app, client, users, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"email": "advisor@example.lu", "password": "x"})
    assert response.status_code == 400
    check_headers(response, "CSRF refusal")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    client.post("/login", data={"email": "advisor@example.lu", "password": "wrong password!!"})
    response = client.post("/login", data={"email": "advisor@example.lu", "password": "x"})
    assert response.status_code == 429
    check_headers(response, "rate limited")


def test_static_files_may_be_cached_but_not_sniffed(client, login_as):
    login_as("viewer")
    for url in (
        "/static/css/app.css",
        "/static/js/app.js",
        "/bootstrap/static/css/bootstrap.min.css",
    ):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        check_headers(response, url, static=True)


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie"
    return found[0]


def test_cookies_are_httponly_and_samesite_lax(client, users):
    response = client.post(
        "/login",
        data={"email": "advisor@example.lu", "password": walk.factories.PASSWORD, "remember": "y"},
    )
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie, "plain HTTP in development and tests"


def test_production_sends_hsts_and_secure_cookies(database_url, users, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = settings.ProductionConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    with extra_app(config) as app:
        client = app.test_client()
        https = {"base_url": "https://tracker.example.lu"}
        response = client.get("/login", **https)
        assert response.status_code == 200
        check_headers(response, "production sign-in page", production=True)
        response = client.post(
            "/login",
            data={
                "email": "advisor@example.lu",
                "password": walk.factories.PASSWORD,
                "remember": "y",
                "csrf_token": re.search(
                    r'name="csrf_token" type="hidden" value="([^"]+)"', response.text
                ).group(1),
            },
            # Flask-WTF checks the Referer over HTTPS; Referrer-Policy same-origin keeps it.
            headers={"Referer": "https://tracker.example.lu/login"},
            **https,
        )
        assert response.status_code == 302
        check_headers(response, "production redirect", production=True)
        for name in ("session", "remember_token"):
            cookie = _cookie(response, name)
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        for url, static in (("/", False), ("/nowhere", False), ("/static/css/app.css", True)):
            response = client.get(url, **https)
            response.close()
            check_headers(response, f"production {url}", static=static, production=True)


def test_signing_out_needs_the_csrf_token(app, client, login_as, monkeypatch):
    login_as("advisor")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/").status_code == 200, "still signed in"
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
