"""The History page of each record, the admins' search of the audit trail, and its immutability."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.helpers import count_statements
from tracker import audit
from tracker.companies import services as company_services
from tracker.extensions import db
from tracker.history.guard import AuditTrailImmutable
from tracker.models import (
    AuditEntry,
    Cluster,
    Company,
    CompanyStatus,
    Event,
    FollowUp,
    HealthCheck,
    Instrument,
    Interaction,
    Market,
    Need,
    NeedCategory,
    Person,
    Report,
    ReportEdition,
    Solution,
    User,
)

ROLES = ("admin", "manager", "advisor", "viewer")
STAFF_KINDS = (
    "company",
    "person",
    "interaction",
    "health-check",
    "need",
    "solution",
    "followup",
    "event",
    "report",
)
ADMIN_KINDS = ("user", "cluster", "instrument", "need-category", "market")


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _entry(
    actor_id: int | None,
    action: str,
    target: Any,
    changes: dict[str, list[Any]] | None = None,
    at: datetime | None = None,
) -> int:
    entry = audit.record(_user(actor_id) if actor_id else None, action, target, changes)
    if at is not None:
        entry.at = at
    db.session.flush()
    return entry.id


@pytest.fixture
def records(app: Flask, users: dict[str, factories.UserInfo]) -> dict[str, tuple[str, int]]:
    """One record of every kind, each with one audit entry: {kind slug: (slug, id)}."""
    advisor = users["advisor"].id
    with app.app_context():
        company = factories.make_company("Kirchberg Steel S.A.")
        person = factories.make_person(company, "Anne Schmit")
        interaction = factories.make_interaction(company, advisor)
        check = factories.make_health_check(company, advisor)
        need = factories.make_need(company)
        solution = factories.make_solution(need)
        followup = factories.make_followup(company, advisor)
        event = factories.make_event()
        report = Report(month="2026-10", edition=ReportEdition.MINISTRY, generated_by_id=advisor)
        db.session.add(report)
        cluster = db.session.execute(db.select(Cluster)).scalars().first()
        instrument = factories.instrument("COVID-RDI")
        category = factories.category("liquidity")
        market = db.session.execute(db.select(Market)).scalars().first()
        if market is None:
            market = Market(slug="automotive", name="Automotive")
            db.session.add(market)
        db.session.flush()
        targets = {
            "company": company,
            "person": person,
            "interaction": interaction,
            "health-check": check,
            "need": need,
            "solution": solution,
            "followup": followup,
            "event": event,
            "report": report,
            "user": _user(users["viewer"].id),
            "cluster": cluster,
            "instrument": instrument,
            "need-category": category,
            "market": market,
        }
        for slug, target in targets.items():
            _entry(advisor, "update", target, {"marker": [None, f"{slug} changed"]})
        db.session.commit()
        return {slug: (slug, target.id) for slug, target in targets.items()}


def _url(kind: str, record_id: int) -> str:
    return f"/history/{kind}/{record_id}"


# The page.


def test_company_history_shows_fields_old_and_new_values_newest_first(
    app: Flask, client: FlaskClient, login_as: Any, users: dict[str, factories.UserInfo]
) -> None:
    with app.app_context():
        advisor = _user(users["advisor"].id)
        manager = _user(users["manager"].id)
        details = company_services.CompanyDetails(
            legal_name="Moselle Castings S.A.", employees=40, owner=advisor
        )
        company = company_services.create_company(details, actor=advisor)
        db.session.commit()
        details.legal_name = "Moselle Precision Castings S.A."
        details.employees = 55
        details.owner = manager
        details.status = CompanyStatus.DORMANT
        company_services.update_company(company, details, actor=manager)
        db.session.commit()
        company_id = company.id
    login_as("advisor")
    html = client.get(_url("company", company_id)).get_data(as_text=True)
    assert "History of Moselle Precision Castings S.A." in html
    update_at, create_at = html.index(">Updated<"), html.index(">Created<")
    assert update_at < create_at, "newest first"
    update = html[update_at:create_at]
    assert "Manager Tester" in update  # who
    assert "Legal name" in update and "Employees" in update  # labels, not column names
    assert "Moselle Castings S.A." in update and "Moselle Precision Castings S.A." in update
    assert ">40<" in update and ">55<" in update
    # The owner is stored as a user id and shown by name.
    assert "Advisor Tester" in update
    assert ">owner<" not in html and ">legal_name<" not in html
    created = html[create_at:]
    assert "Advisor Tester" in created
    assert "—" in created  # a create has no old values
    assert "/admin/audit" not in html  # the search is for admins


def test_entry_time_is_luxembourg_time(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, tuple[str, int]]
) -> None:
    with app.app_context():
        company = db.session.get(Company, records["company"][1])
        _entry(
            None,
            "archive",
            company,
            {"archived": [False, True]},
            datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
        )
        db.session.commit()
    login_as("manager")
    html = client.get(_url(*records["company"])).get_data(as_text=True)
    # 22:30 UTC is half past midnight the next day in Luxembourg (summer time).
    assert "2 Jul 2026, 00:30" in html
    assert 'datetime="2026-07-01T22:30:00+00:00"' in html
    assert "the system" in html  # an entry without an author
    assert ">Archived<" in html and ">no<" in html and ">yes<" in html


def test_values_are_readable_and_escaped(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, tuple[str, int]], users: Any
) -> None:
    long_text = "Order book collapsed after the loss of the main automotive customer. " * 4
    with app.app_context():
        company = db.session.get(Company, records["company"][1])
        _entry(
            users["advisor"].id,
            "update",
            company,
            {
                "trade_name": ["<script>alert('x')</script>", None],
                "markets": [["aeronautics"], ["aeronautics", "automotive"]],
                "notes": ["", long_text],
                "short_time_work": [None, False],
                "established_on": ["2020-03-01", "2021-11-27"],
            },
        )
        db.session.commit()
    login_as("advisor")
    html = client.get(_url(*records["company"])).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "aeronautics, automotive" in html  # lists joined
    assert "<details" in html and long_text.strip() in html  # long text: shortened, full kept
    summary = html[html.index("<summary>") : html.index("</summary>")]
    assert long_text.strip() not in summary and "…" in summary
    assert ">no<" in html  # booleans as yes/no
    assert "27 Nov 2021" in html  # dates readable
    assert "Established on" in html  # an unknown field: its name with spaces
    assert "Trade name" in html


@pytest.mark.parametrize("kind", [*STAFF_KINDS, *ADMIN_KINDS])
def test_history_of_every_kind_of_record(
    client: FlaskClient, login_as: Any, records: dict[str, tuple[str, int]], kind: str
) -> None:
    login_as("admin")
    response = client.get(_url(*records[kind]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{kind} changed" in html
    assert "Marker" in html
    assert "Back to the record" in html  # a link to the record's own page
    record_id = records[kind][1]
    assert f'href="/admin/audit?type={kind}&amp;record={record_id}"' in html  # admins search


def test_people_history_shows_what_is_stored_after_an_erasure(
    app: Flask, client: FlaskClient, login_as: Any, users: Any
) -> None:
    with app.app_context():
        company = factories.make_company()
        person = factories.make_person(company, "Erased person")
        _entry(users["advisor"].id, "update", person, {"email": ["[erased]", "[erased]"]})
        person.erased_at = datetime.now(UTC)
        db.session.commit()
        person_id = person.id
    login_as("advisor")
    html = client.get(_url("person", person_id)).get_data(as_text=True)
    assert "[erased]" in html


def test_history_is_paginated(app: Flask, client: FlaskClient, login_as: Any, users: Any) -> None:
    page_size = app.config["PAGE_SIZE"]
    with app.app_context():
        company = factories.make_company()
        for n in range(page_size + 3):
            _entry(
                users["advisor"].id,
                "update",
                company,
                {"employees": [n, n + 1]},
                datetime(2026, 1, 1, 8, tzinfo=UTC).replace(minute=n % 60, hour=8 + n // 60),
            )
        db.session.commit()
        company_id = company.id
    login_as("advisor")
    first = client.get(_url("company", company_id)).get_data(as_text=True)
    assert first.count('data-testid="audit-entry-') == page_size
    assert f"1–{page_size} of {page_size + 3}" in first
    assert f'href="/history/company/{company_id}?page=2"' in first
    second = client.get(_url("company", company_id) + "?page=2").get_data(as_text=True)
    assert second.count('data-testid="audit-entry-') == 3
    assert ">0<" in second  # the oldest change is on the last page
    assert client.get(_url("company", company_id) + "?page=99").status_code == 200


def test_a_record_without_entries_has_an_empty_history(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    with app.app_context():
        company = factories.make_company()
        db.session.commit()
        company_id = company.id
    login_as("advisor")
    response = client.get(_url("company", company_id))
    assert response.status_code == 200
    assert "No change has been recorded" in response.get_data(as_text=True)


# Access.


@pytest.mark.parametrize("kind", STAFF_KINDS)
@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("manager", 200), ("advisor", 200), ("viewer", 403)]
)
def test_staff_read_the_history_of_their_records(
    client: FlaskClient,
    login_as: Any,
    records: dict[str, tuple[str, int]],
    kind: str,
    role: str,
    status: int,
) -> None:
    login_as(role)
    assert client.get(_url(*records[kind])).status_code == status


@pytest.mark.parametrize("kind", ADMIN_KINDS)
@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("manager", 403), ("advisor", 403), ("viewer", 403)]
)
def test_only_admins_read_the_history_of_users_clusters_and_catalogues(
    client: FlaskClient,
    login_as: Any,
    records: dict[str, tuple[str, int]],
    kind: str,
    role: str,
    status: int,
) -> None:
    login_as(role)
    assert client.get(_url(*records[kind])).status_code == status


@pytest.mark.parametrize("kind", ["company", "user"])
def test_signed_out_visitors_are_sent_to_sign_in(
    client: FlaskClient, records: dict[str, tuple[str, int]], kind: str
) -> None:
    response = client.get(_url(*records[kind]))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_viewers_get_403_even_for_unknown_records(client: FlaskClient, login_as: Any) -> None:
    login_as("viewer")
    assert client.get(_url("company", 999_999)).status_code == 403
    assert client.get(_url("nonsense", 1)).status_code == 403


@pytest.mark.parametrize("role", ["admin", "advisor"])
def test_unknown_records_and_kinds_are_404(
    client: FlaskClient, login_as: Any, records: Any, role: str
) -> None:
    login_as(role)
    assert client.get(_url("company", 999_999)).status_code == 404
    assert client.get(_url("nonsense", 1)).status_code == 404
    assert client.get(_url("Company", records["company"][1])).status_code == 404  # slugs only
    assert client.get(_url("company", 2**40)).status_code == 404
    assert client.get("/history/company/abc").status_code == 404


def test_the_history_of_a_purged_record_stays_readable_by_admins(
    app: Flask, client: FlaskClient, login_as: Any, auth: Any, users: Any
) -> None:
    with app.app_context():
        company = factories.make_company("Purged Industries S.A.")
        _entry(
            users["advisor"].id, "create", company, {"legal_name": [None, "Purged Industries S.A."]}
        )
        company_id = company.id
        db.session.delete(company)
        _entry(
            users["admin"].id, "purge", company, {"legal_name": ["Purged Industries S.A.", None]}
        )
        db.session.commit()
    login_as("admin")
    response = client.get(_url("company", company_id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "no longer exists" in html
    assert f"Company #{company_id}" in html
    assert ">Purged<" in html and "Purged Industries S.A." in html
    auth.logout()
    login_as("manager")
    assert client.get(_url("company", company_id)).status_code == 404


# Links to the History from each record's page.


def test_record_pages_link_to_their_history(
    client: FlaskClient, login_as: Any, records: dict[str, tuple[str, int]], app: Flask
) -> None:
    login_as("admin")
    with app.app_context():
        person = db.session.get(Person, records["person"][1])
        need = db.session.get(Need, records["need"][1])
        pages = {
            "company": f"/companies/{records['company'][1]}",
            "person": f"/companies/{person.company_id}/people/{person.id}/edit",
            "interaction": f"/interactions/{records['interaction'][1]}",
            "need": f"/needs/{need.id}",
            "solution": f"/solutions/{records['solution'][1]}",
            "event": f"/events/{records['event'][1]}",
            "report": f"/reports/{records['report'][1]}",
            "user": f"/admin/users/{records['user'][1]}/edit",
            "cluster": f"/admin/clusters/{records['cluster'][1]}/edit",
            "instrument": f"/admin/instruments/{records['instrument'][1]}/edit",
            "need-category": f"/admin/need-categories/{records['need-category'][1]}/edit",
            "market": f"/admin/markets/{records['market'][1]}/edit",
        }
    for kind, page in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'href="{_url(*records[kind])}"' in response.get_data(as_text=True), page


def test_followups_link_to_their_history(
    app: Flask, client: FlaskClient, login_as: Any, records: dict[str, tuple[str, int]]
) -> None:
    login_as("advisor")
    html = client.get("/followups").get_data(as_text=True)
    assert f'href="{_url(*records["followup"])}"' in html


# The admins' search.


@pytest.fixture
def trail(app: Flask, users: dict[str, factories.UserInfo]) -> dict[str, int]:
    """A small trail by two people over two days: {name: entry id}."""
    advisor, manager = users["advisor"].id, users["manager"].id
    with app.app_context():
        company = factories.make_company("Alzette Plastics S.A.")
        other = factories.make_company("Sûre Metal S.à r.l.")
        need = factories.make_need(company)
        day1 = datetime(2026, 3, 10, 9, tzinfo=UTC)
        day2 = datetime(2026, 3, 12, 15, tzinfo=UTC)
        ids = {
            "create": _entry(
                advisor, "create", company, {"legal_name": [None, "Alzette Plastics S.A."]}, day1
            ),
            "rename": _entry(
                manager, "update", other, {"locality": ["Ettelbruck", "Lëtzebuerg"]}, day2
            ),
            "archive": _entry(manager, "archive", company, {"archived": [False, True]}, day2),
            "need": _entry(
                advisor, "update", need, {"description": ["", "100% of 50_000 EUR"]}, day2
            ),
        }
        db.session.commit()
        ids["company"] = company.id
        ids["other"] = other.id
    return ids


def _found(html: str, trail: dict[str, int]) -> set[str]:
    return {
        name
        for name in ("create", "rename", "archive", "need")
        if f'data-testid="audit-row-{trail[name]}"' in html
    }


def _search(client: FlaskClient, **args: Any) -> tuple[int, str]:
    response = client.get("/admin/audit", query_string=args)
    return response.status_code, response.get_data(as_text=True)


def test_search_lists_every_entry_newest_first(
    client: FlaskClient, login_as: Any, trail: dict[str, int]
) -> None:
    login_as("admin")
    status, html = _search(client)
    assert status == 200
    assert _found(html, trail) == {"create", "rename", "archive", "need"}
    assert html.index(f"audit-row-{trail['need']}") < html.index(f"audit-row-{trail['create']}")
    # Each row links to the record's history.
    assert f'href="/history/company/{trail["company"]}"' in html
    assert "Alzette Plastics S.A." in html
    assert "Sûre Metal S.à r.l." in html  # the record's name, beside its type and id


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"type": "company"}, {"create", "rename", "archive"}),
        ({"type": "need"}, {"need"}),
        ({"action": "archive"}, {"archive"}),
        ({"date_from": "2026-03-11"}, {"rename", "archive", "need"}),
        ({"date_to": "2026-03-10"}, {"create"}),
        ({"date_from": "2026-03-10", "date_to": "2026-03-10"}, {"create"}),
        ({"q": "alzette"}, {"create"}),
        ({"q": "LËTZEBUERG"}, {"rename"}),  # non-ASCII, any case
        ({"q": "lëtzebuerg"}, {"rename"}),
        ({"q": "100%"}, {"need"}),  # LIKE wildcards are literal
        ({"q": "50_0"}, {"need"}),
        ({"q": "%"}, {"need"}),
        ({"q": "nowhere"}, set()),
        ({"type": "company", "action": "update"}, {"rename"}),
        ({"type": "company", "date_from": "2026-03-12", "q": "true"}, {"archive"}),
    ],
)
def test_search_filters(
    client: FlaskClient,
    login_as: Any,
    trail: dict[str, int],
    args: dict[str, str],
    expected: set[str],
) -> None:
    login_as("admin")
    status, html = _search(client, **args)
    assert status == 200
    assert _found(html, trail) == expected


def test_search_by_user_and_record_id(
    client: FlaskClient, login_as: Any, trail: dict[str, int], users: Any
) -> None:
    login_as("admin")
    assert _found(_search(client, user=users["manager"].id)[1], trail) == {"rename", "archive"}
    assert _found(_search(client, user=users["advisor"].id)[1], trail) == {"create", "need"}
    by_record = _search(client, type="company", record=trail["company"])[1]
    assert _found(by_record, trail) == {"create", "archive"}
    combined = _search(client, user=users["manager"].id, record=trail["other"], type="company")[1]
    assert _found(combined, trail) == {"rename"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"date_from": "31/12/2026"}, "Enter a date like 2026-11-27"),
        ({"date_to": "yesterday"}, "Enter a date like 2026-11-27"),
        (
            {"date_from": "2026-03-12", "date_to": "2026-03-10"},
            "The end date is before the start date",
        ),
        ({"date_from": "0001-01-01"}, "between 1900 and 2999"),
        ({"date_to": "9999-12-31"}, "between 1900 and 2999"),
        ({"type": "spaceship"}, "Choose a record type from the list"),
        ({"user": "abc"}, "Choose a user from the list"),
        ({"user": "999999"}, "Choose a user from the list"),
        ({"action": "drop table"}, "Choose an action from the list"),
        ({"record": "abc"}, "Not a valid integer value"),
        ({"record": "-3"}, "A record id is a whole number from 1 up"),
        ({"record": str(2**63)}, "A record id is a whole number from 1 up"),
        ({"q": "x" * 201}, "Field cannot be longer than 200 characters"),
    ],
)
def test_bad_filters_get_a_message_on_the_form(
    client: FlaskClient, login_as: Any, trail: dict[str, int], args: dict[str, str], message: str
) -> None:
    login_as("admin")
    status, html = _search(client, **args)
    assert status == 400
    assert message in html
    assert "Some filters are not valid" in html
    assert 'aria-invalid="true"' in html
    assert _found(html, trail) == set()


def test_search_pagination_keeps_the_filters(
    app: Flask, client: FlaskClient, login_as: Any, users: Any
) -> None:
    page_size = app.config["PAGE_SIZE"]
    with app.app_context():
        company = factories.make_company()
        for n in range(page_size + 2):
            _entry(users["advisor"].id, "update", company, {"employees": [n, n + 1]})
        _entry(users["advisor"].id, "archive", company, {"archived": [False, True]})
        db.session.commit()
    login_as("admin")
    status, html = _search(client, action="update")
    assert status == 200
    assert html.count('data-testid="audit-row-') == page_size
    assert "action=update" in html and "page=2" in html
    status, html = _search(client, action="update", page=2)
    assert status == 200
    assert html.count('data-testid="audit-row-') == 2


@pytest.mark.parametrize("role", ["manager", "advisor", "viewer"])
def test_only_admins_search_the_trail(
    client: FlaskClient, login_as: Any, trail: dict[str, int], role: str
) -> None:
    login_as(role)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403


def test_signed_out_visitors_cannot_search(client: FlaskClient, users: Any) -> None:
    assert client.get("/admin/audit").status_code == 302
    assert client.get("/admin/audit/export.csv").status_code == 302


def test_admin_pages_link_to_the_search(client: FlaskClient, login_as: Any) -> None:
    login_as("admin")
    for page in ("/admin/", "/admin/users"):
        assert 'href="/admin/audit"' in client.get(page).get_data(as_text=True), page


# The CSV export.


def _csv(client: FlaskClient, **args: Any) -> list[dict[str, str]]:
    response = client.get("/admin/audit/export.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_export_of_the_filtered_entries(
    client: FlaskClient, login_as: Any, trail: dict[str, int], users: Any
) -> None:
    login_as("admin")
    rows = _csv(client, type="company")
    assert {(r["action"], r["field"], r["old"], r["new"]) for r in rows} == {
        ("create", "legal_name", "", "Alzette Plastics S.A."),
        ("update", "locality", "Ettelbruck", "Lëtzebuerg"),
        ("archive", "archived", "no", "yes"),
    }
    rename = next(r for r in rows if r["action"] == "update")
    assert rename["user"] == "Manager Tester"
    assert rename["user_email"] == users["manager"].email
    assert rename["record_type"] == "Company"
    assert rename["record_id"] == str(trail["other"])
    assert rename["at"] == "2026-03-12T16:00:00+01:00"  # Luxembourg time
    assert [r["action"] for r in _csv(client, q="50_000")] == ["update"]


def test_csv_export_neutralises_formulas(
    app: Flask, client: FlaskClient, login_as: Any, users: Any
) -> None:
    with app.app_context():
        company = factories.make_company()
        _entry(
            users["advisor"].id, "update", company, {"trade_name": ["", '=HYPERLINK("http://x")']}
        )
        db.session.commit()
    login_as("admin")
    (row,) = _csv(client, q="hyperlink")
    assert row["new"] == '\'=HYPERLINK("http://x")'


def test_csv_export_with_bad_filters_shows_the_form(
    client: FlaskClient, login_as: Any, trail: dict[str, int]
) -> None:
    login_as("admin")
    response = client.get("/admin/audit/export.csv?date_from=nope")
    assert response.status_code == 400
    assert "Enter a date like" in response.get_data(as_text=True)


def test_too_long_an_export_asks_for_a_narrower_search(
    client: FlaskClient, login_as: Any, trail: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.history.views.EXPORT_MAX_ENTRIES", 2)
    login_as("admin")
    response = client.get("/admin/audit/export.csv?type=company")
    assert response.status_code == 302
    assert "/admin/audit?type=company" in response.headers["Location"]
    assert "narrow the search" in client.get(response.headers["Location"]).get_data(as_text=True)


# Immutability.


def test_no_route_changes_or_deletes_audit_entries(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("history.", "audit.")):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_updating_an_entry_through_the_orm_raises(
    app: Flask, records: dict[str, tuple[str, int]]
) -> None:
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry)).scalars().first()
        entry.changes = {"marker": [None, "rewritten"]}
        with pytest.raises(AuditTrailImmutable):
            db.session.flush()
        db.session.rollback()
        entry = db.session.execute(db.select(AuditEntry)).scalars().first()
        entry.action = "forged"
        with pytest.raises(AuditTrailImmutable):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AuditTrailImmutable):
            db.session.execute(sa.update(AuditEntry).values(action="forged"))
        db.session.rollback()
        assert (
            db.session.scalar(db.select(sa.func.count()).where(AuditEntry.action == "forged")) == 0
        )
        assert (
            db.session.scalar(
                db.select(sa.func.count()).where(
                    sa.cast(AuditEntry.changes, sa.Text).contains("rewritten")
                )
            )
            == 0
        )


def test_deleting_an_entry_through_the_orm_raises(
    app: Flask, records: dict[str, tuple[str, int]]
) -> None:
    with app.app_context():
        before = db.session.scalar(db.select(sa.func.count(AuditEntry.id)))
        entry = db.session.execute(db.select(AuditEntry)).scalars().first()
        db.session.delete(entry)
        with pytest.raises(AuditTrailImmutable):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditTrailImmutable):
            db.session.execute(sa.delete(AuditEntry))
        db.session.rollback()
        with pytest.raises(AuditTrailImmutable):
            db.session.execute(sa.delete(AuditEntry.__table__))  # Core, through the session
        db.session.rollback()
        assert db.session.scalar(db.select(sa.func.count(AuditEntry.id))) == before


def test_an_erasure_scrubs_old_entries_with_a_core_update(
    app: Flask, records: dict[str, tuple[str, int]]
) -> None:
    """The GDPR erasure's one lawful rewrite: a Core UPDATE of the table, not of the model."""
    with app.app_context():
        entry_id = db.session.execute(
            db.select(AuditEntry.id).where(AuditEntry.record_type == "Person")
        ).scalar_one()
        table = AuditEntry.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.id == entry_id)
            .values(changes={"marker": [None, "[erased]"]})
        )
        db.session.commit()
        assert db.session.get(AuditEntry, entry_id).changes == {"marker": [None, "[erased]"]}


def test_writing_new_entries_still_works(app: Flask, records: Any, users: Any) -> None:
    with app.app_context():
        company = db.session.get(Company, records["company"][1])
        company.employees = 12
        _entry(users["advisor"].id, "update", company, {"employees": [None, 12]})
        db.session.commit()
        assert (
            db.session.scalar(
                db.select(sa.func.count(AuditEntry.id)).where(AuditEntry.record_type == "Company")
            )
            == 2
        )


# Statement counts do not grow with the number of entries.


def _make_entries(app: Flask, users: Any, company_id: int, count: int) -> None:
    authors = [users[role].id for role in ("admin", "manager", "advisor")]
    with app.app_context():
        company = db.session.get(Company, company_id)
        for n in range(count):
            _entry(
                authors[n % 3],
                "update",
                company,
                {"employees": [n, n + 1], "owner": [authors[n % 3], authors[(n + 1) % 3]]},
            )
        db.session.commit()


def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statement_counts_do_not_grow_with_the_entries(
    app: Flask, client: FlaskClient, login_as: Any, users: Any
) -> None:
    """The search names the records and the users the values point to with one query per kind
    of record on the page: the same kinds (companies) at 3 and at 33 entries."""
    with app.app_context():
        few = factories.make_company("Few Entries S.A.")
        many = factories.make_company("Many Entries S.A.")
        db.session.commit()
        few_id, many_id = few.id, many.id
    _make_entries(app, users, few_id, 3)
    login_as("admin")
    small = {
        "history": _statements(app, client, _url("company", few_id)),
        "search": _statements(app, client, "/admin/audit?type=company"),
        "export": _statements(app, client, "/admin/audit/export.csv?type=company"),
    }
    _make_entries(app, users, many_id, 30)
    large = {
        "history": _statements(app, client, _url("company", many_id)),
        "search": _statements(app, client, "/admin/audit?type=company"),
        "export": _statements(app, client, "/admin/audit/export.csv?type=company"),
    }
    assert large == small


def test_model_names_are_the_record_types(app: Flask) -> None:
    """The audit trail stores class names: the kinds must follow a model renamed."""
    from tracker.history.records import KINDS

    models = {
        Company, Person, Interaction, HealthCheck, Need, Solution, FollowUp, Event, Report,
        User, Cluster, Instrument, NeedCategory, Market,
    }  # fmt: skip
    assert {kind.model for kind in KINDS.values()} == models
