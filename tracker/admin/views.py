"""Admin pages: users, clusters and the catalogues (need categories, instruments, markets)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.admin import services
from tracker.admin.forms import (
    ClusterForm,
    ConfirmForm,
    InstrumentForm,
    MarketForm,
    NeedCategoryForm,
    NewClusterForm,
    NewInstrumentForm,
    NewMarketForm,
    NewNeedCategoryForm,
    NewUserForm,
    UserForm,
)
from tracker.admin.queries import (
    catalogue_counts,
    cluster_overview,
    instrument_state,
    instruments_query,
    market_overview,
    need_category_overview,
    solutions_per_instrument,
    users_query,
)
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.dates import today
from tracker.extensions import db
from tracker.models import Cluster, Instrument, InstrumentKind, Market, NeedCategory, Role, User

bp = Blueprint("admin", __name__)


@bp.before_request
def admins_only() -> None:
    if not current_user.is_authenticated or current_user.role is not Role.ADMIN:
        abort(403)


def _cluster_choices() -> list[SelectChoice]:
    rows = db.session.execute(db.select(Cluster.id, Cluster.name).order_by(Cluster.name)).all()
    return [SelectChoice(value=row.id, label=row.name) for row in rows]


def _selected_clusters(ids: list[int]) -> list[Cluster]:
    if not ids:
        return []
    return list(db.session.execute(db.select(Cluster).where(Cluster.id.in_(ids))).scalars())


def _refused(form: object, error: services.ValidationError) -> None:
    db.session.rollback()
    if not attach_error(form, error):  # type: ignore[arg-type]
        flash(str(error), "danger")


@bp.route("/")
def index() -> str:
    counts = {
        "users": db.session.scalar(db.select(db.func.count(User.id))),
        "active_users": db.session.scalar(
            db.select(db.func.count(User.id)).where(User.active.is_(True))
        ),
        "clusters": db.session.scalar(db.select(db.func.count(Cluster.id))),
        **catalogue_counts(today()),
    }
    return render_template("admin/index.html", counts=counts)


@bp.route("/users")
def users() -> str:
    q = request.args.get("q", "").strip()[:100]
    page = db.paginate(users_query(q), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, q=q, confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Response | str:
    form = NewUserForm()
    form.clusters.choices = _cluster_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                password=form.password.data,
                clusters=_selected_clusters(form.clusters.data),
                actor=current_user,
            )
            user.active = bool(form.active.data)
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response | str:
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.clusters.choices = _cluster_choices()
    if request.method == "GET":
        form.role.data = user.role.value
        form.clusters.data = [c.id for c in user.clusters]
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                active=bool(form.active.data),
                clusters=_selected_clusters(form.clusters.data),
                actor=current_user,
                version=form.version.data,
            )
            if form.password.data:
                services.reset_password(user, form.password.data, actor=current_user)
            db.session.commit()
        except EditConflict as error:
            reopen(form, user, error)
            conflict = error
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Changes to %(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, conflict=conflict)


@bp.route("/users/<int:user_id>/<any(activate, deactivate):action>", methods=["POST"])
def set_active(user_id: int, action: str) -> Response:
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_user_active(user, action == "activate", actor=current_user)
            db.session.commit()
        except services.ValidationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            if action == "activate":
                flash(_("%(name)s can sign in again.", name=user.name), "success")
            else:
                flash(_("%(name)s is deactivated and signed out.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/clusters")
def clusters() -> str:
    return render_template("admin/clusters.html", rows=cluster_overview())


@bp.route("/clusters/new", methods=["GET", "POST"])
def new_cluster() -> Response | str:
    form = NewClusterForm()
    if form.validate_on_submit():
        try:
            cluster = services.create_cluster(
                slug=form.slug.data,
                name=form.name.data,
                description=form.description.data or "",
                actor=current_user,
            )
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Cluster %(name)s created.", name=cluster.name), "success")
            return redirect(url_for("admin.clusters"))
    return render_template("admin/cluster_form.html", form=form, cluster=None)


@bp.route("/clusters/<int:cluster_id>/edit", methods=["GET", "POST"])
def edit_cluster(cluster_id: int) -> Response | str:
    cluster = db.get_or_404(Cluster, cluster_id)
    form = ClusterForm(obj=cluster)
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_cluster(
                cluster,
                name=form.name.data,
                description=form.description.data or "",
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, cluster, error)
            conflict = error
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Cluster %(name)s saved.", name=cluster.name), "success")
            return redirect(url_for("admin.clusters"))
    return render_template("admin/cluster_form.html", form=form, cluster=cluster, conflict=conflict)


@bp.route("/need-categories")
def need_categories() -> str:
    return render_template(
        "admin/need_categories.html", rows=need_category_overview(), confirm=ConfirmForm()
    )


@bp.route("/need-categories/new", methods=["GET", "POST"])
def new_need_category() -> Response | str:
    form = NewNeedCategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_need_category(
                slug=form.slug.data,
                name=form.name.data,
                position=form.position.data,
                actor=current_user,
            )
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Need category %(name)s created.", name=category.name), "success")
            return redirect(url_for("admin.need_categories"))
    return render_template("admin/need_category_form.html", form=form, category=None)


@bp.route("/need-categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_need_category(category_id: int) -> Response | str:
    category = db.get_or_404(NeedCategory, category_id)
    form = NeedCategoryForm(obj=category)
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_need_category(
                category,
                name=form.name.data,
                position=form.position.data,
                active=bool(form.active.data),
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, category, error)
            conflict = error
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Need category %(name)s saved.", name=category.name), "success")
            return redirect(url_for("admin.need_categories"))
    return render_template(
        "admin/need_category_form.html", form=form, category=category, conflict=conflict
    )


@bp.route("/need-categories/<int:category_id>/<any(retire, reactivate):action>", methods=["POST"])
def set_need_category_active(category_id: int, action: str) -> Response:
    category = db.get_or_404(NeedCategory, category_id)
    if ConfirmForm().validate_on_submit():
        services.set_catalogue_active(category, action == "reactivate", actor=current_user)
        db.session.commit()
        if action == "reactivate":
            flash(_("%(name)s is offered for new needs again.", name=category.name), "success")
        else:
            flash(
                _(
                    "%(name)s is retired: no longer offered for new needs; existing needs keep it.",
                    name=category.name,
                ),
                "success",
            )
    return redirect(url_for("admin.need_categories"))


def _instrument_kind(value: str) -> InstrumentKind | None:
    """The kind a filter asks for; an unknown value filters nothing."""
    try:
        return InstrumentKind(value)
    except ValueError:
        return None


@bp.route("/instruments")
def instruments() -> str:
    q = request.args.get("q", "").strip()[:100]
    kind = _instrument_kind(request.args.get("kind", ""))
    page = db.paginate(
        instruments_query(kind, q), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    usage = solutions_per_instrument(i.id for i in page.items)
    on = today()
    rows = [(i, usage.get(i.id, 0), instrument_state(i, on)) for i in page.items]
    return render_template(
        "admin/instruments.html", page=page, rows=rows, q=q, kind=kind, kinds=list(InstrumentKind)
    )


def _instrument_fields(form: InstrumentForm) -> dict[str, Any]:
    """The form's values as the instrument services take them."""
    return {
        "name": form.name.data,
        "kind": InstrumentKind(form.kind.data),
        "provider": form.provider.data or "",
        "description": form.description.data or "",
        "active_from": form.active_from.data,
        "active_to": form.active_to.data,
    }


@bp.route("/instruments/new", methods=["GET", "POST"])
def new_instrument() -> Response | str:
    form = NewInstrumentForm()
    if form.validate_on_submit():
        try:
            instrument = services.create_instrument(**_instrument_fields(form), actor=current_user)
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Instrument %(name)s created.", name=instrument.name), "success")
            return redirect(url_for("admin.instruments"))
    return render_template("admin/instrument_form.html", form=form, instrument=None)


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
def edit_instrument(instrument_id: int) -> Response | str:
    instrument = db.get_or_404(Instrument, instrument_id)
    form = InstrumentForm(obj=instrument)
    if request.method == "GET":
        form.kind.data = instrument.kind.value
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_instrument(
                instrument,
                **_instrument_fields(form),
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, instrument, error)
            conflict = error
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Instrument %(name)s saved.", name=instrument.name), "success")
            return redirect(url_for("admin.instruments"))
    return render_template(
        "admin/instrument_form.html", form=form, instrument=instrument, conflict=conflict
    )


@bp.route("/markets")
def markets() -> str:
    return render_template("admin/markets.html", rows=market_overview(), confirm=ConfirmForm())


@bp.route("/markets/new", methods=["GET", "POST"])
def new_market() -> Response | str:
    form = NewMarketForm()
    if form.validate_on_submit():
        try:
            market = services.create_market(
                slug=form.slug.data, name=form.name.data, actor=current_user
            )
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Market %(name)s created.", name=market.name), "success")
            return redirect(url_for("admin.markets"))
    return render_template("admin/market_form.html", form=form, market=None)


@bp.route("/markets/<int:market_id>/edit", methods=["GET", "POST"])
def edit_market(market_id: int) -> Response | str:
    market = db.get_or_404(Market, market_id)
    form = MarketForm(obj=market)
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_market(
                market,
                name=form.name.data,
                active=bool(form.active.data),
                actor=current_user,
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, market, error)
            conflict = error
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Market %(name)s saved.", name=market.name), "success")
            return redirect(url_for("admin.markets"))
    return render_template("admin/market_form.html", form=form, market=market, conflict=conflict)


@bp.route("/markets/<int:market_id>/<any(retire, reactivate):action>", methods=["POST"])
def set_market_active(market_id: int, action: str) -> Response:
    market = db.get_or_404(Market, market_id)
    if ConfirmForm().validate_on_submit():
        services.set_catalogue_active(market, action == "reactivate", actor=current_user)
        db.session.commit()
        if action == "reactivate":
            flash(_("%(name)s is offered for companies again.", name=market.name), "success")
        else:
            flash(
                _(
                    "%(name)s is retired: no longer offered for companies; "
                    "companies that serve it keep it.",
                    name=market.name,
                ),
                "success",
            )
    return redirect(url_for("admin.markets"))
