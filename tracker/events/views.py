"""Event pages: the list, one event, its form and who took part."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker import dates
from tracker.auth.access import STAFF, roles_required
from tracker.common.errors import ValidationError
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.events import services
from tracker.events.forms import AddParticipantsForm, EventFilterForm, EventForm, ParticipantsForm
from tracker.extensions import db
from tracker.models import Cluster, Company, Event, EventFormat, Person

bp = Blueprint("events", __name__)

SEARCH_MIN_LENGTH = 2


@bp.before_request
@roles_required(*STAFF)
def staff_only() -> None:
    """Viewers read final reports only."""


def _clusters() -> list[Cluster]:
    return list(db.session.execute(db.select(Cluster).order_by(Cluster.name)).scalars())


def _cluster_choices(empty_label: str) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [SelectChoice(str(c.id), c.name) for c in _clusters()]


@bp.route("/events")
def index() -> str:
    filters = EventFilterForm(request.args)
    filters.cluster.choices = _cluster_choices(_("All clusters"))
    years = list(db.session.execute(services.event_years()).scalars())
    filters.year.choices = [SelectChoice("", _("All years"))] + [
        SelectChoice(str(y), str(y)) for y in years
    ]
    # A cluster or year that is not on offer in the address shows every event, not an error.
    cluster_id = filters.cluster.data
    year = filters.year.data if filters.year.data in years else None
    page = db.paginate(
        services.events_list(cluster_id, year),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    counts = services.participant_counts([e.id for e in page.items])
    return render_template(
        "events/index.html",
        page=page,
        counts=counts,
        filters=filters,
        filtered=bool(cluster_id or year),
    )


def _event_form(event: Event | None, formdata: object = None) -> EventForm:
    form = EventForm(formdata=formdata)
    form.cluster.choices = _cluster_choices(_("— no cluster —"))
    if formdata is None:
        if event is None:
            form.held_on.data = dates.today()
            form.cluster.data = current_user.clusters[0].id if current_user.clusters else None
        else:
            form.title.data, form.held_on.data = event.title, event.held_on
            form.format.data, form.cluster.data = event.format.value, event.cluster_id
            form.partners.data, form.description.data = event.partners, event.description
            form.version.data = event.version
    return form


def _save_event(event: Event | None, form: EventForm) -> Event | None:
    """Create or update from a validated form; None (and the errors shown) when refused.

    An EditConflict is left to the caller, which shows what changed."""
    values = {
        "title": form.title.data,
        "held_on": form.held_on.data,
        "format": EventFormat(form.format.data),
        "partners": form.partners.data or "",
        "description": form.description.data or "",
        "cluster": db.session.get(Cluster, form.cluster.data) if form.cluster.data else None,
        "actor": current_user,
    }
    try:
        if event is None:
            event = services.create_event(**values)
        else:
            services.update_event(event, version=form.version.data, **values)
        db.session.commit()
    except EditConflict:
        raise
    except ValidationError as error:
        db.session.rollback()
        if not attach_error(form, error):  # type: ignore[arg-type]
            flash(str(error), "danger")
        return None
    return event


@bp.route("/events/new", methods=["GET", "POST"])
def new() -> Response | str:
    form = _event_form(None, request.form if request.method == "POST" else None)
    if form.validate_on_submit() and (event := _save_event(None, form)):
        flash(_("Event created. Now add who took part."), "success")
        return redirect(url_for("events.participants", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> Response | str:
    event = db.get_or_404(Event, event_id)
    form = _event_form(event, request.form if request.method == "POST" else None)
    conflict = None
    if form.validate_on_submit():
        try:
            saved = _save_event(event, form)
        except EditConflict as error:
            reopen(form, event, error)
            conflict = error
        else:
            if saved:
                flash(_("Event saved."), "success")
                return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, conflict=conflict)


def _participants_by_company(event: Event) -> list[tuple[Company, list[Person]]]:
    people: dict[int, list[Person]] = {}
    for person in sorted(event.people, key=lambda p: p.name):
        people.setdefault(person.company_id, []).append(person)
    companies = sorted(event.companies, key=lambda c: c.legal_name.casefold())
    return [(company, people.get(company.id, [])) for company in companies]


@bp.route("/events/<int:event_id>")
def detail(event_id: int) -> str:
    event = db.one_or_404(services.event_detail(event_id))
    return render_template(
        "events/detail.html", event=event, participants=_participants_by_company(event)
    )


def _offered_people(event: Event) -> list[Person]:
    """The people of the participating companies; archived ones only if already ticked."""
    company_ids = [c.id for c in event.companies]
    if not company_ids:
        return []
    chosen = {p.id for p in event.people}
    found = db.session.execute(services.people_of(company_ids)).scalars()
    return [p for p in found if not p.archived or p.id in chosen]


def _participant_forms(
    event: Event, people: list[Person]
) -> tuple[AddParticipantsForm, ParticipantsForm]:
    """Both forms of the page, the one that was posted bound to the request."""
    posted = request.form if request.method == "POST" else None
    adding = posted is not None and "add-submit" in posted
    add_form = AddParticipantsForm(formdata=posted if adding else None, prefix="add")
    ids = set(add_form.companies.data or []) if adding else set()
    addable = _addable_companies(ids)
    add_form.companies.choices = [SelectChoice(str(c.id), c.legal_name) for c in addable]

    people_form = ParticipantsForm(
        formdata=posted if posted is not None and not adding else None, prefix="people"
    )
    people_form.people.choices = [SelectChoice(str(p.id), p.name) for p in people]
    if posted is None or adding:
        people_form.people.data = [p.id for p in event.people]
        people_form.version.data = event.version
    if not adding:
        add_form.version.data = event.version
    return add_form, people_form


def _change_participants(
    event: Event,
    people: list[Person],
    add_form: AddParticipantsForm,
    people_form: ParticipantsForm,
) -> str | None:
    """Apply the posted form; the message to show, or None when it was refused."""
    if add_form.submit.data:
        if not add_form.validate_on_submit():
            return None
        ids = set(add_form.companies.data or [])
        services.add_participants(
            event,
            [c for c in _addable_companies(ids)],
            actor=current_user,
            version=add_form.version.data,
        )
        return _("Participants added; tick who of their people took part.")
    if not (people_form.submit.data or people_form.remove.data):
        return None  # neither button: nothing to do
    if not people_form.validate_on_submit():
        return None
    if people_form.remove.data:
        company = next((c for c in event.companies if c.id == people_form.remove.data), None)
        if company is None:
            raise ValidationError(_("That company is not among the participants."))
        services.remove_participant(
            event, company, actor=current_user, version=people_form.version.data
        )
        return _("%(name)s is no longer among the participants.", name=company.legal_name)
    by_id = {p.id: p for p in people}
    services.set_participants(
        event,
        companies=event.companies,
        people=[by_id[i] for i in people_form.people.data or []],
        actor=current_user,
        version=people_form.version.data,
    )
    return _("Participants saved.")


def _addable_companies(ids: set[int]) -> list[Company]:
    if not ids:
        return []
    query = db.select(Company).where(Company.id.in_(ids), Company.archived.is_(False))
    return list(db.session.execute(query).scalars())


@bp.route("/events/<int:event_id>/participants", methods=["GET", "POST"])
def participants(event_id: int) -> Response | str:
    event = db.one_or_404(services.event_detail(event_id))
    people = _offered_people(event)
    add_form, people_form = _participant_forms(event, people)
    conflict = None
    if request.method == "POST":
        form = add_form if add_form.submit.data else people_form
        try:
            message = _change_participants(event, people, add_form, people_form)
            if message:
                db.session.commit()
        except EditConflict as error:
            reopen(form, event, error)
            add_form.version.data = people_form.version.data = event.version
            conflict = error
        except ValidationError as error:
            db.session.rollback()
            if not attach_error(form, error):  # type: ignore[arg-type]
                flash(str(error), "danger")
        else:
            if message:
                flash(message, "success")
                return redirect(url_for("events.participants", event_id=event.id))

    q = request.args.get("q", "").strip()[:100]
    candidates: list[Company] = []
    if len(q) >= SEARCH_MIN_LENGTH:
        exclude = [c.id for c in event.companies]
        candidates = list(db.session.execute(services.company_search(q, exclude=exclude)).scalars())
    return render_template(
        "events/participants.html",
        event=event,
        participants=_participants_by_company(event),
        people=people,
        add_form=add_form,
        people_form=people_form,
        q=q,
        candidates=candidates,
        search_min_length=SEARCH_MIN_LENGTH,
        conflict=conflict,
    )
