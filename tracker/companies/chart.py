"""The risk-level chart of the company page: a small inline SVG drawn on the server.

No script and no style attribute (the CSP forbids both): SVG presentation attributes only.
Every piece of text goes through markupsafe's escape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.i18n import format_day
from tracker.models import RiskLevel

WIDTH, HEIGHT = 640, 150
LEFT, RIGHT, TOP, BOTTOM = 70, 14, 12, 26
RISK_COLOURS = {
    RiskLevel.LOW: "#2b7a3d",
    RiskLevel.MEDIUM: "#9a6700",
    RiskLevel.HIGH: "#c2410c",
    RiskLevel.CRITICAL: "#a61e14",
}
LINE_COLOUR = "#0b6e69"
GRID_COLOUR = "#e3e6ea"
TEXT_COLOUR = "#5c636a"


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span


def _y(level: RiskLevel) -> float:
    lanes = len(RiskLevel) - 1
    return TOP + (HEIGHT - TOP - BOTTOM) * (lanes - level.rank) / lanes


def _quarters(start: date, end: date) -> list[date]:
    """The first day of each quarter between `start` and `end`."""
    month = ((start.month - 1) // 3 + 1) * 3 + 1
    year = start.year
    if start.month in (1, 4, 7, 10) and start.day == 1:
        month = start.month
    ticks = []
    while True:
        if month > 12:
            month, year = month - 12, year + 1
        tick = date(year, month, 1)
        if tick > end:
            return ticks
        ticks.append(tick)
        month += 3


@dataclass(frozen=True)
class RiskHistory:
    """The risk levels assessed at a company's health checks, as far as the chart needs them."""

    checks: int  # how many checks assessed a risk level
    first: tuple[date, RiskLevel] | None  # the first of them
    last: tuple[date, RiskLevel] | None  # and the last
    days: list[tuple[date, RiskLevel]]  # the worst level of each day with a check, by date

    @classmethod
    def of(cls, points: Iterable[tuple[date, RiskLevel]]) -> RiskHistory:
        """From every check's (date, level), in the order they were taken."""
        points = list(points)
        days: dict[date, RiskLevel] = {}
        for on, level in points:
            seen = days.get(on)
            days[on] = level if seen is None or level.rank > seen.rank else seen
        return cls(
            checks=len(points),
            first=points[0] if points else None,
            last=points[-1] if points else None,
            days=sorted(days.items()),
        )


def describe(history: RiskHistory, start: date) -> str:
    """The chart in one sentence, for people who cannot see it."""
    if history.first is None or history.last is None:
        return _("No risk level assessed since %(day)s.", day=format_day(start))
    first_on, first = history.first
    last_on, last = history.last
    worst = max((level for _on, level in history.days), key=lambda level: level.rank)
    return _(
        "Risk level at %(n)d health checks since %(start)s: %(first)s on %(first_on)s, "
        "%(last)s on %(last_on)s, at worst %(worst)s.",
        n=history.checks,
        start=format_day(start),
        first=first.label.lower(),
        first_on=format_day(first_on),
        last=last.label.lower(),
        last_on=format_day(last_on),
        worst=worst.label.lower(),
    )


def weekly(points: list[tuple[date, RiskLevel]]) -> list[tuple[date, RiskLevel]]:
    """One point per week: the worst level assessed that week, on its last check's date.

    Keeps the chart readable and its size bounded (about 105 points over two years) for a
    company checked many times a week, and changes nothing for the usual monthly check.
    """
    weeks: dict[date, tuple[date, RiskLevel]] = {}
    for on, level in points:
        monday = on - timedelta(days=on.weekday())
        seen = weeks.get(monday)
        if seen is None:
            weeks[monday] = (on, level)
        else:
            worst = level if level.rank > seen[1].rank else seen[1]
            weeks[monday] = (max(on, seen[0]), worst)
    return [weeks[monday] for monday in sorted(weeks)]


def risk_chart(history: RiskHistory, *, start: date, end: date) -> Markup:
    """A step line of the risk level, week by week, between `start` and `end`."""
    summary = describe(history, start)
    points = weekly(history.days)
    title = _("Risk level over time")  # outside the f-string: extraction reads calls only
    parts = [
        f'<svg class="risk-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(summary)}</desc>",
    ]
    # Lanes, one per risk level, labelled on the left.
    for level in RiskLevel:
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{TEXT_COLOUR}">{escape(level.label)}</text>'
        )
    # Quarter ticks along the bottom.
    for tick in _quarters(start, end):
        x = _x(tick, start, end)
        label = format_date(tick, "MMM y" if tick.month == 1 else "MMM")
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM + 4}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
    if points:
        # The level holds from one check to the next: a step line, ending at the last check.
        xy = [(_x(on, start, end), _y(level)) for on, level in points]
        path = [f"M{xy[0][0]:.1f},{xy[0][1]:.1f}"]
        for x, y in xy[1:]:
            path.append(f"H{x:.1f}V{y:.1f}")
        parts.append(
            f'<path d="{"".join(path)}" fill="none" stroke="{LINE_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
        for (on, level), (x, y) in zip(points, xy, strict=True):
            tip = f"{format_day(on)}: {level.label}"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{RISK_COLOURS[level]}" '
                f'stroke="#fff" stroke-width="1.5"><title>{escape(tip)}</title></circle>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every interpolated text is escaped above
