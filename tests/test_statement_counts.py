"""The number of SQL statements of every page does not grow with the data (DESIGN.md section 6).

The walk reads the app's url_map (tests/walk.py), so a new GET route is measured without editing
this file. Every page is measured with the walk's data set plus one batch of records of every
kind, signed in as an admin (and as a manager for the pipeline and report pages, which a manager
sees scoped to their clusters); then three more batches are added, many of their records attached
to the very records the URLs point to, and every page is measured again: the counts must be
equal. The calendar feed is measured with a real token too.

A page that cannot be made constant goes in EXCEPTIONS, with its counts and the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from fnmatch import fnmatchcase

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests import factories, walk
from tests.helpers import count_statements
from tracker import audit, dates
from tracker.extensions import db
from tracker.history.records import KINDS
from tracker.models import (
    Cluster,
    Company,
    Event,
    FollowUpStatus,
    HealthCheck,
    Instrument,
    Interaction,
    Market,
    Need,
    NeedCategory,
    NeedStatus,
    Person,
    ReportEdition,
    RiskLevel,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    User,
)
from tracker.reports import services as report_services

# Not pages: files served from disk.
SKIPPED = ("static", "bootstrap.static")
# Pages whose scope depends on the role: measured as a manager too.
MANAGER_PAGES = ("pipeline.*", "reports.*")
# Pages allowed to grow, as {endpoint: (statements with the small set, with the grown set,
# why)}. Empty: every page is constant.
EXCEPTIONS: dict[str, tuple[int, int, str]] = {}
CALENDAR_TOKEN = "counted-calendar-token"
# How many batches of records `_grow` adds to the small data set (which has one batch).
ROUNDS = 3


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[walk.World]:
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path))
    # Statements are the question here, not the PDF (test_report_pdf.py renders real ones).
    monkeypatch.setattr(report_services, "render_pdf", lambda content: b"%PDF-1.7 counted\n")
    world = walk.build_world(app)
    # The calendar feed opens by a secret: the admin's, so that it lists their follow-ups.
    with app.app_context():
        db.session.get(User, world.users["admin"].id).calendar_token = CALENDAR_TOKEN
        db.session.commit()
        db.session.remove()
    yield world


def _cases(app: Flask, world: walk.World) -> list[walk.Case]:
    cases = [
        c for c in walk.all_cases(app, world) if c.method == "GET" and c.endpoint not in SKIPPED
    ]
    # Every GET route but the static ones is measured.
    measured = {c.rule for c in cases}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.endpoint not in SKIPPED:
            assert rule.rule in measured, rule.rule
    # The walk opens the calendar feed with a wrong token (404); measure a real one too.
    with app.test_request_context():
        url = url_for("followups.calendar_feed", token=CALENDAR_TOKEN)
    feed = walk.Case("followups.calendar_feed", "/calendar/<token>.ics", "GET", url, ("a token",))
    return [*cases, feed]


Counts = dict[tuple[str, walk.Case], list[str]]


def _measure(app: Flask, client: FlaskClient, cases: list[walk.Case]) -> dict[walk.Case, list[str]]:
    """{case: statements} of the second of two requests (the first one warms any cache)."""
    counts = {}
    for case in cases:
        client.get(case.url).close()
        with count_statements(app) as statements:
            response = client.get(case.url)
            response.close()
        assert response.status_code < 500, f"{case} answered {response.status_code}"
        assert not walk.redirects_to_login(response), f"{case} sent to the sign-in page"
        counts[case] = list(statements)
    return counts


def _measure_all(app: Flask, world: walk.World, cases: list[walk.Case]) -> Counts:
    counts: Counts = {}
    for role in ("admin", "manager"):
        client = app.test_client()
        walk.sign_in(client, world, role)
        chosen = (
            cases
            if role == "admin"
            else [c for c in cases if any(fnmatchcase(c.endpoint, p) for p in MANAGER_PAGES)]
        )
        counts.update({(role, k): v for k, v in _measure(app, client, chosen).items()})
    return counts


def _populate(
    company: Company,
    owner_id: int,
    actor_ids: list[int],
    cluster: Cluster,
    n: int,
    categories: list[NeedCategory],
    instruments: list[Instrument],
) -> list[Person]:
    """Contacts, a contact with its health check, needs with solutions and status changes,
    follow-ups and an event for `company`."""
    today = dates.today()
    day = today - timedelta(days=3 + n * 9)
    people = [
        factories.make_person(company, f"Grown Person {n}-{i} {company.id}", email=None)
        for i in range(2)
    ]
    archived = factories.make_person(company, f"Archived Person {n} {company.id}")
    archived.archived = True
    interaction = factories.make_interaction(company, owner_id, on=day, summary=f"Visit {n}.")
    interaction.people.extend(people)
    db.session.add(
        HealthCheck(
            company=company,
            recorded_by_id=actor_ids[n % len(actor_ids)],
            checked_on=day,
            interaction=interaction,
            turnover_trend=Trend.DOWN,
            risk_level=(RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)[n % 3],
            risk_reasons=[],
        )
    )
    gone = factories.make_interaction(company, owner_id, on=day, summary=f"Archived {n}.")
    gone.archived = True
    gone.people.append(people[0])
    for i, status in enumerate((NeedStatus.OPEN, NeedStatus.IN_PROGRESS, NeedStatus.RESOLVED)):
        need = factories.make_need(
            company,
            categories[(n + i) % len(categories)].slug,
            on=day,
            owner_id=actor_ids[(n + i) % len(actor_ids)],
            status=status,
            resolved_on=day if status is NeedStatus.RESOLVED else None,
        )
        need.interaction_id = interaction.id
        for j, target in enumerate((SolutionStatus.SUBMITTED, SolutionStatus.GRANTED)):
            solution = factories.make_solution(
                need, instruments[(n + i + j) % len(instruments)].name, on=day
            )
            solution.created_by_id = actor_ids[j % len(actor_ids)]
            solution.amount_requested = Decimal("10000")
            solution.changes.append(
                SolutionStatusChange(
                    from_status=SolutionStatus.SUGGESTED,
                    to_status=target,
                    changed_on=day,
                    changed_by_id=actor_ids[(i + j) % len(actor_ids)],
                )
            )
            solution.status = target
            if target is SolutionStatus.GRANTED:
                solution.amount_granted, solution.decided_on = Decimal("8000"), day
        referral = factories.make_solution(need, None, on=day, partner=f"Partner {n}")
        referral.created_by_id = owner_id
        followup = factories.make_followup(
            company, actor_ids[(n + i) % len(actor_ids)], due=today + timedelta(days=i + n)
        )
        followup.need_id, followup.created_by_id = need.id, owner_id
    done = factories.make_followup(
        company, owner_id, due=day, status=FollowUpStatus.DONE, done_on=day, title="Done"
    )
    done.created_by_id = actor_ids[0]
    event = factories.make_event(f"Grown event {n} {company.id}", on=day)
    event.cluster, event.created_by_id = cluster, actor_ids[-1]
    event.companies.append(company)
    event.people.extend(people)
    return people


def _grow(app: Flask, world: walk.World, rounds: range) -> None:
    """Records of every kind, attached to the records the URLs point to and to new ones; one
    batch for each number of `rounds`."""
    today = dates.today()
    with app.app_context():
        get = db.session.get
        wood, materials = get(Cluster, world.wood), get(Cluster, world.materials)
        company, own_company = get(Company, world.company), get(Company, world.own_company)
        interaction, need = get(Interaction, world.interaction), get(Need, world.need)
        event, person = get(Event, world.event), get(Person, world.person)
        categories = list(db.session.scalars(sa.select(NeedCategory).order_by(NeedCategory.id)))
        instruments = list(db.session.scalars(sa.select(Instrument).order_by(Instrument.id)))
        users = world.users
        actor_ids = [u.id for u in users.values()]
        other_manager = get(User, users["other_manager"].id)
        manager = get(User, users["manager"].id)
        for n in rounds:
            extra = factories.make_user(
                role="advisor",
                email=f"grown{n}@example.lu",
                name=f"Grown Advisor {n}",
                clusters=[wood, materials],
            )
            ids = [*actor_ids, extra.id]
            # The companies the URLs point to.
            _populate(company, users["other_advisor"].id, ids, wood, n, categories, instruments)
            _populate(own_company, users["advisor"].id, ids, materials, n, categories, instruments)
            # New companies in both clusters, in everyone's portfolio.
            for role, clusters in (
                ("other_advisor", [wood]),
                ("advisor", [materials]),
                ("manager", [materials]),
                ("admin", [materials, wood]),
            ):
                grown = factories.make_company(
                    f"Grown {role} {n} S.A.",
                    owner_id=users[role].id,
                    clusters=clusters,
                    rcs_number=f"B9{n}{len(role)}{role[:2]}",
                    locality="Wiltz",
                )
                people = _populate(
                    grown, users[role].id, ids, clusters[0], n, categories, instruments
                )
                event.companies.append(grown)
                event.people.append(people[0])
            # The records the other URLs point to.
            extra_person = factories.make_person(company, f"Met Person {n}")
            interaction.people.append(extra_person)
            event.people.append(extra_person)
            linked = factories.make_need(
                company, categories[n % len(categories)].slug, on=today, owner_id=extra.id
            )
            linked.interaction_id = interaction.id
            more = factories.make_solution(need, instruments[n % len(instruments)].name, on=today)
            more.created_by_id = extra.id
            for status in (SolutionStatus.IN_PREPARATION, SolutionStatus.SUBMITTED):
                more.changes.append(
                    SolutionStatusChange(
                        from_status=more.status,
                        to_status=status,
                        changed_on=today,
                        changed_by_id=extra.id,
                    )
                )
                more.status = status
            followup = factories.make_followup(company, extra.id, due=today, title=f"More {n}")
            followup.need_id, followup.solution_id = need.id, more.id
            for_admin = factories.make_followup(company, users["admin"].id, due=today)
            for_admin.created_by_id = extra.id
            again = factories.make_interaction(company, extra.id, on=today - timedelta(days=n))
            again.people.append(person)
            other_event = factories.make_event(f"Other event {n}", on=today - timedelta(days=n))
            other_event.cluster = (wood, materials)[n % 2]
            other_event.people.append(person)
            other_event.companies.append(company)
            # Catalogues.
            db.session.add(Market(slug=f"grown-market-{n}", name=f"Grown market {n}"))
            factories.make_cluster(f"grown-cluster-{n}", f"Grown cluster {n}")
            db.session.flush()
            # Reports of other months, for every scope.
            month = (today.replace(day=1) - timedelta(days=40 + 31 * n)).strftime("%Y-%m")
            for scope, author in ((wood, other_manager), (materials, manager), (None, manager)):
                report_services.generate_report(month, scope, ReportEdition.INTERNAL, author)
            # Audit entries of every record with a history page, by several users.
            for slug, key in walk.RECORD_KEYS.items():
                target = get(KINDS[slug].model, world.ids[key])
                for actor_id in ids:
                    audit.record(
                        get(User, actor_id), "update", target, {"notes": [f"{n}", f"{n} more"]}
                    )
        db.session.commit()
        db.session.remove()


def test_no_page_runs_more_statements_with_more_data(app: Flask, world: walk.World) -> None:
    cases = _cases(app, world)
    assert len(cases) > 40
    # One record of every kind first: a page whose list is empty skips the loading of what
    # its rows show (selectinload runs no query for no rows), which is no growth.
    _grow(app, world, range(1))
    small = _measure_all(app, world, cases)
    _grow(app, world, range(1, 1 + ROUNDS))
    grown = _measure_all(app, world, cases)
    grew = []
    for (role, case), statements in small.items():
        before, after = len(statements), len(grown[role, case])
        where = f"as {role}, {case}: {before} -> {after}"
        if case.endpoint in EXCEPTIONS:
            expected = EXCEPTIONS[case.endpoint][:2]
            if (before, after) != expected:
                grew.append(f"{where} (EXCEPTIONS says {expected[0]} -> {expected[1]})")
        elif after != before:
            extra = Counter(grown[role, case]) - Counter(statements)
            grew.append(f"{where}, more of: " + " | ".join(s[:300] for s in extra))
    assert not grew, "\n".join(["statements per page changed with more data:", *grew])
