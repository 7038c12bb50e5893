"""The companies search reads one folded row per company (tracker/companies/search.py): every
way a company or a person changes keeps that row true, in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tracker import dates
from tracker.companies import services
from tracker.companies.queries import CompanyFilters, companies_query, matching
from tracker.extensions import db
from tracker.gdpr import services as gdpr
from tracker.maintenance import purge
from tracker.models import Company, Person, User, company_search

TODAY = dates.today()


def found(q: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Company.legal_name).where(matching(q)).order_by(Company.legal_name)
        )
    )


def test_a_new_company_is_found_by_name_locality_and_numbers_whatever_case_and_accents(app):
    with app.app_context():
        services.create_company(
            services.CompanyDetails(
                legal_name="Société Générale de Mécanique S.A.",
                trade_name="SGM",
                rcs_number="B123456",
                vat_number="LU15027442",
                locality="Pétange",
            ),
            actor=None,
        )
        db.session.flush()
        assert found("generale de meca") == ["Société Générale de Mécanique S.A."]
        assert found("PETANGE") == found("sgm") == ["Société Générale de Mécanique S.A."]
        assert found("B 123 456") == found("lu 1502 7442") == ["Société Générale de Mécanique S.A."]
        assert found("mécanique pétange") == []  # never across two fields


def test_renaming_a_company_changes_what_finds_it(app):
    with app.app_context():
        company = factories.make_company("Old Name S.A.")
        services.update_company(
            company, services.CompanyDetails(legal_name="Nouveau Nom S.A."), actor=None
        )
        db.session.commit()
        assert found("old name") == []
        assert found("nouveau") == ["Nouveau Nom S.A."]


def test_people_find_their_company_until_archived_or_erased(app, users):
    with app.app_context():
        company = factories.make_company("Wiltz Wood Works")
        person = services.add_person(
            company,
            services.PersonDetails(name="Chloé Muller", email="c.muller@wood.lu"),
            actor=None,
        )
        db.session.commit()
        assert found("chloe") == found("c.muller@") == ["Wiltz Wood Works"]
        services.archive_person(person, actor=None)
        db.session.commit()
        assert found("chloe") == []
        services.restore_person(person, actor=None)
        db.session.commit()
        assert found("muller") == ["Wiltz Wood Works"]
        gdpr.erase_person(person, actor=db.session.get(User, users["manager"].id))
        db.session.commit()
        assert found("muller") == []
        assert found("wiltz") == ["Wiltz Wood Works"]


def test_a_purged_person_is_no_longer_found(app):
    with app.app_context():
        company = factories.make_company("Clervaux Cheese")
        person = services.add_person(company, services.PersonDetails(name="Jos Weber"), actor=None)
        services.archive_person(person, actor=None)
        db.session.commit()
        person_id = person.id
        purge.purge(purge.plan_purge("person", person_id))
        db.session.commit()
        assert db.session.get(Person, person_id) is None
        assert found("weber") == []
        assert found("clervaux") == ["Clervaux Cheese"]


def test_every_company_has_exactly_one_row(app):
    with app.app_context():
        for n in range(3):
            factories.make_company(f"Company {n}")
        db.session.commit()
        companies = db.session.scalar(sa.select(sa.func.count()).select_from(Company))
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(company_search))
        assert companies == rows == 3


def test_imported_companies_are_found(app, runner, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "name,rcs_number,locality\nÉtains de Luxembourg S.A.,B 987 654,Ettelbruck\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "companies", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert found("etains") == found("B987654") == ["Étains de Luxembourg S.A."]


def test_the_trigram_index_finds_what_reading_every_row_finds(app):
    """Needles of three characters or more are looked up in the trigram index (FTS5 on SQLite,
    pg_trgm on PostgreSQL): the same companies as a LIKE over every row, quotes, wildcards and
    short needles included."""
    from tracker.companies.search import _escaped
    from tracker.companies.validation import fold

    with app.app_context():
        for name in ('Atelier "Gut" 50%_Bau S.à r.l.', "Precision Parts S.A.", "Ab S.A."):
            factories.make_company(name)
        company = factories.make_company("Renamed Precision S.A.")
        db.session.commit()
        company.legal_name = "Kept Name S.A."  # rewritten row: the index follows
        db.session.commit()
        for needle in ('"gut"', "50%_b", "precision", "ab", "a", "ision p", "kept", "renamed"):
            pattern = f"%{_escaped(fold(needle))}%"
            every_row = sa.select(company_search.c.company_id).where(
                company_search.c.text.like(pattern, escape="/")
            )
            expected = db.session.scalars(
                sa.select(Company.legal_name)
                .where(Company.id.in_(every_row))
                .order_by(Company.legal_name)
            ).all()
            assert found(needle) == expected, needle
        assert found("precision") == ["Precision Parts S.A."]
        assert found('"gut"') == ['Atelier "Gut" 50%_Bau S.à r.l.']


def search_rows_match_their_companies() -> bool:
    """Each search row's listed flag and sorting name are its company's."""
    rows = db.session.execute(
        sa.select(company_search.c.listed, company_search.c.name_key, Company.archived)
        .add_columns(sa.func.lower(Company.legal_name))
        .join(Company, Company.id == company_search.c.company_id)
    ).all()
    return bool(rows) and all(
        listed is (not archived) and name_key == lowered
        for listed, name_key, archived, lowered in rows
    )


def test_a_search_lists_by_name_and_leaves_archived_companies_out_until_asked(app):
    """The list keeps and sorts a search's matches from the search rows alone: renaming,
    archiving and restoring a company move it in and out of the results at once."""
    with app.app_context():
        beta = factories.make_company("Beta Precision S.A.")
        factories.make_company("alpha precision S.à r.l.")
        gamma = factories.make_company("Gamma Precision S.A.")
        factories.make_company("Unrelated S.A.")
        db.session.commit()

        def listed(**filters) -> list[str]:
            query = companies_query(CompanyFilters(q="precision", **filters), user_id=0, on=TODAY)
            return [c.legal_name for c in db.session.scalars(query).unique()]

        assert listed() == [
            "alpha precision S.à r.l.",
            "Beta Precision S.A.",
            "Gamma Precision S.A.",
        ]
        assert listed(sort="-name")[0] == "Gamma Precision S.A."
        services.update_company(
            gamma, services.CompanyDetails(legal_name="Aardvark Precision S.A."), actor=None
        )
        services.archive_company(beta, actor=None)
        db.session.commit()
        assert search_rows_match_their_companies()
        assert listed() == ["Aardvark Precision S.A.", "alpha precision S.à r.l."]
        assert listed(archived=True) == [
            "Aardvark Precision S.A.",
            "alpha precision S.à r.l.",
            "Beta Precision S.A.",
        ]
        services.restore_company(beta, actor=None)
        db.session.commit()
        assert search_rows_match_their_companies()
        assert "Beta Precision S.A." in listed()
