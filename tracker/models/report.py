"""Monthly sector-health reports and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import (
    LabelledEnum,
    Liquidity,
    RiskLevel,
    Versioned,
    enum_column,
    utcnow,
)

if TYPE_CHECKING:
    from tracker.models.cluster import Cluster
    from tracker.models.user import User


class ReportEdition(LabelledEnum):
    INTERNAL = "internal", _l("Internal")
    MINISTRY = "ministry", _l("Ministry")


class ReportStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    FINAL = "final", _l("Final")


class Report(Versioned, db.Model):
    """A monthly report; once final, its figures and PDF are frozen."""

    __tablename__ = "reports"
    __table_args__ = (sa.Index("ix_reports_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None means every cluster ("all").
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clusters.id"))
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    edition: Mapped[ReportEdition] = mapped_column(enum_column(ReportEdition, 16))
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, 16), default=ReportStatus.DRAFT
    )
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    figures: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    generated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    generated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    cluster: Mapped[Cluster | None] = relationship()
    generated_by: Mapped[User | None] = relationship(foreign_keys=[generated_by_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])

    @property
    def scope(self) -> str:
        return self.cluster.slug if self.cluster is not None else "all"


# The health figures' checks, kept per scope and span of months (tracker/reports/spans.py keeps
# them): the portfolio's checks that are their company's latest at the end of every month from
# span_from to span_to (month numbers, year x 12 + month), counted by answer, for every cluster
# (scope 0) and for each cluster (scope: its id).
SCOPE_ALL = 0
HEALTH_TRENDS = ("turnover", "orders", "employment", "outlook")
HEALTH_COUNTS = (
    "assessed",
    *(f"risk_{level.value}" for level in RiskLevel),
    *(f"liquidity_{answer.value}" for answer in Liquidity),
    "stw_yes",
    "stw_no",
    *(f"{trend}_{count}" for trend in HEALTH_TRENDS for count in ("up", "down", "answered")),
)
# Checks that follow their company's check of the month before (its span reaching the month
# before theirs), by how the risk level moved; neither counts a check or its forerunner without
# a risk level.
RISK_CHANGE_COUNTS = ("worsened", "improved", "same_risk")
health_spans = sa.Table(
    "health_spans",
    db.metadata,
    sa.Column("scope", sa.Integer, primary_key=True),
    sa.Column("span_from", sa.Integer, primary_key=True),
    sa.Column("span_to", sa.Integer, primary_key=True),
    *(sa.Column(name, sa.Integer, nullable=False) for name in HEALTH_COUNTS),
    *(sa.Column(name, sa.Integer, nullable=False) for name in RISK_CHANGE_COUNTS),
    sqlite_with_rowid=False,
)


class AuditEntry(db.Model):
    """Who changed which record, when, and each field's old and new value."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_record", "record_type", "record_id"),
        sa.Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))  # create, update, archive, delete, ...
    record_type: Mapped[str] = mapped_column(sa.String(64))
    record_id: Mapped[int | None]
    # The record's version after this change (tracker.models.base.Versioned), when it has one.
    record_version: Mapped[int | None]
    # {"field": [old, new], ...}
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    user: Mapped[User | None] = relationship()
