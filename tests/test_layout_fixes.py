"""Layout fixes seen in headless Chromium on Online Retail: the segment profile
table's width, empty-chart messages on a phone, partial months on the product
chart, periods without sales on the trend, and the Pareto chart's 100% tick."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dash import html
from helpers import walk

from callbacks import products, segments
from components import figures, periods, segment_figures, trend_figures
from components.theme import empty_figure, wrap_message
from dashboard.queries import Filters

ONLINE_RETAIL_DAYS = ("2010-12-01", "2011-12-09")


# -- 1. Segment profiles fit a half-width card -------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (11180.4, "£11.2k"),
        (2013.0, "£2.01k"),
        (620.4, "£620"),
        (999.6, "£1k"),
        (112_345.0, "£112k"),
        (1_234_567.0, "£1.23M"),
        (0.0, "£0"),
    ],
)
def test_lay001_compact_money_has_three_figures_and_the_exact_tooltip(value, text):
    shown = segments.compact_money(value)
    assert isinstance(shown, html.Span)
    assert shown.children == text
    assert shown.title.startswith("£")  # the exact amount, pence included
    assert segments.compact_money(float("nan")) == "–"


def test_lay002_profile_table_is_compact_with_short_headers(data):
    shown = segments.profile_table(data.window_rfm(Filters()))
    headers = [c.children for c in walk(shown) if isinstance(c, html.Th)]
    assert headers == ["Segment", "Customers", "Share", "Revenue", "R", "F", "M"]
    assert "profile-table" in shown.className.split()
    cells = [c for c in walk(shown) if isinstance(c, html.Td)]
    money = [c.children for c in cells[6::7]]
    assert all(isinstance(m, html.Span) and len(m.children) <= 6 for m in money)


# -- 2. Empty-chart messages fit a phone ------------------------------------------
MESSAGES = [
    "No sales of this product match these filters",
    figures.NO_DATA,
    segment_figures.NO_CUSTOMERS,
    "No purchases recorded for this customer",
    "No KMeans scan in this bundle",
    "Choose a product",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_lay003_empty_messages_wrap_at_30_characters(message):
    text = empty_figure(message)["layout"]["annotations"][0]["text"]
    lines = text.split("<br>")
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == message
    if len(message) <= 30:
        assert lines == [message]


def test_lay004_wrapped_lines_are_even_and_the_message_centred():
    assert (
        wrap_message("No sales of this product match these filters")
        == "No sales of this product<br>match these filters"
    )
    # A word longer than a line keeps its line, whole.
    assert wrap_message("x" * 40) == "x" * 40
    layout = empty_figure("Nothing")["layout"]
    assert layout["margin"]["l"] == layout["margin"]["r"]


# -- 3. The product chart marks its partial months --------------------------------
def _sales(periods, units=None) -> pd.DataFrame:
    periods = pd.to_datetime(periods)
    n = len(periods)
    units = np.asarray(units if units is not None else [100.0] * n, "float64")
    return pd.DataFrame({"period": periods, "units": units, "revenue": units * 2.5})


def test_lay005_product_partial_last_month_is_hatched_and_dotted():
    sales = _sales(["2011-10-01", "2011-11-01", "2011-12-01"], [100, 120, 30])
    fig = trend_figures.product_sales_figure(sales, "month", ONLINE_RETAIL_DAYS)
    bars, solid, dotted, key = fig["data"]
    assert bars["marker"]["pattern"]["shape"] == ["", "", "/"]
    assert bars["marker"]["color"][:2] == ["#00a676", "#00a676"]
    assert "1–9 Dec 2011" in bars["customdata"][2]
    assert "%{customdata}" in bars["hovertemplate"]
    assert solid["y"] == [250.0, 300.0, None] and solid["yaxis"] == "y2"
    assert dotted["x"] == ["2011-11-01", "2011-12-01"]
    assert dotted["line"]["dash"] == "dot" and dotted["showlegend"] is False
    # Both parts of the line in one legend group: one legend row on a desktop.
    assert solid["legendgroup"] == dotted["legendgroup"]
    assert key["name"] == "Partial month" and key["x"] == [None]
    assert fig["layout"]["barmode"] == "overlay"
    # Whole months shown: the plain figure.
    plain = trend_figures.product_sales_figure(
        sales, "month", ("2011-10-01", "2011-12-31")
    )
    assert len(plain["data"]) == 2 and "pattern" not in plain["data"][0]["marker"]


def test_lay006_product_callback_passes_the_days_shown(data):
    code = str(data.bundle().products.sort_values("revenue")["stock_code"].iloc[-1])
    months = data.product_sales(code, Filters(), "month")["period"]
    # A filter from the 2nd of a month the product sold in after the 1st.
    for month in months.iloc[1:]:
        f = Filters(start=f"{month + pd.Timedelta(days=1):%Y-%m-%d}")
        if (data.product_sales(code, f, "month")["period"] == month).any():
            break
    _, fig, _, _ = products.product_outputs(data, code, f)
    bars = fig["data"][0]
    notes = dict(zip(bars["x"], bars["customdata"], strict=True))
    assert notes[f"{month:%Y-%m-%d}"].startswith("<br><i>partial: 2–")


# -- 4. Periods without sales are not bridged ---------------------------------------
def _trend(periods, orders) -> pd.DataFrame:
    periods = pd.to_datetime(periods)
    orders = np.asarray(orders, "float64")
    return pd.DataFrame(
        {"period": periods, "revenue": orders * 100, "orders": orders, "units": orders}
    )


def test_lay007_a_week_without_sales_is_a_zero():
    # Online Retail: no invoices from 24 Dec 2010 to 3 Jan 2011.
    weeks = ["2010-12-13", "2010-12-20", "2011-01-03"]
    fig = trend_figures.sales_trend_figure(_trend(weeks, [40, 25, 30]), "week")
    bars, line = fig["data"]
    assert bars["x"] == ["2010-12-13", "2010-12-20", "2010-12-27", "2011-01-03"]
    assert bars["y"] == [4000.0, 2500.0, 0.0, 3000.0]
    assert line["y"] == [40.0, 25.0, 0.0, 30.0]
    months = ["2011-01-01", "2011-03-01"]
    fig = trend_figures.sales_trend_figure(_trend(months, [5, 6]), "month")
    assert fig["data"][1]["x"] == ["2011-01-01", "2011-02-01", "2011-03-01"]
    assert fig["data"][1]["y"] == [5.0, 0.0, 6.0]


def test_lay008_days_without_sales_break_the_line():
    # Thu, Fri, (no Saturday), Sun, (bank holiday Monday), Tue.
    days = ["2011-04-28", "2011-04-29", "2011-05-01", "2011-05-03"]
    fig = trend_figures.sales_trend_figure(_trend(days, [10, 12, 4, 15]), "day")
    bars, line, lone = fig["data"]
    assert line["x"] == [
        "2011-04-28",
        "2011-04-29",
        "2011-04-30",
        "2011-05-01",
        "2011-05-02",
        "2011-05-03",
    ]
    assert line["y"] == [10.0, 12.0, None, 4.0, None, 15.0]
    assert line["connectgaps"] is False
    assert bars["y"][2] is None and bars["y"][4] is None
    # A day with a closed day on both sides gets a dot: a line draws nothing.
    assert lone["mode"] == "markers" and lone["showlegend"] is False
    assert lone["x"] == ["2011-05-01", "2011-05-03"] and lone["y"] == [4.0, 15.0]
    assert lone["yaxis"] == "y2"


def test_lay009_complete_periods_leaves_whole_frames_alone():
    frame = _trend(["2011-01-03", "2011-01-10"], [1, 2])
    assert periods.complete_periods(frame, "week") is frame
    one = _trend(["2011-01-03"], [1])
    assert periods.complete_periods(one, "day") is one


def test_lay010_trend_callback_shows_closed_weeks(data):
    from callbacks import overview

    fig = overview.trend_output(data, Filters(), "week")
    x = pd.to_datetime(pd.Series(fig["data"][0]["x"])).sort_values()
    assert (x.diff().dropna() == pd.Timedelta(days=7)).all()


# -- 5. Pareto axes end at 100% -----------------------------------------------------
def test_lay011_pareto_axes_tick_every_20_percent_to_100():
    curve = pd.DataFrame(
        {
            "share_of_entities": [0.0, 0.25, 1.0],
            "share_of_revenue": [0.0, 0.8, 1.0],
            "at_80": [False, True, False],
        }
    )
    layout = figures.pareto_figure(curve)["layout"]
    for key in ("xaxis", "yaxis"):
        axis = layout[key]
        assert axis["tickmode"] == "linear"
        assert axis["tick0"] == 0 and axis["dtick"] == 0.2
        low, high = axis["range"]
        assert low <= 0 and high >= 1  # the 0% and 100% ticks are in range
        assert axis["tickformat"] == ".0%"
