"""Writes on monthly reports: generate, regenerate, write the summary, finalise.

Each function takes the acting user, checks what the role allows, flushes and leaves the commit
to the caller. A draft stores its figures (the JSON document) when generated or regenerated; its
PDF is rendered on demand from them. Finalising renders the PDF once and stores it with its
SHA-256: from then on the report never changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from tracker import audit, dates
from tracker.common.errors import NotAllowed, ValidationError
from tracker.common.versions import UNCHECKED, EditConflict, changes_since, check_version
from tracker.dates import AGENCY_TZ
from tracker.extensions import db
from tracker.i18n import DEFAULT_LOCALE, LANGUAGES, current_language, format_number
from tracker.models import Cluster, Report, ReportEdition, ReportStatus, User
from tracker.models.base import utcnow
from tracker.reports import figures
from tracker.reports.content import Content, report_content
from tracker.reports.data import build_report_data, from_document, month_label, to_document
from tracker.reports.pdf import render_pdf

FINAL_MESSAGE = _l("This report is final: it can no longer be changed.")
CONFLICT_MESSAGE = _l(
    "Someone else saved this report at the same moment. Nothing of yours was saved: "
    "reload the report and try again."
)
# What a report's PDF says where the summary would be, in the report's language.
NO_SUMMARY_YET = _l("No summary written yet. A manager writes it before finalising the report.")
NO_SUMMARY_FINAL = _l("No executive summary was written for this report.")
SUMMARY_MAX = 20_000
REGENERATED_FIELDS = ["generated_by_id", "generated_at"]
FINALISED_FIELDS = ["status", "pdf_sha256", "finalised_by_id", "finalised_at"]


def checked_month(month: str) -> str:
    """`month` if it is a YYYY-MM month that has started; ValidationError otherwise."""
    month = (month or "").strip()
    try:
        first, _last = figures.parse_month(month)
    except ValueError as error:
        # figures.MONTH_FORMAT_MESSAGE, in the user's language.
        raise ValidationError(_("Month must be YYYY-MM, e.g. 2026-10"), "month") from error
    if first > dates.today():
        raise ValidationError(
            _(
                "%(month)s has not started yet: choose this month or an earlier one.",
                month=month_label(month, current_language()),
            ),
            "month",
        )
    return month


def checked_locale(locale: str | None) -> str:
    """`locale` if a report can be written in it; ValidationError otherwise."""
    if locale not in LANGUAGES:
        raise ValidationError(
            _(
                "Choose one of the languages offered: %(languages)s.",
                languages=", ".join(LANGUAGES),
            ),
            "language",
        )
    return locale


def pdf_filename(report: Report) -> str:
    """`sector-health-all-2026-10-ministry-fr.pdf`: two languages of one report do not collide."""
    return f"sector-health-{report.scope}-{report.month}-{report.edition.value}-{report.locale}.pdf"


def _require(actor: User, allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _require_draft(report: Report) -> None:
    if report.status is not ReportStatus.DRAFT:
        raise ValidationError(str(FINAL_MESSAGE))


def compute_document(report: Report) -> dict[str, Any]:
    """The report's JSON document, computed from the data as it is now."""
    data = build_report_data(report.month, report.cluster, report.edition, locale=report.locale)
    return to_document(data)


def generate_report(
    month: str,
    cluster: Cluster | None,
    edition: ReportEdition | str,
    actor: User,
    *,
    locale: str = DEFAULT_LOCALE,
) -> Report:
    """A draft report for `month` and `cluster` (None: every cluster), with today's figures,
    written in `locale` (en, fr, de) for good: regenerating it keeps its language.

    A draft that already exists for the same month, scope, edition and language is brought up to
    date (its summary, written in that language, is kept) rather than duplicated; a draft in
    another language is another report.
    """
    _require(actor, actor.is_staff, _("Only staff generate reports."))
    month = checked_month(month)
    locale = checked_locale(locale)
    edition = ReportEdition(edition)
    report = db.session.execute(
        sa.select(Report)
        .where(
            Report.month == month,
            Report.edition == edition,
            Report.locale == locale,
            Report.status == ReportStatus.DRAFT,
            Report.cluster_id.is_(None) if cluster is None else Report.cluster_id == cluster.id,
        )
        .order_by(Report.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if report is not None:
        return regenerate_report(report, actor)
    report = Report(
        month=month,
        cluster=cluster,
        edition=edition,
        status=ReportStatus.DRAFT,
        locale=locale,
        summary="",
        generated_by_id=actor.id,
        generated_at=utcnow(),
    )
    report.figures = compute_document(report)
    db.session.add(report)
    audit.record(
        actor,
        "generate",
        report,
        {
            "month": [None, month],
            "scope": [None, cluster.slug if cluster else "all"],
            "edition": [None, edition.value],
            "locale": [None, locale],
            "status": [None, ReportStatus.DRAFT.value],
            "generated_by_id": [None, actor.id],
        },
    )
    return report


def regenerate_report(report: Report, actor: User) -> Report:
    """Recompute a draft's figures from the data as it is now."""
    _require(actor, actor.is_staff, _("Only staff regenerate reports."))
    _require_draft(report)
    before = audit.snapshot(report, REGENERATED_FIELDS)
    document = compute_document(report)
    _update_draft(
        report,
        figures=document,
        generated_by_id=actor.id,
        generated_at=utcnow(),
    )
    # The figures themselves are a large document: the entry says when and by whom.
    changes = audit.diff(before, audit.snapshot(report, REGENERATED_FIELDS))
    audit.record(actor, "regenerate", report, changes)
    return report


def update_summary(
    report: Report, summary: str, actor: User, *, version: Any = UNCHECKED
) -> Report:
    """Write a draft's executive summary (managers and admins).

    `version` is the report's version when the author opened the form; when someone saved the
    report since, the write is refused instead of overwriting the other person's text.
    """
    _require(actor, actor.can_manage, _("Only managers and admins write the executive summary."))
    _require_draft(report)
    check_version(report, version, "report")
    summary = summary.replace("\r\n", "\n").strip()
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            _("Keep the summary under %(count)s characters.", count=format_number(SUMMARY_MAX)),
            "summary",
        )
    before = report.summary
    if summary == before:
        return report
    _update_draft(report, summary=summary)
    audit.record(actor, "update", report, {"summary": [before, summary]})
    return report


def report_data(report: Report) -> dict[str, Any]:
    """The plain data of a report, from its stored JSON document (computed if it has none)."""
    return from_document(report.figures or compute_document(report))


def content_for(
    report: Report, *, status: ReportStatus | None = None, finalised_at: datetime | None = None
) -> Content:
    """What the report prints, in its language, from its stored figures and its summary; `status`
    and `finalised_at` override the report's (to render the final PDF before storing it)."""
    status = status or report.status
    finalised_at = finalised_at or report.finalised_at
    final = status is ReportStatus.FINAL
    return report_content(
        report_data(report),
        summary=report.summary,
        status=status.value,
        finalised_on=finalised_at.astimezone(AGENCY_TZ).date() if final and finalised_at else None,
        summary_placeholder=NO_SUMMARY_FINAL if final else NO_SUMMARY_YET,
    )


def report_pdf(report: Report) -> bytes:
    """A final report's stored bytes; a draft's PDF rendered now from its stored figures."""
    if report.status is ReportStatus.FINAL and report.pdf is not None:
        return report.pdf
    return render_pdf(content_for(report))


def finalise_report(report: Report, actor: User) -> Report:
    """Freeze a draft: the figures it shows, its PDF and the PDF's SHA-256, for good."""
    _require(actor, actor.can_manage, _("Only managers and admins finalise reports."))
    _require_draft(report)
    if report.figures is None:
        _update_draft(report, figures=compute_document(report))
    finalised_at = utcnow()
    pdf = render_pdf(content_for(report, status=ReportStatus.FINAL, finalised_at=finalised_at))
    before = audit.snapshot(report, FINALISED_FIELDS)
    _update_draft(
        report,
        status=ReportStatus.FINAL,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        finalised_by_id=actor.id,
        finalised_at=finalised_at,
    )
    # The PDF's digest stands for its bytes, which stay out of the trail.
    audit.record(
        actor, "finalise", report, audit.diff(before, audit.snapshot(report, FINALISED_FIELDS))
    )
    return report


def _update_draft(report: Report, **values: Any) -> None:
    """Write `values` on `report`, and its next version, only if it is still the draft this
    request loaded (same version) in the database.

    The conditions are part of the UPDATE, so that two people finalising or editing the same
    draft at once cannot both succeed: the second one is told why.
    """
    db.session.flush()
    version = report.version
    result = db.session.execute(
        sa.update(Report)
        .where(
            Report.id == report.id,
            Report.status == ReportStatus.DRAFT,
            Report.version == version,
        )
        .values(**values, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(report)
        if report.status is not ReportStatus.DRAFT:
            raise ValidationError(str(FINAL_MESSAGE))
        raise EditConflict(str(CONFLICT_MESSAGE), changes_since(report, version), "report")
    for name, value in {**values, "version": version + 1}.items():
        # What the database now holds: nothing left for the next flush to write.
        set_committed_value(report, name, value)


def describe(report: Report) -> str:
    """`October 2026, All clusters, Ministry, Français` (for messages, in the page's language)."""
    return _(
        "%(month)s, %(scope)s, %(edition)s, %(language)s",
        month=month_label(report.month, current_language()),
        scope=report.cluster.name if report.cluster is not None else _("All clusters"),
        edition=report.edition.label,
        language=LANGUAGES.get(report.locale, report.locale),
    )
