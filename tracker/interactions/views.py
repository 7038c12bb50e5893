"""The contact log pages: log a contact, read it, change it, archive and restore it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker import dates
from tracker.admin.forms import ConfirmForm
from tracker.archiving import archived_included
from tracker.auth.access import STAFF, roles_required
from tracker.common.errors import ValidationError
from tracker.common.versions import EditConflict, reopen
from tracker.extensions import db
from tracker.followups.services import active_staff
from tracker.interactions import queries, services
from tracker.interactions.forms import (
    MAX_NEEDS,
    MAX_SOLUTIONS,
    ContactChoices,
    EditInteractionForm,
    InteractionForm,
    field_errors,
    row_templates,
)
from tracker.models import Company, Interaction, Person, RiskReason
from tracker.support.display import company_url, format_eur
from tracker.support.services import offered_instruments

bp = Blueprint("interactions", __name__)

# Where each field a service may name is shown on the contact form.
SERVICE_FIELDS = {
    "occurred_on": "occurred_on",
    "identified_on": "occurred_on",
    "suggested_on": "occurred_on",
    "company": "company_query",
    "people": "people",
}
FOLLOWUP_FIELDS = {"title": "title", "assignee": "assignee"}


@bp.before_request
@roles_required(*STAFF)
def staff_only() -> None:
    """Viewers read final reports only."""


def optional_url(endpoint: str, **values: object) -> str | None:
    """The URL of a page another feature provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def risk_reason_labels(values: list[str]) -> list[str]:
    return [RiskReason(v).label for v in values if v in set(RiskReason)]


@bp.context_processor
def page_helpers() -> dict[str, object]:
    return {
        "company_url": company_url,
        "money": format_eur,
        "optional_url": optional_url,
        "risk_reason_labels": risk_reason_labels,
    }


def _load_choices() -> ContactChoices:
    return ContactChoices(
        categories=db.session.scalars(queries.offered_need_categories()).all(),
        instruments=db.session.scalars(offered_instruments(dates.today())).all(),
        staff=db.session.execute(active_staff()).all(),
    )


def _company_people(company: Company, including: list[int] | None = None) -> list[Person]:
    return list(
        db.session.scalars(queries.people_of_company(company.id, including=including)).all()
    )


def _offer_people(form: InteractionForm | EditInteractionForm, people: list[Person]) -> None:
    form.people.choices = [
        SelectChoice(str(p.id), f"{p.name} · {p.job_title}" if p.job_title else p.name)
        for p in people
    ]


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _names(company: Company) -> set[str]:
    names = {company.legal_name, company.trade_name, company.display_name, company.rcs_number}
    return {n.casefold() for n in names if n}


@dataclass
class CompanyLookup:
    """What the company field resolved to: one company, several candidates, or nothing."""

    company: Company | None = None
    matches: list[Company] = field(default_factory=list)
    too_many: bool = False
    # (field name, message) to show once the form is validated, which clears field errors.
    error: tuple[str, str] | None = None

    def show_error(self, form: InteractionForm) -> None:
        if self.error is not None:
            name, message = self.error
            form[name].errors = [*form[name].errors, message]


def _resolve_company(form: InteractionForm, *, required: bool) -> CompanyLookup:
    """The company the form names: the one picked, the typeahead's id, else a search of the text.

    The typeahead's id counts only while the text still names that company, so that typing
    another name over a chosen company is not silently ignored.
    """
    text = " ".join((form.company_query.data or "").split())
    picked = _int(form.company_pick.data)
    if picked is not None:
        company = db.session.get(Company, picked)
        if company is not None and not company.archived:
            return _resolved(form, company)
    known = _int(form.company_id.data)
    if known is not None and text:
        company = db.session.get(Company, known)
        if company is not None and text.casefold() in _names(company):
            return _resolved(form, company)
    form.company_id.data = ""
    if not text:
        message = _("Choose the company you contacted.")
        return CompanyLookup(error=("company_query", message) if required else None)
    matches = services.match_companies(text)
    if len(matches) == 1:
        return _resolved(form, matches[0])
    if not matches:
        message = _(
            "No company matches “%(text)s”. Check the spelling or try its RCS number.", text=text
        )
        return CompanyLookup(error=("company_query", message))
    message = _("Several companies match “%(text)s”: choose one.", text=text)
    lookup = CompanyLookup(
        matches=matches[:10],
        too_many=len(matches) > 10,
        error=("company_pick", message) if required else None,
    )
    form.company_pick.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(c.id), _company_label(c)) for c in lookup.matches
    ]
    form.company_pick.data = ""
    return lookup


def _resolved(form: InteractionForm, company: Company) -> CompanyLookup:
    form.company_id.data = str(company.id)
    form.company_query.data = company.legal_name
    form.company_pick.data = ""
    return CompanyLookup(company=company)


def _company_label(company: Company) -> str:
    details = [d for d in (company.locality, company.rcs_number) if d]
    return f"{company.display_name} — {', '.join(details)}" if details else company.display_name


def _action() -> tuple[str, int | None]:
    """Which button posted the form; Enter in a text field and "Save contact" both save."""
    if "add_need" in request.form:
        return "add_need", None
    if "add_solution" in request.form:
        return "add_solution", _int(request.form.get("add_solution"))
    if "find_company" in request.form:
        return "find_company", None
    return "save", None


def _attach(form: InteractionForm | EditInteractionForm, error: ValidationError) -> None:
    """Show a service's refusal under its field, or above the form when it names none."""
    target = None
    if error.field in SERVICE_FIELDS:
        target = form[SERVICE_FIELDS[error.field]]
    elif error.field in FOLLOWUP_FIELDS and isinstance(form, InteractionForm):
        target = form.followup.form[FOLLOWUP_FIELDS[error.field]]
    if target is None:
        flash(str(error), "danger")
    else:
        target.errors = [*target.errors, str(error)]


def _done_url(company_id: int) -> str:
    return company_url(company_id) or url_for("interactions.new")


@bp.route("/interactions/new", methods=["GET", "POST"])
def new() -> Response | str:
    choices = _load_choices()
    form = InteractionForm()
    form.offer(choices)
    lookup = CompanyLookup()
    action, focus = "show", None
    if request.method == "GET":
        form.followup.form.assignee.data = current_user.id
        preset = _int(request.args.get("company"))
        company = db.session.get(Company, preset) if preset is not None else None
        if company is not None:
            lookup = _resolved(form, company)
    else:
        action, need_index = _action()
        lookup = _resolve_company(form, required=action in ("save", "find_company"))
        if action == "add_need":
            focus = form.add_need()
        elif action == "add_solution" and need_index is not None:
            focus = form.add_solution(need_index)
        elif action == "find_company" and lookup.company is not None:
            focus = form.people.id
    people = _company_people(lookup.company) if lookup.company is not None else []
    _offer_people(form, people)
    if lookup.company is None:
        form.people.data = []
    valid = action == "save" and form.validate()
    lookup.show_error(form)
    if valid and lookup.company is not None:
        chosen = set(form.people.data or [])
        try:
            services.log_interaction(
                company=lookup.company,
                occurred_on=form.occurred_on.data,
                type=form.contact_type(),
                actor=current_user,
                summary=form.summary.data or "",
                people=[p for p in people if p.id in chosen],
                health=form.health.form.answers(),
                needs=form.need_inputs(),
                followup=form.followup_input(),
            )
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            name = lookup.company.display_name
            flash(_("Contact with %(company)s logged.", company=name), "success")
            return redirect(_done_url(lookup.company.id))
    need_template, solution_template = row_templates(choices)
    return render_template(
        "interactions/new.html",
        form=form,
        lookup=lookup,
        errors=list(field_errors(form)) if action == "save" else [],
        focus=focus,
        need_template=need_template,
        solution_template=solution_template,
        max_needs=MAX_NEEDS,
        max_solutions=MAX_SOLUTIONS,
    )


@bp.route("/interactions/company-people/<int:company_id>")
def company_people(company_id: int) -> dict[str, list[dict[str, object]]]:
    """The company's contact persons, for the contact form's script."""
    company = db.get_or_404(Company, company_id)
    return {
        "people": [
            {"id": p.id, "name": p.name, "job_title": p.job_title} for p in _company_people(company)
        ]
    }


def _interaction_or_404(interaction_id: int, *, include_archived: bool = False) -> Interaction:
    """The contact; an archived one only where asked for (its page, restore), else 404."""
    query = queries.interaction_for_page(interaction_id)
    if include_archived:
        query = query.execution_options(include_archived=True)
    interaction = db.session.scalar(query)
    if interaction is None:
        abort(404)
    return interaction


def _editable_or_403(interaction_id: int, *, include_archived: bool = False) -> Interaction:
    interaction = _interaction_or_404(interaction_id, include_archived=include_archived)
    if not services.can_edit_interaction(current_user, interaction):
        abort(403)
    return interaction


@bp.route("/interactions/<int:interaction_id>")
def detail(interaction_id: int) -> str:
    # Staff reach an archived contact by its id, to see what was archived and restore it.
    interaction = _interaction_or_404(interaction_id, include_archived=True)
    return render_template(
        "interactions/detail.html",
        interaction=interaction,
        needs=db.session.scalars(queries.needs_of_interaction(interaction_id)).all(),
        followups=db.session.scalars(queries.followups_of_interaction(interaction_id)).all(),
        can_edit=services.can_edit_interaction(current_user, interaction),
    )


@bp.route("/interactions/<int:interaction_id>/edit", methods=["GET", "POST"])
def edit(interaction_id: int) -> Response | str:
    interaction = _editable_or_403(interaction_id)
    current_ids = [p.id for p in interaction.people]
    people = _company_people(interaction.company, including=current_ids)
    form = EditInteractionForm(obj=interaction)
    _offer_people(form, people)
    if request.method == "GET":
        form.type.data = interaction.type.value
        form.people.data = current_ids
        form.health.form.load(interaction.health_check)
    errors = []
    conflict = None
    if request.method == "POST":
        if form.validate():
            chosen = set(form.people.data or [])
            try:
                services.revise_interaction(
                    interaction,
                    occurred_on=form.occurred_on.data,
                    type=form.contact_type(),
                    summary=form.summary.data or "",
                    people=[p for p in people if p.id in chosen],
                    health=form.health.form.answers(),
                    actor=current_user,
                    version=form.version.data,
                )
                db.session.commit()
            except EditConflict as error:
                reopen(form, interaction, error)
                conflict = error
            except ValidationError as error:
                db.session.rollback()
                _attach(form, error)
            else:
                flash(_("Changes to the contact saved."), "success")
                return redirect(url_for("interactions.detail", interaction_id=interaction_id))
        errors = list(field_errors(form))
    return render_template(
        "interactions/edit.html",
        form=form,
        interaction=interaction,
        errors=errors,
        conflict=conflict,
    )


@bp.route("/interactions/<int:interaction_id>/archive", methods=["GET", "POST"])
def archive(interaction_id: int) -> Response | str:
    """Confirm, then archive a contact and its health check; nothing is deleted."""
    interaction = _editable_or_403(interaction_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        company = interaction.company
        services.archive_interaction(interaction, actor=current_user)
        db.session.commit()
        flash(
            _(
                "The contact with %(company)s is archived: it no longer counts anywhere. "
                "It can be restored from the company's archived contacts.",
                company=company.display_name,
            ),
            "success",
        )
        return redirect(company_url(company.id) or url_for("main.dashboard"))
    needs = db.session.scalars(queries.needs_of_interaction(interaction_id)).all()
    followups = db.session.scalars(queries.followups_of_interaction(interaction_id)).all()
    return render_template(
        "interactions/archive.html",
        form=form,
        interaction=interaction,
        needs=needs,
        followups=followups,
    )


@bp.route("/interactions/<int:interaction_id>/restore", methods=["POST"])
def restore(interaction_id: int) -> Response:
    interaction = _editable_or_403(interaction_id, include_archived=True)
    if ConfirmForm().validate_on_submit():
        services.restore_interaction(interaction, actor=current_user)
        db.session.commit()
        flash(
            _(
                "The contact with %(company)s is restored.",
                company=interaction.company.display_name,
            ),
            "success",
        )
    return redirect(url_for("interactions.detail", interaction_id=interaction_id))


@bp.route("/interactions/archived")
def archived() -> str:
    """A company's archived contacts (`?company=<id>`), newest first, each restorable."""
    company_id = request.args.get("company", type=int)
    # Beyond PostgreSQL's integer range a lookup fails instead of finding nothing.
    known = company_id is not None and 0 < company_id < 2**31
    company = db.session.get(Company, company_id) if known else None
    if company is None:
        abort(404)
    with archived_included():
        page = db.paginate(
            queries.archived_interactions(company.id),
            per_page=current_app.config["PAGE_SIZE"],
            error_out=False,
        )
    return render_template(
        "interactions/archived.html",
        company=company,
        page=page,
        can_edit=services.can_edit_interaction,
    )
