"""Follow-up pages: my list by due date, actions on a follow-up, the private calendar feed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker import dates
from tracker.auth.access import STAFF
from tracker.common.errors import ValidationError
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict
from tracker.extensions import db
from tracker.followups import services
from tracker.followups.calendar import build_calendar
from tracker.followups.forms import ActionForm, FollowUpForm, ReassignForm, RescheduleForm
from tracker.i18n import select_locale
from tracker.models import Company, FollowUp, Need, Solution, User
from tracker.support.display import company_url
from tracker.templating import format_day

bp = Blueprint("followups", __name__)

RECENT_DAYS = 14


@bp.before_request
def staff_only() -> None:
    """Viewers get nothing here; the calendar feed opens by its secret instead of a session."""
    if request.endpoint == "followups.calendar_feed":
        return
    if not current_user.is_authenticated or current_user.role not in STAFF:
        abort(403)


def _staff_choices(users: Sequence[Any]) -> list[SelectChoice]:
    return [SelectChoice(str(u.id), u.name) for u in users]


def _back(target: str | None) -> Response:
    """Back to the page the action came from when it is one of ours, else to my follow-ups."""
    parts = urlsplit(target or "")
    if target and target.startswith("/") and not parts.scheme and not parts.netloc:
        return redirect(target)
    return redirect(url_for("followups.index"))


@bp.route("/followups")
def index() -> str:
    on = dates.today()
    assignee = current_user._get_current_object()
    assignee_id = request.args.get("assignee", type=int)
    if assignee_id is not None and assignee_id != current_user.id:
        if not current_user.can_manage:
            abort(403)
        assignee = db.get_or_404(User, assignee_id)
    groups = services.group_by_due(
        db.session.execute(services.open_followups(assignee.id)).scalars().all(), on
    )
    completed = (
        db.session.execute(
            services.recently_completed(assignee.id, on - timedelta(days=RECENT_DAYS - 1))
        )
        .scalars()
        .all()
    )
    staff = db.session.execute(services.active_staff()).all()
    own = assignee.id == current_user.id
    calendar_url = None
    if own and current_user.calendar_token:
        calendar_url = url_for(
            "followups.calendar_feed", token=current_user.calendar_token, _external=True
        )
    return render_template(
        "followups/index.html",
        assignee=assignee,
        own=own,
        on=on,
        groups=groups,
        completed=completed,
        staff=staff,
        calendar_url=calendar_url,
        here=request.full_path.rstrip("?"),
        recent_days=RECENT_DAYS,
    )


def _load(followup_id: int) -> FollowUp:
    followup = db.get_or_404(FollowUp, followup_id)
    services.check_may_act(followup, current_user)
    return followup


def _act(
    followup: FollowUp, form: ActionForm, change: Callable[[], object], done_message: str
) -> Response:
    """Validate the button's form, apply `change`, commit; say what happened either way."""
    if form.validate_on_submit():
        try:
            change()
            db.session.commit()
        except EditConflict as conflict:
            db.session.rollback()
            flash(
                _("%(title)s: %(message)s", title=followup.title, message=conflict.summary()),
                "danger",
            )
        except ValidationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            flash(done_message, "success")
    else:
        for field in form:
            for error in field.errors:
                message = _("%(field)s: %(error)s", field=field.label.text, error=error)
                flash(_("%(title)s: %(message)s", title=followup.title, message=message), "danger")
    return _back(form.next.data)


@bp.route("/followups/<int:followup_id>/complete", methods=["POST"])
def complete(followup_id: int) -> Response:
    followup = _load(followup_id)
    form = ActionForm()
    return _act(
        followup,
        form,
        lambda: services.complete_followup(
            followup, on=dates.today(), actor=current_user, version=form.version.data
        ),
        _("Done: %(title)s.", title=followup.title),
    )


@bp.route("/followups/<int:followup_id>/cancel", methods=["POST"])
def cancel(followup_id: int) -> Response:
    followup = _load(followup_id)
    form = ActionForm()
    return _act(
        followup,
        form,
        lambda: services.cancel_followup(followup, actor=current_user, version=form.version.data),
        _("Cancelled: %(title)s.", title=followup.title),
    )


@bp.route("/followups/<int:followup_id>/reopen", methods=["POST"])
def reopen(followup_id: int) -> Response:
    followup = _load(followup_id)
    form = ActionForm()
    return _act(
        followup,
        form,
        lambda: services.reopen_followup(followup, actor=current_user, version=form.version.data),
        _("Open again: %(title)s.", title=followup.title),
    )


@bp.route("/followups/<int:followup_id>/reschedule", methods=["POST"])
def reschedule(followup_id: int) -> Response:
    followup = _load(followup_id)
    form = RescheduleForm()
    return _act(
        followup,
        form,
        lambda: services.reschedule_followup(
            followup, form.due_on.data, actor=current_user, version=form.version.data
        ),
        _("%(title)s is now due %(day)s.", title=followup.title, day=format_day(form.due_on.data)),
    )


@bp.route("/followups/<int:followup_id>/reassign", methods=["POST"])
def reassign(followup_id: int) -> Response:
    followup = _load(followup_id)
    form = ReassignForm()
    form.assignee.choices = _staff_choices(db.session.execute(services.active_staff()).all())
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    return _act(
        followup,
        form,
        lambda: services.reassign_followup(
            followup, assignee, actor=current_user, version=form.version.data
        ),
        _("%(title)s is now assigned to %(name)s.", title=followup.title,
          name=assignee.name if assignee else ""),
    )  # fmt: skip


def _new_form(company: Company, needs: list[Need], formdata: object = None) -> FollowUpForm:
    form = FollowUpForm(formdata=formdata)
    staff = db.session.execute(services.active_staff()).all()
    form.assignee.choices = _staff_choices(staff)
    form.need.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(str(n.id), f"{n.category.name} ({format_day(n.identified_on)})") for n in needs
    ]
    solutions = [s for n in needs for s in n.solutions if not s.status.is_decided]
    form.solution.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(str(s.id), f"{s.title} — {s.need.category.name}") for s in solutions
    ]
    form.solutions_by_need = {n.id: [s.id for s in n.solutions] for n in needs}
    if formdata is None:
        form.assignee.data = current_user.id
        form.need.data = request.args.get("need", type=int)
        form.solution.data = request.args.get("solution", type=int)
    return form


@bp.route("/followups/new", methods=["GET", "POST"])
def new() -> Response | str:
    company_id = request.args.get("company", type=int)
    if company_id is None:
        abort(404)
    company = db.get_or_404(Company, company_id)
    needs = list(db.session.execute(services.open_needs_of(company.id)).scalars())
    form = _new_form(company, needs, request.form if request.method == "POST" else None)
    if company.archived:
        flash(_("This company is archived; restore it before planning a follow-up."), "warning")
    elif form.validate_on_submit():
        solution = db.session.get(Solution, form.solution.data) if form.solution.data else None
        need = db.session.get(Need, form.need.data) if form.need.data else None
        try:
            followup = services.create_followup(
                company=company,
                title=form.title.data,
                due_on=form.due_on.data,
                assignee=db.session.get(User, form.assignee.data),
                need=need or (solution.need if solution else None),
                solution=solution,
                notes=form.notes.data or "",
                actor=current_user,
            )
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            if not attach_error(form, error):  # type: ignore[arg-type]
                flash(str(error), "danger")
        else:
            flash(_("Follow-up added: %(title)s.", title=followup.title), "success")
            return redirect(company_url(company.id) or url_for("followups.index"))
    return render_template("followups/new.html", company=company, form=form)


@bp.route("/followups/calendar", methods=["POST"])
def regenerate_calendar() -> Response:
    if FlaskForm().validate_on_submit():
        services.regenerate_calendar_token(current_user)
        db.session.commit()
        flash(_("Your calendar has a new link. The old link no longer works."), "success")
    return redirect(url_for("followups.index", _anchor="calendar"))


@bp.route("/calendar/.ics", defaults={"token": ""})
@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """Public by design (calendar clients cannot sign in): the secret token is the key."""
    user = db.first_or_404(services.calendar_owner(token))
    followups = db.session.execute(services.open_followups(user.id)).scalars().all()
    fallback = url_for("followups.index", _external=True)
    # The calendar client signs nobody in: the feed speaks its owner's language, else the client's.
    with force_locale(user.locale or select_locale()):
        body = build_calendar(
            user,
            followups,
            host=urlsplit(request.host_url).hostname or "localhost",
            link=lambda f: company_url(f.company_id, external=True) or fallback,
        )
    return current_app.response_class(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'inline; filename="follow-ups.ics"',
        },
    )
