"""Clusters: the sectors the agency animates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Versioned, utcnow
from tracker.models.user import user_clusters

if TYPE_CHECKING:
    from tracker.models.company import Company
    from tracker.models.user import User


class Cluster(Versioned, db.Model):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    users: Mapped[list[User]] = relationship(secondary=user_clusters, back_populates="clusters")
    companies: Mapped[list[Company]] = relationship(
        secondary="company_clusters", back_populates="clusters"
    )

    def __repr__(self) -> str:
        return f"<Cluster {self.slug}>"
