"""Admin catalogues: need categories, instruments and markets."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from tests import factories
from tests.helpers import count_statements, form_version
from tracker.admin.services import instrument_name_key
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Instrument,
    InstrumentKind,
    Market,
    NeedCategory,
)

NEW_CATEGORY = {"slug": "cyber-security", "name": "Cyber security", "position": "20"}
NEW_INSTRUMENT = {
    "name": "Luxembourg Space Fund",
    "provider": "Luxembourg Space Agency",
    "kind": "guarantee",
    "description": "Co-investment in space start-ups.",
    "active_from": "2020-03-01",
    "active_to": "2021-12-31",
}
NEW_MARKET = {"slug": "semiconductors", "name": "Semiconductors"}
EDIT_LINK = re.compile(r'href="/admin/instruments/\d+/edit"')


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _audit(app, record_type: str, record_id: int) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEntry)
                .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
                .order_by(AuditEntry.id)
            )
        )


def _catalogue_audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(
                AuditEntry.record_type.in_(["NeedCategory", "Instrument", "Market"])
            )
        )


def _by(app, model, **where):
    with app.app_context():
        return db.session.execute(db.select(model).filter_by(**where)).scalar_one_or_none()


def _ids(app) -> dict[str, int]:
    with app.app_context():
        return {
            "category": factories.category("liquidity").id,
            "instrument": factories.instrument("COVID-RDI").id,
            "market": db.session.scalar(db.select(Market.id).where(Market.slug == "automotive")),
        }


def error_under(html: str, field: str) -> str:
    """The text of the error shown under a form field, or '' when there is none."""
    match = re.search(rf'<div id="{field}-error"[^>]*>(.*?)</div>\s*</div>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def row_of(html: str, name: str) -> str:
    """The table row that shows `name`."""
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if f">{name}</a>" in unescape(row):
            return unescape(row)
    raise AssertionError(f"no row for {name}")


# Access


def test_reference_data_from_the_migration_is_present(app):
    assert _count(app, NeedCategory) == 11
    assert _count(app, Instrument) == 13
    assert _count(app, Market) == 14


def _pages(ids: dict[str, int]) -> list[str]:
    return [
        "/admin/need-categories",
        "/admin/need-categories/new",
        f"/admin/need-categories/{ids['category']}/edit",
        "/admin/instruments",
        "/admin/instruments/new",
        f"/admin/instruments/{ids['instrument']}/edit",
        "/admin/markets",
        "/admin/markets/new",
        f"/admin/markets/{ids['market']}/edit",
    ]


def test_admin_reaches_every_catalogue_page(app, client, login_as):
    login_as("admin")
    for url in _pages(_ids(app)):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["manager", "advisor", "viewer"])
def test_only_admins_reach_or_change_the_catalogues(app, client, login_as, role):
    login_as(role)
    ids = _ids(app)
    for url in _pages(ids):
        assert client.get(url).status_code == 403, url
    posts = [
        ("/admin/need-categories/new", NEW_CATEGORY),
        (f"/admin/need-categories/{ids['category']}/edit", {"name": "Hacked", "position": "0"}),
        (f"/admin/need-categories/{ids['category']}/retire", {}),
        ("/admin/instruments/new", NEW_INSTRUMENT),
        (f"/admin/instruments/{ids['instrument']}/edit", {**NEW_INSTRUMENT, "name": "Hacked"}),
        ("/admin/markets/new", NEW_MARKET),
        (f"/admin/markets/{ids['market']}/edit", {"name": "Hacked"}),
        (f"/admin/markets/{ids['market']}/retire", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert (_count(app, NeedCategory), _count(app, Instrument), _count(app, Market)) == (11, 13, 14)
    assert _catalogue_audit_count(app) == 0
    liquidity = _by(app, NeedCategory, slug="liquidity")
    assert (liquidity.name, liquidity.active) == ("Cash and liquidity", True)
    assert _by(app, Instrument, id=ids["instrument"]).name == "COVID-RDI"
    automotive = _by(app, Market, slug="automotive")
    assert (automotive.name, automotive.active) == ("Automotive", True)


def test_admin_home_and_tabs_lead_to_the_catalogues(app, client, login_as):
    login_as("admin")
    with app.app_context():
        category = factories.category("other")
        category.active = False
        factories.instrument("COVID-RDI").active_to = today() - timedelta(days=1)
        db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert "10 active of 11 categories" in html
    assert "12 active today of 13 instruments" in html
    assert "14 active of 14 markets" in html
    tabs = client.get("/admin/users").get_data(as_text=True)
    for url in ["/admin/need-categories", "/admin/instruments", "/admin/markets"]:
        assert f'href="{url}"' in html and f'href="{url}"' in tabs


def test_missing_catalogue_entries_are_404(client, login_as):
    login_as("admin")
    for kind in ["need-categories", "instruments", "markets"]:
        assert client.get(f"/admin/{kind}/999999/edit").status_code == 404
    assert client.post("/admin/need-categories/999999/retire").status_code == 404
    assert client.post("/admin/markets/999999/retire").status_code == 404


# Every refusal is shown under its field, and nothing is written

CATEGORY = ("/admin/need-categories/new", NEW_CATEGORY, NeedCategory, 11)
INSTRUMENT = ("/admin/instruments/new", NEW_INSTRUMENT, Instrument, 13)
MARKET = ("/admin/markets/new", NEW_MARKET, Market, 14)
NOT_A_SLUG = "lower-case letters and digits separated by hyphens"


@pytest.mark.parametrize(
    ("catalogue", "data", "field", "message"),
    [
        (CATEGORY, {"name": "cash AND liquidity"}, "name", "named Cash and liquidity already"),
        (CATEGORY, {"name": "  Other  "}, "name", "A need category named Other already exists"),
        (CATEGORY, {"slug": "liquidity"}, "slug", "with the slug liquidity already exists"),
        (CATEGORY, {"slug": "Bad Slug!"}, "slug", NOT_A_SLUG),
        (CATEGORY, {"slug": "trailing-"}, "slug", NOT_A_SLUG),
        (CATEGORY, {"slug": "double--hyphen"}, "slug", NOT_A_SLUG),
        (CATEGORY, {"slug": ""}, "slug", "This field is required"),
        (CATEGORY, {"name": ""}, "name", "This field is required"),
        (CATEGORY, {"position": "-1"}, "position", "Number must be between 0 and 9999"),
        (CATEGORY, {"position": "first"}, "position", "Not a valid integer value"),
        (
            INSTRUMENT,
            {"name": "Neistart Letzebuerg SME investment aid"},
            "name",
            "An instrument named Neistart Lëtzebuerg SME investment aid already exists",
        ),
        (INSTRUMENT, {"name": "covid-rdi"}, "name", "An instrument named COVID-RDI already"),
        (
            INSTRUMENT,
            {"active_from": "2021-01-01", "active_to": "2020-12-31"},
            "active_to",
            "The end date cannot be before the start date",
        ),
        (INSTRUMENT, {"active_from": "31/12/2020"}, "active_from", "Not a valid date value"),
        (INSTRUMENT, {"kind": "lottery"}, "kind", "Not a valid choice"),
        (INSTRUMENT, {"name": ""}, "name", "This field is required"),
        (INSTRUMENT, {"provider": "x" * 161}, "provider", "160 characters"),
        (MARKET, {"name": "AUTOMOTIVE"}, "name", "A market named Automotive already exists"),
        (MARKET, {"slug": "space"}, "slug", "with the slug space already exists"),
        (MARKET, {"slug": "semi_conductors"}, "slug", NOT_A_SLUG),
        (MARKET, {"name": ""}, "name", "This field is required"),
    ],
)
def test_new_entry_form_explains_bad_input_and_writes_nothing(
    app, client, login_as, catalogue, data, field, message
):
    url, valid, model, count = catalogue
    login_as("admin")
    response = client.post(url, data={**valid, **data})
    assert response.status_code == 200
    assert message in error_under(response.get_data(as_text=True), field)
    assert _count(app, model) == count
    assert _catalogue_audit_count(app) == 0


# Need categories


def test_admin_creates_a_need_category(app, client, login_as, users):
    login_as("admin")
    response = client.post("/admin/need-categories/new", data=NEW_CATEGORY)
    assert response.status_code == 302
    category = _by(app, NeedCategory, slug="cyber-security")
    assert (category.name, category.position, category.active) == ("Cyber security", 20, True)
    (entry,) = _audit(app, "NeedCategory", category.id)
    assert entry.action == "create" and entry.user_id == users["admin"].id
    assert entry.changes["slug"] == [None, "cyber-security"]
    html = client.get("/admin/need-categories").get_data(as_text=True)
    assert "Cyber security" in row_of(html, "Cyber security")


def test_a_new_category_without_position_goes_last(app, client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/need-categories/new", data={"slug": "Cyber", "name": "Cyber", "position": ""}
    )
    assert response.status_code == 302
    category = _by(app, NeedCategory, slug="cyber")  # the slug is lower-cased
    assert category.position == 11  # the migration numbers its 11 categories 0..10
    html = client.get("/admin/need-categories").get_data(as_text=True)
    assert html.index(">Other</a>") < html.index(">Cyber</a>")


def test_admin_renames_and_reorders_a_category_but_not_its_slug(app, client, login_as, users):
    login_as("admin")
    category_id = _ids(app)["category"]
    page = client.get(f"/admin/need-categories/{category_id}/edit").get_data(as_text=True)
    assert "<code>liquidity</code>" in page and 'name="slug"' not in page
    response = client.post(
        f"/admin/need-categories/{category_id}/edit",
        data={
            "name": "Cash, liquidity",
            "position": "42",
            "active": "y",
            "slug": "hacked",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    category = _by(app, NeedCategory, id=category_id)
    assert (category.slug, category.name, category.position) == ("liquidity", "Cash, liquidity", 42)
    (entry,) = _audit(app, "NeedCategory", category_id)
    assert entry.action == "update" and entry.user_id == users["admin"].id
    assert entry.changes == {
        "name": ["Cash and liquidity", "Cash, liquidity"],
        "position": [0, 42],
    }


def test_renaming_a_category_to_another_case_of_its_own_name_is_allowed(app, client, login_as):
    login_as("admin")
    category_id = _ids(app)["category"]
    page = client.get(f"/admin/need-categories/{category_id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/need-categories/{category_id}/edit",
        data={
            "name": "Cash and Liquidity",
            "position": "0",
            "active": "y",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    assert _by(app, NeedCategory, id=category_id).name == "Cash and Liquidity"


def test_editing_a_category_to_a_taken_name_is_refused(app, client, login_as):
    login_as("admin")
    category_id = _ids(app)["category"]
    page = client.get(f"/admin/need-categories/{category_id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/need-categories/{category_id}/edit",
        data={
            "name": "SKILLS and recruitment",
            "position": "3",
            "active": "y",
            "version": form_version(page),
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "named Skills and recruitment already exists" in error_under(html, "name")
    category = _by(app, NeedCategory, id=category_id)
    assert (category.name, category.position) == ("Cash and liquidity", 0)
    assert _catalogue_audit_count(app) == 0


def test_retire_and_reactivate_a_category(app, client, login_as, users):
    login_as("admin")
    category_id = _ids(app)["category"]
    response = client.post(f"/admin/need-categories/{category_id}/retire", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "is retired" in html
    row = row_of(html, "Cash and liquidity")
    assert "Retired" in row and "Reactivate" in row
    assert not _by(app, NeedCategory, id=category_id).active
    client.post(f"/admin/need-categories/{category_id}/reactivate")
    assert _by(app, NeedCategory, id=category_id).active
    entries = _audit(app, "NeedCategory", category_id)
    assert [(e.action, e.changes, e.user_id) for e in entries] == [
        ("retire", {"active": [True, False]}, users["admin"].id),
        ("reactivate", {"active": [False, True]}, users["admin"].id),
    ]
    assert client.get(f"/admin/need-categories/{category_id}/retire").status_code == 405


def test_retiring_needs_the_csrf_token(app, client, login_as, monkeypatch):
    login_as("admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ids = _ids(app)
    assert client.post(f"/admin/need-categories/{ids['category']}/retire").status_code == 400
    assert client.post(f"/admin/markets/{ids['market']}/retire").status_code == 400
    assert _by(app, NeedCategory, id=ids["category"]).active
    assert _by(app, Market, id=ids["market"]).active


def test_category_list_counts_the_needs_of_each_category(app, client, login_as):
    with app.app_context():
        company = factories.make_company()
        for slug in ["liquidity", "liquidity", "liquidity", "skills"]:
            factories.make_need(company, slug)
        db.session.commit()
    login_as("admin")
    html = client.get("/admin/need-categories").get_data(as_text=True)
    assert cell(html, "needs-liquidity") == "3"
    assert cell(html, "needs-skills") == "1"
    assert cell(html, "needs-energy-sustainability") == "0"


# Instruments


def test_instrument_name_key_ignores_case_accents_and_spacing():
    assert instrument_name_key("Neistart Lëtzebuerg SME investment aid") == (
        "neistart letzebuerg sme investment aid"
    )
    assert instrument_name_key("  NEISTART  Letzebuerg SME investment AID ") == (
        instrument_name_key("Neistart Lëtzebuerg SME investment aid")
    )
    assert instrument_name_key("Société Nationale") == "societe nationale"
    assert instrument_name_key("COVID-RDI") != instrument_name_key("COVID-Invest")


def test_admin_creates_an_instrument(app, client, login_as, users):
    login_as("admin")
    response = client.post("/admin/instruments/new", data=NEW_INSTRUMENT)
    assert response.status_code == 302
    instrument = _by(app, Instrument, name="Luxembourg Space Fund")
    assert instrument.kind is InstrumentKind.GUARANTEE
    assert instrument.provider == "Luxembourg Space Agency"
    assert (instrument.active_from.isoformat(), instrument.active_to.isoformat()) == (
        "2020-03-01",
        "2021-12-31",
    )
    (entry,) = _audit(app, "Instrument", instrument.id)
    assert entry.action == "create" and entry.user_id == users["admin"].id
    assert entry.changes["kind"] == [None, "guarantee"]
    row = row_of(client.get("/admin/instruments").get_data(as_text=True), "Luxembourg Space Fund")
    assert "Guarantee" in row and "1 Mar 2020 – 31 Dec 2021" in row and "Ended" in row


def test_admin_edits_an_instrument(app, client, login_as, users):
    login_as("admin")
    instrument_id = _ids(app)["instrument"]
    page = client.get(f"/admin/instruments/{instrument_id}/edit").get_data(as_text=True)
    assert 'value="COVID-RDI"' in page
    assert '<option selected value="grant">' in page
    response = client.post(
        f"/admin/instruments/{instrument_id}/edit",
        data={
            "name": "COVID-RDI 2020",
            "provider": "Ministry of the Economy",
            "kind": "grant",
            "description": "",
            "active_from": "2020-05-01",
            "active_to": "",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    instrument = _by(app, Instrument, id=instrument_id)
    assert instrument.name == "COVID-RDI 2020"
    assert instrument.active_from.isoformat() == "2020-05-01" and instrument.active_to is None
    (entry,) = _audit(app, "Instrument", instrument_id)
    assert entry.changes == {
        "name": ["COVID-RDI", "COVID-RDI 2020"],
        "active_from": [None, "2020-05-01"],
    }


def test_editing_an_instrument_is_checked_like_creating_one(app, client, login_as):
    login_as("admin")
    instrument_id = _ids(app)["instrument"]
    url = f"/admin/instruments/{instrument_id}/edit"
    version = form_version(client.get(url).get_data(as_text=True))
    base = {
        "name": "COVID-RDI",
        "provider": "",
        "kind": "grant",
        "description": "",
        "version": version,
    }
    html = client.post(url, data={**base, "name": "Fit 4 dígital"}).get_data(as_text=True)
    assert "named Fit 4 Digital already exists" in error_under(html, "name")
    html = client.post(
        url, data={**base, "active_from": "2020-06-01", "active_to": "2020-05-31"}
    ).get_data(as_text=True)
    assert "cannot be before the start date" in error_under(html, "active_to")
    # the same name in another case is the instrument itself, not a clash
    assert client.post(url, data={**base, "name": "Covid-RDI"}).status_code == 302
    instrument = _by(app, Instrument, id=instrument_id)
    assert (instrument.name, instrument.active_to) == ("Covid-RDI", None)


def test_instrument_list_shows_the_period_and_whether_it_is_active_today(app, client, login_as):
    now = today()
    with app.app_context():
        factories.instrument("COVID-RDI").active_to = now - timedelta(days=1)
        factories.instrument("COVID-Invest").active_from = now + timedelta(days=1)
        fit = factories.instrument("Fit 4 Digital")
        fit.active_from, fit.active_to = now - timedelta(days=10), now
        db.session.commit()
    login_as("admin")
    html = client.get("/admin/instruments").get_data(as_text=True)
    assert "Ended" in row_of(html, "COVID-RDI")
    assert "until" in row_of(html, "COVID-RDI")
    assert "Not yet open" in row_of(html, "COVID-Invest")
    assert "since" in row_of(html, "COVID-Invest")
    assert "Active" in row_of(html, "Fit 4 Digital")
    assert "no dates set" in row_of(html, "Horizon Europe")
    assert "Active" in row_of(html, "Horizon Europe")
    assert "Advisory service" in row_of(html, "Fit 4 Digital")


def test_instrument_list_filters_by_kind_and_searches_without_accents(app, client, login_as):
    login_as("admin")
    html = client.get("/admin/instruments?kind=advisory_service").get_data(as_text=True)
    assert ">Fit 4 Digital</a>" in html and ">COVID-RDI</a>" not in html
    html = client.get("/admin/instruments?q=LETZEBUERG").get_data(as_text=True)
    assert ">Neistart Lëtzebuerg SME investment aid</a>" in html
    assert ">COVID-RDI</a>" not in html
    html = client.get("/admin/instruments?q=luxinnovation&kind=advisory_service").get_data(
        as_text=True
    )
    assert len(EDIT_LINK.findall(html)) == 3  # Fit 4 Digital, Innovation and Sustainability
    html = client.get("/admin/instruments?q=luxinnovation&kind=loan").get_data(as_text=True)
    assert "No instrument matches these filters" in html
    html = client.get("/admin/instruments?kind=not-a-kind").get_data(as_text=True)
    assert len(EDIT_LINK.findall(html)) == 13


def test_instrument_list_counts_the_solutions_of_each_instrument(app, client, login_as):
    with app.app_context():
        need = factories.make_need(factories.make_company())
        for name in ["COVID-RDI", "COVID-RDI", "SNCI loan", None]:
            factories.make_solution(need, name)
        ids = {
            name: factories.instrument(name).id
            for name in ["COVID-RDI", "SNCI loan", "EIC Accelerator"]
        }
        db.session.commit()
    login_as("admin")
    html = client.get("/admin/instruments").get_data(as_text=True)
    assert cell(html, f"solutions-{ids['COVID-RDI']}") == "2"
    assert cell(html, f"solutions-{ids['SNCI loan']}") == "1"
    assert cell(html, f"solutions-{ids['EIC Accelerator']}") == "0"


def test_instrument_list_paginates(app, client, login_as):
    with app.app_context():
        for i in range(20):
            db.session.add(Instrument(name=f"Zz Scheme {i:02d}", kind=InstrumentKind.LOAN))
        db.session.commit()
    login_as("admin")
    assert "1–25 of 33" in client.get("/admin/instruments").get_data(as_text=True)
    page2 = client.get("/admin/instruments?page=2").get_data(as_text=True)
    assert "26–33 of 33" in page2 and ">Zz Scheme 19</a>" in page2


# Markets


def test_admin_creates_and_renames_a_market_but_not_its_slug(app, client, login_as, users):
    login_as("admin")
    assert client.post("/admin/markets/new", data=NEW_MARKET).status_code == 302
    market = _by(app, Market, slug="semiconductors")
    assert (market.name, market.active) == ("Semiconductors", True)
    page = client.get(f"/admin/markets/{market.id}/edit").get_data(as_text=True)
    assert "<code>semiconductors</code>" in page and 'name="slug"' not in page
    response = client.post(
        f"/admin/markets/{market.id}/edit",
        data={
            "name": "Semiconductors and chips",
            "active": "y",
            "slug": "chips",
            "version": form_version(page),
        },
    )
    assert response.status_code == 302
    market = _by(app, Market, id=market.id)
    assert (market.slug, market.name) == ("semiconductors", "Semiconductors and chips")
    entries = _audit(app, "Market", market.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"name": ["Semiconductors", "Semiconductors and chips"]}
    assert all(e.user_id == users["admin"].id for e in entries)


def test_editing_a_market_to_a_taken_name_is_refused(app, client, login_as):
    login_as("admin")
    market_id = _ids(app)["market"]
    page = client.get(f"/admin/markets/{market_id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/markets/{market_id}/edit", data={"name": "space", "version": form_version(page)}
    )
    assert "A market named Space already exists" in error_under(
        response.get_data(as_text=True), "name"
    )
    assert _by(app, Market, id=market_id).name == "Automotive"


def test_retire_and_reactivate_a_market(app, client, login_as, users):
    login_as("admin")
    market_id = _ids(app)["market"]
    html = client.post(f"/admin/markets/{market_id}/retire", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Automotive is retired" in html
    assert "Retired" in row_of(html, "Automotive") and "Reactivate" in row_of(html, "Automotive")
    assert not _by(app, Market, id=market_id).active
    client.post(f"/admin/markets/{market_id}/reactivate")
    assert _by(app, Market, id=market_id).active
    # retiring twice writes one entry
    client.post(f"/admin/markets/{market_id}/reactivate")
    assert [e.action for e in _audit(app, "Market", market_id)] == ["retire", "reactivate"]


def test_market_list_counts_the_companies_that_serve_each_market(app, client, login_as):
    with app.app_context():
        markets = {m.slug: m for m in db.session.scalars(db.select(Market))}
        factories.make_company("Alpha", markets=[markets["automotive"], markets["space"]])
        factories.make_company("Beta", markets=[markets["automotive"]])
        factories.make_company("Gone", markets=[markets["automotive"]], archived=True)
        db.session.commit()
    login_as("admin")
    html = client.get("/admin/markets").get_data(as_text=True)
    assert cell(html, "companies-automotive") == "2"  # the archived company is not counted
    assert cell(html, "companies-space") == "1"
    assert cell(html, "companies-rail") == "0"


# Statements per list page do not grow with the catalogues or their use


def _more_categories(n: int, start: int) -> None:
    company = factories.make_company(f"Category User {start}")
    for i in range(start, start + n):
        category = NeedCategory(slug=f"extra-{i}", name=f"Extra {i}", position=100 + i)
        db.session.add(category)
        db.session.flush()
        factories.make_need(company, category.slug)


def _more_instruments(n: int, start: int) -> None:
    need = factories.make_need(factories.make_company(f"Instrument User {start}"))
    for i in range(start, start + n):
        db.session.add(Instrument(name=f"Extra {i}", kind=InstrumentKind.GRANT))
        db.session.flush()
        factories.make_solution(need, f"Extra {i}")


def _more_markets(n: int, start: int) -> None:
    for i in range(start, start + n):
        market = Market(slug=f"extra-{i}", name=f"Extra {i}")
        db.session.add(market)
        factories.make_company(f"Market User {i}", markets=[market])


@pytest.mark.parametrize(
    ("url", "add"),
    [
        ("/admin/need-categories", _more_categories),
        ("/admin/instruments", _more_instruments),
        ("/admin/markets", _more_markets),
    ],
)
def test_list_statements_do_not_grow_with_the_rows(app, client, login_as, url, add):
    login_as("admin")
    with app.app_context():
        add(3, 0)
        db.session.commit()
    client.get(url)
    with count_statements(app) as small:
        assert client.get(url).status_code == 200
    with app.app_context():
        add(30, 100)
        db.session.commit()
    with count_statements(app) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large), (small, large)
