"""Importing companies (DESIGN.md 4.3) and contact history (4.4): command line and upload page."""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests import factories
from tracker.companies import services as company_services
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Cluster,
    Company,
    CompanyStatus,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Interaction,
    InteractionType,
    Liquidity,
    Need,
    NeedStatus,
    RiskLevel,
    SolutionStatus,
    Trend,
    User,
)
from tracker.transfer import imports

COMPANY_HEADER = "name,rcs_number,postal_code,locality,clusters,owner_email"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


# Helpers


def csv_bytes(
    lines: list[str], *, encoding: str = "utf-8", bom: bool = False, delimiter: str = ","
) -> bytes:
    text = "\r\n".join(line.replace(",", delimiter) for line in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.create_sheet("Ignored").append(["not", "read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts(app) -> dict[str, int]:
    """The number of rows in every table."""
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def run(runner, tmp_path: Path, kind: str, data: bytes, *options: str, name: str = "file.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["import", kind, str(path), *options])


def error_lines(result) -> list[str]:
    return result.stderr.strip().splitlines()


def company(app, **where) -> Company | None:
    with app.app_context():
        found = db.session.scalars(
            sa.select(Company).filter_by(**where).options(sa.orm.selectinload("*"))
        ).all()
        assert len(found) <= 1
        if found:
            db.session.expunge_all()
        return found[0] if found else None


@pytest.fixture
def world(app, users):
    """Two clusters, one user of each role, and two companies already in the tracker."""
    with app.app_context():
        wood = factories.make_cluster("wood", "Wood")
        mm = db.session.scalar(sa.select(Cluster).where(Cluster.slug == "materials-manufacturing"))
        factories.make_company(
            "Moselle Précision S.à r.l.",
            rcs_number="B100001",
            postal_code="L-4362",
            locality="Esch-sur-Alzette",
            website="https://www.moselle.lu",
            employees=40,
            clusters=[mm],
        )
        factories.make_company(
            "Ardennes Bois S.A.",
            postal_code="L-9710",
            locality="Clervaux",
            clusters=[wood],
            owner_id=users["advisor"].id,
        )
        db.session.commit()
    return users


# Companies: accepted files


def test_a_company_file_creates_companies_with_normalised_values(app, runner, world, tmp_path):
    data = csv_bytes(
        [
            # Header names in any order and any case.
            "Status,NAME,rcs_number,VAT_number,nace_code,Employees,street,postal_code,"
            "locality,country,website,clusters,markets,owner_email",
            "Dormant,Sûre Laser S.A.,b 123 456,LU 1502 7442,2562,12,1 rue Haute,4362,Esch,LU,"
            "www.sure-laser.lu,WOOD|materials-manufacturing,automotive; Aeronautics,"
            "ADVISOR@example.lu",
            "active,Kayl Coatings SA,123457,,25.62,,,L-3601,Kayl,,,,,",
            "closed,Metz Usinage SAS,,,,3,,57000,Metz,fr,https://usinage.fr,,,",
        ]
    )
    result = run(runner, tmp_path, "companies", data)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported: 3 companies created, 0 updated, 0 unchanged."
    sure = company(app, legal_name="Sûre Laser S.A.")
    assert (sure.rcs_number, sure.vat_number, sure.nace_code) == ("B123456", "LU15027442", "25.62")
    assert (sure.postal_code, sure.country, sure.employees) == ("L-4362", "LU", 12)
    assert sure.website == "https://www.sure-laser.lu"
    assert sure.status is CompanyStatus.DORMANT
    assert sorted(c.slug for c in sure.clusters) == ["materials-manufacturing", "wood"]
    assert sorted(m.slug for m in sure.markets) == ["aeronautics", "automotive"]
    assert sure.owner.email == "advisor@example.lu"
    kayl = company(app, legal_name="Kayl Coatings SA")
    assert (kayl.rcs_number, kayl.postal_code, kayl.status) == ("B123457", "L-3601", "active")
    metz = company(app, legal_name="Metz Usinage SAS")
    assert (metz.country, metz.postal_code, metz.status) == ("FR", "57000", CompanyStatus.CLOSED)
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.record_type == "Company", AuditEntry.record_id == sure.id
            )
        )
        assert entry.action == "create" and entry.changes["rcs_number"] == [None, "B123456"]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", True, ","),
        ("utf-8", False, ";"),
        ("utf-8", True, ";"),
        ("cp1252", False, ";"),
        ("cp1252", False, ","),
    ],
    ids=["utf8-bom-comma", "utf8-semicolon", "utf8-bom-semicolon", "cp1252-semicolon", "cp1252"],
)
def test_csv_encodings_and_separators_are_recognised(
    app, runner, world, tmp_path, encoding, bom, delimiter
):
    data = csv_bytes(
        [COMPANY_HEADER, "Société Générale Ltée,,L-1234,Pétange,wood,"],
        encoding=encoding,
        bom=bom,
        delimiter=delimiter,
    )
    result = run(runner, tmp_path, "companies", data)
    assert result.exit_code == 0, result.output
    created = company(app, legal_name="Société Générale Ltée")
    assert created is not None and created.locality == "Pétange"
    assert [c.slug for c in created.clusters] == ["wood"]


def test_an_xlsx_file_is_read_from_its_first_sheet(app, runner, world, tmp_path):
    data = xlsx_bytes(
        [
            ["Name", "RCS_Number", "Postal_Code", "Employees", "NACE_code", "Locality"],
            ["Wiltz Plast S.A.", 654321, 9516, 25.0, 2562, "Wiltz"],
            [None, None, None, None, None, None],  # a blank row is skipped
            ["Kehlen Tools S.A.", "B 7654", "L-8287", 4, "25.73", None],
        ]
    )
    result = run(runner, tmp_path, "companies", data, name="companies.xlsx")
    assert result.exit_code == 0, result.output
    wiltz = company(app, legal_name="Wiltz Plast S.A.")
    assert (wiltz.rcs_number, wiltz.postal_code, wiltz.employees) == ("B654321", "L-9516", 25)
    assert wiltz.nace_code == "25.62"
    assert company(app, legal_name="Kehlen Tools S.A.").rcs_number == "B7654"


def test_the_kind_of_file_is_told_by_its_content_not_its_name(app, runner, world, tmp_path):
    csv_named_xlsx = run(
        runner, tmp_path, "companies", csv_bytes([COMPANY_HEADER, "A,,,,,"]), name="a.xlsx"
    )
    assert csv_named_xlsx.exit_code == 0, csv_named_xlsx.output
    xlsx_named_csv = run(runner, tmp_path, "companies", xlsx_bytes([["name"], ["B"]]), name="b.csv")
    assert xlsx_named_csv.exit_code == 0, xlsx_named_csv.output
    assert company(app, legal_name="A") and company(app, legal_name="B")


# Companies: matching and idempotence


def test_a_row_updates_the_company_with_its_rcs_number_and_only_the_columns_present(
    app, runner, world, tmp_path
):
    before = company(app, rcs_number="B100001")
    data = csv_bytes(
        ["rcs_number,name,employees,locality", "B 100 001,Moselle Précision S.à r.l.,45,"]
    )
    result = run(runner, tmp_path, "companies", data)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported: 0 companies created, 1 updated, 0 unchanged."
    after = company(app, rcs_number="B100001")
    assert after.id == before.id and after.employees == 45
    # Columns left out, and empty cells, leave the values as they were.
    assert after.website == "https://www.moselle.lu"
    assert after.locality == "Esch-sur-Alzette"
    assert [c.slug for c in after.clusters] == ["materials-manufacturing"]
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.record_id == before.id).order_by(AuditEntry.id)
        ).all()[-1]
        assert (entry.action, entry.changes) == ("update", {"employees": [40, 45]})


def test_without_an_rcs_number_the_name_and_postal_code_match(app, runner, world, tmp_path):
    data = csv_bytes(
        [
            "name,postal_code,employees,clusters",
            # Case, accents and the legal form do not matter; the postal code does.
            "MOSELLE PRECISION SARL,4362,41,",
            "Ardennes Bois,L-9710,,wood;materials-manufacturing",
            "Ardennes Bois,L-9999,,",
        ]
    )
    result = run(runner, tmp_path, "companies", data, "--dry-run")
    assert result.stdout.splitlines() == [
        "Row 4: Ardennes Bois may already exist as Ardennes Bois S.A.: similar name (100% alike).",
        "1 company to create, 2 to update, 0 unchanged, 0 errors",
    ]
    result = run(runner, tmp_path, "companies", data)
    assert result.exit_code == 0, result.output
    moselle = company(app, rcs_number="B100001")
    assert moselle.employees == 41
    assert moselle.legal_name == "MOSELLE PRECISION SARL"  # the name column is present: it changes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    app, runner, world, tmp_path
):
    data = csv_bytes(
        [
            COMPANY_HEADER,
            "Sûre Laser S.A.,B123456,4362,Esch,wood,advisor@example.lu",
            "Kayl Coatings SA,,3601,Kayl,,",
            "Moselle Précision S.à r.l.,B100001,L-4362,Esch-sur-Alzette,wood,",
        ]
    )
    first = run(runner, tmp_path, "companies", data)
    assert first.stdout.strip() == "Imported: 2 companies created, 1 updated, 0 unchanged."
    snapshot = counts(app)
    second = run(runner, tmp_path, "companies", data)
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == "Imported: 0 companies created, 0 updated, 3 unchanged."
    assert counts(app) == snapshot  # not even an audit entry


def test_the_dry_run_reports_and_writes_nothing(app, runner, world, tmp_path):
    before = counts(app)
    data = csv_bytes([COMPANY_HEADER, "New One,,1234,,,", "Moselle Précision,B100001,,Esch,,"])
    result = run(runner, tmp_path, "companies", data, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 company to create, 1 to update, 0 unchanged, 0 errors"
    assert counts(app) == before


def test_a_new_company_like_an_existing_one_is_flagged_as_a_likely_duplicate(app, world):
    with app.app_context():
        factories.make_company("Moselle Precision Tools S.A.", vat_number="LU15027442")
        db.session.commit()
    data = csv_bytes(
        [
            "name,trade_name,vat_number,postal_code",
            "Moselle Precision,,,L-1111",
            "Utterly Different,Ardenne Bois,LU15027442,L-2222",
            "Nothing Alike,,,L-3333",
        ]
    )
    with app.app_context():
        plan = imports.plan_import("companies", data, actor=None)
        flagged = plan.likely_duplicates
        assert [row.name for row in flagged] == ["Moselle Precision", "Utterly Different"]
        assert [(m.name, m.reasons) for m in flagged[0].duplicates] == [
            ("Moselle Precision Tools S.A.", ("similar name (85% alike)",)),
            ("Moselle Précision S.à r.l.", ("similar name (100% alike)",)),
        ]
        assert [(m.name, m.reasons) for m in flagged[1].duplicates] == [
            ("Ardennes Bois S.A.", ("similar name (96% alike)",)),
            ("Moselle Precision Tools S.A.", ("same VAT number LU15027442",)),
        ]
        # The same answer as the check of the company form, which reads one row at a time.
        for row in flagged:
            assert row.duplicates == company_services.likely_duplicates(
                row.name,
                trade_name=row.values.get("trade_name"),
                vat_number=row.values.get("vat_number"),
            )


# Companies: errors


def assert_refused(app, runner, tmp_path, kind: str, data: bytes, expected: list[str], **kw):
    """The import fails with exactly these lines on stderr, and writes nothing."""
    before = counts(app)
    result = run(runner, tmp_path, kind, data, **kw)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.stdout == ""
    lines = error_lines(result)
    assert lines[:-1] == expected
    count = len(expected)
    assert lines[-1] == (
        f"Error: {count} error{'s' if count > 1 else ''} in the file; nothing was imported."
    )
    assert counts(app) == before


def test_an_unknown_column_is_named(app, runner, world, tmp_path):
    data = csv_bytes(["name,colour,postal_code", "Red Co,red,1234"])
    assert_refused(
        app,
        runner,
        tmp_path,
        "companies",
        data,
        [
            "Row 1, colour (column B): Unknown column; the accepted columns are name, trade_name, "
            "rcs_number, vat_number, nace_code, employees, street, postal_code, locality, country, "
            "website, clusters, markets, owner_email, status."
        ],
    )


def test_a_missing_required_column_is_an_error(app, runner, world, tmp_path):
    data = csv_bytes(["rcs_number,locality", "B1,Esch"])
    assert_refused(
        app, runner, tmp_path, "companies", data, ["Row 1, name: This required column is missing."]
    )


def test_every_wrong_value_is_reported_with_its_row_and_column(app, runner, world, tmp_path):
    data = csv_bytes(
        [
            "name,rcs_number,postal_code,clusters,owner_email,status,employees,website,country",
            "Good One,,1234,wood,,,,,",
            ",B2,1234,,,,,,",
            "Bad Cluster,,1234,wood|nowhere,,,,,",
            "Bad Owner,,1234,,nobody@example.lu,,,,",
            "Viewer Owner,,1234,,viewer@example.lu,,,,",
            "Bad Status,,1234,,,open,,,",
            "Bad Values,X-77,12,,,,twelve,javascript:alert(1),",
            "Bad Country,,1234,,,,,,XX",
            "Same RCS,B2,1234,,,,,,",
        ]
    )
    assert_refused(
        app,
        runner,
        tmp_path,
        "companies",
        data,
        [
            "Row 3, name (column A): A company needs its legal name.",
            "Row 4, clusters (column D): Unknown cluster: nowhere; the known ones are "
            "materials-manufacturing, wood.",
            "Row 5, owner_email (column E): No user has the e-mail nobody@example.lu.",
            "Row 6, owner_email (column E): viewer@example.lu is a viewer; choose an advisor, "
            "a manager or an admin.",
            "Row 7, status (column F): 'open' is not one of active, dormant, closed.",
            "Row 8, rcs_number (column B): An RCS number is B followed by digits, like B123456.",
            "Row 8, postal_code (column C): A Luxembourg postal code is like L-4362.",
            "Row 8, employees (column G): 'twelve' is not a whole number of employees.",
            "Row 8, website (column H): Enter a web address starting with http:// or https://.",
            "Row 9, country (column I): 'XX' is not a country code we know; use ISO-2 codes "
            "such as LU, BE, DE, FR.",
            "Row 10, rcs_number (column B): Row 3 has the same RCS number.",
        ],
    )


def test_binary_junk_is_not_a_csv_file(app, runner, world, tmp_path):
    for data in (PNG, os.urandom(2048), b"PK\x03\x04" + os.urandom(100)):
        result = run(runner, tmp_path, "companies", data, name="companies.csv")
        assert result.exit_code == 1
        assert error_lines(result) == [
            "Error: The file is not a CSV or XLSX file. Save it from Excel as CSV or as "
            "Excel workbook."
        ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "name\r\nCaf\u00e9 \u0081\r\n".encode("latin-1"),
            "The file is neither UTF-8 nor Windows-1252 text: save it from Excel as CSV UTF-8 "
            "(comma delimited).",
        ),
        (
            "name\r\nCaf\u00e9\r\n".encode("utf-16"),
            "The file is saved as Unicode text (UTF-16): save it from Excel as CSV UTF-8 "
            "(comma delimited) instead.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
            "This is an old Excel 97\u20132003 (.xls) file: open it in Excel and save it as "
            "Excel workbook (.xlsx) or CSV.",
        ),
        (
            b"name\tpostal_code\r\nA\t1234\r\n",
            "The file is separated by tabs: save it from Excel as CSV (separated by commas or "
            "semicolons).",
        ),
        (b"name,postal_code\r\n", "The file has a header row but no rows below it."),
    ],
    ids=["not-cp1252", "utf-16", "xls", "tabs", "header-only"],
)
def test_files_that_cannot_be_read_say_why(app, runner, world, tmp_path, data, message):
    result = run(runner, tmp_path, "companies", data)
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {message}"]


def test_an_office_file_that_is_not_a_workbook_is_refused(app, runner, world, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    result = run(runner, tmp_path, "companies", buffer.getvalue(), name="letter.xlsx")
    assert result.exit_code == 1
    assert "not a CSV or XLSX file" in result.stderr


def test_a_file_with_too_many_rows_is_refused(app, runner, world, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    lines = [COMPANY_HEADER, *(f"Company {n},,,,," for n in range(4))]
    result = run(runner, tmp_path, "companies", csv_bytes(lines))
    assert result.exit_code == 1
    assert error_lines(result) == [
        "Error: The file has more than 3 rows; split it into files of at most that many."
    ]
    assert run(runner, tmp_path, "companies", csv_bytes(lines[:4])).exit_code == 0


def test_the_command_fails_in_one_line_without_a_file(app, runner, world, tmp_path):
    missing = runner.invoke(args=["import", "companies", str(tmp_path / "nowhere.csv")])
    assert missing.exit_code == 1
    assert len(error_lines(missing)) == 1 and "does not exist" in missing.stderr
    empty = run(runner, tmp_path, "interactions", b"")
    assert error_lines(empty) == ["Error: The file is empty."]


# Contact history


@pytest.fixture
def contacts_file():
    return csv_bytes(
        [
            "date,company,type,advisor_email,summary,needs,solutions,follow_up_on,follow_up,"
            "turnover,orders,employment,outlook,short_time_work,liquidity,risk",
            # An RCS number with spaces and without its B; needs by slug and by name;
            # instruments with and without their accents.
            '05/03/2024,100 001,Call,Advisor@Example.lu,"Orders down, asks about aid",'
            "liquidity;R&D and innovation funding,"
            "Neistart Letzebuerg SME investment aid|COVID-RDI,2024-03-20,Send the form,"
            "Down,down,stable,,Yes,tight,HIGH",
            # The exact legal name, whatever its case; an event without anything else.
            "2024-03-06,ardennes bois s.a.,event,manager@example.lu,,,,,,,,,,,,",
            "2024-03-07,B100001,visit,advisor@example.lu,Visit,digitalisation,"
            "NEISTART LËTZEBUERG SME INVESTMENT AID,,,,,,,,,",
        ]
    )


def test_a_contact_history_file_logs_contacts_with_everything_learnt(
    app, runner, world, tmp_path, contacts_file
):
    result = run(runner, tmp_path, "interactions", contacts_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Imported: 3 interactions created, 0 already imported (skipped)."
    )
    with app.app_context():
        call = db.session.scalar(sa.select(Interaction).where(Interaction.type == "call"))
        assert call.occurred_on == date(2024, 3, 5)
        assert call.company.rcs_number == "B100001"
        assert call.advisor.email == "advisor@example.lu"
        assert call.summary == "Orders down, asks about aid"
        needs = db.session.scalars(
            sa.select(Need).where(Need.interaction_id == call.id).order_by(Need.id)
        ).all()
        assert [n.category.slug for n in needs] == ["liquidity", "rdi-funding"]
        assert {(n.status, n.identified_on) for n in needs} == {
            (NeedStatus.IN_PROGRESS, date(2024, 3, 5)),  # the first need has solutions
            (NeedStatus.OPEN, date(2024, 3, 5)),
        }
        solutions = needs[0].solutions
        assert sorted(s.instrument.name for s in solutions) == [
            "COVID-RDI",
            "Neistart Lëtzebuerg SME investment aid",
        ]
        assert {(s.status, s.suggested_on) for s in solutions} == {
            (SolutionStatus.SUGGESTED, date(2024, 3, 5))
        }
        assert all(len(s.changes) == 1 for s in solutions)
        assert needs[1].solutions == []
        followup = db.session.scalar(sa.select(FollowUp))
        assert (followup.title, followup.due_on) == ("Send the form", date(2024, 3, 20))
        assert followup.assignee.email == "advisor@example.lu"
        assert followup.status is FollowUpStatus.OPEN and followup.interaction_id == call.id
        check = call.health_check
        assert check.checked_on == date(2024, 3, 5)
        assert (check.turnover_trend, check.orders_trend, check.employment_trend) == (
            Trend.DOWN,
            Trend.DOWN,
            Trend.STABLE,
        )
        assert (check.outlook, check.short_time_work, check.liquidity, check.risk_level) == (
            None,
            True,
            Liquidity.TIGHT,
            RiskLevel.HIGH,
        )
        event = db.session.scalar(sa.select(Interaction).where(Interaction.type == "event"))
        assert event.company.legal_name == "Ardennes Bois S.A."
        assert event.health_check is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HealthCheck)) == 1
        visit = db.session.scalar(sa.select(Interaction).where(Interaction.type == "visit"))
        visit_need = db.session.scalar(sa.select(Need).where(Need.interaction_id == visit.id))
        assert [s.instrument.name for s in visit_need.solutions] == [
            "Neistart Lëtzebuerg SME investment aid"
        ]
        # The records are audited as the contact form audits them, by the advisor of the row.
        audited = db.session.execute(
            sa.select(AuditEntry.record_type, AuditEntry.user_id).where(
                AuditEntry.action == "create"
            )
        ).all()
        advisor_id = world["advisor"].id
        assert ("Interaction", advisor_id) in audited
        assert ("HealthCheck", advisor_id) in audited
        assert ("Solution", advisor_id) in audited
        assert ("FollowUp", advisor_id) in audited
        imported = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import"))
        assert imported.changes == {"file": [None, "file.csv"], "interactions": [None, 3]}


def test_a_contact_already_in_the_tracker_is_skipped(app, runner, world, tmp_path, contacts_file):
    assert run(runner, tmp_path, "interactions", contacts_file).exit_code == 0
    snapshot = counts(app)
    again = run(runner, tmp_path, "interactions", contacts_file)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == (
        "Imported: 0 interactions created, 3 already imported (skipped)."
    )
    assert counts(app) == snapshot
    # A row repeated within a file is imported once.
    lines = [
        "date,company,type,advisor_email,summary",
        "2024-05-02,B100001,call,advisor@example.lu,Hi",
    ]
    twice = run(
        runner, tmp_path, "interactions", csv_bytes([*lines, lines[1].replace("Hi", " Hi ")])
    )
    assert twice.stdout.strip() == "Imported: 1 interaction created, 1 already imported (skipped)."


def test_the_dry_run_of_a_contact_history_writes_nothing(
    app, runner, world, tmp_path, contacts_file
):
    before = counts(app)
    result = run(runner, tmp_path, "interactions", contacts_file, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 interactions to create, 0 already imported, 0 errors"
    assert counts(app) == before


def test_an_xlsx_contact_history_with_excel_dates(app, runner, world, tmp_path):
    data = xlsx_bytes(
        [
            ["Date", "Company", "Type", "Advisor_Email", "Follow_Up_On", "Follow_Up"],
            [date(2024, 3, 5), 100001, "meeting", "advisor@example.lu", "20/03/2024", "Call back"],
        ]
    )
    result = run(runner, tmp_path, "interactions", data, name="history.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        meeting = db.session.scalar(sa.select(Interaction))
        assert (meeting.occurred_on, meeting.type) == (date(2024, 3, 5), InteractionType.MEETING)
        assert db.session.scalar(sa.select(FollowUp.due_on)) == date(2024, 3, 20)


def test_every_wrong_contact_row_is_reported_and_nothing_is_written(app, runner, world, tmp_path):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    data = csv_bytes(
        [
            "date,company,type,advisor_email,needs,solutions,follow_up_on,follow_up,risk,"
            "short_time_work",
            "2024-03-05,B100001,call,advisor@example.lu,liquidity,COVID-RDI,,,,",
            "2024-03-05,B999999,call,advisor@example.lu,,,,,,",
            "2024-03-05,Nobody S.A.,call,advisor@example.lu,,,,,,",
            "2024-03-05,B100001,call,ghost@example.lu,,,,,,",
            "2024-03-05,B100001,call,advisor@example.lu,liquidity,Golden Parachute,,,,",
            "2024-03-05,B100001,call,advisor@example.lu,,COVID-RDI,,,,",
            "31/02/2024,B100001,call,advisor@example.lu,,,,,,",
            f"{tomorrow},B100001,call,advisor@example.lu,,,,,,",
            "2024-03-05,B100001,fax,advisor@example.lu,,,,,,",
            "2024-03-05,B100001,call,advisor@example.lu,,,2024-04-01,,,",
            "2024-03-05,B100001,call,advisor@example.lu,cash,,,,extreme,maybe",
            ",,,,,,,,,",
            "2024-03-05,,call,,,,,,,",
        ]
    )
    assert_refused(
        app,
        runner,
        tmp_path,
        "interactions",
        data,
        [
            "Row 3, company (column B): No company has the RCS number B999999.",
            "Row 4, company (column B): No company is named 'Nobody S.A.'; use its RCS number "
            "or its exact legal name.",
            "Row 5, advisor_email (column D): No user has the e-mail ghost@example.lu.",
            "Row 6, solutions (column F): Unknown instrument: Golden Parachute.",
            "Row 7, solutions (column F): A row with solutions needs a need: they answer the "
            "row's first need.",
            "Row 8, date (column A): '31/02/2024' is not a date; write it as 2024-03-05 or "
            "05/03/2024.",
            "Row 9, date (column A): The date of a contact cannot be in the future.",
            "Row 10, type (column C): 'fax' is not one of call, visit, meeting, email, event.",
            "Row 11, follow_up (column H): A follow-up date needs its text in follow_up.",
            "Row 12, needs (column E): Unknown need category: cash; the known ones are "
            "digitalisation, energy-sustainability, internationalisation, investment, liquidity, "
            "new-markets, other, partnerships, rdi-funding, regulation, skills.",
            "Row 12, risk (column I): 'extreme' is not one of low, medium, high, critical.",
            "Row 12, short_time_work (column J): 'maybe' is not yes or no.",
            "Row 14, company (column B): This column is required.",
            "Row 14, advisor_email (column D): This column is required.",
        ],
    )


def test_an_archived_company_takes_no_new_contacts(app, runner, world, tmp_path):
    with app.app_context():
        db.session.execute(sa.update(Company).values(archived=True))
        db.session.commit()
    data = csv_bytes(
        ["date,company,type,advisor_email", "2024-03-05,B100001,call,advisor@example.lu"]
    )
    assert_refused(
        app,
        runner,
        tmp_path,
        "interactions",
        data,
        [
            "Row 2, company (column B): Moselle Précision S.à r.l. is archived; restore it "
            "before importing its contacts."
        ],
    )


def test_an_advisor_imports_only_their_own_contacts(app, world):
    data = csv_bytes(
        ["date,company,type,advisor_email", "2024-03-05,B100001,call,manager@example.lu"]
    )
    with app.app_context():
        advisor = db.session.get(User, world["advisor"].id)
        manager = db.session.get(User, world["manager"].id)
        refused = imports.plan_import("interactions", data, actor=advisor)
        assert [str(p) for p in refused.errors] == [
            "Row 2, advisor_email (column D): An advisor imports only their own contacts; "
            "ask a manager to import colleagues'."
        ]
        assert not imports.plan_import("interactions", data, actor=manager).errors


# The upload page


@pytest.fixture
def upload_folder(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(folder))
    return folder


def upload(client, data: bytes, kind: str = "companies", name: str = "companies.csv"):
    return client.post(
        "/companies/import",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def hidden(html: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def token_of(html: str) -> str:
    start = html.index("/companies/import/") + len("/companies/import/")
    return html[start : html.index("/", start)]


COMPANIES = csv_bytes(
    [COMPANY_HEADER, "Sûre Laser S.A.,B123456,4362,Esch,wood,", "Moselle Précision,B100001,,,,"]
)


def test_viewers_may_not_import(client, login_as, world, upload_folder):
    login_as("viewer")
    assert client.get("/companies/import").status_code == 403
    assert upload(client, COMPANIES).status_code == 403
    assert not upload_folder.exists()


def test_upload_preview_then_confirm(app, client, login_as, world, upload_folder):
    login_as("advisor")
    page = client.get("/companies/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    before = counts(app)
    preview = upload(client, COMPANIES)
    assert preview.status_code == 200
    html = preview.text
    assert "Sûre Laser S.A." in html and "1 company to create" in html
    assert "employees" not in html  # only the columns that change are listed
    assert "Moselle Précision S.à r.l." in html and "Moselle Précision</span>" in html
    assert counts(app) == before  # nothing is written before the confirmation
    token = token_of(html)
    assert sorted(p.name for p in upload_folder.iterdir()) == [f"{token}.json", f"{token}.upload"]
    done = client.post(
        f"/companies/import/{token}/confirm", data={"fingerprint": hidden(html, "fingerprint")}
    )
    assert done.status_code == 302 and done.location.endswith("/companies")
    assert company(app, rcs_number="B123456").legal_name == "Sûre Laser S.A."
    assert company(app, rcs_number="B100001").legal_name == "Moselle Précision"
    assert list(upload_folder.iterdir()) == []
    flashed = client.get("/companies").text
    assert "Imported: 1 company created, 1 updated, 0 unchanged." in flashed


def test_cancel_deletes_the_kept_file_and_writes_nothing(
    app, client, login_as, world, upload_folder
):
    login_as("manager")
    before = counts(app)
    token = token_of(upload(client, COMPANIES).text)
    response = client.post(f"/companies/import/{token}/cancel", follow_redirects=True)
    assert "Import cancelled: nothing was written." in response.text
    assert list(upload_folder.iterdir()) == []
    assert counts(app) == before


def test_a_preview_is_confirmed_only_by_its_author(
    app, client, auth, login_as, world, upload_folder
):
    login_as("advisor")
    html = upload(client, COMPANIES).text
    token = token_of(html)
    auth.logout()
    login_as("manager")
    before = counts(app)
    response = client.post(
        f"/companies/import/{token}/confirm", data={"fingerprint": hidden(html, "fingerprint")}
    )
    assert response.status_code == 302
    assert counts(app) == before
    assert "This preview has expired" in client.get("/companies/import").text
    # Nor can a token reach outside the upload folder.
    assert client.post("/companies/import/..%2F..%2Fconfig/confirm").status_code in (302, 404)


def test_the_file_is_checked_again_at_confirmation(app, client, login_as, world, upload_folder):
    login_as("advisor")
    html = upload(client, COMPANIES).text
    with app.app_context():  # meanwhile, a colleague adds the company with that RCS number
        factories.make_company("Sure Laser", rcs_number="B123456")
        db.session.commit()
    before = counts(app)
    token = token_of(html)
    response = client.post(
        f"/companies/import/{token}/confirm", data={"fingerprint": hidden(html, "fingerprint")}
    )
    assert response.status_code == 200
    assert "The data changed since the preview" in response.text
    assert "2 companies to update" in response.text
    assert counts(app) == before
    again = client.post(
        f"/companies/import/{token}/confirm",
        data={"fingerprint": hidden(response.text, "fingerprint")},
    )
    assert again.status_code == 302
    assert company(app, rcs_number="B123456").legal_name == "Sûre Laser S.A."


def test_a_file_with_errors_shows_them_all_and_keeps_nothing(
    app, client, login_as, world, upload_folder
):
    login_as("advisor")
    data = csv_bytes([COMPANY_HEADER, "Good,,1234,,,", "Bad,,12,,nowhere,", ",B1,,,,"])
    response = upload(client, data)
    assert response.status_code == 422
    html = response.text
    assert "Nothing was imported: the file has 3 errors." in html
    assert "A Luxembourg postal code is like L-4362." in html
    assert "Unknown cluster: nowhere;" in html
    assert "A company needs its legal name." in html
    assert "<code>postal_code</code>" in html and "(column C)" in html
    assert "/confirm" not in html
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "name"),
    [(PNG, "companies.csv"), (b"PK\x03\x04 not really a zip", "companies.xlsx")],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused_by_its_content(
    client, login_as, world, upload_folder, data, name
):
    login_as("advisor")
    response = upload(client, data, name=name)
    assert response.status_code == 400
    assert "The file is not a CSV or XLSX file." in response.text


def test_a_file_beyond_the_import_limit_is_refused_with_413(
    client, login_as, world, upload_folder, monkeypatch, app
):
    login_as("advisor")
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    response = upload(client, csv_bytes([COMPANY_HEADER, *(f"C{n},,,,," for n in range(200))]))
    assert response.status_code == 413
    assert "The file is larger than 1 KB, the most the import accepts." in response.text


def test_a_request_beyond_the_server_limit_gets_a_clear_413_page(
    client, login_as, world, upload_folder, monkeypatch, app
):
    login_as("advisor")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100 * 1024)
    # (Below 500 KB, which the test client would send from a temporary file that it leaks.)
    response = upload(client, b"name\n" + b"x" * (200 * 1024))
    assert response.status_code == 413
    assert "The file is larger than 100 KB, the most the import accepts." in response.text
    assert 'name="file"' in response.text  # the form, to choose a smaller file


def test_a_file_with_too_many_rows_is_refused_on_the_page(
    client, login_as, world, upload_folder, monkeypatch, app
):
    login_as("advisor")
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 2)
    response = upload(client, csv_bytes([COMPANY_HEADER, "A,,,,,", "B,,,,,", "C,,,,,"]))
    assert response.status_code == 400
    assert "The file has more than 2 rows" in response.text


def test_forgotten_previews_are_deleted(client, login_as, world, upload_folder):
    login_as("advisor")
    upload_folder.mkdir()
    stale = upload_folder / ("x" * 32 + ".upload")
    stale.write_bytes(b"old")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    upload(client, COMPANIES)
    assert not stale.exists()


def test_a_contact_history_upload_previews_and_imports(
    app, client, login_as, world, upload_folder, contacts_file
):
    login_as("manager")
    preview = upload(client, contacts_file, kind="interactions", name="history.csv")
    assert preview.status_code == 200
    html = preview.text
    assert "3 contacts to log" in html and "Ardennes Bois S.A." in html
    response = client.post(
        f"/companies/import/{token_of(html)}/confirm",
        data={"fingerprint": hidden(html, "fingerprint")},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 3
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import"))
        assert entry.user_id == world["manager"].id
    again = upload(client, contacts_file, kind="interactions", name="history.csv")
    assert "3 rows already imported" in again.text
    assert "Nothing to import" in again.text and "/confirm" not in again.text
