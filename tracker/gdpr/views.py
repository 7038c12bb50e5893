"""A person's data: download it, erase it; the people due for a retention review."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.admin.forms import ConfirmForm
from tracker.auth.access import MANAGERS, STAFF, roles_required
from tracker.companies import services as company_services
from tracker.dates import today
from tracker.extensions import db
from tracker.gdpr import queries, services
from tracker.gdpr.forms import EraseForm
from tracker.models import Person
from tracker.templating import format_day

bp = Blueprint("gdpr", __name__)

DEFAULT_RETENTION_YEARS = 3


def retention_years() -> int:
    return int(current_app.config.get("PERSON_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


@bp.route("/people/<int:person_id>/export.json")
@roles_required(*STAFF)
def export(person_id: int) -> Response:
    """Everything held about the person, as a JSON file to hand over (GDPR article 15)."""
    person = db.get_or_404(Person, person_id)
    data = services.export_person(person, actor=current_user)
    db.session.commit()
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    filename = f"person-{person.id}-{today().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _back_url(person: Person) -> str:
    """Where the erase page returns: the retention review when it came from there."""
    if request.args.get("from") == "retention":
        return url_for("gdpr.retention")
    return url_for("companies.detail", company_id=person.company_id) + "#people"


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def erase(person_id: int) -> Response | tuple[str, int]:
    person = db.get_or_404(Person, person_id)
    back = _back_url(person)
    if person.erased_at is not None:
        flash(
            _(
                "This person's data was already erased on %(day)s.",
                day=format_day(person.erased_at),
            ),
            "info",
        )
        return redirect(back)
    form = EraseForm()
    if form.validate_on_submit():
        services.erase_person(person, actor=current_user)
        db.session.commit()
        flash(
            _(
                "The person's data is erased: they show as %(name)s, and their contacts still "
                "count in the company's figures.",
                name=person.name,
            ),
            "success",
        )
        return redirect(back)
    return render_template(
        "gdpr/erase.html",
        person=person,
        form=form,
        interactions=services.interactions_to_review(person),
        back=back,
    ), 400 if form.errors else 200


@bp.route("/people/retention")
@roles_required(*MANAGERS)
def retention() -> str:
    years = retention_years()
    cutoff = queries.retention_cutoff(today(), years)
    page = db.paginate(
        queries.people_for_review(cutoff),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "gdpr/retention.html",
        page=page,
        last_contacts=queries.last_contacts([person.id for person in page.items]),
        years=years,
        cutoff=cutoff,
    )


@bp.route("/people/<int:person_id>/archive", methods=["POST"])
@roles_required(*MANAGERS)
def archive(person_id: int) -> Response:
    """Archive a person from the retention review, and come back to it."""
    person = db.get_or_404(Person, person_id)
    if ConfirmForm().validate_on_submit():
        company_services.archive_person(person, actor=current_user)
        db.session.commit()
        flash(
            _("%(name)s is archived and no longer listed; nothing deleted.", name=person.name),
            "success",
        )
    return redirect(url_for("gdpr.retention", page=request.args.get("page", type=int)))
