"""Small factories for test data; they flush through the services, the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.admin import services
from tracker.extensions import db
from tracker.models import Cluster, Role

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    role: str


def make_cluster(slug: str = "wood", name: str | None = None) -> Cluster:
    return services.create_cluster(slug=slug, name=name or slug.replace("-", " ").title())


def make_user(
    *,
    role: str = "advisor",
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    clusters: list[Cluster] | None = None,
) -> UserInfo:
    email = email or f"{role}@example.lu"
    user = services.create_user(
        email=email,
        name=name or f"{role.title()} Tester",
        role=Role(role),
        password=password,
        clusters=clusters or [],
    )
    db.session.flush()
    return UserInfo(id=user.id, email=user.email, name=user.name, role=role)
