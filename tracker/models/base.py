"""Shared column helpers and enumerations used across the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, Self

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
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
    """A string enumeration whose members carry a label in every language.

    Members are declared `NAME = "value", _l("Label")`: the value is what the database, the
    import files and the URLs hold; the label, written out so that `pybabel extract` finds it,
    is what people read. A member without a label is an error at import.
    """

    _lazy_label: LazyString

    def __new__(cls, value: str, label: LazyString) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._lazy_label = label
        return member

    @property
    def label(self) -> str:
        """The label in the current language (English outside a request)."""
        return str(self._lazy_label)

    @property
    def lazy_label(self) -> LazyString:
        """The label, translated only when shown: for what is built once, at import."""
        return self._lazy_label

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as form choices, in declaration order, labelled in the page's language."""
        return [SelectChoice(value=m.value, label=m.lazy_label) for m in cls]


class Trend(LabelledEnum):
    UP = "up", _l("Up")
    STABLE = "stable", _l("Stable")
    DOWN = "down", _l("Down")


class Liquidity(LabelledEnum):
    GOOD = "good", _l("Good")
    ADEQUATE = "adequate", _l("Adequate")
    TIGHT = "tight", _l("Tight")
    CRITICAL = "critical", _l("Critical")


class RiskLevel(LabelledEnum):
    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")
    CRITICAL = "critical", _l("Critical")

    @property
    def rank(self) -> int:
        """0 (low) to 3 (critical): read per day of a company's risk chart, so looked up."""
        return _RISK_RANKS[self]


_RISK_RANKS = {level: n for n, level in enumerate(RiskLevel)}


class RiskReason(LabelledEnum):
    CLOSURE = "closure", _l("Closure")
    RELOCATION = "relocation", _l("Relocation")
    DOWNSIZING = "downsizing", _l("Downsizing")
    KEY_CUSTOMER_LOSS = "key_customer_loss", _l("Loss of key customer")
