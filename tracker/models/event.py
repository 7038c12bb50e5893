"""Events the cluster organises, and the companies and people who took part."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import LabelledEnum, Versioned, enum_column, utcnow

if TYPE_CHECKING:
    from tracker.models.cluster import Cluster
    from tracker.models.company import Company, Person
    from tracker.models.user import User


class EventFormat(LabelledEnum):
    WEBINAR = "webinar", _l("Webinar")
    ON_SITE = "on_site", _l("On site")


event_companies = sa.Table(
    "event_companies",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("company_id", sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_event_companies_company_id", "company_id"),
)

event_people = sa.Table(
    "event_people",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_event_people_person_id", "person_id"),
)


class Event(Versioned, db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    format: Mapped[EventFormat] = mapped_column(enum_column(EventFormat, 16))
    # Partner organisations, one per line (e.g. "Materalia", "Skywin").
    partners: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clusters.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    cluster: Mapped[Cluster | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    companies: Mapped[list[Company]] = relationship(secondary=event_companies)
    people: Mapped[list[Person]] = relationship(secondary=event_people)

    @property
    def partner_list(self) -> list[str]:
        return [p.strip() for p in self.partners.splitlines() if p.strip()]
