"""The dashboard and the health probe."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.main.services import build_dashboard

bp = Blueprint("main", __name__)


@bp.route("/")
def dashboard() -> str:
    board = build_dashboard(current_user) if current_user.is_staff else None
    return render_template("main/dashboard.html", board=board)


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "up"}, 200
