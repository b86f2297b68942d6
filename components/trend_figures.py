"""Figure builders for sales over time: the sales trend and one product's sales.

Plain plotly figure dicts, as in :mod:`components.figures`. A first or last period
that the filter covers only in part (the week of 5–9 Dec 2011) is marked as such,
so a short period is not read as a fall in sales.
"""

from __future__ import annotations

import pandas as pd

from components.figures import NO_DATA
from components.theme import PRIMARY, base_layout, empty_figure, twin_value_axes

_PERIOD_FORMAT = {"day": "%d %b %Y", "week": "week of %d %b %Y", "month": "%b %Y"}


_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
_DAY_MS = 86_400_000


def _dates(series: pd.Series) -> list[str]:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").tolist()


def _one_period(x: list[str], granularity: str) -> tuple[dict, dict]:
    """Bar and x-axis settings for a chart of a single period, else nothing: plotly
    would size the bar and the axis to one millisecond and label the ticks
    "23:59:59.9998", "00:00:00.0002"."""
    if len(x) != 1:
        return {}, {}
    days = _PERIOD_DAYS.get(granularity, 1)
    start = pd.Timestamp(x[0])
    pad = pd.Timedelta(days=days)
    bar = {"width": [0.8 * days * _DAY_MS]}
    axis = {
        "range": [f"{start - pad:%Y-%m-%d}", f"{start + pad:%Y-%m-%d}"],
        "tickmode": "array",
        "tickvals": x,
        "tickformat": _PERIOD_FORMAT.get(granularity, "%d %b %Y"),
    }
    return bar, axis


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


def _day_span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """ "5–9 Dec 2011", "29 Nov – 3 Dec 2011", "9 Dec 2011"."""
    if first == last:
        return f"{last.day} {last:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def partial_periods(
    x: list[str], granularity: str, shown: tuple[str, str] | None
) -> list[str]:
    """For each period of ``x`` (first days, ISO), "" when the days ``shown`` (the
    filter's first and last day with data, ISO) cover it whole, else the days they
    do cover ("5–9 Dec 2011").

    Only the first and the last period can be partial: Online Retail ends on Friday
    9 Dec 2011, so its last week has five days and its last month nine, and their
    bars would read as a collapse if drawn like full ones.
    """
    notes = [""] * len(x)
    if not x or shown is None or granularity not in ("week", "month"):
        return notes
    first, last = (pd.Timestamp(day) for day in shown)
    for i in {0, len(x) - 1}:
        start = pd.Timestamp(x[i])
        if granularity == "week":
            end = start + pd.Timedelta(days=6)
        else:
            end = start + pd.offsets.MonthEnd(0)
        covered = max(start, first), min(end, last)
        if covered != (start, end) and covered[0] <= covered[1]:
            notes[i] = _day_span(*covered)
    return notes


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
    x = _dates(trend["period"])
    hover_date = "%{x|" + _PERIOD_FORMAT.get(granularity, "%d %b %Y") + "}"
    revenue_axis, orders_axis = twin_value_axes(
        trend["revenue"].max(), trend["orders"].max(), right_whole=True
    )
    one_bar, one_period_axis = _one_period(x, granularity)
    data = [
        {
            "type": "bar",
            "name": "Revenue",
            "x": x,
            "y": trend["revenue"].round(2).tolist(),
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
            "y": trend["orders"].tolist(),
            "yaxis": "y2",
            "line": {"color": _ORDERS_COLOR, "width": 2},
            "hovertemplate": hover_date + "<br>%{y:,} orders<extra>Orders</extra>",
        },
    ]
    notes = partial_periods(x, granularity, shown)
    if any(notes):
        data = _mark_partial(data, notes, granularity, hover_date)
    return {
        "data": data,
        "layout": base_layout(
            yaxis={
                "title": {"text": "Revenue (£)"},
                "tickprefix": "£",
                "rangemode": "tozero",
                **revenue_axis,
            },
            yaxis2={
                "title": {"text": "Orders"},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                **orders_axis,
            },
            xaxis={"type": "date", **one_period_axis},
            bargap=0.15,
            # One bar trace: overlay draws it as group would, and the legend's
            # bar-less "Partial week" entry takes no slot beside each bar.
            barmode="overlay",
            # Above the plot, growing upwards when it wraps (a phone puts
            # "Partial week" on a second row): plotly moves the plot down for it.
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            margin={"r": 56, "t": 16},
        ),
    }


def _mark_partial(data: list, notes: list[str], granularity: str, hover_date):
    """Partial periods drawn apart: a light hatched bar, a dotted orders line, the
    days covered in the hover, and a legend entry saying what the hatch means
    (a phone has no hover)."""
    bars, line = data
    x, orders = line["x"], line["y"]
    bars = {
        **bars,
        "customdata": [_partial_note(n) for n in notes],
        "hovertemplate": hover_date
        + "<br>£%{y:,.0f}%{customdata}<extra>Revenue</extra>",
        "marker": {
            "color": [_PARTIAL_FILL if n else PRIMARY for n in notes],
            "line": {"color": PRIMARY, "width": [1 if n else 0 for n in notes]},
            "pattern": {
                "shape": ["/" if n else "" for n in notes],
                **_PARTIAL_PATTERN,
            },
        },
    }
    # plotly draws the legend's swatch like the trace's first point: a full one
    # first, so "Revenue" reads solid (bars sit by date, whatever their order).
    order = sorted(range(len(x)), key=lambda i: bool(notes[i]) and i == 0)
    if order[0] != 0:
        bars = _reordered(bars, order)
    # The solid line stops at the last full period; dotted beyond it.
    solid = {**line, "y": [None if notes[i] else v for i, v in enumerate(orders)]}
    dotted = {
        "type": "scatter",
        # Markers would pad the date axis by 5% each side (plotly pads scatter
        # traces with markers): a month before and after the data.
        "mode": "lines" if len(x) > 1 else "lines+markers",
        "name": "Orders",
        "legendgroup": "orders",
        "showlegend": False,
        **_partial_orders(x, orders, notes),
        "yaxis": "y2",
        "line": {"color": _ORDERS_COLOR, "width": 2, "dash": "dot"},
        "hovertemplate": hover_date
        + "<br>%{y:,} orders%{customdata}<extra>Orders</extra>",
    }
    key = {
        "type": "bar",
        "x": [None],
        "y": [None],
        "hoverinfo": "skip",
        "name": f"Partial {granularity}",
        "marker": {
            "color": _PARTIAL_FILL,
            "line": {"color": PRIMARY, "width": 1},
            "pattern": {"shape": "/", **_PARTIAL_PATTERN},
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


def product_sales_figure(sales: pd.DataFrame, granularity: str = "month") -> dict:
    """Units (bars) and revenue (line, right axis) of one product per period."""
    if sales.empty:
        return empty_figure("No sales of this product match these filters")
    x = _dates(sales["period"])
    units_axis, revenue_axis = twin_value_axes(
        sales["units"].max(), sales["revenue"].max(), left_whole=True
    )
    one_bar, one_period_axis = _one_period(x, granularity)
    return {
        "data": [
            {
                "type": "bar",
                "name": "Units",
                "x": x,
                "y": sales["units"].tolist(),
                "marker": {"color": "#00a676"},
                "hovertemplate": "%{x|%b %Y}<br>%{y:,} units<extra></extra>",
                **one_bar,
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Revenue",
                "x": x,
                "y": sales["revenue"].round(2).tolist(),
                "yaxis": "y2",
                "line": {"color": PRIMARY},
                "hovertemplate": "%{x|%b %Y}<br>£%{y:,.0f}<extra></extra>",
            },
        ],
        "layout": base_layout(
            xaxis={"type": "date", **one_period_axis},
            yaxis={"title": {"text": "Units"}, "rangemode": "tozero", **units_axis},
            yaxis2={
                "title": {"text": "Revenue (£)"},
                "tickprefix": "£",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                **revenue_axis,
            },
            legend={"orientation": "h", "y": 1.12, "x": 0},
            margin={"r": 64},
        ),
    }
