"""The contact log: interactions and the health check-ins recorded with them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import (
    LabelledEnum,
    Liquidity,
    RiskLevel,
    Trend,
    Versioned,
    enum_column,
    utcnow,
)

if TYPE_CHECKING:
    from tracker.models.company import Company, Person
    from tracker.models.user import User


class InteractionType(LabelledEnum):
    CALL = "call", _l("Call")
    VISIT = "visit", _l("Visit")
    MEETING = "meeting", _l("Meeting")
    EMAIL = "email", _l("E-mail")
    EVENT = "event", _l("Event")


interaction_people = sa.Table(
    "interaction_people",
    db.metadata,
    sa.Column(
        "interaction_id", sa.ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_interaction_people_person_id", "person_id"),
)


class Interaction(Versioned, db.Model):
    __tablename__ = "interactions"
    __table_args__ = (
        # A company's contacts by date (timeline, latest contact, "contacted lately", the
        # report's contacts by type) from the index alone; it replaces the (company_id,
        # occurred_on) index of revision 0001 and the one without `type` of revision 0004.
        sa.Index(
            "ix_interactions_company_occurred_type",
            "company_id",
            "occurred_on",
            "archived",
            "type",
        ),
        # The count of a company's archived contacts, without reading its live ones.
        sa.Index("ix_interactions_company_archived", "company_id", "archived"),
        sa.Index("ix_interactions_advisor_occurred", "advisor_id", "occurred_on"),
        # A period's contacts, with who logged them for which company, from the index alone
        # (the workload's contacts per advisor, the report's month); it replaces the
        # (occurred_on) index of revision 0001.
        sa.Index(
            "ix_interactions_occurred_advisor_company",
            "occurred_on",
            "advisor_id",
            "company_id",
            "archived",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date]
    type: Mapped[InteractionType] = mapped_column(enum_column(InteractionType, 16))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    advisor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Archived contacts are hidden everywhere but stay restorable; only an admin purge deletes.
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    company: Mapped[Company] = relationship()
    advisor: Mapped[User] = relationship()
    people: Mapped[list[Person]] = relationship(secondary=interaction_people)
    health_check: Mapped[HealthCheck | None] = relationship(back_populates="interaction")


class HealthCheck(Versioned, db.Model):
    """A company's health as judged at one contact; a missing answer is stored as NULL."""

    __tablename__ = "health_checks"
    __table_args__ = (
        # A company's checks by date and its latest assessed risk, from the index alone; it
        # replaces the (company_id, checked_on) index of revision 0001.
        sa.Index(
            "ix_health_checks_company_latest",
            "company_id",
            "checked_on",
            "id",
            "risk_level",
            "archived",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interactions.id", ondelete="SET NULL"), unique=True
    )
    checked_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    turnover_trend: Mapped[Trend | None] = mapped_column(enum_column(Trend, 8))
    orders_trend: Mapped[Trend | None] = mapped_column(enum_column(Trend, 8))
    employment_trend: Mapped[Trend | None] = mapped_column(enum_column(Trend, 8))
    outlook: Mapped[Trend | None] = mapped_column(enum_column(Trend, 8))
    short_time_work: Mapped[bool | None]
    liquidity: Mapped[Liquidity | None] = mapped_column(enum_column(Liquidity, 16))
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel, 16))
    # A list of RiskReason values.
    risk_reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # Archived with its contact; excluded from every figure until restored.
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    company: Mapped[Company] = relationship()
    recorded_by: Mapped[User] = relationship()
    interaction: Mapped[Interaction | None] = relationship(back_populates="health_check")
