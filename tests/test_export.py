"""Exports of every record as CSV and XLSX; companies and contacts import back unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    Cluster,
    InteractionType,
    Liquidity,
    Market,
    NeedStatus,
    RiskLevel,
    SolutionStatus,
    Trend,
)
from tracker.transfer.imports import COMPANY_COLUMNS, INTERACTION_COLUMNS

DATASETS = ("companies", "people", "interactions", "needs", "solutions", "followups")


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


@pytest.fixture
def portfolio(app, users):
    """Companies with people, contacts, needs, solutions, follow-ups and a health check."""
    with app.app_context():
        mm = db.session.scalar(sa.select(Cluster).where(Cluster.slug == "materials-manufacturing"))
        wood = factories.make_cluster("wood", "Wood")
        markets = {m.slug: m for m in db.session.scalars(sa.select(Market))}
        moselle = factories.make_company(
            "Moselle Précision S.à r.l.",
            trade_name="MPS",
            rcs_number="B100001",
            vat_number="LU15027442",
            nace_code="25.62",
            employees=40,
            street="1, rue de l'Usine",
            postal_code="L-4362",
            locality="Esch-sur-Alzette",
            website="https://www.moselle.lu",
            clusters=[mm, wood],
            owner_id=users["advisor"].id,
        )
        moselle.markets = [markets["automotive"], markets["aeronautics"]]
        ardennes = factories.make_company(
            "Ardennes Bois S.A.", postal_code="L-9710", locality="Clervaux", clusters=[wood]
        )
        # Two companies of the same name: the contact history names them by RCS number.
        factories.make_company("Kayl Tools S.A.", rcs_number="B300", postal_code="L-3601")
        twin = factories.make_company("Kayl Tools S.A.", rcs_number="B301", postal_code="L-3602")
        factories.make_company("Old Works S.A.", archived=True)
        # A name a spreadsheet would run as a formula.
        factories.make_company('=HYPERLINK("http://evil.example","Click")', postal_code="L-1111")
        factories.make_person(moselle, "Anne Schmit", email="anne@moselle.lu", notes="+352 call")
        call = factories.make_interaction(
            moselle, users["advisor"].id, on=date(2024, 3, 5), summary="Orders down"
        )
        factories.make_health_check(
            moselle,
            users["advisor"].id,
            on=date(2024, 3, 5),
            interaction=call,
            turnover_trend=Trend.DOWN,
            short_time_work=True,
            liquidity=Liquidity.TIGHT,
            risk_level=RiskLevel.HIGH,
        )
        need = factories.make_need(moselle, "liquidity", on=date(2024, 3, 5), interaction=call)
        factories.make_solution(
            need,
            "Neistart Lëtzebuerg SME investment aid",
            on=date(2024, 3, 5),
            amount_requested=Decimal("120000.50"),
        )
        factories.make_followup(
            moselle, users["advisor"].id, due=date(2024, 3, 20), title="Send the form",
            interaction=call, need=need,
        )  # fmt: skip
        factories.make_interaction(
            ardennes, users["manager"].id, on=date(2024, 3, 6), type=InteractionType.EVENT,
            summary="",
        )  # fmt: skip
        factories.make_interaction(twin, users["manager"].id, on=date(2024, 3, 7), summary="Hi")
        db.session.commit()
    return users


def test_viewers_export_nothing(client, login_as, portfolio):
    login_as("viewer")
    assert client.get("/exports").status_code == 403
    for dataset in DATASETS:
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/exports/{dataset}.{fmt}").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, portfolio):
    response = client.get("/exports/companies.csv")
    assert response.status_code == 302 and "/login" in response.location


def test_the_exports_page_lists_every_export(client, login_as, portfolio):
    login_as("advisor")
    html = client.get("/exports").text
    for dataset in DATASETS:
        assert f"/exports/{dataset}.csv" in html and f"/exports/{dataset}.xlsx" in html
    assert client.get("/exports/everything.csv").status_code == 404
    assert client.get("/exports/companies.pdf").status_code == 404


def test_companies_export_in_the_columns_of_the_import(client, login_as, portfolio):
    login_as("advisor")
    response = client.get("/exports/companies.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment; filename=companies-" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == list(COMPANY_COLUMNS)
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert "Old Works S.A." not in by_name  # archived companies are left out, as in the list
    assert by_name["Moselle Précision S.à r.l."] == {
        "name": "Moselle Précision S.à r.l.",
        "trade_name": "MPS",
        "rcs_number": "B100001",
        "vat_number": "LU15027442",
        "nace_code": "25.62",
        "employees": "40",
        "street": "1, rue de l'Usine",
        "postal_code": "L-4362",
        "locality": "Esch-sur-Alzette",
        "country": "LU",
        "website": "https://www.moselle.lu",
        "clusters": "materials-manufacturing;wood",
        "markets": "aeronautics;automotive",
        "owner_email": "advisor@example.lu",
        "status": "active",
    }


def test_companies_export_follows_the_filters_of_the_list(client, login_as, portfolio):
    login_as("advisor")
    wood = [row[0] for row in read_csv(client.get("/exports/companies.csv?cluster=wood"))[1:]]
    assert wood == ["Ardennes Bois S.A.", "Moselle Précision S.à r.l."]
    found = [row[0] for row in read_csv(client.get("/exports/companies.csv?q=kayl"))[1:]]
    assert found == ["Kayl Tools S.A.", "Kayl Tools S.A."]
    with_archived = read_csv(client.get("/exports/companies.csv?archived=1&q=old"))
    assert [row[0] for row in with_archived[1:]] == ["Old Works S.A."]


def test_companies_export_as_xlsx(client, login_as, portfolio):
    login_as("manager")
    response = client.get("/exports/companies.xlsx?archived=1&q=old")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = read_xlsx(response)
    assert rows[0] == list(COMPANY_COLUMNS)
    assert rows[1][0] == "Old Works S.A."
    full = read_xlsx(client.get("/exports/companies.xlsx?q=moselle"))
    assert full[1][COMPANY_COLUMNS_INDEX["employees"]] == 40  # a number, not text


COMPANY_COLUMNS_INDEX = {name: index for index, name in enumerate(COMPANY_COLUMNS)}


def test_cells_a_spreadsheet_would_run_are_neutralised(client, login_as, portfolio):
    login_as("advisor")
    rows = read_csv(client.get("/exports/companies.csv?q=hyperlink"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","Click")'
    xlsx = read_xlsx(client.get("/exports/companies.xlsx?q=hyperlink"))
    assert xlsx[1][0] == '\'=HYPERLINK("http://evil.example","Click")'
    people = read_csv(client.get("/exports/people.csv"))
    assert people[1][people[0].index("Notes")] == "'+352 call"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_companies_imports_back_without_changes(
    app, client, login_as, runner, portfolio, tmp_path, fmt
):
    login_as("advisor")
    path = tmp_path / f"companies.{fmt}"
    path.write_bytes(client.get(f"/exports/companies.{fmt}?archived=1").data)
    before = counts(app)
    result = runner.invoke(args=["import", "companies", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported: 0 companies created, 0 updated, 6 unchanged."
    assert counts(app) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_the_contact_history_imports_back_without_changes(
    app, client, login_as, runner, portfolio, tmp_path, fmt
):
    login_as("advisor")
    path = tmp_path / f"interactions.{fmt}"
    path.write_bytes(client.get(f"/exports/interactions.{fmt}").data)
    before = counts(app)
    result = runner.invoke(args=["import", "interactions", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Imported: 0 interactions created, 3 already imported (skipped)."
    )
    assert counts(app) == before


def test_contact_history_export_has_the_import_columns(client, login_as, portfolio):
    login_as("advisor")
    rows = read_csv(client.get("/exports/interactions.csv"))
    assert rows[0] == list(INTERACTION_COLUMNS)
    assert (
        [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        == [
            {
                "date": "2024-03-05",
                "company": "Moselle Précision S.à r.l.",
                "type": "call",
                "advisor_email": "advisor@example.lu",
                "summary": "Orders down",
                "needs": "liquidity",
                "solutions": "Neistart Lëtzebuerg SME investment aid",
                "follow_up_on": "2024-03-20",
                "follow_up": "Send the form",
                "turnover": "down",
                "orders": "",
                "employment": "",
                "outlook": "",
                "short_time_work": "yes",
                "liquidity": "tight",
                "risk": "high",
            },
            {
                "date": "2024-03-06",
                "company": "Ardennes Bois S.A.",
                "type": "event",
                "advisor_email": "manager@example.lu",
                **dict.fromkeys(INTERACTION_COLUMNS[4:], ""),
            },
            {
                "date": "2024-03-07",
                "company": "B301",  # another company has the same name
                "type": "call",
                "advisor_email": "manager@example.lu",
                "summary": "Hi",
                **dict.fromkeys(INTERACTION_COLUMNS[5:], ""),
            },
        ]
    )
    xlsx = read_xlsx(client.get("/exports/interactions.xlsx"))
    assert xlsx[1][0] == date(2024, 3, 5) or xlsx[1][0].date() == date(2024, 3, 5)


def test_people_needs_solutions_and_followups_exports(client, login_as, portfolio):
    login_as("advisor")
    people = read_csv(client.get("/exports/people.csv"))
    assert people[0] == ["Company", "RCS number", "Name", "Job title", "E-mail", "Phone",
                         "Lawful basis", "Notes", "Archived"]  # fmt: skip
    assert people[1][:5] == ["Moselle Précision S.à r.l.", "B100001", "Anne Schmit", "",
                             "anne@moselle.lu"]  # fmt: skip
    needs = read_csv(client.get("/exports/needs.csv"))
    need = dict(zip(needs[0], needs[1], strict=True))
    assert (need["Category"], need["Status"], need["Identified on"]) == (
        "liquidity",
        NeedStatus.OPEN.value,
        "2024-03-05",
    )
    solutions = read_xlsx(client.get("/exports/solutions.xlsx"))
    solution = dict(zip(solutions[0], solutions[1], strict=True))
    assert solution["Instrument"] == "Neistart Lëtzebuerg SME investment aid"
    assert solution["Status"] == SolutionStatus.SUGGESTED.value
    assert solution["Amount requested (EUR)"] == pytest.approx(120000.50)
    assert solution["Need id"] == need_id(needs)
    followups = read_csv(client.get("/exports/followups.csv"))
    followup = dict(zip(followups[0], followups[1], strict=True))
    assert (followup["Title"], followup["Due on"], followup["Assignee's e-mail"]) == (
        "Send the form",
        "2024-03-20",
        "advisor@example.lu",
    )
    assert followup["Status"] == "open"


def need_id(needs: list[list[str]]) -> int:
    return int(needs[1][0])


def test_headers_read_by_people_follow_the_language_and_import_columns_do_not(
    client, login_as, portfolio
):
    login_as("advisor")
    french = {"Accept-Language": "fr"}
    people = read_csv(client.get("/exports/people.csv", headers=french))
    assert people[0][:4] == ["Entreprise", "Numéro RCS", "Nom", "Fonction"]
    companies = read_csv(client.get("/exports/companies.csv", headers=french))
    assert companies[0] == list(COMPANY_COLUMNS)
    history = read_csv(client.get("/exports/interactions.csv", headers={"Accept-Language": "de"}))
    assert history[0] == list(INTERACTION_COLUMNS)


def test_an_empty_tracker_exports_headers_only(client, login_as, users):
    login_as("advisor")
    for dataset in DATASETS:
        response = client.get(f"/exports/{dataset}.csv")
        assert (
            f"filename={dataset}-{today().isoformat()}.csv"
            in response.headers["Content-Disposition"]
        )
        assert len(read_csv(response)) == 1, dataset


def test_companies_list_links_to_its_filtered_export_and_the_import(client, login_as):
    login_as("advisor")
    html = client.get("/companies?status=active").get_data(as_text=True)
    assert 'href="/exports/companies.xlsx?status=active"' in html
    assert 'href="/exports/companies.csv?status=active"' in html
    assert 'href="/companies/import"' in html
