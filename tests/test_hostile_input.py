"""Hostile values posted to every form of the app: never a 500, never unescaped output.

The forms are found, not listed: every page an advisor or an admin can open is read, and each
<form method=post> on it is posted with values drawn from HOSTILE (and sometimes a valid choice
of the form's own options), by Hypothesis with a fixed derandomised seed. A new form is covered
without editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import walk
from tracker.reports import services as report_services

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped.
MARKERS = (SCRIPT, "<img src=x onerror")

HOSTILE = [
    "A" * 10_000,
    "nul\x00byte",
    "\x00",
    "\u202eevil.exe\u202c",
    "emoji 😀🏭🇱🇺",
    "Zalgo e\u0301\u0302\u0303\u0304 a\u0308\u0308",
    "<b>bold</b> & <i>",
    SCRIPT,
    IMG,
    f"Company {SCRIPT}",
    "' OR 1=1 --",
    "1; DROP TABLE companies; --",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "99999999999999999999999999",
    "-1",
    "-99999999999",
    "1e309",
    "NaN",
    "0",
    "9999-99-99",
    "0000-00-00",
    "2026-02-30",
    "",
    " ",
    "\r\n",
    "%s%s%n",
    "{{ 7*7 }}",
    "../../etc/passwd",
]

# Forms that end the session or do nothing a visitor would type into.
SKIPPED_ACTIONS = {"/logout", "/login"}
EXAMPLES = 12


def values_for(form: walk.Form, name: str) -> st.SearchStrategy[list[str]]:
    hostile = st.sampled_from(HOSTILE) | st.text(max_size=40)
    choices = form.choices(name)
    if choices:
        one = st.sampled_from(choices) | hostile
        return st.lists(one, min_size=0, max_size=2)
    return st.lists(hostile, min_size=0, max_size=1)


def form_data(form: walk.Form) -> st.SearchStrategy[dict[str, list[str]]]:
    submit = {k: v for k, v in form.defaults().items() if k not in form.names()}
    fields = st.fixed_dictionaries({name: values_for(form, name) for name in form.names()})
    return fields.map(lambda data: {**submit, **{k: v for k, v in data.items() if v}})


def unescaped(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


@pytest.fixture(scope="module")
def world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[walk.World]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path_factory.mktemp("uploads")))
        patch.setattr(report_services, "render_pdf", lambda content: b"%PDF-1.7 hostile\n")
        yield walk.build_world(app)


def discover_forms(app: Flask, world: walk.World, role: str) -> list[tuple[str, walk.Form]]:
    """(page URL, form) of every distinct post form on the pages `role` may open."""
    client = app.test_client()
    walk.sign_in(client, world, role)
    found: dict[tuple[str, tuple[str, ...]], tuple[str, walk.Form]] = {}
    for case in walk.all_cases(app, world):
        if case.method != "GET" or case.endpoint in ("static", "bootstrap.static"):
            continue
        response = client.get(case.url)
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in walk.post_forms(response.get_data(as_text=True), case.url):
            path = walk.form_path(form.action)
            if path in SKIPPED_ACTIONS:
                continue
            # One form per kind: the archive buttons of fourteen markets are one form.
            kind = (re.sub(r"\d+", "N", path), tuple(sorted(form.names())))
            found.setdefault(kind, (case.url, form))
    return list(found.values())


def hostile_posts(client: FlaskClient, form: walk.Form, where: str) -> Callable[[], None]:
    """A Hypothesis test posting hostile values to `form`."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=form_data(form))
    def post(data: dict[str, list[str]]) -> None:
        response = client.post(form.action, data=data, follow_redirects=True)
        for answer in [*response.history, response]:
            answer.close()
            request = f"POST {form.action} ({where}) with {data!r:.300}"
            assert answer.status_code < 500, f"{request}: answered {answer.status_code}"
            if answer.mimetype == "text/html":
                leaked = unescaped(answer.get_data(as_text=True))
                assert not leaked, f"{request}: {leaked} unescaped in {answer.request.path}"

    return post


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_hostile_values_in_every_form_never_break_or_leak(
    app: Flask, world: walk.World, role: str
) -> None:
    walk.restore(app, world)
    forms = discover_forms(app, world, role)
    assert len(forms) > 10, "the walk found too few forms; is the data set still complete?"
    failures: list[str] = []
    # The hostile values saved by one form stay for the next ones and for the pages read at the
    # end, where they are shown again.
    client = app.test_client()
    walk.sign_in(client, world, role)
    for page, form in forms:
        try:
            hostile_posts(client, form, f"the form of {page} as {role}")()
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    # Whatever was saved is shown again somewhere: every page must still escape it.
    for case in walk.all_cases(app, world):
        if case.method != "GET" or case.endpoint in ("static", "bootstrap.static"):
            continue
        response = client.get(case.url)
        response.close()
        if response.status_code >= 500:
            failures.append(f"GET {case.url} as {role} after the hostile posts: 500")
        elif response.mimetype == "text/html" and unescaped(response.get_data(as_text=True)):
            failures.append(f"GET {case.url} as {role}: unescaped hostile markup")
    assert not failures, "\n".join(failures)


def test_nul_characters_in_every_field_and_query_are_no_error(
    app: Flask, world: walk.World
) -> None:
    """PostgreSQL text cannot hold NUL: every form and every search must still answer."""
    walk.restore(app, world)
    failures = []
    client = app.test_client()
    walk.sign_in(client, world, "admin")
    for page, form in discover_forms(app, world, "admin"):
        data = form.defaults()
        for name in form.names():
            if not form.choices(name):
                data[name] = [f"nul\x00{value}" for value in data.get(name) or [""]]
        response = client.post(form.action, data=data)
        response.close()
        if response.status_code >= 500:
            failures.append(f"POST {form.action} (form of {page}): {response.status_code}")
    for case in walk.all_cases(app, world):
        if case.method == "GET" and case.endpoint not in ("static", "bootstrap.static"):
            sep = "&" if "?" in case.url else "?"
            response = client.get(f"{case.url}{sep}q=a%00b&company=%00&month=%00")
            response.close()
            if response.status_code >= 500:
                failures.append(f"GET {case.url} with NUL in the query: {response.status_code}")
    assert not failures, "\n".join(failures)
