"""Reads behind the report pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import defer, joinedload

from tracker.extensions import db
from tracker.models import Cluster, Report, ReportEdition, ReportStatus, User


def _visible_to(user: User) -> list[sa.ColumnElement[bool]]:
    """Viewers see the final ministry edition only; staff see every report."""
    if user.is_staff:
        return []
    return [Report.status == ReportStatus.FINAL, Report.edition == ReportEdition.MINISTRY]


def archive_query(user: User) -> sa.Select[tuple[Report]]:
    """The reports `user` may see, newest month first, with what the archive shows loaded in the
    same statement (and without the PDF bytes and figures it does not show)."""
    return (
        sa.select(Report)
        .where(*_visible_to(user))
        .options(
            defer(Report.pdf),
            defer(Report.figures),
            joinedload(Report.cluster),
            joinedload(Report.generated_by),
            joinedload(Report.finalised_by),
        )
        .order_by(Report.month.desc(), Report.id.desc())
    )


def visible_report_or_404(report_id: int, user: User, *, with_pdf: bool = False) -> Report:
    """The report, if `user` may see it; 404 otherwise, so that a viewer cannot tell a draft or
    an internal edition exists."""
    query = (
        sa.select(Report)
        .where(Report.id == report_id, *_visible_to(user))
        .options(
            joinedload(Report.cluster),
            joinedload(Report.generated_by),
            joinedload(Report.finalised_by),
        )
    )
    if not with_pdf:
        query = query.options(defer(Report.pdf))
    report = db.session.execute(query).unique().scalar_one_or_none()
    if report is None:
        abort(404)
    return report


def cluster_choices() -> list[tuple[str, str]]:
    """(slug, name) of every cluster, by name."""
    rows = db.session.execute(sa.select(Cluster.slug, Cluster.name).order_by(Cluster.name))
    return [(row.slug, row.name) for row in rows]


def cluster_by_slug(slug: str) -> Cluster | None:
    return db.session.execute(sa.select(Cluster).where(Cluster.slug == slug)).scalar_one_or_none()
