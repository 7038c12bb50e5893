"""`flask --app tracker purge KIND ID [--yes]`: the one hard delete, of an archived record only,
with what depends on it, and a "purge" audit entry that keeps its values."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.companies.services import archive_company, archive_person
from tracker.extensions import db
from tracker.maintenance import purge as purge_module
from tracker.models import (
    AuditEntry,
    Company,
    FollowUp,
    HealthCheck,
    Interaction,
    Market,
    Need,
    Person,
    PersonErasure,
    RiskLevel,
    Solution,
    SolutionStatusChange,
    User,
    event_companies,
    event_people,
    interaction_people,
)
from tracker.models.company import company_clusters, company_markets

DAY = date(2026, 3, 10)
TABLES = {
    "companies": Company,
    "people": Person,
    "interactions": Interaction,
    "health_checks": HealthCheck,
    "needs": Need,
    "solutions": Solution,
    "solution_status_changes": SolutionStatusChange,
    "followups": FollowUp,
    "event_companies": event_companies,
    "event_people": event_people,
    "interaction_people": interaction_people,
    "company_clusters": company_clusters,
    "company_markets": company_markets,
    "person_erasures": PersonErasure,
}


def counts(app) -> dict[str, int]:
    """Rows per table, archived ones included (bare tables bypass the archived filter)."""
    with app.app_context():
        return {
            name: db.session.scalar(
                sa.select(sa.func.count()).select_from(getattr(table, "__table__", table))
            )
            for name, table in TABLES.items()
        }


def _company_with_everything(name: str, advisor: int, cluster, market, event) -> SimpleNamespace:
    company = factories.make_company(name, clusters=[cluster])
    company.markets = [market]
    person = factories.make_person(company, f"Contact of {name}")
    interaction = factories.make_interaction(company, advisor, DAY, summary=f"Call with {name}")
    interaction.people = [person]
    factories.make_health_check(
        company, advisor, DAY, interaction=interaction, risk_level=RiskLevel.HIGH
    )
    need = factories.make_need(company, "liquidity", DAY, interaction=interaction)
    factories.make_solution(need, "COVID-RDI", DAY)
    factories.make_followup(company, advisor, DAY, interaction=interaction, need=need)
    event.companies.append(company)
    event.people.append(person)
    db.session.add(PersonErasure(company_id=company.id, name_digest="0" * 64))
    db.session.flush()
    return SimpleNamespace(
        company=company.id, person=person.id, interaction=interaction.id, need=need.id
    )


@pytest.fixture
def world(app, users):
    """Two companies with one of everything each; nothing archived yet."""
    with app.app_context():
        cluster = factories.make_cluster("wood")
        market = db.session.scalars(sa.select(Market).limit(1)).one()
        event = factories.make_event(on=DAY)
        advisor = users["advisor"].id
        doomed = _company_with_everything("Doomed Castings", advisor, cluster, market, event)
        kept = _company_with_everything("Kept Steel", advisor, cluster, market, event)
        db.session.commit()
        return SimpleNamespace(doomed=doomed, kept=kept)


def _archive(app, model, record_id: int) -> None:
    with app.app_context():
        record = db.session.get(model, record_id, execution_options={"include_archived": True})
        if model is Company:
            archive_company(record, actor=None)
        elif model is Person:
            archive_person(record, actor=None)
        else:
            record.archived = True
            if record.health_check is not None:
                record.health_check.archived = True
        db.session.commit()


def _one_line_error(result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _purge_entries(app) -> list[tuple[str, int, int | None, dict]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(
                    AuditEntry.record_type,
                    AuditEntry.record_id,
                    AuditEntry.user_id,
                    AuditEntry.changes,
                )
                .where(AuditEntry.action == "purge")
                .order_by(AuditEntry.id)
            )
        ]


@pytest.mark.parametrize("kind", ["company", "person", "interaction"])
def test_a_record_that_is_not_archived_is_refused(app, runner, world, kind):
    before = counts(app)
    record_id = getattr(world.doomed, kind)
    result = runner.invoke(args=["purge", kind, str(record_id), "--yes"])
    message = _one_line_error(result)
    assert "is not archived: only archived records can be purged" in message
    assert counts(app) == before
    assert _purge_entries(app) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["company", "999999"], "No company has the id 999999."),
        (["person", "999999"], "No person has the id 999999."),
        (["interaction", "999999"], "No interaction has the id 999999."),
        (["user", "1"], "'user' is not one of 'company', 'person', 'interaction'"),
        (["company", "abc"], "'abc' is not a valid integer"),
        (["company", "0"], "0 is not in the range"),
        (["company", "99999999999999999999"], "is not in the range"),
        (["company"], "Missing argument 'ID'"),
    ],
)
def test_bad_arguments_get_one_line_and_change_nothing(app, runner, world, args, expected):
    before = counts(app)
    result = runner.invoke(args=["purge", *args, "--yes"])
    assert expected in _one_line_error(result)
    assert counts(app) == before


def test_purging_a_company_removes_everything_that_depends_on_it_and_only_that(app, runner, world):
    _archive(app, Company, world.doomed.company)
    before = counts(app)
    result = runner.invoke(args=["purge", "company", str(world.doomed.company), "--yes"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "Purged the company" in result.output and "Doomed Castings" in result.output
    assert (
        "and 1 person, 1 interaction, 1 health check, 1 need, 1 solution, "
        "1 solution status change, 1 follow-up, 1 event participation, "
        "1 event participation of its people, 1 link to a person met, 1 cluster membership, "
        "1 market tag. A purge entry is in the audit trail."
    ) in result.output
    after = counts(app)
    assert {name: before[name] - after[name] for name in TABLES} == {
        name: 0 if name == "person_erasures" else 1 for name in TABLES
    }
    with app.app_context():
        assert db.session.get(Company, world.doomed.company) is None
        kept = db.session.get(Company, world.kept.company)
        assert kept is not None and len(kept.people) == 1
        erasures = db.session.scalars(sa.select(PersonErasure.company_id)).all()
        assert sorted(erasures, key=str) == sorted([None, world.kept.company], key=str)
        history = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.record_type == "Company", AuditEntry.record_id == world.doomed.company
            )
            .order_by(AuditEntry.id)
        ).all()
    assert history == ["archive", "purge"], "the earlier entries of the record are kept"
    [(record_type, record_id, user_id, changes)] = _purge_entries(app)
    assert (record_type, record_id, user_id) == ("Company", world.doomed.company, None)
    assert changes["legal_name"] == ["Doomed Castings", None]
    assert changes["clusters"] == [["wood"], None]


def test_purging_an_interaction_removes_its_health_check_and_unlinks_needs_and_followups(
    app, runner, world
):
    _archive(app, Interaction, world.doomed.interaction)
    before = counts(app)
    result = runner.invoke(args=["purge", "interaction", str(world.doomed.interaction), "--yes"])
    assert result.exit_code == 0, result.output + result.stderr
    after = counts(app)
    changed = {name: before[name] - after[name] for name in TABLES if before[name] != after[name]}
    assert changed == {"interactions": 1, "health_checks": 1, "interaction_people": 1}
    with app.app_context():
        need = db.session.get(Need, world.doomed.need)
        assert need is not None and need.interaction_id is None
        assert db.session.scalars(
            sa.select(FollowUp.interaction_id).where(FollowUp.need_id == world.doomed.need)
        ).all() == [None]
    entries = _purge_entries(app)
    assert entries[0][:2] == ("Interaction", world.doomed.interaction)
    assert [t for t, _, _, _ in entries] == ["Interaction", "HealthCheck"]
    assert entries[0][3]["summary"] == ["Call with Doomed Castings", None]
    assert entries[1][3]["risk_level"] == ["high", None]


def test_purging_a_person_removes_their_links_and_keeps_the_contacts(app, runner, world):
    _archive(app, Person, world.doomed.person)
    before = counts(app)
    result = runner.invoke(args=["purge", "person", str(world.doomed.person), "--yes"])
    assert result.exit_code == 0, result.output + result.stderr
    after = counts(app)
    changed = {name: before[name] - after[name] for name in TABLES if before[name] != after[name]}
    assert changed == {"people": 1, "interaction_people": 1, "event_people": 1}
    [(record_type, record_id, user_id, changes)] = _purge_entries(app)
    assert (record_type, record_id, user_id) == ("Person", world.doomed.person, None)
    assert changes["name"] == ["Contact of Doomed Castings", None]


def test_it_asks_for_confirmation_unless_told_yes(app, runner, world):
    _archive(app, Company, world.doomed.company)
    before = counts(app)
    result = runner.invoke(args=["purge", "company", str(world.doomed.company)], input="n\n")
    assert "Delete it permanently?" in result.output
    assert "also deletes: 1 person, 1 interaction, 1 health check, 1 need" in result.output
    assert _one_line_error(result) == "Error: Nothing was purged."
    assert counts(app) == before and _purge_entries(app) == []

    result = runner.invoke(args=["purge", "company", str(world.doomed.company)], input="y\n")
    assert result.exit_code == 0, result.output + result.stderr
    assert counts(app)["companies"] == before["companies"] - 1
    assert len(_purge_entries(app)) == 1


def test_an_archived_company_restored_while_the_admin_decides_is_not_purged(
    app, runner, world, monkeypatch
):
    _archive(app, Company, world.doomed.company)

    def restore_meanwhile(*args, **kwargs) -> bool:
        with app.app_context():
            db.session.get(Company, world.doomed.company).archived = False
            db.session.commit()
        return True

    monkeypatch.setattr("click.confirm", restore_meanwhile)
    before = counts(app)
    result = runner.invoke(args=["purge", "company", str(world.doomed.company)])
    assert "is not archived" in _one_line_error(result)
    assert counts(app) == before


def test_every_table_that_points_at_a_purged_record_is_handled(app, world):
    """A table added later with a foreign key to a company, a person or an interaction (or to
    what a company owns) must be added to the purge, or this test fails."""
    _archive(app, Company, world.doomed.company)
    _archive(app, Person, world.kept.person)
    _archive(app, Interaction, world.kept.interaction)
    owned_by = {
        "company": {"companies", "people", "interactions", "needs", "solutions"},
        "person": {"people"},
        "interaction": {"interactions"},
    }
    ids = {
        "company": world.doomed.company,
        "person": world.kept.person,
        "interaction": world.kept.interaction,
    }
    with app.app_context():
        for kind, targets in owned_by.items():
            plan = purge_module.plan_purge(kind, ids[kind])
            handled = {r.table.name for r in plan.removals} | {u.table.name for u in plan.unlinks}
            pointing = {
                fk.parent.table.name
                for table in db.metadata.sorted_tables
                for fk in table.foreign_keys
                if fk.column.table.name in targets
            }
            assert pointing - handled == set(), kind
            db.session.rollback()


def test_the_command_is_listed_with_its_help(runner):
    result = runner.invoke(args=["purge", "--help"])
    assert result.exit_code == 0
    assert "Permanently delete one archived company, person or interaction" in result.output


def test_users_keep_their_accounts_when_their_records_are_purged(app, runner, users, world):
    _archive(app, Company, world.doomed.company)
    assert (
        runner.invoke(args=["purge", "company", str(world.doomed.company), "--yes"]).exit_code == 0
    )
    with app.app_context():
        assert db.session.get(User, users["advisor"].id) is not None
