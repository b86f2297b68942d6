"""One look for every figure: fonts, colours, margins, segment colours."""

from __future__ import annotations

import copy
import math
import textwrap

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
# Text colours, each at least 4.5:1 (WCAG AA) on white and on the page background
# (#f5f8fb). Segment colours are too light for text (Occasional 1.6:1, High-Value
# 3.1:1): they fill dots and marks, and names beside them are in TEXT_COLOR.
TEXT_COLOR = "#12263f"  # 15.3:1
MUTED_TEXT_COLOR = "#5a6f8c"  # 5.1:1; SECONDARY (#6e84a3) is 3.8:1

# Passed to every dcc.Graph (components.layout.graph). plotly.js 4 shows a "Share
# chart…" button by default that uploads the chart, customer data included, to
# Plotly Cloud: the button is switched off and removed, and there is no server to
# send to even if a later config turned it back on. The select and lasso buttons
# go too (nothing listens to selections). The modebar shows while the pointer is
# over a chart; plotly.js pins it where there is no hover (touch screens), which
# assets/10-theme.css hides until the chart is touched.
GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": "hover",
    "showSendToCloud": False,
    "showEditInChartStudio": False,  # plotly.js 3 and earlier
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud", "select2d", "lasso2d"],
}

# Tick labels are not hidden for running past the graph's edge ("hide past div",
# plotly's default on date and number axes): plotly hides them before automargin
# makes room, and room is made for the labels left. On a 390 px phone, a
# customer's purchase history showed its last bar, December's, with no label.
_AXIS = {
    "gridcolor": "#e3ebf6",
    "zeroline": False,
    "automargin": True,
    "ticklabeloverflow": "allow",
}

_BASE_LAYOUT = {
    "font": {"family": FONT, "size": 12, "color": TEXT_COLOR},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
    "colorway": [PRIMARY, "#00a676", "#f6c343", "#e63757", "#39afd1", SECONDARY],
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": dict(_AXIS),
    "yaxis": dict(_AXIS),
    "legend": {"orientation": "h", "y": -0.2},
    "separators": ".,",
    # plotly's default is the paper colour at half opacity: transparent black here,
    # a grey bar over the chart.
    "modebar": {"bgcolor": "rgba(255,255,255,0.85)", "color": SECONDARY},
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


# A legend under the plot, from the figure's bottom edge: plotly keeps room for as
# many rows as it wraps into on a phone.
BOTTOM_LEGEND = {
    "orientation": "h",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "x": 0.5,
    "xanchor": "center",
}


def over_time_layout(yaxis: dict, yaxis2: dict, right_margin: int, **overrides) -> dict:
    """The layout of bars on a left value axis (``yaxis``) and a line on a right
    one over it (``yaxis2``), by date: both axes from 0, the right one without
    gridlines of its own, ``right_margin`` px for its labels; ``overrides`` as
    :func:`base_layout` takes them."""
    return base_layout(
        yaxis={"rangemode": "tozero", **yaxis},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            **yaxis2,
        },
        # One bar trace: overlay draws it as group would, and the legend's
        # bar-less "Partial week" entry takes no slot beside each bar.
        barmode="overlay",
        # Above the plot, growing upwards when it wraps (a phone puts "Partial
        # week" on a second row): plotly moves the plot down for it.
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"r": right_margin, "t": 16},
        **overrides,
    )


def panel_title(title: str, unit: str, domain: list[float]) -> dict:
    """A panel's title above it ("Recency" over "(days)"), centred on its x
    ``domain``: axis titles under narrow panels run into each other on a phone."""
    return {
        "text": f"<b>{title}</b><br>({unit})",
        "xref": "paper",
        "yref": "paper",
        "x": (domain[0] + domain[1]) / 2,
        "y": 1,
        "xanchor": "center",
        "yanchor": "bottom",
        "yshift": 4,
        "showarrow": False,
        "font": {"size": 12},
    }


# Round tick steps: 1, 2, 2.5 and 5 times a power of ten.
_ROUND_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
# The top of a value axis is at least this much above the highest value, so a
# line's peak and its marker are not cut by the plot's edge.
_HEADROOM = 1.05


def round_step(rough: float, whole: bool = False) -> float:
    """The smallest round step (1, 2, 2.5 or 5 × 10ⁿ) of at least ``rough``.

    ``whole`` is for counts (orders, units, days): the step is then a whole
    number, at least 1, so no axis reads "0.5 orders".
    """
    if not rough > 0 or not math.isfinite(rough):
        return 1.0
    if whole:
        rough = max(rough, 1.0)
    power = 10.0 ** math.floor(math.log10(rough))
    for multiple in _ROUND_STEPS:
        step = float(f"{multiple * power:.12g}")
        if whole and (step < 1 or not step.is_integer()):
            continue
        if step >= rough * (1 - 1e-9):
            return step
    return float(f"{10 * power:.12g}")  # unreachable: 10 × power > rough


def _linear_axis(step: float, intervals: int) -> dict:
    return {
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "range": [0, float(f"{step * intervals:.12g}")],
        **_tick_format(step),
    }


def _tick_format(step: float) -> dict:
    """Tick labels alike on every value axis, counts and £: "250", "1.5k",
    "20k", "1.2M" (SI suffixes from 1 up; d3 would print 0.5 as "500m").
    plotly's own labels wrote "1000" on one chart and "2.5k" on the next."""
    return {"tickformat": "~s" if step >= 1 else ",.2~f"}


def _top(peak) -> float:
    peak = float(peak) if peak is not None else 0.0
    return max(peak, 0.0) * _HEADROOM if math.isfinite(peak) else 0.0


def value_axis(peak: float, whole: bool = False, intervals: int = 6) -> dict:
    """Ticks of a value axis from 0 to about ``peak``: round steps, at most
    ``intervals`` of them, whole ones for counts (``whole``); plotly still sizes
    the axis to the data.

    plotly's own ticks are round too, but over a short range (a customer with 1
    or 2 orders) they fall on halves.
    """
    step = round_step(_top(peak) / intervals, whole)
    return {
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "rangemode": "tozero",
        **_tick_format(step),
    }


def money_axis(step: float) -> dict:
    """£ ticks alike on every chart: "£250", "£1.5k", "£20k", "£1.2M"
    (:func:`_tick_format`). ``step``: the axis's tick step, or its largest value
    when plotly chooses the ticks."""
    return {"tickprefix": "£", **_tick_format(step)}


def twin_value_axes(
    left_peak: float,
    right_peak: float,
    left_whole: bool = False,
    right_whole: bool = False,
) -> tuple[dict, dict]:
    """Ranges and ticks of a left value axis and a right one overlaying it, both
    from 0: the same number of round steps on each side, so the right labels sit
    on the left gridlines and both read round numbers.

    Without them plotly.js (4.1, bundled) puts an overlaying axis's ticks on its main
    axis's gridlines (``tickmode: "sync"``), labelled with whatever value falls
    there: "36.9 orders", "£2.78k".
    """
    left_top, right_top = _top(left_peak), _top(right_peak)
    best = None
    # Five steps unless another count fills the plot clearly better.
    for intervals in (5, 4, 6, 3):
        left_step = round_step(left_top / intervals, left_whole)
        right_step = round_step(right_top / intervals, right_whole)
        # How much of the plot the taller series of each side fills (1 = all).
        fill = min(
            left_top / (left_step * intervals) if left_top else 1.0,
            right_top / (right_step * intervals) if right_top else 1.0,
        )
        if best is None or fill > best[0] + 0.02:
            best = (fill, intervals, left_step, right_step)
    _, intervals, left_step, right_step = best
    return _linear_axis(left_step, intervals), _linear_axis(right_step, intervals)


# Characters per line of an empty chart's message: plotly annotations do not
# wrap, and a phone's chart (about 330 px) fits about 35 at 14 px.
_MESSAGE_LINE = 30


def wrap_message(message: str, width: int = _MESSAGE_LINE) -> str:
    """``message`` in lines of at most ``width`` characters joined by ``<br>``,
    as few lines as that takes and as even as they can be ("No sales of this
    product<br>match these filters", not "…this product match<br>these filters").
    A word longer than ``width`` keeps its own line."""
    words = " ".join(str(message).split())

    def lines(at: int) -> list[str]:
        return textwrap.wrap(words, at, break_long_words=False) or [words]

    count = len(lines(width))
    while width > 1 and len(lines(width - 1)) <= count:
        width -= 1
    return "<br>".join(lines(width))


def empty_figure(message: str) -> dict:
    """A blank figure that says why it is blank (e.g. a filter left no data), the
    message wrapped (:func:`wrap_message`) and centred on the chart's width."""
    return {
        "data": [],
        "layout": base_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": wrap_message(message),
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 14, "color": MUTED_TEXT_COLOR},
                }
            ],
            # Equal side margins: the plot, and the message at its middle, are
            # centred on the chart (the shared left margin is for tick labels).
            margin={"l": 16, "r": 16},
        ),
    }
