"""Needs and the solutions suggested for them: identify, suggest, move through their statuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit, dates
from tracker.common.errors import ValidationError
from tracker.common.versions import UNCHECKED, check_version
from tracker.extensions import db
from tracker.models import (
    Company,
    Instrument,
    Interaction,
    Need,
    NeedCategory,
    NeedStatus,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Urgency,
    User,
)
from tracker.templating import format_day

NEED_FIELDS = ["category", "description", "urgency", "status", "identified_on", "resolved_on",
               "closed_on", "outcome", "owner_id"]  # fmt: skip
SOLUTION_FIELDS = ["instrument", "partner", "status", "amount_requested", "amount_granted",
                   "suggested_on", "decided_on", "notes"]  # fmt: skip
CHANGE_IN_FUTURE = _l("The date of the change cannot be in the future.")


def _not_in_future(on: date, field: str, message: LazyString) -> None:
    if on > dates.today():
        raise ValidationError(str(message), field)


def _amount(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise ValidationError(_("An amount cannot be negative."), field)
    if value >= Decimal("1e11"):
        raise ValidationError(_("That amount is too large."), field)
    return value.quantize(Decimal("0.01"))


def identify_need(
    *,
    company: Company,
    category: NeedCategory,
    identified_on: date,
    actor: User,
    description: str = "",
    urgency: Urgency = Urgency.NORMAL,
    interaction: Interaction | None = None,
    owner: User | None = None,
) -> Need:
    """Record a need the company has; it starts open."""
    _not_in_future(
        identified_on,
        "identified_on",
        _l("The date a need was identified cannot be in the future."),
    )
    need = Need(
        company=company,
        category=category,
        description=description.strip(),
        urgency=urgency,
        status=NeedStatus.OPEN,
        identified_on=identified_on,
        interaction=interaction,
        owner=owner or actor,
    )
    db.session.add(need)
    db.session.flush()  # its owner's id, for the audit entry
    audit.record(actor, "create", need, audit.diff({}, audit.snapshot(need, NEED_FIELDS)))
    return need


def change_need_status(
    need: Need,
    status: NeedStatus,
    *,
    on: date,
    actor: User,
    outcome: str = "",
    version: Any = UNCHECKED,
) -> Need:
    """Move a need to `status`; resolving or closing it dates it and keeps the outcome."""
    check_version(need, version, _("need"))
    _not_in_future(on, "on", CHANGE_IN_FUTURE)
    if on < need.identified_on:
        raise ValidationError(_("The date cannot be before the need was identified."), "on")
    before = audit.snapshot(need, NEED_FIELDS)
    need.status = status
    need.resolved_on = on if status is NeedStatus.RESOLVED else None
    need.closed_on = on if status is NeedStatus.CLOSED_UNRESOLVED else None
    if outcome.strip() or not status.is_open:
        need.outcome = outcome.strip()
    changes = audit.diff(before, audit.snapshot(need, NEED_FIELDS))
    if changes:
        audit.record(actor, "update", need, changes)
    return need


def suggest_solution(
    *,
    need: Need,
    suggested_on: date,
    actor: User,
    instrument: Instrument | None = None,
    partner: str | None = None,
    amount_requested: Decimal | None = None,
    notes: str = "",
) -> Solution:
    """Suggest an instrument or a referral to a partner as an answer to a need."""
    partner = (partner or "").strip() or None
    if instrument is None and partner is None:
        raise ValidationError(_("Choose an instrument or name a partner."), "instrument")
    _not_in_future(
        suggested_on, "suggested_on", _l("The date of the suggestion cannot be in the future.")
    )
    solution = Solution(
        need=need,
        instrument=instrument,
        partner=partner,
        status=SolutionStatus.SUGGESTED,
        amount_requested=_amount(amount_requested, "amount_requested"),
        suggested_on=suggested_on,
        notes=notes.strip(),
        created_by=actor,
    )
    solution.changes.append(
        SolutionStatusChange(
            from_status=None,
            to_status=SolutionStatus.SUGGESTED,
            changed_on=suggested_on,
            changed_by=actor,
        )
    )
    db.session.add(solution)
    audit.record(
        actor, "create", solution, audit.diff({}, audit.snapshot(solution, SOLUTION_FIELDS))
    )
    if need.status is NeedStatus.OPEN:
        need.status = NeedStatus.IN_PROGRESS
        audit.record(actor, "update", need, {"status": ["open", "in_progress"]})
    return solution


def change_solution_status(
    solution: Solution,
    status: SolutionStatus,
    *,
    on: date,
    actor: User,
    amount_requested: Decimal | None = None,
    amount_granted: Decimal | None = None,
    note: str = "",
    version: Any = UNCHECKED,
) -> Solution:
    """Move a solution to `status` on date `on`, keeping the change with its author.

    The same status again only updates the amounts. A decision (granted, rejected, dropped) dates
    the solution; moving back to an open status clears that date.
    """
    check_version(solution, version, _("solution"))
    _not_in_future(on, "on", CHANGE_IN_FUTURE)
    if on < solution.suggested_on:
        raise ValidationError(_("The date cannot be before the solution was suggested."), "on")
    if status is not solution.status and on < solution.status_since:
        # Statuses follow one another; so from status_since on, a solution's status at a date
        # is its current one (see reports.figures.solution_status_at).
        message = _(
            "The date cannot be before its current status began (%(day)s).",
            day=format_day(solution.status_since),
        )
        raise ValidationError(message, "on")
    if amount_granted is not None and status is not SolutionStatus.GRANTED:
        raise ValidationError(_("Only a granted solution has a granted amount."), "amount_granted")
    before = audit.snapshot(solution, SOLUTION_FIELDS)
    if amount_requested is not None:
        solution.amount_requested = _amount(amount_requested, "amount_requested")
    if amount_granted is not None:
        solution.amount_granted = _amount(amount_granted, "amount_granted")
    if status is not solution.status:
        solution.changes.append(
            SolutionStatusChange(
                from_status=solution.status,
                to_status=status,
                changed_on=on,
                changed_by=actor,
                note=note.strip(),
            )
        )
        solution.status = status
        solution.decided_on = on if status.is_decided else None
        if status is not SolutionStatus.GRANTED:
            solution.amount_granted = None
    changes = audit.diff(before, audit.snapshot(solution, SOLUTION_FIELDS))
    if changes:
        audit.record(actor, "update", solution, changes)
    return solution


def update_need(
    need: Need,
    *,
    description: str,
    urgency: Urgency,
    owner: User | None,
    actor: User,
    version: Any = UNCHECKED,
) -> Need:
    """Edit what a need is about, how urgent it is and who owns it; audited."""
    check_version(need, version, _("need"))
    if owner is not None and owner.id != need.owner_id and (not owner.active or not owner.is_staff):
        raise ValidationError(_("The owner must be an active advisor, manager or admin."), "owner")
    before = audit.snapshot(need, NEED_FIELDS)
    need.description = description.strip()
    need.urgency = urgency
    need.owner = owner
    need.owner_id = owner.id if owner is not None else None
    changes = audit.diff(before, audit.snapshot(need, NEED_FIELDS))
    if changes:
        audit.record(actor, "update", need, changes)
    return need


# Reads behind the pages.


def need_detail(need_id: int) -> sa.Select[tuple[Need]]:
    """One need with its company, category, owner and every solution with its history."""
    return (
        sa.select(Need)
        .where(Need.id == need_id)
        .options(
            joinedload(Need.company),
            joinedload(Need.category),
            joinedload(Need.owner),
            selectinload(Need.solutions).options(
                joinedload(Solution.instrument),
                selectinload(Solution.changes).joinedload(SolutionStatusChange.changed_by),
            ),
        )
    )


def solution_detail(solution_id: int) -> sa.Select[tuple[Solution]]:
    """One solution with its need, company, instrument and history."""
    return (
        sa.select(Solution)
        .where(Solution.id == solution_id)
        .options(
            joinedload(Solution.need).options(joinedload(Need.company), joinedload(Need.category)),
            joinedload(Solution.instrument),
            joinedload(Solution.created_by),
            selectinload(Solution.changes).joinedload(SolutionStatusChange.changed_by),
        )
    )


def offered_instruments(on: date) -> sa.Select[tuple[Instrument]]:
    """The instruments that may be suggested on `on`: those active that day, by name."""
    return (
        sa.select(Instrument)
        .where(
            sa.or_(Instrument.active_from.is_(None), Instrument.active_from <= on),
            sa.or_(Instrument.active_to.is_(None), Instrument.active_to >= on),
        )
        .order_by(Instrument.name)
    )
