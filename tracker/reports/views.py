"""Report pages: archive, generation, preview, summary, finalisation and download."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker import dates
from tracker.admin.forms import ConfirmForm
from tracker.auth.access import MANAGERS, STAFF, roles_required
from tracker.common.errors import ValidationError
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.extensions import db
from tracker.i18n import current_language
from tracker.models import Report, ReportEdition, ReportStatus
from tracker.reports import services
from tracker.reports.content import in_language, report_locale
from tracker.reports.data import month_label
from tracker.reports.figures import previous_month
from tracker.reports.forms import ALL_CLUSTERS, GenerateReportForm, SummaryForm
from tracker.reports.queries import (
    archive_query,
    cluster_by_slug,
    cluster_choices,
    visible_report_or_404,
)

bp = Blueprint("reports", __name__)


@bp.app_template_filter("month_label")
def month_label_filter(month: str) -> str:
    """`2026-10` as `October 2026`, `octobre 2026`, in the page's language."""
    return month_label(month, current_language())


def _generate_form() -> GenerateReportForm:
    form = GenerateReportForm()
    form.scope.choices = [
        SelectChoice(ALL_CLUSTERS, _("All clusters")),
        *(SelectChoice(slug, name) for slug, name in cluster_choices()),
    ]
    if not form.is_submitted():
        form.month.data = previous_month(dates.today().strftime("%Y-%m"))
        form.scope.data = ALL_CLUSTERS
        # The report in the language the user reads the app in, unless they choose another.
        form.language.data = report_locale(current_language())
    return form


def _archive(form: GenerateReportForm | None) -> str:
    page = db.paginate(
        archive_query(current_user), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template("reports/index.html", page=page, form=form)


@bp.get("/reports")
def index() -> str:
    return _archive(_generate_form() if current_user.is_staff else None)


@bp.post("/reports")
@roles_required(*STAFF)
def generate() -> BaseResponse | str:
    form = _generate_form()
    if form.validate_on_submit():
        cluster = None
        if form.scope.data != ALL_CLUSTERS:
            cluster = cluster_by_slug(form.scope.data)
        try:
            report = services.generate_report(
                form.month.data,
                cluster,
                ReportEdition(form.edition.data),
                current_user,
                locale=form.language.data,
            )
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            if not attach_error(form, error):
                flash(str(error), "danger")
        else:
            flash(_("Draft ready: %(report)s.", report=services.describe(report)), "success")
            return redirect(url_for("reports.detail", report_id=report.id))
    return _archive(form)


def _detail(
    report: Report,
    summary_form: SummaryForm | None = None,
    status: int = 200,
    conflict: EditConflict | None = None,
):
    if summary_form is None and report.status is ReportStatus.DRAFT and current_user.can_manage:
        summary_form = SummaryForm(formdata=None, summary=report.summary, version=report.version)
    # The page is in the user's language, the report it shows in the report's: the summary form
    # is the page's, so it is rendered first and placed in the preview.
    form_html = (
        render_template("reports/_summary_form.html", report=report, summary_form=summary_form)
        if summary_form is not None
        else None
    )
    with in_language(report.locale):
        preview = render_template(
            "reports/_preview.html",
            content=services.content_for(report),
            summary_form=Markup(form_html) if form_html else None,  # noqa: S704 -- autoescaped
        )
    return render_template(
        "reports/detail.html",
        report=report,
        conflict=conflict,
        preview=Markup(preview),  # noqa: S704 -- rendered by Jinja with autoescape
        confirm=ConfirmForm(),
        filename=services.pdf_filename(report),
    ), status


@bp.get("/reports/<int:report_id>")
def detail(report_id: int) -> tuple[str, int]:
    return _detail(visible_report_or_404(report_id, current_user))


@bp.post("/reports/<int:report_id>/summary")
@roles_required(*MANAGERS)
def summary(report_id: int) -> BaseResponse | tuple[str, int]:
    report = visible_report_or_404(report_id, current_user)
    form = SummaryForm()
    if report.status is not ReportStatus.DRAFT:
        flash(str(services.FINAL_MESSAGE), "danger")
        return redirect(url_for("reports.detail", report_id=report.id))
    if form.validate_on_submit():
        try:
            services.update_summary(
                report, form.summary.data or "", current_user, version=form.version.data
            )
            db.session.commit()
        except EditConflict as conflict:
            reopen(form, report, conflict)
            return _detail(report, form, 409, conflict)
        except ValidationError as error:
            db.session.rollback()
            if str(error) == str(services.FINAL_MESSAGE):
                flash(str(error), "danger")
                return redirect(url_for("reports.detail", report_id=report_id))
            attach_error(form, error)
            return _detail(report, form, 400)
        flash(_("Summary saved."), "success")
        return redirect(url_for("reports.detail", report_id=report.id))
    return _detail(report, form, 400)


@bp.post("/reports/<int:report_id>/regenerate")
@roles_required(*STAFF)
def regenerate(report_id: int) -> BaseResponse:
    report = visible_report_or_404(report_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            services.regenerate_report(report, current_user)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            flash(_("Figures recomputed from the data as it is now."), "success")
    return redirect(url_for("reports.detail", report_id=report_id))


@bp.post("/reports/<int:report_id>/finalise")
@roles_required(*MANAGERS)
def finalise(report_id: int) -> BaseResponse:
    report = visible_report_or_404(report_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            services.finalise_report(report, current_user)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            flash(
                _("Report finalised: its figures and PDF are frozen and ready to send."),
                "success",
            )
    return redirect(url_for("reports.detail", report_id=report_id))


@bp.get("/reports/<int:report_id>/pdf")
def pdf(report_id: int) -> Response:
    report = visible_report_or_404(report_id, current_user, with_pdf=True)
    return Response(
        services.report_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{services.pdf_filename(report)}"'},
    )


@bp.get("/reports/<int:report_id>/json", endpoint="json")
def json_document(report_id: int) -> Response:
    report = visible_report_or_404(report_id, current_user)
    document = report.figures if report.figures is not None else services.compute_document(report)
    filename = services.pdf_filename(report).removesuffix(".pdf") + ".json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
