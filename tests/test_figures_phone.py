"""Figures that stay readable on a phone (390 px) and a desktop (1366 px): top
products, RFM distributions, the Pareto label, the map's colourbar and partial
periods of the sales trend. A figure cannot know the screen's width, so each test
checks a layout that works at both."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from callbacks import overview
from components import figures, periods, segment_figures, trend_figures
from dashboard.queries import Filters

SEGMENTS = ["High-Value", "Regular", "Occasional", "At-Risk"]
# Online Retail's first and last day with sales.
ONLINE_RETAIL_DAYS = ("2010-12-01", "2011-12-09")


def _lines(label: str) -> list[str]:
    """A label's lines as they read (plotly decodes entities)."""
    return [html.unescape(line) for line in label.split("<br>")]


# -- Top products --------------------------------------------------------------------
def _top(descriptions, by="units", codes=None):
    n = len(descriptions)
    values = np.arange(n, 0, -1, dtype="float64") * 1000
    return pd.DataFrame(
        {
            "stock_code": codes or [f"C{i}" for i in range(n)],
            "description": descriptions,
            "units": values,
            "revenue": values * 2.5,
            "ranked_by": [by] * n,
        }
    )


ONLINE_RETAIL_TOP = [
    "PAPER CRAFT , LITTLE BIRDIE",
    "MEDIUM CERAMIC TOP STORAGE JAR",
    "WORLD WAR 2 GLIDERS ASSTD DESIGNS",
    "JUMBO BAG RED RETROSPOT",
    "WHITE HANGING HEART T-LIGHT HOLDER",
    "POPCORN HOLDER",
    "ASSORTED COLOUR BIRD ORNAMENT",
    "PACK OF 72 RETROSPOT CAKE CASES",
    "RABBIT NIGHT LIGHT",
    "MINI PAINT SET VINTAGE",
]


@pytest.mark.parametrize("by", ["units", "revenue"])
def test_ph001_top_product_names_wrap_on_two_short_lines(by):
    fig = figures.top_products_figure(_top(ONLINE_RETAIL_TOP, by), by)
    trace = fig["data"][0]
    assert trace["orientation"] == "h"
    for label in trace["y"]:
        lines = _lines(label)
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 20 for line in lines)
    # Whole words: "WHITE HANGING HEART T-LIGHT HOLDER" fits two lines of 20.
    assert "WHITE HANGING HEART<br>T-LIGHT HOLDER" in trace["y"]
    # The full name and the code are in the hover.
    names = [row[0] for row in trace["customdata"]]
    assert set(names) == set(ONLINE_RETAIL_TOP)
    assert "%{customdata[0]}" in trace["hovertemplate"]
    assert fig["layout"]["yaxis"]["type"] == "category"


def test_ph002_product_label_shortens_past_two_lines_and_escapes():
    label = figures.product_label("SET OF 3 CAKE TINS PANTRY DESIGN & MORE STUFF")
    first, second = _lines(label)
    assert second.endswith("…") and len(second) <= 20
    assert "&amp;" in label  # plotly reads tick labels as HTML
    assert figures.product_label("<b>X</b>") == "&lt;b&gt;X&lt;/b&gt;"
    assert figures.product_label("  SPACED   OUT  ") == "SPACED OUT"


@pytest.mark.parametrize("by", ["units", "revenue"])
def test_ph003_top_products_value_axis_has_few_level_ticks(by):
    fig = figures.top_products_figure(_top(ONLINE_RETAIL_TOP, by), by)
    xaxis = fig["layout"]["xaxis"]
    peak = max(fig["data"][0]["x"])
    # Four steps at most cover the longest bar: labels fit level on a phone.
    assert xaxis["tickmode"] == "linear" and xaxis["dtick"] * 4 >= peak
    assert "tickangle" not in xaxis or xaxis["tickangle"] == 0


def test_ph004_same_names_stay_separate_bars_and_few_bars_stay_thin():
    fig = figures.top_products_figure(
        _top(["RED BAG", "RED BAG", "BLUE BAG"], codes=["1", "2", "3"]), "units"
    )
    trace = fig["data"][0]
    assert len(set(trace["y"])) == 3
    assert any("(1)" in label for label in trace["y"])
    ten = figures.top_products_figure(_top(ONLINE_RETAIL_TOP), "units")["data"][0]
    assert trace["width"] < ten["width"] <= 0.8


# -- RFM distributions ----------------------------------------------------------------
def _rfm(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "recency_days": rng.integers(0, 370, rows),
            "frequency": rng.integers(1, 200, rows),
            "monetary": rng.uniform(5, 250_000, rows),
            "segment": [SEGMENTS[i % 4] for i in range(rows)],
        }
    )


def test_ph005_rfm_panels_are_titled_above_not_under_each_other():
    fig = segment_figures.rfm_distribution_figure(_rfm(), SEGMENTS)
    layout = fig["layout"]
    titles = layout["annotations"]
    assert len(titles) == 3
    for suffix, title in zip(("", "2", "3"), titles, strict=True):
        xaxis = layout["xaxis" + suffix]
        assert "title" not in xaxis or not xaxis["title"].get("text")
        low, high = xaxis["domain"]
        assert title["x"] == pytest.approx((low + high) / 2)
        assert title["xref"] == "paper" and title["y"] >= 1
        assert title["yanchor"] == "bottom" and title["xanchor"] == "center"
        # Short lines: a phone gives each panel about 90 px.
        plain = title["text"].replace("<b>", "").replace("</b>", "")
        assert all(len(line) <= 10 for line in _lines(plain))
    assert [t["text"].split("<br>")[0] for t in titles] == [
        "<b>Recency</b>",
        "<b>Frequency</b>",
        "<b>Monetary</b>",
    ]
    # Room above the plots for two-line titles.
    assert layout["margin"]["t"] >= 40


def test_ph006_rfm_panels_leave_a_gap_for_their_tick_labels():
    layout = segment_figures.rfm_distribution_figure(_rfm(), SEGMENTS)["layout"]
    domains = [layout[k]["domain"] for k in ("xaxis", "xaxis2", "xaxis3")]
    for (_, left_end), (right_start, _) in zip(domains, domains[1:], strict=False):
        assert right_start - left_end >= 0.07


def test_ph007_rfm_legend_shows_every_segment_in_rows_of_its_own():
    fig = segment_figures.rfm_distribution_figure(_rfm(), SEGMENTS)
    legend = fig["layout"]["legend"]
    # Measured from the figure's bottom edge: plotly reserves the margin for as
    # many rows as the legend wraps into (a paper-relative one was cut to two).
    assert legend["orientation"] == "h"
    assert legend["yref"] == "container" and legend["yanchor"] == "bottom"
    shown = [t["name"] for t in fig["data"] if t["showlegend"]]
    assert shown == SEGMENTS


# -- Pareto ---------------------------------------------------------------------------
def _curve(x80: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "share_of_entities": [0.0, x80, 1.0],
            "share_of_revenue": [0.0, 0.8, 1.0],
            "at_80": [False, True, False],
        }
    )


@pytest.mark.parametrize("x80", [0.02, 0.261, 0.35, 0.4])
def test_ph008_pareto_label_runs_right_of_a_point_on_the_left(x80):
    label = figures.pareto_figure(_curve(x80))["layout"]["annotations"][0]
    assert (label["x"], label["y"]) == (pytest.approx(x80), pytest.approx(0.8))
    # The text starts at the arrow's tail, under the point or left of it: never
    # over the y axis's "60%" (centred on the tail, it reached back over it on a
    # phone).
    assert label["xanchor"] == "left" and label["axref"] == "x"
    assert 0 <= label["ax"] <= x80
    assert label["yanchor"] == "top" and label["ay"] > 0  # below the curve
    assert all(len(line) <= 18 for line in _lines(label["text"]))
    assert f"{x80:.1%} of customers" in label["text"]


@pytest.mark.parametrize(
    "x80", [0.0, 0.1, 0.27, 0.35, 0.4, 0.41, 0.5, 0.59, 0.6, 0.7, 1.0]
)
@pytest.mark.parametrize("width", [170, 255, 1000])
def test_ph009_pareto_label_stays_inside_a_phone_plot_wherever_its_point(x80, width):
    """A 320 px phone's plot is about 170 px wide (390 px: 255) and the label
    about 127 px: two lines starting 24 px right of a point at 27% ran off the
    figure at 320 px. Its tail is in the plot's coordinates (``axref`` x)."""
    label = figures.pareto_figure(_curve(x80))["layout"]["annotations"][0]
    assert label["axref"] == "x" and label["yanchor"] == "top"
    # Away from the point on the side with room: right of it up to 40%, centred
    # under it to 60%, left of it beyond.
    side = "left" if x80 <= 0.4 else "center" if x80 < 0.6 else "right"
    assert label["xanchor"] == side
    text = 127
    tail = label["ax"] * width
    left = tail - {"left": 0, "center": text / 2, "right": text}[label["xanchor"]]
    # 16 px of the right margin (24 px) may hold its end; nothing reaches left
    # of the plot, over the y axis's labels.
    assert left >= 0 and left + text <= width + 16


# -- Map ------------------------------------------------------------------------------
def test_ph010_map_colourbar_lies_under_the_world():
    by_country = pd.DataFrame(
        {
            "country": ["United Kingdom", "Netherlands", "Australia", "Saudi Arabia"],
            "revenue": [7e6, 2.8e5, 1.4e5, 1.3e2],
        }
    )
    fig = figures.country_map_figure(by_country)
    bar = fig["data"][0]["colorbar"]
    geo = fig["layout"]["geo"]
    assert bar["orientation"] == "h"
    assert bar["yanchor"] == "bottom" and bar["y"] == 0
    assert bar["x"] == 0.5 and bar["xanchor"] == "center"
    # The world starts above the colourbar's strip.
    assert geo["domain"]["y"][0] >= 0.1 and geo["domain"]["x"] == [0, 1]
    # Long enough for level labels on a phone's card (about 330 px), and
    # inside it.
    assert 0.65 <= bar["len"] <= 0.9 and bar.get("lenmode", "fraction") == "fraction"
    assert bar["tickangle"] == 0
    # The decades within the colours (£130 … £7M; plotly drew no tick outside).
    assert bar["ticktext"] == ["£1k", "£10k", "£100k", "£1M"]


# -- Sales trend: partial periods ----------------------------------------------------
def _trend(periods, revenue=None) -> pd.DataFrame:
    periods = pd.to_datetime(periods)
    n = len(periods)
    revenue = np.asarray(revenue if revenue is not None else [1000.0] * n, "float64")
    return pd.DataFrame(
        {
            "period": periods,
            "revenue": revenue,
            "orders": np.arange(1, n + 1, dtype="float64") * 10,
            "units": np.arange(1, n + 1, dtype="float64") * 100,
        }
    )


def test_ph011_online_retail_first_and_last_weeks_and_last_month_are_partial():
    weeks = periods.iso_days(
        pd.Series(pd.date_range("2010-11-29", "2011-12-05", freq="7D"))
    )
    notes = periods.partial_periods(weeks, "week", ONLINE_RETAIL_DAYS)
    # Wednesday 1 Dec 2010 to Sunday 5; Monday 5 Dec 2011 to Friday 9.
    assert notes[0] == "1–5 Dec 2010" and notes[-1] == "5–9 Dec 2011"
    assert not any(notes[1:-1])
    months = periods.iso_days(
        pd.Series(pd.date_range("2010-12-01", "2011-12-01", freq="MS"))
    )
    notes = periods.partial_periods(months, "month", ONLINE_RETAIL_DAYS)
    assert notes[0] == "" and notes[-1] == "1–9 Dec 2011"
    assert not any(notes[:-1])
    # Days are never partial; nor is anything without the days shown.
    assert not any(periods.partial_periods(["2011-12-09"], "day", ONLINE_RETAIL_DAYS))
    assert not any(periods.partial_periods(weeks, "week", None))


def test_ph012_partial_spans_read_across_months_and_years():
    days = ("2011-03-31", "2011-06-20")
    notes = periods.partial_periods(["2011-03-28", "2011-06-20"], "week", days)
    assert notes == ["31 Mar – 3 Apr 2011", "20 Jun 2011"]
    notes = periods.partial_periods(
        ["2010-12-27"], "week", ("2010-12-30", "2011-01-02")
    )
    assert notes == ["30 Dec 2010 – 2 Jan 2011"]


def test_ph013_partial_bars_are_hatched_and_say_so_in_hover_and_legend():
    trend = _trend(["2011-10-01", "2011-11-01", "2011-12-01"], [9e5, 1.1e6, 5e5])
    fig = trend_figures.sales_trend_figure(trend, "month", ONLINE_RETAIL_DAYS)
    bars, solid, dotted, key = fig["data"]
    assert set(bars["x"]) == {"2011-10-01", "2011-11-01", "2011-12-01"}
    partial = {
        x: (shape, color, note)
        for x, shape, color, note in zip(
            bars["x"],
            bars["marker"]["pattern"]["shape"],
            bars["marker"]["color"],
            bars["customdata"],
            strict=True,
        )
    }
    shape, color, note = partial["2011-12-01"]
    assert shape == "/" and color != figures.PRIMARY
    assert "partial" in note and "1–9 Dec 2011" in note
    assert "%{customdata}" in bars["hovertemplate"]
    assert partial["2011-11-01"] == ("", figures.PRIMARY, "")
    # Orders: solid to the last full month, dotted into the partial one.
    assert solid["y"] == [10.0, 20.0, None]
    assert dotted["x"] == ["2011-11-01", "2011-12-01"] and dotted["y"] == [20.0, 30.0]
    assert dotted["line"]["dash"] == "dot" and dotted["showlegend"] is False
    assert "%{customdata}" in dotted["hovertemplate"]
    # The legend says what the hatch means; the key draws no bar.
    assert key["name"] == "Partial month" and key["x"] == [None]
    assert key["marker"]["pattern"]["shape"] == "/"
    assert fig["layout"]["barmode"] == "overlay"


def test_ph014_revenue_legend_swatch_is_a_full_period():
    """plotly draws a legend swatch like the trace's first point: a partial first
    week goes last, so "Revenue" does not read hatched."""
    weeks = ["2010-11-29", "2010-12-06", "2010-12-13"]
    fig = trend_figures.sales_trend_figure(
        _trend(weeks), "week", ("2010-12-01", "2010-12-19")
    )
    bars = fig["data"][0]
    assert bars["x"] == ["2010-12-06", "2010-12-13", "2010-11-29"]
    assert bars["marker"]["pattern"]["shape"] == ["", "", "/"]
    assert bars["marker"]["color"][0] == figures.PRIMARY
    assert bars["customdata"][-1].endswith("1–5 Dec 2010 only</i>")
    # The dotted orders line joins the partial first week to the second.
    assert fig["data"][2]["x"] == ["2010-11-29", "2010-12-06"]
    assert fig["data"][1]["y"] == [None, 20.0, 30.0]


def test_ph015_both_ends_partial_and_a_single_partial_period():
    weeks = ["2011-11-07", "2011-11-14", "2011-11-21"]
    fig = trend_figures.sales_trend_figure(
        _trend(weeks), "week", ("2011-11-10", "2011-11-23")
    )
    dotted = fig["data"][2]
    # No markers: plotly would pad the date axis by weeks on each side for them.
    assert dotted["mode"] == "lines"
    assert dotted["x"] == ["2011-11-07", "2011-11-14", None, "2011-11-14", "2011-11-21"]
    one = trend_figures.sales_trend_figure(
        _trend(["2011-12-01"]), "month", ONLINE_RETAIL_DAYS
    )
    bars, solid, dotted, key = one["data"]
    assert bars["marker"]["pattern"]["shape"] == ["/"]
    assert solid["y"] == [None] and dotted["x"] == ["2011-12-01"]
    assert "markers" in dotted["mode"]  # one point: a line would draw nothing


def test_ph016_full_periods_keep_the_plain_figure():
    weeks = ["2011-11-07", "2011-11-14"]
    fig = trend_figures.sales_trend_figure(
        _trend(weeks), "week", ("2011-11-07", "2011-11-20")
    )
    bars, line = fig["data"]
    assert bars["marker"] == {"color": figures.PRIMARY}
    assert "customdata" not in bars
    # A legend that wraps grows upwards, over no bar.
    legend = fig["layout"]["legend"]
    assert legend["yanchor"] == "bottom" and legend["y"] >= 1


def test_ph017_trend_callback_marks_the_filter_edges(data):
    first, last = data.date_bounds()
    assert overview.shown_days(data, Filters()) == (first, last)
    assert overview.shown_days(data, Filters(start="1990-01-01", end="2999-01-01")) == (
        first,
        last,
    )
    # A filter from mid-month: its first month is partial.
    start = pd.Timestamp(first) + pd.offsets.MonthBegin(1) + pd.Timedelta(days=14)
    f = Filters(start=f"{start:%Y-%m-%d}")
    fig = overview.trend_output(data, f, "month")
    bars = fig["data"][0]
    notes = dict(zip(bars["x"], bars["customdata"], strict=True))
    first_month = f"{start:%Y-%m}-01"
    assert f"{start.day}–" in notes[first_month]
    assert fig["data"][-1]["name"] == "Partial month"
