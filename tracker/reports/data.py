"""The plain data behind a monthly report: every database read happens here, before rendering.

`build_report_data` gathers the figures of DESIGN.md section 5 (computed by
`tracker.reports.figures`) with the previous month, twelve months of history, the solutions by
instrument and status, the internal edition's companies at risk and the names the report prints.
`to_document` turns that into the JSON document stored on a Report and written by
`report monthly --format json`: the section 5 keys exactly, plus a few added keys (section 5
allows additions) so that a stored report can be shown and rendered again without the database.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from flask import current_app

from tracker import dates
from tracker.extensions import db
from tracker.models import Cluster, NeedCategory, ReportEdition
from tracker.reports import figures

HISTORY_MONTHS = 12
# The keys this module adds to the section 5 document; everything else is section 5's.
ADDED_KEYS = ("previous", "history", "solutions_status", "companies_at_risk", "meta")


def month_label(month: str, locale: str = "en") -> str:
    """`2026-10` as `October 2026`."""
    first, _last = figures.parse_month(month)
    return format_date(first, "MMMM y", locale=locale)


def _plain(value: Any) -> Any:
    """`value` with dates, decimals and enumerations turned into JSON types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


REFERRAL_PREFIX = "Referral: "
REFERRAL_LABEL = "Referral to a named partner"


def _merge_referrals(counts: dict[str, Any]) -> dict[str, Any]:
    """`counts` with every "Referral: <partner>" key summed under one label.

    A referral without an instrument is keyed by its partner, which an advisor types freely
    (it may name a person): the ministry edition does not print free text.
    """
    merged: dict[str, Any] = {}
    for key, value in counts.items():
        label = REFERRAL_LABEL if key.startswith(REFERRAL_PREFIX) else key
        if isinstance(value, dict):
            into = merged.setdefault(label, dict.fromkeys(value, 0))
            for status, n in value.items():
                into[status] = into.get(status, 0) + n
        else:
            merged[label] = merged.get(label, 0) + value
    return merged


def _for_ministry(figures: dict[str, Any]) -> dict[str, Any]:
    solutions = figures["solutions"]
    return {
        **figures,
        "solutions": {**solutions, "by_instrument": _merge_referrals(solutions["by_instrument"])},
    }


def build_report_data(
    month: str, cluster: Cluster | None, edition: ReportEdition | str, *, locale: str = "en"
) -> dict[str, Any]:
    """Everything the report prints for `month` and `cluster` (None: every cluster), as plain
    data."""
    edition = ReportEdition(edition)
    scope = cluster.slug if cluster is not None else "all"
    cluster_id = cluster.id if cluster is not None else None
    previous = figures.previous_month(month)
    internal = edition is ReportEdition.INTERNAL
    categories = db.session.execute(
        db.select(NeedCategory.slug, NeedCategory.name).order_by(
            NeedCategory.position, NeedCategory.name
        )
    ).all()
    generated_on = dates.today()
    # The health of both months and the history, from one pass over the health checks.
    series = figures.HealthSeries(month, cluster_id, HISTORY_MONTHS)
    current, before = (
        figures.compute_figures(m, cluster_id, scope=scope, edition=edition.value, series=series)
        for m in (month, previous)
    )
    solutions_status = figures.solutions_by_instrument_and_status(month, cluster_id)
    if not internal:
        current, before = _for_ministry(current), _for_ministry(before)
        solutions_status = _merge_referrals(solutions_status)
    return _plain(
        {
            "figures": current,
            "previous": before,
            "history": series.history(),
            "solutions_status": solutions_status,
            "at_risk": figures.companies_at_risk(month, cluster_id) if internal else [],
            "meta": {
                "agency": current_app.config["AGENCY_NAME"],
                "scope": scope,
                "scope_name": cluster.name if cluster is not None else "All clusters",
                "month": month,
                "month_label": month_label(month, locale),
                "previous_month": previous,
                "previous_month_label": month_label(previous, locale),
                "edition": edition.value,
                "generated_on": generated_on,
                "generated_on_label": format_date(generated_on, "d MMMM y", locale=locale),
                "locale": locale,
                # Category names as they were when the report was made; slugs never change.
                "need_categories": {row.slug: row.name for row in categories},
            },
        }
    )


def to_document(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of a report: section 5's keys first, then the added ones."""
    return {
        **data["figures"],
        "previous": data["previous"],
        "history": data["history"],
        "solutions_status": data["solutions_status"],
        "companies_at_risk": data["at_risk"],
        "meta": data["meta"],
    }


def from_document(document: dict[str, Any]) -> dict[str, Any]:
    """The report data back from its JSON document (the inverse of `to_document`)."""
    return {
        "figures": {k: v for k, v in document.items() if k not in ADDED_KEYS},
        "previous": document["previous"],
        "history": document["history"],
        "solutions_status": document["solutions_status"],
        "at_risk": document["companies_at_risk"],
        "meta": document["meta"],
    }
