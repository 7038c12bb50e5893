"""What a report shows, worked out from its plain data: labels, formatted numbers, changes against
the previous month, the ministry edition's small-cell suppression, and the charts.

The PDF template and the HTML preview both print this, so they always agree. Nothing here reads
the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from tracker.reports import charts

# The ministry edition does not print counts of fewer companies or records than this.
SMALL = 3
SMALL_TEXT = "< 3"
WITHHELD_TEXT = "n.p."
NA_TEXT = "n/a"
MINUS = "\u2212"

RISK_LEVELS = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
LIQUIDITY = {"good": "Good", "adequate": "Adequate", "tight": "Tight", "critical": "Critical"}
INTERACTION_TYPES = {
    "call": "Calls",
    "visit": "Site visits",
    "meeting": "Meetings",
    "email": "E-mail exchanges",
    "event": "Event participations",
}
BALANCES = {
    "turnover": "Turnover",
    "orders": "Order book",
    "employment": "Employment",
    "outlook": "Outlook (next 3 months)",
}
RISK_CHANGE = {"worsened": "Worsened", "improved": "Improved", "unchanged": "Unchanged"}
SOLUTION_STATUSES = {
    "suggested": "Suggested",
    "in_preparation": "In preparation",
    "submitted": "Submitted",
    "granted": "Granted",
    "rejected": "Rejected",
    "dropped": "Dropped",
}
HIDDEN_SEGMENTS_NOTE = (
    "Counts that table {table} does not print (< 3, n.p.) are drawn together as one hatched "
    "segment, “not broken down”, when they add up to 3 or more, and left out otherwise."
)
EDITIONS = {
    "ministry": "Ministry edition",
    "internal": "Internal edition",
}


@dataclass(frozen=True)
class Cell:
    """One printed number: its text, the value a chart may draw (None when not shown), a flag."""

    text: str
    value: float | None = None
    flag: str = ""  # "small" (< 3), "withheld" (n.p.) or "" (printed as is)

    @property
    def shown(self) -> bool:
        return self.value is not None


SMALL_CELL = Cell(SMALL_TEXT, None, "small")
WITHHELD_CELL = Cell(WITHHELD_TEXT, None, "withheld")
NA_CELL = Cell(NA_TEXT)


def round_half_away(value: float, places: int = 1) -> float:
    """Round half away from zero, as DESIGN.md section 5 asks (-12.25 -> -12.3)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


class Formatter:
    """Numbers in the report's locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def count(self, value: float) -> str:
        return format_decimal(value, "#,##0", locale=self.locale)

    def pct(self, value: float) -> str:
        return format_decimal(value, "#,##0.0", locale=self.locale) + "%"

    def balance(self, value: float) -> str:
        return self.signed(value, "#,##0.0")

    def eur(self, value: float) -> str:
        return "€" + format_decimal(round_half_away(value, 0), "#,##0", locale=self.locale)

    def signed(self, value: float, pattern: str = "#,##0") -> str:
        text = format_decimal(abs(value), pattern, locale=self.locale)
        if value > 0:
            return "+" + text
        if value < 0:
            return MINUS + text
        return text

    def cell(self, value: float | None, kind: str = "count") -> Cell:
        if value is None:
            return NA_CELL
        return Cell(getattr(self, kind)(value), value)


def protect(counts: Mapping[str, int], fmt: Formatter, *, ministry: bool) -> dict[str, Cell]:
    """The cells of one breakdown, with the ministry edition's small cells suppressed.

    A cell of 1 or 2 is printed "< 3". When the breakdown's total is below 3, every cell is
    (zeros too: they are below 3 as well). When exactly one cell is "< 3", it could be worked out
    from the total, so a second cell is hidden with it: a zero (also printed "< 3", which is true)
    or else the smallest other cell, printed "n.p." (not published).
    """
    cells = {key: fmt.cell(n) for key, n in counts.items()}
    if not ministry:
        return cells
    total = sum(counts.values())
    if 0 < total < SMALL:
        return {key: SMALL_CELL for key in counts}
    small = [key for key, n in counts.items() if 0 < n < SMALL]
    for key in small:
        cells[key] = SMALL_CELL
    if len(small) == 1:
        zeros = [key for key, n in counts.items() if n == 0]
        if zeros:
            cells[zeros[0]] = SMALL_CELL
        else:
            others = [(n, key) for key, n in counts.items() if key not in small]
            if others:
                cells[min(others)[1]] = WITHHELD_CELL
    return cells


def hidden_total(cells: Mapping[str, Cell], counts: Mapping[str, int]) -> int | None:
    """What the hidden cells of a breakdown count together, when that may be drawn or printed.

    Two or more cells are always hidden together, so their sum reveals none of them; it is
    withheld (None) when it is itself below 3, or when nothing is hidden.
    """
    hidden = [k for k, c in cells.items() if not c.shown]
    total = sum(counts.get(k, 0) for k in hidden)
    return total if hidden and total >= SMALL else None


def protected_sum(
    cells: Mapping[str, Cell], counts: Mapping[str, int], keys: Iterable[str], fmt: Formatter
) -> Cell:
    """The sum of some cells of a protected breakdown, printed only if it undoes no suppression:
    when it includes no hidden cell, or every hidden cell (their sum is then no secret)."""
    keys = list(keys)
    total = sum(counts.get(k, 0) for k in keys)
    hidden = {k for k, c in cells.items() if not c.shown}
    if not hidden & set(keys) or (hidden <= set(keys) and hidden_total(cells, counts)):
        return fmt.cell(total)
    if 0 < total < SMALL:
        return SMALL_CELL
    return WITHHELD_CELL


@dataclass
class Change:
    text: str
    direction: str  # up, down, flat or na
    arrow: str


def change(current: Cell, previous: Cell, kind: str, fmt: Formatter) -> Change:
    """How a figure moved since the previous month; n/a when either month is not printed."""
    if not (current.shown and previous.shown):
        return Change(NA_TEXT, "na", "")
    assert current.value is not None and previous.value is not None
    if kind == "count":
        delta = current.value - previous.value
        text = fmt.signed(delta)
    elif kind == "eur":
        delta = round_half_away(current.value - previous.value, 0)
        text = fmt.signed(delta).replace("+", "+€").replace(MINUS, MINUS + "€")
        text = "0" if delta == 0 else text
    else:  # percentages and balances: percentage points
        delta = round_half_away(current.value - previous.value, 1)
        text = fmt.signed(delta, "#,##0.0") + " pts"
    if delta > 0:
        return Change(text, "up", "▲")
    if delta < 0:
        return Change(text, "down", "▼")
    return Change(text, "flat", "=")


@dataclass
class Row:
    label: str
    cells: list[Cell]
    change: Change | None = None
    note: str = ""


def flags_in(rows: Iterable[Row]) -> set[str]:
    """The suppression flags ("small", "withheld") used by some cell of `rows`."""
    return {cell.flag for row in rows for cell in row.cells if cell.flag}


@dataclass
class Table:
    """A table of labelled rows of numbers; `columns` are the number columns' headings."""

    caption: str
    label_heading: str
    columns: list[str]
    rows: list[Row]
    id: str = ""
    footnote: str = ""
    with_change: bool = False

    @property
    def flags(self) -> set[str]:
        return flags_in(self.rows)


@dataclass
class Chart:
    id: str
    number: str
    title: str
    alt: str
    svg: str | None  # None: nothing to draw, `empty` says why
    empty: str = ""
    note: str = ""
    table: Table | None = None

    @property
    def data_url(self) -> str:
        return charts.data_url(self.svg) if self.svg else ""


@dataclass
class Content:
    meta: dict[str, Any]
    title: str
    status: str | None
    ministry: bool
    edition_label: str
    summary_paragraphs: list[list[str]]
    summary_placeholder: str
    key_figures: list[tuple[str, list[Row]]]
    health_tables: list[Table]
    health_charts: list[Chart]
    needs_charts: list[Chart]
    needs_tables: list[Table]
    activity_tables: list[Table]
    activity_tiles: list[Row]
    at_risk: list[dict[str, Any]]
    definitions: list[tuple[str, str]]
    finalised_on_label: str = ""
    suppression_used: bool = field(default=False)

    @property
    def charts(self) -> list[Chart]:
        return [*self.health_charts, *self.needs_charts]

    @property
    def health_flags(self) -> set[str]:
        return set().union(*(t.flags for t in self.health_tables))

    @property
    def key_figure_flags(self) -> set[str]:
        return flags_in(row for _section, rows in self.key_figures for row in rows)


def summary_paragraphs(summary: str) -> list[list[str]]:
    """The summary as paragraphs (separated by blank lines) of lines; the template escapes them."""
    text = summary.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [para.split("\n") for para in re.split(r"\n\s*\n", text) if para.strip()]


def _short_month(month: str, locale: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    from datetime import date

    return format_date(date(year, number, 1), "MMM y", locale=locale)


class _Builder:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.meta = data["meta"]
        self.fig = data["figures"]
        self.prev = data["previous"]
        self.ministry = self.meta["edition"] == "ministry"
        self.fmt = Formatter(self.meta.get("locale", "en"))
        self.suppressed = False
        self.month = self.meta["month_label"]
        # Table columns carry the short form, so that two tables fit side by side.
        self.month_col = _short_month(self.meta["month"], self.fmt.locale)
        self.prev_col = _short_month(self.meta["previous_month"], self.fmt.locale)

    # -- protection helpers -------------------------------------------------------------------

    def breakdown(self, counts: Mapping[str, int], keys: Iterable[str]) -> dict[str, Cell]:
        ordered = {k: int(counts.get(k, 0) or 0) for k in keys}
        cells = protect(ordered, self.fmt, ministry=self.ministry)
        if any(not c.shown for c in cells.values()):
            self.suppressed = True
        return cells

    def health_ok(self, figures: Mapping[str, Any]) -> bool:
        """Percentages over the assessed companies are printed only when 3 or more answered."""
        return not self.ministry or figures["health"]["companies_assessed"] >= SMALL

    def share(self, value: float | None, figures: Mapping[str, Any], kind: str) -> Cell:
        if value is None:
            return NA_CELL
        if not self.health_ok(figures):
            self.suppressed = True
            return WITHHELD_CELL
        return self.fmt.cell(value, kind)

    def at_high_risk(self, figures: Mapping[str, Any]) -> Cell:
        risk = figures["health"]["risk"]
        cells = self.breakdown(risk, RISK_LEVELS)
        return protected_sum(cells, risk, ["high", "critical"], self.fmt)

    def granted_amount(self, figures: Mapping[str, Any]) -> Cell:
        solutions = figures["solutions"]
        if self.ministry and 0 < solutions["granted"] < SMALL:
            # One or two grants' amount would be one company's grant.
            self.suppressed = True
            return WITHHELD_CELL
        return self.fmt.cell(solutions["granted_amount_eur"], "eur")

    def _two_month_row(self, label: str, current: Cell, previous: Cell) -> Row:
        return Row(label, [current, previous], change(current, previous, "count", self.fmt))

    def _as_cell(self, value: Cell | float | None, kind: str) -> Cell:
        return value if isinstance(value, Cell) else self.fmt.cell(value, kind)

    # -- sections -----------------------------------------------------------------------------

    def key_figures(self) -> list[tuple[str, list[Row]]]:
        def row(label: str, pick, kind: str = "count") -> Row:
            current, previous = (self._as_cell(pick(f), kind) for f in (self.fig, self.prev))
            return Row(label, [current, previous], change(current, previous, kind, self.fmt))

        def balance(name: str):
            return lambda f: self.share(f["health"]["balances"][name], f, "balance")

        return [
            (
                "Portfolio and contacts",
                [
                    row("Companies in the portfolio", lambda f: f["portfolio"]["companies"]),
                    row("Interactions", lambda f: f["activity"]["interactions"]),
                    row("Companies contacted", lambda f: f["activity"]["companies_contacted"]),
                    row(
                        "Coverage over 90 days",
                        lambda f: f["activity"]["coverage_90d_pct"],
                        "pct",
                    ),
                ],
            ),
            (
                "Health",
                [
                    row("Companies assessed", lambda f: f["health"]["companies_assessed"]),
                    row("At high or critical risk", self.at_high_risk),
                    *[
                        row(f"{label} balance", balance(name), "balance")
                        for name, label in BALANCES.items()
                    ],
                    row(
                        "Short-time work (share answering yes)",
                        lambda f: self.share(f["health"]["short_time_work_pct"], f, "pct"),
                        "pct",
                    ),
                ],
            ),
            (
                "Needs and solutions",
                [
                    row("Needs identified", lambda f: f["needs"]["identified_total"]),
                    row("Needs resolved", lambda f: f["needs"]["resolved"]),
                    row("Needs open at the end of the month", lambda f: f["needs"]["open_end"]),
                    row("Solutions suggested", lambda f: f["solutions"]["suggested"]),
                    row("Solutions granted", lambda f: f["solutions"]["granted"]),
                    row("Amount granted", self.granted_amount, "eur"),
                ],
            ),
            (
                "Follow-ups and events",
                [
                    row("Follow-ups completed", lambda f: f["followups"]["completed"]),
                    row(
                        "Follow-ups overdue at the end of the month",
                        lambda f: f["followups"]["overdue_end"],
                    ),
                    row("Events held", lambda f: f["events"]["held"]),
                    row(
                        "Companies taking part in events",
                        lambda f: f["events"]["participating_companies"],
                    ),
                ],
            ),
        ]

    def two_month_table(
        self,
        caption: str,
        label_heading: str,
        labels: Mapping[str, str],
        pick,
        *,
        table_id: str,
    ) -> Table:
        current = self.breakdown(pick(self.fig), labels)
        previous = self.breakdown(pick(self.prev), labels)
        rows = [
            self._two_month_row(label, current[key], previous[key]) for key, label in labels.items()
        ]
        return Table(
            caption,
            label_heading,
            [self.month_col, self.prev_col],
            rows,
            id=table_id,
            with_change=True,
        )

    def health_tables(self) -> list[Table]:
        return [
            self.two_month_table(
                "Risk level at month end",
                "Risk level",
                RISK_LEVELS,
                lambda f: f["health"]["risk"],
                table_id="risk-levels",
            ),
            self.two_month_table(
                "Liquidity at month end",
                "Liquidity",
                LIQUIDITY,
                lambda f: f["health"]["liquidity"],
                table_id="liquidity",
            ),
            self.two_month_table(
                "Risk level since last month",
                "Risk level",
                RISK_CHANGE,
                lambda f: f["health"]["risk_change"],
                table_id="risk-change",
            ),
        ]

    def activity_tables(self) -> list[Table]:
        by_type = self.two_month_table(
            "Interactions by type",
            "Type",
            INTERACTION_TYPES,
            lambda f: f["activity"]["by_type"],
            table_id="interactions-by-type",
        )

        return [by_type]

    def activity_tiles(self) -> list[Row]:
        """The cluster's reach, events and follow-ups, as a few large numbers with their change."""

        def tile(label: str, pick, kind: str = "count") -> Row:
            current = self.fmt.cell(pick(self.fig), kind)
            previous = self.fmt.cell(pick(self.prev), kind)
            return Row(label, [current, previous], change(current, previous, kind, self.fmt))

        return [
            tile("interactions", lambda f: f["activity"]["interactions"]),
            tile("companies contacted", lambda f: f["activity"]["companies_contacted"]),
            tile(
                "of the portfolio contacted in 90 days",
                lambda f: f["activity"]["coverage_90d_pct"],
                "pct",
            ),
            tile("events held", lambda f: f["events"]["held"]),
            tile(
                "companies took part in events",
                lambda f: f["events"]["participating_companies"],
            ),
            tile("follow-ups completed", lambda f: f["followups"]["completed"]),
            tile(
                "follow-ups overdue at the end of the month",
                lambda f: f["followups"]["overdue_end"],
            ),
        ]

    # -- charts -------------------------------------------------------------------------------

    def risk_chart(self) -> Chart:
        history = self.data["history"]
        locale = self.fmt.locale
        months = [_short_month(h["month"], locale) for h in history]
        rows = [self.breakdown(h["risk"], RISK_LEVELS) for h in history]
        hidden = any(not c.shown for r in rows for c in r.values())
        series = {label: [r[level].value for r in rows] for level, label in RISK_LEVELS.items()}
        rest = [hidden_total(r, h["risk"]) for r, h in zip(rows, history, strict=True)]
        # Months across, like the chart's axis (and a table of few rows is fast to lay out).
        table = Table(
            "A1. Companies by risk level, month by month",
            "Risk level",
            months,
            [
                *(Row(label, [r[level] for r in rows]) for level, label in RISK_LEVELS.items()),
                Row("Assessed", [self.fmt.cell(h["companies_assessed"]) for h in history]),
            ],
            id="chart-data-risk",
        )
        last = rows[-1] if rows else {}
        alt = (
            f"Stacked bar chart of the companies assessed, by risk level, for each month from "
            f"{months[0]} to {months[-1]}. In {self.month}: "
            + ", ".join(f"{last[k].text} {label.lower()}" for k, label in RISK_LEVELS.items())
            + ". The data is in table A1."
            if history
            else ""
        )
        total = sum(h["companies_assessed"] for h in history)
        return Chart(
            id="risk",
            number="Figure 1",
            title="Risk level of the companies assessed, last 12 months",
            alt=alt,
            svg=charts.risk_history(months, series, rest if hidden else None) if total else None,
            empty="No company was assessed in the last 12 months.",
            note=HIDDEN_SEGMENTS_NOTE.format(table="A1") if hidden else "",
            table=table,
        )

    def balances_chart(self) -> Chart:
        history = self.data["history"]
        locale = self.fmt.locale
        months = [_short_month(h["month"], locale) for h in history]
        cells = [
            {k: self.share(h["balances"][k], h_as_figures(h), "balance") for k in BALANCES}
            for h in history
        ]
        stw = [self.share(h["short_time_work_pct"], h_as_figures(h), "pct") for h in history]
        series = {BALANCES[k]: [c[k].value for c in cells] for k in BALANCES}
        drawn = any(v is not None for values in series.values() for v in values)
        table = Table(
            "A2. Balances and short-time work, month by month",
            "Figure",
            months,
            [
                *(Row(label, [c[key] for c in cells]) for key, label in BALANCES.items()),
                Row("Short-time work (%)", stw),
            ],
            id="chart-data-balances",
        )
        latest = cells[-1] if cells else {}
        alt = (
            f"Line chart of the balances of answers (up minus down, in points from "
            f"{MINUS}100 to +100) for turnover, order book, employment and outlook, for each "
            f"month from {months[0]} to {months[-1]}. In {self.month}: "
            + ", ".join(f"{BALANCES[k].lower()} {latest[k].text}" for k in BALANCES)
            + ". The data is in table A2."
            if history
            else ""
        )
        return Chart(
            id="balances",
            number="Figure 2",
            title="Balances of answers, last 12 months",
            alt=alt,
            svg=charts.balances_history(months, series) if drawn else None,
            empty="No trend was reported in the last 12 months.",
            table=table,
        )

    def needs_chart(self) -> Chart:
        # The categories the figures list (every active one, and retired ones with needs).
        known: dict[str, str] = self.meta.get("need_categories") or {}
        identified = self.fig["needs"]["identified"]
        slugs = [*identified, *(s for s in self.prev["needs"]["identified"] if s not in identified)]
        names = {s: known.get(s) or s.replace("-", " ").capitalize() for s in slugs}
        cells = self.breakdown(identified, names)
        previous = self.breakdown(self.prev["needs"]["identified"], names)
        bars = [(names[k], cells[k]) for k in names]
        table = Table(
            "A3. Needs identified by category",
            "Category",
            [self.month_col, self.prev_col],
            [self._two_month_row(names[k], cells[k], previous[k]) for k in names],
            id="chart-data-needs",
            with_change=True,
        )
        total = self.fig["needs"]["identified_total"]
        shown = [f"{label} {cell.text}" for label, cell in bars if cell.text not in ("0",)]
        alt = (
            f"Bar chart of the {self.fmt.count(total)} needs identified in {self.month}, by "
            f"category: " + ", ".join(shown) + ". The data is in table A3."
        )
        return Chart(
            id="needs",
            number="Figure 3",
            title=f"Needs identified in {self.month}, by category",
            alt=alt,
            svg=charts.category_bars(bars) if total else None,
            empty=f"No need was identified in {self.month}.",
            table=table,
        )

    def solutions_chart(self) -> Chart:
        matrix_in: Mapping[str, Mapping[str, int]] = self.data["solutions_status"]
        instruments = sorted(matrix_in, key=lambda name: (-sum(matrix_in[name].values()), name))
        rows = {name: self.breakdown(matrix_in[name], SOLUTION_STATUSES) for name in instruments}
        totals = {name: sum(matrix_in[name].values()) for name in instruments}
        hidden = any(not c.shown for r in rows.values() for c in r.values())
        table = Table(
            "A4. Solutions suggested so far, by instrument and status at the end of the month",
            "Instrument",
            [*SOLUTION_STATUSES.values(), "Total"],
            [
                Row(
                    name,
                    [
                        *rows[name].values(),
                        SMALL_CELL
                        if self.ministry and 0 < totals[name] < SMALL
                        else self.fmt.cell(totals[name]),
                    ],
                )
                for name in instruments
            ],
            id="chart-data-solutions",
        )
        matrix = [[rows[name][s].value for s in SOLUTION_STATUSES] for name in instruments]
        # A row with nothing drawn says why, rather than looking like zero.
        labels = [
            f"{name} (< 3)" if self.ministry and 0 < totals[name] < SMALL else name
            for name in instruments
        ]
        rest = [hidden_total(rows[name], matrix_in[name]) for name in instruments]
        alt = (
            f"Stacked bar chart of the solutions by instrument ({len(instruments)} instruments) "
            f"and status: suggested, in preparation, submitted, granted, rejected, dropped. "
            + "; ".join(
                f"{name}: {table.rows[i].cells[-1].text}" for i, name in enumerate(instruments)
            )
            + ". The data is in table A4."
            if instruments
            else ""
        )
        return Chart(
            id="solutions",
            number="Figure 4",
            title=f"Solutions by instrument and status at the end of {self.month}",
            alt=alt,
            svg=charts.status_bars(
                labels, list(SOLUTION_STATUSES.values()), matrix, rest if hidden else None
            )
            if instruments
            else None,
            empty="No solution has been suggested to these companies yet.",
            note=HIDDEN_SEGMENTS_NOTE.format(table="A4") if hidden else "",
            table=table,
        )

    def solutions_table(self) -> Table:
        by_instrument = self.fig["solutions"]["by_instrument"]
        previous = self.prev["solutions"]["by_instrument"]
        names = sorted(
            set(by_instrument) | set(previous), key=lambda n: (-by_instrument.get(n, 0), n)
        )
        current = self.breakdown(by_instrument, names)
        before = self.breakdown(previous, names)
        return Table(
            f"Solutions suggested in {self.month}, by instrument",
            "Instrument",
            [self.month_col, self.prev_col],
            [self._two_month_row(n, current[n], before[n]) for n in names],
            id="solutions-by-instrument",
            with_change=True,
        )

    def at_risk(self) -> list[dict[str, Any]]:
        if self.ministry:
            return []
        order = {"critical": 0, "high": 1}
        rows = sorted(
            self.data["at_risk"],
            key=lambda r: (order.get(r["risk"], 2), (r.get("company") or "").casefold()),
        )
        locale = self.fmt.locale
        return [
            {
                **r,
                "risk_label": RISK_LEVELS.get(r["risk"], str(r["risk"]).capitalize()),
                "checked_on_label": _day(r.get("checked_on"), locale),
                "last_contact_label": _day(r.get("last_contact"), locale) or "never",
            }
            for r in rows
        ]


def h_as_figures(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A history entry seen as figures, for the rules that look at `companies_assessed`."""
    return {"health": {"companies_assessed": entry["companies_assessed"]}}


def _day(value: str | None, locale: str) -> str:
    if not value:
        return ""
    from datetime import date

    return format_date(date.fromisoformat(str(value)[:10]), "d MMM y", locale=locale)


def report_content(
    data: Mapping[str, Any],
    *,
    summary: str = "",
    status: str | None = None,
    finalised_on: Any = None,
    summary_placeholder: str = "No summary written.",
) -> Content:
    """Everything the report prints, from its plain data and summary."""
    b = _Builder(data)
    meta = b.meta
    edition_label = EDITIONS.get(meta["edition"], meta["edition"])
    health_charts = [b.risk_chart(), b.balances_chart()]
    needs_charts = [b.needs_chart(), b.solutions_chart()]
    content = Content(
        meta=meta,
        title=f"Sector health report: {meta['scope_name']}, {meta['month_label']} "
        f"({edition_label.lower()})",
        status=status,
        ministry=b.ministry,
        edition_label=edition_label,
        summary_paragraphs=summary_paragraphs(summary),
        summary_placeholder=summary_placeholder,
        key_figures=b.key_figures(),
        health_tables=b.health_tables(),
        health_charts=health_charts,
        needs_charts=needs_charts,
        needs_tables=[b.solutions_table()],
        activity_tables=b.activity_tables(),
        activity_tiles=b.activity_tiles(),
        at_risk=b.at_risk(),
        definitions=DEFINITIONS,
        finalised_on_label=format_date(finalised_on, "d MMMM y", locale=b.fmt.locale)
        if finalised_on
        else "",
    )
    content.suppression_used = b.suppressed
    return content


DEFINITIONS: list[tuple[str, str]] = [
    (
        "The month and the portfolio",
        "The month runs from its first to its last day, Luxembourg time. The portfolio is the "
        "companies of the cluster (or of every cluster), except companies that are archived or "
        "closed. Every figure counts only records of portfolio companies, except the number of "
        "events held.",
    ),
    ("Companies in the portfolio", "The number of companies in the portfolio."),
    (
        "Interactions, by type",
        "Calls, site visits, meetings, e-mail exchanges and event participations with portfolio "
        "companies, dated in the month.",
    ),
    (
        "Companies contacted",
        "Portfolio companies with at least one interaction in the month, each counted once.",
    ),
    (
        "Coverage over 90 days",
        "The share of the portfolio contacted in the 90 days that end on the month's last day.",
    ),
    (
        "Companies assessed",
        "A company's health at the end of the month is its latest health check dated in the "
        "month or the five months before. Companies with no such check are not assessed.",
    ),
    (
        "Risk level and liquidity",
        "Assessed companies by the risk level (low, medium, high, critical) and the liquidity "
        "(good, adequate, tight, critical) of their latest health check. A check that left a "
        "question unanswered is not counted for that question.",
    ),
    (
        "At high or critical risk",
        "Assessed companies whose risk level is high or critical.",
    ),
    (
        "Change of risk level",
        "For the companies assessed at the end of both this month and the month before: how "
        "many moved to a worse level, to a better level, or stayed at the same level.",
    ),
    (
        "Balances of answers",
        "For turnover, order book, employment and the outlook for the next three months: the "
        "share of companies answering “up” minus the share answering “down”, among those "
        "answering up, stable or down. It runs from −100 (all down) to +100 (all up); 0 means "
        "as many up as down. This is the balance used by the EU harmonised business surveys. "
        "n/a: nobody answered. Changes are in percentage points (pts).",
    ),
    (
        "Short-time work",
        "The share of assessed companies using short-time work (chômage partiel) among those "
        "that answered yes or no.",
    ),
    (
        "Needs identified, resolved, open",
        "Needs identified in the month, by category; needs resolved in the month; and needs "
        "identified by the month's last day that were neither resolved nor closed by then.",
    ),
    (
        "Solutions suggested and granted",
        "Support instruments and referrals suggested in the month, by instrument; solutions "
        "whose status became “granted” in the month, and the sum of the amounts granted, in "
        "euros.",
    ),
    (
        "Solutions by instrument and status",
        "Every solution suggested to portfolio companies up to the month's last day, by "
        "instrument (or referral partner) and by its status on that day: suggested, in "
        "preparation, submitted, granted, rejected or dropped.",
    ),
    (
        "Follow-ups",
        "Follow-ups completed in the month, and follow-ups due by the month's last day that were "
        "neither done by then nor cancelled.",
    ),
    (
        "Events",
        "Events held in the month, and the number of portfolio companies that took part in them.",
    ),
    (
        "Change against the previous month",
        "The figure of this month minus the figure of the month before: ▲ up, ▼ down, = "
        "unchanged. n/a when either month has no figure or does not print it.",
    ),
    (
        "Rounding",
        "Percentages and balances are rounded to one decimal, halves away from zero.",
    ),
    (
        "Small numbers (ministry edition)",
        "So that no company can be recognised, the ministry edition prints any count of fewer "
        "than 3 companies or records in a breakdown (by category, instrument, status, type, risk "
        "level or liquidity) as “< 3”. Zero is printed as 0, since it describes no company, "
        "except where a zero is printed as “< 3” to protect another cell (“< 3” is true of it "
        "too): when a single cell of a breakdown is below 3, a second cell is hidden with it so "
        "that it cannot be worked out from the total. If no cell is zero, that second cell is "
        "printed “n.p.” (not published). Percentages and balances are not published (n.p.) "
        "when fewer than 3 companies were assessed, and the amount granted is not published "
        "when fewer than 3 grants make it. Charts leave out what the tables do not print. The "
        "internal edition prints every number as it is.",
    ),
]
