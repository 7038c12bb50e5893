"""Audit entries as people read them: field labels, action badges and readable old/new values."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import (
    AuditEntry,
    Cluster,
    Company,
    CompanyStatus,
    EventFormat,
    FollowUpStatus,
    Instrument,
    InstrumentKind,
    InteractionType,
    LawfulBasis,
    Liquidity,
    NeedStatus,
    Person,
    ReportEdition,
    ReportStatus,
    RiskLevel,
    RiskReason,
    Role,
    SolutionStatus,
    Trend,
    Urgency,
    User,
)
from tracker.models.base import LabelledEnum
from tracker.templating import format_day, format_moment

# Longer texts show their beginning, with the whole text one click away.
SHORT_TEXT = 120

FIELD_LABELS = {
    "active": _l("Active"),
    "active_from": _l("Active from"),
    "active_to": _l("Active to"),
    "advisor_id": _l("Advisor"),
    "amount_granted": _l("Amount granted"),
    "amount_requested": _l("Amount requested"),
    "archived": _l("Archived"),
    "assignee_id": _l("Assigned to"),
    "category": _l("Category"),
    "checked_on": _l("Checked on"),
    "closed_on": _l("Closed on"),
    "cluster_id": _l("Cluster"),
    "clusters": _l("Clusters"),
    "comment": _l("Comment"),
    "companies": _l("Companies"),
    "company_id": _l("Company"),
    "country": _l("Country"),
    "decided_on": _l("Decided on"),
    "description": _l("Description"),
    "done_on": _l("Done on"),
    "due_on": _l("Due on"),
    "edition": _l("Edition"),
    "email": _l("E-mail"),
    "employees": _l("Employees"),
    "employment_trend": _l("Employment"),
    "file": _l("File"),
    "format": _l("Format"),
    "generated_at": _l("Generated at"),
    "held_on": _l("Held on"),
    "identified_on": _l("Identified on"),
    "instrument": _l("Instrument"),
    "interactions": _l("Contacts"),
    "job_title": _l("Job title"),
    "kind": _l("Kind"),
    "lawful_basis": _l("Lawful basis"),
    "legal_name": _l("Legal name"),
    "locale": _l("Language"),
    "liquidity": _l("Liquidity"),
    "locality": _l("Locality"),
    "markets": _l("Markets"),
    "month": _l("Month"),
    "nace_code": _l("NACE code"),
    "name": _l("Name"),
    "notes": _l("Notes"),
    "occurred_on": _l("Date"),
    "orders_trend": _l("Order book"),
    "outcome": _l("Outcome"),
    "outlook": _l("Outlook, 3 months"),
    "owner": _l("Owner"),
    "owner_id": _l("Owner"),
    "partner": _l("Partner"),
    "partners": _l("Partner organisations"),
    "password": _l("Password"),
    "pdf_sha256": _l("PDF SHA-256"),
    "people": _l("People"),
    "phone": _l("Phone"),
    "position": _l("Position"),
    "postal_code": _l("Postal code"),
    "provider": _l("Provider"),
    "rcs_number": _l("RCS number"),
    "recorded_by_id": _l("Recorded by"),
    "resolved_on": _l("Resolved on"),
    "risk_level": _l("Risk"),
    "risk_reasons": _l("Risk reasons"),
    "role": _l("Role"),
    "scope": _l("Scope"),
    "short_time_work": _l("Short-time work"),
    "slug": _l("Slug"),
    "status": _l("Status"),
    "street": _l("Street"),
    "suggested_on": _l("Suggested on"),
    "summary": _l("Summary"),
    "title": _l("Title"),
    "trade_name": _l("Trade name"),
    "turnover_trend": _l("Turnover"),
    "type": _l("Type"),
    "urgency": _l("Urgency"),
    "vat_number": _l("VAT number"),
    "website": _l("Website"),
}

# action -> (label, badge class); an action not listed shows its own name on a neutral badge.
ACTIONS = {
    "create": (_l("Created"), "badge-ok"),
    "update": (_l("Updated"), "badge-followup-open"),
    "archive": (_l("Archived"), "badge-muted"),
    "restore": (_l("Restored"), "badge-need-in_progress"),
    "delete": (_l("Deleted"), "badge-overdue"),
    "purge": (_l("Purged"), "badge-overdue"),
    "erase": (_l("Erased"), "badge-overdue"),
    "import": (_l("Imported"), "badge-ok"),
    "generate": (_l("Generated"), "badge-ok"),
    "regenerate": (_l("Regenerated"), "badge-followup-open"),
    "finalise": (_l("Finalised"), "badge-solution-granted"),
    "reset_password": (_l("Password reset"), "badge-need-in_progress"),
    "activate": (_l("Reactivated"), "badge-need-in_progress"),
    "deactivate": (_l("Deactivated"), "badge-muted"),
    "retire": (_l("Retired"), "badge-muted"),
    "reactivate": (_l("Reactivated"), "badge-need-in_progress"),
}

# Fields whose stored values are enumeration values ("in_progress"): shown by their labels, in
# the page's language. A status is looked up in each kind of status (their labels agree).
ENUM_FIELDS: dict[str, tuple[type[LabelledEnum], ...]] = {
    "edition": (ReportEdition,),
    "employment_trend": (Trend,),
    "format": (EventFormat,),
    "kind": (InstrumentKind,),
    "lawful_basis": (LawfulBasis,),
    "liquidity": (Liquidity,),
    "orders_trend": (Trend,),
    "outlook": (Trend,),
    "risk_level": (RiskLevel,),
    "risk_reasons": (RiskReason,),
    "role": (Role,),
    "status": (CompanyStatus, NeedStatus, SolutionStatus, FollowUpStatus, ReportStatus),
    "turnover_trend": (Trend,),
    "type": (InteractionType,),
    "urgency": (Urgency,),
}

# Fields whose stored values are ids of other records: shown by those records' names.
REFERENCES: dict[str, type[Any]] = {
    "owner": User,
    "owner_id": User,
    "advisor_id": User,
    "assignee_id": User,
    "recorded_by_id": User,
    "company_id": Company,
    "companies": Company,
    "people": Person,
    "instrument": Instrument,
    "cluster_id": Cluster,
}
NAME_ATTRIBUTES: dict[type[Any], str] = {
    User: "name",
    Company: "legal_name",
    Person: "name",
    Instrument: "name",
    Cluster: "name",
}
Names = dict[tuple[type[Any], int], str]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


def aware(moment: datetime) -> datetime:
    """`moment` with its time zone: SQLite gives back the stored UTC time without one."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    """`27 Nov 2026, 14:05`, in Luxembourg time (the `moment` filter of every page)."""
    return format_moment(moment)


def field_label(name: str) -> str:
    """The human label of a changed field: a known label, or the name with spaces."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ").capitalize()


def action_label(action: str) -> str:
    known = ACTIONS.get(action)
    return str(known[0]) if known else action.replace("_", " ").capitalize()


def action_badge(action: str) -> str:
    """The badge class of an action (the badge always carries its text label too)."""
    known = ACTIONS.get(action)
    return known[1] if known else "badge-muted"


@dataclass(frozen=True)
class Shown:
    """A value as the page shows it: `text`, and `full` when `text` is only its beginning."""

    text: str
    full: str | None = None
    empty: bool = False


EMPTY = Shown("—", empty=True)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return format_day(date.fromisoformat(value))
            except ValueError:
                return value
        if _ISO_MOMENT.fullmatch(value):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value
            return when(moment) if moment.tzinfo else value
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _labelled(field: str, value: Any) -> Any:
    """An enumeration value or a language code as people read it; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if field == "locale":
        return LANGUAGES.get(value, value)
    for enum_cls in ENUM_FIELDS.get(field, ()):
        try:
            return enum_cls(value).label
        except ValueError:
            continue
    return value


def show(value: Any, field: str = "", names: Names | None = None) -> Shown:
    """`value` readable: None as a dash, yes/no, lists joined, dates as `27 Nov 2026`, ids of
    other records by their names, enumeration values by their labels, long text shortened with
    the full text kept."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field in ENUM_FIELDS or field == "locale":
        value = (
            [_labelled(field, v) for v in value]
            if isinstance(value, list)
            else _labelled(field, value)
        )
    model = REFERENCES.get(field)
    if model is not None and names is not None:
        items = value if isinstance(value, list) else [value]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            value = [names.get((model, v), f"#{v}") for v in items]
    text = ", ".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
    if len(text) > SHORT_TEXT:
        return Shown(text[:SHORT_TEXT].rstrip() + "…", full=text)
    return Shown(text)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Shown
    new: Shown


def field_changes(entry: AuditEntry, names: Names | None = None) -> list[FieldChange]:
    """The entry's changed fields, in the order they were recorded."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for name, pair in changes.items():
        old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        rows.append(
            FieldChange(name, field_label(name), show(old, name, names), show(new, name, names))
        )
    return rows


def referenced_names(entries: Iterable[AuditEntry]) -> Names:
    """The names of the records the entries' values point to: one query per kind of record."""
    wanted: dict[type[Any], set[int]] = defaultdict(set)
    for entry in entries:
        if not isinstance(entry.changes, dict):
            continue
        for field, pair in entry.changes.items():
            model = REFERENCES.get(field)
            if model is None or not isinstance(pair, (list, tuple)):
                continue
            for value in pair:
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, int) and not isinstance(v, bool):
                        wanted[model].add(v)
    names: Names = {}
    for model, ids in wanted.items():
        column = getattr(model, NAME_ATTRIBUTES[model])
        rows = db.session.execute(db.select(model.id, column).where(model.id.in_(sorted(ids))))
        names.update({(model, row[0]): row[1] for row in rows})
    return names
