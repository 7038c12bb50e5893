"""Helpers of the route walks: a data set of other people's records, the URL of every route with
it, the forms of a page, and a fingerprint of the whole database.

The access walk (test_access_walk.py), the mass-assignment tests and the hostile-input test share
them. A route whose URL takes an argument that ARGUMENTS cannot fill makes the walk fail with a
message naming the argument: adding it to ARGUMENTS is the only edit a new kind of id needs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from tests import factories
from tracker import dates
from tracker.extensions import db
from tracker.models import (
    HealthCheck,
    Market,
    NeedCategory,
    ReportEdition,
    Trend,
)

ROLES = ("admin", "manager", "advisor", "viewer")
METHODS = ("GET", "POST")

# Columns that signing in (or out) changes: they are not "data" for the walk's fingerprint.
VOLATILE_COLUMNS = {
    ("users", "last_login_at"),
    ("users", "session_token"),
    ("users", "version"),  # bumped by the two above
}
# Audit entries of reads (an export, a download) may be written by a GET; never by a refused POST,
# but they are no change of the data either.
READ_ACTIONS = {"export", "download", "read", "view"}


@dataclass
class World:
    """The ids of a small data set in which nearly everything belongs to someone else.

    The walking users (admin, manager, advisor, viewer) work in Materials & Manufacturing; the
    records they reach belong to `other_advisor` and `other_manager` of the Wood cluster.
    """

    users: dict[str, factories.UserInfo]
    ids: dict[str, int] = field(default_factory=dict)
    upload_token: str = ""
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # What the app's forms post to each path (filled by the walk that needs it).
    payloads: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(app: Flask) -> World:
    """Create the data set (commits) and return the ids of its records."""
    from tracker.reports import services as reports
    from tracker.transfer import uploads

    today = dates.today()
    with app.app_context():
        materials = factories.make_cluster("materials-manufacturing", "Materials & Manufacturing")
        wood = factories.make_cluster("wood", "Wood")
        users = {
            role: factories.make_user(role=role, email=f"{role}@example.lu", clusters=[materials])
            for role in ROLES
        }
        users["other_advisor"] = factories.make_user(
            role="advisor", email="other.advisor@example.lu", name="Other Advisor", clusters=[wood]
        )
        users["other_manager"] = factories.make_user(
            role="manager", email="other.manager@example.lu", name="Other Manager", clusters=[wood]
        )
        other_id = users["other_advisor"].id

        company = factories.make_company(
            "Holzbau Ardennes S.A.",
            owner_id=other_id,
            clusters=[wood],
            rcs_number="B654321",
            postal_code="L-9999",
            locality="Wiltz",
        )
        person = factories.make_person(company, "Paul Other", email="paul@holzbau.lu")
        interaction = factories.make_interaction(
            company, other_id, on=today - timedelta(days=20), summary="Other advisor's visit."
        )
        interaction.people.append(person)
        check = HealthCheck(
            company=company,
            recorded_by_id=other_id,
            checked_on=interaction.occurred_on,
            interaction=interaction,
            turnover_trend=Trend.DOWN,
        )
        db.session.add(check)
        need = factories.make_need(
            company, "liquidity", on=today - timedelta(days=20), owner_id=other_id
        )
        need.interaction_id = interaction.id
        solution = factories.make_solution(need, "COVID-RDI", on=today - timedelta(days=19))
        solution.created_by_id = other_id
        followup = factories.make_followup(
            company, other_id, due=today + timedelta(days=7), title="Send the loan form"
        )
        followup.created_by_id = other_id
        followup.need_id = need.id
        event = factories.make_event("Wood webinar", on=today - timedelta(days=10))
        event.cluster = wood
        event.created_by_id = users["other_manager"].id
        event.companies.append(company)
        event.people.append(person)

        # The walking advisor's own company and contact, for the cases they may change.
        own_company = factories.make_company(
            "Moselle Precision Castings S.à r.l.",
            owner_id=users["advisor"].id,
            clusters=[materials],
        )
        own_person = factories.make_person(own_company, "Anne Own")
        own_interaction = factories.make_interaction(
            own_company, users["advisor"].id, on=today - timedelta(days=3)
        )
        own_interaction.people.append(own_person)
        db.session.flush()

        other_manager = db.session.get(type(interaction.advisor), users["other_manager"].id)
        month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        reports_by_label = {}
        for label, edition, final in (
            ("draft internal", ReportEdition.INTERNAL, False),
            ("draft ministry", ReportEdition.MINISTRY, False),
            ("final internal", ReportEdition.INTERNAL, True),
            ("final ministry", ReportEdition.MINISTRY, True),
        ):
            report_month = month if not final else f"{int(month[:4]) - 1}{month[4:]}"
            report = reports.generate_report(report_month, wood, edition, other_manager)
            if final:
                reports.finalise_report(report, other_manager)
            reports_by_label[label] = report.id

        market = db.session.scalars(sa.select(Market).order_by(Market.id)).first()
        if market is None:
            market = Market(slug="automotive", name="Automotive")
            db.session.add(market)
            db.session.flush()
        category = db.session.scalars(
            sa.select(NeedCategory).where(NeedCategory.slug == "liquidity")
        ).one()
        instrument_id = factories.instrument("COVID-RDI").id
        db.session.commit()

        world = World(users=users)
        world.ids.update(
            materials=materials.id,
            wood=wood.id,
            company=company.id,
            person=person.id,
            interaction=interaction.id,
            health_check=check.id,
            need=need.id,
            solution=solution.id,
            followup=followup.id,
            event=event.id,
            own_company=own_company.id,
            own_person=own_person.id,
            own_interaction=own_interaction.id,
            market=market.id,
            category=category.id,
            instrument=instrument_id,
            other_advisor=other_id,
        )
        world.ids.update({f"report {label}": rid for label, rid in reports_by_label.items()})
        # An import preview kept for the other advisor: only they may confirm or cancel it.
        world.upload_token = uploads.save(
            b"name\nImported Later S.A.\n",
            kind="companies",
            filename="others.csv",
            user_id=other_id,
        ).token
        db.session.remove()
        world.rows = dump_rows()
    return world


# Restoring the data set between tests (the conftest empties the database after each test)
# and after a request that changed it, with the same ids.


def dump_rows() -> dict[str, list[dict[str, Any]]]:
    with db.engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(table.select())]
            for table in db.metadata.sorted_tables
        }


def restore(app: Flask, world: World) -> None:
    """Put the database back as `build_world` left it (ids included)."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            for table in db.metadata.sorted_tables:
                rows = world.rows.get(table.name)
                if rows:
                    conn.execute(table.insert(), rows)
        db.session.remove()


def fingerprint(app: Flask) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table (volatile sign-in columns and audit
    entries of reads left out)."""
    result = {}
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
                query = sa.select(*columns).order_by(*table.primary_key.columns)
                if table.name == "audit_entries":
                    query = query.where(table.c.action.not_in(READ_ACTIONS))
                rows = [tuple(row) for row in conn.execute(query)]
                digest = hashlib.sha256(repr(rows).encode()).hexdigest()
                result[table.name] = (len(rows), digest)
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


# URL arguments. Each entry gives the values to walk for an argument name, as (label, value);
# "endpoint:argument" overrides the plain name for one endpoint. Converters `any(...)` need no
# entry: every choice is walked.

Values = Callable[[World], list[tuple[str, Any]]]


def _one(label: str, key: str) -> Values:
    return lambda w: [(label, w.ids[key])]


ARGUMENTS: dict[str, Values] = {
    "company_id": _one("another advisor's company", "company"),
    "person_id": _one("a contact of another advisor's company", "person"),
    "interaction_id": lambda w: [
        ("another advisor's interaction", w.interaction),
        ("own interaction", w.own_interaction),
    ],
    "need_id": _one("another advisor's need", "need"),
    "solution_id": _one("a solution of another advisor's need", "solution"),
    "followup_id": _one("a follow-up assigned to and written by another advisor", "followup"),
    "event_id": _one("another cluster's event", "event"),
    "report_id": lambda w: [
        (label, w.ids[f"report {label}"])
        for label in ("draft internal", "draft ministry", "final internal", "final ministry")
    ],
    "user_id": lambda w: [("another advisor's account", w.users["other_advisor"].id)],
    "cluster_id": _one("another cluster", "wood"),
    "category_id": _one("a need category", "category"),
    "instrument_id": _one("an instrument", "instrument"),
    "market_id": _one("a market", "market"),
    "health_check_id": _one("another advisor's health check", "health_check"),
    "check_id": _one("another advisor's health check", "health_check"),
    # The history pages: every kind of record the app keeps a history of.
    "record_type": lambda w: [(f"record_type={slug}", slug) for slug in _history_kinds()],
    "token": lambda w: [("another user's token", w.upload_token)],
    "followups.calendar_feed:token": lambda w: [("a wrong token", "not-a-real-calendar-token")],
    "filename": lambda w: [("a static file", "css/app.css")],
    "bootstrap.static:filename": lambda w: [("a Bootstrap file", "css/bootstrap.min.css")],
}

# Query strings a route needs to find its data (without them it answers 404 by design).
QUERY: dict[str, Callable[[World], dict[str, Any]]] = {
    "followups.new": lambda w: {"company": w.company},
    "interactions.archived": lambda w: {"company": w.company},
}

# The record a history page (/history/<record_type>/<record_id>) shows, by record type.
RECORD_KEYS = {
    "company": "company",
    "person": "person",
    "interaction": "interaction",
    "health-check": "health_check",
    "need": "need",
    "solution": "solution",
    "followup": "followup",
    "event": "event",
    "report": "report draft internal",
    "user": "other_advisor",
    "cluster": "wood",
    "instrument": "instrument",
    "need-category": "category",
    "market": "market",
}


def _history_kinds() -> list[str]:
    from tracker.history.records import KINDS

    return sorted(KINDS)


class UnknownArgument(LookupError):
    pass


@dataclass(frozen=True)
class Case:
    """One request of the walk."""

    endpoint: str
    rule: str
    method: str
    url: str
    labels: tuple[str, ...] = ()

    def __str__(self) -> str:
        what = f" [{'; '.join(self.labels)}]" if self.labels else ""
        return f"{self.method} {self.url} ({self.endpoint}){what}"


def _values_for(
    rule: Rule, name: str, world: World, chosen: dict[str, Any]
) -> list[tuple[str, Any]]:
    converter = rule._converters.get(name)
    if isinstance(converter, AnyConverter):
        return [(f"{name}={item}", item) for item in sorted(converter.items)]
    if name == "record_id" and "record_type" in chosen:
        key = RECORD_KEYS.get(str(chosen["record_type"]))
        if key is None:
            raise UnknownArgument(f"record_id of record_type={chosen['record_type']} (RECORD_KEYS)")
        return [(f"the {chosen['record_type']} of another advisor", world.ids[key])]
    values = ARGUMENTS.get(f"{rule.endpoint}:{name}") or ARGUMENTS.get(name)
    if values is None:
        raise UnknownArgument(name)
    return values(world)


def cases_of(app: Flask, world: World, rules: list[Rule] | None = None) -> Iterator[Case]:
    """Every (route, method, argument values) of the app, with URLs built from `world`.

    Raises UnknownArgument for an argument name nobody taught the walk.
    """
    rules = list(app.url_map.iter_rules()) if rules is None else rules
    for rule in sorted(rules, key=lambda r: (r.endpoint, r.rule)):
        methods = [m for m in METHODS if m in (rule.methods or ())]
        # `any` converters first, so that record_id can depend on record_type.
        names = sorted(rule.arguments, key=lambda n: (n == "record_id", n))
        combos: list[list[tuple[str, str, Any]]] = [[]]
        for name in names:
            grown = []
            for combo in combos:
                chosen = {n: v for n, _label, v in combo}
                for label, value in _values_for(rule, name, world, chosen):
                    grown.append([*combo, (name, label, value)])
            combos = grown
        query = QUERY.get(rule.endpoint, lambda w: {})(world)
        for combo in combos:
            values = {name: value for name, _label, value in combo}
            built = rule.build({**(rule.defaults or {}), **values, **query}, append_unknown=True)
            assert built is not None, f"cannot build {rule.rule} from {values}"
            url = built[1]
            labels = tuple(label for _name, label, _value in combo)
            for method in methods:
                yield Case(rule.endpoint, rule.rule, method, url, labels)


def all_cases(app: Flask, world: World, rules: list[Rule] | None = None) -> list[Case]:
    """cases_of, or a failure that tells the developer which argument to add to ARGUMENTS."""
    try:
        return list(cases_of(app, world, rules))
    except UnknownArgument as unknown:
        raise AssertionError(
            f"The route walk does not know how to fill the URL argument {unknown.args[0]!r}: "
            "add it to ARGUMENTS in tests/walk.py (a function of the World giving "
            "(label, value) pairs)."
        ) from None


# Signing in and reading pages.


def sign_in(client: FlaskClient, world: World, role: str) -> None:
    response = client.post(
        "/login", data={"email": world.users[role].email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302, f"{role} could not sign in"


def redirects_to_login(response: Any) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.headers.get("Location", "")).path == "/login"


# Forms of a page.


# Free-text fields that take any words: names, titles, descriptions, notes.
TOUCHABLE = re.compile(r"(^|[-_])(name|title|summary|description|notes?|comment|outcome)$")


@dataclass
class FormField:
    tag: str  # input, select, textarea, button
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False
    has_value: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.fields:
            if f.type not in ("submit", "button", "reset", "image", "file"):
                seen.setdefault(f.name)
        return list(seen)

    def defaults(self) -> dict[str, list[str]]:
        """What a browser sends when the form is submitted as shown (first submit button)."""
        data: dict[str, list[str]] = {}
        submitted = False
        for f in self.fields:
            if f.type in ("checkbox", "radio"):
                if f.checked:
                    data.setdefault(f.name, []).append(f.value if f.has_value else "on")
            elif f.type in ("submit", "image"):
                if not submitted and f.name:
                    data.setdefault(f.name, []).append(f.value)
                submitted = True
            elif f.type in ("button", "reset", "file"):
                continue
            elif f.tag == "select":
                chosen = f.selected or f.options[:1]
                if chosen:
                    data.setdefault(f.name, []).extend(chosen if f.multiple else chosen[:1])
            else:
                data.setdefault(f.name, []).append(f.value)
        return data

    def changing(self) -> dict[str, list[str]]:
        """The defaults with every free-text field touched, so that a save really changes
        the record (and a refused one would show)."""
        data = self.defaults()
        for f in self.fields:
            free_text = f.tag == "textarea" or (f.tag == "input" and f.type == "text")
            if free_text and TOUCHABLE.search(f.name) and f.name in data:
                data[f.name] = [
                    value + " (walked)" if value else "Walked" for value in data[f.name]
                ]
        return data

    def choices(self, name: str) -> list[str]:
        """The values a browser could send for `name` (options, checkbox and radio values)."""
        values = []
        for f in self.fields:
            if f.name != name:
                continue
            if f.tag == "select":
                values += f.options
            elif f.type in ("checkbox", "radio"):
                values.append(f.value if f.has_value else "on")
        return values


class FormParser(HTMLParser):
    """The <form method=post> of a page with their named fields."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._in_option = False
        self._option: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: FormField | None = None
        self._forms_by_id: dict[str, Form] = {}
        self._orphans: list[tuple[str, FormField]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
            if a.get("id"):
                self._forms_by_id[a["id"]] = self._form
            return
        if tag not in ("input", "select", "textarea", "button", "option"):
            return
        if tag == "option":
            if self._select is not None:
                self._close_option()
                self._in_option = True
                self._option = dict(attrs).get("value")
                self._option_text = ""
                self._option_selected = "selected" in a
            return
        name = a.get("name")
        if not name:
            return
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        item = FormField(
            tag=tag,
            name=name,
            type=kind if tag in ("input", "button") else tag,
            value=a.get("value", ""),
            checked="checked" in a,
            multiple="multiple" in a,
            has_value="value" in a,
        )
        owner = a.get("form")
        if owner:
            self._orphans.append((owner, item))
        elif self._form is not None:
            self._form.fields.append(item)
        if tag == "select":
            self._select = item
        elif tag == "textarea":
            self._textarea = item

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._in_option:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea":
            if self._textarea is not None:
                # A browser drops the newline that follows <textarea>.
                value = self._textarea.value
                self._textarea.value = (
                    value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
                )
            self._textarea = None

    def _close_option(self) -> None:
        if self._select is not None and self._in_option:
            value = self._option if self._option is not None else self._option_text.strip()
            self._select.options.append(value)
            if self._option_selected:
                self._select.selected.append(value)
        self._in_option = False
        self._option = None

    def close(self) -> None:
        super().close()
        for owner, item in self._orphans:
            if owner in self._forms_by_id:
                self._forms_by_id[owner].fields.append(item)


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    return [f for f in parser.forms if f.method == "post"]


def form_path(action: str) -> str:
    return urlsplit(action).path
