"""The report's charts, drawn with Matplotlib as SVG whose text stays text.

One accent colour (the app's) and greys; line styles and markers tell series apart, so that no
chart relies on colour alone. A value of None is not drawn (unknown, or hidden in the ministry
edition). The same inputs give the same SVG, which is cached: previews of a frozen report do not
draw it again.

Every text (axis labels, legends, the SVG's <title> and <desc>, its text alternative) comes from
the caller, already in the report's language; nothing here is translated.
"""

from __future__ import annotations

import base64
import io
import json
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ACCENT = "#0b6e69"
ACCENT_LIGHT = "#7fb8b4"
INK = "#212529"
MUTED = "#5c636a"
GRID = "#e3e6ea"
WIDTH_IN = 6.7  # the A4 text width at 2 cm margins, in inches

RC = {
    "svg.fonttype": "none",  # text stays text: searchable, selectable, read by screen readers
    "svg.hashsalt": "sector-health-report",  # stable element ids, so equal charts are equal
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 7.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
}
# rc_context changes Matplotlib's global settings: one chart at a time.
_LOCK = threading.Lock()

RISK_COLOURS = ["#dde2e6", "#a7b0b7", ACCENT_LIGHT, ACCENT]  # low, medium, high, critical
STATUS_STYLES = [  # suggested, in preparation, submitted, granted, rejected, dropped
    {"color": "#e3e6ea"},
    {"color": "#b8c0c6"},
    {"color": "#7d8a94"},
    {"color": ACCENT},
    {"color": "#3f4a52"},
    {"color": "#ffffff", "edgecolor": "#7d8a94"},
]
HIDDEN_STYLE = {"color": "#f1f3f5", "edgecolor": "#7d8a94", "hatch": "xxxx", "linewidth": 0.5}
LINE_STYLES = [
    {"color": ACCENT, "linestyle": "-", "marker": "o"},
    {"color": "#3f4a52", "linestyle": "-", "marker": "s"},
    {"color": "#7d8a94", "linestyle": "--", "marker": "^"},
    {"color": ACCENT, "linestyle": ":", "marker": "D"},
]


def data_url(svg: str) -> str:
    """The SVG as a data: URL, for an <img> in the PDF or a page (the CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(fig: Figure, title: str, description: str) -> str:
    """The figure as SVG that names itself: a <title> and a <desc> (the chart's text alternative)
    as the root's first children, and role="img" labelled by them, for whoever opens the SVG on
    its own; the report's <img> carries the same text as its alt."""
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    svg = buffer.getvalue()
    start = svg.index("<svg ")
    end = svg.index(">", start)
    labelled = ' role="img" aria-labelledby="chart-title chart-desc"'
    named = (
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>'
    )
    return svg[:end] + labelled + svg[end : end + 1] + "\n " + named + svg[end + 1 :]


def _axes(fig: Figure):
    ax = fig.add_subplot()
    ax.spines[["top", "right", "left"]].set_visible(False)
    # No tick marks at all (not even zero-long ones): fewer SVG nodes for WeasyPrint to draw.
    ax.tick_params(bottom=False, left=False)
    ax.set_axisbelow(True)
    return ax


def _legend(fig: Figure, handles: list, labels: list[str], *, height_in: float) -> None:
    """One row of legend above the plot, from the figure's left edge, so that it never overflows."""
    fig.legend(
        handles,
        labels,
        ncol=len(labels),
        loc="upper left",
        bbox_to_anchor=(0.005, 0.995),
        handlelength=2.2,
        columnspacing=1.4,
        borderaxespad=0,
    )
    fig.tight_layout(pad=0.4, rect=(0, 0, 1, 1 - 0.26 / height_in))


def _month_ticks(ax, months: Sequence[str]) -> None:
    """`Nov 2025` ... as `Nov` with the year under it only where the year changes (SVG text
    costs WeasyPrint a layout per letter)."""
    labels, year = [], None
    for month in months:
        name, _, this_year = month.rpartition(" ")
        labels.append(f"{name}\n{this_year}" if this_year != year else name)
        year = this_year
    ax.set_xticks(range(len(months)), labels)


def risk_history(
    months: list[str],
    series: dict[str, list],
    rest: list | None = None,
    *,
    axis_label: str,
    hidden_label: str,
    title: str,
    description: str,
) -> str:
    """Stacked bars of companies by risk level (label: counts) for each month, the worst at the
    base; `rest` stacks on top, hatched, what the levels do not show (the ministry edition),
    in the legend as `hidden_label`."""
    return _cached(
        "risk",
        json.dumps([months, series, rest, axis_label, hidden_label]),
        title,
        description,
    )


def balances_history(
    months: list[str], series: dict[str, list], *, axis_label: str, title: str, description: str
) -> str:
    """One line per balance, month by month, labelled at its end."""
    return _cached("balances", json.dumps([months, series, axis_label]), title, description)


def category_bars(bars: Sequence, *, title: str, description: str) -> str:
    """Horizontal bars, one per category, each labelled with its printed value.

    `bars` is a list of (label, cell) whose cell has `value` (None: not drawn) and `text`.
    """
    plain = [[label, cell.value, str(cell.text)] for label, cell in bars]
    return _cached("bars", json.dumps([plain]), title, description)


def status_bars(
    rows: list[str],
    statuses: list[str],
    matrix: list[list],
    rest: list | None = None,
    *,
    axis_label: str,
    hidden_label: str,
    title: str,
    description: str,
) -> str:
    """Horizontal bars stacked by status, one per row (instrument); `rest` as in risk_history."""
    return _cached(
        "status",
        json.dumps([rows, statuses, matrix, rest, axis_label, hidden_label]),
        title,
        description,
    )


@lru_cache(maxsize=128)
def _cached(kind: str, arguments: str, title: str, description: str) -> str:
    draw = {
        "risk": _draw_risk,
        "balances": _draw_balances,
        "bars": _draw_bars,
        "status": _draw_status,
    }[kind]
    with _LOCK, rc_context(RC):
        return _svg(draw(*json.loads(arguments)), title, description)


def _draw_risk(
    months: list[str],
    series: dict[str, list],
    rest: list | None,
    axis_label: str,
    hidden_label: str,
) -> Figure:
    height = 2.3
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = _axes(fig)
    x = range(len(months))
    bottom = [0.0] * len(months)
    # Critical first, so that the worst share sits on the baseline where it is easiest to read.
    labels = list(series)
    for index in reversed(range(len(labels))):
        values = [v or 0 for v in series[labels[index]]]
        ax.bar(
            x,
            values,
            bottom=bottom,
            width=0.7,
            color=RISK_COLOURS[index],
            edgecolor="white",
            linewidth=0.5,
            label=labels[index],
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if rest is not None:
        ax.bar(
            x, [v or 0 for v in rest], bottom=bottom, width=0.7, label=hidden_label, **HIDDEN_STYLE
        )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_ylabel(axis_label)
    _month_ticks(ax, months)
    handles, legend_labels = ax.get_legend_handles_labels()
    order = [*range(len(labels))[::-1], *range(len(labels), len(handles))]
    _legend(fig, [handles[i] for i in order], [legend_labels[i] for i in order], height_in=height)
    return fig


def _draw_balances(months: list[str], series: dict[str, list], axis_label: str) -> Figure:
    height = 2.3
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = _axes(fig)
    x = list(range(len(months)))
    values = [v for vs in series.values() for v in vs if v is not None]
    top = max(20, math.ceil(max((abs(v) for v in values), default=0) / 20) * 20)
    ax.axhline(0, color=MUTED, linewidth=0.8)
    for (label, points), style in zip(series.items(), LINE_STYLES, strict=False):
        ys = [math.nan if v is None else v for v in points]
        ax.plot(x, ys, label=label, linewidth=1.4, markersize=3.2, **style)
    ax.set_ylim(-top, top)
    ax.set_xlim(-0.4, len(months) - 0.6)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_ylabel(axis_label)
    _month_ticks(ax, months)
    _legend(fig, *ax.get_legend_handles_labels(), height_in=height)
    return fig


def _rows_top_down(ax, rows: int) -> None:
    """The first row at the top; room for at least three rows, so that one bar is not a slab."""
    ax.set_ylim(max(rows, 3) - 0.5, -0.5)


def _draw_bars(bars: list[list]) -> Figure:
    labels = [b[0] for b in bars]
    fig = Figure(figsize=(WIDTH_IN, 0.5 + 0.24 * max(len(bars), 3)))
    ax = _axes(fig)
    ax.spines["left"].set_visible(True)
    ax.spines["bottom"].set_visible(False)
    y = list(range(len(bars)))
    values = [b[1] or 0 for b in bars]
    ax.barh(y, values, height=0.65, color=ACCENT)
    highest = max(values, default=0) or 1
    for index, (_label, value, text) in enumerate(bars):
        ax.text(
            (value or 0) + highest * 0.01,
            index,
            text,
            va="center",
            ha="left",
            color=INK if value is not None else MUTED,
            fontsize=7,
        )
    ax.set_yticks(y, labels)
    _rows_top_down(ax, len(bars))
    ax.set_xlim(0, highest * 1.12)
    ax.set_xticks([])
    fig.tight_layout(pad=0.4)
    return fig


def _draw_status(
    rows: list[str],
    statuses: list[str],
    matrix: list[list],
    rest: list | None,
    axis_label: str,
    hidden_label: str,
) -> Figure:
    height = 0.9 + 0.26 * max(len(rows), 3)
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = _axes(fig)
    ax.spines["left"].set_visible(True)
    y = list(range(len(rows)))
    left = [0.0] * len(rows)
    for column, (status, style) in enumerate(zip(statuses, STATUS_STYLES, strict=False)):
        widths = [row[column] or 0 for row in matrix]
        ax.barh(y, widths, left=left, height=0.65, linewidth=0.5, label=status, **style)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    if rest is not None:
        ax.barh(
            y, [v or 0 for v in rest], left=left, height=0.65, label=hidden_label, **HIDDEN_STYLE
        )
    ax.set_yticks(y, rows)
    _rows_top_down(ax, len(rows))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_xlabel(axis_label)
    _legend(fig, *ax.get_legend_handles_labels(), height_in=height)
    return fig
