"""One look for every figure: fonts, colours, margins, segment colours."""

from __future__ import annotations

import copy

PRIMARY = "#2c7be5"
SECONDARY = "#6e84a3"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif"

SEGMENT_COLORS = {
    "High-Value": "#00a676",
    "Regular": "#2c7be5",
    "Occasional": "#f6c343",
    "At-Risk": "#e63757",
}
OTHER_COLOR = "#95aac9"

# Passed to every dcc.Graph: no plotly logo, no cloud links, responsive sizing.
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}

_BASE_LAYOUT = {
    "font": {"family": FONT, "size": 12, "color": "#12263f"},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
    "colorway": [PRIMARY, "#00a676", "#f6c343", "#e63757", "#39afd1", SECONDARY],
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": {"gridcolor": "#e3ebf6", "zeroline": False, "automargin": True},
    "yaxis": {"gridcolor": "#e3ebf6", "zeroline": False, "automargin": True},
    "legend": {"orientation": "h", "y": -0.2},
    "separators": ".,",
}


def segment_color(segment: str) -> str:
    return SEGMENT_COLORS.get(segment, OTHER_COLOR)


def base_layout(**overrides) -> dict:
    """A fresh copy of the shared layout, with nested dicts merged one level deep."""
    layout = copy.deepcopy(_BASE_LAYOUT)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def empty_figure(message: str) -> dict:
    """A blank figure that says why it is blank (e.g. a filter left no data)."""
    return {
        "data": [],
        "layout": base_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": message,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 14, "color": SECONDARY},
                }
            ],
        ),
    }
