"""An advisor imports a spreadsheet of companies: a file with errors, then preview and confirm."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tracker.extensions import db
from tracker.models import Cluster, Company

COMPANIES = (
    "\ufeffname;rcs_number;vat_number;employees;postal_code;locality;clusters;markets;owner_email\r\n"
    "Sûre Laser Technologies S.A.;B 204 511;;24;4362;Esch-sur-Alzette;materials-manufacturing;"
    "aeronautics;advisor@example.lu\r\n"
    "Kayl Coatings S.à r.l.;;;9;3601;Kayl;;;\r\n"
    "Moselle Precision Casting;;;;1111;Remich;;;\r\n"
    "Acier Wiltz S.A.;B100002;;150;L-9516;Wiltz;materials-manufacturing;construction;\r\n"
)
WRONG = (
    "name,rcs_number,postal_code,clusters,owner_email,status,colour\r\n"
    "Sûre Laser Technologies S.A.,B204511,4362,wood,,,\r\n"
)
WRONG_VALUES = (
    "name,rcs_number,postal_code,clusters,owner_email,status\r\n"
    "Sûre Laser Technologies S.A.,B204511,4362,materials-manufacturing,,\r\n"
    "Kayl Coatings,X-17,12,automobility,nobody@example.lu,open\r\n"
    ",B999,L-1234,,,\r\n"
)


def no_accessibility_violations(page) -> None:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def choose_file(page, name: str, text: str) -> None:
    page.get_by_label("CSV or Excel file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )


def test_advisor_imports_companies_after_a_preview(
    app, live_server, users, page, screenshot, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path))
    with app.app_context():
        mm = db.session.scalar(sa.select(Cluster).where(Cluster.slug == "materials-manufacturing"))
        factories.make_company(
            "Moselle Précision Castings S.à r.l.", postal_code="L-5555", locality="Remich"
        )
        factories.make_company(
            "Acier Wiltz S.A.", rcs_number="B100002", postal_code="L-9516", employees=140,
            locality="Wiltz", clusters=[mm],
        )  # fmt: skip
        db.session.commit()

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("advisor@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/companies/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from a spreadsheet")
    page.get_by_text("Company columns").click()
    screenshot("import-upload")
    no_accessibility_violations(page)

    # A file with a wrong column and wrong values: every error, nothing kept.
    choose_file(page, "wrong.csv", WRONG)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("Unknown column")
    choose_file(page, "wrong-values.csv", WRONG_VALUES)
    page.get_by_role("button", name="Check the file").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(6)
    expect(errors).to_contain_text("Unknown cluster: automobility;")
    expect(errors).to_contain_text("A Luxembourg postal code is like L-4362.")
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    screenshot("import-errors")
    no_accessibility_violations(page)

    # The real file: a preview, and nothing written yet.
    choose_file(page, "portfolio.csv", COMPANIES)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import companies")
    expect(page.get_by_test_id("count-create")).to_contain_text("3")
    expect(page.get_by_test_id("count-update")).to_contain_text("1")
    expect(page.get_by_test_id("import-duplicates")).to_contain_text(
        "Moselle Précision Castings S.à r.l."
    )
    expect(page.get_by_test_id("import-updates")).to_contain_text("140")
    expect(page.get_by_test_id("import-creates")).to_contain_text("Sûre Laser Technologies S.A.")
    screenshot("import-preview")
    no_accessibility_violations(page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 2

    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Companies")
    expect(page.get_by_role("alert").filter(has_text="Imported")).to_contain_text(
        "Imported: 3 companies created, 1 updated, 0 unchanged."
    )
    with app.app_context():
        sure = db.session.scalar(sa.select(Company).where(Company.rcs_number == "B204511"))
        assert (sure.legal_name, sure.postal_code, sure.owner.email) == (
            "Sûre Laser Technologies S.A.",
            "L-4362",
            "advisor@example.lu",
        )
        acier = db.session.scalar(sa.select(Company).where(Company.rcs_number == "B100002"))
        assert acier.employees == 150
    assert list(tmp_path.iterdir()) == []


HISTORY = (
    "date;company;type;advisor_email;summary;needs;solutions;follow_up_on;follow_up;turnover;"
    "orders;liquidity;risk\r\n"
    "05/03/2024;B100002;visit;manager@example.lu;Plant tour: orders down 30 %, short-time work "
    "since January;liquidity|new-markets;Neistart Letzebuerg SME investment aid;20/03/2024;"
    "Send the Neistart form;down;down;tight;high\r\n"
    "12/03/2024;Acier Wiltz S.A.;call;manager@example.lu;Called back;;;;;;;;\r\n"
)


def test_manager_imports_a_contact_history(
    app, live_server, users, page, screenshot, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path))
    with app.app_context():
        factories.make_company("Acier Wiltz S.A.", rcs_number="B100002", postal_code="L-9516")
        db.session.commit()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("manager@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/companies/import")
    page.get_by_label("Contact history (one row per interaction)").check()
    choose_file(page, "history.csv", HISTORY)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contact history")
    creates = page.get_by_test_id("import-creates")
    expect(creates.locator("tbody tr")).to_have_count(2)
    expect(creates).to_contain_text("Neistart Lëtzebuerg SME investment aid")
    screenshot("import-contacts-preview")
    no_accessibility_violations(page)
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_role("alert").filter(has_text="Imported")).to_contain_text(
        "Imported: 2 interactions created, 0 already imported (skipped)."
    )

    # Every record goes back out from the exports page.
    page.goto(f"{live_server.url}/exports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    screenshot("exports")
    no_accessibility_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Contact history as CSV").click()
    assert download.value.suggested_filename.startswith("interactions-")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("date,company,type,advisor_email") and len(lines) == 3
