"""Spreadsheet import (upload, preview, confirm) and export of every record."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from tracker import exports as downloads
from tracker.auth.access import STAFF, roles_required
from tracker.dates import today
from tracker.extensions import db
from tracker.transfer import imports, tables, uploads
from tracker.transfer.forms import ConfirmForm, UploadForm

bp = Blueprint("transfer", __name__)

# The largest file the import reads; the request as a whole is capped by MAX_CONTENT_LENGTH.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Rows shown in each table of the preview; the counts cover them all.
PREVIEW_ROWS = 200
ERRORS_SHOWN = 1000
KIND_TITLES = {"companies": _l("Import companies"), "interactions": _l("Import contact history")}
DATASET_NAMES = ",".join(tables.DATASETS)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _too_large(limit: int) -> tuple[str, int]:
    form = UploadForm(formdata=None)
    form.file.errors = [
        _(
            "The file is larger than %(limit)s, the most the import accepts. Split it into "
            "smaller files (a CSV file is also much smaller than the same sheet in XLSX).",
            limit=_megabytes(limit),
        )
    ]
    return render_template("transfer/upload.html", form=form), 413


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A request beyond MAX_CONTENT_LENGTH: the upload page again, saying what the limit is."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return render_template(
            "errors/error.html",
            code=413,
            title=_("File too large"),
            message=_("The file is larger than the server accepts."),
        ), 413
    return _too_large(current_app.config["MAX_CONTENT_LENGTH"])


@bp.route("/companies/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def upload() -> Response | tuple[str, int] | str:
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("transfer/upload.html", form=form), 400 if form.errors else 200
    limit = int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    data = form.file.data.stream.read(limit + 1)
    if len(data) > limit:
        return _too_large(limit)
    kind = form.kind.data
    filename = (form.file.data.filename or "file")[-120:]
    try:
        plan = imports.plan_import(kind, data, actor=current_user, source=filename)
    except imports.FileRefused as refusal:
        db.session.rollback()
        form.file.errors = [str(refusal)]
        return render_template("transfer/upload.html", form=form), 400
    db.session.rollback()  # planning writes nothing; end the read transaction
    token = None
    if not plan.errors and plan.writes:
        token = uploads.save(data, kind=kind, filename=filename, user_id=current_user.id).token
    return _preview(plan, token)


def _preview(plan: imports.Plan, token: str | None, notice: str | None = None) -> tuple[str, int]:
    confirm = ConfirmForm(formdata=None, fingerprint=plan.fingerprint())
    return render_template(
        "transfer/preview.html",
        plan=plan,
        title=KIND_TITLES[plan.kind],
        token=token,
        confirm=confirm,
        notice=notice,
        again_form=UploadForm(formdata=None, kind=plan.kind),
        limit=PREVIEW_ROWS,
        errors_shown=ERRORS_SHOWN,
    ), 422 if plan.errors else 200


def _expired() -> Response:
    flash(_("This preview has expired; upload the file again."), "warning")
    return redirect(url_for("transfer.upload"))


@bp.route("/companies/import/<token>/confirm", methods=["POST"])
@roles_required(*STAFF)
def confirm(token: str) -> Response | tuple[str, int]:
    """Check the kept file again against the data as it is now, and import it if unchanged."""
    form = ConfirmForm()
    found = uploads.load(token, current_user.id)
    if found is None or not form.validate_on_submit():
        return _expired()
    upload, data = found
    try:
        plan = imports.plan_import(upload.kind, data, actor=current_user, source=upload.filename)
    except imports.FileRefused:
        uploads.discard(token)
        return _expired()
    if plan.errors:
        db.session.rollback()
        uploads.discard(token)
        return _preview(plan, None, _("The data changed since the preview; nothing was imported."))
    if plan.fingerprint() != form.fingerprint.data:
        db.session.rollback()
        return _preview(
            plan,
            token if plan.writes else None,
            _("The data changed since the preview: check what the import would do now."),
        )
    try:
        imports.apply_plan(plan, actor=current_user)
        db.session.commit()
    except imports.ImportFailed as failure:
        db.session.rollback()
        uploads.discard(token)
        plan.errors = failure.problems
        return _preview(plan, None, _("Nothing was imported."))
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _preview(
            plan,
            token,
            _(
                "Someone saved a company with one of these RCS numbers a moment ago; nothing was "
                "imported. Check the preview again."
            ),
        )
    uploads.discard(token)
    flash(plan.done(), "success")
    if plan.kind == "companies":
        return redirect(url_for("companies.index"))
    return redirect(url_for("main.dashboard"))


@bp.route("/companies/import/<token>/cancel", methods=["POST"])
@roles_required(*STAFF)
def cancel(token: str) -> Response:
    if ConfirmForm().validate_on_submit() and uploads.load(token, current_user.id) is not None:
        uploads.discard(token)
    flash(_("Import cancelled: nothing was written."), "info")
    return redirect(url_for("transfer.upload"))


# Exports


@bp.route("/exports")
@roles_required(*STAFF)
def exports() -> str:
    return render_template("transfer/exports.html", datasets=tables.DATASETS.values())


@bp.route(f"/exports/<any({DATASET_NAMES}):dataset>.<any(csv, xlsx):fmt>")
@roles_required(*STAFF)
def export(dataset: str, fmt: str) -> Response:
    """One table as CSV or XLSX; the companies with the filters of the list's query string."""
    header, rows = tables.DATASETS[dataset].rows(request.args, current_user.id)
    return downloads.table_response(fmt, f"{dataset}-{today().isoformat()}", header, rows)
