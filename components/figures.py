"""Figure builders for sales pages: frames in, plain plotly figure dicts out.

Plain dicts (not ``go.Figure``) because they skip plotly's validation, which would
cost more than the whole query behind a callback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.geo import iso3
from components.theme import (
    PRIMARY,
    SECONDARY,
    base_layout,
    empty_figure,
    twin_value_axes,
    value_axis,
)

NO_DATA = "No sales match these filters"
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


def sales_trend_figure(trend: pd.DataFrame, granularity: str = "week") -> dict:
    """Revenue bars (left axis) and orders line (right axis) per period."""
    if trend.empty:
        return empty_figure(NO_DATA)
    x = _dates(trend["period"])
    hover_date = "%{x|" + _PERIOD_FORMAT.get(granularity, "%d %b %Y") + "}"
    revenue_axis, orders_axis = twin_value_axes(
        trend["revenue"].max(), trend["orders"].max(), right_whole=True
    )
    one_bar, one_period_axis = _one_period(x, granularity)
    return {
        "data": [
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
                "x": x,
                "y": trend["orders"].tolist(),
                "yaxis": "y2",
                "line": {"color": "#e63757", "width": 2},
                "hovertemplate": hover_date + "<br>%{y:,} orders<extra>Orders</extra>",
            },
        ],
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
            legend={"orientation": "h", "y": 1.1, "x": 0},
            margin={"r": 56},
        ),
    }


def country_bar_figure(by_country: pd.DataFrame, top: int = 15) -> dict:
    """Horizontal bars of revenue for the ``top`` countries, biggest on top."""
    if by_country.empty:
        return empty_figure(NO_DATA)
    part = by_country.head(top).iloc[::-1]
    share = part["revenue"] / by_country["revenue"].sum()
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": part["revenue"].round(2).tolist(),
                "y": part["country"].tolist(),
                "customdata": np.round(share.to_numpy() * 100, 1).tolist(),
                "marker": {"color": PRIMARY},
                "hovertemplate": "%{y}<br>£%{x:,.0f} (%{customdata}% of revenue)"
                "<extra></extra>",
            }
        ],
        "layout": base_layout(
            xaxis={"title": {"text": "Revenue (£)"}, "tickprefix": "£"},
            yaxis={"automargin": True},
            margin={"l": 8},
        ),
    }


def country_map_figure(by_country: pd.DataFrame) -> dict:
    """World choropleth of revenue (log colour scale, so small markets show)."""
    # A plain loop: ~40 rows, and pandas' groupby costs more than the whole query.
    totals: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for country, value in zip(
        by_country["country"], by_country["revenue"], strict=True
    ):
        code = iso3(country)
        if code is not None:
            totals[code] = totals.get(code, 0.0) + float(value)
            names.setdefault(code, []).append(country)
    if not totals:
        return empty_figure(NO_DATA)
    locations = sorted(totals)
    revenue = np.array([totals[c] for c in locations])
    log_rev = np.log10(np.maximum(revenue, 1))
    lo, hi = float(log_rev.min()), float(log_rev.max())
    ticks = np.arange(np.floor(lo), np.ceil(hi) + 1)
    return {
        "data": [
            {
                "type": "choropleth",
                "locationmode": "ISO-3",
                "locations": locations,
                "z": np.round(log_rev, 4).tolist(),
                "zmin": lo,
                "zmax": max(hi, lo + 1e-6),
                "text": [" / ".join(names[c]) for c in locations],
                "customdata": np.round(revenue, 2).tolist(),
                "colorscale": [[0, "#dbe9fb"], [0.5, "#5b9be8"], [1, "#0b3d91"]],
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                "colorbar": {
                    "title": {"text": "Revenue"},
                    "tickvals": ticks.tolist(),
                    "ticktext": [f"£{10**t:,.0f}" for t in ticks],
                    "thickness": 12,
                    # Below the top-right corner, where the modebar shows on hover.
                    "len": 0.88,
                    "y": 0,
                    "yanchor": "bottom",
                },
                "hovertemplate": "%{text}<br>£%{customdata:,.0f}<extra></extra>",
            }
        ],
        "layout": base_layout(
            geo={
                "projection": {"type": "natural earth"},
                # The world from Cape Horn to Greenland, centred on Greenwich:
                # plotly.js 4 otherwise fits and turns the globe to the countries
                # with sales, which put Europe and Australia at the edges.
                "fitbounds": False,
                "lataxis": {"range": [-58, 84]},
                "showframe": False,
                "showcoastlines": False,
                "showcountries": True,
                "countrycolor": "#d2ddec",
                "landcolor": "#f1f4f8",
                "showland": True,
                "bgcolor": "rgba(0,0,0,0)",
            },
            margin={"l": 0, "r": 0, "t": 8, "b": 0},
        ),
    }


def top_products_figure(top: pd.DataFrame, by: str = "units", n: int = 10) -> dict:
    """Horizontal bars of the top ``n`` products ranked by ``by`` (units|revenue)."""
    part = top[top["ranked_by"] == by].head(n) if len(top) else top
    if part.empty:
        return empty_figure(NO_DATA)
    part = part.iloc[::-1]
    is_money = by == "revenue"
    labels = [
        f"{d[:32]}…" if isinstance(d, str) and len(d) > 33 else str(d)
        for d in part["description"]
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": part[by].round(2).tolist(),
                "y": labels,
                "customdata": part["stock_code"].tolist(),
                "marker": {"color": PRIMARY if is_money else "#00a676"},
                "hovertemplate": "%{y} (%{customdata})<br>"
                + ("£%{x:,.0f}" if is_money else "%{x:,} units")
                + "<extra></extra>",
            }
        ],
        "layout": base_layout(
            xaxis={
                "title": {"text": "Revenue (£)" if is_money else "Units"},
                "tickprefix": "£" if is_money else "",
                # Units are whole: a small market's top products sell a few.
                **({} if is_money else value_axis(part[by].max(), whole=True)),
            },
            margin={"l": 8},
        ),
    }


def pareto_figure(curve: pd.DataFrame) -> dict:
    """Cumulative revenue share against customer share, the 80% point marked."""
    if curve.empty:
        return empty_figure(NO_DATA)
    point = curve[curve["at_80"]]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Customers, best first",
            "x": curve["share_of_customers"].round(5).tolist(),
            "y": curve["share_of_revenue"].round(5).tolist(),
            "line": {"color": PRIMARY, "width": 2},
            "hovertemplate": "top %{x:.1%} of customers<br>"
            "bring %{y:.1%} of revenue<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Equal shares",
            "x": [0, 1],
            "y": [0, 1],
            "line": {"color": SECONDARY, "dash": "dot", "width": 1},
            "hoverinfo": "skip",
        },
    ]
    annotations = []
    if len(point):
        x = float(point["share_of_customers"].iloc[0])
        y = float(point["share_of_revenue"].iloc[0])
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "80% of revenue",
                "x": [x],
                "y": [y],
                "marker": {"color": "#e63757", "size": 11},
                "hovertemplate": "%{x:.1%} of customers bring 80% of revenue"
                "<extra></extra>",
            }
        )
        annotations.append(
            {
                "x": x,
                "y": y,
                "text": f"{x:.1%} of customers → 80% of revenue",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 60,
                "ay": 40,
                "font": {"color": "#e63757"},
            }
        )
    return {
        "data": data,
        "layout": base_layout(
            xaxis={"title": {"text": "Share of customers"}, "tickformat": ".0%"},
            yaxis={"title": {"text": "Share of revenue"}, "tickformat": ".0%"},
            annotations=annotations,
            legend={"orientation": "h", "y": -0.25},
        ),
    }


def pareto_share_at_80(curve: pd.DataFrame) -> float | None:
    """Share of customers that brings 80% of revenue, or None without data."""
    point = curve[curve["at_80"]] if len(curve) else curve
    return float(point["share_of_customers"].iloc[0]) if len(point) else None


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
