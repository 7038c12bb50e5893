"""log_interaction and friends, at the service level, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests import factories
from tracker.common.errors import NotAllowed, ValidationError
from tracker.dates import today
from tracker.extensions import db
from tracker.interactions.services import (
    FollowUpInput,
    HealthAnswers,
    NeedInput,
    SolutionInput,
    archive_interaction,
    log_interaction,
    update_interaction,
)
from tracker.models import (
    AuditEntry,
    FollowUp,
    HealthCheck,
    Interaction,
    InteractionType,
    Liquidity,
    Need,
    NeedStatus,
    RiskLevel,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    User,
)


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_one_contact_records_everything_learnt(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company(owner_id=advisor.id)
        anne = factories.make_person(company, "Anne Schmit")
        interaction = log_interaction(
            company=company,
            occurred_on=today(),
            type=InteractionType.VISIT,
            actor=advisor,
            summary="  Site visit: orders down 30 %.  ",
            people=[anne],
            health=HealthAnswers(
                turnover_trend=Trend.DOWN,
                short_time_work=True,
                liquidity=Liquidity.TIGHT,
                risk_level=RiskLevel.HIGH,
                risk_reasons=["key_customer_loss", "downsizing", "downsizing"],
            ),
            needs=[
                NeedInput(
                    category=factories.category("liquidity"),
                    description="Bridge the next two quarters",
                    solutions=[
                        SolutionInput(instrument=factories.instrument("COVID-Invest"),
                                      amount_requested=Decimal("150000.456")),
                        SolutionInput(partner="Materalia"),
                    ],
                ),
                NeedInput(category=factories.category("new-markets")),
            ],
            followup=FollowUpInput("Send the form", today() + timedelta(days=7), advisor),
        )  # fmt: skip
        db.session.commit()
        interaction_id = interaction.id

    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        assert interaction.summary == "Site visit: orders down 30 %."
        assert [p.name for p in interaction.people] == ["Anne Schmit"]
        check = interaction.health_check
        assert (check.turnover_trend, check.orders_trend) == (Trend.DOWN, None)
        assert check.short_time_work is True and check.risk_level is RiskLevel.HIGH
        assert check.risk_reasons == ["downsizing", "key_customer_loss"]
        needs = db.session.scalars(db.select(Need).order_by(Need.id)).all()
        assert [n.category.slug for n in needs] == ["liquidity", "new-markets"]
        assert all(n.interaction_id == interaction_id and n.identified_on == today() for n in needs)
        assert needs[0].status is NeedStatus.IN_PROGRESS and needs[1].status is NeedStatus.OPEN
        solutions = needs[0].solutions
        assert [s.title for s in solutions] == ["COVID-Invest", "Referral: Materalia"]
        assert solutions[0].amount_requested == Decimal("150000.46")
        assert all(s.status is SolutionStatus.SUGGESTED for s in solutions)
        assert [len(s.changes) for s in solutions] == [1, 1]
        followup = db.session.scalar(db.select(FollowUp))
        assert followup.interaction_id == interaction_id and followup.need_id == needs[0].id
        assert followup.assignee_id == users["advisor"].id
        actions = db.session.scalars(
            db.select(AuditEntry.record_type).where(AuditEntry.user_id == users["advisor"].id)
        ).all()
        assert sorted(set(actions)) == [
            "FollowUp",
            "HealthCheck",
            "Interaction",
            "Need",
            "Solution",
        ]


def test_empty_health_answers_record_no_check(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company()
        log_interaction(
            company=company, occurred_on=today(), type=InteractionType.CALL, actor=advisor,
            health=HealthAnswers(),
        )  # fmt: skip
        db.session.commit()
        assert _count(HealthCheck) == 0 and _count(Interaction) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occurred_on": today() + timedelta(days=1)}, "cannot be in the future"),
        ({"needs": "solution without instrument"}, "Choose an instrument or name a partner"),
        ({"people": "other company"}, "must work at the company"),
        ({"followup": "viewer"}, "active advisor or manager"),
    ],
)
def test_a_refused_contact_writes_nothing(app, users, change, message):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company()
        other = factories.make_company("Other S.A.")
        stranger = factories.make_person(other, "Stranger")
        db.session.commit()
        kwargs = {
            "company": company,
            "occurred_on": today(),
            "type": InteractionType.CALL,
            "actor": advisor,
            "needs": [NeedInput(category=factories.category("skills"))],
        }
        if "occurred_on" in change:
            kwargs["occurred_on"] = change["occurred_on"]
        if change.get("needs"):
            kwargs["needs"] = [
                NeedInput(category=factories.category("skills"), solutions=[SolutionInput()])
            ]
        if change.get("people"):
            kwargs["people"] = [stranger]
        if change.get("followup"):
            viewer = db.session.get(User, users["viewer"].id)
            kwargs["followup"] = FollowUpInput("Call", today(), viewer)
        with pytest.raises(ValidationError, match=message):
            log_interaction(**kwargs)
        db.session.rollback()
        assert [_count(m) for m in (Interaction, Need, Solution, FollowUp, HealthCheck)] == [0] * 5


def test_viewer_cannot_log_a_contact(app, users):
    with app.app_context():
        viewer = db.session.get(User, users["viewer"].id)
        company = factories.make_company()
        with pytest.raises(NotAllowed):
            log_interaction(
                company=company, occurred_on=today(), type=InteractionType.CALL, actor=viewer
            )


def test_only_the_author_or_a_manager_edits_or_archives(app, users):
    with app.app_context():
        author = db.session.get(User, users["advisor"].id)
        other = factories.make_user(role="advisor", email="other@example.lu")
        other_user = db.session.get(User, other.id)
        manager = db.session.get(User, users["manager"].id)
        company = factories.make_company()
        interaction = log_interaction(
            company=company, occurred_on=today(), type=InteractionType.CALL, actor=author,
            health=HealthAnswers(risk_level=RiskLevel.LOW),
            needs=[NeedInput(category=factories.category("skills"))],
        )  # fmt: skip
        db.session.commit()
        with pytest.raises(NotAllowed):
            update_interaction(
                interaction, occurred_on=today(), type=InteractionType.EMAIL, summary="x",
                people=[], actor=other_user,
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            archive_interaction(interaction, actor=other_user)
        update_interaction(
            interaction, occurred_on=today() - timedelta(days=1), type=InteractionType.EMAIL,
            summary="Corrected", people=[], actor=manager,
        )  # fmt: skip
        assert interaction.health_check.checked_on == today() - timedelta(days=1)
        archive_interaction(interaction, actor=author)
        db.session.commit()
        assert _count(Interaction) == 0 and _count(HealthCheck) == 0, "archived ones are hidden"
        assert _count(Need) == 1, "needs stay when their interaction is archived"
        archived = db.session.scalar(
            db.select(AuditEntry).where(
                AuditEntry.record_type == "Interaction", AuditEntry.action == "archive"
            )
        )
        assert archived.changes == {"archived": [False, True]}
        assert _count(SolutionStatusChange) == 0
