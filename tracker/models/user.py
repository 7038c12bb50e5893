"""Users, their roles and the clusters they work in."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import LabelledEnum, Versioned, enum_column, utcnow

if TYPE_CHECKING:
    from tracker.models.cluster import Cluster


class Role(LabelledEnum):
    ADMIN = "admin", _l("Admin")
    MANAGER = "manager", _l("Manager")
    ADVISOR = "advisor", _l("Advisor")
    VIEWER = "viewer", _l("Viewer")


user_clusters = sa.Table(
    "user_clusters",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("cluster_id", sa.ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(Versioned, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, 16), default=Role.ADVISOR)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # What Flask-Login stores in the session; rotating it ends every open session of the user.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    # The secret in the URL of the user's iCalendar feed of open follow-ups; None until asked for.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # "en", "fr" or "de"; None follows the browser (Accept-Language; see tracker.i18n).
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    clusters: Mapped[list[Cluster]] = relationship(
        secondary=user_clusters, back_populates="users", order_by="Cluster.name"
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def rotate_session_token(self) -> None:
        self.session_token = new_token()

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_manage(self) -> bool:
        """Managers and admins review every cluster's pipeline and finalise reports."""
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def is_staff(self) -> bool:
        """Everyone who works with company records: all roles but viewer."""
        return self.role is not Role.VIEWER


# The workload's totals per advisor, kept from the records (tracker/pipeline/totals.py keeps
# them): summed over hundreds of advisors they are a few hundred rows, where worked out they
# read every company and every contact of the period.

# Per day and advisor: the contacts (not archived) they logged of portfolio companies (neither
# archived nor closed). Without a rowid on SQLite: the rows are read in key order.
workload_contacts = sa.Table(
    "workload_contacts",
    db.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("advisor_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("contacts", sa.Integer, nullable=False),
    # An advisor's days: the workload's page reads its advisors' rows alone.
    sa.Index("ix_workload_contacts_advisor_day", "advisor_id", "day", "contacts"),
    sqlite_with_rowid=False,
)

# Per due date and assignee: the open follow-ups of portfolio companies (the overdue ones are
# those due before today).
workload_followups = sa.Table(
    "workload_followups",
    db.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("assignee_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("open", sa.Integer, nullable=False),
    sa.Index("ix_workload_followups_assignee_day", "assignee_id", "day", "open"),
    sqlite_with_rowid=False,
)

# Per owner (0: the companies nobody owns): their portfolio companies, and those companies'
# open needs and open solutions today (their facts rows summed); and their companies that are
# not archived, closed ones too (`listed`: the companies list's total).
workload_owners = sa.Table(
    "workload_owners",
    db.metadata,
    sa.Column("owner_key", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("companies", sa.Integer, nullable=False),
    sa.Column("open_needs", sa.Integer, nullable=False),
    sa.Column("open_solutions", sa.Integer, nullable=False),
    sa.Column("listed", sa.Integer, nullable=False),
)
