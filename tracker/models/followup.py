"""Follow-ups: dated next steps with an owner, until done."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import LabelledEnum, Versioned, enum_column, utcnow

if TYPE_CHECKING:
    from tracker.models.company import Company
    from tracker.models.interaction import Interaction
    from tracker.models.support import Need, Solution
    from tracker.models.user import User


class FollowUpStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    DONE = "done", _l("Done")
    CANCELLED = "cancelled", _l("Cancelled")


class FollowUp(Versioned, db.Model):
    __tablename__ = "followups"
    __table_args__ = (
        sa.Index("ix_followups_assignee_status_due", "assignee_id", "status", "due_on"),
        sa.Index("ix_followups_company_id", "company_id"),
        # The company page: its open follow-ups by due date, and its timeline (newest first).
        sa.Index("ix_followups_company_status_due", "company_id", "status", "due_on"),
        sa.Index("ix_followups_company_status_done", "company_id", "status", "done_on"),
        sa.Index("ix_followups_company_created", "company_id", "created_at"),
        sa.Index("ix_followups_due_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs.id", ondelete="SET NULL"))
    solution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("solutions.id", ondelete="SET NULL")
    )
    interaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interactions.id", ondelete="SET NULL")
    )
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus, 16), default=FollowUpStatus.OPEN
    )
    done_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    company: Mapped[Company] = relationship()
    need: Mapped[Need | None] = relationship()
    solution: Mapped[Solution | None] = relationship()
    interaction: Mapped[Interaction | None] = relationship()
