"""Charts as plain Plotly figure dicts, each with the table of exactly the numbers it draws.

Figures are dicts, not plotly.graph_objects: building a validated Figure costs milliseconds, and the
site draws thousands of charts (four per organ). tests/test_site.py validates every kind of figure
against Plotly's schema instead. Text from reports goes through render.plot_text first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.site import labels
from pipelines.site.render import clean

FONT = "'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', sans-serif"
OUTCOME_COLORS = {
    "granted": "#2e7d32",
    "partially_granted": "#9ccc65",
    "denied": "#c62828",
    "unavailable": "#ef6c00",
    "not_handled": "#8d6e63",
    "other": "#90a4ae",
}
SEVERITY_COLORS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1e88e5"}
PUBLISHED, MISSING, NOT_DUE = "#2e7d32", "#c62828", "#b0bec5"
PALETTE = ("#1565c0", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | int | num | pct | link ([text, href]) — how the table shows a value


@dataclass
class Chart:
    """A chart and its data table; `csv` names the file the table downloads as."""

    id: str
    title: str
    figure: dict[str, Any] | None
    columns: list[Column]
    rows: list[list[Any]]
    csv: str
    note: str = ""
    empty: str = "暂无数据"

    @property
    def has_data(self) -> bool:
        return self.figure is not None and bool(self.rows)


# Counts from here on are ticked in 万 (1万, 1.5万 …), as Chinese readers count; below, 9,000.
WAN = 10_000


def _axis(title: str, *, percent: bool = False, category: bool = False) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": {"text": title}, "automargin": True, "gridcolor": "#e5e5e5"}
    if category:
        axis["type"] = "category"
    else:
        axis["rangemode"] = "tozero"
        axis["separatethousands"] = True
        axis["exponentformat"] = "none"  # never 10k
    if percent:
        axis["ticksuffix"] = "%"
    return axis


def layout(
    xtitle: str,
    ytitle: str,
    *,
    height: int = 340,
    percent: bool = False,
    barmode: str | None = None,
    horizontal: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        # traceorder: Plotly lists stacked series top-down, the reverse of the tables beside them
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        "separators": ".,",
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
    }
    if horizontal:
        out["xaxis"] = _axis(ytitle, percent=percent)
        out["yaxis"] = {**_axis(xtitle, category=True), "autorange": "reversed"}
    else:
        out["xaxis"] = _axis(xtitle, category=True)
        out["yaxis"] = _axis(ytitle, percent=percent)
        out["hovermode"] = "x unified"
    if barmode:
        out["barmode"] = barmode
    return out


def _values(values: Sequence[Any]) -> list[Any]:
    return [clean(v) for v in values]


def bar_trace(
    x: Sequence[Any],
    y: Sequence[Any],
    name: str,
    color: str | None = None,
    *,
    horizontal: bool = False,
    percent: bool = False,
) -> dict[str, Any]:
    trace: dict[str, Any] = {"type": "bar", "name": name}
    suffix = "%" if percent else ""
    if horizontal:
        trace.update(
            x=_values(y), y=list(x), orientation="h", hovertemplate=f"%{{y}}：%{{x:,}}{suffix}<extra></extra>"
        )
    else:
        trace.update(x=list(x), y=_values(y), hovertemplate=f"%{{y:,}}{suffix}")
    if color:
        trace["marker"] = {"color": color}
    return trace


def line_trace(
    x: Sequence[Any], y: Sequence[Any], name: str, color: str | None = None, *, percent: bool = False
) -> dict[str, Any]:
    suffix = "%" if percent else ""
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": list(x),
        "y": _values(y),
        "connectgaps": False,
        "hovertemplate": f"%{{y:,}}{suffix}",
    }
    if color:
        trace["line"] = {"color": color}
        trace["marker"] = {"color": color}
    return trace


def _top(series: Sequence[tuple[str, Sequence[Any], str | None]], stacked: bool) -> float:
    columns = list(zip(*(y for _, y, _ in series), strict=True)) if series else []
    if stacked:
        return max((sum(v or 0 for v in col) for col in columns), default=0)
    return max((v or 0 for col in columns for v in col), default=0)


def integer_ticks(axis: dict[str, Any], top: float) -> None:
    """Whole-number ticks for small counts: Plotly's own choice would be 0, 0.5, 1 … (half an
    application); counts of 万 and more ticked in 万 (the exact number is one hover away)."""
    if top <= 5:
        axis["dtick"] = 1
        if top == 0:
            axis["range"] = [0, 1]
    elif top >= WAN:
        wan_ticks(axis, top)


def wan_ticks(axis: dict[str, Any], top: float) -> None:
    step = nice_step(top / 5)
    n = int(top // step) + 2
    axis["tickmode"] = "array"
    axis["tickvals"] = [i * step for i in range(n)]
    axis["ticktext"] = [wan(i * step) for i in range(n)]


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k not below raw."""
    p = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= raw)


def wan(v: float) -> str:
    """12500 -> 1.25万; 0 -> 0."""
    if v == 0:
        return "0"
    return f"{v / WAN:,.2f}".rstrip("0").rstrip(".") + "万"


def marked(value: Any, why: str | None) -> Any:
    """A value for a data table that includes a guessed cell: the table marks it and shows why."""
    value = clean(value)
    return {"v": value, "guess": why} if why and value is not None else value


def bars(
    x: Sequence[Any],
    series: Sequence[tuple[str, Sequence[Any], str | None]],
    *,
    xtitle: str,
    ytitle: str,
    stacked: bool = False,
    percent: bool = False,
    height: int = 340,
) -> dict[str, Any]:
    if stacked:  # a series that is empty everywhere only adds a legend entry for nothing
        series = [s for s in series if any(v for v in s[1])] or list(series[:1])
    fig: dict[str, Any] = {
        "data": [bar_trace(x, y, name, color, percent=percent) for name, y, color in series],
        "layout": layout(
            xtitle, ytitle, height=height, percent=percent, barmode="stack" if stacked else "group"
        ),
    }
    if not percent:
        integer_ticks(fig["layout"]["yaxis"], _top(series, stacked))
    return fig


def outcomes_by_year(years: Sequence[int], value: Callable[[int, str], Any]) -> dict[str, Any]:
    """表三's outcome rows per year as stacked bars, and new applications as a line; `value(year, key)`
    gives each number (None where there is none: a bar of 0, a gap in the line)."""
    x = years_axis(years)
    fig = bars(
        x,
        [(name, [value(y, k) or 0 for y in years], OUTCOME_COLORS[k]) for k, name in labels.OUTCOMES],
        xtitle="年度",
        ytitle="申请（件）",
        stacked=True,
    )
    fig["data"].append(line_trace(x, [value(y, "new_received") for y in years], "本年新收申请", "#1565c0"))
    return fig


def lines(
    x: Sequence[Any],
    series: Sequence[tuple[str, Sequence[Any], str | None]],
    *,
    xtitle: str,
    ytitle: str,
    percent: bool = False,
    height: int = 340,
) -> dict[str, Any]:
    fig: dict[str, Any] = {
        "data": [line_trace(x, y, name, color, percent=percent) for name, y, color in series],
        "layout": layout(xtitle, ytitle, height=height, percent=percent),
    }
    if percent:  # a little below 0, so that a year at 0% shows its marker above the axis line
        fig["layout"]["yaxis"]["range"] = [-4, 105]
    return fig


def hbars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Any], str | None]],
    *,
    label_title: str,
    value_title: str,
    stacked: bool = True,
) -> dict[str, Any]:
    """Horizontal bars, one row per label (labels already plot_text-escaped)."""
    height = max(220, 90 + 26 * len(labels))
    series = [s for s in series if any(v for v in s[1])] or list(series[:1])
    fig: dict[str, Any] = {
        "data": [bar_trace(labels, y, name, color, horizontal=True) for name, y, color in series],
        "layout": layout(
            label_title, value_title, height=height, horizontal=True, barmode="stack" if stacked else "group"
        ),
    }
    integer_ticks(fig["layout"]["xaxis"], _top(series, stacked))
    return fig


def years_axis(years: Sequence[int]) -> list[str]:
    """Years as category labels: a numeric axis would draw 2,019.5 between two reports."""
    return [str(y) for y in years]


# What every figure's layout (layout()) holds whatever it shows: the organ pages' figures leave it out,
# with the x of their traces (one axis), and static/site.js puts both back (expand) from assets/organ.js.
_SHARED_KEYS = ("font", "margin", "legend", "separators", "plot_bgcolor", "paper_bgcolor", "hoverlabel")


def shared_layout() -> dict[str, Any]:
    base = layout("", "")
    return {k: base[k] for k in _SHARED_KEYS}


def compact(fig: dict[str, Any]) -> dict[str, Any]:
    """A figure without the shared layout and with its traces' common x once: `expand` restores it."""
    base = shared_layout()
    x = fig["data"][0].get("x") if fig["data"] else None
    return {
        "base": 1,
        "x": x,
        "data": [{k: v for k, v in t.items() if not (k == "x" and v == x)} for t in fig["data"]],
        "layout": {k: v for k, v in fig["layout"].items() if not (k in base and base[k] == v)},
    }


def expand(fig: dict[str, Any]) -> dict[str, Any]:
    """The figure `compact` wrote, as static/site.js rebuilds it (the tests compare the two)."""
    if not isinstance(fig, dict) or not fig.get("base"):
        return fig
    return {
        "data": [{**t, "x": t["x"]} if "x" in t else {**t, "x": fig["x"]} for t in fig["data"]],
        "layout": {**shared_layout(), **fig["layout"]},
    }
