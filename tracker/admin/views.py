"""Admin pages: users and clusters."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.admin import services
from tracker.admin.forms import ClusterForm, ConfirmForm, NewClusterForm, NewUserForm, UserForm
from tracker.admin.queries import cluster_overview, users_query
from tracker.common.forms import attach_error
from tracker.extensions import db
from tracker.models import Cluster, Role, User

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
            )
            if form.password.data:
                services.reset_password(user, form.password.data, actor=current_user)
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Changes to %(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


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
    if form.validate_on_submit():
        try:
            services.update_cluster(
                cluster,
                name=form.name.data,
                description=form.description.data or "",
                actor=current_user,
            )
            db.session.commit()
        except services.ValidationError as error:
            _refused(form, error)
        else:
            flash(_("Cluster %(name)s saved.", name=cluster.name), "success")
            return redirect(url_for("admin.clusters"))
    return render_template("admin/cluster_form.html", form=form, cluster=cluster)
