"""The kinds of record that have a history: URL slug, model, who may read it, its name and page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from tracker.auth.access import STAFF
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    Event,
    FollowUp,
    HealthCheck,
    Instrument,
    Interaction,
    Market,
    Need,
    NeedCategory,
    Person,
    Report,
    Role,
    Solution,
    User,
)
from tracker.templating import format_day

ADMINS = (Role.ADMIN,)


@dataclass(frozen=True)
class RecordKind:
    """One kind of audited record, as the history pages know it."""

    slug: str  # in URLs: /history/<slug>/<id>
    model: type[Any]
    label: LazyString
    roles: tuple[Role, ...]  # who may read its history (the same rule as reading the record)
    name: Callable[[Any], str]
    page: Callable[[Any], str]  # the record's own page
    load: Sequence[LoaderOption] = ()  # what `name` and `page` read, loaded with the record
    # The column that names a record in lists (the search); None when the name takes joins.
    name_column: str | None = None

    @property
    def record_type(self) -> str:
        """The value of AuditEntry.record_type for this kind."""
        return self.model.__name__

    def readable_by(self, user: Any) -> bool:
        return user.is_authenticated and user.role in self.roles

    def get(self, record_id: int) -> Any | None:
        """The record, or None when it does not exist (any more)."""
        query = db.select(self.model).where(self.model.id == record_id).options(*self.load)
        return db.session.execute(query).unique().scalar_one_or_none()


def _interaction_name(interaction: Interaction) -> str:
    return _(
        "%(type)s with %(company)s, %(day)s",
        type=interaction.type.label,
        company=interaction.company.display_name,
        day=format_day(interaction.occurred_on),
    )


def _health_check_name(check: HealthCheck) -> str:
    return _(
        "Health check of %(company)s, %(day)s",
        company=check.company.display_name,
        day=format_day(check.checked_on),
    )


def _health_check_page(check: HealthCheck) -> str:
    if check.interaction_id is not None:
        return url_for("interactions.detail", interaction_id=check.interaction_id)
    return url_for("companies.detail", company_id=check.company_id)


def _report_name(report: Report) -> str:
    scope = report.cluster.name if report.cluster is not None else _("All clusters")
    return f"{scope}, {report.month} ({report.edition.label})"


KINDS: dict[str, RecordKind] = {
    kind.slug: kind
    for kind in (
        RecordKind(
            "company",
            Company,
            _l("Company"),
            STAFF,
            name=lambda c: c.legal_name,
            page=lambda c: url_for("companies.detail", company_id=c.id),
            name_column="legal_name",
        ),
        RecordKind(
            "person",
            Person,
            _l("Contact person"),
            STAFF,
            name=lambda p: p.name,
            page=lambda p: url_for(
                "companies.edit_person", company_id=p.company_id, person_id=p.id
            ),
            name_column="name",
        ),
        RecordKind(
            "interaction",
            Interaction,
            _l("Contact"),
            STAFF,
            name=_interaction_name,
            page=lambda i: url_for("interactions.detail", interaction_id=i.id),
            load=(joinedload(Interaction.company),),
        ),
        RecordKind(
            "health-check",
            HealthCheck,
            _l("Health check"),
            STAFF,
            name=_health_check_name,
            page=_health_check_page,
            load=(joinedload(HealthCheck.company),),
        ),
        RecordKind(
            "need",
            Need,
            _l("Need"),
            STAFF,
            name=lambda n: f"{n.category.name} · {n.company.legal_name}",
            page=lambda n: url_for("support.need", need_id=n.id),
            load=(joinedload(Need.category), joinedload(Need.company)),
        ),
        RecordKind(
            "solution",
            Solution,
            _l("Solution"),
            STAFF,
            name=lambda s: s.title,
            page=lambda s: url_for("support.solution", solution_id=s.id),
            load=(joinedload(Solution.instrument),),
        ),
        RecordKind(
            "followup",
            FollowUp,
            _l("Follow-up"),
            STAFF,
            name=lambda f: f.title,
            page=lambda f: url_for("companies.detail", company_id=f.company_id),
            name_column="title",
        ),
        RecordKind(
            "event",
            Event,
            _l("Event"),
            STAFF,
            name=lambda e: e.title,
            page=lambda e: url_for("events.detail", event_id=e.id),
            name_column="title",
        ),
        RecordKind(
            "report",
            Report,
            _l("Report"),
            STAFF,
            name=_report_name,
            page=lambda r: url_for("reports.detail", report_id=r.id),
            # The stored PDF and figures can be large and the history does not show them.
            load=(joinedload(Report.cluster), defer(Report.pdf), defer(Report.figures)),
        ),
        RecordKind(
            "user",
            User,
            _l("User"),
            ADMINS,
            name=lambda u: u.name,
            page=lambda u: url_for("admin.edit_user", user_id=u.id),
            name_column="name",
        ),
        RecordKind(
            "cluster",
            Cluster,
            _l("Cluster"),
            ADMINS,
            name=lambda c: c.name,
            page=lambda c: url_for("admin.edit_cluster", cluster_id=c.id),
            name_column="name",
        ),
        RecordKind(
            "instrument",
            Instrument,
            _l("Instrument"),
            ADMINS,
            name=lambda i: i.name,
            page=lambda i: url_for("admin.edit_instrument", instrument_id=i.id),
            name_column="name",
        ),
        RecordKind(
            "need-category",
            NeedCategory,
            _l("Need category"),
            ADMINS,
            name=lambda c: c.name,
            page=lambda c: url_for("admin.edit_need_category", category_id=c.id),
            name_column="name",
        ),
        RecordKind(
            "market",
            Market,
            _l("Market"),
            ADMINS,
            name=lambda m: m.name,
            page=lambda m: url_for("admin.edit_market", market_id=m.id),
            name_column="name",
        ),
    )
}

BY_RECORD_TYPE: dict[str, RecordKind] = {kind.record_type: kind for kind in KINDS.values()}


def kind_of(record_type: str) -> RecordKind | None:
    """The kind of an AuditEntry.record_type value, if it has a history page."""
    return BY_RECORD_TYPE.get(record_type)


def record_names(pairs: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int], str]:
    """{(record_type, id): name} of the records that still exist, for the kinds that have a
    name column: one query per kind."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for record_type, record_id in pairs:
        kind = kind_of(record_type)
        if kind is not None and kind.name_column is not None and record_id is not None:
            wanted[record_type].add(record_id)
    names: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        kind = BY_RECORD_TYPE[record_type]
        column = getattr(kind.model, kind.name_column)
        query = db.select(kind.model.id, column).where(kind.model.id.in_(sorted(ids)))
        names.update({(record_type, row[0]): row[1] for row in db.session.execute(query)})
    return names
