"""Figure builders for sales pages: frames in, plain plotly figure dicts out (sales
over time: :mod:`components.trend_figures`).

Plain dicts (not ``go.Figure``) because they skip plotly's validation, which would
cost more than the whole query behind a callback.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from components import format as fmt
from components.geo import iso3
from components.theme import (
    BOTTOM_LEGEND,
    PRIMARY,
    SECONDARY,
    base_layout,
    empty_figure,
    money_axis,
    value_axis,
)

NO_DATA = "No sales match these filters"


def country_bar_figure(
    by_country: pd.DataFrame, top: int = 15, empty: str = NO_DATA
) -> dict:
    """Horizontal bars of revenue for the ``top`` countries, biggest on top, each
    labelled with its share of all the revenue (one market often dwarfs the
    rest, whose bars are then too short to read); ``empty``: said when there is
    no sale."""
    if by_country.empty:
        return empty_figure(empty)
    part = by_country.head(top).iloc[::-1]
    share = part["revenue"] / by_country["revenue"].sum()
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": part["revenue"].round(2).tolist(),
                # Escaped: plotly reads tick labels and hover text as HTML
                # (nothing maps a click back to a country by its label).
                "y": [fmt.plot_text(c) for c in part["country"]],
                "customdata": np.round(share.to_numpy() * 100, 1).tolist(),
                "text": [fmt.pct(v) if v >= 0.0005 else "<0.1%" for v in share],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": PRIMARY},
                "hovertemplate": "%{y}<br>£%{x:,.0f} (%{customdata}% of revenue)"
                "<extra></extra>",
            }
        ],
        "layout": base_layout(
            xaxis={
                "title": {"text": "Revenue (£)"},
                **money_axis(float(part["revenue"].max())),
            },
            yaxis={"automargin": True},
            # Room on the right for the longest bar's share ("100.0%").
            margin={"l": 8, "r": 48},
        ),
    }


# Share of the map's height under the world for its horizontal colourbar.
_MAP_BAR_STRIP = 0.14


def _log_ticks(lo: float, hi: float) -> np.ndarray:
    """Colour-bar ticks (log10 of £) within ``lo``…``hi``: the decades (£1k,
    £10k…), with 2 and 5 times each where fewer than two decades fit (else a
    scale of one decade had one label, or none)."""
    decades = np.arange(np.floor(lo), np.ceil(hi) + 1)
    if hi - lo < 2:
        decades = (decades[:, None] + np.log10([1, 2, 5])[None, :]).ravel()
    return decades[(decades >= lo - 1e-9) & (decades <= hi + 1e-9)]


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
    hi = float(log_rev.max())
    # At least a decade of colour: stretched from the selection's smallest to its
    # largest, Germany (£201k) drew darkest and France (£182k) all but blank.
    lo = min(float(log_rev.min()), hi - 1.0)
    ticks = _log_ticks(lo, hi)
    return {
        "data": [
            {
                "type": "choropleth",
                "locationmode": "ISO-3",
                "locations": locations,
                "z": np.round(log_rev, 4).tolist(),
                "zmin": lo,
                "zmax": max(hi, lo + 1e-6),
                # Shown in the hover, so escaped; ``locations`` (ISO codes) match
                # the map and stay as they are.
                "text": [
                    " / ".join(fmt.plot_text(n) for n in names[c]) for c in locations
                ],
                "customdata": np.round(revenue, 2).tolist(),
                "colorscale": [[0, "#dbe9fb"], [0.5, "#5b9be8"], [1, "#0b3d91"]],
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                # Horizontal, under the map: beside it, it left a phone's map a
                # third of the width. Bottom-anchored, so its title is never in
                # the top-right corner the modebar takes.
                "colorbar": {
                    "orientation": "h",
                    "title": {"text": "Revenue", "side": "top"},
                    "tickvals": ticks.tolist(),
                    # "£1k", "£10k", "£1M": side by side on a phone.
                    "ticktext": [fmt.short_money(round(10**t)) for t in ticks],
                    "tickangle": 0,
                    "tickfont": {"size": 11},
                    "thickness": 10,
                    # Long enough for level labels a decade apart on a phone
                    # (about 230 px of 330; 0.6 tilted them).
                    "len": 0.7,
                    "x": 0.5,
                    "xanchor": "center",
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
                # The strip below is the colourbar's.
                "domain": {"x": [0, 1], "y": [_MAP_BAR_STRIP, 1]},
            },
            margin={"l": 0, "r": 0, "t": 8, "b": 0},
        ),
    }


# Product names on the y axis of the top-products charts: two lines of at most
# this many characters leave a phone (390 px) about 60 % of the chart for bars.
_LABEL_LINE = 20
# Each bar's share of its row (plotly's default gap leaves 0.8).
_BAR_WIDTH = 0.75


def product_label(description, line: int = _LABEL_LINE) -> str:
    """A product's name on two lines at most ("WHITE HANGING HEART<br>T-LIGHT
    HOLDER"), shortened with "…" past them; each line escaped before the lines
    are joined (:func:`components.format.plot_text`), so only our ``<br>`` is
    markup."""
    text = " ".join(str(description).split())
    lines = textwrap.wrap(text, line) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: line - 1].rstrip() + "…"]
    return "<br>".join(fmt.plot_text(part) for part in lines)


def top_products_figure(top: pd.DataFrame, by: str = "units", n: int = 10) -> dict:
    """Horizontal bars of the top ``n`` products ranked by ``by`` (units|revenue),
    names wrapped on the y axis and in full in the hover."""
    part = top[top["ranked_by"] == by].head(n) if len(top) else top
    if part.empty:
        return empty_figure(NO_DATA)
    part = part.iloc[::-1]
    is_money = by == "revenue"
    codes = [str(c) for c in part["stock_code"]]
    labels = [product_label(d) for d in part["description"]]
    # Bars share a category when their labels do: a repeated name gets its code.
    labels = [
        f"{label} ({fmt.plot_text(code)})" if labels.count(label) > 1 else label
        for label, code in zip(labels, codes, strict=True)
    ]
    names = [fmt.plot_text(d) for d in part["description"]]
    ticks = value_axis(part[by].max(), whole=not is_money, intervals=4)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": part[by].round(2).tolist(),
                "y": labels,
                "customdata": [
                    [name, fmt.plot_text(code)]
                    for name, code in zip(names, codes, strict=True)
                ],
                "marker": {"color": PRIMARY if is_money else "#00a676"},
                # As thick with a market's three products as with ten: the
                # chart's height is the page's, sized for ten.
                "width": round(_BAR_WIDTH * min(len(part) / n, 1), 3),
                "hovertemplate": "%{customdata[0]} (%{customdata[1]})<br>"
                + ("£%{x:,.0f}" if is_money else "%{x:,} units")
                + "<extra></extra>",
            }
        ],
        "layout": base_layout(
            xaxis={
                "title": {"text": "Revenue (£)" if is_money else "Units"},
                # Four round steps at most: their labels fit level under the
                # bars on a phone (more were tilted). Units are whole: a small
                # market's top products sell a few.
                **ticks,
                **(money_axis(ticks["dtick"]) if is_money else {}),
            },
            yaxis={
                "type": "category",
                "tickfont": {"size": 11},
                "automargin": True,
            },
            # Room above the top bar for the modebar a mouse shows there.
            margin={"l": 8, "t": 30},
        ),
    }


# Both Pareto axes: 0 to 100% in steps of 20%, ends included. Left to itself,
# plotly stopped the x axis at 80% (50% on a phone); six labels of at most four
# characters fit a phone's plot (about 250 px) level.
_SHARE_AXIS = {
    "tickformat": ".0%",
    "tickmode": "linear",
    "tick0": 0,
    "dtick": 0.2,
    # A little past both ends: the 80% marker and the line at 100% are not cut.
    "range": [-0.02, 1.02],
}


def pareto_figure(curve: pd.DataFrame, by: str = "customers") -> dict:
    """Cumulative revenue share against the share of customers or of products
    (``by``), the 80% point marked."""
    if curve.empty:
        return empty_figure(NO_DATA)
    point = curve[curve["at_80"]]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{by.capitalize()}, best first",
            "x": curve["share_of_entities"].round(5).tolist(),
            "y": curve["share_of_revenue"].round(5).tolist(),
            "line": {"color": PRIMARY, "width": 2},
            "hovertemplate": f"top %{{x:.1%}} of {by}<br>"
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
        x = float(point["share_of_entities"].iloc[0])
        y = float(point["share_of_revenue"].iloc[0])
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "80% of revenue",
                "x": [x],
                "y": [y],
                "marker": {"color": "#e63757", "size": 11},
                "hovertemplate": f"%{{x:.1%}} of {by} bring 80% of revenue"
                "<extra></extra>",
            }
        )
        annotations.append(_pareto_label(x, y, by))
    return {
        "data": data,
        "layout": base_layout(
            xaxis={"title": {"text": f"Share of {by}"}, **_SHARE_AXIS},
            yaxis={"title": {"text": "Share of revenue"}, **_SHARE_AXIS},
            annotations=annotations,
            # Under the axis title, from the figure's bottom edge: plotly keeps
            # room for it. At y -0.25 of the plot it overlapped "Share of
            # customers" on a phone, and after a resize from phone width back.
            legend=dict(BOTTOM_LEGEND),
            # Half of "100%", the last tick at the plot's right edge: plotly
            # hides a tick label that would cross the figure's edge.
            margin={"r": 24},
        ),
    }


def _pareto_label(x: float, y: float, by: str = "customers") -> dict:
    """The 80% point's label, below the curve, its text running away from the
    point on the side with room: right of a point on the left, left of one on
    the right, centred under one in the middle. Centred on a tail 60 px right of
    the point, a phone put it over the y axis's "60%".

    Three short lines (about 127 px) whose arrow's tail is placed in the plot's
    own coordinates, not pixels from the point: under the point, but never past
    :data:`_PARETO_TAIL` of the way in from the label's side, so the label fits a
    320 px phone's plot (about 170 px) wherever the point is. Two lines started
    24 px right of a point at 27% ran past the figure's edge there."""
    if x <= 0.4:
        side, tail = "left", min(x, _PARETO_TAIL)
    elif x < 0.6:
        side, tail = "center", x
    else:
        side, tail = "right", max(x, 1.0 - _PARETO_TAIL)
    return {
        "x": x,
        "y": y,
        "text": f"{x:.1%} of {by}<br>bring 80%<br>of revenue",
        "align": "center" if side == "center" else side,
        "xanchor": side,
        "yanchor": "top",
        "showarrow": True,
        "arrowhead": 2,
        "arrowcolor": "#e63757",
        "axref": "x",
        "ax": tail,
        "ay": 36,
        "font": {"color": "#e63757"},
        "bgcolor": "rgba(255,255,255,0.8)",
    }


# How far into the plot (a share of its width) the Pareto label's tail may sit on
# the side the label runs from (see ``_pareto_label``).
_PARETO_TAIL = 0.25


def pareto_share_at_80(curve: pd.DataFrame) -> float | None:
    """Share of customers (or products) that brings 80% of revenue, or None
    without data."""
    point = curve[curve["at_80"]] if len(curve) else curve
    return float(point["share_of_entities"].iloc[0]) if len(point) else None
