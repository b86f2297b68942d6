"""What every chart's config and axes promise: no upload to Plotly Cloud, a modebar
on hover, and round ticks (whole ones for counts) on every value axis."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dash import dcc

from components import customer_figures, figures, trend_figures
from components.layout import graph
from components.theme import (
    GRAPH_CONFIG,
    base_layout,
    round_step,
    twin_value_axes,
    value_axis,
)

ROOT = Path(__file__).resolve().parents[1]
ROUND_MULTIPLES = (1, 2, 2.5, 5)


# --- config: nothing leaves the company ---------------------------------------


def test_fig001_graph_config_never_shares_to_the_cloud():
    assert GRAPH_CONFIG["showSendToCloud"] is False
    assert GRAPH_CONFIG["showEditInChartStudio"] is False
    # An empty URL: even a button turned back on has nowhere to send the chart.
    assert GRAPH_CONFIG["plotlyServerURL"] == ""
    assert "sendChartToCloud" in GRAPH_CONFIG["modeBarButtonsToRemove"]
    assert GRAPH_CONFIG["displaylogo"] is False


def test_fig002_modebar_on_hover_keeps_the_useful_buttons():
    assert GRAPH_CONFIG["displayModeBar"] == "hover"
    removed = set(GRAPH_CONFIG["modeBarButtonsToRemove"])
    assert not removed & {"toImage", "zoom2d", "pan2d", "resetScale2d", "autoScale2d"}


def test_fig003_graph_config_keys_are_dash_graph_config_keys():
    # dcc.Graph's config is an exact shape: an unknown key fails prop validation.
    assert set(GRAPH_CONFIG) <= set(dcc.Graph.Config.__annotations__)


def test_fig004_bundled_plotly_js_knows_the_keys_that_switch_sharing_off():
    """If a plotly.js upgrade renames the share button or its switch, the config
    above silently stops working: fail here instead."""
    bundle = (ROOT / "assets" / "00-plotly-custom.min.js").read_text(
        encoding="utf-8", errors="replace"
    )
    assert re.search(r"showSendToCloud:\{valType:\"boolean\"", bundle)
    assert re.search(r"plotlyServerURL:\{valType:\"string\"", bundle)
    # The share button's name and the one switch that adds it to the modebar.
    assert 'name:"sendChartToCloud"' in bundle
    assert re.search(r"\.showSendToCloud&&\w+\.push\(\"sendChartToCloud\"\)", bundle)


def test_fig005_graph_passes_the_shared_config_and_keeps_extras():
    config = graph("g", topojsonURL="/assets/topojson/").children.config
    assert {k: config[k] for k in GRAPH_CONFIG} == GRAPH_CONFIG
    assert config["topojsonURL"] == "/assets/topojson/"
    # An extra may add to the config, never switch sharing back on by accident.
    assert graph("g", responsive=False).children.config["showSendToCloud"] is False


def test_fig006_every_graph_is_built_by_layout_graph():
    """dcc.Graph is created in one place only, so every chart gets GRAPH_CONFIG."""
    places = []
    for folder in ("components", "dashboard", "callbacks"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"\bGraph\(", text):
                places.append(path.relative_to(ROOT).as_posix())
    assert places == ["components/layout.py"]


def test_fig007_touch_screens_hide_the_pinned_modebar_until_touched():
    css = (ROOT / "assets" / "10-theme.css").read_text(encoding="utf-8")
    block = css[css.index("@media (hover: none)") :]
    assert ".modebar { visibility: hidden; }" in block
    assert ":hover .modebar" in block


def test_fig008_modebar_is_light_not_plotlys_half_transparent_paper():
    bgcolor = base_layout()["modebar"]["bgcolor"]
    assert bgcolor.startswith("rgba(255,255,255")


# --- round ticks ---------------------------------------------------------------


def _is_round(step: float) -> bool:
    exponent = math.floor(math.log10(step))
    mantissa = round(step / 10**exponent, 9)
    return mantissa in ROUND_MULTIPLES or mantissa == 10


def _ticks(axis: dict) -> list[float]:
    """The tick values plotly draws on an axis with an explicit range."""
    assert axis["tickmode"] == "linear" and axis["tick0"] == 0
    low, high = axis["range"]
    count = math.floor(high / axis["dtick"] + 1e-9)
    return [i * axis["dtick"] for i in range(count + 1)]


def _assert_twin(left: dict, right: dict, left_whole: bool, right_whole: bool):
    for axis, whole in ((left, left_whole), (right, right_whole)):
        # Not plotly.js's default for an overlaying axis ("sync"), which labels the
        # main axis's gridlines with whatever value falls there.
        assert axis["tickmode"] == "linear"
        assert _is_round(axis["dtick"]), axis
        assert axis["range"][0] == 0
        ticks = _ticks(axis)
        # The top of the axis is a tick: both sides end on a labelled gridline.
        assert ticks[-1] == pytest.approx(axis["range"][1])
        if whole:
            assert all(float(t).is_integer() for t in ticks), ticks
    # Same number of steps: the right labels sit on the left gridlines.
    assert len(_ticks(left)) == len(_ticks(right))
    assert 4 <= len(_ticks(left)) <= 7


@pytest.mark.parametrize(
    ("rough", "whole", "expected"),
    [
        (0.42, False, 0.5),
        (0.42, True, 1),
        (0.013, True, 1),
        (1.1, False, 2),
        (2.2, False, 2.5),
        (2.2, True, 5),  # never 2.5 orders
        (22, True, 25),
        (26, False, 50),
        (36.9, True, 50),
        (2780, False, 5000),
        (0, True, 1),
        (float("nan"), False, 1),
    ],
)
def test_fig010_round_step(rough, whole, expected):
    assert round_step(rough, whole) == expected


@pytest.mark.parametrize("peak", [0.3, 1, 2, 7.5, 19, 143, 2_611, 184_632, 9e6])
@pytest.mark.parametrize("whole", [True, False])
def test_fig011_value_axis_steps_are_round_and_whole_for_counts(peak, whole):
    axis = value_axis(peak, whole)
    assert axis["tickmode"] == "linear" and axis["tick0"] == 0
    assert _is_round(axis["dtick"])
    if whole:
        assert float(axis["dtick"]).is_integer() and axis["dtick"] >= 1
    # About five ticks up to the peak, never one per pixel row.
    assert peak / axis["dtick"] <= 6


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (184_632.0, 136),  # all countries, per day: "36.9 / 73.8 / 110.8" orders
        (405_079.0, 668),  # all countries, per week: "165 / 330 / 495 / 660"
        (3_840.0, 10),  # Germany, Nov 2011, per day: "2.61 / 5.22 / 7.83"
        (9_214.0, 24),
        (12.5, 1),
        (0.0, 0),
    ],
)
def test_fig012_twin_axes_orders_whole_and_aligned(left, right):
    _assert_twin(*twin_value_axes(left, right, right_whole=True), False, True)


def _trend(revenue, orders) -> pd.DataFrame:
    periods = pd.date_range("2011-11-01", periods=len(revenue), freq="D")
    return pd.DataFrame(
        {
            "period": periods,
            "revenue": np.asarray(revenue, "float64"),
            "orders": np.asarray(orders, "float64"),
            "units": np.asarray(orders, "float64") * 10,
        }
    )


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_fig013_sales_trend_orders_axis_has_whole_round_ticks(granularity):
    rng = np.random.default_rng(7)
    for scale in (3, 10, 136, 668):
        orders = rng.integers(0, scale + 1, 30)
        orders[0] = scale
        revenue = orders * rng.uniform(150, 600, 30)
        layout = trend_figures.sales_trend_figure(_trend(revenue, orders), granularity)[
            "layout"
        ]
        _assert_twin(layout["yaxis"], layout["yaxis2"], False, True)
        assert layout["yaxis2"]["overlaying"] == "y"
        # Every value fits under the top of its axis.
        assert layout["yaxis"]["range"][1] >= revenue.max()
        assert layout["yaxis2"]["range"][1] >= orders.max()


def test_fig014_product_sales_units_whole_and_revenue_round():
    # 85123A on /products: revenue ticks read "£2.78k … £11.14k" before.
    units = [3600, 5475, 1800, 1900, 3700, 3850, 1600, 2950, 2050, 2450, 1650, 4850]
    revenue = [9600, 15233, 5000, 5300, 9500, 10700, 4300, 8300, 5600, 6800, 4500]
    sales = pd.DataFrame(
        {
            "period": pd.date_range("2010-12-01", periods=11, freq="MS"),
            "units": units[:11],
            "revenue": np.asarray(revenue, "float64"),
        }
    )
    layout = trend_figures.product_sales_figure(sales)["layout"]
    _assert_twin(layout["yaxis"], layout["yaxis2"], True, False)
    assert layout["yaxis2"]["tickprefix"] == "£"
    # A product bought a handful of times: whole units still.
    few = sales.assign(units=[1, 2, 1, 0, 3, 1, 1, 2, 1, 1, 2], revenue=2.5)
    layout = trend_figures.product_sales_figure(few)["layout"]
    _assert_twin(layout["yaxis"], layout["yaxis2"], True, False)


def test_fig015_customer_rfm_frequency_and_recency_ticks_are_whole():
    # Customer 12349: one order against a segment median of 2 ("0.5 / 1.5 orders").
    profile = {
        "recency_days": 18,
        "frequency": 1,
        "monetary": 1457.55,
        "segment_median": {"recency_days": 17, "frequency": 1.5, "monetary": 450.0},
    }
    layout = customer_figures.customer_rfm_figure(profile)["layout"]
    for key, whole in (("yaxis", True), ("yaxis2", True), ("yaxis3", False)):
        axis = layout[key]
        assert axis["tickmode"] == "linear" and axis["tick0"] == 0
        assert _is_round(axis["dtick"])
        if whole:
            assert float(axis["dtick"]).is_integer()
    assert layout["yaxis2"]["dtick"] == 1
    # No segment median (NaN): still a valid axis.
    alone = customer_figures.customer_rfm_figure({**profile, "segment_median": {}})
    assert alone["layout"]["yaxis2"]["dtick"] == 1


def test_fig016_top_products_units_axis_is_whole():
    top = pd.DataFrame(
        {
            "ranked_by": ["units"] * 3,
            "description": ["A", "B", "C"],
            "stock_code": ["1", "2", "3"],
            "units": [3, 2, 1],
            "revenue": [7.5, 5.0, 2.5],
        }
    )
    xaxis = figures.top_products_figure(top, "units")["layout"]["xaxis"]
    assert xaxis["dtick"] == 1 and xaxis["tick0"] == 0


def test_fig017_world_map_shows_the_whole_world_and_clears_the_modebar():
    by_country = pd.DataFrame(
        {"country": ["United Kingdom", "Australia", "USA"], "revenue": [1e6, 1e5, 1e3]}
    )
    fig = figures.country_map_figure(by_country)
    assert fig["layout"]["geo"]["fitbounds"] is False
    colorbar = fig["data"][0]["colorbar"]
    # The colourbar lies under the map, out of the top corner the modebar takes
    # and out of the map's own area (which ends above it).
    assert colorbar["orientation"] == "h" and colorbar["yanchor"] == "bottom"
    assert colorbar["y"] < fig["layout"]["geo"]["domain"]["y"][0]


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_fig018_one_period_gets_a_readable_date_axis(granularity):
    """One bar only (a month's filter at month granularity): plotly would size the
    axis to a millisecond and label it "23:59:59.9998"."""
    layout = trend_figures.sales_trend_figure(_trend([1200.0], [3]), granularity)[
        "layout"
    ]
    xaxis = layout["xaxis"]
    start, end = (pd.Timestamp(v) for v in xaxis["range"])
    assert end - start >= pd.Timedelta(days=2)
    assert xaxis["tickvals"] == ["2011-11-01"] and "%H" not in xaxis["tickformat"]
    fig = trend_figures.sales_trend_figure(_trend([1200.0], [3]), granularity)
    bars, line = fig["data"]
    assert bars["width"][0] >= 0.8 * 86_400_000
    assert "markers" in line["mode"]
    # Two periods or more: plotly's own axis.
    assert (
        "range"
        not in trend_figures.sales_trend_figure(
            _trend([1.0, 2.0], [1, 2]), granularity
        )["layout"]["xaxis"]
    )


def test_fig019_one_month_of_product_sales_gets_a_readable_date_axis():
    sales = pd.DataFrame(
        {"period": pd.to_datetime(["2011-11-01"]), "units": [12], "revenue": [35.4]}
    )
    fig = trend_figures.product_sales_figure(sales)
    assert fig["layout"]["xaxis"]["tickvals"] == ["2011-11-01"]
    assert fig["data"][0]["width"][0] >= 20 * 86_400_000
