"""Writes on users and clusters, shared by the admin pages and the command line."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker import audit
from tracker.auth.passwords import hash_password, password_problem
from tracker.extensions import db
from tracker.models import Cluster, Role, User

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
USER_FIELDS = ["email", "name", "role", "active", "clusters"]
CLUSTER_FIELDS = ["slug", "name", "description"]


class ValidationError(ValueError):
    """A business rule refused the change; the message is meant for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def clusters_by_slug(slugs: Iterable[str]) -> list[Cluster]:
    """The clusters with these slugs (case-insensitive); unknown slugs are an error."""
    wanted = {s.strip().lower() for s in slugs if s.strip()}
    if not wanted:
        return []
    found = db.session.execute(db.select(Cluster).where(Cluster.slug.in_(wanted))).scalars().all()
    missing = wanted - {c.slug for c in found}
    if missing:
        raise ValidationError(f"Unknown cluster: {', '.join(sorted(missing))}.")
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
        raise ValidationError(f"A user with the e-mail {email} already exists.", "email")
    problem = password_problem(password)
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
    audit.record(actor, "create", user, audit.diff({}, audit.snapshot(user, USER_FIELDS)))
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
) -> User:
    email = email.strip().lower()
    if _email_taken(email, exclude_id=user.id):
        raise ValidationError(f"A user with the e-mail {email} already exists.", "email")
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise ValidationError("You cannot remove your own admin role or deactivate yourself.")
    before = audit.snapshot(user, USER_FIELDS)
    was_active = user.active
    user.email, user.name, user.role, user.active = email, name.strip(), Role(role), active
    user.clusters = list(clusters)
    if was_active and not active:
        user.rotate_session_token()
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        audit.record(actor, "update", user, changes)
    return user


def set_user_active(user: User, active: bool, *, actor: User) -> User:
    """Activate or deactivate; deactivation ends the user's open sessions at once."""
    if user.id == actor.id and not active:
        raise ValidationError("You cannot deactivate yourself.")
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
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, "password")
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    audit.record(actor, "reset_password", user, {"password": ["***", "***"]})
    return user


def create_cluster(
    *, slug: str, name: str, description: str = "", actor: User | None = None
) -> Cluster:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationError(
            "A slug is lower-case letters and digits separated by hyphens, "
            "like materials-manufacturing.",
            "slug",
        )
    if db.session.execute(db.select(Cluster.id).where(Cluster.slug == slug)).first():
        raise ValidationError(f"A cluster with the slug {slug} already exists.", "slug")
    if db.session.execute(db.select(Cluster.id).where(Cluster.name == name.strip())).first():
        raise ValidationError(f"A cluster named {name.strip()} already exists.", "name")
    cluster = Cluster(slug=slug, name=name.strip(), description=description.strip())
    db.session.add(cluster)
    audit.record(actor, "create", cluster, audit.diff({}, audit.snapshot(cluster, CLUSTER_FIELDS)))
    return cluster


def update_cluster(cluster: Cluster, *, name: str, description: str, actor: User) -> Cluster:
    """Rename or describe a cluster; its slug never changes."""
    name = name.strip()
    clash = db.session.execute(
        db.select(Cluster.id).where(Cluster.name == name, Cluster.id != cluster.id)
    ).first()
    if clash:
        raise ValidationError(f"A cluster named {name} already exists.", "name")
    before = audit.snapshot(cluster, CLUSTER_FIELDS)
    cluster.name, cluster.description = name, description.strip()
    changes = audit.diff(before, audit.snapshot(cluster, CLUSTER_FIELDS))
    if changes:
        audit.record(actor, "update", cluster, changes)
    return cluster
