"""What a report shows, worked out from its plain data: labels, formatted numbers, changes against
the previous month, the ministry edition's small-cell suppression, and the charts.

The PDF template and the HTML preview both print this, so they always agree. Nothing here reads
the database. Everything is written in the report's language (its `meta["locale"]`), whatever the
language of the person who looks at it: `report_content` builds under Flask-Babel's
`force_locale`, and numbers and dates go through Babel with that locale explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.i18n import DEFAULT_LOCALE, LANGUAGES
from tracker.reports import charts
from tracker.reports.data import REFERRAL_LABEL, REFERRAL_PREFIX

# The ministry edition does not print counts of fewer companies or records than this.
SMALL = 3
SMALL_TEXT = "< 3"
# Abbreviations a table prints instead of a number: "not published" and "not available".
WITHHELD_TEXT = _l("n.p.")
NA_TEXT = _l("n/a")
MINUS = "\u2212"

# Labels are lazy: each report resolves them in its own language (see `_Builder.labels`).
RISK_LEVELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
}
LIQUIDITY = {
    "good": _l("Good"),
    "adequate": _l("Adequate"),
    "tight": _l("Tight"),
    "critical": _l("Critical"),
}
INTERACTION_TYPES = {
    "call": _l("Calls"),
    "visit": _l("Site visits"),
    "meeting": _l("Meetings"),
    "email": _l("E-mail exchanges"),
    "event": _l("Event participations"),
}
BALANCES = {
    "turnover": _l("Turnover"),
    "orders": _l("Order book"),
    "employment": _l("Employment"),
    "outlook": _l("Outlook (next 3 months)"),
}
RISK_CHANGE = {"worsened": _l("Worsened"), "improved": _l("Improved"), "unchanged": _l("Unchanged")}
SOLUTION_STATUSES = {
    "suggested": _l("Suggested"),
    "in_preparation": _l("In preparation"),
    "submitted": _l("Submitted"),
    "granted": _l("Granted"),
    "rejected": _l("Rejected"),
    "dropped": _l("Dropped"),
}
# The balances as key figures, each a phrase of its own for the translators.
BALANCE_ROWS = {
    "turnover": _l("Turnover balance"),
    "orders": _l("Order book balance"),
    "employment": _l("Employment balance"),
    "outlook": _l("Outlook (next 3 months) balance"),
}
EDITIONS = {"ministry": _l("Ministry edition"), "internal": _l("Internal edition")}
# The edition inside a sentence or a title ("… (ministry edition)"): German capitalises it anyway.
EDITIONS_IN_TEXT = {"ministry": _l("ministry edition"), "internal": _l("internal edition")}


def report_locale(locale: str | None) -> str:
    """`locale` if the report can be written in it, else English (a document from before reports
    had a language, or a value that was never valid)."""
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


@contextmanager
def in_language(locale: str | None) -> Iterator[str]:
    """Translate (gettext, Jinja's `_`) into the report's language inside the block."""
    locale = report_locale(locale)
    with force_locale(locale):
        yield locale


def hidden_segments_note(table: str) -> str:
    return _(
        "Counts that table %(table)s does not print (%(small)s, %(withheld)s) are drawn together "
        "as one hatched segment, “not broken down”, when they add up to 3 or more, and left out "
        "otherwise.",
        table=table,
        small=SMALL_TEXT,
        withheld=WITHHELD_TEXT,
    )


@dataclass(frozen=True)
class Cell:
    """One printed number: its text, the value a chart may draw (None when not shown), a flag."""

    text: str | LazyString  # lazy for the abbreviations: translated where printed
    value: float | None = None
    flag: str = ""  # "small" (< 3), "withheld" (n.p.) or "" (printed as is)

    @property
    def shown(self) -> bool:
        return self.value is not None


SMALL_CELL = Cell(SMALL_TEXT, None, "small")
WITHHELD_CELL = Cell(WITHHELD_TEXT, None, "withheld")
NA_CELL = Cell(NA_TEXT)


ENGLISH_DATES = {"yMMMMd": "d MMMM y", "yMMMd": "d MMM y", "yMMMM": "MMMM y", "yMMM": "MMM y"}


def round_half_away(value: float, places: int = 1) -> float:
    """Round half away from zero, as DESIGN.md section 5 asks (-12.25 -> -12.3)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


class Formatter:
    """Numbers, amounts and dates in the report's locale: `1 234`, `14,2 %`, `1 234,50 €`,
    `27 novembre 2026` in French; `1,234`, `14.2%`, `€1,234.50`, `27 November 2026` in English."""

    def __init__(self, locale: str) -> None:
        self.locale = report_locale(locale)
        # The locale's own percent sign and spacing ("14.2%", "14,2 %"), with one decimal.
        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        self.pct_pattern = pattern.replace("#,##0", "#,##0.0", 1)

    def count(self, value: float) -> str:
        return format_decimal(value, "#,##0", locale=self.locale)

    def pct(self, value: float) -> str:
        return format_percent(Decimal(str(value)) / 100, self.pct_pattern, locale=self.locale)

    def balance(self, value: float) -> str:
        return self.signed(value, "#,##0.0")

    def eur(self, value: float) -> str:
        """Euros with cents, rounded half away from zero."""
        amount = Decimal(str(round_half_away(value, 2)))
        return format_currency(amount, "EUR", locale=self.locale)

    def signed(self, value: float, pattern: str = "#,##0") -> str:
        text = format_decimal(abs(value), pattern, locale=self.locale)
        return self._sign(value, text)

    def signed_eur(self, value: float) -> str:
        return self._sign(value, self.eur(abs(value)))

    def points(self, value: float) -> str:
        """A change of a percentage or a balance: `+2.7 pts`."""
        return _("%(points)s pts", points=self.signed(value, "#,##0.0"))

    @staticmethod
    def _sign(value: float, text: str) -> str:
        if value > 0:
            return "+" + text
        if value < 0:
            return MINUS + text
        return text

    def month(self, month: str) -> str:
        """`2026-10` as `October 2026`, `octobre 2026`, `Oktober 2026`."""
        return self._date("yMMMM", _first_day(month))

    def short_month(self, month: str) -> str:
        """`2026-10` as `Oct 2026`, `oct. 2026`, `Okt. 2026` (table columns, chart axes)."""
        return self._date("yMMM", _first_day(month))

    def day(self, value: date | str) -> str:
        """`27 November 2026`, `27 novembre 2026`, `27. November 2026`."""
        return self._date("yMMMMd", _as_date(value))

    def short_day(self, value: date | str | None) -> str:
        """`27 Nov 2026`, `27 nov. 2026`, `27. Nov. 2026`; empty for no date."""
        if not value:
            return ""
        return self._date("yMMMd", _as_date(value))

    def _date(self, skeleton: str, value: date) -> str:
        """`value` as the language writes that skeleton (fields, order, dots: `27. Nov. 2026`),
        except in English, whose CLDR forms are American ("Nov 27, 2026") or, in en_GB, "Sept":
        there the day comes first, as on the app's pages."""
        if self.locale == "en":
            return format_date(value, ENGLISH_DATES[skeleton], locale="en")
        return format_skeleton(skeleton, value, locale=self.locale)

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
        delta = round_half_away(current.value - previous.value, 2)
        text = fmt.signed_eur(delta)
    else:  # percentages and balances: percentage points
        delta = round_half_away(current.value - previous.value, 1)
        text = fmt.points(delta)
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
    locale: str  # the report's language: `<html lang>`, the PDF's /Lang
    title: str
    status: str | None
    ministry: bool
    edition_label: str
    edition_in_text: str
    scope_name: str
    month_label: str
    previous_month_label: str
    generated_on_label: str
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
    # The running footer's "Page N of M", as CSS (the PDF template puts it in a <style>).
    page_css: str = ""

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


def _first_day(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _texts(labels: Mapping[str, Any]) -> dict[str, str]:
    """Lazy labels as text in the current (the report's) language."""
    return {key: str(label) for key, label in labels.items()}


def css_string(text: str) -> str:
    """`text` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-_()/" else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The running footer's "Page N of M" in the current language, as a CSS `content` value.

    The sentence is translated whole, so that a language may order its parts as it needs.
    """
    marker = "\x00"
    sentence = _(
        "Page %(page)s of %(pages)s", page=marker + "page" + marker, pages=marker + "pages" + marker
    )
    parts = []
    for index, piece in enumerate(sentence.split(marker)):
        if index % 2:
            parts.append(f"counter({'pages' if piece == 'pages' else 'page'})")
        elif piece:
            parts.append(css_string(piece))
    return "@page { @bottom-right { content: " + " ".join(parts) + "; } }"


class _Builder:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.meta = data["meta"]
        self.fig = data["figures"]
        self.prev = data["previous"]
        self.ministry = self.meta["edition"] == "ministry"
        self.fmt = Formatter(self.meta.get("locale") or DEFAULT_LOCALE)
        self.suppressed = False
        # Labels come from the raw values, not from the labels the document stores: a draft
        # stored before reports had a language shows in its language all the same.
        self.month = self.fmt.month(self.meta["month"])
        self.previous_month = self.fmt.month(self.meta["previous_month"])
        # Table columns carry the short form, so that two tables fit side by side.
        self.month_col = self.fmt.short_month(self.meta["month"])
        self.prev_col = self.fmt.short_month(self.meta["previous_month"])
        self.risk_levels = _texts(RISK_LEVELS)
        self.balances = _texts(BALANCES)
        self.statuses = _texts(SOLUTION_STATUSES)

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
                _("Portfolio and contacts"),
                [
                    row(_("Companies in the portfolio"), lambda f: f["portfolio"]["companies"]),
                    row(_("Interactions"), lambda f: f["activity"]["interactions"]),
                    row(_("Companies contacted"), lambda f: f["activity"]["companies_contacted"]),
                    row(
                        _("Coverage over 90 days"),
                        lambda f: f["activity"]["coverage_90d_pct"],
                        "pct",
                    ),
                ],
            ),
            (
                _("Health"),
                [
                    row(_("Companies assessed"), lambda f: f["health"]["companies_assessed"]),
                    row(_("At high or critical risk"), self.at_high_risk),
                    *[
                        row(str(label), balance(name), "balance")
                        for name, label in BALANCE_ROWS.items()
                    ],
                    row(
                        _("Short-time work (share answering yes)"),
                        lambda f: self.share(f["health"]["short_time_work_pct"], f, "pct"),
                        "pct",
                    ),
                ],
            ),
            (
                _("Needs and solutions"),
                [
                    row(_("Needs identified"), lambda f: f["needs"]["identified_total"]),
                    row(_("Needs resolved"), lambda f: f["needs"]["resolved"]),
                    row(_("Needs open at the end of the month"), lambda f: f["needs"]["open_end"]),
                    row(_("Solutions suggested"), lambda f: f["solutions"]["suggested"]),
                    row(_("Solutions granted"), lambda f: f["solutions"]["granted"]),
                    row(_("Amount granted"), self.granted_amount, "eur"),
                ],
            ),
            (
                _("Follow-ups and events"),
                [
                    row(_("Follow-ups completed"), lambda f: f["followups"]["completed"]),
                    row(
                        _("Follow-ups overdue at the end of the month"),
                        lambda f: f["followups"]["overdue_end"],
                    ),
                    row(_("Events held"), lambda f: f["events"]["held"]),
                    row(
                        _("Companies taking part in events"),
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
                _("Risk level at month end"),
                _("Risk level"),
                _texts(RISK_LEVELS),
                lambda f: f["health"]["risk"],
                table_id="risk-levels",
            ),
            self.two_month_table(
                _("Liquidity at month end"),
                _("Liquidity"),
                _texts(LIQUIDITY),
                lambda f: f["health"]["liquidity"],
                table_id="liquidity",
            ),
            self.two_month_table(
                _("Risk level since last month"),
                _("Risk level"),
                _texts(RISK_CHANGE),
                lambda f: f["health"]["risk_change"],
                table_id="risk-change",
            ),
        ]

    def activity_tables(self) -> list[Table]:
        by_type = self.two_month_table(
            _("Interactions by type"),
            _("Type"),
            _texts(INTERACTION_TYPES),
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
            tile(_("interactions"), lambda f: f["activity"]["interactions"]),
            tile(_("companies contacted"), lambda f: f["activity"]["companies_contacted"]),
            tile(
                _("of the portfolio contacted in 90 days"),
                lambda f: f["activity"]["coverage_90d_pct"],
                "pct",
            ),
            tile(_("events held"), lambda f: f["events"]["held"]),
            tile(
                _("companies took part in events"),
                lambda f: f["events"]["participating_companies"],
            ),
            tile(_("follow-ups completed"), lambda f: f["followups"]["completed"]),
            tile(
                _("follow-ups overdue at the end of the month"),
                lambda f: f["followups"]["overdue_end"],
            ),
        ]

    # -- charts -------------------------------------------------------------------------------

    def _pairs(self, pairs: Iterable[tuple[str, Any]]) -> str:
        """`Low: 51, Medium: 35`, for the text alternative of a chart."""
        return ", ".join(
            _("%(label)s: %(value)s", label=label, value=value) for label, value in pairs
        )

    def risk_chart(self) -> Chart:
        history = self.data["history"]
        months = [self.fmt.short_month(h["month"]) for h in history]
        rows = [self.breakdown(h["risk"], RISK_LEVELS) for h in history]
        hidden = any(not c.shown for r in rows for c in r.values())
        series = {
            label: [r[level].value for r in rows] for level, label in self.risk_levels.items()
        }
        rest = [hidden_total(r, h["risk"]) for r, h in zip(rows, history, strict=True)]
        # Months across, like the chart's axis (and a table of few rows is fast to lay out).
        table = Table(
            _("A1. Companies by risk level, month by month"),
            _("Risk level"),
            months,
            [
                *(
                    Row(label, [r[level] for r in rows])
                    for level, label in self.risk_levels.items()
                ),
                Row(_("Assessed"), [self.fmt.cell(h["companies_assessed"]) for h in history]),
            ],
            id="chart-data-risk",
        )
        title = _("Risk level of the companies assessed, last 12 months")
        alt = (
            _(
                "Stacked bar chart of the companies assessed, by risk level, for each month from "
                "%(first)s to %(last)s. In %(month)s: %(values)s. The data is in table %(table)s.",
                first=months[0],
                last=months[-1],
                month=self.month,
                values=self._pairs(
                    (label, rows[-1][k].text) for k, label in self.risk_levels.items()
                ),
                table="A1",
            )
            if history
            else ""
        )
        total = sum(h["companies_assessed"] for h in history)
        return Chart(
            id="risk",
            number=_("Figure %(number)s", number=1),
            title=title,
            alt=alt,
            svg=charts.risk_history(
                months,
                series,
                rest if hidden else None,
                axis_label=_("companies"),
                hidden_label=_("Not broken down"),
                title=title,
                description=alt,
            )
            if total
            else None,
            empty=_("No company was assessed in the last 12 months."),
            note=hidden_segments_note("A1") if hidden else "",
            table=table,
        )

    def balances_chart(self) -> Chart:
        history = self.data["history"]
        months = [self.fmt.short_month(h["month"]) for h in history]
        cells = [
            {k: self.share(h["balances"][k], h_as_figures(h), "balance") for k in BALANCES}
            for h in history
        ]
        stw = [self.share(h["short_time_work_pct"], h_as_figures(h), "pct") for h in history]
        series = {self.balances[k]: [c[k].value for c in cells] for k in BALANCES}
        drawn = any(v is not None for values in series.values() for v in values)
        table = Table(
            _("A2. Balances and short-time work, month by month"),
            _("Figure"),
            months,
            [
                *(Row(label, [c[key] for c in cells]) for key, label in self.balances.items()),
                Row(_("Short-time work (%)"), stw),
            ],
            id="chart-data-balances",
        )
        title = _("Balances of answers, last 12 months")
        alt = (
            _(
                "Line chart of the balances of answers (up minus down, in points from %(low)s to "
                "%(high)s) for turnover, order book, employment and outlook, for each month from "
                "%(first)s to %(last)s. In %(month)s: %(values)s. The data is in table %(table)s.",
                low=MINUS + "100",
                high="+100",
                first=months[0],
                last=months[-1],
                month=self.month,
                values=self._pairs(
                    (label, cells[-1][k].text) for k, label in self.balances.items()
                ),
                table="A2",
            )
            if history
            else ""
        )
        return Chart(
            id="balances",
            number=_("Figure %(number)s", number=2),
            title=title,
            alt=alt,
            svg=charts.balances_history(
                months,
                series,
                axis_label=_("balance (up − down)"),
                title=title,
                description=alt,
            )
            if drawn
            else None,
            empty=_("No trend was reported in the last 12 months."),
            table=table,
        )

    def needs_chart(self) -> Chart:
        # The categories the figures list (every active one, and retired ones with needs). Their
        # names are reference data, printed as stored, in whatever language the admins wrote them.
        known: dict[str, str] = self.meta.get("need_categories") or {}
        identified = self.fig["needs"]["identified"]
        slugs = [*identified, *(s for s in self.prev["needs"]["identified"] if s not in identified)]
        names = {s: known.get(s) or s.replace("-", " ").capitalize() for s in slugs}
        cells = self.breakdown(identified, names)
        previous = self.breakdown(self.prev["needs"]["identified"], names)
        bars = [(names[k], cells[k]) for k in names]
        table = Table(
            _("A3. Needs identified by category"),
            _("Category"),
            [self.month_col, self.prev_col],
            [self._two_month_row(names[k], cells[k], previous[k]) for k in names],
            id="chart-data-needs",
            with_change=True,
        )
        total = self.fig["needs"]["identified_total"]
        title = _("Needs identified in %(month)s, by category", month=self.month)
        alt = _(
            "Bar chart of the %(total)s needs identified in %(month)s, by category: %(values)s. "
            "The data is in table %(table)s.",
            total=self.fmt.count(total),
            month=self.month,
            values=self._pairs((label, cell.text) for label, cell in bars if cell.text != "0"),
            table="A3",
        )
        return Chart(
            id="needs",
            number=_("Figure %(number)s", number=3),
            title=title,
            alt=alt,
            svg=charts.category_bars(bars, title=title, description=alt) if total else None,
            empty=_("No need was identified in %(month)s.", month=self.month),
            table=table,
        )

    def instrument_name(self, name: str) -> str:
        """An instrument's name as stored (reference data), except the rows the report makes up:
        referrals to a partner, which have no instrument."""
        if name == REFERRAL_LABEL:
            return _("Referral to a named partner")
        if name.startswith(REFERRAL_PREFIX):
            return _("Referral: %(partner)s", partner=name.removeprefix(REFERRAL_PREFIX))
        return name

    def solutions_chart(self) -> Chart:
        matrix_in: Mapping[str, Mapping[str, int]] = self.data["solutions_status"]
        instruments = sorted(matrix_in, key=lambda name: (-sum(matrix_in[name].values()), name))
        rows = {name: self.breakdown(matrix_in[name], SOLUTION_STATUSES) for name in instruments}
        totals = {name: sum(matrix_in[name].values()) for name in instruments}
        hidden = any(not c.shown for r in rows.values() for c in r.values())
        names = {name: self.instrument_name(name) for name in instruments}
        table = Table(
            _("A4. Solutions suggested so far, by instrument and status at the end of the month"),
            _("Instrument"),
            [*self.statuses.values(), _("Total")],
            [
                Row(
                    names[name],
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
            f"{names[name]} ({SMALL_TEXT})"
            if self.ministry and 0 < totals[name] < SMALL
            else names[name]
            for name in instruments
        ]
        rest = [hidden_total(rows[name], matrix_in[name]) for name in instruments]
        title = _("Solutions by instrument and status at the end of %(month)s", month=self.month)
        alt = (
            _(
                "Stacked bar chart of the solutions by instrument (%(count)s instruments) and "
                "status: %(statuses)s. %(values)s. The data is in table %(table)s.",
                count=self.fmt.count(len(instruments)),
                statuses=", ".join(self.statuses.values()),
                values=self._pairs(
                    (names[name], table.rows[i].cells[-1].text)
                    for i, name in enumerate(instruments)
                ),
                table="A4",
            )
            if instruments
            else ""
        )
        return Chart(
            id="solutions",
            number=_("Figure %(number)s", number=4),
            title=title,
            alt=alt,
            svg=charts.status_bars(
                labels,
                list(self.statuses.values()),
                matrix,
                rest if hidden else None,
                axis_label=_("solutions"),
                hidden_label=_("Not broken down"),
                title=title,
                description=alt,
            )
            if instruments
            else None,
            empty=_("No solution has been suggested to these companies yet."),
            note=hidden_segments_note("A4") if hidden else "",
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
            _("Solutions suggested in %(month)s, by instrument", month=self.month),
            _("Instrument"),
            [self.month_col, self.prev_col],
            [self._two_month_row(self.instrument_name(n), current[n], before[n]) for n in names],
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
        return [
            {
                **r,
                "risk_label": self.risk_levels.get(r["risk"], str(r["risk"]).capitalize()),
                "checked_on_label": self.fmt.short_day(r.get("checked_on")),
                "last_contact_label": self.fmt.short_day(r.get("last_contact")) or _("never"),
            }
            for r in rows
        ]


def h_as_figures(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A history entry seen as figures, for the rules that look at `companies_assessed`."""
    return {"health": {"companies_assessed": entry["companies_assessed"]}}


NO_SUMMARY = _l("No summary written.")


def report_content(
    data: Mapping[str, Any],
    *,
    summary: str = "",
    status: str | None = None,
    finalised_on: date | None = None,
    summary_placeholder: str | LazyString = NO_SUMMARY,
) -> Content:
    """Everything the report prints, from its plain data and summary, in the report's language
    (`meta["locale"]`) whatever the language of the page or command that asks for it."""
    with in_language(data["meta"].get("locale")):
        return _content(data, summary, status, finalised_on, summary_placeholder)


def _content(
    data: Mapping[str, Any],
    summary: str,
    status: str | None,
    finalised_on: date | None,
    summary_placeholder: str | LazyString,
) -> Content:
    b = _Builder(data)
    meta = b.meta
    edition = meta["edition"]
    edition_label = str(EDITIONS.get(edition, edition))
    edition_in_text = str(EDITIONS_IN_TEXT.get(edition, edition))
    # "all" is the one scope that is not a cluster, whose name is data.
    scope_name = _("All clusters") if meta["scope"] == "all" else meta["scope_name"]
    health_charts = [b.risk_chart(), b.balances_chart()]
    needs_charts = [b.needs_chart(), b.solutions_chart()]
    content = Content(
        meta=meta,
        locale=b.fmt.locale,
        title=_(
            "Sector health report: %(scope)s, %(month)s (%(edition)s)",
            scope=scope_name,
            month=b.month,
            edition=edition_in_text,
        ),
        status=status,
        ministry=b.ministry,
        edition_label=edition_label,
        edition_in_text=edition_in_text,
        scope_name=scope_name,
        month_label=b.month,
        previous_month_label=b.previous_month,
        generated_on_label=b.fmt.day(meta["generated_on"]),
        summary_paragraphs=summary_paragraphs(summary),
        summary_placeholder=str(summary_placeholder),
        key_figures=b.key_figures(),
        health_tables=b.health_tables(),
        health_charts=health_charts,
        needs_charts=needs_charts,
        needs_tables=[b.solutions_table()],
        activity_tables=b.activity_tables(),
        activity_tiles=b.activity_tiles(),
        at_risk=b.at_risk(),
        definitions=[(str(term), str(text)) for term, text in DEFINITIONS],
        finalised_on_label=b.fmt.day(finalised_on) if finalised_on else "",
        page_css=page_counter_css(),
    )
    content.suppression_used = b.suppressed
    return content


DEFINITIONS: list[tuple[LazyString, LazyString]] = [
    (
        _l("The month and the portfolio"),
        _l(
            "The month runs from its first to its last day, Luxembourg time. The portfolio is the "
            "companies of the cluster (or of every cluster), except companies that are archived "
            "or closed. Every figure counts only records of portfolio companies, except the number "
            "of events held."
        ),
    ),
    (_l("Companies in the portfolio"), _l("The number of companies in the portfolio.")),
    (
        _l("Interactions, by type"),
        _l(
            "Calls, site visits, meetings, e-mail exchanges and event participations with "
            "portfolio companies, dated in the month."
        ),
    ),
    (
        _l("Companies contacted"),
        _l("Portfolio companies with at least one interaction in the month, each counted once."),
    ),
    (
        _l("Coverage over 90 days"),
        _l("The share of the portfolio contacted in the 90 days that end on the month's last day."),
    ),
    (
        _l("Companies assessed"),
        _l(
            "A company's health at the end of the month is its latest health check dated in the "
            "month or the five months before. Companies with no such check are not assessed."
        ),
    ),
    (
        _l("Risk level and liquidity"),
        _l(
            "Assessed companies by the risk level (low, medium, high, critical) and the liquidity "
            "(good, adequate, tight, critical) of their latest health check. A check that left a "
            "question unanswered is not counted for that question."
        ),
    ),
    (
        _l("At high or critical risk"),
        _l("Assessed companies whose risk level is high or critical."),
    ),
    (
        _l("Change of risk level"),
        _l(
            "For the companies assessed at the end of both this month and the month before: how "
            "many moved to a worse level, to a better level, or stayed at the same level."
        ),
    ),
    (
        _l("Balances of answers"),
        _l(
            "For turnover, order book, employment and the outlook for the next three months: the "
            "share of companies answering “up” minus the share answering “down”, among those "
            "answering up, stable or down. It runs from −100 (all down) to +100 (all up); 0 means "
            "as many up as down. This is the balance used by the EU harmonised business surveys. "
            "%(na)s: nobody answered. Changes are in percentage points (pts).",
            na=NA_TEXT,
        ),
    ),
    (
        _l("Short-time work"),
        _l(
            "The share of assessed companies using short-time work (chômage partiel) among those "
            "that answered yes or no."
        ),
    ),
    (
        _l("Needs identified, resolved, open"),
        _l(
            "Needs identified in the month, by category; needs resolved in the month; and needs "
            "identified by the month's last day that were neither resolved nor closed by then."
        ),
    ),
    (
        _l("Solutions suggested and granted"),
        _l(
            "Support instruments and referrals suggested in the month, by instrument; solutions "
            "whose status became “granted” in the month, and the sum of the amounts granted, in "
            "euros."
        ),
    ),
    (
        _l("Solutions by instrument and status"),
        _l(
            "Every solution suggested to portfolio companies up to the month's last day, by "
            "instrument (or referral partner) and by its status on that day: suggested, in "
            "preparation, submitted, granted, rejected or dropped."
        ),
    ),
    (
        _l("Follow-ups"),
        _l(
            "Follow-ups completed in the month, and follow-ups due by the month's last day that "
            "were neither done by then nor cancelled."
        ),
    ),
    (
        _l("Events"),
        _l(
            "Events held in the month, and the number of portfolio companies that took part in "
            "them."
        ),
    ),
    (
        _l("Change against the previous month"),
        _l(
            "The figure of this month minus the figure of the month before: ▲ up, ▼ down, = "
            "unchanged. %(na)s when either month has no figure or does not print it.",
            na=NA_TEXT,
        ),
    ),
    (
        _l("Rounding"),
        _l("Percentages and balances are rounded to one decimal, halves away from zero."),
    ),
    (
        _l("Small numbers (ministry edition)"),
        _l(
            "So that no company can be recognised, the ministry edition prints any count of fewer "
            "than 3 companies or records in a breakdown (by category, instrument, status, type, "
            "risk level or liquidity) as “%(small)s”. Zero is printed as 0, since it describes no "
            "company, except where a zero is printed as “%(small)s” to protect another cell "
            "(“%(small)s” is true of it too): when a single cell of a breakdown is below 3, a "
            "second cell is hidden with it so that it cannot be worked out from the total. If no "
            "cell is zero, that second cell is printed “%(withheld)s” (not published). "
            "Percentages and balances are not published (%(withheld)s) when fewer than 3 "
            "companies were assessed, and the amount granted is not published when fewer than 3 "
            "grants make it. Charts leave out what the tables do not print. The internal edition "
            "prints every number as it is.",
            small=SMALL_TEXT,
            withheld=WITHHELD_TEXT,
        ),
    ),
]
