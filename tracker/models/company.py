"""Companies of the portfolio, their contact persons and the markets they serve."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import LabelledEnum, RiskLevel, Versioned, enum_column, utcnow

if TYPE_CHECKING:
    from tracker.models.cluster import Cluster
    from tracker.models.user import User


class CompanyStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    DORMANT = "dormant", _l("Dormant")
    CLOSED = "closed", _l("Closed")


class LawfulBasis(LabelledEnum):
    """GDPR article 6 grounds for keeping a contact person's data."""

    LEGITIMATE_INTEREST = "legitimate_interest", _l("Legitimate interest")
    CONSENT = "consent", _l("Consent")
    CONTRACT = "contract", _l("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _l("Legal obligation")
    PUBLIC_TASK = "public_task", _l("Public task")


# One row per company: its names, numbers, locality and contact persons, folded, which the
# companies search reads (tracker/companies/search.py keeps it).
company_search = sa.Table(
    "company_search",
    db.metadata,
    sa.Column("company_id", sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    # Whether the company is listed (not archived), and its name as the list sorts it
    # (lower-cased by the database): a search keeps and sorts its matches from these rows
    # alone, without reading every match's company.
    sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("name_key", sa.String(200), nullable=False, server_default=""),
)

# One row per company: facts the companies list filters and sorts on, derived from its
# contacts, health checks and follow-ups (tracker/companies/facts.py keeps it): reading them
# here costs one index range, where working them out reads every company's history.
company_facts = sa.Table(
    "company_facts",
    db.metadata,
    sa.Column("company_id", sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    # The date of its latest contact that is not archived.
    sa.Column("last_contact_on", sa.Date),
    # The risk level of its latest health check (not archived) that assessed one.
    sa.Column("latest_risk", enum_column(RiskLevel, 16)),
    # The due date of its earliest open follow-up.
    sa.Column("next_followup_on", sa.Date),
    # Its needs neither resolved nor closed, and their solutions not decided, today (no date
    # can be in the future): the workload's counts.
    sa.Column("open_needs", sa.Integer, nullable=False, server_default="0"),
    sa.Column("open_solutions", sa.Integer, nullable=False, server_default="0"),
    # The company's own listed (not archived), status and sorting name, as in company_search:
    # the risk and silence filters and the sorts by contact keep and order from these rows
    # alone.
    sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("status", enum_column(CompanyStatus, 16), nullable=False, server_default="active"),
    sa.Column("name_key", sa.String(200), nullable=False, server_default=""),
    sa.Index("ix_company_facts_risk_contact", "latest_risk", "last_contact_on"),
    sa.Index("ix_company_facts_last_contact_on", "last_contact_on"),
)

company_clusters = sa.Table(
    "company_clusters",
    db.metadata,
    sa.Column("company_id", sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("cluster_id", sa.ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_company_clusters_cluster_id", "cluster_id"),
)

company_markets = sa.Table(
    "company_markets",
    db.metadata,
    sa.Column("company_id", sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("market_id", sa.ForeignKey("markets.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_company_markets_market_id", "market_id"),
)


class Market(Versioned, db.Model):
    """A market tag (automotive, aeronautics, ...), managed by admins."""

    __tablename__ = "markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Market {self.slug}>"


class Company(Versioned, db.Model):
    __tablename__ = "companies"
    # The companies list's order (case-blind name, then id), read in order rather than sorted.
    __table_args__ = (sa.Index("ix_companies_list_order", sa.func.lower("legal_name"), "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    trade_name: Mapped[str | None] = mapped_column(sa.String(200))
    # Luxembourg trade register number, the natural key when present.
    rcs_number: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    vat_number: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    nace_code: Mapped[str | None] = mapped_column(sa.String(8))
    employees: Mapped[int | None]
    street: Mapped[str | None] = mapped_column(sa.String(200))
    postal_code: Mapped[str | None] = mapped_column(sa.String(16))
    locality: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2), default="LU")
    website: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[CompanyStatus] = mapped_column(
        enum_column(CompanyStatus, 16), default=CompanyStatus.ACTIVE
    )
    archived: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    owner: Mapped[User | None] = relationship()
    clusters: Mapped[list[Cluster]] = relationship(
        secondary=company_clusters, back_populates="companies", order_by="Cluster.name"
    )
    markets: Mapped[list[Market]] = relationship(secondary=company_markets, order_by="Market.name")
    people: Mapped[list[Person]] = relationship(
        back_populates="company", order_by="Person.name", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        if self.trade_name and self.trade_name != self.legal_name:
            return f"{self.legal_name} ({self.trade_name})"
        return self.legal_name

    def __repr__(self) -> str:
        return f"<Company {self.legal_name}>"


class Person(Versioned, db.Model):
    """A contact person at a company."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    job_title: Mapped[str | None] = mapped_column(sa.String(160))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    lawful_basis: Mapped[LawfulBasis] = mapped_column(
        enum_column(LawfulBasis, 32), default=LawfulBasis.LEGITIMATE_INTEREST
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    # Set when the person's data was erased (GDPR): the row stays, anonymised, for statistics.
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    company: Mapped[Company] = relationship(back_populates="people")

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


class PersonErasure(db.Model):
    """The trace an erasure leaves: digests only, so an import can warn before re-creating."""

    __tablename__ = "person_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    # SHA-256 of the normalised e-mail address and of the folded name, never the values.
    email_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    name_digest: Mapped[str] = mapped_column(sa.String(64), index=True)
