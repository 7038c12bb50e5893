"""My account: every signed-in user sees their account and changes their name, language and
password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from tracker.account.forms import AccountForm
from tracker.account.services import PROFILE_FIELDS, update_account
from tracker.common.errors import ValidationError
from tracker.common.forms import attach_error
from tracker.common.versions import EditConflict, reopen
from tracker.extensions import db, limiter

bp = Blueprint("account", __name__)


def _attempt_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _user_key() -> str:
    # The current password is checked here: limit guesses per account, as on the sign-in page.
    return f"account:{getattr(current_user, 'id', 'anonymous')}"


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"], key_func=_user_key)
def index() -> Response | str:
    user = current_user._get_current_object()
    form = AccountForm(obj=user, user_email=user.email)
    conflict = None
    if form.validate_on_submit():
        try:
            changes = update_account(
                user,
                profile={name: form[name].data for name in PROFILE_FIELDS},
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
                version=form.version.data,
            )
            db.session.commit()
        except EditConflict as error:
            reopen(form, user, error)
            conflict = error
        except ValidationError as error:
            db.session.rollback()
            if not attach_error(form, error):
                flash(str(error), "danger")
        else:
            if "locale" in changes:
                refresh()  # the message below, and the next page, in the language just chosen
            if "password" in changes:
                # The token changed: sign this session in again with it; every other one has ended.
                remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                login_user(user, remember=remember in request.cookies)
                flash(_("Your password is changed; your other sessions are signed out."), "success")
            elif changes:
                flash(_("Your changes are saved."), "success")
            else:
                flash(_("Nothing to save: no field was changed."), "info")
            return redirect(url_for("account.index"))
    return render_template(
        "account/index.html",
        form=form,
        user=user,
        profile_fields=PROFILE_FIELDS,
        conflict=conflict,
    )
