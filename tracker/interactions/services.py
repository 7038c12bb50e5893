"""The contact log: one interaction with its health check, needs, solutions and follow-up."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker import audit
from tracker.common.errors import NotAllowed, ValidationError
from tracker.common.versions import UNCHECKED, check_version
from tracker.dates import today
from tracker.extensions import db
from tracker.followups.services import create_followup
from tracker.models import (
    Company,
    HealthCheck,
    Instrument,
    Interaction,
    InteractionType,
    Liquidity,
    NeedCategory,
    Person,
    RiskLevel,
    Trend,
    Urgency,
    User,
)
from tracker.models.base import utcnow
from tracker.support.services import identify_need, suggest_solution

INTERACTION_FIELDS = ["occurred_on", "type", "company_id", "advisor_id", "summary", "people"]
ANSWER_FIELDS = ("turnover_trend", "orders_trend", "employment_trend", "outlook",
                 "short_time_work", "liquidity", "risk_level")  # fmt: skip
HEALTH_FIELDS = ["checked_on", *ANSWER_FIELDS, "risk_reasons", "comment"]


@dataclass
class HealthAnswers:
    """A check-in's answers; None means not asked or unknown."""

    turnover_trend: Trend | None = None
    orders_trend: Trend | None = None
    employment_trend: Trend | None = None
    outlook: Trend | None = None
    short_time_work: bool | None = None
    liquidity: Liquidity | None = None
    risk_level: RiskLevel | None = None
    risk_reasons: list[str] = field(default_factory=list)
    comment: str = ""

    def is_empty(self) -> bool:
        answered = [getattr(self, name) for name in ANSWER_FIELDS]
        return (
            all(a is None for a in answered) and not self.risk_reasons and not self.comment.strip()
        )


@dataclass
class SolutionInput:
    instrument: Instrument | None = None
    partner: str | None = None
    amount_requested: Decimal | None = None


@dataclass
class NeedInput:
    category: NeedCategory
    description: str = ""
    urgency: Urgency = Urgency.NORMAL
    solutions: list[SolutionInput] = field(default_factory=list)


@dataclass
class FollowUpInput:
    title: str
    due_on: date
    assignee: User


def can_edit_interaction(user: User, interaction: Interaction) -> bool:
    """Advisors edit, archive or restore their own interactions; managers and admins any."""
    return user.can_manage or (user.is_staff and interaction.advisor_id == user.id)


def _ensure_can_edit(user: User, interaction: Interaction) -> None:
    if not can_edit_interaction(user, interaction):
        raise NotAllowed(_("Only its author, a manager or an admin may change this interaction."))


def _check_people(company: Company, people: Sequence[Person]) -> None:
    if any(person.company_id != company.id for person in people):
        raise ValidationError(_("The people met must work at the company contacted."), "people")


def record_health_check(
    *,
    company: Company,
    checked_on: date,
    answers: HealthAnswers,
    actor: User,
    interaction: Interaction | None = None,
) -> HealthCheck:
    if checked_on > today():
        raise ValidationError(_("A health check cannot be dated in the future."), "occurred_on")
    check = HealthCheck(
        company=company,
        interaction=interaction,
        checked_on=checked_on,
        recorded_by=actor,
        turnover_trend=answers.turnover_trend,
        orders_trend=answers.orders_trend,
        employment_trend=answers.employment_trend,
        outlook=answers.outlook,
        short_time_work=answers.short_time_work,
        liquidity=answers.liquidity,
        risk_level=answers.risk_level,
        risk_reasons=sorted(set(answers.risk_reasons)),
        comment=answers.comment.strip(),
    )
    db.session.add(check)
    audit.record(actor, "create", check, audit.diff({}, audit.snapshot(check, HEALTH_FIELDS)))
    return check


def log_interaction(
    *,
    company: Company,
    occurred_on: date,
    type: InteractionType,
    actor: User,
    summary: str = "",
    people: Sequence[Person] = (),
    health: HealthAnswers | None = None,
    needs: Sequence[NeedInput] = (),
    followup: FollowUpInput | None = None,
) -> Interaction:
    """Record a contact and everything learnt at it, in the caller's one transaction."""
    if not actor.is_staff:
        raise NotAllowed(_("Viewers cannot log contacts."))
    if occurred_on > today():
        raise ValidationError(_("The date of a contact cannot be in the future."), "occurred_on")
    if company.archived:
        raise ValidationError(
            _("This company is archived; restore it before logging a contact."), "company"
        )
    _check_people(company, people)
    interaction = Interaction(
        company=company,
        occurred_on=occurred_on,
        type=type,
        advisor=actor,
        summary=summary.strip(),
        people=list(people),
    )
    db.session.add(interaction)
    db.session.flush()  # the ids of its company and advisor, for the audit entry
    audit.record(
        actor,
        "create",
        interaction,
        audit.diff({}, audit.snapshot(interaction, INTERACTION_FIELDS)),
    )
    if health is not None and not health.is_empty():
        record_health_check(
            company=company,
            checked_on=occurred_on,
            answers=health,
            actor=actor,
            interaction=interaction,
        )
    first_need = None
    for need_input in needs:
        need = identify_need(
            company=company,
            category=need_input.category,
            description=need_input.description,
            urgency=need_input.urgency,
            identified_on=occurred_on,
            interaction=interaction,
            actor=actor,
        )
        first_need = first_need or need
        for solution_input in need_input.solutions:
            suggest_solution(
                need=need,
                instrument=solution_input.instrument,
                partner=solution_input.partner,
                amount_requested=solution_input.amount_requested,
                suggested_on=occurred_on,
                actor=actor,
            )
    if followup is not None:
        create_followup(
            company=company,
            title=followup.title,
            due_on=followup.due_on,
            assignee=followup.assignee,
            interaction=interaction,
            need=first_need,
            actor=actor,
        )
    db.session.flush()
    return interaction


def update_interaction(
    interaction: Interaction,
    *,
    occurred_on: date,
    type: InteractionType,
    summary: str,
    people: Sequence[Person],
    actor: User,
    version: Any = UNCHECKED,
) -> Interaction:
    """Change the contact itself; its health check keeps its answers and follows its date."""
    return revise_interaction(
        interaction,
        occurred_on=occurred_on,
        type=type,
        summary=summary,
        people=people,
        health=None,
        actor=actor,
        version=version,
    )


def _set_archived(interaction: Interaction, archived: bool, *, actor: User) -> None:
    """Archive or restore a contact together with the health check taken at it, audited."""
    _ensure_can_edit(actor, interaction)
    action = "archive" if archived else "restore"
    for record in (interaction, interaction.health_check):
        if record is not None and record.archived != archived:
            record.archived = archived
            audit.record(actor, action, record, {"archived": [not archived, archived]})
    db.session.flush()


def archive_interaction(interaction: Interaction, *, actor: User) -> None:
    """Hide a contact and its health check from every page and figure; needs and follow-ups
    stay. Nothing is deleted: `restore_interaction` brings both back (tracker.archiving)."""
    _set_archived(interaction, True, actor=actor)


def restore_interaction(interaction: Interaction, *, actor: User) -> None:
    """Bring back an archived contact and its health check."""
    _set_archived(interaction, False, actor=actor)


def _save_health_check(
    interaction: Interaction, answers: HealthAnswers | None, *, actor: User
) -> dict[str, list[Any]]:
    """Bring the contact's health check in line with `answers` (None: keep them) and with the
    contact's date: record, change or remove it, audited on the check. Its changed fields."""
    check = interaction.health_check
    if check is None:
        if answers is None or answers.is_empty():
            return {}
        check = record_health_check(
            company=interaction.company,
            checked_on=interaction.occurred_on,
            answers=answers,
            actor=actor,
            interaction=interaction,
        )
        return audit.diff({}, audit.snapshot(check, HEALTH_FIELDS))
    before = audit.snapshot(check, HEALTH_FIELDS)
    if answers is not None and answers.is_empty():
        # Nothing is hard-deleted: the emptied check is archived (it counts nowhere) and
        # detached from the contact, so that a new one can be recorded at this contact later.
        check.archived = True
        interaction.health_check = None
        audit.record(
            actor,
            "archive",
            check,
            {"archived": [False, True], "interaction": [interaction.id, None]},
        )
        return audit.removed(before)
    check.checked_on = interaction.occurred_on
    if answers is not None:
        for name in ANSWER_FIELDS:
            setattr(check, name, getattr(answers, name))
        check.risk_reasons = sorted(set(answers.risk_reasons))
        check.comment = answers.comment.strip()
    changes = audit.diff(before, audit.snapshot(check, HEALTH_FIELDS))
    if changes:
        audit.record(actor, "update", check, changes)
    return changes


def revise_interaction(
    interaction: Interaction,
    *,
    occurred_on: date,
    type: InteractionType,
    summary: str,
    people: Sequence[Person],
    health: HealthAnswers | None,
    actor: User,
    version: Any = UNCHECKED,
) -> Interaction:
    """The edit page's one write: the contact and its health check, refused if changed meanwhile.

    The contact's version stands for both: a change to the check-in gives the contact a new
    version too, and the contact's audit entry lists the check-in's changed answers with its
    own fields, so that someone editing the contact is told about either.
    """
    _ensure_can_edit(actor, interaction)
    check_version(interaction, version, _("contact"))
    if occurred_on > today():
        raise ValidationError(_("The date of a contact cannot be in the future."), "occurred_on")
    _check_people(interaction.company, people)
    before = audit.snapshot(interaction, INTERACTION_FIELDS)
    interaction.occurred_on = occurred_on
    interaction.type = type
    interaction.summary = summary.strip()
    interaction.people = list(people)
    changes = audit.diff(before, audit.snapshot(interaction, INTERACTION_FIELDS))
    health_changes = _save_health_check(interaction, health, actor=actor)
    # The check-in's date follows the contact's, which the entry already says.
    changes.update((k, v) for k, v in health_changes.items() if k != "checked_on")
    if changes:
        # The people met and the check-in live in other tables: mark the contact as changed.
        interaction.updated_at = utcnow()
        audit.record(actor, "update", interaction, changes)
    db.session.flush()
    return interaction


def match_companies(text: str, limit: int = 10) -> list[Company]:
    """Non-archived companies that `text` names, for the form without JavaScript.

    An exact RCS number or name wins; otherwise every company whose name or RCS number contains
    the text, names starting with it first. Up to `limit` + 1 are returned, so that the caller
    can tell that there are more.
    """
    text = " ".join(text.split())[:200]
    if not text:
        return []
    active = sa.select(Company).where(Company.archived.is_(False))
    compact = re.sub(r"[\s.\-]", "", text).upper()
    if re.fullmatch(r"B?\d+", compact):
        rcs = compact if compact.startswith("B") else f"B{compact}"
        found = db.session.scalars(active.where(Company.rcs_number == rcs)).all()
        if found:
            return list(found)
    lowered = text.lower()
    legal, trade = sa.func.lower(Company.legal_name), sa.func.lower(Company.trade_name)
    found = db.session.scalars(
        active.where(sa.or_(legal == lowered, trade == lowered))
        .order_by(Company.legal_name, Company.id)
        .limit(limit + 1)
    ).all()
    if found:
        return list(found)
    conditions = [
        legal.contains(lowered, autoescape=True),
        trade.contains(lowered, autoescape=True),
    ]
    if compact:
        conditions.append(Company.rcs_number.contains(compact, autoescape=True))
    starts = sa.case((legal.startswith(lowered, autoescape=True), 0), else_=1)
    return list(
        db.session.scalars(
            active.where(sa.or_(*conditions)).order_by(starts, legal, Company.id).limit(limit + 1)
        )
    )
