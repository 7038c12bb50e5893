"""GDPR for contact persons: export, erasure, the warning against re-creating, people import,
and the retention review."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.helpers import count_statements
from tracker.companies import services as company_services
from tracker.companies.services import PersonDetails
from tracker.dates import today
from tracker.extensions import db
from tracker.gdpr import queries
from tracker.gdpr.services import erased_match, person_name_key
from tracker.models import (
    AuditEntry,
    Interaction,
    LawfulBasis,
    Person,
    PersonErasure,
    User,
    event_people,
    interaction_people,
)
from tracker.reports.figures import compute_figures

NAME = "Anne Schmit-Müller"
EMAIL = "Anne.Schmit@Moselle.lu"
PHONE = "+352 26 12 34 56"


@dataclass(frozen=True)
class World:
    company_id: int
    other_company_id: int
    person_id: int
    colleague_id: int
    met_id: int
    mentioned_id: int
    unrelated_id: int
    event_id: int


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def link(interaction: Interaction, *people: Person) -> None:
    db.session.execute(
        interaction_people.insert(),
        [{"interaction_id": interaction.id, "person_id": p.id} for p in people],
    )


@pytest.fixture
def world(app, users) -> World:
    """A company with Anne (created and edited through the form's service, so audited), a
    colleague, contacts with and about her, an event she attended, a need and a follow-up."""
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company(rcs_number="B123456")
        other = factories.make_company("Wood Works S.A.", rcs_number="B765432")
        anne = company_services.add_person(
            company,
            PersonDetails(name=NAME, email=EMAIL, phone="26 12 34 56", notes="Prefers mornings."),
            actor=advisor,
        )
        company_services.update_person(
            anne,
            PersonDetails(
                name=NAME,
                job_title="CFO",
                email=EMAIL,
                phone="26 12 34 56",
                lawful_basis=LawfulBasis.CONSENT,
                notes="Prefers mornings; two children.",
            ),
            actor=advisor,
        )
        colleague = factories.make_person(company, "Paul Weber", email="paul@moselle.lu")
        on = today() - timedelta(days=10)
        met = factories.make_interaction(
            company, advisor.id, on=on, summary="Met Anne Schmit-Müller about liquidity."
        )
        link(met, anne, colleague)
        mentioned = factories.make_interaction(
            company, advisor.id, on=on + timedelta(days=1), summary="Paul says schmit-muller left."
        )
        link(mentioned, colleague)
        unrelated = factories.make_interaction(
            company, advisor.id, on=on + timedelta(days=2), summary="Order book is full."
        )
        event = factories.make_event(on=on)
        db.session.execute(event_people.insert().values(event_id=event.id, person_id=anne.id))
        factories.make_need(company, on=on, interaction_id=met.id, description="Bridge loan")
        factories.make_followup(
            company, advisor.id, title="Send COVID-Invest form", interaction=met
        )
        db.session.commit()
        return World(
            company.id,
            other.id,
            anne.id,
            colleague.id,
            met.id,
            mentioned.id,
            unrelated.id,
            event.id,
        )


def person(app, person_id: int) -> Person:
    with app.app_context():
        found = db.session.get(Person, person_id)
        db.session.expunge(found)
        return found


def audit_of(app, person_id: int) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.record_type == "Person", AuditEntry.record_id == person_id)
            .order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return list(entries)


def erase(client, person_id: int, **data):
    return client.post(f"/people/{person_id}/erase", data={"confirm": "y", **data})


# Export


def test_the_export_holds_everything_about_the_person(app, client, login_as, world):
    login_as("advisor")
    response = client.get(f"/people/{world.person_id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="person-{world.person_id}-{today().isoformat()}.json"'
    )
    data = json.loads(response.data)
    held = data["person"]
    assert (held["id"], held["name"], held["email"], held["phone"], held["job_title"]) == (
        world.person_id,
        NAME,
        "Anne.Schmit@moselle.lu",
        PHONE,
        "CFO",
    )
    assert held["lawful_basis"] == "consent"
    assert held["notes"] == "Prefers mornings; two children."
    assert data["company"] == {
        "id": world.company_id,
        "name": "Moselle Precision Castings S.à r.l.",
    }
    [contact] = data["interactions"]
    assert contact["id"] == world.met_id
    assert contact["date"] == (today() - timedelta(days=10)).isoformat()
    assert (contact["type"], contact["advisor"]) == ("call", "Advisor Tester")
    assert contact["summary"] == "Met Anne Schmit-Müller about liquidity."
    assert [e["id"] for e in data["events"]] == [world.event_id]
    assert [n["description"] for n in data["needs"]] == ["Bridge loan"]
    assert [f["title"] for f in data["followups"]] == ["Send COVID-Invest form"]
    assert [entry["action"] for entry in data["audit"]] == ["create", "update"]
    assert data["audit"][1]["changes"]["job_title"] == [None, "CFO"]
    assert data["audit"][0]["by"] == "Advisor Tester"


def test_the_export_is_audited_without_personal_values(app, client, login_as, world, users):
    login_as("advisor")
    client.get(f"/people/{world.person_id}/export.json")
    entry = audit_of(app, world.person_id)[-1]
    assert (entry.action, entry.user_id, entry.changes) == ("export", users["advisor"].id, {})


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("viewer", 403)])
def test_who_may_export(client, login_as, world, role, status):
    login_as(role)
    assert client.get(f"/people/{world.person_id}/export.json").status_code == status


def test_export_of_an_unknown_person_or_signed_out(client, login_as, world):
    assert client.get(f"/people/{world.person_id}/export.json").status_code == 302
    login_as("advisor")
    assert client.get("/people/999999/export.json").status_code == 404


def test_the_person_form_offers_the_download_and_managers_the_erasure(client, login_as, world):
    url = f"/companies/{world.company_id}/people/{world.person_id}/edit"
    login_as("advisor")
    page = client.get(url).get_data(as_text=True)
    assert "Download data (JSON)" in page
    assert f"/people/{world.person_id}/export.json" in page
    assert f"/people/{world.person_id}/erase" not in page
    client.post("/logout")
    login_as("manager")
    page = client.get(url).get_data(as_text=True)
    assert f"/people/{world.person_id}/erase" in page
    company_page = client.get(f"/companies/{world.company_id}").get_data(as_text=True)
    assert f"/people/{world.person_id}/export.json" in company_page
    assert f"/people/{world.person_id}/erase" in company_page


# Erasure


@pytest.mark.parametrize("role", ["advisor", "viewer"])
def test_only_managers_and_admins_erase(app, client, login_as, world, role):
    login_as(role)
    assert client.get(f"/people/{world.person_id}/erase").status_code == 403
    assert erase(client, world.person_id).status_code == 403
    assert person(app, world.person_id).name == NAME


def test_the_confirmation_page_lists_the_summaries_to_check(client, login_as, world):
    login_as("manager")
    response = client.get(f"/people/{world.person_id}/erase")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Interaction summaries are free text and may name the person" in page
    assert f"/interactions/{world.met_id}" in page
    assert f"/interactions/{world.mentioned_id}" in page  # names her, though she was not there
    assert f"/interactions/{world.unrelated_id}" not in page
    assert "cannot be undone" in page


def test_the_erasure_needs_the_box_ticked(app, client, login_as, world):
    login_as("manager")
    response = client.post(f"/people/{world.person_id}/erase", data={})
    assert response.status_code == 400
    assert "Tick the box to confirm the erasure." in response.get_data(as_text=True)
    assert person(app, world.person_id).erased_at is None


def company_statistics(app, company_id: int) -> dict:
    with app.app_context():
        month = today().strftime("%Y-%m")
        return {
            "interactions": db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Interaction)
                .where(Interaction.company_id == company_id)
            ),
            "people_met": db.session.scalar(
                sa.select(sa.func.count()).select_from(interaction_people)
            ),
            "event_people": db.session.scalar(sa.select(sa.func.count()).select_from(event_people)),
            "figures": compute_figures(month, None, scope="all", edition="internal"),
        }


def test_erasing_anonymises_and_keeps_the_statistics(app, client, login_as, world, users):
    before = company_statistics(app, world.company_id)
    login_as("manager")
    response = erase(client, world.person_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/companies/{world.company_id}#people")
    erased = person(app, world.person_id)
    assert erased.name == f"Erased person #{world.person_id}"
    assert (erased.job_title, erased.email, erased.phone, erased.notes) == (None, None, None, "")
    assert erased.lawful_basis is LawfulBasis.CONSENT
    assert erased.archived and erased.erased_at is not None
    assert company_statistics(app, world.company_id) == before
    with app.app_context():
        erasure = db.session.scalars(sa.select(PersonErasure)).one()
        assert erasure.email_digest == sha("anne.schmit@moselle.lu")
        assert erasure.name_digest == sha("anne schmit-muller")
        assert (erasure.company_id, erasure.erased_by_id) == (world.company_id, users["manager"].id)


def test_erasing_scrubs_the_audit_trail_and_logs_the_erasure(app, client, login_as, world, users):
    login_as("advisor")
    client.get(f"/people/{world.person_id}/export.json")
    client.post("/logout")
    login_as("manager")
    erase(client, world.person_id)
    entries = audit_of(app, world.person_id)
    assert [e.action for e in entries] == ["create", "update", "export", "erase"]
    create, update = entries[0].changes, entries[1].changes
    assert create["name"] == [None, "[erased]"]
    assert create["email"] == [None, "[erased]"]
    assert create["lawful_basis"] == [None, "legitimate_interest"]
    assert update["job_title"] == [None, "[erased]"]
    assert update["notes"] == ["[erased]", "[erased]"]
    assert update["lawful_basis"] == ["legitimate_interest", "consent"]
    written = json.dumps([e.changes for e in entries], ensure_ascii=False).lower()
    for value in ("anne", "schmit", "moselle.lu", "26 12", "mornings", "cfo"):
        assert value not in written
    last = entries[-1]
    assert (last.action, last.user_id) == ("erase", users["manager"].id)
    assert set(last.changes) == {"archived", "erased_at"}


def test_the_scrub_passes_the_append_only_guard_of_the_audit_trail(app, client, login_as, world):
    guard = pytest.importorskip("tracker.history.guard")
    guard.install()
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.record_id == world.person_id)
        ).first()
        entry.changes = {"name": [None, "changed"]}
        with pytest.raises(guard.AuditTrailImmutable):
            db.session.flush()
        db.session.rollback()
    login_as("manager")
    assert erase(client, world.person_id).status_code == 302
    assert audit_of(app, world.person_id)[0].changes["name"] == [None, "[erased]"]


def test_an_erased_person_shows_anonymised_everywhere(app, client, login_as, world):
    login_as("manager")
    erase(client, world.person_id)
    pages = [
        client.get(f"/interactions/{world.met_id}"),
        client.get(f"/companies/{world.company_id}"),
        client.get("/exports/people.csv"),
    ]
    for response in pages:
        assert response.status_code == 200
    # The summary is free text, left to the advisor to edit: the only place the name remains.
    for response in pages[:2]:
        assert response.get_data(as_text=True).count("Schmit-Müller") == 1
    assert "Schmit-Müller" not in pages[2].get_data(as_text=True)
    assert f"Erased person #{world.person_id}" in pages[0].get_data(as_text=True)
    assert f"Erased person #{world.person_id}" in pages[2].get_data(as_text=True)
    data = json.loads(client.get(f"/people/{world.person_id}/export.json").data)
    assert data["person"]["email"] is None
    assert data["interactions"][0]["id"] == world.met_id  # still linked


def test_an_erased_person_cannot_be_edited_nor_erased_again(app, client, login_as, world):
    login_as("manager")
    erase(client, world.person_id)
    url = f"/companies/{world.company_id}/people/{world.person_id}/edit"
    response = client.get(url, follow_redirects=True)
    assert "was erased on" in response.get_data(as_text=True)
    assert "nothing left to edit" in response.get_data(as_text=True)
    response = client.post(url, data={"name": "Anne Back", "lawful_basis": "consent"})
    assert response.status_code == 302
    assert person(app, world.person_id).name == f"Erased person #{world.person_id}"
    again = client.get(f"/people/{world.person_id}/erase", follow_redirects=True)
    assert "already erased" in again.get_data(as_text=True)
    erase(client, world.person_id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonErasure)) == 1


def test_an_erased_person_cannot_be_restored(app, client, login_as, world):
    login_as("manager")
    erase(client, world.person_id)
    response = client.post(
        f"/companies/{world.company_id}/people/{world.person_id}/restore", follow_redirects=True
    )
    assert "cannot be restored" in response.get_data(as_text=True)
    assert person(app, world.person_id).archived is True


def test_the_export_includes_archived_contacts(app, client, login_as, world):
    login_as("advisor")
    client.post(f"/interactions/{world.met_id}/archive")
    with app.app_context():
        assert db.session.get(
            Interaction, world.met_id, execution_options={"include_archived": True}
        ).archived
    data = json.loads(client.get(f"/people/{world.person_id}/export.json").data)
    assert [c["id"] for c in data["interactions"]] == [world.met_id]
    assert data["interactions"][0]["archived"] is True


def test_erasing_from_the_retention_review_returns_to_it(client, login_as, world):
    login_as("admin")
    response = client.post(f"/people/{world.person_id}/erase?from=retention", data={"confirm": "y"})
    assert response.headers["Location"].endswith("/people/retention")


# The warning against creating an erased person again


def test_erased_match_by_email_anywhere_or_by_name_at_the_company(app, client, login_as, world):
    login_as("manager")
    erase(client, world.person_id)
    with app.app_context():
        assert erased_match("ANNE SCHMIT-MULLER", None, world.company_id) is not None
        assert erased_match("  anne  schmit-müller ", "", world.company_id) is not None
        assert erased_match("Somebody", " anne.schmit@MOSELLE.lu ", world.other_company_id)
        assert erased_match(NAME, None, world.other_company_id) is None
        assert erased_match("Paul Weber", "paul@moselle.lu", world.company_id) is None
    assert person_name_key(" Éloïse  MÜLLER ") == "eloise muller"


def test_the_new_person_form_warns_before_creating_an_erased_person(app, client, login_as, world):
    login_as("manager")
    erase(client, world.person_id)
    client.post("/logout")
    login_as("advisor")
    url = f"/companies/{world.company_id}/people/new"

    def people() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Person))

    before = people()
    data = {"name": "anne schmit-muller", "lawful_basis": "consent"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A person with this name/e-mail was erased on" in page
    assert "at the request of the data subject; create anyway only if they agreed" in page
    assert 'name="confirm_erased"' in page
    assert people() == before
    response = client.post(url, data={**data, "confirm_erased": "y"})
    assert response.status_code == 302
    assert people() == before + 1
    other = client.post(
        f"/companies/{world.company_id}/people/new",
        data={"name": "Marc Hoffmann", "lawful_basis": "consent"},
    )
    assert other.status_code == 302


# The people import


def write(tmp_path: Path, lines: list[str], name: str = "people.csv") -> str:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return str(path)


def people_rows(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            p.name: (p.company_id, p.email, p.phone, p.job_title, p.lawful_basis.value, p.notes)
            for p in db.session.scalars(sa.select(Person))
        }


def test_the_import_creates_and_updates_people(app, runner, world, tmp_path):
    path = write(
        tmp_path,
        [
            "Company;Name;Job title;Email;Phone;Lawful basis;Notes",
            "B123456;Paul Weber;Plant manager;;26 99 88 77;;",
            "Moselle Precision Castings S.à r.l.;Marc Hoffmann;CEO;marc@moselle.lu;;Consent;x",
            "b 765 432;Lea Klein;;lea@wood.lu;;legitimate interest;",
        ],
    )
    result = runner.invoke(args=["import", "people", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported: 2 people created, 1 updated, 0 unchanged."
    rows = people_rows(app)
    assert rows["Paul Weber"] == (
        world.company_id,
        "paul@moselle.lu",
        "+352 26 99 88 77",
        "Plant manager",
        "legitimate_interest",
        "",
    )
    assert rows["Marc Hoffmann"] == (
        world.company_id, "marc@moselle.lu", None, "CEO", "consent", "x"
    )  # fmt: skip
    assert rows["Lea Klein"][:2] == (world.other_company_id, "lea@wood.lu")
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.record_type == "Person")
        ).all()
    assert actions.count("import") == 1 and actions.count("create") == 2 + 1
    again = runner.invoke(args=["import", "people", path])
    assert again.stdout.strip() == "Imported: 0 people created, 0 updated, 3 unchanged."


def test_an_import_row_matches_by_email_before_the_name(app, runner, world, tmp_path):
    path = write(tmp_path, ["company,name,email", "B123456,Paul W.,PAUL@moselle.lu"])
    assert runner.invoke(args=["import", "people", path]).exit_code == 0
    assert people_rows(app)["Paul W."][1] == "PAUL@moselle.lu"
    assert "Paul Weber" not in people_rows(app)


def test_the_dry_run_reports_and_writes_nothing(app, runner, world, tmp_path):
    path = write(tmp_path, ["company,name", "B123456,Paul Weber", "B123456,Marc Hoffmann"])
    before = people_rows(app)
    result = runner.invoke(args=["import", "people", path, "--dry-run"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 person to create, 0 to update, 1 unchanged, 0 errors"
    assert people_rows(app) == before


def test_import_errors_name_their_row_and_column_and_nothing_is_written(
    app, runner, world, tmp_path
):
    path = write(
        tmp_path,
        [
            "company,name,email,phone,lawful_basis",
            "B123456,Marc Hoffmann,marc@moselle.lu,,consent",
            "Nobody Ltd,Jo,,,",
            ",No Company,jo@@x,12,maybe",
            "B123456,marc hoffmann,,,",
        ],
    )
    before = people_rows(app)
    result = runner.invoke(args=["import", "people", path])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Row 3, company (column A): No company is named 'Nobody Ltd'; use its RCS number or its "
        "exact legal name.",
        "Row 4, company (column A): This column is required.",
        "Row 4, email (column C): The part after the @-sign contains invalid characters: '@'.",
        "Row 4, phone (column D): Enter a phone number like +352 26 12 34 56 (the country code "
        "may be left out in LU).",
        "Row 4, lawful_basis (column E): 'maybe' is not one of legitimate_interest, consent, "
        "contract, legal_obligation, public_task.",
        "Row 5, name (column B): Row 2 has the same person (same company, and e-mail or name).",
        "Error: 6 errors in the file; nothing was imported.",
    ]
    assert people_rows(app) == before


def test_a_file_with_unknown_columns_is_refused(app, runner, world, tmp_path):
    path = write(tmp_path, ["company,name,birthday", "B123456,Marc,1990-01-01"])
    result = runner.invoke(args=["import", "people", path])
    assert result.exit_code == 1
    assert "Row 1, birthday (column C): Unknown column" in result.stderr


def test_an_erased_person_is_not_imported_again_without_allow_erased(
    app, client, runner, login_as, world, tmp_path
):
    login_as("manager")
    erase(client, world.person_id)
    path = write(
        tmp_path,
        [
            "company,name,email",
            "B123456,Marc Hoffmann,marc@moselle.lu",
            "B123456,Anne Schmit-Muller,",
            "B765432,A. Schmit,anne.schmit@moselle.lu",
        ],
    )
    before = people_rows(app)
    refused = runner.invoke(args=["import", "people", path])
    assert refused.exit_code == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("Error: Rows 3, 4 match people erased at their request (GDPR)")
    assert "--allow-erased" in line
    assert people_rows(app) == before

    dry = runner.invoke(args=["import", "people", path, "--dry-run"])
    assert dry.exit_code == 0
    lines = dry.stdout.strip().splitlines()
    assert lines[0].startswith("Row 3: a person with this name/e-mail was erased on ")
    assert lines[1].startswith("Row 4: ")
    assert lines[2] == "3 people to create, 0 to update, 0 unchanged, 2 rows matching erased " \
        "people, 0 errors"  # fmt: skip
    assert people_rows(app) == before

    allowed = runner.invoke(args=["import", "people", path, "--allow-erased"])
    assert allowed.exit_code == 0, allowed.output
    assert "Imported: 3 people created" in allowed.stdout
    assert {"Anne Schmit-Muller", "A. Schmit"} <= set(people_rows(app))


# Retention


def years_ago(years: int, days: int = 0) -> date:
    return queries.retention_cutoff(today(), years) - timedelta(days=days)


@pytest.fixture
def silent_people(app, users) -> dict[str, int]:
    """People last contacted, or added, at various times."""
    with app.app_context():
        advisor = users["advisor"].id
        company = factories.make_company()
        long_ago = datetime.now(UTC) - timedelta(days=8 * 365)
        ids = {}
        for name, last_contact in [
            ("Four years", years_ago(4)),
            ("Just over three", years_ago(3, days=1)),
            ("Two years", years_ago(2)),
        ]:
            someone = factories.make_person(company, name, created_at=long_ago)
            link(factories.make_interaction(company, advisor, on=last_contact), someone)
            ids[name] = someone.id
        recent = factories.make_person(company, "Old and recent", created_at=long_ago)
        link(factories.make_interaction(company, advisor, on=years_ago(6)), recent)
        link(factories.make_interaction(company, advisor, on=today()), recent)
        ids["Old and recent"] = recent.id
        ids["Never contacted"] = factories.make_person(
            company, "Never contacted", created_at=long_ago
        ).id
        ids["Added last month"] = factories.make_person(
            company, "Added last month", created_at=datetime.now(UTC) - timedelta(days=30)
        ).id
        erased = factories.make_person(
            company, "Erased person", created_at=long_ago, erased_at=long_ago, archived=True
        )
        ids["Erased"] = erased.id
        archived = factories.make_person(company, "Archived", created_at=long_ago, archived=True)
        ids["Archived"] = archived.id
        db.session.commit()
        return ids


def listed(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [
        line.split('data-person="')[1].split('"')[0]
        for line in page.splitlines()
        if 'data-person="' in line
    ]


def test_the_retention_review_lists_people_silent_for_the_configured_years(
    app, client, login_as, silent_people, monkeypatch
):
    login_as("manager")
    response = client.get("/people/retention")
    assert response.status_code == 200
    assert listed(response) == [
        str(silent_people[name])
        for name in ("Never contacted", "Archived", "Four years", "Just over three")
    ]
    page = response.get_data(as_text=True)
    assert "no contact for 3 years" in page
    assert f"/people/{silent_people['Four years']}/export.json" in page
    assert f"/people/{silent_people['Four years']}/erase?from=retention" in page
    assert f"/people/{silent_people['Four years']}/archive" in page
    assert f"/people/{silent_people['Archived']}/archive" not in page
    monkeypatch.setitem(app.config, "PERSON_RETENTION_YEARS", 5)
    assert listed(client.get("/people/retention")) == [
        str(silent_people["Never contacted"]),
        str(silent_people["Archived"]),
    ]


def test_the_retention_review_is_for_managers_and_admins(client, login_as, silent_people):
    login_as("advisor")
    assert client.get("/people/retention").status_code == 403
    assert client.post(f"/people/{silent_people['Four years']}/archive").status_code == 403
    client.post("/logout")
    login_as("admin")
    assert client.get("/people/retention").status_code == 200
    assert "/people/retention" in client.get("/admin/").get_data(as_text=True)
    client.post("/logout")
    login_as("manager")
    assert "/people/retention" in client.get("/").get_data(as_text=True)


def test_archiving_from_the_review_returns_to_it(app, client, login_as, silent_people):
    login_as("manager")
    response = client.post(f"/people/{silent_people['Four years']}/archive")
    assert response.headers["Location"].endswith("/people/retention")
    assert person(app, silent_people["Four years"]).archived


def test_the_retention_review_pages_with_a_constant_number_of_statements(
    app, client, login_as, users, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    login_as("manager")

    def add_people(count: int) -> None:
        with app.app_context():
            long_ago = datetime.now(UTC) - timedelta(days=5 * 365)
            company = factories.make_company(f"Company {count}")
            for number in range(count):
                someone = factories.make_person(company, f"Person {number}", created_at=long_ago)
                contact = factories.make_interaction(company, users["advisor"].id, on=years_ago(4))
                link(contact, someone)
            db.session.commit()

    add_people(3)
    with count_statements(app) as few:
        assert client.get("/people/retention").status_code == 200
    add_people(20)
    with count_statements(app) as many:
        response = client.get("/people/retention?page=2")
    assert response.status_code == 200
    assert len(listed(response)) == 5
    assert len(many) == len(few)
