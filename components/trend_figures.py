"""Figure builders for sales over time: the sales trend and one product's sales.

Plain plotly figure dicts, as in :mod:`components.figures`. A first or last period
that the filter covers only in part (the week of 5–9 Dec 2011) is marked as such,
so a short period is not read as a fall in sales.
"""

from __future__ import annotations

import pandas as pd

from components.figures import NO_DATA
from components.periods import (
    DAY_FORMAT,
    PERIOD_FORMAT,
    complete_periods,
    iso_days,
    partial_periods,
    period_layout,
)
from components.theme import (
    PRIMARY,
    empty_figure,
    money_axis,
    over_time_layout,
    twin_value_axes,
)

# A product's figures with nothing to draw under the filter.
NO_PRODUCT_SALES = "No sales of this product match these filters"


def _values(series: pd.Series, decimals: int | None = None) -> list:
    """A column as a JSON list, a missing value (a day without sales) as None."""
    if decimals is not None:
        series = series.round(decimals)
    return [None if pd.isna(v) else v for v in series.tolist()]


def _isolated(y: list) -> list[int]:
    """Points with no neighbour on either side (a day of trade between two
    without): a line draws nothing for them."""
    last = len(y) - 1
    return [
        i
        for i, v in enumerate(y)
        if v is not None
        and (i == 0 or y[i - 1] is None)
        and (i == last or y[i + 1] is None)
    ]


def _isolated_markers(line: dict) -> list[dict]:
    """Markers for the points of ``line`` that it cannot draw, in a trace of
    their own: markers on the line itself would pad the date axis at both ends."""
    points = _isolated(line["y"]) if len(line["x"]) > 1 else []
    if not points:
        return []
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "name": line["name"],
            "legendgroup": line.get("legendgroup", line["name"]),
            "showlegend": False,
            "x": [line["x"][i] for i in points],
            "y": [line["y"][i] for i in points],
            "yaxis": line["yaxis"],
            "marker": {"color": line["line"]["color"], "size": 5},
            # The line's own hover already names these points.
            "hoverinfo": "skip",
        }
    ]


# A partial period's bar: the revenue colour, lighter, hatched with the full colour.
_PARTIAL_FILL = "#b7d2f6"
_PARTIAL_PATTERN = {
    "fillmode": "overlay",
    "fgcolor": PRIMARY,
    "fgopacity": 0.6,
    "size": 6,
    "solidity": 0.25,
}
_ORDERS_COLOR = "#e63757"


def _partial_orders(x: list[str], orders: list, notes: list[str]) -> dict:
    """The orders line into and out of partial periods: each partial point with
    its full neighbour (None breaks the line between the two ends)."""
    last = len(x) - 1
    segments = []
    for i in sorted({0, last}):
        if notes[i]:
            points = sorted({i, min(max(i + (1 if i == 0 else -1), 0), last)})
            if points not in segments:
                segments.append(points)
    px, py, text = [], [], []
    for points in segments:
        if px:
            px.append(None)
            py.append(None)
            text.append("")
        px += [x[j] for j in points]
        py += [orders[j] for j in points]
        text += [_partial_note(notes[j]) for j in points]
    return {"x": px, "y": py, "customdata": text}


def _partial_note(note: str) -> str:
    return f"<br><i>partial: {note} only</i>" if note else ""


def sales_trend_figure(
    trend: pd.DataFrame,
    granularity: str = "week",
    shown: tuple[str, str] | None = None,
) -> dict:
    """Revenue bars (left axis) and orders line (right axis) per period.

    ``shown`` is the filter's first and last day with data (ISO): a first or last
    week or month they cover only in part is drawn apart (:func:`_mark_partial`).
    """
    if trend.empty:
        return empty_figure(NO_DATA)
    trend = complete_periods(trend, granularity)
    x = iso_days(trend["period"])
    hover_date = "%{x|" + PERIOD_FORMAT.get(granularity, DAY_FORMAT) + "}"
    revenue_axis, orders_axis = twin_value_axes(
        trend["revenue"].max(), trend["orders"].max(), right_whole=True
    )
    one_bar, period_axis = period_layout(x, granularity)
    data = [
        {
            "type": "bar",
            "name": "Revenue",
            "x": x,
            "y": _values(trend["revenue"], 2),
            "marker": {"color": PRIMARY},
            "hovertemplate": hover_date + "<br>£%{y:,.0f}<extra>Revenue</extra>",
            **one_bar,
        },
        {
            "type": "scatter",
            # A line of one point draws nothing: a marker then.
            "mode": "lines+markers" if len(x) == 1 else "lines",
            "name": "Orders",
            "legendgroup": "orders",
            "x": x,
            "y": _values(trend["orders"]),
            "yaxis": "y2",
            "line": {"color": _ORDERS_COLOR, "width": 2},
            # Broken, not bridged, across days without sales (complete_periods).
            "connectgaps": False,
            "hovertemplate": hover_date + "<br>%{y:,} orders<extra>Orders</extra>",
        },
    ]
    # Days only: weeks and months have no gaps (complete_periods).
    isolated = _isolated_markers(data[1])
    notes = partial_periods(x, granularity, shown)
    if any(notes):
        data = _mark_partial(data, notes, granularity)
    data += isolated
    return {
        "data": data,
        "layout": over_time_layout(
            {
                "title": {"text": "Revenue (£)"},
                **revenue_axis,
                **money_axis(revenue_axis["dtick"]),
            },
            {"title": {"text": "Orders"}, **orders_axis},
            right_margin=56,
            xaxis={"type": "date", **period_axis},
            bargap=0.15,
        ),
    }


def _with_note(template: str) -> str:
    """A hover template with the partial note (customdata) before its box name."""
    return template.replace("<extra>", "%{customdata}<extra>", 1)


def _mark_partial(
    data: list,
    notes: list[str],
    granularity: str,
    fill: str = _PARTIAL_FILL,
):
    """Partial periods drawn apart: a light (``fill``) hatched bar, a dotted line,
    the days covered in the hover, and a legend entry saying what the hatch means
    (a phone has no hover). ``data`` is the bars and the line, in that order."""
    bars, line = data
    x, orders = line["x"], line["y"]
    color = bars["marker"]["color"]
    pattern = {**_PARTIAL_PATTERN, "fgcolor": color}
    bars = {
        **bars,
        "customdata": [_partial_note(n) for n in notes],
        "hovertemplate": _with_note(bars["hovertemplate"]),
        "marker": {
            "color": [fill if n else color for n in notes],
            "line": {"color": color, "width": [1 if n else 0 for n in notes]},
            "pattern": {"shape": ["/" if n else "" for n in notes], **pattern},
        },
    }
    # plotly draws the legend's swatch like the trace's first point: a full one
    # first, so "Revenue" reads solid (bars sit by date, whatever their order).
    order = sorted(range(len(x)), key=lambda i: bool(notes[i]) and i == 0)
    if order[0] != 0:
        bars = _reordered(bars, order)
    # The solid line stops at the last full period; dotted beyond it.
    # One legend group for both parts of the line: a group of hidden traces
    # alone would put each group of a horizontal legend on its own row.
    group = line.get("legendgroup", line["name"])
    solid = {
        **line,
        "legendgroup": group,
        "y": [None if notes[i] else v for i, v in enumerate(orders)],
    }
    dotted = {
        "type": "scatter",
        # Markers would pad the date axis by 5% each side (plotly pads scatter
        # traces with markers): a month before and after the data. A line that
        # has them anyway keeps them.
        "mode": line["mode"] if len(x) > 1 else "lines+markers",
        "name": line["name"],
        "legendgroup": group,
        "showlegend": False,
        **_partial_orders(x, orders, notes),
        "yaxis": line["yaxis"],
        "line": {**line["line"], "dash": "dot"},
        "hovertemplate": _with_note(line["hovertemplate"]),
    }
    key = {
        "type": "bar",
        "x": [None],
        "y": [None],
        "hoverinfo": "skip",
        "name": f"Partial {granularity}",
        "marker": {
            "color": fill,
            "line": {"color": color, "width": 1},
            "pattern": {"shape": "/", **pattern},
        },
    }
    return [bars, solid, dotted, key]


def _reordered(value, order: list[int]):
    """``value`` (a trace, or part of one) with its per-point lists in ``order``."""
    if isinstance(value, dict):
        return {key: _reordered(item, order) for key, item in value.items()}
    if isinstance(value, list):
        return [value[i] for i in order]
    return value


# The units colour (#00a676), lighter, for a partial month's bar.
_UNITS_COLOR = "#00a676"
_PARTIAL_UNITS_FILL = "#b2e4d6"


def product_sales_figure(
    sales: pd.DataFrame,
    granularity: str = "month",
    shown: tuple[str, str] | None = None,
) -> dict:
    """Units (bars) and revenue (line, right axis) of one product per period.

    ``shown`` is the filter's first and last day within the data (ISO): a first
    or last month they cover only in part (Online Retail's 1–9 Dec 2011) is drawn
    as the sales trend draws one (hatched bar, dotted line, legend entry), not
    as a fall in sales. A month without sales between two with is a zero.
    """
    if sales.empty:
        return empty_figure(NO_PRODUCT_SALES)
    sales = complete_periods(sales, granularity)
    x = iso_days(sales["period"])
    units_axis, revenue_axis = twin_value_axes(
        sales["units"].max(), sales["revenue"].max(), left_whole=True
    )
    one_bar, period_axis = period_layout(x, granularity)
    hover_date = "%{x|" + PERIOD_FORMAT.get(granularity, "%b %Y") + "}"
    data = [
        {
            "type": "bar",
            "name": "Units",
            "x": x,
            "y": _values(sales["units"]),
            "marker": {"color": _UNITS_COLOR},
            "hovertemplate": hover_date + "<br>%{y:,} units<extra></extra>",
            **one_bar,
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Revenue",
            "x": x,
            "y": _values(sales["revenue"], 2),
            "yaxis": "y2",
            "line": {"color": PRIMARY},
            "connectgaps": False,
            "hovertemplate": hover_date + "<br>£%{y:,.0f}<extra></extra>",
        },
    ]
    notes = partial_periods(x, granularity, shown)
    if any(notes):
        data = _mark_partial(data, notes, granularity, _PARTIAL_UNITS_FILL)
    return {
        "data": data,
        "layout": over_time_layout(
            {"title": {"text": "Units"}, **units_axis},
            {
                "title": {"text": "Revenue (£)"},
                **revenue_axis,
                **money_axis(revenue_axis["dtick"]),
            },
            right_margin=64,
            xaxis={"type": "date", **period_axis},
        ),
    }
