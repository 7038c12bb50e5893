"""The period and the scope a pipeline view is read for, parsed from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.models import User
from tracker.pipeline.queries import Scope, ScopeOptions

# key -> label; the period each one means is in preset_period.
PRESETS = {
    "this-month": _l("This month"),
    "last-month": _l("Last month"),
    "last-3-months": _l("Last 3 months"),
    "this-year": _l("This year"),
}
DEFAULT_PRESET = "this-month"


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def preset_period(preset: str, today: date) -> tuple[date, date]:
    """The first and last day a preset means: this month and this year run to today; the last
    3 months are this month and the two before it, to today."""
    if preset == "last-month":
        return _month_start(today, 1), _month_start(today) - timedelta(days=1)
    if preset == "last-3-months":
        return _month_start(today, 2), today
    if preset == "this-year":
        return date(today.year, 1, 1), today
    return _month_start(today), today


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    preset: str = ""  # the preset these dates are, if any

    def as_of(self, today: date) -> date:
        """The day snapshots are read at: the period's last day, or today if that is later."""
        return min(self.last, today)


class NotYourPart(Exception):
    """An advisor asked for another advisor's part of the pipeline."""


@dataclass(frozen=True)
class PipelineFilters:
    """What the pipeline is narrowed to; values that make no sense are left out, and the period
    falls back to this month with a message."""

    period: Period
    cluster: str = ""  # a cluster slug
    advisor: int | None = None  # a user id; an advisor's own id, always, for advisors
    instrument: int | None = None
    category: str = ""  # a need category slug
    scope: Scope = field(default_factory=Scope)
    own_part_only: bool = False  # an advisor: the advisor filter is fixed
    problems: tuple[str, ...] = ()

    @classmethod
    def from_args(
        cls, args: Mapping[str, str], options: ScopeOptions, user: User, today: date
    ) -> PipelineFilters:
        """Read the query string for `user`; NotYourPart when an advisor asks for another's."""
        period, problems = _period(args, today)
        clusters = {c.slug: c.id for c in options.clusters}
        categories = {c.slug: c.id for c in options.categories}
        instruments = {i.id for i in options.instruments}
        advisors = {u.id for u in options.advisors}

        cluster = (args.get("cluster") or "").strip().lower()
        cluster = cluster if cluster in clusters else ""
        category = (args.get("category") or "").strip().lower()
        category = category if category in categories else ""
        instrument = _int(args.get("instrument"))
        instrument = instrument if instrument in instruments else None
        advisor = _int(args.get("advisor"))
        own_part_only = not user.can_manage
        if own_part_only:
            if advisor is not None and advisor != user.id:
                raise NotYourPart
            advisor = user.id
        elif advisor not in advisors:
            advisor = None
        return cls(
            period=period,
            cluster=cluster,
            advisor=advisor,
            instrument=instrument,
            category=category,
            scope=Scope(
                cluster_id=clusters.get(cluster),
                advisor_id=advisor,
                instrument_id=instrument,
                category_id=categories.get(category),
            ),
            own_part_only=own_part_only,
            problems=tuple(problems),
        )

    @property
    def narrowed(self) -> bool:
        """True when a scope filter the user chose is set."""
        chosen_advisor = self.advisor is not None and not self.own_part_only
        return bool(self.cluster or self.instrument or self.category or chosen_advisor)

    def args(self, **changes: Any) -> dict[str, str]:
        """The query-string arguments that reproduce these filters, with `changes` applied
        (a value of None or "" removes the argument)."""
        values: dict[str, Any] = {}
        if self.period.preset:
            if self.period.preset != DEFAULT_PRESET:
                values["preset"] = self.period.preset
        else:
            values["from"] = self.period.first.isoformat()
            values["to"] = self.period.last.isoformat()
        values.update(
            cluster=self.cluster,
            advisor=None if self.own_part_only else self.advisor,
            instrument=self.instrument,
            category=self.category,
        )
        if "preset" in changes:  # a preset replaces the dates
            values.pop("from", None)
            values.pop("to", None)
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _period(args: Mapping[str, str], today: date) -> tuple[Period, list[str]]:
    """Dates given win over a preset; a preset's dates show it as chosen."""
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if raw_from or raw_to:
        problems = []
        try:
            first = date.fromisoformat(raw_from) if raw_from else None
            last = date.fromisoformat(raw_to) if raw_to else today
        except ValueError:
            problems.append(str(_l("Dates must look like 2026-03-31; showing this month.")))
        else:
            first = first or date(last.year, last.month, 1)
            if first > last:
                problems.append(
                    str(_l("The period ends before it starts; showing this month instead."))
                )
            elif first.year < 1900 or last.year > 9000:
                problems.append(str(_l("That period is out of range; showing this month.")))
            else:
                preset = next(
                    (key for key in PRESETS if preset_period(key, today) == (first, last)), ""
                )
                return Period(first, last, preset), problems
        return Period(*preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET), problems
    preset = (args.get("preset") or "").strip()
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    return Period(*preset_period(preset, today), preset), []
