"""Shared column helpers and enumerations used across the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from wtforms.fields.choices import SelectChoice


def utcnow() -> datetime:
    """The current instant, timezone-aware; the default of every timestamp column."""
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable enum column: stored as its string value, not the member name."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Versioned:
    """A version number that every UPDATE of the row increments.

    SQLAlchemy adds `WHERE version = <the version loaded>` to each UPDATE and raises
    `StaleDataError` when another transaction saved first; forms carry the version they were
    opened with so that services refuse a save based on an older one (tracker.common.versions).
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class LabelledEnum(enum.StrEnum):
    """A string enumeration whose members carry a human label."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as form choices, in declaration order."""
        return [SelectChoice(value=m.value, label=m.label) for m in cls]


class Trend(LabelledEnum):
    UP = "up"
    STABLE = "stable"
    DOWN = "down"


class Liquidity(LabelledEnum):
    GOOD = "good"
    ADEQUATE = "adequate"
    TIGHT = "tight"
    CRITICAL = "critical"


class RiskLevel(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class RiskReason(LabelledEnum):
    CLOSURE = "closure"
    RELOCATION = "relocation"
    DOWNSIZING = "downsizing"
    KEY_CUSTOMER_LOSS = "key_customer_loss"

    @property
    def label(self) -> str:
        return "Loss of key customer" if self is RiskReason.KEY_CUSTOMER_LOSS else super().label
