"""Writes on users, clusters and the catalogues, shared by the admin pages and the command line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.auth.passwords import hash_password, password_problem
from tracker.common.errors import ValidationError
from tracker.common.versions import UNCHECKED, check_version, touch
from tracker.extensions import db
from tracker.models import Cluster, Instrument, InstrumentKind, Market, NeedCategory, Role, User

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
USER_FIELDS = ["email", "name", "role", "active", "clusters"]
CLUSTER_FIELDS = ["slug", "name", "description"]
NEED_CATEGORY_FIELDS = ["slug", "name", "position", "active"]
INSTRUMENT_FIELDS = ["name", "provider", "kind", "description", "active_from", "active_to"]
MARKET_FIELDS = ["slug", "name", "active"]
# What the audit trail says of a password: never its hash.
PASSWORD_SET, PASSWORD_CHANGED, PASSWORD_HIDDEN = "(set)", "(changed)", "(hidden)"
# A catalogue entry whose name another one already has (names compared without case/accents).
CATEGORY_TAKEN = _l("A need category named %(name)s already exists.")
INSTRUMENT_TAKEN = _l("An instrument named %(name)s already exists.")
MARKET_TAKEN = _l("A market named %(name)s already exists.")


def _checked_slug(slug: str, *, example: str) -> str:
    """The slug, lower-cased; refused unless it is lower-case words joined by hyphens."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationError(
            _(
                "A slug is lower-case letters and digits separated by hyphens, like %(example)s.",
                example=example,
            ),
            "slug",
        )
    return slug


def clusters_by_slug(slugs: Iterable[str]) -> list[Cluster]:
    """The clusters with these slugs (case-insensitive); unknown slugs are an error."""
    wanted = {s.strip().lower() for s in slugs if s.strip()}
    if not wanted:
        return []
    found = db.session.execute(db.select(Cluster).where(Cluster.slug.in_(wanted))).scalars().all()
    missing = wanted - {c.slug for c in found}
    if missing:
        raise ValidationError(_("Unknown cluster: %(slugs)s.", slugs=", ".join(sorted(missing))))
    return list(found)


def _email_taken(email: str, exclude_id: int | None = None) -> bool:
    query = db.select(User.id).where(User.email == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.execute(query).first() is not None


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    clusters: Iterable[Cluster] = (),
    actor: User | None = None,
) -> User:
    email = email.strip().lower()
    if _email_taken(email):
        raise ValidationError(
            _("A user with the e-mail %(email)s already exists.", email=email), "email"
        )
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ValidationError(problem, "password")
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        password_hash=hash_password(password),
        clusters=list(clusters),
    )
    db.session.add(user)
    changes = audit.diff({}, audit.snapshot(user, USER_FIELDS))
    # Never the hash: a marker says that a password was set.
    changes["password"] = [None, PASSWORD_SET]
    audit.record(actor, "create", user, changes)
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    role: Role,
    active: bool,
    clusters: Iterable[Cluster],
    actor: User,
    version: Any = UNCHECKED,
) -> User:
    """Change a user's e-mail, name, role, clusters, active flag; refused if saved meanwhile.

    Signing in also changes the user's row (not audited): only audited changes are a conflict.
    """
    check_version(user, version, _("user"), unaudited_ok=True)
    email = email.strip().lower()
    if _email_taken(email, exclude_id=user.id):
        raise ValidationError(
            _("A user with the e-mail %(email)s already exists.", email=email), "email"
        )
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise ValidationError(_("You cannot remove your own admin role or deactivate yourself."))
    before = audit.snapshot(user, USER_FIELDS)
    was_active = user.active
    user.email, user.name, user.role, user.active = email, name.strip(), Role(role), active
    user.clusters = list(clusters)
    if was_active and not active:
        user.rotate_session_token()
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        touch(user)  # the clusters live in another table
        audit.record(actor, "update", user, changes)
    return user


def set_user_active(user: User, active: bool, *, actor: User) -> User:
    """Activate or deactivate; deactivation ends the user's open sessions at once."""
    if user.id == actor.id and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    if user.active != active:
        user.active = active
        if not active:
            user.rotate_session_token()
        audit.record(
            actor, "activate" if active else "deactivate", user, {"active": [not active, active]}
        )
    return user


def reset_password(user: User, password: str, *, actor: User | None) -> User:
    """Set a new password and end every session opened with the old one."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise ValidationError(problem, "password")
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    # Neither hash nor session token: markers say what happened.
    audit.record(actor, "reset_password", user, {"password": [PASSWORD_HIDDEN, PASSWORD_CHANGED]})
    return user


def create_cluster(
    *, slug: str, name: str, description: str = "", actor: User | None = None
) -> Cluster:
    slug = _checked_slug(slug, example="materials-manufacturing")
    if db.session.execute(db.select(Cluster.id).where(Cluster.slug == slug)).first():
        raise ValidationError(
            _("A cluster with the slug %(slug)s already exists.", slug=slug), "slug"
        )
    if db.session.execute(db.select(Cluster.id).where(Cluster.name == name.strip())).first():
        raise ValidationError(
            _("A cluster named %(name)s already exists.", name=name.strip()), "name"
        )
    cluster = Cluster(slug=slug, name=name.strip(), description=description.strip())
    db.session.add(cluster)
    audit.record(actor, "create", cluster, audit.diff({}, audit.snapshot(cluster, CLUSTER_FIELDS)))
    return cluster


def update_cluster(
    cluster: Cluster, *, name: str, description: str, actor: User, version: Any = UNCHECKED
) -> Cluster:
    """Rename or describe a cluster; its slug never changes."""
    check_version(cluster, version, _("cluster"))
    name = name.strip()
    clash = db.session.execute(
        db.select(Cluster.id).where(Cluster.name == name, Cluster.id != cluster.id)
    ).first()
    if clash:
        raise ValidationError(_("A cluster named %(name)s already exists.", name=name), "name")
    before = audit.snapshot(cluster, CLUSTER_FIELDS)
    cluster.name, cluster.description = name, description.strip()
    changes = audit.diff(before, audit.snapshot(cluster, CLUSTER_FIELDS))
    if changes:
        audit.record(actor, "update", cluster, changes)
    return cluster


# The catalogues: need categories, instruments and markets. Entries are never deleted, because
# needs, solutions and companies refer to them; categories and markets are retired instead.


def catalogue_name_key(name: str) -> str:
    """A name as compared for uniqueness: case-insensitive, runs of spaces count as one."""
    return " ".join(name.casefold().split())


def instrument_name_key(name: str) -> str:
    """An instrument name as matched by the admin pages and imports: without case or accents.

    "Neistart Lëtzebuerg" and "NEISTART  Letzebuerg" have the same key.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return catalogue_name_key(bare)


def _check_name_free(
    model: type[NeedCategory | Instrument | Market],
    name: str,
    *,
    exclude_id: int | None,
    taken: LazyString,
    key: Callable[[str], str] = catalogue_name_key,
) -> None:
    """Refuse `name` when another entry's name has the same `key`; `taken` names the clash.

    Compared in Python because neither database strips accents portably and SQLite's lower()
    only knows ASCII; a catalogue holds tens of rows.
    """
    wanted = key(name)
    rows = db.session.execute(db.select(model.id, model.name)).all()
    clash = next((r.name for r in rows if r.id != exclude_id and key(r.name) == wanted), None)
    if clash is not None:
        raise ValidationError(str(taken) % {"name": clash}, "name")


def _slug_taken(model: type[NeedCategory | Market], slug: str) -> bool:
    return db.session.execute(db.select(model.id).where(model.slug == slug)).first() is not None


def set_catalogue_active(
    entry: NeedCategory | Market, active: bool, *, actor: User
) -> NeedCategory | Market:
    """Retire a need category or market (no longer offered for new records) or bring it back.

    Records that already carry it keep it.
    """
    if entry.active != active:
        entry.active = active
        audit.record(
            actor, "reactivate" if active else "retire", entry, {"active": [not active, active]}
        )
    return entry


def create_need_category(
    *, slug: str, name: str, position: int | None = None, actor: User | None = None
) -> NeedCategory:
    """Add a category to the taxonomy; without a position it goes after the last one."""
    slug = _checked_slug(slug, example="rdi-funding")
    if _slug_taken(NeedCategory, slug):
        raise ValidationError(
            _("A need category with the slug %(slug)s already exists.", slug=slug), "slug"
        )
    name = name.strip()
    _check_name_free(NeedCategory, name, exclude_id=None, taken=CATEGORY_TAKEN)
    if position is None:
        last = db.session.scalar(db.select(db.func.max(NeedCategory.position)))
        position = 0 if last is None else last + 1
    category = NeedCategory(slug=slug, name=name, position=position, active=True)
    db.session.add(category)
    audit.record(
        actor, "create", category, audit.diff({}, audit.snapshot(category, NEED_CATEGORY_FIELDS))
    )
    return category


def update_need_category(
    category: NeedCategory,
    *,
    name: str,
    position: int,
    active: bool,
    actor: User,
    version: Any = UNCHECKED,
) -> NeedCategory:
    """Rename, reorder, retire or reactivate a category; its slug never changes."""
    check_version(category, version, _("need category"))
    name = name.strip()
    _check_name_free(NeedCategory, name, exclude_id=category.id, taken=CATEGORY_TAKEN)
    before = audit.snapshot(category, NEED_CATEGORY_FIELDS)
    category.name, category.position, category.active = name, position, active
    changes = audit.diff(before, audit.snapshot(category, NEED_CATEGORY_FIELDS))
    if changes:
        audit.record(actor, "update", category, changes)
    return category


def _checked_period(active_from: date | None, active_to: date | None) -> None:
    if active_from and active_to and active_to < active_from:
        raise ValidationError(_("The end date cannot be before the start date."), "active_to")


def create_instrument(
    *,
    name: str,
    kind: InstrumentKind,
    provider: str = "",
    description: str = "",
    active_from: date | None = None,
    active_to: date | None = None,
    actor: User | None = None,
) -> Instrument:
    """Add an instrument; its name must differ from the others by more than case and accents."""
    name = name.strip()
    _check_name_free(
        Instrument, name, exclude_id=None, taken=INSTRUMENT_TAKEN, key=instrument_name_key
    )
    _checked_period(active_from, active_to)
    instrument = Instrument(
        name=name,
        kind=InstrumentKind(kind),
        provider=provider.strip(),
        description=description.strip(),
        active_from=active_from,
        active_to=active_to,
    )
    db.session.add(instrument)
    audit.record(
        actor, "create", instrument, audit.diff({}, audit.snapshot(instrument, INSTRUMENT_FIELDS))
    )
    return instrument


def update_instrument(
    instrument: Instrument,
    *,
    name: str,
    kind: InstrumentKind,
    provider: str,
    description: str,
    active_from: date | None,
    active_to: date | None,
    actor: User,
    version: Any = UNCHECKED,
) -> Instrument:
    """Change an instrument of the catalogue; refused when someone else saved it meanwhile."""
    check_version(instrument, version, _("instrument"))
    name = name.strip()
    _check_name_free(
        Instrument, name, exclude_id=instrument.id, taken=INSTRUMENT_TAKEN, key=instrument_name_key
    )
    _checked_period(active_from, active_to)
    before = audit.snapshot(instrument, INSTRUMENT_FIELDS)
    instrument.name, instrument.kind = name, InstrumentKind(kind)
    instrument.provider, instrument.description = provider.strip(), description.strip()
    instrument.active_from, instrument.active_to = active_from, active_to
    changes = audit.diff(before, audit.snapshot(instrument, INSTRUMENT_FIELDS))
    if changes:
        audit.record(actor, "update", instrument, changes)
    return instrument


def create_market(*, slug: str, name: str, actor: User | None = None) -> Market:
    slug = _checked_slug(slug, example="consumer-goods")
    if _slug_taken(Market, slug):
        raise ValidationError(
            _("A market with the slug %(slug)s already exists.", slug=slug), "slug"
        )
    name = name.strip()
    _check_name_free(Market, name, exclude_id=None, taken=MARKET_TAKEN)
    market = Market(slug=slug, name=name, active=True)
    db.session.add(market)
    audit.record(actor, "create", market, audit.diff({}, audit.snapshot(market, MARKET_FIELDS)))
    return market


def update_market(
    market: Market, *, name: str, active: bool, actor: User, version: Any = UNCHECKED
) -> Market:
    """Rename, retire or reactivate a market; its slug never changes."""
    check_version(market, version, _("market"))
    name = name.strip()
    _check_name_free(Market, name, exclude_id=market.id, taken=MARKET_TAKEN)
    before = audit.snapshot(market, MARKET_FIELDS)
    market.name, market.active = name, active
    changes = audit.diff(before, audit.snapshot(market, MARKET_FIELDS))
    if changes:
        audit.record(actor, "update", market, changes)
    return market
