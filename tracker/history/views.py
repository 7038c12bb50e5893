"""The History page of each record and the admins' search of the audit trail (read only)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.access import STAFF, roles_required
from tracker.dates import AGENCY_TZ
from tracker.exports import Cell, csv_response
from tracker.extensions import db
from tracker.history import display, guard, queries
from tracker.history.forms import ID_MAX, AuditSearchForm
from tracker.history.records import KINDS, kind_of, record_names
from tracker.models import AuditEntry, Role

bp = Blueprint("history", __name__)
# Mounted under /admin/audit: the search reads every record's trail, so it is for admins only.
audit_bp = Blueprint("audit", __name__)

# A CSV of the whole trail could be millions of rows; an export this long asks for a narrower one.
EXPORT_MAX_ENTRIES = 50_000


@bp.record_once
def _install_guard(_state: BlueprintSetupState) -> None:
    guard.install()


@bp.app_context_processor
def history_link_helper() -> dict[str, Any]:
    """`history_url(record)` for the History link on every record's page."""
    return {"history_url": history_url}


def entry_helpers() -> dict[str, Any]:
    """What the templates of audit entries call: action labels and badges, local times."""
    return {
        "action_label": display.action_label,
        "badge_class": display.action_badge,
        "aware": display.aware,
        "when": display.when,
    }


bp.context_processor(entry_helpers)
audit_bp.context_processor(entry_helpers)


@bp.url_defaults
def _same_record(endpoint: str, values: dict[str, Any]) -> None:
    """Links to other pages of the same History (the pager's) keep the record."""
    if endpoint == request.endpoint == "history.record" and "record_id" not in values:
        here = request.view_args or {}
        values.setdefault("record_type", here.get("record_type"))
        values.setdefault("record_id", here.get("record_id"))


def history_url(record: Any) -> str | None:
    """The History page of `record`, for a link on its own page; None for an unknown kind."""
    kind = kind_of(type(record).__name__)
    if kind is None or getattr(record, "id", None) is None:
        return None
    return url_for("history.record", record_type=kind.slug, record_id=record.id)


def _entry_rows(entries: Sequence[AuditEntry]) -> list[tuple[AuditEntry, list[Any]]]:
    names = display.referenced_names(entries)
    return [(entry, display.field_changes(entry, names)) for entry in entries]


@bp.get("/history/<record_type>/<int:record_id>")
def record(record_type: str, record_id: int) -> str:
    if current_user.role not in STAFF:
        abort(403)
    kind = KINDS.get(record_type)
    if kind is None or record_id > ID_MAX:
        abort(404)
    if not kind.readable_by(current_user):
        abort(403)
    target = kind.get(record_id)
    # A purged or deleted record keeps its trail: admins may still read it.
    if target is None and (
        current_user.role is not Role.ADMIN or not queries.has_entries(kind.record_type, record_id)
    ):
        abort(404)
    page = db.paginate(
        queries.entries_of(kind.record_type, record_id),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "history/record.html",
        kind=kind,
        record_id=record_id,
        target=target,
        title=kind.name(target) if target is not None else None,
        page_url=kind.page(target) if target is not None else None,
        page=page,
        rows=_entry_rows(page.items),
    )


# The admins' search.


@audit_bp.before_request
@roles_required(Role.ADMIN)
def admins_only() -> None:
    """Only admins read the whole trail."""


def _search_form() -> AuditSearchForm:
    return AuditSearchForm(request.args, users=queries.audit_users(), actions=_action_choices())


def _action_choices() -> list[str]:
    return sorted({*display.ACTIONS, *queries.actions_in_use()})


def _history_link(entry: AuditEntry) -> str | None:
    kind = kind_of(entry.record_type)
    if kind is None or entry.record_id is None:
        return None
    return url_for("history.record", record_type=kind.slug, record_id=entry.record_id)


def _kind_label(record_type: str) -> str:
    kind = kind_of(record_type)
    return str(kind.label) if kind is not None else record_type


@audit_bp.get("")
def search() -> tuple[str, int]:
    form = _search_form()
    valid = form.validate()
    page = None
    rows: list[tuple[AuditEntry, list[Any]]] = []
    if valid:
        page = db.paginate(
            queries.search(form.filters()),
            per_page=current_app.config["PAGE_SIZE"],
            error_out=False,
        )
        rows = _entry_rows(page.items)
    names = record_names((entry.record_type, entry.record_id) for entry, _changes in rows)
    return render_template(
        "history/search.html",
        record_names=names,
        form=form,
        page=page,
        rows=rows,
        narrowed=valid and form.filters().narrowed,
        history_link=_history_link,
        kind_label=_kind_label,
        export_args={k: v for k, v in request.args.items() if k != "page"},
    ), (200 if valid else 400)


EXPORT_HEADER = [
    "at",
    "user",
    "user_email",
    "action",
    "record_type",
    "record_id",
    "record_version",
    "field",
    "old",
    "new",
]


def _cell(value: Any) -> Cell:
    """A stored old or new value as one spreadsheet cell; lists and objects as JSON text."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _export_rows(entries: Sequence[AuditEntry]) -> Iterator[list[Cell]]:
    """One row per changed field, and one for an entry that changed no field."""
    for entry in entries:
        at = display.aware(entry.at).astimezone(AGENCY_TZ).replace(microsecond=0)
        head: list[Cell] = [
            at,
            entry.user.name if entry.user is not None else "",
            entry.user.email if entry.user is not None else "",
            entry.action,
            entry.record_type,
            entry.record_id,
            entry.record_version,
        ]
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if not changes:
            yield [*head, "", None, None]
        for field, pair in changes.items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            yield [*head, field, _cell(old), _cell(new)]


@audit_bp.get("/export.csv")
def export() -> Response | tuple[str, int]:
    form = _search_form()
    if not form.validate():
        return search()
    query = queries.search(form.filters())
    matching = query.order_by(None).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
    if total > EXPORT_MAX_ENTRIES:
        flash(
            _(
                "%(total)d entries match: narrow the search to at most %(max)d to export them.",
                total=total,
                max=EXPORT_MAX_ENTRIES,
            ),
            "warning",
        )
        return redirect(url_for("audit.search", **request.args))
    entries = db.session.execute(query).unique().scalars().all()
    return csv_response("audit-trail.csv", EXPORT_HEADER, _export_rows(entries))
