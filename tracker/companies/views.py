"""Companies and their contact persons."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.admin.forms import ConfirmForm
from tracker.admin.services import ValidationError
from tracker.auth.access import STAFF, roles_required
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.companies import queries, services, timeline
from tracker.companies.chart import risk_chart
from tracker.companies.forms import CompanyForm, NewCompanyForm, PersonForm, country_choices
from tracker.companies.validation import nace_divisions, nace_label
from tracker.dates import today
from tracker.extensions import db
from tracker.gdpr.forms import NewPersonForm
from tracker.gdpr.services import erased_match
from tracker.interactions.queries import archived_count
from tracker.models import (
    Cluster,
    Company,
    CompanyStatus,
    HealthCheck,
    LawfulBasis,
    Market,
    Person,
    RiskLevel,
    RiskReason,
    User,
)
from tracker.support.display import format_eur
from tracker.templating import format_day

bp = Blueprint("companies", __name__)


@bp.record_once
def _accent_insensitive_search_on_sqlite(state: BlueprintSetupState) -> None:
    """Give the app's SQLite connections the accent folding that the search relies on."""
    with state.app.app_context():
        sa.event.listen(db.engine, "connect", queries.install_sqlite_fold)


HEALTH_CHART_MONTHS = 24
# Two people saving the same RCS number at once: the unique constraint refuses the second.
RCS_TAKEN_MEANWHILE = _l(
    "Another company was saved with this RCS number a moment ago; check the list."
)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"since_day": since_day, "eur": format_eur, "log_contact_url": log_contact_url}


def since_day(value: date | None) -> str:
    """`today`, `yesterday`, `12 days ago`, `5 weeks ago`, `4 months ago`, `2 years ago`."""
    if value is None:
        return ""
    days = (today() - value).days
    if days < 0:
        return ngettext("in %(num)d day", "in %(num)d days", -days)
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days < 14:
        return ngettext("%(num)d day ago", "%(num)d days ago", days)
    if days < 60:
        return ngettext("%(num)d week ago", "%(num)d weeks ago", days // 7)
    if days < 730:
        return ngettext("%(num)d month ago", "%(num)d months ago", days // 30)
    return ngettext("%(num)d year ago", "%(num)d years ago", days // 365)


def log_contact_url(company_id: int) -> str:
    """Where "Log a contact" goes; the contact form is another feature's page."""
    if "interactions.new" in current_app.view_functions:
        return url_for("interactions.new", company=company_id)
    return f"/interactions/new?company={company_id:d}"


# The list and the type-ahead search.


@bp.route("/companies")
@roles_required(*STAFF)
def index() -> str:
    filters = queries.CompanyFilters.from_args(request.args)
    page = queries.company_page(
        filters, user_id=current_user.id, on=today(), per_page=current_app.config["PAGE_SIZE"]
    )
    facts = queries.facts_for([company.id for company in page.items])
    return render_template(
        "companies/index.html",
        page=page,
        facts=facts,
        filters=filters,
        filter_fields=_filter_fields(),
    )


def _filter_fields() -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """(name, label, [(value, label)], label of "any") of each filter of the list."""
    return [
        (
            "cluster",
            _("Cluster"),
            [(slug, name) for _id, slug, name in queries.cluster_choices()],
            _("All clusters"),
        ),
        (
            "owner",
            _("Owner"),
            [
                ("mine", _("Me")),
                ("none", _("Nobody")),
                *((str(uid), name) for uid, name in queries.staff_choices()),
            ],
            _("Anyone"),
        ),
        ("status", _("Status"), [(s.value, s.label) for s in CompanyStatus], _("Any status")),
        (
            "market",
            _("Market"),
            [(slug, name) for _id, slug, name in queries.market_choices()],
            _("All markets"),
        ),
        (
            "nace",
            _("NACE division"),
            [(code, f"{code} {label}") for code, label in nace_divisions()],
            _("All activities"),
        ),
        (
            "size",
            _("Size"),
            [(v, str(label)) for v, label, _lo, _hi in queries.SIZE_BANDS],
            _("Any size"),
        ),
        (
            "risk",
            _("Latest risk"),
            [*((r.value, r.label) for r in RiskLevel), ("none", _("Not assessed"))],
            _("Any risk"),
        ),
        (
            "silent",
            _("Last contact"),
            [(str(d), _("Not contacted for %(n)d days", n=d)) for d in queries.SILENCE_DAYS],
            _("Any time"),
        ),
    ]


@bp.route("/companies/search")
@roles_required(*STAFF)
def search() -> Response:
    return jsonify({"results": queries.search_results(request.args.get("q", ""))})


# Creating and editing a company.


def _prepare(form: CompanyForm, company: Company | None) -> None:
    """Fill the choices; a retired market or an inactive owner already set stays selectable."""
    current_markets = {m.id for m in company.markets} if company else set()
    form.country.choices = country_choices()
    form.clusters.choices = [
        SelectChoice(value=cid, label=name) for cid, _slug, name in queries.cluster_choices()
    ]
    form.markets.choices = [
        SelectChoice(value=mid, label=name)
        for mid, _slug, name in queries.market_choices(current_markets)
    ]
    owner_id = company.owner_id if company else None
    form.owner.choices = [
        SelectChoice(value="", label=_("Nobody yet")),
        *(SelectChoice(value=uid, label=name) for uid, name in queries.staff_choices(owner_id)),
    ]


def _details(form: CompanyForm) -> services.CompanyDetails:
    clusters = _by_ids(Cluster, form.clusters.data)
    markets = _by_ids(Market, form.markets.data)
    owner = db.session.get(User, form.owner.data) if form.owner.data else None
    return services.CompanyDetails(
        legal_name=form.legal_name.data or "",
        trade_name=form.trade_name.data,
        rcs_number=form.rcs_number.data,
        vat_number=form.vat_number.data,
        nace_code=form.nace_code.data,
        employees=form.employees.data,
        street=form.street.data,
        postal_code=form.postal_code.data,
        locality=form.locality.data,
        country=form.country.data,
        website=form.website.data,
        status=CompanyStatus(form.status.data),
        owner=owner,
        clusters=clusters,
        markets=markets,
    )


def _by_ids(model: type[Cluster] | type[Market], ids: list[int] | None) -> list[Any]:
    if not ids:
        return []
    return list(db.session.scalars(db.select(model).where(model.id.in_(ids))))


def _refused(form: Any, error: ValidationError) -> None:
    db.session.rollback()
    if not attach_error(form, error):
        flash(str(error), "danger")


@bp.route("/companies/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new() -> Response | str:
    form = NewCompanyForm()
    _prepare(form, None)
    if request.method == "GET":
        form.owner.data = current_user.id
    duplicates: list[services.DuplicateMatch] = []
    if form.validate_on_submit():
        try:
            company = services.create_company(
                _details(form),
                actor=current_user,
                allow_duplicates=bool(form.confirm_different.data),
            )
            db.session.commit()
        except services.LikelyDuplicates as warning:
            db.session.rollback()
            duplicates = warning.matches
        except ValidationError as error:
            _refused(form, error)
        except sa.exc.IntegrityError:
            _refused(form, ValidationError(str(RCS_TAKEN_MEANWHILE), "rcs_number"))
        else:
            flash(_("%(name)s added.", name=company.legal_name), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=None, duplicates=duplicates)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(company_id: int) -> Response | str:
    company = db.get_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    _prepare(form, company)
    if request.method == "GET":
        form.status.data = company.status.value
        form.owner.data = company.owner_id
        form.clusters.data = [c.id for c in company.clusters]
        form.markets.data = [m.id for m in company.markets]
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_company(
                company, _details(form), actor=current_user, version=form.version.data
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, company, error)
            conflict = error
        except ValidationError as error:
            _refused(form, error)
        except sa.exc.IntegrityError:
            _refused(form, ValidationError(str(RCS_TAKEN_MEANWHILE), "rcs_number"))
        else:
            flash(_("Changes to %(name)s saved.", name=company.legal_name), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template(
        "companies/form.html", form=form, company=company, duplicates=[], conflict=conflict
    )


@bp.route("/companies/<int:company_id>/<any(archive, restore):action>", methods=["POST"])
@roles_required(*STAFF)
def set_archived(company_id: int, action: str) -> Response:
    company = db.get_or_404(Company, company_id)
    if ConfirmForm().validate_on_submit():
        if action == "archive":
            services.archive_company(company, actor=current_user)
            db.session.commit()
            flash(
                _(
                    "%(name)s is archived: hidden from lists, nothing deleted.",
                    name=company.legal_name,
                ),
                "success",
            )
        else:
            services.restore_company(company, actor=current_user)
            db.session.commit()
            flash(_("%(name)s is restored.", name=company.legal_name), "success")
    return redirect(url_for("companies.detail", company_id=company.id))


# The company page.


def _chart_start(on: date) -> date:
    """The first day of the month HEALTH_CHART_MONTHS - 1 months before `on`'s month."""
    months = on.year * 12 + on.month - 1 - (HEALTH_CHART_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


# Open needs and follow-ups shown on a company's page before "Show all".
CARD_LIMIT = 10


@bp.route("/companies/<int:company_id>")
@roles_required(*STAFF)
def detail(company_id: int) -> str:
    company = queries.company_for_page(company_id)
    before = timeline.parse_cursor(request.args.get("before"))
    on = today()
    start = _chart_start(on)
    history = queries.risk_history(company.id, start)
    health = queries.latest_health_check(company.id)
    show_all = request.args.get("all")
    needs_total, followups_total = queries.open_counts(company.id)
    return render_template(
        "companies/detail.html",
        company=company,
        nace=nace_label(company.nace_code),
        country_name=get_locale().territories.get(company.country, company.country),
        people=[p for p in company.people if not p.archived],
        archived_people=[p for p in company.people if p.archived],
        archived_contacts=db.session.scalar(archived_count(company.id)),
        health=health,
        risk_reasons=_risk_reasons(health),
        chart=risk_chart(history, start=start, end=on),
        # The cards show the first few; "Show all" (?all=needs|followups) lists every one.
        needs=queries.open_needs(company.id, None if show_all == "needs" else CARD_LIMIT),
        followups=queries.open_followups(
            company.id, None if show_all == "followups" else CARD_LIMIT
        ),
        needs_total=needs_total,
        followups_total=followups_total,
        story=timeline.company_timeline(company.id, before=before),
        older_page=before is not None,
        confirm=ConfirmForm(),
    )


def _risk_reasons(health: HealthCheck | None) -> list[str]:
    if health is None:
        return []
    known = {reason.value: reason for reason in RiskReason}
    return [known[r].label if r in known else str(r) for r in health.risk_reasons or []]


# Contact persons.


def _person_of(company_id: int, person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    if person.company_id != company_id:
        abort(404)
    return person


def _person_details(form: PersonForm) -> services.PersonDetails:
    return services.PersonDetails(
        name=form.name.data or "",
        job_title=form.job_title.data,
        email=form.email.data or None,
        phone=form.phone.data or None,
        lawful_basis=LawfulBasis(form.lawful_basis.data),
        notes=form.notes.data or "",
    )


@bp.route("/companies/<int:company_id>/people/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_person(company_id: int) -> Response | str:
    company = db.get_or_404(Company, company_id)
    form = NewPersonForm()
    erasure = None
    if form.validate_on_submit():
        # A person erased at their request is created again only when they agreed (GDPR).
        erasure = erased_match(form.name.data, form.email.data, company.id)
        if erasure is None or form.confirm_erased.data:
            try:
                person = services.add_person(company, _person_details(form), actor=current_user)
                db.session.commit()
            except ValidationError as error:
                _refused(form, error)
            else:
                flash(_("%(name)s added to the contacts.", name=person.name), "success")
                return redirect(url_for("companies.detail", company_id=company.id) + "#people")
    return render_template(
        "companies/person_form.html", form=form, company=company, person=None, erasure=erasure
    )


@bp.route("/companies/<int:company_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_person(company_id: int, person_id: int) -> Response | str:
    company = db.get_or_404(Company, company_id)
    person = _person_of(company.id, person_id)
    if person.erased_at is not None:
        flash(
            _(
                "This person's data was erased on %(day)s at their request; there is nothing "
                "left to edit.",
                day=format_day(person.erased_at),
            ),
            "warning",
        )
        return redirect(url_for("companies.detail", company_id=company.id) + "#people")
    form = PersonForm(obj=person)
    if request.method == "GET":
        form.lawful_basis.data = person.lawful_basis.value
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_person(
                person, _person_details(form), actor=current_user, version=form.version.data
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, person, error)
            conflict = error
        except ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Changes to %(name)s saved.", name=person.name), "success")
            return redirect(url_for("companies.detail", company_id=company.id) + "#people")
    return render_template(
        "companies/person_form.html", form=form, company=company, person=person, conflict=conflict
    )


@bp.route("/companies/<int:company_id>/people/<int:person_id>/archive", methods=["POST"])
@roles_required(*STAFF)
def archive_person(company_id: int, person_id: int) -> Response:
    person = _person_of(company_id, person_id)
    if ConfirmForm().validate_on_submit():
        services.archive_person(person, actor=current_user)
        db.session.commit()
        flash(
            _("%(name)s is archived and no longer listed; nothing deleted.", name=person.name),
            "success",
        )
    return redirect(url_for("companies.detail", company_id=company_id) + "#people")


@bp.route("/companies/<int:company_id>/people/<int:person_id>/restore", methods=["POST"])
@roles_required(*STAFF)
def restore_person(company_id: int, person_id: int) -> Response:
    person = _person_of(company_id, person_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.restore_person(person, actor=current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("%(name)s is listed again among the contacts.", name=person.name), "success")
    return redirect(url_for("companies.detail", company_id=company_id) + "#people")
