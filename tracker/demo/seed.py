"""The demo data set of `flask seed-demo`: four clusters, ten users, ~150 companies and two
years of contacts that tell a story (a sharp downturn 14-18 months ago that hit automotive and
aeronautics suppliers hardest, then a partial recovery over the last six months).

Everything is derived from a fixed random seed and the `today` date, so two runs on the same day
produce the same data. `seed_demo` only adds and flushes; the caller commits.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tracker import dates
from tracker.admin.services import create_cluster, create_user
from tracker.demo import data
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    CompanyStatus,
    Event,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Instrument,
    Interaction,
    InteractionType,
    LawfulBasis,
    Liquidity,
    Market,
    Need,
    NeedCategory,
    NeedStatus,
    Person,
    RiskLevel,
    RiskReason,
    Role,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    Urgency,
    User,
)

SEED = 20_260_401
DAYS = 730  # two years of history
MONTH = 30.44

# The sector-wide story, as (months before today, value) knots, linearly interpolated.
# STRESS is the level of difficulty (0 calm .. 1 worst); MOMENTUM the direction of business
# (negative: going down, positive: going up).
STRESS = [(24, 0.13), (17.5, 0.15), (16, 0.28), (13, 0.55), (9, 0.62), (7, 0.58), (3, 0.42),
          (0, 0.35), (-6, 0.33)]  # fmt: skip
MOMENTUM = [(30, 0.08), (17.5, 0.08), (15.5, -0.7), (12, -0.85), (9, -0.55), (7, -0.15),
            (5, 0.3), (2, 0.32), (0, 0.25), (-6, 0.2)]  # fmt: skip

# How often a need of a category gets a solution at all (instruments, or a referral).
SOLUTION_CHANCE = {"skills": 0.45, "other": 0.35, "regulation": 0.55, "internationalisation": 0.7}

TYPE_WEIGHTS = [
    (InteractionType.CALL, 40),
    (InteractionType.EMAIL, 28),
    (InteractionType.MEETING, 17),
    (InteractionType.VISIT, 13),
]


class DemoRefused(Exception):
    """The database already holds data; the message is meant for the user."""


@dataclass
class DemoAccount:
    role: str
    email: str
    password: str


@dataclass
class DemoSummary:
    accounts: list[DemoAccount]
    counts: dict[str, int]

    def counts_line(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in self.counts.items())


def seed_demo(today: date | None = None) -> DemoSummary:
    """Fill an empty database with the demo data set; flushes, never commits."""
    _refuse_unless_empty()
    return _Seeder(today or dates.today()).run()


def _refuse_unless_empty() -> None:
    def count(model: type[db.Model]) -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0

    found = {
        "user": count(User),
        "cluster": count(Cluster),
        "company": count(Company),
        "interaction": count(Interaction),
    }
    if any(found.values()):
        words = {"company": "companies"}
        listed = ", ".join(
            f"{n} {words.get(k, k + 's') if n != 1 else k}" for k, n in found.items()
        )
        raise DemoRefused(
            f"The database is not empty: seed-demo only fills an empty database (found {listed})."
        )


# ------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------


def _interp(knots: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear value at x of knots sorted by decreasing x."""
    if x >= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(knots):
        if x0 >= x >= x1:
            return y0 + (y1 - y0) * (x0 - x) / (x0 - x1)
    return knots[-1][1]


def _clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, x))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")


def _at(day: date, minutes: int) -> datetime:
    """A timezone-aware instant on `day`, `minutes` after midnight in Luxembourg, as UTC."""
    local = datetime(day.year, day.month, day.day, tzinfo=dates.AGENCY_TZ)
    return (local + timedelta(minutes=minutes)).astimezone(UTC)


def _weekday(day: date) -> date:
    """The day itself on a weekday, else the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _eur(amount: Decimal) -> str:
    return f"EUR {amount:,.2f}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Plan:
    """A company and the parameters of its simulated history."""

    company: Company
    clusters: list[str]
    advisors: list[User]
    owner: User
    activity: str
    facility: str
    domain: str  # for the e-mail addresses of its people
    exposed: bool  # serves automotive or aeronautics
    sens: float  # how hard the downturn hits it
    resil: float  # idiosyncratic fragility (+) or strength (-)
    growth: float  # idiosyncratic trend bias
    rate: float  # contacts per week in normal times
    start: date
    end: date  # last possible contact
    closed_on: date | None = None
    people: list[Person] = field(default_factory=list)
    events: list[tuple[Event, list[Person]]] = field(default_factory=list)
    last_check: date | None = None


class _Seeder:
    def __init__(self, today: date) -> None:
        self.today = today
        self.start = today - timedelta(days=DAYS)
        self.rng = random.Random(SEED)
        self.interactions: list[Interaction] = []
        self.needs: list[Need] = []
        self.followups: list[FollowUp] = []
        self.events: list[Event] = []
        self.counts: dict[str, int] = {}
        self.checks = 0
        self.used_rcs: set[str] = set()
        self.used_names: set[str] = set()

    # -- entry point ---------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.categories = {c.slug: c for c in db.session.scalars(db.select(NeedCategory))}
        self.instruments = {i.name: i for i in db.session.scalars(db.select(Instrument))}
        self.markets = {m.slug: m for m in db.session.scalars(db.select(Market))}
        clusters = self._clusters()
        accounts = self._users(clusters)
        with db.session.no_autoflush:
            plans = self._companies(clusters)
            db.session.add_all([p.company for p in plans])
            db.session.flush()
            self._events(plans, clusters)
            for plan in plans:
                self._history(plan)
            self._tidy_followups()
            self.interactions.sort(key=lambda i: (i.occurred_on, i.created_at))
            db.session.add_all(self.events)
            db.session.add_all(self.interactions)
            db.session.flush()
            self.needs.sort(key=lambda n: (n.identified_on, n.created_at))
            db.session.add_all(self.needs)
            db.session.flush()
            self.followups.sort(key=lambda f: (f.created_at, f.due_on))
            db.session.add_all(self.followups)
            db.session.flush()
        solutions = [s for n in self.needs for s in n.solutions]
        self.counts = {
            "clusters": len(clusters),
            "users": len(accounts),
            "companies": len(plans),
            "people": sum(len(p.people) for p in plans),
            "interactions": len(self.interactions),
            "health checks": self.checks,
            "needs": len(self.needs),
            "solutions": len(solutions),
            "status changes": sum(len(s.changes) for s in solutions),
            "follow-ups": len(self.followups),
            "events": len(self.events),
        }
        return DemoSummary(accounts=accounts, counts=self.counts)

    # -- clusters and users --------------------------------------------------------------

    def _clusters(self) -> dict[str, Cluster]:
        return {
            slug: create_cluster(slug=slug, name=name, description=description)
            for slug, name, description in data.CLUSTERS
        }

    def _users(self, clusters: dict[str, Cluster]) -> list[DemoAccount]:
        accounts = []
        self.advisors_of: dict[str, list[User]] = {slug: [] for slug in clusters}
        self.load: dict[int, int] = {}
        for role, email, name, slugs in data.USERS:
            password = f"demo-password-{role}"
            user = create_user(
                email=email,
                name=name,
                role=Role(role),
                password=password,
                clusters=[clusters[s] for s in slugs],
            )
            if role == "advisor":
                for slug in slugs:
                    self.advisors_of[slug].append(user)
                self.load[user.id] = 0
            accounts.append(DemoAccount(role=role, email=email, password=password))
        return accounts

    # -- companies and people ------------------------------------------------------------

    def _companies(self, clusters: dict[str, Cluster]) -> list[_Plan]:
        rng = self.rng
        plans: list[_Plan] = []
        for slug, n in data.COMPANIES_PER_CLUSTER.items():
            activities = list(data.ACTIVITIES[slug])
            rng.shuffle(activities)
            for k in range(n):
                plans.append(self._company(slug, activities[k % len(activities)], clusters))
        rng.shuffle(plans)
        self._lifecycles(plans)
        for plan in plans:
            self._people(plan)
        return plans

    def _company(self, slug: str, activity: tuple, clusters: dict[str, Cluster]) -> _Plan:
        rng = self.rng
        label, naces, markets, facility = activity
        country = "LU" if rng.random() < 0.85 else rng.choices(["FR", "BE", "DE"], [40, 35, 25])[0]
        legal_form = rng.choices(*zip(*data.LEGAL_FORMS[country], strict=True))[0]
        while True:
            if rng.random() < 0.68:
                stem = f"{rng.choice(data.NAME_PLACES[country])} {label}"
            else:
                stem = f"{rng.choice(data.COMPANY_SURNAMES)} {label}"
            if stem not in self.used_names:
                break
        self.used_names.add(stem)
        legal_name = f"{stem} {legal_form}"
        trade_name = None
        if rng.random() < 0.15:
            initials = "".join(w[0] for w in _ascii(stem).replace("&", "").split())
            trade_name = initials.upper() if len(initials) > 1 else None
        domain_stem = _slug(stem)
        if len(domain_stem) > 28:
            domain_stem = "-".join(domain_stem.split("-")[:2])
        domain = f"{domain_stem}.{data.TLD[country]}"

        if country == "LU":
            locality, codes, streets = rng.choice(data.LOCALITIES[slug])
            postal = rng.choice(codes)
            street = f"{rng.randint(1, 120)}, {rng.choice(streets)}"
        else:
            locality, postal = rng.choice(data.FOREIGN_LOCALITIES[country])
            name = rng.choice(data.FOREIGN_STREETS[country])
            number = rng.randint(1, 90)
            street = f"{name} {number}" if country == "DE" else f"{number}, {name}"

        rcs = vat = None
        if country == "LU":
            if rng.random() < 0.93:
                while True:
                    rcs = f"B{rng.randint(12_000, 289_999)}"
                    if rcs not in self.used_rcs:
                        break
                self.used_rcs.add(rcs)
            if rng.random() < 0.88:
                vat = luxembourg_vat(rng.randint(100_000, 359_999))

        employees = int(_clamp(rng.lognormvariate(3.2, 1.05), 3, 900))
        if slug == "healthtech" and "Pharma" not in label:
            employees = max(3, employees // 2)

        slugs = [slug]
        if rng.random() < 0.12:
            slugs.append(rng.choice(data.SECOND_CLUSTER[slug]))
        market_slugs = [markets[0]] + [m for m in markets[1:] if rng.random() < 0.55]
        if rng.random() < 0.12:
            extra = rng.choice(sorted(self.markets))
            if extra not in market_slugs:
                market_slugs.append(extra)

        advisors: list[User] = []
        for s in slugs:
            advisors += [a for a in self.advisors_of[s] if a not in advisors]
        candidates = self.advisors_of[slug]
        if rng.random() < 0.75:
            owner = min(candidates, key=lambda a: (self.load[a.id], a.id))
        else:
            owner = rng.choice(candidates)
        self.load[owner.id] += 1

        company = Company(
            legal_name=legal_name,
            trade_name=trade_name,
            rcs_number=rcs,
            vat_number=vat,
            nace_code=rng.choice(naces),
            employees=employees,
            street=street,
            postal_code=postal,
            locality=locality,
            country=country,
            website=f"https://www.{domain}" if rng.random() < 0.92 else None,
            status=CompanyStatus.ACTIVE,
            archived=False,
            owner=owner,
            clusters=[clusters[s] for s in slugs],
            markets=[self.markets[m] for m in market_slugs if m in self.markets],
        )
        exposed = bool({"automotive", "aeronautics"} & set(market_slugs))
        sens = {"materials-manufacturing": 0.55, "automobility": 0.7, "wood": 0.42}.get(slug, 0.22)
        if exposed:
            sens = 0.75 + rng.random() * 0.2
        size_rate = 0.14 + 0.06 * min(3.0, math.log10(employees))
        resil = rng.gauss(0, 0.13) + (0.22 if rng.random() < 0.06 else 0.0)
        return _Plan(
            company=company,
            clusters=slugs,
            advisors=advisors,
            owner=owner,
            activity=label,
            facility=facility,
            domain=domain,
            exposed=exposed,
            sens=sens,
            resil=resil,
            growth=(0.12 if slug == "healthtech" else 0.0) + rng.gauss(0, 0.06),
            rate=size_rate * rng.uniform(0.7, 1.3),
            start=self.start,
            end=self.today,
        )

    def _lifecycles(self, plans: list[_Plan]) -> None:
        """Late arrivals, closures, dormant, neglected and archived companies."""
        rng = self.rng
        today = self.today
        order = list(range(len(plans)))
        rng.shuffle(order)
        exposed = [i for i in order if plans[i].exposed and plans[i].company.employees < 150]
        closed = exposed[:3]
        rest = [i for i in order if i not in closed]
        dormant, neglected, late = rest[:7], rest[7:12], rest[12:30]
        archived_active = rest[30:32]
        for i in closed:
            plan = plans[i]
            plan.closed_on = _weekday(today - timedelta(days=rng.randint(200, 330)))
            plan.end = plan.closed_on
            plan.company.status = CompanyStatus.CLOSED
            plan.resil = abs(plan.resil) + 0.1
        plans[closed[0]].company.archived = True
        for i in dormant:
            plans[i].end = today - timedelta(days=rng.randint(150, 380))
            plans[i].rate *= 0.5
            plans[i].company.status = CompanyStatus.DORMANT
        for i in neglected:
            plans[i].end = today - timedelta(days=rng.randint(120, 270))
        for i in late:
            plans[i].start = self.start + timedelta(days=rng.randint(60, 560))
        for i in archived_active:
            plans[i].end = today - timedelta(days=rng.randint(380, 520))
            plans[i].company.archived = True
        for plan in plans:
            joined = _weekday(plan.start - timedelta(days=rng.randint(1, 40)))
            plan.company.created_at = plan.company.updated_at = _at(joined, 9 * 60 + 5)
        # One company added last week, not contacted yet.
        newest = plans[late[0]]
        newest.start = _weekday(today - timedelta(days=6))
        newest.end = newest.start - timedelta(days=1)
        newest.company.created_at = newest.company.updated_at = _at(newest.start, 14 * 60 + 30)

    def _people(self, plan: _Plan) -> None:
        rng = self.rng
        company = plan.company
        n = 1 + (company.employees >= 10) + (company.employees >= 50 and rng.random() < 0.75)
        titles = [rng.choice(data.LEAD_TITLES[:3] if company.employees > 40 else data.LEAD_TITLES)]
        titles += rng.sample(data.OTHER_TITLES, n - 1)
        used = set()
        for title in titles:
            while True:
                first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
                if (first, last) not in used:
                    break
            used.add((first, last))
            local = f"{_slug(first)}.{_slug(last)}".replace("-", "")
            person = Person(
                name=f"{first} {last}",
                job_title=title,
                email=f"{local}@{plan.domain}",
                phone=self._phone(company.country),
                lawful_basis=rng.choices(
                    [LawfulBasis.LEGITIMATE_INTEREST, LawfulBasis.CONSENT, LawfulBasis.CONTRACT],
                    [86, 10, 4],
                )[0],
                notes=rng.choice(data.PERSON_NOTES),
                archived=False,
                created_at=company.created_at,
            )
            company.people.append(person)
            plan.people.append(person)
        if len(plan.people) > 1 and rng.random() < 0.04:
            leaver = plan.people[-1]
            leaver.archived = True
            leaver.notes = "Left the company."

    def _phone(self, country: str) -> str:
        r = self.rng.randint
        if country == "LU":
            if self.rng.random() < 0.7:
                return f"+352 {r(26, 27)} {r(10, 99)} {r(10, 99)} {r(10, 99)}"
            return f"+352 {self.rng.choice(['621', '661', '691'])} {r(100, 999)} {r(100, 999)}"
        if country == "FR":
            return f"+33 3 {r(82, 87)} {r(10, 99)} {r(10, 99)} {r(10, 99)}"
        if country == "BE":
            return f"+32 {self.rng.choice(['63', '61', '87'])} {r(10, 99)} {r(10, 99)} {r(10, 99)}"
        return f"+49 {self.rng.choice(['651', '681', '6831', '6561'])} {r(100_000, 9_999_999)}"

    # -- events --------------------------------------------------------------------------

    def _events(self, plans: list[_Plan], clusters: dict[str, Cluster]) -> None:
        rng = self.rng
        for months_ago, slug, fmt, title, partners, description in data.EVENTS:
            day = self.today - timedelta(days=round(months_ago * MONTH))
            day = day - timedelta(days=(day.weekday() - 1) % 7)  # the Tuesday before
            if fmt.value == "on_site" and rng.random() < 0.5:
                day += timedelta(days=2)
            if (day.month, day.day) >= (12, 19):
                day -= timedelta(days=14)  # not between Christmas and New Year
            elif day.month == 1 and day.day <= 6:
                day += timedelta(days=7)
            elif day.month == 8 and fmt.value == "on_site":
                day += timedelta(days=21)  # nobody comes on site in August
            if day >= self.today:
                day = _weekday(self.today - timedelta(days=3))
            members = [
                p
                for p in plans
                if slug in p.clusters
                and p.start <= day <= p.end
                and not (p.company.archived and p.end < day + timedelta(days=30))
            ]
            k = min(
                len(members), rng.randint(8, 25) if fmt.value == "on_site" else rng.randint(5, 18)
            )
            chosen = rng.sample(members, k)
            people: list[Person] = []
            event = Event(
                title=title,
                held_on=day,
                format=fmt,
                partners="\n".join(partners),
                description=description,
                cluster=clusters[slug],
                created_by=self.advisors_of[slug][0],
                created_at=_at(day - timedelta(days=rng.randint(30, 60)), 10 * 60),
                companies=[p.company for p in chosen],
            )
            for plan in chosen:
                active = [p for p in plan.people if not p.archived]
                met = rng.sample(active, min(len(active), rng.choice([0, 1, 1, 1, 2])))
                people += met
                if rng.random() < 0.55:
                    plan.events.append((event, met))
            event.people = people
            self.events.append(event)

    # -- the history of one company ------------------------------------------------------

    def _months_ago(self, day: date) -> float:
        return (self.today - day).days / MONTH

    def _stress(self, plan: _Plan, day: date, noise: float = 0.07) -> float:
        mo = self._months_ago(day)
        x = 0.14 + plan.sens * _interp(STRESS, mo) + plan.resil + self.rng.gauss(0, noise)
        if plan.closed_on is not None:
            left = (plan.closed_on - day).days
            if left < 240:
                x += 0.6 * (1 - left / 240)
        return _clamp(x)

    def _contact_days(self, plan: _Plan) -> list[date]:
        rng = self.rng
        days: list[date] = []
        monday = plan.start - timedelta(days=plan.start.weekday())
        while monday <= plan.end:
            mo = self._months_ago(monday)
            lam = plan.rate * (1 + 0.7 * plan.sens * _interp(STRESS, mo))
            n = self._poisson(lam)
            if n:
                for offset in sorted(rng.sample(range(5), min(n, 5))):
                    day = monday + timedelta(days=offset)
                    if plan.start <= day <= plan.end:
                        days.append(day)
            monday += timedelta(days=7)
        return days

    def _poisson(self, lam: float) -> int:
        threshold, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= threshold:
                return k
            k += 1

    def _history(self, plan: _Plan) -> None:
        rng = self.rng
        timeline: list[tuple[date, int, Event | None, list[Person]]] = [
            (day, 1, None, []) for day in self._contact_days(plan)
        ]
        timeline += [(e.held_on, 0, e, met) for e, met in plan.events]
        timeline.sort(key=lambda t: (t[0], t[1]))
        last = len(timeline) - 1
        for n, (day, _, event, met) in enumerate(timeline):
            x = self._stress(plan, day)
            closing = plan.closed_on is not None and n == last and event is None
            advisor = plan.owner
            if len(plan.advisors) > 1 and rng.random() < 0.15:
                advisor = rng.choice([a for a in plan.advisors if a is not plan.owner])
            if event is not None:
                itype = InteractionType.EVENT
                people = list(met)
            else:
                itype = rng.choices(*zip(*TYPE_WEIGHTS, strict=True))[0]
                if closing:
                    itype = InteractionType.MEETING
                people = self._met(plan, itype)
            interaction = Interaction(
                occurred_on=day,
                type=itype,
                company=plan.company,
                advisor=advisor,
                people=people,
                summary="",
                created_at=_at(day, rng.randint(8 * 60, 18 * 60)),
            )
            interaction.updated_at = interaction.created_at
            interaction.summary = (
                self._event_summary(event, people)
                if event is not None
                else self._summary(plan, itype, people, x, day, closing)
            )
            self.interactions.append(interaction)
            if itype is not InteractionType.EVENT and self._wants_check(plan, itype, day, closing):
                self._health_check(plan, interaction, x, closing)
            need = solution = None
            if self._wants_need(itype, x, closing):
                need = self._need(plan, interaction, x)
                solution = need.solutions[0] if need.solutions else None
            self._maybe_followup(plan, interaction, x, need, solution)

    def _met(self, plan: _Plan, itype: InteractionType) -> list[Person]:
        rng = self.rng
        active = [p for p in plan.people if not p.archived] or plan.people
        if itype in (InteractionType.MEETING, InteractionType.VISIT):
            if rng.random() < 0.9:
                return rng.sample(active, min(len(active), rng.choice([1, 1, 2])))
            return []
        chance = 0.78 if itype is InteractionType.CALL else 0.6
        if rng.random() < chance:
            weights = [3] + [1] * (len(active) - 1)
            return [rng.choices(active, weights)[0]]
        return []

    def _phase(self, plan: _Plan, x: float, day: date) -> str:
        momentum = _interp(MOMENTUM, self._months_ago(day))
        if x >= 0.62:
            return "crisis_exposed" if plan.exposed else "crisis"
        if momentum > 0.15 and x >= 0.3:
            return "recovering"
        if x >= 0.42:
            return "strained"
        return "normal"

    def _fill(self, template: str, **values: str) -> str:
        rng = self.rng
        values.setdefault("pct", str(rng.choice([20, 25, 30, 35, 40, 50])))
        values.setdefault("n", str(rng.choice([4, 6, 8, 10, 12, 15, 20])))
        values.setdefault("k", str(rng.choice([80, 120, 150, 250, 400])))
        weeks = rng.choice([4, 6, 8, 10, 12])
        values.setdefault("weeks", str(weeks))
        values.setdefault("weeks2", str(weeks + rng.choice([4, 6, 8])))
        return template.format(**values)

    def _summary(
        self,
        plan: _Plan,
        itype: InteractionType,
        people: list[Person],
        x: float,
        day: date,
        closing: bool,
    ) -> str:
        rng = self.rng
        who = people[0] if people else None
        if who is not None:
            name = who.name
        else:
            name = "the company" if itype is InteractionType.EMAIL else "the management"
        if closing:
            return (
                f"Meeting with {name}: the shareholders decided to close the {plan.facility} in "
                f"{plan.company.locality}. Discussed support for the staff with ADEM and the "
                "handling of open customer orders."
            )
        phase = self._phase(plan, x, day)
        state = self._fill(rng.choice(data.STATE_PHRASES[phase]))
        pool = list(data.TOPICS["general"]) + list(data.TOPICS[plan.clusters[0]])
        if phase.startswith("crisis") or phase == "strained":
            pool += data.TOPICS["crisis"] * 2
        templates = [
            t
            for t in data.SUMMARIES[itype.value]
            if who or ("{title}" not in t and "management team" not in t)
        ]
        text = rng.choice(templates).format(
            p=name,
            title=who.job_title if who else "management",
            state=state,
            State=_sentence(state),
            topic=rng.choice(pool),
            facility=plan.facility,
            loc=plan.company.locality,
            next=rng.choice(data.NEXT_STEPS),
        )
        return _sentence(text)

    def _event_summary(self, event: Event, people: list[Person]) -> str:
        where = "webinar" if event.format.value == "webinar" else "on-site event"
        who = " and ".join(p.name for p in people) if people else "A representative"
        text = f'{who} took part in the {where} "{event.title}".'
        partners = [p for p in event.partners.splitlines() if p]
        if partners and self.rng.random() < 0.6:
            text += f" Met {' and '.join(partners)} members during the B2B sessions."
        elif self.rng.random() < 0.4:
            text += " Interested in a follow-up meeting."
        return text

    # -- health checks -------------------------------------------------------------------

    def _wants_check(self, plan: _Plan, itype: InteractionType, day: date, closing: bool) -> bool:
        if closing:
            return True
        since = (day - plan.last_check).days if plan.last_check else 999
        email = itype is InteractionType.EMAIL
        if since >= 70:
            chance = 0.45 if email else 0.85
        elif since >= 35:
            chance = 0.12 if email else 0.42
        else:
            chance = 0.01 if email else 0.06
        return self.rng.random() < chance

    def _trend(self, plan: _Plan, day: date, shift: float, scale: float = 1.0) -> Trend:
        momentum = _interp(MOMENTUM, self._months_ago(day) + shift)
        sens = plan.sens if momentum < 0 else 0.55 + 0.45 * plan.sens
        y = scale * sens * momentum + plan.growth - 0.5 * plan.resil + self.rng.gauss(0, 0.32)
        if plan.closed_on is not None and (plan.closed_on - day).days < 200:
            y -= 0.6
        if y > 0.25:
            return Trend.UP
        if y < -0.25:
            return Trend.DOWN
        return Trend.STABLE

    def _health_check(
        self, plan: _Plan, interaction: Interaction, x: float, closing: bool
    ) -> HealthCheck:
        rng = self.rng
        day = interaction.occurred_on
        blank = 2.2 if interaction.type is InteractionType.EMAIL else 1.0

        def maybe(value: object, chance: float) -> object:
            return None if rng.random() < chance * blank else value

        judged = _clamp(x + rng.gauss(0, 0.05))
        risk = (
            RiskLevel.LOW
            if judged < 0.3
            else RiskLevel.MEDIUM
            if judged < 0.52
            else RiskLevel.HIGH
            if judged < 0.74
            else RiskLevel.CRITICAL
        )
        cash = _clamp(x + rng.gauss(0, 0.1))
        liquidity = (
            Liquidity.GOOD
            if cash < 0.28
            else Liquidity.ADEQUATE
            if cash < 0.5
            else Liquidity.TIGHT
            if cash < 0.76
            else Liquidity.CRITICAL
        )
        stw = rng.random() < _clamp(0.03 + (x - 0.38) * 2.2, 0.03, 0.9)
        reasons: list[str] = []
        if risk is RiskLevel.CRITICAL or (risk is RiskLevel.HIGH and rng.random() < 0.6):
            options = [RiskReason.DOWNSIZING] * 3
            if plan.exposed:
                options += [RiskReason.KEY_CUSTOMER_LOSS] * 3
            if risk is RiskLevel.CRITICAL:
                options += [RiskReason.CLOSURE, RiskReason.RELOCATION]
            picked = {rng.choice(options) for _ in range(rng.choice([1, 1, 2]))}
            reasons = [r.value for r in RiskReason if r in picked]
        if closing:
            risk, liquidity, stw = RiskLevel.CRITICAL, Liquidity.CRITICAL, True
            reasons = [RiskReason.CLOSURE.value, RiskReason.DOWNSIZING.value]
        check = HealthCheck(
            company=plan.company,
            interaction=interaction,
            checked_on=day,
            recorded_by=interaction.advisor,
            turnover_trend=maybe(self._trend(plan, day, 0.0), 0.05),
            orders_trend=maybe(self._trend(plan, day, -1.0), 0.1),
            employment_trend=maybe(self._trend(plan, day, 2.0, 0.6), 0.12),
            outlook=maybe(self._trend(plan, day, -2.5), 0.15),
            short_time_work=maybe(stw, 0.12),
            liquidity=maybe(liquidity, 0.08),
            risk_level=risk if closing else maybe(risk, 0.03),
            risk_reasons=reasons,
            comment=rng.choice(data.HEALTH_COMMENTS[risk.value]) if rng.random() < 0.45 else "",
            created_at=interaction.created_at + timedelta(minutes=rng.randint(1, 20)),
        )
        plan.last_check = day
        self.checks += 1
        return check

    # -- needs and solutions -------------------------------------------------------------

    def _wants_need(self, itype: InteractionType, x: float, closing: bool) -> bool:
        if closing or itype is InteractionType.EVENT:
            return False
        chance = 0.1 + 0.12 * x
        if itype in (InteractionType.MEETING, InteractionType.VISIT):
            chance *= 1.6
        elif itype is InteractionType.EMAIL:
            chance *= 0.6
        return self.rng.random() < chance

    def _category(self, plan: _Plan, x: float, day: date) -> str:
        mo = self._months_ago(day)
        later = 1.0 if mo < 8 else 0.6
        cluster = plan.clusters[0]
        weights = {
            "liquidity": 0.5 + 13 * max(0.0, x - 0.4),
            "new-markets": 0.6 + (11 if plan.exposed else 3) * max(0.0, x - 0.35),
            "partnerships": 1.5,
            "investment": 3.0 * later * (1.4 - x),
            "rdi-funding": (3.0 + (3 if cluster == "healthtech" else 0)) * later * (1.3 - x),
            "digitalisation": 3.5 * later * (1.3 - x),
            "internationalisation": 1.2,
            "skills": 1.8 * (1.3 - x),
            "regulation": 3.0 if cluster == "healthtech" else 0.8,
            "energy-sustainability": 2.2 if 12 < mo < 22 else 1.2,
            "other": 0.4,
        }
        slugs = [s for s in weights if s in self.categories]
        return self.rng.choices(slugs, [weights[s] for s in slugs])[0]

    def _need_text(self, plan: _Plan, slug: str) -> str:
        rng = self.rng
        values = {key: rng.choice(options) for key, options in data.NEED_FILL.items()}
        values["facility"] = plan.facility
        values["regulation"] = rng.choice(data.REGULATION_TEXTS[plan.clusters[0]])
        return self._fill(rng.choice(data.NEED_TEXTS[slug]), **values)

    def _need(self, plan: _Plan, interaction: Interaction, x: float) -> Need:
        rng = self.rng
        day = interaction.occurred_on
        slug = self._category(plan, x, day)
        if slug == "liquidity" and x > 0.6:
            urgency = Urgency.HIGH if rng.random() < 0.7 else Urgency.NORMAL
        else:
            urgency = rng.choices([Urgency.LOW, Urgency.NORMAL, Urgency.HIGH], [25, 60, 15])[0]
        need = Need(
            company=plan.company,
            category=self.categories[slug],
            description=self._need_text(plan, slug),
            urgency=urgency,
            status=NeedStatus.OPEN,
            identified_on=day,
            interaction=interaction,
            owner=interaction.advisor,
            created_at=interaction.created_at + timedelta(minutes=rng.randint(2, 30)),
        )
        if rng.random() < SOLUTION_CHANCE.get(slug, 0.85):
            self._solution(plan, need, slug, day + timedelta(days=rng.choice([0, 0, 0, 2, 7])))
            if rng.random() < 0.15:
                self._solution(plan, need, slug, day + timedelta(days=rng.randint(14, 60)))
        self._settle_need(plan, need)
        self.needs.append(need)
        return need

    def _solution(self, plan: _Plan, need: Need, slug: str, day: date) -> Solution | None:
        rng = self.rng
        if day > self.today or (plan.closed_on and day > plan.closed_on):
            return None
        options = data.SOLUTION_OPTIONS[slug]
        taken = {s.instrument.name if s.instrument else None for s in need.solutions}
        name = rng.choices([o[0] for o in options], [o[1] for o in options])[0]
        if name in taken and name is not None:
            name = None
        partner = None
        if name is None:
            partners = list(data.PARTNERS[slug])
            if plan.clusters[0] == "wood" and slug in ("new-markets", "partnerships"):
                partners = data.WOOD_PARTNERS + partners[:1]
            partner = rng.choice(partners)
            name = "Referral to partner cluster"
        instrument = self.instruments.get(name)
        if instrument is None:
            return None
        kind = "referral" if partner else instrument.kind.value
        outcomes = {
            "referral": ([SolutionStatus.GRANTED, SolutionStatus.DROPPED], [55, 45]),
            "advisory_service": ([SolutionStatus.GRANTED, SolutionStatus.DROPPED], [72, 28]),
            "loan": (
                [SolutionStatus.GRANTED, SolutionStatus.REJECTED, SolutionStatus.DROPPED],
                [65, 20, 15],
            ),
        }.get(
            kind,
            (
                [SolutionStatus.GRANTED, SolutionStatus.REJECTED, SolutionStatus.DROPPED],
                [58, 20, 22],
            ),
        )
        outcome = rng.choices(*outcomes)[0]
        fast = name == "Short-time work scheme"
        if outcome is SolutionStatus.DROPPED:
            path = [SolutionStatus.SUGGESTED]
            if kind != "referral" and rng.random() < 0.5:
                path.append(SolutionStatus.IN_PREPARATION)
            path.append(SolutionStatus.DROPPED)
        elif kind == "referral":
            path = [SolutionStatus.SUGGESTED, SolutionStatus.SUBMITTED, outcome]
        else:
            path = [
                SolutionStatus.SUGGESTED,
                SolutionStatus.IN_PREPARATION,
                SolutionStatus.SUBMITTED,
                outcome,
            ]
        if outcome is not SolutionStatus.DROPPED and rng.random() < 0.12:
            path = path[: rng.randint(1, len(path) - 1)]  # stuck: no news since
        gaps = {
            SolutionStatus.IN_PREPARATION: (3, 12) if fast else (4, 25),
            SolutionStatus.SUBMITTED: (3, 10) if fast else (12, 60),
            SolutionStatus.GRANTED: (7, 20) if fast else (25, 110),
            SolutionStatus.REJECTED: (25, 110),
            SolutionStatus.DROPPED: (12, 75),
        }
        author = need.owner
        solution = Solution(
            instrument=instrument,
            partner=partner,
            status=SolutionStatus.SUGGESTED,
            suggested_on=day,
            created_by=author,
            notes="",
            created_at=_at(day, rng.randint(9 * 60, 17 * 60)),
        )
        limit = min(self.today, plan.closed_on or self.today)
        current, when, previous = None, day, None
        for n, status in enumerate(path):
            if n:
                when = when + timedelta(days=rng.randint(*gaps[status]))
                when = _weekday(when)
                if when <= previous:
                    when = previous + timedelta(days=1)
                if when > limit:
                    break
            solution.changes.append(
                SolutionStatusChange(
                    from_status=current,
                    to_status=status,
                    changed_on=when,
                    changed_by=author,
                    changed_at=_at(when, rng.randint(9 * 60, 17 * 60) + n),
                    note="",
                )
            )
            current, previous = status, when
        if plan.closed_on is not None and not current.is_decided and plan.closed_on > previous:
            solution.changes.append(
                SolutionStatusChange(
                    from_status=current,
                    to_status=SolutionStatus.DROPPED,
                    changed_on=plan.closed_on,
                    changed_by=author,
                    changed_at=_at(plan.closed_on, 16 * 60),
                    note="The company closed.",
                )
            )
            current, previous = SolutionStatus.DROPPED, plan.closed_on
        solution.status = current
        if current is not None and current.is_decided:
            solution.decided_on = previous
        if kind != "referral" and current is not SolutionStatus.SUGGESTED:
            low, high = data.AMOUNT_RANGES.get(name, (20_000, 300_000))
            requested = rng.uniform(low, high)
            requested = round(requested, -2) if rng.random() < 0.7 else requested
            solution.amount_requested = _money(requested)
            if current is SolutionStatus.GRANTED:
                solution.amount_granted = _money(requested * rng.choice([1, 1, 0.9, 0.8, 0.75]))
        elif kind != "referral" and rng.random() < 0.4:
            low, high = data.AMOUNT_RANGES.get(name, (20_000, 300_000))
            solution.amount_requested = _money(round(rng.uniform(low, high), -3))
        if current is SolutionStatus.GRANTED:
            solution.notes = (
                f"Introduction made; {partner} follows up directly."
                if partner
                else "Decision letter received."
            )
        elif current is SolutionStatus.REJECTED:
            solution.notes = rng.choice(
                [
                    "Project not eligible.",
                    "Budget exhausted for this call.",
                    "Insufficient innovation content.",
                ]
            )
        need.solutions.append(solution)
        return solution

    def _settle_need(self, plan: _Plan, need: Need) -> None:
        """Derive the need's status from its solutions and its age."""
        rng = self.rng
        today = self.today
        limit = min(today, plan.closed_on or today)
        solutions = need.solutions
        granted = [s for s in solutions if s.status is SolutionStatus.GRANTED]
        pending = [s for s in solutions if not s.status.is_decided]
        age = (today - need.identified_on).days
        if granted:
            best = granted[-1]
            when = best.decided_on + timedelta(days=rng.randint(0, 10))
            if when <= limit:
                need.status, need.resolved_on = NeedStatus.RESOLVED, when
                if best.partner:
                    need.outcome = f"Introduced to {best.partner}; collaboration started."
                else:
                    amount = best.amount_granted
                    need.outcome = f"{best.instrument.name} granted" + (
                        f": {_eur(amount)}." if amount else "."
                    )
            else:
                need.status = NeedStatus.IN_PROGRESS
        elif pending:
            started = any(s.status is not SolutionStatus.SUGGESTED for s in pending)
            need.status = (
                NeedStatus.IN_PROGRESS if started or rng.random() < 0.4 else NeedStatus.OPEN
            )
        elif solutions:
            last = max(s.decided_on for s in solutions)
            when = last + timedelta(days=rng.randint(0, 20))
            if when > limit:
                need.status = NeedStatus.IN_PROGRESS
            elif rng.random() < 0.3:
                need.status, need.resolved_on = NeedStatus.RESOLVED, when
                need.outcome = rng.choice(data.RESOLVED_WITHOUT_SOLUTION)
            else:
                need.status, need.closed_on = NeedStatus.CLOSED_UNRESOLVED, when
                rejected = any(s.status is SolutionStatus.REJECTED for s in solutions)
                need.outcome = (
                    "Application rejected; no alternative found."
                    if rejected
                    else rng.choice(data.CLOSED_UNRESOLVED)
                )
        else:
            if age > 120:
                weights = [55, 30, 15]
            elif age > 30:
                weights = [30, 10, 60]
            else:
                weights = [0, 0, 100]
            pick = rng.choices(["resolved", "closed", "open"], weights)[0]
            when = need.identified_on + timedelta(days=rng.randint(10, max(11, min(age, 150))))
            if pick == "open" or when > limit:
                need.status = NeedStatus.OPEN if rng.random() < 0.7 else NeedStatus.IN_PROGRESS
            elif pick == "resolved":
                need.status, need.resolved_on = NeedStatus.RESOLVED, when
                need.outcome = rng.choice(data.RESOLVED_WITHOUT_SOLUTION)
            else:
                need.status, need.closed_on = NeedStatus.CLOSED_UNRESOLVED, when
                need.outcome = rng.choice(data.CLOSED_UNRESOLVED)
        if plan.closed_on is not None and need.status.is_open:
            need.status, need.closed_on = NeedStatus.CLOSED_UNRESOLVED, plan.closed_on
            need.outcome = "The company closed."

    # -- follow-ups ----------------------------------------------------------------------

    def _maybe_followup(
        self,
        plan: _Plan,
        interaction: Interaction,
        x: float,
        need: Need | None,
        solution: Solution | None,
    ) -> None:
        rng = self.rng
        chance = {
            InteractionType.VISIT: 0.26,
            InteractionType.MEETING: 0.26,
            InteractionType.CALL: 0.18,
            InteractionType.EMAIL: 0.12,
            InteractionType.EVENT: 0.12,
        }[interaction.type]
        if need is not None:
            chance = 0.55
        if rng.random() >= chance:
            return
        day = interaction.occurred_on
        who = interaction.people[0].name.split()[0] if interaction.people else "the CEO"
        if solution is not None and rng.random() < 0.7:
            if solution.partner:
                title = rng.choice(data.FOLLOWUP_TITLES["partner"]).format(x=solution.partner)
            else:
                title = rng.choice(data.FOLLOWUP_TITLES["instrument"]).format(
                    x=solution.instrument.name
                )
        elif need is not None:
            solution = None
            title = rng.choice(data.FOLLOWUP_TITLES["need"]).format(
                x=need.category.name[:1].lower() + need.category.name[1:]
            )
        else:
            kind = "crisis" if x > 0.6 and rng.random() < 0.6 else "general"
            title = rng.choice(data.FOLLOWUP_TITLES[kind]).format(x=who)
        days = rng.choice([3, 5, 7, 7, 10, 14, 14, 21, 28, 35, 42, 60, 90])
        due = _weekday(day + timedelta(days=days))
        followup = FollowUp(
            title=title,
            due_on=due,
            assignee=interaction.advisor,
            created_by=interaction.advisor,
            company=plan.company,
            need=need,
            solution=solution,
            interaction=interaction,
            status=FollowUpStatus.OPEN,
            notes="",
            created_at=interaction.created_at + timedelta(minutes=rng.randint(3, 40)),
        )
        done = due + timedelta(days=rng.randint(-4, 9))
        done = max(_weekday(done), day)
        roll = rng.random()
        if plan.closed_on is not None and done > plan.closed_on:
            followup.status = FollowUpStatus.CANCELLED
            followup.notes = "Company closed."
        elif roll < 0.05 and 10 < (self.today - due).days <= 60:
            pass  # slipped: still open, a few weeks overdue
        elif done <= self.today:
            if roll < 0.08:
                followup.status = FollowUpStatus.CANCELLED
                followup.notes = rng.choice(["No longer needed.", "Superseded by a meeting."])
            else:
                followup.status, followup.done_on = FollowUpStatus.DONE, done
        self.followups.append(followup)

    def _tidy_followups(self) -> None:
        """Make sure the follow-up lists show something due today and this week."""
        today = self.today
        open_ = [f for f in self.followups if f.status is FollowUpStatus.OPEN]
        later = [f for f in open_ if (f.due_on - today).days > 7]
        due_today = [f for f in open_ if f.due_on == today]
        for followup in later[: max(0, 3 - len(due_today))]:
            followup.due_on = today
        this_week = [f for f in open_ if 0 < (f.due_on - today).days <= 7]
        later = [f for f in open_ if (f.due_on - today).days > 7]
        for n, followup in enumerate(later[: max(0, 4 - len(this_week))]):
            followup.due_on = today + timedelta(days=1 + n)


def luxembourg_vat(base: int) -> str:
    """A Luxembourg VAT number whose last two digits are the check digits (base mod 89)."""
    return f"LU{base:06d}{base % 89:02d}"
