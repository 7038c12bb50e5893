"""Follow-ups: dated next steps with an owner, and the private calendar feed of them."""

from __future__ import annotations

from datetime import date

from tracker import audit
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import (
    Company,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    Role,
    Solution,
    User,
)
from tracker.models.user import new_token

FOLLOWUP_FIELDS = ["title", "due_on", "assignee_id", "status", "done_on", "notes"]


def _check_assignee(assignee: User) -> None:
    if not assignee.active or assignee.role is Role.VIEWER:
        raise ValidationError("Assign the follow-up to an active advisor or manager.", "assignee")


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
        raise ValidationError("Say what is to be done.", "title")
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
    audit.record(
        actor, "create", followup, audit.diff({}, audit.snapshot(followup, FOLLOWUP_FIELDS))
    )
    return followup


def _change(followup: FollowUp, actor: User, **values: object) -> FollowUp:
    before = audit.snapshot(followup, FOLLOWUP_FIELDS)
    for name, value in values.items():
        setattr(followup, name, value)
    changes = audit.diff(before, audit.snapshot(followup, FOLLOWUP_FIELDS))
    if changes:
        audit.record(actor, "update", followup, changes)
    return followup


def _ensure_open(followup: FollowUp) -> None:
    if followup.status is not FollowUpStatus.OPEN:
        raise ValidationError(f"This follow-up is already {followup.status.label.lower()}.")


def complete_followup(followup: FollowUp, *, on: date, actor: User) -> FollowUp:
    _ensure_open(followup)
    return _change(followup, actor, status=FollowUpStatus.DONE, done_on=on)


def cancel_followup(followup: FollowUp, *, actor: User) -> FollowUp:
    _ensure_open(followup)
    return _change(followup, actor, status=FollowUpStatus.CANCELLED, done_on=None)


def reopen_followup(followup: FollowUp, *, actor: User) -> FollowUp:
    return _change(followup, actor, status=FollowUpStatus.OPEN, done_on=None)


def reschedule_followup(followup: FollowUp, due_on: date, *, actor: User) -> FollowUp:
    _ensure_open(followup)
    return _change(followup, actor, due_on=due_on)


def reassign_followup(followup: FollowUp, assignee: User, *, actor: User) -> FollowUp:
    _ensure_open(followup)
    _check_assignee(assignee)
    return _change(followup, actor, assignee_id=assignee.id, assignee=assignee)


def regenerate_calendar_token(user: User) -> str:
    """Give the user a new secret feed URL; the old one stops working at once."""
    user.calendar_token = new_token()
    db.session.flush()
    return user.calendar_token
