"""Figure builders for one customer (the Customers page): their R, F, M beside
their segment's median, and their purchase history. Plain plotly figure dicts, as
in :mod:`components.segment_figures`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.theme import (
    PRIMARY,
    SECONDARY,
    base_layout,
    empty_figure,
    money_axis,
    panel_title,
    value_axis,
)


def customer_rfm_figure(profile: dict) -> dict:
    """The customer's R, F, M beside the segment's median, one panel each.

    Bars are told apart by colour, with a key under the panels, and each panel is
    titled above it on two short lines: on a phone (about 75 px a panel) tick
    labels under the bars turned upright and axis titles ran into each other.
    """
    typical = profile.get("segment_median") or {}
    panels = [  # key, title, unit, whole numbers (days and orders)
        ("recency_days", "Recency", "days", True),
        ("frequency", "Frequency", "orders", True),
        ("monetary", "Monetary", "£", False),
    ]
    names = ["This customer", "Segment median"]
    width = 1 / len(panels)
    data, layout, notes = [], {}, []
    for i, (key, title, unit, whole) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        values = [float(profile[key]), float(typical.get(key, np.nan))]
        value = "%{y:,}" if whole else "£%{y:,.2f}"
        data.append(
            {
                "type": "bar",
                "x": names,
                "y": [None if np.isnan(v) else round(v, 2) for v in values],
                "marker": {"color": [PRIMARY, SECONDARY]},
                "xaxis": "x" + suffix,
                "yaxis": "y" + suffix,
                "showlegend": False,
                "hovertemplate": f"%{{x}}: {value}<extra>{title} ({unit})</extra>",
            }
        )
        # A gap left of each panel for its tick labels ("£2.5k").
        domain = [i * width + 0.09, (i + 1) * width - 0.01]
        layout["xaxis" + suffix] = {"domain": domain, "showticklabels": False}
        peak = max((v for v in values if not np.isnan(v)), default=0.0)
        # A median can be 1.5 orders; the ticks stay whole days and orders.
        ticks = value_axis(peak, whole)
        layout["yaxis" + suffix] = {
            "anchor": "x" + suffix,
            "gridcolor": "#e3ebf6",
            **ticks,
            **({} if whole else money_axis(ticks["dtick"])),
        }
        notes.append(panel_title(title, unit, domain))
    # The colour key, under the panels (one trace per panel, so no legend).
    key = "   ".join(
        f'<span style="color:{color}">■</span> {name}'
        for color, name in zip((PRIMARY, SECONDARY), names, strict=True)
    )
    notes.append(
        {
            "text": key,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0,
            "xanchor": "center",
            "yanchor": "top",
            "yshift": -6,
            "showarrow": False,
        }
    )
    return {
        "data": data,
        "layout": base_layout(
            **layout, annotations=notes, margin={"t": 44, "l": 8, "r": 8, "b": 32}
        ),
    }


def customer_history_figure(history: pd.DataFrame) -> dict:
    """Monthly revenue bars with the number of orders in the hover."""
    if history.empty:
        return empty_figure("No purchases recorded for this customer")
    months = pd.to_datetime(history["period"])
    # Explicit bar width and range: with a single month plotly would otherwise size
    # the bar and the axis to one millisecond.
    pad = pd.Timedelta(days=20)
    day_ms = 86_400_000
    return {
        "data": [
            {
                "type": "bar",
                "x": months.dt.strftime("%Y-%m-%d").tolist(),
                "y": history["revenue"].round(2).tolist(),
                "width": [25 * day_ms] * len(history),
                "customdata": history["orders"].astype(int).tolist(),
                "marker": {"color": PRIMARY},
                "hovertemplate": "%{x|%b %Y}<br>£%{y:,.2f} in %{customdata} orders"
                "<extra></extra>",
            }
        ],
        "layout": base_layout(
            xaxis={
                "type": "date",
                "range": [
                    (months.min() - pad).strftime("%Y-%m-%d"),
                    (months.max() + pad).strftime("%Y-%m-%d"),
                ],
                "tickformat": "%b %Y",
                "dtick": "M1" if len(history) <= 12 else None,
            },
            yaxis={
                "title": {"text": "Revenue (£)"},
                **money_axis(float(history["revenue"].max())),
            },
            margin={"t": 16},
        ),
    }
