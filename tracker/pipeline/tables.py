"""The rows each pipeline view exports, with the same columns as the page shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.pipeline.queries import Card, FunnelRow, WorkloadRow

Table = tuple[list[str], list[list[Any]]]


def board(cards: Iterable[Card]) -> Table:
    header = [
        _("Status"),
        _("Company"),
        _("Advisor"),
        _("Need"),
        _("Instrument or partner"),
        _("Amount requested (EUR)"),
        _("Amount granted (EUR)"),
        _("Suggested on"),
        _("In status since"),
        _("Days in status"),
        _("Stalled"),
    ]
    rows = [
        [
            card.status.label,
            card.company,
            card.advisor or "",
            card.category,
            card.title,
            card.amount_requested,
            card.amount_granted,
            card.suggested_on,
            card.since,
            card.days,
            card.stalled,
        ]
        for card in cards
    ]
    return header, rows


def unaddressed(needs: Iterable[Any], as_of: date) -> Table:
    header = [
        _("Company"),
        _("Need"),
        _("Description"),
        _("Urgency"),
        _("Owner"),
        _("Identified on"),
        _("Days open"),
    ]
    rows = [
        [
            need.company,
            need.category,
            need.description,
            need.urgency.label,
            need.owner or "",
            need.identified_on,
            (as_of - need.identified_on).days,
        ]
        for need in needs
    ]
    return header, rows


def workload(rows: Iterable[WorkloadRow]) -> Table:
    header = [
        _("Advisor"),
        _("Portfolio"),
        _("Contacts, last 30 days"),
        _("Open needs"),
        _("Open solutions"),
        _("Overdue follow-ups"),
    ]
    body = [
        [
            row.name if row.user_id is not None else _("No advisor"),
            row.portfolio,
            row.contacts,
            row.open_needs,
            row.open_solutions,
            row.overdue,
        ]
        for row in rows
    ]
    return header, body


def coverage(companies: Iterable[Any], clusters: Mapping[int, list[str]], as_of: date) -> Table:
    header = [
        _("Company"),
        _("Advisor"),
        _("Clusters"),
        _("Last contact"),
        _("Days since last contact"),
    ]
    rows = [
        [
            company.company,
            company.advisor or "",
            ", ".join(clusters.get(company.company_id, [])),
            company.last_contact,
            (as_of - company.last_contact).days if company.last_contact else None,
        ]
        for company in companies
    ]
    return header, rows


def funnel(rows: Iterable[FunnelRow], total: FunnelRow) -> Table:
    header = [
        _("Instrument"),
        _("Suggested"),
        _("Submitted"),
        _("Granted"),
        _("Submitted / suggested (%)"),
        _("Granted / submitted (%)"),
        _("Requested (EUR)"),
        _("Granted (EUR)"),
        _("Decided"),
        _("Median days to decision"),
    ]

    def line(row: FunnelRow, label: str) -> list[Any]:
        return [
            label,
            row.suggested,
            row.submitted,
            row.granted,
            row.submitted_rate if row.submitted_rate is not None else _("n/a"),
            row.granted_rate if row.granted_rate is not None else _("n/a"),
            row.requested_eur,
            row.granted_eur,
            row.decided,
            row.median_days,
        ]

    return header, [*(line(row, row.instrument) for row in rows), line(total, _("Total"))]
