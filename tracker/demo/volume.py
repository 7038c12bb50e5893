"""Generated data at agency scale for `flask seed-volume`, used by the benchmark (bench/).

Unlike the demo set, nothing here tells a story: the goal is realistic volumes and shapes
(a few very busy companies and a long tail, two years of dated contacts, needs, solutions at
every status, follow-ups, health checks, people and events in the proportions of the demo data)
written fast. Rows are built in Python with explicit ids and written with Core `INSERT`s in
large batches, which keeps 5,000 companies and 100,000 contacts well under a minute on SQLite.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from tracker import dates
from tracker.auth.passwords import hash_password
from tracker.companies import facts, search
from tracker.demo import data
from tracker.extensions import db
from tracker.models import (
    CompanyStatus,
    FollowUpStatus,
    InteractionType,
    Liquidity,
    NeedStatus,
    RiskLevel,
    Role,
    SolutionStatus,
    Trend,
    Urgency,
)
from tracker.pipeline import columns, flows, totals
from tracker.reports import spans

SEED = 5_000_100
DAYS = 730
BATCH = 5_000
VOLUME_PASSWORD = "volume-password-for-benchmarks"  # noqa: S105 (generated test data)

# Per contact, on average (the demo data set's proportions).
HEALTH_CHECK_SHARE = 0.33
NEED_SHARE = 0.12
SOLUTIONS_PER_NEED = 0.8
FOLLOW_UP_SHARE = 0.2
PERSON_MET_SHARE = 0.6
CONTACTS_PER_EVENT = 2_000
PEOPLE_PER_COMPANY = 2
COMPANIES_PER_ADVISOR = 100

NACE_CODES = [
    "25.62",
    "25.11",
    "22.29",
    "28.41",
    "29.32",
    "16.23",
    "26.60",
    "32.50",
    "62.01",
    "24.10",
    "20.16",
    "33.12",
    "71.12",
    "30.30",
    "27.12",
]
LOCALITIES = [
    ("L-4362", "Esch-sur-Alzette"),
    ("L-3372", "Leudelange"),
    ("L-9099", "Ingeldorf"),
    ("L-5365", "Munsbach"),
    ("L-8399", "Windhof"),
    ("L-1855", "Luxembourg"),
    ("L-4801", "Rodange"),
    ("L-6131", "Junglinster"),
]
NAME_PARTS = (
    [
        "Acier",
        "Polymer",
        "Ardenne",
        "Moselle",
        "Nord",
        "Precision",
        "Alzette",
        "Sûre",
        "Kirchberg",
        "Minett",
        "Composite",
        "Tech",
        "Bois",
        "Medi",
        "Aero",
        "Auto",
        "Laser",
        "Forge",
    ],
    ["Systems", "Industries", "Solutions", "Components", "Works", "Engineering", "Lab", "Tools"],
    ["S.A.", "S.à r.l.", "SCS", "S.A.S."],
)
SUMMARIES = [
    "Discussed the order book for the next quarter and the impact of energy prices.",
    "Visited the production site; new line for composite parts planned next year.",
    "Call about a delayed customer payment and options to bridge the cash gap.",
    "Meeting on the digitalisation roadmap and a possible Fit 4 Digital application.",
    "Follow-up on the grant application; documents still missing from the company.",
    "Exchange on recruitment difficulties for maintenance technicians.",
]
TREND_WEIGHTS = [(Trend.UP, 3), (Trend.STABLE, 5), (Trend.DOWN, 3), (None, 1)]
RISK_WEIGHTS = [
    (RiskLevel.LOW, 5),
    (RiskLevel.MEDIUM, 4),
    (RiskLevel.HIGH, 2),
    (RiskLevel.CRITICAL, 1),
]
SOLUTION_STATUS_WEIGHTS = [
    (SolutionStatus.SUGGESTED, 3),
    (SolutionStatus.IN_PREPARATION, 2),
    (SolutionStatus.SUBMITTED, 2),
    (SolutionStatus.GRANTED, 3),
    (SolutionStatus.REJECTED, 1),
    (SolutionStatus.DROPPED, 1),
]
DECIDED = {SolutionStatus.GRANTED, SolutionStatus.REJECTED, SolutionStatus.DROPPED}


class VolumeRefused(Exception):
    """The database already holds companies; the message is meant for the user."""


@dataclass
class VolumeSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    busiest_company_id: int = 0


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


class _Writer:
    """Inserts rows table by table, in batches, with explicit ids."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def insert(self, table_name: str, rows: list[dict[str, Any]]) -> None:
        table = db.metadata.tables[table_name]
        for chunk in _chunks(rows):
            db.session.execute(table.insert(), chunk)
        self.counts[table_name] = self.counts.get(table_name, 0) + len(rows)

    @staticmethod
    def next_id(table_name: str) -> int:
        table = db.metadata.tables[table_name]
        return (db.session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def seed_volume(companies: int, interactions: int, *, today: date | None = None) -> VolumeSummary:
    """Add `companies` companies and `interactions` contacts with everything that goes with them.

    Refuses a database that already holds companies. Adds and flushes; the caller commits.
    """
    if companies < 1 or interactions < 0:
        raise VolumeRefused("--companies must be at least 1 and --interactions at least 0.")
    if db.session.execute(sa.text("SELECT 1 FROM companies LIMIT 1")).first() is not None:
        raise VolumeRefused("The database already holds companies; use an empty database.")
    started = time.perf_counter()
    rng = random.Random(SEED)
    today = today or dates.today()
    now = datetime.now(UTC)
    out = _Writer()

    # Reference data: clusters and users.
    cluster_ids = _clusters(out)
    advisors, managers = _users(out, cluster_ids, max(3, companies // COMPANIES_PER_ADVISOR), now)
    markets = [r[0] for r in db.session.execute(sa.text("SELECT id FROM markets"))]
    categories = [r[0] for r in db.session.execute(sa.text("SELECT id FROM need_categories"))]
    instruments = [r[0] for r in db.session.execute(sa.text("SELECT id FROM instruments"))]

    # Companies, their clusters and markets, and their people.
    first_company = out.next_id("companies")
    company_ids = list(range(first_company, first_company + companies))
    owner_of: dict[int, int] = {}
    company_rows, cluster_links, market_links = [], [], []
    for n, cid in enumerate(company_ids):
        owner = advisors[n % len(advisors)]
        owner_of[cid] = owner
        postal, locality = LOCALITIES[n % len(LOCALITIES)]
        name = " ".join(rng.choice(part) for part in NAME_PARTS)
        company_rows.append(
            {
                "id": cid,
                "legal_name": f"{name} {n + 1}",
                "rcs_number": f"B{100000 + cid}",
                "nace_code": rng.choice(NACE_CODES),
                "employees": int(rng.lognormvariate(3.3, 1.1)) + 1,
                "postal_code": postal,
                "locality": locality,
                "country": "LU",
                "status": _weighted(
                    rng,
                    [
                        (CompanyStatus.ACTIVE, 20),
                        (CompanyStatus.DORMANT, 2),
                        (CompanyStatus.CLOSED, 1),
                    ],
                ).value,
                "archived": False,
                "owner_id": owner,
                "created_at": now,
                "updated_at": now,
            }
        )
        cluster_links.append({"company_id": cid, "cluster_id": cluster_ids[n % len(cluster_ids)]})
        for market in rng.sample(markets, k=min(len(markets), rng.randint(1, 3))):
            market_links.append({"company_id": cid, "market_id": market})
    out.insert("companies", company_rows)
    out.insert("company_clusters", cluster_links)
    out.insert("company_markets", market_links)

    first_person = out.next_id("people")
    people_of: dict[int, list[int]] = {}
    person_rows = []
    for n, (cid, k) in enumerate(itertools.product(company_ids, range(PEOPLE_PER_COMPANY))):
        pid = first_person + n
        people_of.setdefault(cid, []).append(pid)
        given = data.FIRST_NAMES[n % len(data.FIRST_NAMES)]
        family = data.LAST_NAMES[(n // 7) % len(data.LAST_NAMES)]
        person_rows.append(
            {
                "id": pid,
                "company_id": cid,
                "name": f"{given} {family}",
                "job_title": "Managing director" if k == 0 else "Finance manager",
                "email": f"person{pid}@company{cid}.example.lu",
                "lawful_basis": "legitimate_interest",
                "notes": "",
                "archived": False,
                "created_at": now,
            }
        )
    out.insert("people", person_rows)

    # Contacts, skewed: a few companies get many, most get a handful.
    weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(companies)))
    contact_companies = rng.choices(company_ids, cum_weights=weights, k=interactions)
    type_pairs = [
        (InteractionType.CALL, 40),
        (InteractionType.EMAIL, 28),
        (InteractionType.MEETING, 17),
        (InteractionType.VISIT, 13),
        (InteractionType.EVENT, 2),
    ]
    types = [t.value for t, _ in type_pairs]
    type_weights = list(itertools.accumulate(w for _, w in type_pairs))
    first_interaction = out.next_id("interactions")
    first_check = out.next_id("health_checks")
    first_need = out.next_id("needs")
    first_solution = out.next_id("solutions")
    first_change = out.next_id("solution_status_changes")
    first_followup = out.next_id("followups")
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "interactions",
            "interaction_people",
            "health_checks",
            "needs",
            "solutions",
            "solution_status_changes",
            "followups",
        )
    }
    for n, cid in enumerate(contact_companies):
        iid = first_interaction + n
        advisor = owner_of[cid] if rng.random() < 0.85 else rng.choice(advisors)
        on = today - timedelta(days=rng.randrange(DAYS))
        stamp = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
        rows["interactions"].append(
            {
                "id": iid,
                "occurred_on": on,
                "type": rng.choices(types, cum_weights=type_weights)[0],
                "company_id": cid,
                "advisor_id": advisor,
                "summary": rng.choice(SUMMARIES),
                "archived": False,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        if rng.random() < PERSON_MET_SHARE:
            rows["interaction_people"].append(
                {"interaction_id": iid, "person_id": rng.choice(people_of[cid])}
            )
        if rng.random() < HEALTH_CHECK_SHARE:
            risk = _weighted(rng, RISK_WEIGHTS)
            rows["health_checks"].append(
                {
                    "id": first_check + len(rows["health_checks"]),
                    "company_id": cid,
                    "interaction_id": iid,
                    "checked_on": on,
                    "recorded_by_id": advisor,
                    "turnover_trend": _value(_weighted(rng, TREND_WEIGHTS)),
                    "orders_trend": _value(_weighted(rng, TREND_WEIGHTS)),
                    "employment_trend": _value(_weighted(rng, TREND_WEIGHTS)),
                    "outlook": _value(_weighted(rng, TREND_WEIGHTS)),
                    "short_time_work": rng.random() < 0.1,
                    "liquidity": rng.choice(list(Liquidity)).value,
                    "risk_level": risk.value,
                    "risk_reasons": ["loss_of_key_customer"] if risk is RiskLevel.CRITICAL else [],
                    "comment": "",
                    "archived": False,
                    "created_at": stamp,
                }
            )
        if rng.random() < NEED_SHARE:
            _need(
                rng,
                rows,
                cid,
                iid,
                on,
                advisor,
                categories,
                instruments,
                today,
                now,
                first_need,
                first_solution,
                first_change,
            )
        if rng.random() < FOLLOW_UP_SHARE:
            due = on + timedelta(days=rng.randint(7, 45))
            open_ = due >= today - timedelta(days=20) and rng.random() < 0.8
            rows["followups"].append(
                {
                    "id": first_followup + len(rows["followups"]),
                    "title": "Call back about the next steps",
                    "due_on": due,
                    "assignee_id": advisor,
                    "company_id": cid,
                    "interaction_id": iid,
                    "status": (FollowUpStatus.OPEN if open_ else FollowUpStatus.DONE).value,
                    "done_on": None if open_ else min(due, today),
                    "notes": "",
                    "created_by_id": advisor,
                    "created_at": stamp,
                }
            )
    for name in (
        "interactions",
        "interaction_people",
        "health_checks",
        "needs",
        "solutions",
        "solution_status_changes",
        "followups",
    ):
        out.insert(name, rows[name])

    _events(
        out, rng, interactions // CONTACTS_PER_EVENT, company_ids, cluster_ids, managers, today, now
    )
    _reset_sequences()
    db.session.flush()
    search.refresh(db.session.connection(), company_ids)
    facts.refresh(db.session.connection(), company_ids)
    totals.refresh(db.session.connection())
    flows.refresh(db.session.connection())
    columns.refresh(db.session.connection())
    spans.refresh(db.session.connection())
    busiest = Counter(contact_companies).most_common(1)
    return VolumeSummary(
        counts=out.counts,
        seconds=time.perf_counter() - started,
        busiest_company_id=busiest[0][0] if busiest else company_ids[0],
    )


def _value(member: Any) -> Any:
    return member.value if member is not None else None


def _need(
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    cid: int,
    iid: int,
    on: date,
    advisor: int,
    categories: list[int],
    instruments: list[int],
    today: date,
    now: datetime,
    first_need: int,
    first_solution: int,
    first_change: int,
) -> None:
    nid = first_need + len(rows["needs"])
    age = (today - on).days
    status = NeedStatus.OPEN
    if age > 60:
        status = _weighted(
            rng,
            [
                (NeedStatus.RESOLVED, 6),
                (NeedStatus.CLOSED_UNRESOLVED, 2),
                (NeedStatus.IN_PROGRESS, 1),
                (NeedStatus.OPEN, 1),
            ],
        )
    elif age > 14:
        status = _weighted(rng, [(NeedStatus.IN_PROGRESS, 3), (NeedStatus.OPEN, 2)])
    end = min(on + timedelta(days=rng.randint(20, 120)), today)
    rows["needs"].append(
        {
            "id": nid,
            "company_id": cid,
            "category_id": rng.choice(categories),
            "description": "Identified during the contact.",
            "urgency": rng.choice(list(Urgency)).value,
            "status": status.value,
            "identified_on": on,
            "resolved_on": end if status is NeedStatus.RESOLVED else None,
            "closed_on": end if status is NeedStatus.CLOSED_UNRESOLVED else None,
            "outcome": "",
            "interaction_id": iid,
            "owner_id": advisor,
            "created_at": now,
        }
    )
    if rng.random() >= SOLUTIONS_PER_NEED:
        return
    sid = first_solution + len(rows["solutions"])
    sol_status = _weighted(rng, SOLUTION_STATUS_WEIGHTS) if age > 14 else SolutionStatus.SUGGESTED
    decided = (
        min(on + timedelta(days=rng.randint(30, 150)), today) if sol_status in DECIDED else None
    )
    requested = Decimal(rng.randrange(5_000, 400_000, 500))
    rows["solutions"].append(
        {
            "id": sid,
            "need_id": nid,
            "instrument_id": rng.choice(instruments),
            "status": sol_status.value,
            "amount_requested_cents": requested,
            "amount_granted_cents": (
                requested * Decimal("0.8") if sol_status is SolutionStatus.GRANTED else None
            ),
            "suggested_on": on,
            "decided_on": decided,
            "notes": "",
            "created_by_id": advisor,
            "created_at": now,
        }
    )
    steps = [(None, SolutionStatus.SUGGESTED, on)]
    if sol_status is not SolutionStatus.SUGGESTED:
        steps.append(
            (SolutionStatus.SUGGESTED, sol_status, decided or min(on + timedelta(20), today))
        )
    rows["solutions"][-1]["status_since"] = max(changed_on for _, _, changed_on in steps)
    for from_status, to_status, changed_on in steps:
        rows["solution_status_changes"].append(
            {
                "id": first_change + len(rows["solution_status_changes"]),
                "solution_id": sid,
                "company_id": cid,
                "from_status": _value(from_status),
                "to_status": to_status.value,
                "changed_on": changed_on,
                "changed_by_id": advisor,
                "changed_at": datetime(
                    changed_on.year, changed_on.month, changed_on.day, 10, tzinfo=UTC
                ),
                "note": "",
            }
        )


def _clusters(out: _Writer) -> list[int]:
    existing = [r[0] for r in db.session.execute(sa.text("SELECT id FROM clusters ORDER BY id"))]
    if existing:
        return existing
    first = out.next_id("clusters")
    rows = [
        {"id": first + n, "slug": slug, "name": name, "description": description}
        for n, (slug, name, description) in enumerate(data.CLUSTERS)
    ]
    out.insert("clusters", rows)
    return [r["id"] for r in rows]


def _users(
    out: _Writer, cluster_ids: list[int], advisor_count: int, now: datetime
) -> tuple[list[int], list[int]]:
    """An admin, two managers, the advisors and a viewer, all with VOLUME_PASSWORD."""
    password_hash = hash_password(VOLUME_PASSWORD)
    first = out.next_id("users")
    roles = [Role.ADMIN, Role.MANAGER, Role.MANAGER, Role.VIEWER] + [Role.ADVISOR] * advisor_count
    rows, links = [], []
    for n, role in enumerate(roles):
        uid = first + n
        rows.append(
            {
                "id": uid,
                "email": f"{role.value}{n}@volume.example.lu",
                "name": f"{role.label} {n}",
                "role": role.value,
                "active": True,
                "password_hash": password_hash,
                "session_token": f"volume-session-{uid}-{now.timestamp()}",
                "created_at": now,
            }
        )
        if role in (Role.ADVISOR, Role.MANAGER):
            links.append({"user_id": uid, "cluster_id": cluster_ids[n % len(cluster_ids)]})
    out.insert("users", rows)
    out.insert("user_clusters", links)
    advisors = [r["id"] for r in rows if r["role"] == Role.ADVISOR.value]
    managers = [r["id"] for r in rows if r["role"] == Role.MANAGER.value]
    return advisors, managers


def _events(
    out: _Writer,
    rng: random.Random,
    count: int,
    company_ids: list[int],
    cluster_ids: list[int],
    managers: list[int],
    today: date,
    now: datetime,
) -> None:
    first = out.next_id("events")
    rows, links = [], []
    for n in range(count):
        eid = first + n
        rows.append(
            {
                "id": eid,
                "title": f"Cluster meeting {n + 1}",
                "held_on": today - timedelta(days=rng.randrange(DAYS)),
                "format": "on_site" if n % 3 else "webinar",
                "partners": "",
                "description": "",
                "cluster_id": cluster_ids[n % len(cluster_ids)],
                "created_by_id": managers[0],
                "created_at": now,
            }
        )
        for cid in rng.sample(company_ids, k=min(len(company_ids), 10)):
            links.append({"event_id": eid, "company_id": cid})
    out.insert("events", rows)
    out.insert("event_companies", links)


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the explicit ids written above."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in (
        "clusters",
        "users",
        "companies",
        "people",
        "interactions",
        "health_checks",
        "needs",
        "solutions",
        "solution_status_changes",
        "followups",
        "events",
    ):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
