"""The audit trail: every create, update, archive and delete records who, when, the record, the
version it produced and each field's old and new value, in the same transaction as the change.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests import factories
from tracker import dates
from tracker.admin import services as admin_services
from tracker.common.errors import ValidationError
from tracker.companies import services as company_services
from tracker.events import services as event_services
from tracker.extensions import db
from tracker.followups import services as followup_services
from tracker.interactions import services as interaction_services
from tracker.models import (
    AuditEntry,
    Company,
    EventFormat,
    HealthCheck,
    InstrumentKind,
    InteractionType,
    Liquidity,
    NeedStatus,
    ReportStatus,
    RiskLevel,
    Role,
    SolutionStatus,
    Trend,
    Urgency,
    User,
)
from tracker.reports import services as report_services
from tracker.support import services as support_services

TODAY = dates.today()


@pytest.fixture
def actor(app, users) -> Any:
    """The manager, inside an app context for the whole test."""
    with app.app_context():
        yield db.session.get(User, users["manager"].id)


def entry_for(record: Any, action: str, actor: User | None) -> AuditEntry:
    """The latest entry of `action` on `record`, checked for who and which version."""
    db.session.commit()
    entry = db.session.scalar(
        db.select(AuditEntry)
        .where(
            AuditEntry.record_type == type(record).__name__,
            AuditEntry.record_id == record.id,
            AuditEntry.action == action,
        )
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None, f"no {action} entry for {record!r}"
    assert entry.user_id == (actor.id if actor is not None else None)
    assert entry.at is not None
    assert entry.record_version == record.version, (action, entry.record_version, record.version)
    return entry


def company(name: str = "Acier Wiltz S.A.") -> Company:
    return factories.make_company(name)


# Companies and people


def test_company_create_update_archive_restore(actor):
    details = company_services.CompanyDetails(legal_name="Acier Wiltz S.A.", employees=10)
    record = company_services.create_company(details, actor=actor)
    entry = entry_for(record, "create", actor)
    assert entry.changes["legal_name"] == [None, "Acier Wiltz S.A."]
    assert entry.changes["employees"] == [None, 10]
    cluster = db.session.scalar(db.select(factories.Cluster))
    details = company_services.CompanyDetails(
        legal_name="Acier Wiltz S.A.", employees=12, clusters=[cluster]
    )
    company_services.update_company(record, details, actor=actor, version=record.version)
    entry = entry_for(record, "update", actor)
    assert entry.changes == {"employees": [10, 12], "clusters": [[], [cluster.slug]]}
    company_services.archive_company(record, actor=actor)
    assert entry_for(record, "archive", actor).changes == {"archived": [False, True]}
    company_services.restore_company(record, actor=actor)
    assert entry_for(record, "restore", actor).changes == {"archived": [True, False]}


def test_a_change_of_clusters_only_is_a_new_version(actor):
    """Links in other tables count as a change of the record: its version moves."""
    record = company()
    db.session.commit()
    version = record.version
    cluster = db.session.scalar(db.select(factories.Cluster))
    details = company_services.CompanyDetails(legal_name=record.legal_name, clusters=[cluster])
    company_services.update_company(record, details, actor=actor, version=version)
    assert entry_for(record, "update", actor).record_version == version + 1


def test_person_create_update_archive(actor):
    record = company_services.add_person(
        company(), company_services.PersonDetails(name="Anne Schmit"), actor=actor
    )
    assert entry_for(record, "create", actor).changes["name"] == [None, "Anne Schmit"]
    company_services.update_person(
        record,
        company_services.PersonDetails(name="Anne Schmit", job_title="CFO"),
        actor=actor,
        version=record.version,
    )
    assert entry_for(record, "update", actor).changes == {"job_title": [None, "CFO"]}
    company_services.archive_person(record, actor=actor)
    assert entry_for(record, "archive", actor).changes == {"archived": [False, True]}


# Contacts and health checks


def test_interaction_and_its_health_check_have_their_own_entries(actor):
    target = company()
    anne = factories.make_person(target, "Anne Schmit")
    interaction = interaction_services.log_interaction(
        company=target,
        occurred_on=TODAY - timedelta(days=1),
        type=InteractionType.VISIT,
        actor=actor,
        summary="Visit.",
        health=interaction_services.HealthAnswers(
            turnover_trend=Trend.DOWN, liquidity=Liquidity.TIGHT, risk_level=RiskLevel.HIGH
        ),
    )
    entry = entry_for(interaction, "create", actor)
    assert entry.changes["summary"] == [None, "Visit."]
    assert entry.changes["company_id"] == [None, target.id]
    assert entry.changes["advisor_id"] == [None, actor.id]
    assert entry.changes["type"] == [None, "visit"]
    check = interaction.health_check
    entry = entry_for(check, "create", actor)
    assert entry.record_type == "HealthCheck"
    assert entry.changes["liquidity"] == [None, "tight"]
    assert entry.changes["risk_level"] == [None, "high"]

    interaction_services.revise_interaction(
        interaction,
        occurred_on=TODAY,
        type=InteractionType.VISIT,
        summary="Visit.",
        people=[anne],
        health=interaction_services.HealthAnswers(
            turnover_trend=Trend.DOWN, liquidity=Liquidity.CRITICAL, risk_level=RiskLevel.HIGH
        ),
        actor=actor,
        version=interaction.version,
    )
    entry = entry_for(check, "update", actor)
    assert entry.changes == {
        "checked_on": [(TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()],
        "liquidity": ["tight", "critical"],
    }
    # The contact's own entry lists its fields and the check-in's answers that changed.
    entry = entry_for(interaction, "update", actor)
    assert entry.changes == {
        "occurred_on": [(TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()],
        "people": [[], [anne.id]],
        "liquidity": ["tight", "critical"],
    }

    # Clearing every answer removes the check; its entry keeps every value.
    check_id = check.id
    interaction_services.revise_interaction(
        interaction,
        occurred_on=TODAY,
        type=InteractionType.VISIT,
        summary="Visit.",
        people=[anne],
        health=interaction_services.HealthAnswers(),
        actor=actor,
        version=interaction.version,
    )
    db.session.commit()
    # Archived and detached, not deleted: hidden from reads, kept in the table.
    db.session.expire_all()
    assert db.session.scalar(db.select(HealthCheck).where(HealthCheck.id == check_id)) is None
    kept = db.session.get(HealthCheck, check_id, execution_options={"include_archived": True})
    assert kept.archived and kept.interaction_id is None
    entry = db.session.scalar(
        db.select(AuditEntry).where(
            AuditEntry.record_type == "HealthCheck",
            AuditEntry.record_id == check_id,
            AuditEntry.action == "archive",
        )
    )
    assert entry.user_id == actor.id
    assert entry.changes["archived"] == [False, True]
    # The contact's own entry says which answers went.
    contact_entry = db.session.scalar(
        db.select(AuditEntry)
        .where(AuditEntry.record_type == "Interaction", AuditEntry.action == "update")
        .order_by(AuditEntry.id.desc())
    )
    assert contact_entry.changes["liquidity"] == ["critical", None]


# Needs and solutions


def test_need_and_solution_changes(actor):
    target = company()
    need = support_services.identify_need(
        company=target,
        category=factories.category("liquidity"),
        identified_on=TODAY - timedelta(days=5),
        actor=actor,
        description="Bridge loan",
    )
    entry = entry_for(need, "create", actor)
    assert entry.changes["description"] == [None, "Bridge loan"]
    assert entry.changes["category"] == [None, "liquidity"]

    support_services.update_need(
        need,
        description="Bridge loan",
        urgency=Urgency.HIGH,
        owner=actor,
        actor=actor,
        version=need.version,
    )
    assert entry_for(need, "update", actor).changes == {"urgency": ["normal", "high"]}

    solution = support_services.suggest_solution(
        need=need,
        instrument=factories.instrument("SNCI loan"),
        suggested_on=TODAY - timedelta(days=4),
        actor=actor,
        amount_requested=Decimal("50000"),
    )
    entry = entry_for(solution, "create", actor)
    assert entry.changes["instrument"] == [None, factories.instrument("SNCI loan").id]
    assert entry.changes["amount_requested"] == [None, "50000.00"]
    # The suggestion moved the need in progress: that is a change of the need too.
    assert entry_for(need, "update", actor).changes == {"status": ["open", "in_progress"]}

    support_services.change_solution_status(
        solution,
        SolutionStatus.GRANTED,
        on=TODAY,
        actor=actor,
        amount_granted=Decimal("45000"),
        version=solution.version,
    )
    entry = entry_for(solution, "update", actor)
    assert entry.changes == {
        "status": ["suggested", "granted"],
        "amount_granted": [None, "45000.00"],
        "decided_on": [None, TODAY.isoformat()],
    }

    support_services.change_need_status(
        need, NeedStatus.RESOLVED, on=TODAY, actor=actor, outcome="Loan granted"
    )
    entry = entry_for(need, "update", actor)
    assert entry.changes == {
        "status": ["in_progress", "resolved"],
        "resolved_on": [None, TODAY.isoformat()],
        "outcome": ["", "Loan granted"],
    }


# Follow-ups


def test_follow_up_changes(actor, users):
    advisor = db.session.get(User, users["advisor"].id)
    followup = followup_services.create_followup(
        company=company(), title="Call back", due_on=TODAY, assignee=advisor, actor=actor
    )
    entry = entry_for(followup, "create", actor)
    assert entry.changes["title"] == [None, "Call back"]
    assert entry.changes["assignee_id"] == [None, advisor.id]

    later = TODAY + timedelta(days=7)
    steps = [
        (followup_services.reschedule_followup, (later,), {"due_on": [TODAY.isoformat(),
                                                                      later.isoformat()]}),
        (followup_services.reassign_followup, (actor,), {"assignee_id": [advisor.id, actor.id]}),
        (followup_services.complete_followup, (), {"status": ["open", "done"],
                                                   "done_on": [None, TODAY.isoformat()]}),
        (followup_services.reopen_followup, (), {"status": ["done", "open"],
                                                 "done_on": [TODAY.isoformat(), None]}),
        (followup_services.cancel_followup, (), {"status": ["open", "cancelled"]}),
    ]  # fmt: skip
    for change, args, expected in steps:
        kwargs = {"on": TODAY} if change is followup_services.complete_followup else {}
        change(followup, *args, actor=actor, version=followup.version, **kwargs)
        assert entry_for(followup, "update", actor).changes == expected, change.__name__


# Events and their participants


def test_event_and_participant_changes(actor):
    event = event_services.create_event(
        title="Energy webinar", held_on=TODAY, format=EventFormat.WEBINAR, actor=actor
    )
    assert entry_for(event, "create", actor).changes["title"] == [None, "Energy webinar"]
    event_services.update_event(
        event,
        title="Energy webinar",
        held_on=TODAY,
        format=EventFormat.ON_SITE,
        partners="Materalia",
        actor=actor,
        version=event.version,
    )
    assert entry_for(event, "update", actor).changes == {
        "format": ["webinar", "on_site"],
        "partners": ["", "Materalia"],
    }
    target = company()
    anne = factories.make_person(target, "Anne Schmit")
    event_services.add_participants(event, [target], actor=actor, version=event.version)
    assert entry_for(event, "update", actor).changes == {"companies": [[], [target.id]]}
    event_services.set_participants(
        event, companies=[target], people=[anne], actor=actor, version=event.version
    )
    assert entry_for(event, "update", actor).changes == {"people": [[], [anne.id]]}
    event_services.remove_participant(event, target, actor=actor, version=event.version)
    assert entry_for(event, "update", actor).changes == {
        "companies": [[target.id], []],
        "people": [[anne.id], []],
    }


# Users, clusters and the catalogues


def all_audit_text() -> str:
    entries = db.session.scalars(db.select(AuditEntry)).all()
    return json.dumps([e.changes for e in entries], default=str)


def test_user_changes_never_store_password_hashes_or_tokens(actor, users):
    cluster = db.session.scalar(db.select(factories.Cluster))
    user = admin_services.create_user(
        email="new@example.lu",
        name="New Advisor",
        role=Role.ADVISOR,
        password="a long enough passphrase",
        clusters=[cluster],
        actor=actor,
    )
    entry = entry_for(user, "create", actor)
    assert entry.changes["email"] == [None, "new@example.lu"]
    assert entry.changes["clusters"] == [None, [cluster.slug]]
    assert entry.changes["password"] == [None, "(set)"]

    admin_services.update_user(
        user,
        email="new@example.lu",
        name="New Manager",
        role=Role.MANAGER,
        active=True,
        clusters=[],
        actor=actor,
        version=user.version,
    )
    assert entry_for(user, "update", actor).changes == {
        "name": ["New Advisor", "New Manager"],
        "role": ["advisor", "manager"],
        "clusters": [[cluster.slug], []],
    }
    admin_services.set_user_active(user, False, actor=actor)
    assert entry_for(user, "deactivate", actor).changes == {"active": [True, False]}
    admin_services.set_user_active(user, True, actor=actor)
    assert entry_for(user, "activate", actor).changes == {"active": [False, True]}
    admin_services.reset_password(user, "another long passphrase", actor=actor)
    assert entry_for(user, "reset_password", actor).changes == {
        "password": ["(hidden)", "(changed)"]
    }
    followup_services.regenerate_calendar_token(user)
    db.session.commit()

    audited = all_audit_text()
    for someone in db.session.scalars(db.select(User)).all():
        assert someone.password_hash not in audited
        assert someone.session_token not in audited
        if someone.calendar_token:
            assert someone.calendar_token not in audited
    assert "$argon2" not in audited


def test_cluster_and_catalogue_changes(actor):
    cluster = admin_services.create_cluster(slug="space", name="Space", actor=actor)
    assert entry_for(cluster, "create", actor).changes["slug"] == [None, "space"]
    admin_services.update_cluster(
        cluster, name="Space industry", description="", actor=actor, version=cluster.version
    )
    assert entry_for(cluster, "update", actor).changes == {"name": ["Space", "Space industry"]}

    category = admin_services.create_need_category(slug="cyber", name="Cyber", actor=actor)
    assert entry_for(category, "create", actor).changes["name"] == [None, "Cyber"]
    admin_services.update_need_category(
        category, name="Cyber security", position=3, active=True, actor=actor,
        version=category.version,
    )  # fmt: skip
    assert entry_for(category, "update", actor).changes["name"] == ["Cyber", "Cyber security"]
    admin_services.set_catalogue_active(category, False, actor=actor)
    assert entry_for(category, "retire", actor).changes == {"active": [True, False]}

    instrument = admin_services.create_instrument(
        name="Space grant", kind=InstrumentKind.GRANT, actor=actor
    )
    assert entry_for(instrument, "create", actor).changes["kind"] == [None, "grant"]
    admin_services.update_instrument(
        instrument, name="Space grant", kind=InstrumentKind.LOAN, provider="ESA",
        description="", active_from=None, active_to=None, actor=actor,
        version=instrument.version,
    )  # fmt: skip
    assert entry_for(instrument, "update", actor).changes == {
        "kind": ["grant", "loan"],
        "provider": ["", "ESA"],
    }

    market = admin_services.create_market(slug="maritime", name="Maritime", actor=actor)
    assert entry_for(market, "create", actor).changes["slug"] == [None, "maritime"]
    admin_services.update_market(
        market, name="Maritime and ports", active=False, actor=actor, version=market.version
    )
    assert entry_for(market, "update", actor).changes == {
        "name": ["Maritime", "Maritime and ports"],
        "active": [True, False],
    }


# Reports


def test_report_generate_regenerate_summary_finalise(actor):
    month = TODAY.strftime("%Y-%m")
    report = report_services.generate_report(month, None, "ministry", actor)
    entry = entry_for(report, "generate", actor)
    assert entry.changes["month"] == [None, month]
    assert entry.changes["scope"] == [None, "all"]
    assert entry.changes["status"] == [None, "draft"]
    first_generated = report.generated_at.isoformat()[:19]

    report_services.regenerate_report(report, actor)
    entry = entry_for(report, "regenerate", actor)
    old, new = entry.changes["generated_at"]
    # (to the second: SQLite gives the time back without its zone)
    assert old[:19] == first_generated and new[:19] == report.generated_at.isoformat()[:19]

    report_services.update_summary(report, "Orders recover.", actor, version=report.version)
    assert entry_for(report, "update", actor).changes == {"summary": ["", "Orders recover."]}

    report_services.finalise_report(report, actor)
    assert report.status is ReportStatus.FINAL
    entry = entry_for(report, "finalise", actor)
    assert entry.changes["status"] == ["draft", "final"]
    assert entry.changes["pdf_sha256"] == [None, report.pdf_sha256]
    assert entry.changes["finalised_by_id"] == [None, actor.id]
    # The PDF's bytes never go into the trail.
    assert "%PDF" not in json.dumps(entry.changes)


# Same transaction: nothing is left of a request that failed


def test_a_failed_request_leaves_no_audit_entry(app, client, login_as, users, monkeypatch):
    with app.app_context():
        target = factories.make_company("Acier Wiltz S.A.")
        db.session.commit()
        company_id = target.id
        entries_before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))

    def refuse(**kwargs: Any) -> None:
        raise ValidationError("The follow-up could not be planned.", "title")

    # The contact and its health check are written and audited before the follow-up fails.
    monkeypatch.setattr(interaction_services, "create_followup", refuse)
    login_as("advisor")
    response = client.post(
        "/interactions/new",
        data={
            "occurred_on": TODAY.isoformat(),
            "type": "call",
            "company_query": "Acier Wiltz S.A.",
            "company_id": str(company_id),
            "summary": "Call.",
            "health-liquidity": "tight",
            "followup-title": "Send the form",
            "followup-due_on": (TODAY + timedelta(days=3)).isoformat(),
            "followup-assignee": str(users["advisor"].id),
        },
    )
    assert response.status_code == 200
    assert "The follow-up could not be planned." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == entries_before
