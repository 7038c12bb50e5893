"""Companies: normalisation, duplicates, services, the list, the search, the company page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tests.helpers import count_statements
from tracker.admin.services import ValidationError
from tracker.companies import services, timeline, validation
from tracker.companies.services import CompanyDetails, LikelyDuplicates
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Cluster,
    Company,
    CompanyStatus,
    FollowUpStatus,
    InteractionType,
    Liquidity,
    Market,
    NeedStatus,
    RiskLevel,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    User,
)

# Normalisation: the functions the spreadsheet import reuses.


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("B123456", "B123456"),
        ("b 123 456", "B123456"),
        ("123456", "B123456"),
        ("  B12345 ", "B12345"),
        ("B.123.456", "B123456"),
        ("", None),
        (None, None),
    ],
)
def test_rcs_numbers_are_normalised(typed, stored):
    assert validation.normalise_rcs(typed) == stored


@pytest.mark.parametrize("typed", ["X123456", "B12A456", "B12345678", "BB123", "B"])
def test_bad_rcs_numbers_are_refused(typed):
    with pytest.raises(ValueError, match="B followed by digits"):
        validation.normalise_rcs(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("LU15027442", "LU15027442"),
        ("lu 1502 7442", "LU15027442"),
        ("15027442", "LU15027442"),
        ("LU-1502.7442", "LU15027442"),
        ("", None),
    ],
)
def test_vat_numbers_are_normalised(typed, stored):
    assert validation.normalise_vat(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("LU15027443", "check digits"),
        ("LU1502744", "LU followed by 8 digits"),
        ("LU1502744A", "LU followed by 8 digits"),
        ("hello", "LU followed by 8 digits"),
        ("FR40303265046", "not a valid FR VAT number"),
    ],
)
def test_bad_vat_numbers_are_refused(typed, message):
    with pytest.raises(ValueError, match=message):
        validation.normalise_vat(typed)


def test_greater_region_vat_numbers_follow_their_country_rules():
    assert validation.normalise_vat("FR 40 303265045") == "FR40303265045"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("25.62", "25.62"), ("2562", "25.62"), (" 25.62 ", "25.62"), ("25", "25"), ("", None)],
)
def test_nace_codes_are_normalised(typed, stored):
    assert validation.normalise_nace(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99.99", "not a code of the NACE Rev. 2"),
        ("C", "2 to 4 digits"),
        ("25.621", "2 to 4 digits"),
        ("25-62x", "2 to 4 digits"),
    ],
)
def test_bad_nace_codes_are_refused(typed, message):
    with pytest.raises(ValueError, match=message):
        validation.normalise_nace(typed)


def test_nace_labels_come_from_revision_2():
    assert validation.nace_label("25.62") == "Machining"
    assert validation.nace_label("99.99") is None
    divisions = dict(validation.nace_divisions())
    assert divisions["25"].startswith("Manufacture of fabricated metal products")


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("4362", "LU", "L-4362"),
        ("L-4362", "LU", "L-4362"),
        ("l 4362", "LU", "L-4362"),
        ("57000", "FR", "57000"),
        ("F-57000", "FR", "57000"),
        ("66111", "DE", "66111"),
        ("6700", "BE", "6700"),
        ("1012ab", "NL", "1012 AB"),
        ("CH-8001", "CH", "CH-8001"),
        ("", "LU", None),
    ],
)
def test_postal_codes_follow_the_country(typed, country, stored):
    assert validation.normalise_postal_code(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country"),
    [("436", "LU"), ("43620", "LU"), ("5700", "FR"), ("67000", "BE"), ("ABCDE", "DE")],
)
def test_bad_postal_codes_are_refused(typed, country):
    with pytest.raises(ValueError, match="postal code"):
        validation.normalise_postal_code(typed, country)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("www.example.lu", "https://www.example.lu"),
        ("example.lu/contact", "https://example.lu/contact"),
        ("http://example.lu/path?a=1", "http://example.lu/path?a=1"),
        ("HTTPS://Example.lu", "HTTPS://Example.lu"),
        ("", None),
    ],
)
def test_websites_are_normalised(typed, stored):
    assert validation.normalise_website(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://example.lu", "not a website", "example", "https://a b.lu"],
)
def test_bad_websites_are_refused(typed):
    with pytest.raises(ValueError, match="web address"):
        validation.normalise_website(typed)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Moselle Précision S.à r.l.", "moselle precision"),
        ("MOSELLE PRECISION SARL", "moselle precision"),
        ("Moselle Precision S.A.R.L.", "moselle precision"),
        ("Acier Wiltz S.A.", "acier wiltz"),
        ("Acier Wiltz SA", "acier wiltz"),
        ("Eifel Holz GmbH & Co. KG", "eifel holz"),
        ("Brabant Tech BV", "brabant tech"),
        ("Ardennes Bois sprl", "ardennes bois"),
        ("Orbital SE", "orbital"),
        ("SA", "sa"),
    ],
)
def test_name_keys_leave_out_case_accents_and_legal_forms(name, key):
    assert validation.name_key(name) == key


# Services.


def details(**fields) -> CompanyDetails:
    return CompanyDetails(**{"legal_name": "Moselle Precision Castings S.à r.l.", **fields})


def test_create_company_normalises_and_audits(app, users):
    with app.app_context():
        actor = db.session.get(User, users["advisor"].id)
        cluster = db.session.scalar(db.select(Cluster))
        market = db.session.scalar(db.select(Market).where(Market.slug == "automotive"))
        company = services.create_company(
            details(
                legal_name="  Moselle   Precision Castings S.à r.l. ",
                rcs_number="b 123 456",
                vat_number="15027442",
                nace_code="2562",
                employees=42,
                postal_code="4362",
                locality="Esch-sur-Alzette",
                website="www.moselle-castings.lu",
                owner=actor,
                clusters=[cluster],
                markets=[market],
            ),
            actor=actor,
        )
        db.session.commit()
        stored = db.session.get(Company, company.id)
        assert (stored.legal_name, stored.rcs_number, stored.vat_number, stored.nace_code) == (
            "Moselle Precision Castings S.à r.l.",
            "B123456",
            "LU15027442",
            "25.62",
        )
        assert (stored.postal_code, stored.website) == ("L-4362", "https://www.moselle-castings.lu")
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.record_type == "Company"))
        assert (entry.action, entry.record_id, entry.user_id) == ("create", company.id, actor.id)
        assert entry.changes["rcs_number"] == [None, "B123456"]
        assert entry.changes["clusters"] == [None, ["materials-manufacturing"]]
        assert entry.changes["markets"] == [None, ["automotive"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"legal_name": "   "}, "legal_name"),
        ({"rcs_number": "X1"}, "rcs_number"),
        ({"vat_number": "LU15027443"}, "vat_number"),
        ({"nace_code": "99.99"}, "nace_code"),
        ({"postal_code": "123"}, "postal_code"),
        ({"website": "ftp://x.lu"}, "website"),
        ({"employees": -1}, "employees"),
        ({"country": "XX"}, "country"),
    ],
)
def test_services_refuse_bad_values_naming_the_field(app, users, fields, field):
    with app.app_context(), pytest.raises(ValidationError) as refused:
        services.create_company(details(**fields), actor=None)
    assert refused.value.field == field


def test_rcs_number_is_unique_and_the_error_names_the_other_company(app, users):
    with app.app_context():
        factories.make_company("Acier Wiltz S.A.", rcs_number="B654321")
        db.session.commit()
        with pytest.raises(ValidationError, match=r"Acier Wiltz S\.A\. already has") as refused:
            services.create_company(
                details(legal_name="Totally Different", rcs_number="654321"),
                actor=None,
                allow_duplicates=True,
            )
        assert refused.value.field == "rcs_number"


def test_likely_duplicates_by_vat_and_by_similar_name(app, users):
    with app.app_context():
        same_vat = factories.make_company("Ösling Metal S.A.", vat_number="LU15027442").id
        similar = factories.make_company("Moselle Précision Castings SA").id
        factories.make_company("Ardennes Bois sprl")
        db.session.commit()
        with pytest.raises(LikelyDuplicates) as warned:
            services.create_company(
                details(legal_name="MOSELLE PRECISION CASTINGS S.à r.l.", vat_number="LU15027442"),
                actor=None,
            )
        reasons = {m.company_id: m.reasons for m in warned.value.matches}
        assert set(reasons) == {same_vat, similar}
        assert reasons[same_vat] == ("same VAT number LU15027442",)
        assert reasons[similar][0].startswith("similar name")
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 3

        assert services.likely_duplicates("Wood Concept Luxembourg") == []
        company = services.create_company(
            details(legal_name="Moselle Precision Castings"), actor=None, allow_duplicates=True
        )
        db.session.commit()
        assert company.id is not None


def test_update_company_audits_only_what_changed(app, users):
    with app.app_context():
        actor = db.session.get(User, users["manager"].id)
        company = factories.make_company("Acier Wiltz S.A.", employees=10, locality="Wiltz")
        db.session.commit()
        version = company.version
        services.update_company(
            company,
            details(legal_name="Acier Wiltz S.A.", employees=12, locality="Wiltz", country="LU"),
            actor=actor,
            version=version,
        )
        db.session.commit()
        entry = db.session.scalar(
            db.select(AuditEntry).where(
                AuditEntry.action == "update", AuditEntry.record_id == company.id
            )
        )
        assert entry.changes == {"employees": [10, 12]}
        assert company.version == version + 1
        assert entry.record_version == company.version


def test_update_company_refuses_a_stale_version(app, users):
    with app.app_context():
        company = factories.make_company("Acier Wiltz S.A.")
        db.session.commit()
        stale = company.version
        services.update_company(company, details(legal_name="Acier Wiltz"), actor=None)
        db.session.commit()
        with pytest.raises(ValidationError, match="Someone else saved"):
            services.update_company(
                company, details(legal_name="Acier Wiltz S.A."), actor=None, version=stale
            )


def test_archive_and_restore_are_audited(app, users):
    with app.app_context():
        actor = db.session.get(User, users["advisor"].id)
        company = factories.make_company()
        services.archive_company(company, actor=actor)
        services.archive_company(company, actor=actor)  # twice: no second entry
        assert company.archived
        services.restore_company(company, actor=actor)
        db.session.commit()
        assert not company.archived
        actions = db.session.scalars(
            db.select(AuditEntry.action)
            .where(AuditEntry.record_type == "Company")
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["archive", "restore"]


def test_markets_by_slug_names_unknown_ones(app):
    with app.app_context():
        assert [m.slug for m in services.markets_by_slug(["Space", " automotive "])] in (
            ["automotive", "space"],
            ["space", "automotive"],
        )
        with pytest.raises(ValidationError, match="Unknown market: cheese"):
            services.markets_by_slug(["space", "cheese"])


# Access.

PAGES = [
    "/companies",
    "/companies/search?q=mo",
    "/companies/new",
    "/companies/{id}",
    "/companies/{id}/edit",
    "/companies/{id}/people/new",
]


@pytest.fixture
def company_id(app, users):
    with app.app_context():
        company = factories.make_company(owner_id=users["advisor"].id)
        db.session.commit()
        return company.id


def test_viewers_get_403_everywhere(client, login_as, company_id):
    login_as("viewer")
    for url in PAGES:
        assert client.get(url.format(id=company_id)).status_code == 403, url
    assert client.post("/companies/new", data={"legal_name": "Sneaky"}).status_code == 403
    assert client.post(f"/companies/{company_id}/archive").status_code == 403
    assert client.post(f"/companies/{company_id}/people/new", data={"name": "X"}).status_code == 403


@pytest.mark.parametrize("role", ["advisor", "manager", "admin"])
def test_staff_reach_every_page(client, login_as, company_id, role):
    login_as(role)
    for url in PAGES:
        assert client.get(url.format(id=company_id)).status_code == 200, url


def test_signed_out_visitors_are_sent_to_sign_in(client, company_id):
    response = client.get(f"/companies/{company_id}")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_company_is_404(client, login_as):
    login_as("advisor")
    assert client.get("/companies/999999").status_code == 404
    assert client.get("/companies/999999/edit").status_code == 404


def test_navigation_shows_companies_to_staff_only(client, login_as):
    login_as("advisor")
    assert 'href="/companies"' in client.get("/").get_data(as_text=True)


# Creating and editing through the form.


def form(**overrides) -> dict:
    return {
        "legal_name": "Moselle Precision Castings S.à r.l.",
        "trade_name": "",
        "rcs_number": "",
        "vat_number": "",
        "nace_code": "",
        "employees": "",
        "street": "",
        "postal_code": "",
        "locality": "",
        "country": "LU",
        "website": "",
        "owner": "",
        "status": "active",
        **overrides,
    }


def test_create_form_defaults_the_owner_to_the_current_user(client, login_as, users):
    login_as("advisor")
    html = client.get("/companies/new").get_data(as_text=True)
    assert re.search(rf'<option selected value="{users["advisor"].id}">', html) or re.search(
        rf'<option value="{users["advisor"].id}" selected>', html
    )
    assert 'value="LU" selected' in html or 'selected value="LU"' in html


def test_advisor_creates_a_company(app, client, login_as, users):
    login_as("advisor")
    with app.app_context():
        cluster_id = db.session.scalar(db.select(Cluster.id))
        market_id = db.session.scalar(db.select(Market.id).where(Market.slug == "aeronautics"))
    response = client.post(
        "/companies/new",
        data=form(
            rcs_number="b 98 765",
            vat_number="lu 1502 7442",
            nace_code="2562",
            employees="85",
            street="12, rue de l'Industrie",
            postal_code="4362",
            locality="Esch-sur-Alzette",
            website="www.moselle-castings.lu",
            owner=str(users["advisor"].id),
            clusters=[str(cluster_id)],
            markets=[str(market_id)],
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalar(db.select(Company))
        assert response.location.endswith(f"/companies/{company.id}")
        assert (company.rcs_number, company.vat_number, company.nace_code) == (
            "B98765",
            "LU15027442",
            "25.62",
        )
        assert company.postal_code == "L-4362" and company.employees == 85
        assert company.owner_id == users["advisor"].id
        assert [c.id for c in company.clusters] == [cluster_id]
        assert [m.slug for m in company.markets] == ["aeronautics"]
    page = client.get(response.location).get_data(as_text=True)
    assert "Machining" in page  # the NACE label
    assert 'href="https://www.moselle-castings.lu"' in page
    assert 'rel="noopener noreferrer"' in page
    assert "Aeronautics" in page


BAD_FIELDS = {
    "legal_name": ("", "A company needs its legal name."),
    "rcs_number": ("X-12", "An RCS number is B followed by digits"),
    "vat_number": ("LU15027443", "does not pass the VAT check digits"),
    "nace_code": ("99.99", "is not a code of the NACE Rev. 2 classification"),
    "employees": ("-3", "Enter a whole number of 0 or more."),
    "postal_code": ("12", "A Luxembourg postal code is like L-4362."),
    "website": ("javascript:alert(1)", "starting with http:// or https://"),
    "status": ("bankrupt", "Not a valid choice"),
}


def test_bad_input_shows_every_error_under_its_field_and_writes_nothing(app, client, login_as):
    login_as("advisor")
    response = client.post(
        "/companies/new", data=form(**{name: bad for name, (bad, _msg) in BAD_FIELDS.items()})
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, (_bad, message) in BAD_FIELDS.items():
        assert re.search(rf'id="{name}-error"[^>]*>\s*<div>[^<]*{re.escape(message)}', html), name
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 0
        assert not db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(AuditEntry.record_type == "Company")
        )


def test_employees_must_be_a_whole_number(client, login_as):
    login_as("advisor")
    html = client.post("/companies/new", data=form(employees="12.5")).get_data(as_text=True)
    assert 'id="employees-error"' in html


def test_country_must_be_one_of_the_list_and_sets_the_postal_format(app, client, login_as):
    login_as("advisor")
    html = client.post("/companies/new", data=form(country="XX")).get_data(as_text=True)
    assert re.search(r'id="country-error"[^>]*>\s*<div>Not a valid choice', html)
    response = client.post("/companies/new", data=form(country="FR", postal_code="57000"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Company.postal_code)) == "57000"


def test_rcs_clash_is_explained_on_the_field(app, client, login_as):
    login_as("advisor")
    with app.app_context():
        factories.make_company("Acier Wiltz S.A.", rcs_number="B654321")
        db.session.commit()
    html = client.post(
        "/companies/new", data=form(legal_name="Other Name", rcs_number="654321")
    ).get_data(as_text=True)
    assert re.search(r'id="rcs_number-error"[^>]*>\s*<div>Acier Wiltz S.A. already has', html)


def test_rcs_saved_by_someone_else_meanwhile_is_a_field_error_not_a_crash(
    app, client, login_as, monkeypatch
):
    login_as("advisor")
    with app.app_context():
        factories.make_company("Acier Wiltz S.A.", rcs_number="B654321")
        db.session.commit()
    # As if the other company had been saved between the check and the insert.
    monkeypatch.setattr(services, "_check_rcs_free", lambda *args, **kwargs: None)
    response = client.post(
        "/companies/new",
        data=form(legal_name="Other Name", rcs_number="B654321", confirm_different="y"),
    )
    assert response.status_code == 200
    assert re.search(
        r'id="rcs_number-error"[^>]*>\s*<div>Another company was saved with this RCS number',
        response.get_data(as_text=True),
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 1


def test_likely_duplicates_must_be_confirmed(app, client, login_as):
    login_as("advisor")
    with app.app_context():
        existing = factories.make_company("Moselle Précision Castings SA", locality="Esch").id
        db.session.commit()
    response = client.post("/companies/new", data=form())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This company may already exist" in html
    assert f'href="/companies/{existing}"' in html
    assert "This is a different company, create it anyway" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 1
    response = client.post("/companies/new", data=form(confirm_different="y"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 2


def test_edit_saves_and_keeps_what_was_not_touched(app, client, login_as, users):
    login_as("manager")
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster))
        company = factories.make_company(
            "Acier Wiltz S.A.", clusters=[cluster], owner_id=users["advisor"].id, employees=10
        )
        db.session.commit()
        company_id, cluster_id = company.id, cluster.id
    html = client.get(f"/companies/{company_id}/edit").get_data(as_text=True)
    assert 'value="Acier Wiltz S.A."' in html
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/companies/{company_id}/edit",
        data=form(
            legal_name="Acier Wiltz S.A.",
            employees="11",
            status="dormant",
            owner=str(users["advisor"].id),
            clusters=[str(cluster_id)],
            version=version,
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert (company.employees, company.status) == (11, CompanyStatus.DORMANT)
        assert [c.id for c in company.clusters] == [cluster_id]
    # The same version again: someone (here: we) saved in between.
    response = client.post(
        f"/companies/{company_id}/edit", data=form(legal_name="Overwritten", version=version)
    )
    assert response.status_code == 200
    assert "Someone else saved this company" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Company, company_id).legal_name == "Acier Wiltz S.A."


def test_unticking_every_cluster_and_market_empties_them(app, client, login_as):
    login_as("advisor")
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster))
        market = db.session.scalar(db.select(Market).where(Market.slug == "space"))
        company_id = factories.make_company("Orbital S.A.", clusters=[cluster], markets=[market]).id
        db.session.commit()
    html = client.get(f"/companies/{company_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/companies/{company_id}/edit", data=form(legal_name="Orbital S.A.", version=version)
    )
    assert response.status_code == 302
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert (company.clusters, company.markets) == ([], [])


def test_archive_hides_from_list_and_shows_a_banner(app, client, login_as, company_id):
    login_as("advisor")
    assert client.post(f"/companies/{company_id}/archive").status_code == 302
    with app.app_context():
        assert db.session.get(Company, company_id).archived
    assert f'/companies/{company_id}"' not in client.get("/companies").get_data(as_text=True)
    listed = client.get("/companies?archived=1").get_data(as_text=True)
    assert f'href="/companies/{company_id}"' in listed and "Archived" in listed
    page = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "This company is archived" in page
    assert client.get("/companies/search?q=moselle").get_json() == {"results": []}
    assert client.post(f"/companies/{company_id}/restore").status_code == 302
    with app.app_context():
        assert not db.session.get(Company, company_id).archived
    assert "This company is archived" not in client.get(f"/companies/{company_id}").get_data(
        as_text=True
    )


def test_archive_needs_post(client, login_as, company_id):
    login_as("advisor")
    assert client.get(f"/companies/{company_id}/archive").status_code == 405


# The list: search, filters, sort.


def listed(client, query: str = "") -> list[str]:
    """The company names of the list's first page, in order."""
    html = client.get(f"/companies{query}").get_data(as_text=True)
    return re.findall(r'<td class="company-name">\s*<a href="/companies/\d+">([^<]+)</a>', html)


@pytest.fixture
def portfolio(app, users):
    """Four companies that differ in every way the list filters."""
    on = today()
    advisor, manager = users["advisor"].id, users["manager"].id
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        wood = factories.make_cluster("wood", "Wood")
        automotive = db.session.scalar(db.select(Market).where(Market.slug == "automotive"))
        space = db.session.scalar(db.select(Market).where(Market.slug == "space"))
        alpha = factories.make_company(
            "Alpha Castings S.A.",
            owner_id=advisor,
            clusters=[mm],
            markets=[automotive],
            nace_code="25.62",
            employees=5,
            locality="Esch-sur-Alzette",
            rcs_number="B100001",
        )
        bravo = factories.make_company(
            "Bravo Timber S.à r.l.",
            trade_name="Bravo Bois",
            owner_id=manager,
            clusters=[wood],
            nace_code="16.10",
            employees=120,
            locality="Wiltz",
            vat_number="LU15027442",
            status=CompanyStatus.DORMANT,
        )
        charlie = factories.make_company(
            "Charlie Orbital SE",
            clusters=[mm],
            markets=[space],
            nace_code="30.30",
            employees=300,
            locality="Betzdorf",
        )
        delta = factories.make_company("Delta Archive GmbH", archived=True, locality="Trier")
        factories.make_person(charlie, "Marie Kieffer", email="m.kieffer@orbital.example")
        factories.make_interaction(alpha, advisor, on=on - timedelta(days=10))
        factories.make_interaction(bravo, advisor, on=on - timedelta(days=120))
        factories.make_interaction(bravo, advisor, on=on - timedelta(days=400))
        factories.make_followup(alpha, advisor, due=on + timedelta(days=20))
        factories.make_followup(bravo, advisor, due=on + timedelta(days=3))
        factories.make_followup(
            charlie, advisor, due=on - timedelta(days=1), status=FollowUpStatus.DONE
        )
        factories.make_health_check(
            alpha, advisor, on=on - timedelta(days=100), risk_level=RiskLevel.HIGH
        )
        factories.make_health_check(
            alpha, advisor, on=on - timedelta(days=10), risk_level=RiskLevel.LOW
        )
        factories.make_health_check(alpha, advisor, on=on - timedelta(days=5))  # no risk answer
        factories.make_health_check(
            bravo, advisor, on=on - timedelta(days=50), risk_level=RiskLevel.CRITICAL
        )
        db.session.commit()
        return {"alpha": alpha.id, "bravo": bravo.id, "charlie": charlie.id, "delta": delta.id}


ALL = ["Alpha Castings S.A.", "Bravo Timber S.à r.l.", "Charlie Orbital SE"]


def test_list_shows_non_archived_companies_with_their_facts(client, login_as, portfolio):
    login_as("advisor")
    assert listed(client) == ALL
    html = client.get("/companies").get_data(as_text=True)
    assert re.search(r"badge-risk-low[^>]*>.*?Low</span>", html, re.S)
    assert re.search(r"badge-risk-critical[^>]*>.*?Critical</span>", html, re.S)
    assert "in 20 days" in html and "10 days ago" in html
    assert "Materials &amp; Manufacturing" in html and "Advisor Tester" in html
    assert "data-search-shortcut" in html


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("alpha", ["Alpha Castings S.A."]),
        ("ALPHA castings", ["Alpha Castings S.A."]),
        ("bravo bois", ["Bravo Timber S.à r.l."]),
        ("B 100 001", ["Alpha Castings S.A."]),
        ("lu15027442", ["Bravo Timber S.à r.l."]),
        ("wiltz", ["Bravo Timber S.à r.l."]),
        ("kieffer", ["Charlie Orbital SE"]),
        ("orbital.example", ["Charlie Orbital SE"]),
        ("trier", []),  # archived
        ("100%", []),
    ],
)
def test_search_matches_names_numbers_locality_and_people(client, login_as, portfolio, q, names):
    login_as("advisor")
    assert listed(client, f"?q={q.replace(' ', '+').replace('%', '%25')}") == names


@pytest.mark.parametrize("q", ["sure laser", "SÛRE", "petange", "PÉTANGE", "étain"])
def test_search_ignores_case_and_accents(app, client, login_as, q):
    login_as("advisor")
    with app.app_context():
        factories.make_company("Sûre Laser Étain S.A.", locality="Pétange")
        factories.make_company("Other S.A.", locality="Wiltz")
        db.session.commit()
    assert listed(client, f"?q={q}") == ["Sûre Laser Étain S.A."]
    assert [r["name"] for r in client.get(f"/companies/search?q={q}").get_json()["results"]] == [
        "Sûre Laser Étain S.A."
    ]


def test_search_with_no_match_says_so(client, login_as, portfolio):
    login_as("advisor")
    html = client.get("/companies?q=zzz").get_data(as_text=True)
    assert "No company matches “zzz”." in html


def test_empty_list_invites_to_add_the_first(client, login_as):
    login_as("advisor")
    assert "No companies yet — add the first one." in client.get("/companies").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?cluster=wood", ["Bravo Timber S.à r.l."]),
        ("?cluster=materials-manufacturing", ["Alpha Castings S.A.", "Charlie Orbital SE"]),
        ("?owner=mine", ["Alpha Castings S.A."]),
        ("?owner=none", ["Charlie Orbital SE"]),
        ("?status=dormant", ["Bravo Timber S.à r.l."]),
        ("?market=space", ["Charlie Orbital SE"]),
        ("?nace=25", ["Alpha Castings S.A."]),
        ("?nace=16", ["Bravo Timber S.à r.l."]),
        ("?size=1-9", ["Alpha Castings S.A."]),
        ("?size=50-249", ["Bravo Timber S.à r.l."]),
        ("?size=250%2B", ["Charlie Orbital SE"]),
        ("?size=unknown", []),
        ("?risk=low", ["Alpha Castings S.A."]),
        ("?risk=critical", ["Bravo Timber S.à r.l."]),
        ("?risk=high", []),  # Alpha's high risk is not its latest
        ("?risk=none", ["Charlie Orbital SE"]),
        ("?silent=90", ["Bravo Timber S.à r.l.", "Charlie Orbital SE"]),
        ("?silent=180", ["Charlie Orbital SE"]),
        ("?archived=1", [*ALL, "Delta Archive GmbH"]),
        ("?cluster=materials-manufacturing&risk=low", ["Alpha Castings S.A."]),
        ("?status=nonsense&size=huge&sort=whatever", ALL),
    ],
)
def test_each_filter(client, login_as, portfolio, query, names):
    login_as("advisor")
    assert listed(client, query) == names


def test_owner_filter_by_user_id(client, login_as, users, portfolio):
    login_as("admin")
    assert listed(client, f"?owner={users['manager'].id}") == ["Bravo Timber S.à r.l."]
    assert listed(client, "?owner=mine") == []


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ALL),
        ("-name", list(reversed(ALL))),
        ("-contact", ["Alpha Castings S.A.", "Bravo Timber S.à r.l.", "Charlie Orbital SE"]),
        ("contact", ["Charlie Orbital SE", "Bravo Timber S.à r.l.", "Alpha Castings S.A."]),
        ("followup", ["Bravo Timber S.à r.l.", "Alpha Castings S.A.", "Charlie Orbital SE"]),
        ("-followup", ["Alpha Castings S.A.", "Bravo Timber S.à r.l.", "Charlie Orbital SE"]),
        ("employees", ["Alpha Castings S.A.", "Bravo Timber S.à r.l.", "Charlie Orbital SE"]),
        ("-employees", ["Charlie Orbital SE", "Bravo Timber S.à r.l.", "Alpha Castings S.A."]),
    ],
)
def test_each_sort(client, login_as, portfolio, sort, names):
    login_as("advisor")
    assert listed(client, f"?sort={sort}") == names


def test_sort_headers_link_to_the_reverse_order(client, login_as, portfolio):
    login_as("advisor")
    html = client.get("/companies?sort=employees&cluster=materials-manufacturing").get_data(
        as_text=True
    )
    assert 'aria-sort="ascending"' in html
    assert "sort=-employees" in html and "cluster=materials-manufacturing" in html


def test_list_is_paginated(app, client, login_as):
    login_as("advisor")
    page_size = app.config["PAGE_SIZE"]
    with app.app_context():
        for n in range(page_size + 2):
            factories.make_company(f"Company {n:03d}")
        db.session.commit()
    assert len(listed(client)) == page_size
    assert listed(client, "?page=2") == ["Company 025", "Company 026"]
    assert f"1–{page_size} of {page_size + 2}" in client.get("/companies").get_data(as_text=True)
    # A search or a filter that reads every company counts its matches with the page.
    for narrowed in ("?q=compan", "?risk=none"):
        assert listed(client, f"{narrowed}&page=2") == ["Company 025", "Company 026"]
        html = client.get(f"/companies{narrowed}&page=2").get_data(as_text=True)
        assert f"{page_size + 1}–{page_size + 2} of {page_size + 2}" in html
        assert listed(client, f"{narrowed}&page=3") == []


def test_the_list_total_follows_owners_closing_and_archiving(app, client, login_as, users):
    """Without filters, or by owner, the total comes from each owner's kept count of companies
    not archived (closed ones too); it follows every change."""
    login_as("advisor")
    advisor, manager = users["advisor"].id, users["manager"].id

    def totals() -> list[str]:
        found = []
        for query in ("", "?owner=mine", "?owner=none", f"?owner={manager}", "?status=closed"):
            html = client.get(f"/companies{query}").get_data(as_text=True)
            shown = re.search(r'class="result-count" role="status">(\d+) compan', html)
            found.append(shown[1] if shown else "0")  # none: the page says so instead
        return found

    with app.app_context():
        made = [factories.make_company(f"Mine {n} S.A.", owner_id=advisor) for n in range(3)]
        factories.make_company("Nobody's S.A.")
        db.session.commit()
        mine = [company.id for company in made]
    assert totals() == ["4", "3", "1", "0", "0"]
    with app.app_context():
        first, second, third = (db.session.get(Company, company_id) for company_id in mine)
        first.status = CompanyStatus.CLOSED  # closed companies stay in the list
        second.owner_id = manager
        services.archive_company(third, actor=None)  # archived ones leave it
        db.session.commit()
    assert totals() == ["3", "1", "1", "1", "1"]
    with app.app_context():
        services.restore_company(db.session.get(Company, mine[2]), actor=None)
        db.session.commit()
    assert totals() == ["4", "2", "1", "1", "1"]


def _fill(app, users, start: int, count: int) -> None:
    """`count` companies, each with clusters, owner, contacts, a follow-up and health checks."""
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster))
        for n in range(start, start + count):
            company = factories.make_company(
                f"Company {n:03d}", owner_id=users["advisor"].id, clusters=[cluster]
            )
            factories.make_interaction(company, users["advisor"].id)
            factories.make_followup(company, users["advisor"].id)
            factories.make_health_check(company, users["advisor"].id, risk_level=RiskLevel.HIGH)
        db.session.commit()


@pytest.mark.parametrize("query", ["?sort=-contact", "?q=compan&sort=followup", "?risk=high"])
def test_list_runs_the_same_number_of_statements_for_3_or_30_rows(
    app, client, login_as, users, query
):
    login_as("advisor")
    _fill(app, users, 0, 3)
    client.get("/companies")
    with count_statements(app) as few:
        assert len(listed(client, query)) == 3
    _fill(app, users, 3, 27)
    with count_statements(app) as many:
        assert len(listed(client, query)) == app.config["PAGE_SIZE"]
    assert len(few) == len(many), (few, many)
    assert len(many) <= 12


# The type-ahead search.


def test_json_search(client, login_as, portfolio):
    login_as("advisor")
    assert client.get("/companies/search?q=a").get_json() == {"results": []}
    results = client.get("/companies/search?q=bravo").get_json()["results"]
    assert results == [
        {
            "id": portfolio["bravo"],
            "name": "Bravo Timber S.à r.l.",
            "locality": "Wiltz",
            "rcs_number": None,
        }
    ]
    # Names that start with the text come first.
    names = [r["name"] for r in client.get("/companies/search?q=al").get_json()["results"]]
    assert names[0] == "Alpha Castings S.A."


def test_json_search_gives_at_most_ten(app, client, login_as):
    login_as("advisor")
    with app.app_context():
        for n in range(12):
            factories.make_company(f"Lux Company {n}")
        db.session.commit()
    assert len(client.get("/companies/search?q=lux").get_json()["results"]) == 10


# The company page.


def _story(app, users, company_id: int, each: int) -> None:
    """`each` items of every kind of the timeline for the company."""
    advisor = users["advisor"].id
    on = today()
    with app.app_context():
        company = db.session.get(Company, company_id)
        person = factories.make_person(company, f"Person {each}")
        for n in range(each):
            day = on - timedelta(days=n * 7 + 1)
            interaction = factories.make_interaction(company, advisor, on=day)
            interaction.people.append(person)
            factories.make_health_check(company, advisor, on=day, risk_level=RiskLevel.MEDIUM)
            need = factories.make_need(
                company,
                on=day,
                status=NeedStatus.RESOLVED if n % 2 else NeedStatus.CLOSED_UNRESOLVED,
                resolved_on=day if n % 2 else None,
                closed_on=None if n % 2 else day,
            )
            solution = factories.make_solution(need, "Fit 4 Digital", on=day)
            solution.changes.append(
                SolutionStatusChange(
                    from_status=SolutionStatus.SUGGESTED,
                    to_status=SolutionStatus.GRANTED,
                    changed_on=day,
                )
            )
            solution.status, solution.amount_granted = SolutionStatus.GRANTED, Decimal("1000")
            factories.make_followup(
                company, advisor, due=day, status=FollowUpStatus.DONE, done_on=day
            )
            event = factories.make_event(f"Workshop {n}", on=day)
            event.companies.append(company)
        open_need = factories.make_need(company, "digitalisation", on=on)
        factories.make_solution(open_need, "Fit 4 Digital", on=on, amount_requested=Decimal("5000"))
        factories.make_followup(company, advisor, due=on + timedelta(days=5))
        db.session.commit()


def test_company_page_runs_the_same_number_of_statements_whatever_the_history(
    app, client, login_as, users
):
    login_as("advisor")
    with app.app_context():
        few_id = factories.make_company("Few Items S.A.", owner_id=users["advisor"].id).id
        many_id = factories.make_company("Many Items S.A.", owner_id=users["advisor"].id).id
        db.session.commit()
    _story(app, users, few_id, 3)
    _story(app, users, many_id, 30)
    client.get(f"/companies/{few_id}")
    with count_statements(app) as few:
        assert client.get(f"/companies/{few_id}").status_code == 200
    with count_statements(app) as many:
        html = client.get(f"/companies/{many_id}").get_data(as_text=True)
    assert len(few) == len(many), (few, many)
    assert "Show older" in html


def test_timeline_holds_every_kind_of_item(app, client, login_as, users):
    login_as("advisor")
    with app.app_context():
        company = factories.make_company("Story S.A.", owner_id=users["advisor"].id)
        db.session.commit()
        company_id = company.id
    _story(app, users, company_id, 2)
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"') :]
    for kind in [
        "interaction",
        "health_check",
        "need_identified",
        "need_resolved",
        "need_closed",
        "solution_change",
        "followup_created",
        "followup_done",
        "event",
    ]:
        assert f"timeline-item timeline-{kind}" in timeline, kind
    text = re.sub(r"<[^>]+>", "", timeline)
    assert "Fit 4 Digital: suggested → granted, €1,000.00" in " ".join(text.split())
    assert "Fit 4 Digital suggested" in " ".join(text.split())
    assert "met Person 2" in timeline and "Took part in</strong> Workshop 1" in timeline
    # The open need with its solution and amount, and the open follow-up.
    assert "Digitalisation and Industry 4.0" in html and "€5,000.00" in html
    assert "in 5 days" in html


def test_timeline_pages_do_not_overlap_or_skip(app, client, login_as, users):
    login_as("advisor")
    with app.app_context():
        company_id = factories.make_company("Long Story S.A.").id
        db.session.commit()
    _story(app, users, company_id, 10)  # 10 x 8 dated items + 1 follow-up created per row
    seen: list[str] = []
    url = f"/companies/{company_id}"
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<li class="timeline-item timeline-(\w+)">', html)
        older = re.search(r'href="(/companies/\d+\?before=[^"#]+)#timeline">Show older', html)
        if not older:
            break
        url = older.group(1)
    # Per week: interaction, check, need identified, resolved or closed, suggested and granted,
    # follow-up created and done, event; and today's open need, its solution and follow-up.
    assert len(seen) == 10 * 9 + 3


def test_timeline_keyset_pages_join_up_to_the_whole_story(app, users):
    with app.app_context():
        company_id = factories.make_company("Long Story S.A.").id
        db.session.commit()
    _story(app, users, company_id, 6)
    with app.app_context():
        whole = timeline.company_timeline(company_id, limit=1000)
        assert whole.older is None
        paged, cursor = [], None
        while True:
            page = timeline.company_timeline(company_id, before=cursor, limit=7)
            paged += page.items
            if page.older is None:
                break
            cursor = timeline.parse_cursor(page.older)
        assert [(i.kind, i.key) for i in paged] == [(i.kind, i.key) for i in whole.items]
        assert [i.on for i in whole.items] == sorted((i.on for i in whole.items), reverse=True)


def test_each_company_timeline_holds_the_status_changes_of_its_own_solutions(app, users):
    with app.app_context():
        ours, theirs = _story_company("Ours S.A."), _story_company("Theirs S.A.")
        db.session.commit()
        for company in (ours, theirs):
            # Each change knows its company (set on insert from its solution's need).
            changes = db.session.scalars(
                sa.select(SolutionStatusChange)
                .join(SolutionStatusChange.solution)
                .where(Solution.need.has(company_id=company.id))
            ).all()
            assert len(changes) == 2 and {c.company_id for c in changes} == {company.id}
            shown = {
                item.record.id
                for item in timeline.company_timeline(company.id).items
                if item.kind == "solution_change"
            }
            assert shown == {c.id for c in changes}


def _story_company(name: str) -> Company:
    company = factories.make_company(name)
    solution = factories.make_solution(factories.make_need(company), "Fit 4 Digital")
    # Suggested (made with it), then submitted.
    solution.changes.append(
        SolutionStatusChange(to_status=SolutionStatus.SUBMITTED, changed_on=today())
    )
    return company


def test_bad_cursor_shows_the_first_page(client, login_as, company_id):
    login_as("advisor")
    assert client.get(f"/companies/{company_id}?before=nonsense").status_code == 200
    assert client.get(f"/companies/{company_id}?before=2026-13-45.1.1").status_code == 200


def test_company_page_shows_latest_health_with_arrows_and_text(app, client, login_as, users):
    login_as("advisor")
    with app.app_context():
        company = factories.make_company()
        factories.make_health_check(
            company, users["advisor"].id, on=today() - timedelta(days=300), risk_level=RiskLevel.LOW
        )
        factories.make_health_check(
            company,
            users["advisor"].id,
            risk_level=RiskLevel.CRITICAL,
            liquidity=Liquidity.TIGHT,
            turnover_trend=Trend.DOWN,
            orders_trend=Trend.UP,
            employment_trend=Trend.STABLE,
            short_time_work=True,
            risk_reasons=["key_customer_loss"],
        )
        db.session.commit()
        company_id = company.id
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert 'bi-arrow-down-right" aria-hidden="true"></i> Down' in html
    assert 'bi-arrow-up-right" aria-hidden="true"></i> Up' in html
    assert 'bi-arrow-right" aria-hidden="true"></i> Stable' in html
    assert "Loss of key customer" in html and "Tight" in html
    svg = re.search(r"<svg class=\"risk-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="Risk level at 2 health checks' in svg
    assert "<title>Risk level over time</title>" in svg
    assert svg.count("<circle") == 2 and "style=" not in svg


def test_company_page_escapes_user_text(app, client, login_as, users):
    login_as("advisor")
    with app.app_context():
        company = factories.make_company('<script>alert("x")</script> S.A.')
        factories.make_interaction(company, users["advisor"].id, summary="<b>bold</b>")
        db.session.commit()
        company_id = company.id
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html


def test_log_a_contact_links_to_the_contact_form(client, login_as, company_id):
    login_as("advisor")
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert f'href="/interactions/new?company={company_id}"' in html


def test_company_page_without_history_says_what_to_do(client, login_as, company_id):
    login_as("advisor")
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "No health check yet" in html
    assert "Nothing has happened yet — log the first contact." in html
    assert "No contact person yet" in html


def test_interaction_types_show_their_label(app, client, login_as, users, company_id):
    login_as("advisor")
    with app.app_context():
        company = db.session.get(Company, company_id)
        factories.make_interaction(company, users["advisor"].id, type=InteractionType.EMAIL)
        db.session.commit()
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "bi-envelope" in html and "<strong>E-mail</strong>" in html


def test_the_risk_chart_draws_one_point_per_week_whatever_the_number_of_checks(app) -> None:
    from datetime import date, timedelta

    from tracker.companies.chart import RiskHistory, risk_chart, weekly
    from tracker.models import RiskLevel

    monday = date(2026, 11, 2)
    levels = [RiskLevel.LOW, RiskLevel.CRITICAL, RiskLevel.MEDIUM]
    # Three checks a day for ten weeks.
    points = [
        (monday + timedelta(days=d), levels[(d + k) % 3]) for d in range(70) for k in range(3)
    ]
    week = weekly(points)
    assert len(week) == 10
    assert week[0] == (monday + timedelta(days=6), RiskLevel.CRITICAL)  # the worst of the week
    assert weekly([(monday, RiskLevel.LOW)]) == [(monday, RiskLevel.LOW)]
    with app.test_request_context():
        svg = str(risk_chart(RiskHistory.of(points), start=monday, end=monday + timedelta(days=70)))
    assert svg.count("<circle") == 10
    assert "at 210 health checks" in svg  # the description still counts every check


def test_the_risk_history_is_read_one_day_at_a_time_and_counts_every_check(app, users) -> None:
    from tracker.companies import queries
    from tracker.companies.chart import RiskHistory

    on = today() - timedelta(days=10)
    levels = [
        (on, RiskLevel.LOW),
        (on, RiskLevel.HIGH),
        (on, RiskLevel.MEDIUM),
        (on + timedelta(days=3), RiskLevel.CRITICAL),
        (on + timedelta(days=3), RiskLevel.LOW),
        (on - timedelta(days=400), RiskLevel.HIGH),  # before the chart starts
    ]
    with app.app_context():
        company = factories.make_company("Checked Often S.A.")
        for day, level in levels:
            factories.make_health_check(company, users["advisor"].id, on=day, risk_level=level)
        factories.make_health_check(company, users["advisor"].id, on=on)  # no risk assessed
        db.session.commit()
        history = queries.risk_history(company.id, on - timedelta(days=30))
    assert history == RiskHistory.of(levels[:5])
    assert history.checks == 5
    assert history.first == (on, RiskLevel.LOW) and history.last == levels[4]
    assert history.days == [(on, RiskLevel.HIGH), (on + timedelta(days=3), RiskLevel.CRITICAL)]


def test_the_company_page_shows_ten_open_needs_and_follow_ups_then_show_all(
    app, client, login_as, users
) -> None:
    with app.app_context():
        company = factories.make_company("Acier Wiltz S.A.")
        for n in range(12):
            factories.make_need(company, description=f"Need number {n}")
            factories.make_followup(company, users["advisor"].id, title=f"Step number {n}")
        db.session.commit()
        company_id = company.id
    login_as("advisor")

    def shown(html: str) -> tuple[int, int]:
        needs = html.split('class="need-list"', 1)[1].split("</ul>", 1)[0]
        steps = html.split('class="followup-list"', 1)[1].split("</ul>", 1)[0]
        return needs.count("Need number"), steps.count("Step number")

    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert shown(html) == (10, 10)
    assert "Show all 12 open needs" in html and "Show all 12 open follow-ups" in html
    html = client.get(f"/companies/{company_id}?all=needs").get_data(as_text=True)
    assert shown(html) == (12, 10)
    assert "Show all 12 open needs" not in html
    html = client.get(f"/companies/{company_id}?all=followups").get_data(as_text=True)
    assert shown(html) == (10, 12) and "Show all 12 open follow-ups" not in html
