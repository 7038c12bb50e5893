"""Need and solution pages: the pipeline of one company's needs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker import dates
from tracker.auth.access import STAFF, roles_required
from tracker.common.errors import ValidationError
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.extensions import db
from tracker.followups.services import active_staff, followups_of_need
from tracker.models import Instrument, Need, NeedStatus, Solution, SolutionStatus, Urgency, User
from tracker.support import services
from tracker.support.display import company_url, format_eur
from tracker.support.forms import (
    NEED_STATUS_FORMS,
    NeedForm,
    SolutionStatusForm,
    SuggestSolutionForm,
)

bp = Blueprint("support", __name__)
bp.add_app_template_filter(format_eur, "eur")
bp.add_app_template_global(company_url, "company_url")


@bp.before_request
@roles_required(*STAFF)
def staff_only() -> None:
    """Viewers read final reports only."""


def _refused(form: FlaskForm, error: ValidationError) -> None:
    db.session.rollback()
    if not attach_error(form, error):  # type: ignore[arg-type]
        flash(str(error), "danger")


def _owner_choices(need: Need) -> list[SelectChoice]:
    users = db.session.execute(active_staff()).all()
    choices = [SelectChoice("", _("Nobody"))]
    choices += [SelectChoice(str(u.id), u.name) for u in users]
    if need.owner is not None and need.owner.id not in {u.id for u in users}:
        # A deactivated owner stays until someone picks another.
        choices.append(
            SelectChoice(str(need.owner.id), _("%(name)s (deactivated)", name=need.owner.name))
        )
    return choices


def _need_form(need: Need, formdata: Any = None) -> NeedForm:
    form = NeedForm(formdata=formdata, prefix="edit")
    form.owner.choices = _owner_choices(need)
    if formdata is None:
        form.description.data = need.description
        form.urgency.data = need.urgency.value
        form.owner.data = need.owner_id
        form.version.data = need.version
    return form


def _suggest_form(formdata: Any = None) -> SuggestSolutionForm:
    form = SuggestSolutionForm(formdata=formdata, prefix="suggest")
    instruments = db.session.execute(services.offered_instruments(dates.today())).scalars()
    form.instrument.choices = [
        SelectChoice("", _("— a referral to a partner instead —")),
        *(SelectChoice(str(i.id), i.name) for i in instruments),
    ]
    if formdata is None:
        form.suggested_on.data = dates.today()
    return form


def _status_forms(need: Need) -> dict[str, FlaskForm]:
    forms = {slot: form_class(formdata=None, prefix=slot)
             for slot, form_class in NEED_STATUS_FORMS.items()}  # fmt: skip
    forms["progress"].status.data = (
        need.status.value if need.status.is_open else NeedStatus.IN_PROGRESS.value
    )
    forms["resolve"].on.data = forms["close"].on.data = dates.today()
    for form in forms.values():
        form.version.data = need.version
    return forms


def _render_need(need: Need, conflict: EditConflict | None = None, **forms: FlaskForm) -> str:
    """The need page; a form given here (with its errors) replaces the blank one."""
    page_forms: dict[str, FlaskForm] = {
        **_status_forms(need),
        "edit": forms.pop("edit", None) or _need_form(need),
        "suggest": forms.pop("suggest", None) or _suggest_form(),
    }
    page_forms.update(forms)
    followups = db.session.execute(followups_of_need(need.id)).scalars().all()
    return render_template(
        "support/need.html", need=need, followups=followups, forms=page_forms, conflict=conflict
    )


def _load_need(need_id: int) -> Need:
    return db.one_or_404(services.need_detail(need_id))


@bp.route("/needs/<int:need_id>")
def need(need_id: int) -> str:
    return _render_need(_load_need(need_id))


@bp.route("/needs/<int:need_id>/status", methods=["POST"])
def change_need_status(need_id: int) -> Response | str:
    need = _load_need(need_id)
    slot = next(
        (name for name in NEED_STATUS_FORMS if f"{name}-submit" in request.form), "progress"
    )
    form = NEED_STATUS_FORMS[slot](prefix=slot)
    conflict = None
    if form.validate_on_submit():
        status = form.new_status()
        # Only resolving and closing offer a date and an outcome.
        on, outcome = getattr(form, "on", None), getattr(form, "outcome", None)
        try:
            services.change_need_status(
                need,
                status,
                on=(on and on.data) or dates.today(),
                outcome=outcome.data if outcome else "",
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, need, error)
            conflict = error
        except ValidationError as error:
            _refused(form, error)
        else:
            flash(_("The need is now %(status)s.", status=status.label.lower()), "success")
            return redirect(url_for("support.need", need_id=need.id))
    return _render_need(need, conflict, **{slot: form})


@bp.route("/needs/<int:need_id>/edit", methods=["POST"])
def update_need(need_id: int) -> Response | str:
    need = _load_need(need_id)
    form = _need_form(need, request.form)
    conflict = None
    if form.validate_on_submit():
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        try:
            services.update_need(
                need,
                description=form.description.data or "",
                urgency=Urgency(form.urgency.data),
                owner=owner,
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, need, error)
            conflict = error
        except ValidationError as error:
            _refused(form, error)
        else:
            flash(_("The need is saved."), "success")
            return redirect(url_for("support.need", need_id=need.id))
    return _render_need(need, conflict, edit=form)


@bp.route("/needs/<int:need_id>/solutions", methods=["POST"])
def suggest_solution(need_id: int) -> Response | str:
    need = _load_need(need_id)
    form = _suggest_form(request.form)
    if form.validate_on_submit():
        instrument = (
            db.session.get(Instrument, form.instrument.data) if form.instrument.data else None
        )
        suggested_on = form.suggested_on.data or dates.today()
        try:
            if suggested_on < need.identified_on:
                raise ValidationError(
                    _("A solution cannot be suggested before the need was identified."),
                    "suggested_on",
                )
            solution = services.suggest_solution(
                need=need,
                instrument=instrument,
                partner=form.partner.data,
                amount_requested=form.amount_requested.data,
                suggested_on=suggested_on,
                notes=form.notes.data or "",
                actor=current_user,
            )
            db.session.commit()
        except ValidationError as error:
            _refused(form, error)
        else:
            flash(_("%(title)s suggested.", title=solution.title), "success")
            return redirect(url_for("support.need", need_id=need.id))
    return _render_need(need, suggest=form)


def _render_solution(
    solution: Solution,
    form: SolutionStatusForm | None = None,
    conflict: EditConflict | None = None,
) -> str:
    if form is None:
        form = SolutionStatusForm(formdata=None)
        form.version.data = solution.version
        form.status.data = solution.status.value
        form.on.data = dates.today()
        form.amount_requested.data = solution.amount_requested
        form.amount_granted.data = solution.amount_granted
    return render_template(
        "support/solution.html",
        solution=solution,
        need=solution.need,
        form=form,
        conflict=conflict,
    )


@bp.route("/solutions/<int:solution_id>")
def solution(solution_id: int) -> str:
    return _render_solution(db.one_or_404(services.solution_detail(solution_id)))


@bp.route("/solutions/<int:solution_id>/status", methods=["POST"])
def change_solution_status(solution_id: int) -> Response | str:
    solution = db.one_or_404(services.solution_detail(solution_id))
    form = SolutionStatusForm()
    conflict = None
    if form.validate_on_submit():
        status = SolutionStatus(form.status.data)
        try:
            services.change_solution_status(
                solution,
                status,
                on=form.on.data or dates.today(),
                amount_requested=form.amount_requested.data,
                amount_granted=form.amount_granted.data,
                note=form.note.data or "",
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, solution, error)
            conflict = error
        except ValidationError as error:
            _refused(form, error)
        else:
            flash(_("%(title)s is now %(status)s.", title=solution.title,
                    status=status.label.lower()), "success")  # fmt: skip
            return redirect(url_for("support.solution", solution_id=solution.id))
    return _render_solution(solution, form, conflict)
