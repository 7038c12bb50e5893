"""Every route, for every role and for a signed-out visitor, with other people's records.

The walk reads the app's url_map, so a new route is walked without editing this file; its
expectation comes from POLICY below (first matching endpoint pattern), else from the default:
staff only. The policy is DESIGN.md section 3:

- signed out: the sign-in page, except the public endpoints;
- viewer: the dashboard, their account and the final ministry reports, nothing else;
- advisor: every staff page, but not someone else's interaction, the managers' actions on
  reports, nor the admin pages;
- manager: everything but the admin pages; admin: everything.

Each request must never answer 500; a refused POST must change nothing in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests import walk
from tracker.reports import services as report_services

ALLOW = "allowed"
DENY = "refused with 403"
HIDDEN = "hidden with 404"
LOGIN = "sent to the sign-in page"
NOT_FOUND = "not found (404)"
NO_CHANGE = "changes nothing"  # the route answers, but the record is not the user's to use

Expectation = str | Callable[[walk.Case], str]
SIGNED_OUT = "signed out"

STAFF_ONLY = {"admin": ALLOW, "manager": ALLOW, "advisor": ALLOW, "viewer": DENY, SIGNED_OUT: LOGIN}
EVERY_USER = {
    "admin": ALLOW,
    "manager": ALLOW,
    "advisor": ALLOW,
    "viewer": ALLOW,
    SIGNED_OUT: LOGIN,
}
PUBLIC = {**EVERY_USER, SIGNED_OUT: ALLOW}
MANAGERS_ONLY = {**STAFF_ONLY, "advisor": DENY}
ADMINS_ONLY = {**MANAGERS_ONLY, "manager": DENY}


def _own_interaction_only(case: walk.Case) -> str:
    """Advisors change their own interactions, not another advisor's."""
    return ALLOW if "own interaction" in case.labels else DENY


def _admin_records(case: walk.Case) -> str:
    """The history of users, clusters and catalogues is admins' (as the records are)."""
    admin_kinds = {"user", "cluster", "instrument", "need-category", "market"}
    return DENY if any(f"record_type={kind}" in case.labels for kind in admin_kinds) else ALLOW


def _final_ministry_only(case: walk.Case) -> str:
    """A viewer cannot even tell that a draft or an internal edition exists."""
    return ALLOW if "final ministry" in case.labels else HIDDEN


# First match wins; patterns are fnmatch patterns of endpoint names, or of URL rules when they
# start with "/".
POLICY: list[tuple[tuple[str, ...], dict[str, Expectation]]] = [
    (("static", "bootstrap.static", "main.healthz", "auth.login"), PUBLIC),
    # The feed opens by its secret token; a wrong token finds nothing, signed in or not.
    (("followups.calendar_feed",), dict.fromkeys([*walk.ROLES, SIGNED_OUT], NOT_FOUND)),
    # Signing out ends the session: back to the sign-in page, whoever asks.
    (("auth.logout",), dict.fromkeys([*walk.ROLES, SIGNED_OUT], LOGIN)),
    (("main.dashboard", "*.account", "*.account_*", "account.*"), EVERY_USER),
    (("reports.index",), EVERY_USER),
    (
        ("reports.detail", "reports.pdf", "reports.json"),
        {**STAFF_ONLY, "viewer": _final_ministry_only},
    ),
    (("reports.finalise", "reports.summary"), MANAGERS_ONLY),
    (("admin.*", "audit.*", "/admin/*"), ADMINS_ONLY),
    (
        (
            "interactions.edit",
            "interactions.delete",
            "interactions.archive",
            "interactions.restore",
        ),
        {**STAFF_ONLY, "advisor": _own_interaction_only},
    ),
    (("history.record",), {**STAFF_ONLY, "manager": _admin_records, "advisor": _admin_records}),
    # GDPR: erasing a person and reviewing retention are managers' decisions.
    (("gdpr.erase", "gdpr.retention", "gdpr.archive"), MANAGERS_ONLY),
    # Another user's import preview: only its owner may confirm or cancel it.
    (
        ("transfer.confirm", "transfer.cancel"),
        {**STAFF_ONLY, "admin": NO_CHANGE, "manager": NO_CHANGE, "advisor": NO_CHANGE},
    ),
]


def expected(case: walk.Case, who: str) -> str:
    for patterns, table in POLICY:
        if any(
            fnmatchcase(case.rule if pattern.startswith("/") else case.endpoint, pattern)
            for pattern in patterns
        ):
            outcome = table[who]
            break
    else:
        outcome = STAFF_ONLY[who]
    return outcome(case) if callable(outcome) else outcome


def problem(outcome: str, case: walk.Case, response: Any) -> str | None:
    """What is wrong with `response` for a case expected to be `outcome`; None if nothing."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if outcome == ALLOW:
        if walk.redirects_to_login(response):
            return "sent to the sign-in page"
        if 200 <= status < 400:
            return None
        if case.method == "POST" and status in (400, 409, 422):
            return None  # the form refused the values the walk posted
        return f"answered {status}"
    if outcome == DENY:
        return None if status == 403 else f"answered {status}"
    if outcome in (HIDDEN, NOT_FOUND):
        return None if status == 404 else f"answered {status}"
    if outcome == LOGIN:
        return None if walk.redirects_to_login(response) else f"answered {status}"
    if outcome == NO_CHANGE:
        return None if status != 403 else "answered 403"
    raise AssertionError(outcome)


@pytest.fixture(scope="module")
def world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[walk.World]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path_factory.mktemp("uploads")))
        # Access is the question here, not the PDF (test_report_pdf.py renders real ones).
        patch.setattr(report_services, "render_pdf", lambda content: b"%PDF-1.7 walk\n")
        world = walk.build_world(app)
        world.payloads = _payloads(app, world)
        yield world


def _payloads(app: Flask, world: walk.World) -> dict[str, dict[str, list[str]]]:
    """What the forms of the app post to each path, as an admin sees them.

    The walk posts these values, so that a route that forgot its access check would really
    change something.
    """
    client = app.test_client()
    walk.sign_in(client, world, "admin")
    payloads: dict[str, dict[str, list[str]]] = {}
    for case in walk.all_cases(app, world):
        if case.method != "GET" or expected(case, "admin") != ALLOW:
            continue
        if case.endpoint in ("static", "bootstrap.static", "auth.login"):
            continue
        response = client.get(case.url)
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for form in walk.post_forms(html, case.url):
            payloads.setdefault(walk.form_path(form.action), form.changing())
    walk.restore(app, world)
    return payloads


@pytest.fixture
def walk_db(app: Flask, world: walk.World) -> walk.World:
    walk.restore(app, world)
    return world


def run_walk(app: Flask, world: walk.World, who: str) -> list[str]:
    """Send every case as `who`; the list of what went wrong."""
    client = app.test_client()
    if who != SIGNED_OUT:
        walk.sign_in(client, world, who)
    failures = []
    for case in walk.all_cases(app, world):
        outcome = expected(case, who)
        if case.method == "GET":
            response = client.get(case.url)
            changed = []
        else:
            before = walk.fingerprint(app)
            response = client.post(case.url, data=world.payloads.get(walk.form_path(case.url), {}))
            changed = walk.changed_tables(before, walk.fingerprint(app))
        response.close()
        wrong = problem(outcome, case, response)
        if changed and outcome != ALLOW:
            wrong = "; ".join(filter(None, [wrong, f"changed {', '.join(changed)}"]))
        if wrong:
            failures.append(f"{case}: expected {outcome}, {wrong}")
        if changed:
            walk.restore(app, world)
        if who != SIGNED_OUT and (changed or case.endpoint == "auth.logout"):
            client = app.test_client()
            walk.sign_in(client, world, who)
    return failures


@pytest.mark.parametrize("who", [*walk.ROLES, SIGNED_OUT])
def test_every_route_answers_each_role_as_the_design_says(
    app: Flask, walk_db: walk.World, who: str
) -> None:
    failures = run_walk(app, walk_db, who)
    assert not failures, f"{len(failures)} route(s) wrong for {who}:\n" + "\n".join(failures)


def test_the_walk_covers_every_route(app: Flask, walk_db: walk.World) -> None:
    """Every rule of the url_map yields at least one request, for each method it accepts."""
    walked = {(c.endpoint, c.rule, c.method) for c in walk.all_cases(app, walk_db)}
    for rule in app.url_map.iter_rules():
        for method in walk.METHODS:
            if method in (rule.methods or ()):
                assert (rule.endpoint, rule.rule, method) in walked


def test_a_route_with_an_argument_nobody_taught_the_walk_fails_with_advice(
    app: Flask, walk_db: walk.World
) -> None:
    rule = Rule("/walk-test/<int:gizmo_id>", endpoint="walk_test.gizmo", methods=["GET"])
    rule.bind(app.url_map)  # compiled, not added to the app
    with pytest.raises(AssertionError, match=r"'gizmo_id'.*add it to ARGUMENTS"):
        walk.all_cases(app, walk_db, [*app.url_map.iter_rules(), rule])


def test_without_a_csrf_token_every_post_is_refused_and_changes_nothing(
    app: Flask, walk_db: walk.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite runs with CSRF off (TestingConfig); here it is on, as in production."""
    admin = app.test_client()
    walk.sign_in(admin, walk_db, "admin")
    signed_out = app.test_client()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    failures = []
    for case in walk.all_cases(app, walk_db):
        if case.method != "POST":
            continue
        payload = dict(walk_db.payloads.get(walk.form_path(case.url), {}))
        payload.pop("csrf_token", None)
        for who, client in (("admin", admin), (SIGNED_OUT, signed_out)):
            before = walk.fingerprint(app)
            response = client.post(case.url, data=payload)
            response.close()
            changed = walk.changed_tables(before, walk.fingerprint(app))
            if response.status_code != 400 or changed:
                failures.append(
                    f"{case} as {who}: answered {response.status_code}"
                    + (f", changed {', '.join(changed)}" if changed else "")
                )
            if changed:
                walk.restore(app, walk_db)
    assert not failures, "\n".join(failures)
