"""Contact persons of a company: validation, the forms, archiving, access."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tracker.admin.services import ValidationError
from tracker.companies import services, validation
from tracker.companies.services import PersonDetails
from tracker.extensions import db
from tracker.models import AuditEntry, LawfulBasis, Person, User


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("26 12 34 56", "+352 26 12 34 56"),
        ("+352 26123456", "+352 26 12 34 56"),
        ("00352 621 123 456", "+352 621 123 456"),
        ("621123456", "+352 621 123 456"),
        ("+33 3 87 12 34 56", "+33 3 87 12 34 56"),
        ("+49 681 123456", "+49 681 123456"),
        ("", None),
    ],
)
def test_phone_numbers_are_stored_in_international_format(typed, stored):
    assert validation.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "call me", "+352 1", "+999 12345678"])
def test_bad_phone_numbers_are_refused(typed):
    with pytest.raises(ValueError, match="Enter a phone number like"):
        validation.normalise_phone(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("anne.schmit@moselle.lu", "anne.schmit@moselle.lu"),
        (" Anne.Schmit@Moselle.LU ", "Anne.Schmit@moselle.lu"),
        ("", None),
    ],
)
def test_email_addresses_are_checked_without_dns(typed, stored):
    assert validation.normalise_email(typed) == stored


@pytest.mark.parametrize("typed", ["anne", "anne@", "anne@@moselle.lu", "anne schmit@moselle.lu"])
def test_bad_email_addresses_are_refused(typed):
    with pytest.raises(ValueError):
        validation.normalise_email(typed)


def test_add_update_archive_person_are_audited(app, users):
    with app.app_context():
        actor = db.session.get(User, users["advisor"].id)
        company = factories.make_company()
        person = services.add_person(
            company,
            PersonDetails(name=" Anne  Schmit ", email="anne@moselle.lu", phone="26 12 34 56"),
            actor=actor,
        )
        services.update_person(
            person,
            PersonDetails(
                name="Anne Schmit",
                job_title="CFO",
                email="anne@moselle.lu",
                phone="+352 26 12 34 56",
                lawful_basis=LawfulBasis.CONSENT,
            ),
            actor=actor,
        )
        services.archive_person(person, actor=actor)
        db.session.commit()
        assert (person.name, person.phone, person.archived) == (
            "Anne Schmit",
            "+352 26 12 34 56",
            True,
        )
        entries = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.record_type == "Person").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["create", "update", "archive"]
        assert entries[1].changes == {
            "job_title": [None, "CFO"],
            "lawful_basis": ["legitimate_interest", "consent"],
        }


def test_person_services_name_the_bad_field(app, users):
    with app.app_context():
        company = factories.make_company()
        for details, field in [
            (PersonDetails(name=" "), "name"),
            (PersonDetails(name="Anne", email="nope"), "email"),
            (PersonDetails(name="Anne", phone="12"), "phone"),
        ]:
            with pytest.raises(ValidationError) as refused:
                services.add_person(company, details, actor=None)
            assert refused.value.field == field


@pytest.fixture
def company_id(app, users):
    with app.app_context():
        company_id = factories.make_company("Moselle Precision Castings S.à r.l.").id
        db.session.commit()
        return company_id


def person_form(**overrides) -> dict:
    return {
        "name": "Anne Schmit",
        "job_title": "Managing director",
        "email": "anne.schmit@moselle.lu",
        "phone": "26 12 34 56",
        "lawful_basis": "legitimate_interest",
        "notes": "Prefers calls in the morning.",
        **overrides,
    }


def test_advisor_adds_a_contact(app, client, login_as, company_id):
    login_as("advisor")
    page = client.get(f"/companies/{company_id}/people/new").get_data(as_text=True)
    assert "The GDPR ground for keeping" in page
    response = client.post(f"/companies/{company_id}/people/new", data=person_form())
    assert response.status_code == 302
    assert response.location.endswith(f"/companies/{company_id}#people")
    with app.app_context():
        person = db.session.scalar(db.select(Person))
        assert (person.company_id, person.phone, person.email) == (
            company_id,
            "+352 26 12 34 56",
            "anne.schmit@moselle.lu",
        )
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "Anne Schmit" in html and "Managing director" in html
    assert 'href="tel:+35226123456"' in html and 'href="mailto:anne.schmit@moselle.lu"' in html


def test_bad_contact_input_shows_each_error_and_writes_nothing(app, client, login_as, company_id):
    login_as("advisor")
    response = client.post(
        f"/companies/{company_id}/people/new",
        data=person_form(name="", email="anne@", phone="12", lawful_basis="whim"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for field, message in [
        ("name", "A contact needs a name."),
        ("email", "There must be something after the @-sign."),
        ("phone", "Enter a phone number like +352 26 12 34 56"),
        ("lawful_basis", "Not a valid choice"),
    ]:
        assert re.search(rf'id="{field}-error"[^>]*>\s*<div>[^<]*{re.escape(message)}', html), field
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Person.id))) == 0


def test_edit_and_archive_a_contact(app, client, login_as, company_id):
    login_as("manager")
    with app.app_context():
        company = db.session.get(factories.Company, company_id)
        person_id = factories.make_person(company, "Anne Schmit", phone="+352 26 12 34 56").id
        db.session.commit()
    html = client.get(f"/companies/{company_id}/people/{person_id}/edit").get_data(as_text=True)
    assert 'value="Anne Schmit"' in html and 'value="+352 26 12 34 56"' in html
    response = client.post(
        f"/companies/{company_id}/people/{person_id}/edit",
        data=person_form(
            name="Anne Schmit-Weber", phone="+352 621 123 456", lawful_basis="consent", version="1"
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.name, person.phone, person.lawful_basis) == (
            "Anne Schmit-Weber",
            "+352 621 123 456",
            LawfulBasis.CONSENT,
        )
    assert client.post(f"/companies/{company_id}/people/{person_id}/archive").status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id).archived
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "No contact person yet" in html and "Anne Schmit-Weber</strong>" not in html
    # An archived contact no longer makes its company match a search.
    assert client.get("/companies/search?q=weber").get_json() == {"results": []}


def test_a_person_of_another_company_is_404(app, client, login_as, company_id):
    login_as("advisor")
    with app.app_context():
        other = factories.make_company("Other S.A.")
        person_id = factories.make_person(other, "Jean Muller").id
        db.session.commit()
    assert client.get(f"/companies/{company_id}/people/{person_id}/edit").status_code == 404
    assert (
        client.post(
            f"/companies/{company_id}/people/{person_id}/edit", data=person_form()
        ).status_code
        == 404
    )
    assert client.post(f"/companies/{company_id}/people/{person_id}/archive").status_code == 404
    assert client.get("/companies/999999/people/new").status_code == 404
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.name == "Jean Muller" and not person.archived


def test_viewers_cannot_touch_contacts(app, client, login_as, company_id):
    login_as("viewer")
    with app.app_context():
        company = db.session.get(factories.Company, company_id)
        person_id = factories.make_person(company).id
        db.session.commit()
    base = f"/companies/{company_id}/people"
    assert client.get(f"{base}/new").status_code == 403
    assert client.get(f"{base}/{person_id}/edit").status_code == 403
    assert client.post(f"{base}/new", data=person_form()).status_code == 403
    assert client.post(f"{base}/{person_id}/edit", data=person_form(name="X")).status_code == 403
    assert client.post(f"{base}/{person_id}/archive").status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Person.id))) == 1
        assert not db.session.get(Person, person_id).archived
