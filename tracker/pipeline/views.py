"""The managers' pipeline review: what is stuck, who is overloaded, which companies nobody has
called. Managers and admins see everything; advisors see their own companies' part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import dates, exports
from tracker.auth.access import STAFF, roles_required
from tracker.common.errors import ValidationError
from tracker.common.versions import EditConflict
from tracker.extensions import db
from tracker.i18n import format_number
from tracker.models import SolutionStatus
from tracker.pipeline import queries, tables
from tracker.pipeline.filters import PRESETS, NotYourPart, PipelineFilters
from tracker.support import services as support
from tracker.support.display import format_eur
from tracker.support.forms import SolutionStatusForm

bp = Blueprint("pipeline", __name__)

# (endpoint, tab label) of the sub-views, in the order of the tabs.
VIEWS = [
    ("pipeline.board", _l("Solutions board")),
    ("pipeline.unaddressed", _l("Unaddressed needs")),
    ("pipeline.workload", _l("Workload")),
    ("pipeline.coverage", _l("Coverage")),
    ("pipeline.funnel", _l("Funnel")),
]
FILTER_ARGS = frozenset({"preset", "from", "to", "cluster", "advisor", "instrument", "category"})


@bp.before_request
@roles_required(*STAFF)
def staff_only() -> None:
    """Viewers read final reports only."""


def link_to(endpoint: str, **values: Any) -> str | None:
    """The URL of another feature's page, or None while that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def amount(value: Decimal | None) -> str:
    """`120,000.00` (`120 000,00` in French), for a column whose header names the currency."""
    return format_number(value, 2)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"link_to": link_to, "eur": format_eur, "amount": amount}


class Review:
    """One request for a pipeline view: its filters, and what every page needs around them."""

    def __init__(self, **view_args: Any) -> None:
        self.today = dates.today()
        self.options = queries.scope_options()
        try:
            self.filters = PipelineFilters.from_args(
                request.args, self.options, current_user, self.today
            )
        except NotYourPart:
            abort(403)
        self.view_args = {k: v for k, v in view_args.items() if v not in (None, "")}
        self.export = request.args.get("format")
        if self.export is not None and self.export not in exports.FORMATS:
            abort(404)

    @property
    def scope(self) -> queries.Scope:
        return self.filters.scope

    @property
    def first(self) -> date:
        return self.filters.period.first

    @property
    def last(self) -> date:
        return self.filters.period.last

    @property
    def as_of(self) -> date:
        return self.filters.period.as_of(self.today)

    def here(self, **changes: Any) -> str:
        """This page's URL with these filters and view arguments, `changes` applied."""
        filter_changes = {k: changes.pop(k) for k in list(changes) if k in FILTER_ARGS}
        args = {**self.view_args, **self.filters.args(**filter_changes), **changes}
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(request.endpoint or "pipeline.board", **args)

    def tab_url(self, endpoint: str) -> str:
        return url_for(endpoint, **self.filters.args())

    def download(self, name: str, table: tables.Table, *, snapshot: bool = False) -> Response:
        parts = ["pipeline", name, self.filters.cluster]
        if snapshot:
            parts.append(self.as_of.isoformat())
        else:
            parts += [self.first.isoformat(), self.last.isoformat()]
        header, rows = table
        basename = "-".join(part for part in parts if part)
        return exports.table_response(self.export or "csv", basename, header, rows)

    def render(self, template: str, **context: Any) -> str:
        for problem in self.filters.problems:
            flash(problem, "warning")
        return render_template(
            template,
            review=self,
            filters=self.filters,
            options=self.options,
            presets=PRESETS,
            views=VIEWS,
            today=self.today,
            statuses=list(SolutionStatus),
            **context,
        )


# ------------------------------------------------------------------------------------------
# Solutions board
# ------------------------------------------------------------------------------------------


def _board() -> Response | str:
    column = request.args.get("column", "")
    status = SolutionStatus(column) if column in {s.value for s in SolutionStatus} else None
    review = Review(column=status.value if status else None)

    def cards_of(row: Any) -> queries.Card:
        return queries.Card.from_row(row, review.today)

    if review.export:
        if status is not None:
            query = queries.board_column(review.scope, review.first, review.last, status)
        else:
            query = queries.board_export(review.scope, review.first, review.last)
        cards = [cards_of(row) for row in db.session.execute(query)]
        return review.download(f"board-{status.value}" if status else "board", tables.board(cards))
    if status is not None:
        page = queries.paginate_rows(
            queries.board_column(review.scope, review.first, review.last, status),
            per_page=queries.BOARD_LIMIT,
        )
        return review.render(
            "pipeline/column.html",
            status=status,
            page=page,
            cards=[cards_of(row) for row in page.items],
        )
    columns = queries.board(
        review.scope, review.first, review.last, review.today, limit=queries.BOARD_LIMIT
    )
    return review.render(
        "pipeline/board.html",
        columns=columns,
        empty=not any(column.total for column in columns),
        stalled_after=queries.STALLED_AFTER_DAYS,
        cap=queries.BOARD_COUNT_CAP,
    )


@bp.route("/pipeline")
def index() -> Response | str:
    """The pipeline opens on the solutions board."""
    return _board()


@bp.route("/pipeline/board")
def board() -> Response | str:
    return _board()


def _back(target: str | None) -> str:
    """Where a card move returns: the board page it came from, or the board."""
    if target and target.startswith("/pipeline") and "//" not in target and "\\" not in target:
        return target
    return url_for("pipeline.board")


def _form_errors(form: SolutionStatusForm) -> str:
    messages = []
    for name, errors in form.errors.items():
        if name == "csrf_token":
            messages.append(_("The form had expired; please try again."))
            continue
        label = form[name].label.text
        messages += [f"{label}: {error}" for error in errors]
    return " ".join(messages)


@bp.route("/pipeline/solutions/<int:solution_id>/move", methods=["POST"])
def move(solution_id: int) -> Response:
    """Move a card to another status, recording the date and the amounts like the solution
    page does (tracker.support.services.change_solution_status)."""
    solution = db.one_or_404(support.solution_detail(solution_id))
    company = solution.need.company
    back = _back(request.form.get("next"))
    form = SolutionStatusForm()
    what = _("%(title)s for %(company)s", title=solution.title, company=company.legal_name)
    if not form.validate_on_submit():
        flash(
            _("%(what)s was not moved. %(errors)s", what=what, errors=_form_errors(form)), "danger"
        )
        return redirect(back, 303)
    status = SolutionStatus(form.status.data)
    try:
        support.change_solution_status(
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
    except EditConflict as conflict:
        db.session.rollback()
        flash(_("%(what)s was not moved. %(error)s", what=what, error=conflict.summary()), "danger")
    except ValidationError as error:
        db.session.rollback()
        flash(_("%(what)s was not moved. %(error)s", what=what, error=str(error)), "danger")
    else:
        message = _("%(what)s is now %(status)s.", what=what, status=status.label.lower())
        if status is SolutionStatus.GRANTED and solution.amount_granted is not None:
            message = _(
                "%(what)s is now granted: %(amount)s.",
                what=what,
                amount=format_eur(solution.amount_granted),
            )
        flash(message, "success")
    return redirect(back, 303)


# ------------------------------------------------------------------------------------------
# Unaddressed needs, workload, coverage, funnel
# ------------------------------------------------------------------------------------------


@bp.route("/pipeline/unaddressed")
def unaddressed() -> Response | str:
    review = Review()
    query = queries.unaddressed_needs(review.scope, review.as_of)
    if review.export:
        table = tables.unaddressed(db.session.execute(query), review.as_of)
        return review.download("unaddressed", table, snapshot=True)
    page = queries.paginate_rows(query, per_page=current_app.config["PAGE_SIZE"])
    return review.render(
        "pipeline/unaddressed.html", page=page, after_days=queries.UNADDRESSED_AFTER_DAYS
    )


@bp.route("/pipeline/workload")
def workload() -> Response | str:
    sort = request.args.get("sort", "name")
    if sort.removeprefix("-") not in queries.WORKLOAD_SORTS:
        sort = "name"
    review = Review(sort=None if sort == "name" else sort)
    per_page = current_app.config["PAGE_SIZE"]
    if (
        not review.export
        and sort == "name"
        and review.scope == queries.Scope()
        and review.as_of >= review.today
    ):
        # The agency today by name, as a manager first sees it: the page's advisors only.
        page, total = queries.workload_page(review.today, per_page)
    else:
        rows = queries.sort_workload(
            queries.workload(review.scope, review.as_of, review.today), sort
        )
        if review.export:
            return review.download("workload", tables.workload(rows), snapshot=True)
        # A page of advisors at a time: an agency may have hundreds.
        page = queries.paginate_list(rows, per_page=per_page)
        total = queries.workload_total(rows)
    return review.render(
        "pipeline/workload.html",
        page=page,
        total=total,
        many=page.total > 1,
        sort=sort,
        contact_days=queries.CONTACT_DAYS,
        overdue_now=review.as_of >= review.today,
    )


@bp.route("/pipeline/coverage")
def coverage() -> Response | str:
    days = request.args.get("days", type=int)
    days = days if days in queries.SILENCE_DAYS else queries.SILENCE_DAYS[0]
    review = Review(days=None if days == queries.SILENCE_DAYS[0] else days)
    query = queries.silent_companies(review.scope, review.as_of, days)
    if review.export:
        companies = db.session.execute(query).all()
        clusters = queries.cluster_names(row.company_id for row in companies)
        table = tables.coverage(companies, clusters, review.as_of)
        return review.download(f"coverage-{days}d", table, snapshot=True)
    by_advisor, by_cluster = queries.coverage_counts(review.scope, review.as_of)
    total = queries.coverage_total(by_advisor)
    page = queries.paginate_rows(
        query, per_page=current_app.config["PAGE_SIZE"], total=total.silent(days)
    )
    return review.render(
        "pipeline/coverage.html",
        days=days,
        silence_days=queries.SILENCE_DAYS,
        by_advisor=by_advisor,
        by_cluster=by_cluster,
        total=total,
        page=page,
        clusters=queries.cluster_names(row.company_id for row in page.items),
    )


@bp.route("/pipeline/funnel")
def funnel() -> Response | str:
    review = Review()
    rows, total = queries.funnel(review.scope, review.first, review.last)
    if review.export:
        return review.download("funnel", tables.funnel(rows, total))
    return review.render("pipeline/funnel.html", rows=rows, total=total)
