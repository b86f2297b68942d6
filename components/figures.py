"""Figure builders for sales pages: frames in, plain plotly figure dicts out.

Plain dicts (not ``go.Figure``) because they skip plotly's validation, which would
cost more than the whole query behind a callback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.geo import iso3
from components.theme import PRIMARY, SECONDARY, base_layout, empty_figure

NO_DATA = "No sales match these filters"
_PERIOD_FORMAT = {"day": "%d %b %Y", "week": "week of %d %b %Y", "month": "%b %Y"}


def _dates(series: pd.Series) -> list[str]:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").tolist()


def sales_trend_figure(trend: pd.DataFrame, granularity: str = "week") -> dict:
    """Revenue bars (left axis) and orders line (right axis) per period."""
    if trend.empty:
        return empty_figure(NO_DATA)
    x = _dates(trend["period"])
    hover_date = "%{x|" + _PERIOD_FORMAT.get(granularity, "%d %b %Y") + "}"
    return {
        "data": [
            {
                "type": "bar",
                "name": "Revenue",
                "x": x,
                "y": trend["revenue"].round(2).tolist(),
                "marker": {"color": PRIMARY},
                "hovertemplate": hover_date + "<br>£%{y:,.0f}<extra>Revenue</extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Orders",
                "x": x,
                "y": trend["orders"].tolist(),
                "yaxis": "y2",
                "line": {"color": "#e63757", "width": 2},
                "hovertemplate": hover_date + "<br>%{y:,} orders<extra>Orders</extra>",
            },
        ],
        "layout": base_layout(
            yaxis={"title": {"text": "Revenue (£)"}, "tickprefix": "£"},
            yaxis2={
                "title": {"text": "Orders"},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
            },
            xaxis={"type": "date"},
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
                },
                "hovertemplate": "%{text}<br>£%{customdata:,.0f}<extra></extra>",
            }
        ],
        "layout": base_layout(
            geo={
                "projection": {"type": "natural earth"},
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
    return {
        "data": [
            {
                "type": "bar",
                "name": "Units",
                "x": x,
                "y": sales["units"].tolist(),
                "marker": {"color": "#00a676"},
                "hovertemplate": "%{x|%b %Y}<br>%{y:,} units<extra></extra>",
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
            xaxis={"type": "date"},
            yaxis={"title": {"text": "Units"}},
            yaxis2={
                "title": {"text": "Revenue (£)"},
                "tickprefix": "£",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
            },
            legend={"orientation": "h", "y": 1.12, "x": 0},
            margin={"r": 64},
        ),
    }
