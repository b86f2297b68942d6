"""Figure builders for segments: frames in, plotly figure dicts out (one customer's
figures: :mod:`components.customer_figures`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import format as fmt
from components.theme import (
    BOTTOM_LEGEND,
    PRIMARY,
    base_layout,
    empty_figure,
    panel_title,
    segment_color,
)

NO_CUSTOMERS = "No customers bought anything under these filters"


def pca_3d_figure(
    rfm: pd.DataFrame,
    segments: list[str],
    explained: list[float] | None = None,
    highlight: str | None = None,
) -> dict:
    """Customers in PCA space, one trace per segment; ``highlight`` dims the rest."""
    if rfm.empty:
        return empty_figure(NO_CUSTOMERS)
    explained = list(explained or [])
    # NumPy arrays, not lists: Dash serialises them in one pass (thousands of dots).
    segment_of = rfm["segment"].to_numpy()
    coords = rfm[["pc1", "pc2", "pc3"]].to_numpy("float64").round(3)
    custom = np.column_stack(
        [
            rfm["customer_id"].to_numpy("float64"),
            rfm["recency_days"].to_numpy("float64"),
            rfm["frequency"].to_numpy("float64"),
            rfm["monetary"].to_numpy("float64").round(0),
        ]
    )
    data = []
    for segment in segments:
        mask = segment_of == segment
        count = int(mask.sum())
        if count == 0:
            continue
        dim = highlight is not None and highlight != segment
        # Legend entry and hover box: plotly reads both as HTML.
        shown = fmt.plot_text(segment)
        data.append(
            {
                "type": "scatter3d",
                "mode": "markers",
                "name": f"{shown} ({count:,})",
                "x": coords[mask, 0],
                "y": coords[mask, 1],
                "z": coords[mask, 2],
                "customdata": custom[mask],
                "marker": {
                    "size": 2.5,
                    "color": segment_color(segment),
                    "opacity": 0.15 if dim else 0.8,
                },
                "hovertemplate": "Customer %{customdata[0]}<br>"
                "recency %{customdata[1]} days, %{customdata[2]} orders, "
                "£%{customdata[3]:,}<extra>" + shown + "</extra>",
            }
        )

    def axis(i: int) -> dict:
        label = f"PC{i + 1}"
        if i < len(explained):
            label += f" ({explained[i]:.0%})"
        return {
            "title": {"text": label, "font": {"size": 11}},
            "tickfont": {"size": 10},
            "nticks": 5,
            "backgroundcolor": "rgba(0,0,0,0)",
        }

    return {
        "data": data,
        "layout": base_layout(
            scene={
                "xaxis": axis(0),
                "yaxis": axis(1),
                "zaxis": axis(2),
                # A box taller than the data's (PC3 holds a few % of the
                # variance), seen from further out than plotly's default eye
                # (1.25 on each axis) and looking a little left of its centre:
                # a perspective view is scaled to the plot's height, so on a
                # phone (332 px wide, 470 high) the default cut the PC2 and PC3
                # titles on the left and a PC1 tick on the right, and left a
                # band empty above the box.
                "aspectmode": "manual",
                "aspectratio": {"x": 1, "y": 0.85, "z": 1.4},
                "camera": {
                    "eye": {"x": 2.1, "y": 2.1, "z": 0.95},
                    "center": {"x": 0.1, "y": -0.1, "z": -0.05},
                },
                "domain": {"x": [0, 1], "y": [0.1, 1]},
            },
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            # Under the scene, from the figure's bottom edge; legend dots of a
            # fixed size (the traces' 2.5 px ones were specks).
            legend={**BOTTOM_LEGEND, "itemsizing": "constant"},
            uirevision="segments-3d",
        ),
    }


def elbow_figure(scan: pd.DataFrame, chosen_k: int | None = None) -> dict:
    """KMeans inertia against k."""
    if scan is None or scan.empty:
        return empty_figure("No KMeans scan in this bundle")
    return _k_line(scan, "inertia", "Inertia (within-cluster sum of squares)", chosen_k)


def silhouette_figure(scan: pd.DataFrame, chosen_k: int | None = None) -> dict:
    """Mean silhouette against k (higher is better separated)."""
    if scan is None or scan.empty:
        return empty_figure("No KMeans scan in this bundle")
    return _k_line(scan, "silhouette", "Mean silhouette", chosen_k)


def _k_line(scan: pd.DataFrame, column: str, title: str, chosen_k) -> dict:
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": scan["k"].tolist(),
            "y": scan[column].round(4).tolist(),
            "line": {"color": PRIMARY},
            "hovertemplate": "k = %{x}<br>%{y:,.3f}<extra></extra>",
            "name": title,
        }
    ]
    if chosen_k is not None and (scan["k"] == chosen_k).any():
        y = float(scan.loc[scan["k"] == chosen_k, column].iloc[0])
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [chosen_k],
                "y": [y],
                "marker": {"color": "#e63757", "size": 12},
                "name": f"chosen k = {chosen_k}",
                "hovertemplate": "chosen k = %{x}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": base_layout(
            xaxis={"title": {"text": "k (clusters)"}, "dtick": 1},
            yaxis={"title": {"text": title}},
            showlegend=False,
            margin={"t": 16},
        ),
    }


def rfm_distribution_figure(rfm: pd.DataFrame, segments: list[str]) -> dict:
    """Box plots of recency, frequency and monetary per segment, side by side
    (frequency and monetary on log axes: both are heavily skewed).

    Each panel is titled above it on two short lines and the legend sits under
    the panels in a row of its own height: on a phone (390 px) x-axis titles ran
    into each other and a legend below them showed two segments of four.
    """
    if rfm.empty:
        return empty_figure(NO_CUSTOMERS)
    panels = [
        ("recency_days", "Recency", "days", "linear"),
        ("frequency", "Frequency", "orders", "log"),
        ("monetary", "Monetary", "£", "log"),
    ]
    data, layout, titles = [], {}, []
    width = 1 / len(panels)
    segment_of = rfm["segment"].to_numpy()
    masks = {s: segment_of == s for s in segments}
    for i, (column, title, unit, scale) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        column_values = rfm[column].to_numpy("float64").round(2)
        for segment in segments:
            values = column_values[masks[segment]]
            if values.size == 0:
                continue
            # The legend entry (and the box's category): escaped.
            shown = fmt.plot_text(segment)
            data.append(
                {
                    "type": "box",
                    "name": shown,
                    "legendgroup": shown,
                    "showlegend": i == 0,
                    "y": values,
                    "marker": {"color": segment_color(segment), "size": 3},
                    "boxpoints": False,
                    "xaxis": "x" + suffix,
                    "yaxis": "y" + suffix,
                }
            )
        # A wide gap on the left: the panel's tick labels ("100k") go there.
        domain = [i * width + 0.07, (i + 1) * width - 0.01]
        layout["xaxis" + suffix] = {"domain": domain, "showticklabels": False}
        layout["yaxis" + suffix] = {
            "type": scale,
            "anchor": "x" + suffix,
            "gridcolor": "#e3ebf6",
            **_log_ticks(column_values, scale, "£" if unit == "£" else ""),
        }
        titles.append(panel_title(title, unit, domain))
    return {
        "data": data,
        "layout": base_layout(
            **layout,
            annotations=titles,
            # Under the panels, from the figure's bottom edge: plotly keeps room
            # for as many rows as the legend wraps into.
            legend=dict(BOTTOM_LEGEND),
            margin={"t": 44, "l": 40, "b": 8},
        ),
    }


# Mantissas of the log ticks, sparsest first: the first set that labels at least
# three values within the visible range is used.
_LOG_MANTISSAS = ((1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0))


def _log_ticks(values: np.ndarray, scale: str, prefix: str = "") -> dict:
    """Clean ticks of a log axis over ``values``, whatever their range (box plots
    without points: the whiskers run to the lowest and highest value).

    Over two decades or more, powers of ten only ("1, 10, 100, 1k"); narrower,
    1, 2 and 5 of each decade (finer if that leaves fewer than three within the
    range). plotly's own ticks label 2 and 5 of every decade on a wide axis
    ("2, 100, 5, 2, 10") and every digit on a narrow one ("9 8 7 6 5 4 3 2").
    ``prefix``: before each label ("£").
    """
    if scale != "log":
        return {}
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return {}
    low, high = float(positive.min()), float(positive.max())
    # A little beyond the whiskers: plotly pads the range by about 5% a side.
    pad = (high / low) ** 0.05 if high > low else 1.2
    lo, hi = low / pad, high * pad
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    # Labelled like the narrow axes even when wide: d3's "~s" printed 1e9 as
    # "1G", and plotly's own labels (kept below 1, where "~s" reads "100m")
    # put "1000" beside "10k" (a day's window of Online Retail: £0.38 to £7k).
    wide = high / low >= 100
    for mantissas in ((1.0,),) if wide else _LOG_MANTISSAS:
        ticks = [
            float(f"{m * 10.0**d:.12g}")
            for d in decades
            for m in mantissas
            if lo <= m * 10.0**d <= hi
        ]
        if len(ticks) >= 3:
            break
    if not ticks:  # one value, between two ticks of the finest set
        ticks = [float(f"{low:.2g}")]
    return {
        "tickmode": "array",
        "tickvals": ticks,
        # 0.1, 1, 20, 1.5, 5k, 2.5M, 1bn (d3's "~s" would print 0.5 as "500m").
        # ``prefix`` written in: plotly adds no tickprefix to given tick text.
        "ticktext": [fmt.short_number(t, prefix) for t in ticks],
    }
