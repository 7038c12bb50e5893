"""Follow-ups: dated next steps with an owner, and the private calendar feed of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit
from tracker.common.errors import NotAllowed, ValidationError
from tracker.common.versions import UNCHECKED, check_version
from tracker.extensions import db
from tracker.models import (
    Company,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    NeedStatus,
    Role,
    Solution,
    User,
)
from tracker.models.user import new_token

FOLLOWUP_FIELDS = ["title", "due_on", "assignee_id", "status", "done_on", "notes"]


def _check_assignee(assignee: User) -> None:
    if not assignee.active or assignee.role is Role.VIEWER:
        raise ValidationError(
            _("Assign the follow-up to an active advisor or manager."), "assignee"
        )


def create_followup(
    *,
    company: Company,
    title: str,
    due_on: date,
    assignee: User,
    actor: User,
    need: Need | None = None,
    solution: Solution | None = None,
    interaction: Interaction | None = None,
    notes: str = "",
) -> FollowUp:
    title = title.strip()
    if not title:
        raise ValidationError(_("Say what is to be done."), "title")
    _check_assignee(assignee)
    followup = FollowUp(
        company=company,
        title=title,
        due_on=due_on,
        assignee=assignee,
        need=need,
        solution=solution,
        interaction=interaction,
        notes=notes.strip(),
        created_by=actor,
    )
    db.session.add(followup)
    db.session.flush()  # its assignee's id and its default status, for the audit entry
    audit.record(
        actor, "create", followup, audit.diff({}, audit.snapshot(followup, FOLLOWUP_FIELDS))
    )
    return followup


def _change(followup: FollowUp, actor: User, version: Any, **values: object) -> FollowUp:
    """Apply `values` (only to an open follow-up, unless reopening it), audited."""
    check_version(followup, version, _("follow-up"))
    if values.get("status") is not FollowUpStatus.OPEN:
        _ensure_open(followup)
    if "assignee" in values:
        _check_assignee(values["assignee"])  # type: ignore[arg-type]
    before = audit.snapshot(followup, FOLLOWUP_FIELDS)
    for name, value in values.items():
        setattr(followup, name, value)
    changes = audit.diff(before, audit.snapshot(followup, FOLLOWUP_FIELDS))
    if changes:
        audit.record(actor, "update", followup, changes)
    return followup


def _ensure_open(followup: FollowUp) -> None:
    # One sentence per status: French and German agree the adjective with "follow-up".
    if followup.status is FollowUpStatus.DONE:
        raise ValidationError(_("This follow-up is already done."))
    if followup.status is FollowUpStatus.CANCELLED:
        raise ValidationError(_("This follow-up is already cancelled."))


def complete_followup(
    followup: FollowUp, *, on: date, actor: User, version: Any = UNCHECKED
) -> FollowUp:
    return _change(followup, actor, version, status=FollowUpStatus.DONE, done_on=on)


def cancel_followup(followup: FollowUp, *, actor: User, version: Any = UNCHECKED) -> FollowUp:
    return _change(followup, actor, version, status=FollowUpStatus.CANCELLED, done_on=None)


def reopen_followup(followup: FollowUp, *, actor: User, version: Any = UNCHECKED) -> FollowUp:
    return _change(followup, actor, version, status=FollowUpStatus.OPEN, done_on=None)


def reschedule_followup(
    followup: FollowUp, due_on: date, *, actor: User, version: Any = UNCHECKED
) -> FollowUp:
    return _change(followup, actor, version, due_on=due_on)


def reassign_followup(
    followup: FollowUp, assignee: User, *, actor: User, version: Any = UNCHECKED
) -> FollowUp:
    return _change(followup, actor, version, assignee_id=assignee.id, assignee=assignee)


def regenerate_calendar_token(user: User) -> str:
    """Give the user a new secret feed URL; the old one stops working at once."""
    user.calendar_token = new_token()
    db.session.flush()
    return user.calendar_token


def may_act_on(user: User, followup: FollowUp) -> bool:
    """Every advisor, manager and admin (DESIGN.md 3: advisors edit follow-ups); not viewers.

    A colleague may close or reschedule a follow-up while its assignee is away; the audit trail
    and the History view say who did.
    """
    del followup  # the rule does not depend on the follow-up, only on the role
    return user.is_staff


def check_may_act(followup: FollowUp, actor: User) -> None:
    if not may_act_on(actor, followup):
        raise NotAllowed(_("Only advisors, managers and admins may change follow-ups."))


# Reads behind the pages and the calendar feed.


def active_staff() -> sa.Select[tuple[int, str]]:
    """Users to whom work can be assigned: active, and not viewers; by name. Their ids and names
    only: an agency may have hundreds of them, and every form that assigns work lists them."""
    return (
        sa.select(User.id, User.name)
        .where(User.active.is_(True), User.role != Role.VIEWER)
        .order_by(User.name, User.id)
    )


def _with_links(query: sa.Select[tuple[FollowUp]]) -> sa.Select[tuple[FollowUp]]:
    return query.options(
        joinedload(FollowUp.company),
        joinedload(FollowUp.need).joinedload(Need.category),
        joinedload(FollowUp.solution).joinedload(Solution.instrument),
    )


def open_followups(assignee_id: int) -> sa.Select[tuple[FollowUp]]:
    """The assignee's open follow-ups, soonest due first, with their company, need, solution."""
    return _with_links(
        sa.select(FollowUp)
        .where(FollowUp.assignee_id == assignee_id, FollowUp.status == FollowUpStatus.OPEN)
        .order_by(FollowUp.due_on, FollowUp.id)
    )


def recently_completed(assignee_id: int, since: date) -> sa.Select[tuple[FollowUp]]:
    """The assignee's follow-ups done on or after `since`, latest first."""
    return _with_links(
        sa.select(FollowUp)
        .where(
            FollowUp.assignee_id == assignee_id,
            FollowUp.status == FollowUpStatus.DONE,
            FollowUp.done_on >= since,
        )
        .order_by(FollowUp.done_on.desc(), FollowUp.id.desc())
    )


def followups_of_need(need_id: int) -> sa.Select[tuple[FollowUp]]:
    """The follow-ups that belong to a need or one of its solutions, open ones first."""
    return (
        sa.select(FollowUp)
        .outerjoin(Solution, FollowUp.solution_id == Solution.id)
        .where(sa.or_(FollowUp.need_id == need_id, Solution.need_id == need_id))
        .options(joinedload(FollowUp.assignee))
        .order_by(FollowUp.status != FollowUpStatus.OPEN, FollowUp.due_on, FollowUp.id)
    )


@dataclass
class DueGroups:
    """Open follow-ups by when they are due, relative to one day."""

    overdue: list[FollowUp] = field(default_factory=list)
    today: list[FollowUp] = field(default_factory=list)
    this_week: list[FollowUp] = field(default_factory=list)
    later: list[FollowUp] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.today or self.this_week or self.later)


def group_by_due(followups: list[FollowUp], on: date) -> DueGroups:
    """Overdue (before `on`), today, this week (until Sunday), later."""
    sunday = on + timedelta(days=6 - on.weekday())
    groups = DueGroups()
    for followup in followups:
        if followup.due_on < on:
            groups.overdue.append(followup)
        elif followup.due_on == on:
            groups.today.append(followup)
        elif followup.due_on <= sunday:
            groups.this_week.append(followup)
        else:
            groups.later.append(followup)
    return groups


def calendar_owner(token: str) -> sa.Select[tuple[User]]:
    """The active staff member whose calendar feed this secret opens."""
    return sa.select(User).where(
        User.calendar_token == token, User.active.is_(True), User.role != Role.VIEWER
    )


def open_needs_of(company_id: int) -> sa.Select[tuple[Need]]:
    """A company's open needs with their solutions, to link a follow-up to; newest first."""
    return (
        sa.select(Need)
        .where(
            Need.company_id == company_id,
            Need.status.in_([NeedStatus.OPEN, NeedStatus.IN_PROGRESS]),
        )
        .options(
            joinedload(Need.category),
            selectinload(Need.solutions).joinedload(Solution.instrument),
        )
        .order_by(Need.identified_on.desc(), Need.id.desc())
    )
