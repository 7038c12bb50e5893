"""Needs a company has, the instruments that answer them, and the solutions suggested."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import LabelledEnum, Versioned, enum_column, utcnow

if TYPE_CHECKING:
    from tracker.models.company import Company
    from tracker.models.interaction import Interaction
    from tracker.models.user import User


class Money(sa.types.TypeDecorator):
    """EUR with cents, stored as a whole number of cents (exact on SQLite and PostgreSQL)."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value: int | None, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))


class Urgency(LabelledEnum):
    LOW = "low", _l("Low")
    NORMAL = "normal", _l("Normal")
    HIGH = "high", _l("High")


class NeedStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    IN_PROGRESS = "in_progress", _l("In progress")
    RESOLVED = "resolved", _l("Resolved")
    CLOSED_UNRESOLVED = "closed_unresolved", _l("Closed unresolved")

    @property
    def is_open(self) -> bool:
        return self in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)


class InstrumentKind(LabelledEnum):
    GRANT = "grant", _l("Grant")
    LOAN = "loan", _l("Loan")
    GUARANTEE = "guarantee", _l("Guarantee")
    TAX_CREDIT = "tax_credit", _l("Tax credit")
    ADVISORY_SERVICE = "advisory_service", _l("Advisory service")
    REFERRAL = "referral", _l("Referral to partner")
    EVENT = "event", _l("Event")


class SolutionStatus(LabelledEnum):
    SUGGESTED = "suggested", _l("Suggested")
    IN_PREPARATION = "in_preparation", _l("In preparation")
    SUBMITTED = "submitted", _l("Submitted")
    GRANTED = "granted", _l("Granted")
    REJECTED = "rejected", _l("Rejected")
    DROPPED = "dropped", _l("Dropped")

    @property
    def is_decided(self) -> bool:
        return self in (SolutionStatus.GRANTED, SolutionStatus.REJECTED, SolutionStatus.DROPPED)


class NeedCategory(Versioned, db.Model):
    """The taxonomy of needs, managed by admins; slugs never change."""

    __tablename__ = "need_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<NeedCategory {self.slug}>"


class Instrument(Versioned, db.Model):
    """The catalogue of support instruments, managed by admins."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    provider: Mapped[str] = mapped_column(sa.String(160), default="")
    kind: Mapped[InstrumentKind] = mapped_column(enum_column(InstrumentKind, 24))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]

    def __repr__(self) -> str:
        return f"<Instrument {self.name}>"


class Need(Versioned, db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        sa.Index("ix_needs_company_status", "company_id", "status"),
        sa.Index("ix_needs_identified_on", "identified_on"),
        # The company page's timeline reads each of these dates newest first.
        sa.Index("ix_needs_company_identified", "company_id", "identified_on"),
        sa.Index("ix_needs_company_resolved", "company_id", "resolved_on"),
        sa.Index("ix_needs_company_closed", "company_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("need_categories.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, 8), default=Urgency.NORMAL)
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus, 24), default=NeedStatus.OPEN)
    identified_on: Mapped[date]
    resolved_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    interaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    company: Mapped[Company] = relationship()
    category: Mapped[NeedCategory] = relationship()
    interaction: Mapped[Interaction | None] = relationship()
    owner: Mapped[User | None] = relationship()
    solutions: Mapped[list[Solution]] = relationship(
        back_populates="need", order_by="Solution.suggested_on", cascade="all, delete-orphan"
    )


def _suggestion_date(context: Any) -> date:
    """A solution saved without any status change is in its status since its suggestion."""
    return context.get_current_parameters()["suggested_on"]


class Solution(Versioned, db.Model):
    """A suggested answer to a need: an instrument or a referral to a partner."""

    __tablename__ = "solutions"
    __table_args__ = (
        sa.Index("ix_solutions_status", "status"),
        sa.Index("ix_solutions_suggested_on", "suggested_on"),
        # The pipeline board's columns, longest-waiting (or latest decided) first, read in order.
        sa.Index("ix_solutions_status_since", "status", "status_since", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instruments.id"), index=True)
    partner: Mapped[str | None] = mapped_column(sa.String(160))
    status: Mapped[SolutionStatus] = mapped_column(
        enum_column(SolutionStatus, 24), default=SolutionStatus.SUGGESTED
    )
    amount_requested: Mapped[Decimal | None] = mapped_column("amount_requested_cents", Money)
    amount_granted: Mapped[Decimal | None] = mapped_column("amount_granted_cents", Money)
    suggested_on: Mapped[date]
    decided_on: Mapped[date | None]
    # The date of its latest status change (its suggestion, the first one): "days in status"
    # on the board. Kept by the `changes` append event below; bulk inserts set it themselves.
    status_since: Mapped[date] = mapped_column(default=_suggestion_date)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    need: Mapped[Need] = relationship(back_populates="solutions")
    instrument: Mapped[Instrument | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    changes: Mapped[list[SolutionStatusChange]] = relationship(
        back_populates="solution",
        order_by="SolutionStatusChange.changed_at",
        cascade="all, delete-orphan",
    )

    @property
    def title(self) -> str:
        if self.instrument is not None:
            return self.instrument.name
        return f"Referral: {self.partner}" if self.partner else "Solution"


class SolutionStatusChange(db.Model):
    """Every status a solution went through, with its date and author."""

    __tablename__ = "solution_status_changes"
    __table_args__ = (
        sa.Index("ix_solution_status_changes_to_on", "to_status", "changed_on"),
        # A solution's latest change, and its status at a date (ties: the highest id), read
        # from the index alone.
        sa.Index(
            "ix_solution_status_changes_solution_on", "solution_id", "changed_on", "id", "to_status"
        ),
        # A company's timeline reads its newest changes directly, not through every need.
        sa.Index("ix_solution_status_changes_company_on", "company_id", "changed_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("solutions.id", ondelete="CASCADE"), index=True
    )
    # The company of the solution's need (a need never moves): set on insert, see below.
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    from_status: Mapped[SolutionStatus | None] = mapped_column(enum_column(SolutionStatus, 24))
    to_status: Mapped[SolutionStatus] = mapped_column(enum_column(SolutionStatus, 24))
    changed_on: Mapped[date]
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    solution: Mapped[Solution] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()


@sa.event.listens_for(SolutionStatusChange, "before_insert")
def _company_of_change(_mapper: object, _connection: object, change: SolutionStatusChange) -> None:
    """A change records the company of its solution's need, read in the INSERT itself."""
    if change.company_id is None:
        change.company_id = (  # type: ignore[assignment]
            sa.select(Need.company_id)
            .join(Solution, Solution.need_id == Need.id)
            .where(Solution.id == change.solution_id)
            .scalar_subquery()
        )


@sa.event.listens_for(Solution.changes, "append")
def _keep_status_since(
    solution: Solution, change: SolutionStatusChange, _initiator: object
) -> None:
    """A solution's `status_since` follows the latest date among its status changes."""
    if solution.status_since is None or change.changed_on > solution.status_since:
        solution.status_since = change.changed_on


# The funnel's flows, kept per day (tracker/pipeline/flows.py keeps them): per day and metric
# (suggested, submitted, granted, decided), the solutions of portfolio companies with such an
# event that day, by instrument (or referral partner) and, for decisions, days from
# suggestion; and per pair of a solution's consecutive days of one metric, the same keys,
# which a period holding both days takes off (a solution counts once in a period).
funnel_days = sa.Table(
    "funnel_days",
    db.metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("metric", sa.String(16), nullable=False),
    sa.Column("instrument_id", sa.Integer),
    sa.Column("partner", sa.String(160)),
    sa.Column("days", sa.Integer),
    sa.Column("solutions", sa.Integer, nullable=False),
    sa.Column("cents", sa.BigInteger, nullable=False),
    sa.Index("ix_funnel_days_day", "day"),
)
funnel_repeats = sa.Table(
    "funnel_repeats",
    db.metadata,
    sa.Column("earlier", sa.Date, nullable=False),
    sa.Column("later", sa.Date, nullable=False),
    sa.Column("metric", sa.String(16), nullable=False),
    sa.Column("instrument_id", sa.Integer),
    sa.Column("partner", sa.String(160)),
    sa.Column("days", sa.Integer),
    sa.Column("solutions", sa.Integer, nullable=False),
    sa.Column("cents", sa.BigInteger, nullable=False),
    sa.Index("ix_funnel_repeats_earlier_later", "earlier", "later"),
)

# The board's columns, counted per status and day (tracker/pipeline/columns.py keeps them): the
# solutions of portfolio companies in each status since each day (`Solution.status_since`).
board_days = sa.Table(
    "board_days",
    db.metadata,
    sa.Column("status", sa.String(24), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("solutions", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)
