"""Pure layout pieces and figure builders: frames in, figures/layout out."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from dash import html
from helpers import text_of

from components import (
    customer_figures,
    figures,
    periods,
    segment_figures,
    trend_figures,
)
from components import format as fmt
from components.export import neutralise, safe_csv
from components.geo import iso3
from components.layout import empty_state, kpi_card, table
from components.theme import base_layout, empty_figure

SEGMENTS = ["High-Value", "Regular", "Occasional", "At-Risk"]


def _annotation_text(fig):
    return " ".join(a["text"] for a in fig["layout"].get("annotations", []))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234567.891, "£1,234,568"), (12.5, "£12.50"), (-1500, "-£1,500"), (None, "–")],
)
def test_money(value, expected):
    assert fmt.money(value) == expected


def test_percent_count_change():
    assert fmt.pct(0.1234) == "12.3%"
    assert fmt.count(12345.4) == "12,345"
    assert fmt.signed_pct(0.052) == "+5.2%"
    assert fmt.change(110, 100) == pytest.approx(0.1)
    assert fmt.change(5, 0) is None
    assert fmt.pct(float("nan")) == "–"


@pytest.mark.parametrize(
    ("value", "number", "money"),
    [
        (0.0, "0", "£0"),
        (0.5, "0.5", "£0.5"),
        (620.4, "620", "£620"),
        (999.6, "1k", "£1k"),  # rounded before its suffix is chosen
        (11_180.4, "11.2k", "£11.2k"),
        (112_345.0, "112k", "£112k"),
        (999_600.0, "1M", "£1M"),
        (1_234_567.0, "1.23M", "£1.23M"),
        (4e9, "4bn", "£4bn"),
        (1.5e12, "1,500bn", "£1,500bn"),
        (-1500.0, "-1.5k", "-£1.5k"),
        (-0.0001, "-0.0001", "-£0.0001"),
        (float("nan"), "–", "–"),
        (None, "–", "–"),
    ],
)
def test_short_numbers_have_three_figures_and_one_suffix_each(value, number, money):
    assert fmt.short_number(value) == number
    assert fmt.short_money(value) == money


def test_sales_trend_figure_has_revenue_and_orders():
    trend = pd.DataFrame(
        {
            "period": pd.to_datetime(["2011-01-03", "2011-01-10"]),
            "revenue": [100.0, 250.5],
            "orders": [2.0, 5.0],
            "units": [10.0, 20.0],
        }
    )
    fig = trend_figures.sales_trend_figure(trend, "week")
    bars, line = fig["data"]
    assert bars["x"] == ["2011-01-03", "2011-01-10"]
    assert bars["y"] == [100.0, 250.5]
    assert line["yaxis"] == "y2" and line["y"] == [2.0, 5.0]
    assert fig["layout"]["yaxis"]["tickprefix"] == "£"


def test_both_sales_over_time_figures_share_their_twin_axis_layout():
    # The settings each builder spelled out before they shared over_time_layout.
    sales = pd.DataFrame(
        {
            "period": pd.to_datetime(["2011-10-01", "2011-11-01", "2011-12-01"]),
            "revenue": [1e4, 2e4, 3e3],
            "orders": [30.0, 50.0, 8.0],
            "units": [100.0, 240.0, 20.0],
        }
    )
    shown = ("2010-12-01", "2011-12-09")  # December 2011 is partial
    legend = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}
    right = {"overlaying": "y", "side": "right", "showgrid": False}
    trend = trend_figures.sales_trend_figure(sales, "month", shown)["layout"]
    left_axis = {k: v for k, v in trend["yaxis"].items() if k in ("range", "dtick")}
    right_axis = {k: v for k, v in trend["yaxis2"].items() if k in ("range", "dtick")}
    ticks = {"tickmode": "linear", "tick0": 0}
    assert trend == base_layout(
        yaxis={
            "title": {"text": "Revenue (£)"},
            "tickprefix": "£",
            "tickformat": "~s",
            "rangemode": "tozero",
            **ticks,
            **left_axis,
        },
        yaxis2={
            "title": {"text": "Orders"},
            "tickformat": "~s",
            **right,
            "rangemode": "tozero",
            **ticks,
            **right_axis,
        },
        xaxis={"type": "date", "dtick": "M1", "tickformat": "%b %Y"},
        bargap=0.15,
        barmode="overlay",
        legend=legend,
        margin={"r": 56, "t": 16},
    )
    product = trend_figures.product_sales_figure(sales, "month", shown)["layout"]
    left_axis = {k: v for k, v in product["yaxis"].items() if k in ("range", "dtick")}
    right_axis = {k: v for k, v in product["yaxis2"].items() if k in ("range", "dtick")}
    assert product == base_layout(
        xaxis={"type": "date", "dtick": "M1", "tickformat": "%b %Y"},
        yaxis={
            "title": {"text": "Units"},
            "tickformat": "~s",
            "rangemode": "tozero",
            **ticks,
            **left_axis,
        },
        yaxis2={
            "title": {"text": "Revenue (£)"},
            "tickprefix": "£",
            "tickformat": "~s",
            **right,
            "rangemode": "tozero",
            **ticks,
            **right_axis,
        },
        legend=legend,
        barmode="overlay",
        margin={"r": 64, "t": 16},
    )


@pytest.mark.parametrize(
    "builder",
    [
        lambda e: trend_figures.sales_trend_figure(e),
        lambda e: figures.country_bar_figure(e),
        lambda e: figures.country_map_figure(e.assign(country=[])),
        lambda e: figures.pareto_figure(e),
        lambda e: trend_figures.product_sales_figure(e),
    ],
)
def test_empty_frames_give_a_message_not_an_error(builder):
    fig = builder(pd.DataFrame({"revenue": []}))
    assert fig["data"] == []
    assert "No" in _annotation_text(fig)


def test_country_map_merges_names_of_one_country_and_skips_unknown():
    by_country = pd.DataFrame(
        {
            "country": ["United Kingdom", "Channel Islands", "France", "Unspecified"],
            "revenue": [1000.0, 10.0, 100.0, 5.0],
        }
    )
    trace = figures.country_map_figure(by_country)["data"][0]
    assert trace["locations"] == ["FRA", "GBR"]
    assert trace["customdata"] == [100.0, 1010.0]
    assert trace["locationmode"] == "ISO-3"
    assert iso3("EIRE") == "IRL" and iso3("Unspecified") is None


def test_map_colours_two_close_countries_alike_and_labels_its_scale():
    # Stretched from min to max, Germany (£201k) drew darkest and France (£182k)
    # all but blank, under a colour bar whose decade ticks were all outside it.
    by_country = pd.DataFrame(
        {"country": ["Germany", "France"], "revenue": [201_000.0, 182_000.0]}
    )
    trace = figures.country_map_figure(by_country)["data"][0]
    share = [(z - trace["zmin"]) / (trace["zmax"] - trace["zmin"]) for z in trace["z"]]
    assert min(share) > 0.9
    bar = trace["colorbar"]
    assert bar["ticktext"] == ["£50k", "£100k", "£200k"]
    assert all(trace["zmin"] <= t <= trace["zmax"] for t in bar["tickvals"])


def test_top_products_figure_ranks_biggest_on_top():
    top = pd.DataFrame(
        {
            "stock_code": ["A", "B", "A"],
            "description": ["APPLE", "BANANA " * 10, "APPLE"],
            "units": [50.0, 40.0, 50.0],
            "revenue": [10.0, 90.0, 10.0],
            "ranked_by": ["units", "units", "revenue"],
        }
    )
    trace = figures.top_products_figure(top, "units")["data"][0]
    assert trace["x"] == [40.0, 50.0]  # plotly draws the last bar on top
    assert trace["y"][0].endswith("…")
    assert figures.top_products_figure(top, "revenue")["data"][0]["x"] == [10.0]


def test_pareto_figure_marks_point_and_labels_it():
    curve = pd.DataFrame(
        {
            "share_of_entities": [0.0, 0.2, 0.5, 1.0],
            "share_of_revenue": [0.0, 0.8, 0.95, 1.0],
            "at_80": [False, True, False, False],
        }
    )
    fig = figures.pareto_figure(curve)
    assert fig["data"][-1]["x"] == [0.2]
    assert "20.0% of customers" in _annotation_text(fig)
    assert figures.pareto_share_at_80(curve) == 0.2


def _rfm():
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "recency_days": [5, 50, 300],
            "frequency": [20, 3, 1],
            "monetary": [5000.0, 300.0, 20.0],
            "segment": ["High-Value", "Regular", "At-Risk"],
            "pc1": [1.0, 0.0, -1.0],
            "pc2": [0.5, 0.0, -0.5],
            "pc3": [0.1, 0.0, -0.1],
        }
    )


def test_pca_3d_one_trace_per_present_segment_and_highlight_dims_others():
    fig = segment_figures.pca_3d_figure(_rfm(), SEGMENTS, [0.7, 0.2, 0.1], "Regular")
    names = [t["name"] for t in fig["data"]]
    assert names == ["High-Value (1)", "Regular (1)", "At-Risk (1)"]
    opacity = {t["name"]: t["marker"]["opacity"] for t in fig["data"]}
    assert opacity["Regular (1)"] > opacity["High-Value (1)"]
    assert fig["layout"]["scene"]["xaxis"]["title"]["text"] == "PC1 (70%)"


def test_rfm_distribution_has_three_panels():
    fig = segment_figures.rfm_distribution_figure(_rfm(), SEGMENTS)
    assert {t["xaxis"] for t in fig["data"]} == {"x", "x2", "x3"}
    assert fig["layout"]["yaxis3"]["type"] == "log"
    # Log axes over two decades or more label powers of ten only (frequency 1–20
    # keeps plotly's 2-and-5 labels; monetary 20–5,000 does not).
    assert fig["layout"]["yaxis2"]["tickvals"] == [1, 2, 5, 10, 20]
    assert fig["layout"]["yaxis3"]["tickvals"] == [100, 1_000]
    assert "dtick" not in fig["layout"]["yaxis"]  # recency: linear
    empty = segment_figures.rfm_distribution_figure(_rfm().iloc[0:0], SEGMENTS)
    assert "No customers" in _annotation_text(empty)


def test_elbow_and_silhouette_mark_chosen_k():
    scan = pd.DataFrame(
        {"k": [2, 3, 4], "inertia": [9.0, 6.0, 4.0], "silhouette": [0.4, 0.3, 0.35]}
    )
    fig = segment_figures.elbow_figure(scan, 4)
    assert fig["data"][1]["x"] == [4] and fig["data"][1]["y"] == [4.0]
    assert segment_figures.silhouette_figure(scan, 3)["data"][1]["y"] == [0.3]
    assert "No KMeans" in _annotation_text(segment_figures.elbow_figure(None))


def test_customer_rfm_figure_compares_with_segment_median():
    profile = {
        "recency_days": 10,
        "frequency": 4,
        "monetary": 250.0,
        "segment_median": {"recency_days": 20.0, "frequency": 3.0, "monetary": 100.0},
    }
    fig = customer_figures.customer_rfm_figure(profile)
    assert [t["y"] for t in fig["data"]] == [[10, 20], [4, 3], [250, 100]]


def test_formula_cells_are_neutralised_in_csv_export():
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "country": ["=1+1", "+cmd", "@SUM(A1)", "France"],
            "note": ["-2", "\tx", "\rx", "ok"],
            "pc1": [-1.5, 0.0, 2.0, 1.0],
        }
    )
    text = safe_csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert back["country"].tolist() == ["'=1+1", "'+cmd", "'@SUM(A1)", "France"]
    assert back["note"].tolist()[:1] == ["'-2"]
    assert back["pc1"].tolist() == [-1.5, 0.0, 2.0, 1.0]  # numbers stay numbers
    assert neutralise(5) == 5


def test_kpi_card_shows_direction_of_change():
    up = text_of(kpi_card("Revenue", "£10", 0.1, "vs last"))
    down = text_of(kpi_card("Revenue", "£10", -0.25, "vs last"))
    none = text_of(kpi_card("Revenue", "£10", None, ""))
    assert "▲ +10.0%" in up and "▼ -25.0%" in down and "no earlier data" in none
    # No change (1 order against 1, or under 0.05 %) is neither a rise nor a fall.
    for change in (0.0, 0.0004, -0.0004):
        flat = text_of(kpi_card("Orders", "1", change, "vs last"))
        assert "0.0%" in flat and "▲" not in flat and "▼" not in flat


def test_table_formats_and_highlights_rows_and_escapes_nothing():
    rows = [{"name": "<b>x</b>", "value": 1234.5}, {"name": "y", "value": 2.0}]
    t = table(
        rows,
        [("name", "Name", None), ("value", "£", fmt.money)],
        "none",
        row_key="name",
        highlight="y",
    )
    text = text_of(t)
    assert "<b>x</b>" in text  # shown as text: React escapes it
    assert "£1,234" in text
    body_rows = t.children[1].children
    assert body_rows[1].className == "table-active"
    assert isinstance(table([], [], "Nothing here"), html.Div)
    assert "Nothing here" in text_of(empty_state("Nothing here"))


def test_a_phone_folds_the_code_column_under_the_product_name():
    # Below 576 px the Code column is hidden and each code shown, muted, under
    # its product: a recommendation list fits a 390 px screen (bootstrap's d-*
    # classes; nothing changes from 576 px on).
    rows = [{"description": "WHITE HANGING HEART", "code": "85123A", "n": 3}]
    columns = [("description", "Product", None), ("code", "Code", None)]
    columns.append(("n", "N", fmt.count))
    t = table(rows, columns, phone_folded={"code": "description"})
    head, body = t.children[0].children.children, t.children[1].children[0].children
    assert [c.className for c in head] == [None, "d-none d-sm-table-cell", "text-end"]
    assert [c.className for c in body] == [None, "d-none d-sm-table-cell", "text-end"]
    name, under = body[0].children
    assert name == "WHITE HANGING HEART"
    assert under.children == "85123A" and "d-sm-none" in under.className
    plain = table(rows, columns).children[1].children[0].children
    assert plain[0].children == "WHITE HANGING HEART" and plain[1].className is None


def test_empty_figure_says_why():
    assert _annotation_text(empty_figure("No sales")) == "No sales"


def test_customer_history_with_one_month_has_a_readable_axis():
    from components.customer_figures import customer_history_figure

    history = pd.DataFrame(
        {"period": [pd.Timestamp("2010-12-01")], "revenue": [5391.21], "orders": [34]}
    )
    figure = customer_history_figure(history)
    start, end = (pd.Timestamp(x) for x in figure["layout"]["xaxis"]["range"])
    assert end - start >= pd.Timedelta(days=30)
    assert figure["layout"]["xaxis"]["tickformat"] == "%b %Y"
    assert figure["data"][0]["width"][0] >= 20 * 86_400_000


def test_the_last_months_label_is_not_hidden_for_running_past_the_edge():
    # On a 390 px phone plotly hid "Dec 2011" under a customer's last bar: its
    # default on date axes hides a label past the graph's edge before automargin
    # makes room, and room was made for the labels left.
    from components.customer_figures import customer_history_figure

    history = pd.DataFrame(
        {
            "period": pd.to_datetime(["2011-07-01", "2011-12-01"]),
            "revenue": [404.0, 520.0],
            "orders": [1, 1],
        }
    )
    layout = customer_history_figure(history)["layout"]
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["ticklabeloverflow"] == "allow"
        assert layout[axis]["automargin"] is True


def test_a_few_months_get_a_tick_under_each_monthly_bar():
    # Jan–Mar 2011 by month: plotly ticked "Dec 19 2010", "Jan 2"…, and January's
    # bar (centred on 1 Jan) read as December's.
    sales = pd.DataFrame(
        {
            "period": pd.to_datetime(["2011-01-01", "2011-02-01", "2011-03-01"]),
            "revenue": [100.0, 120.0, 90.0],
            "orders": [10, 12, 9],
            "customers": [5, 6, 4],
            "units": [50, 60, 45],
        }
    )
    shown = ("2011-01-01", "2011-03-31")
    for figure in (
        trend_figures.sales_trend_figure(sales, "month", shown),
        trend_figures.product_sales_figure(sales, "month", shown),
    ):
        axis = figure["layout"]["xaxis"]
        assert (axis["dtick"], axis["tickformat"]) == ("M1", "%b %Y")
    weekly = trend_figures.sales_trend_figure(sales, "week", shown)["layout"]["xaxis"]
    assert "dtick" not in weekly
    months = [f"20{y:02d}-{m:02d}-01" for y in (9, 10, 11) for m in range(1, 13)]
    assert periods.period_layout(months, "month") == ({}, {})


def test_every_money_axis_labels_pounds_alike():
    """ "£1k" on every chart, never "£1000" on one and "£1k" on the next (plotly's
    own labels switch at £10k)."""
    from components.customer_figures import customer_history_figure

    months = pd.to_datetime(["2011-10-01", "2011-11-01"])
    sales = pd.DataFrame(
        {"period": months, "revenue": [900.0, 1500.0], "orders": [3.0, 5.0]}
    )
    sales["units"] = [10.0, 20.0]
    top = pd.DataFrame(
        {
            "stock_code": ["A", "B"],
            "description": ["APPLE", "PEAR"],
            "units": [5.0, 4.0],
            "revenue": [1500.0, 900.0],
            "ranked_by": ["revenue", "revenue"],
        }
    )
    countries = pd.DataFrame({"country": ["France", "Spain"], "revenue": [1500.0, 9.0]})
    built = [
        trend_figures.sales_trend_figure(sales, "month"),
        trend_figures.product_sales_figure(sales, "month"),
        figures.top_products_figure(top, "revenue"),
        figures.country_bar_figure(countries),
        customer_history_figure(sales),
    ]
    money = [
        axis
        for fig in built
        for name, axis in fig["layout"].items()
        if name.startswith(("xaxis", "yaxis")) and "£" in str(axis.get("title"))
    ]
    assert len(money) == len(built)
    for axis in money:
        assert (axis["tickprefix"], axis["tickformat"]) == ("£", "~s")


def test_count_axes_label_their_ticks_alike():
    # plotly's own labels wrote "1000" on one chart and "2.5k" on the next.
    sales = pd.DataFrame(
        {
            "period": pd.to_datetime(["2011-10-01", "2011-11-01"]),
            "revenue": [1e4, 2e4],
            "orders": [300.0, 1200.0],
            "units": [1000.0, 2400.0],
        }
    )
    top = pd.DataFrame(
        {
            "stock_code": ["A", "B"],
            "description": ["ONE", "TWO"],
            "units": [1500.0, 800.0],
            "revenue": [10.0, 20.0],
            "ranked_by": ["units", "units"],
        }
    )
    built = [
        trend_figures.sales_trend_figure(sales, "month")["layout"]["yaxis2"],
        trend_figures.product_sales_figure(sales, "month")["layout"]["yaxis"],
        figures.top_products_figure(top, "units")["layout"]["xaxis"],
    ]
    profile = {
        "recency_days": 1200,
        "frequency": 40,
        "monetary": 250.0,
        "segment_median": {"recency_days": 20.0, "frequency": 3.0, "monetary": 1e4},
    }
    rfm = customer_figures.customer_rfm_figure(profile)["layout"]
    built += [rfm["yaxis"], rfm["yaxis2"]]  # days, orders
    for axis in built:
        assert axis["tickformat"] == "~s", axis


def test_the_calendar_opens_on_the_end_month_and_the_one_before():
    from components.layout import _calendar_month

    # Two months shown: November and December 2011, not December and January.
    assert _calendar_month("2011-12-09", "2010-12-01") == "2011-11-01"
    assert _calendar_month("2010-12-20", "2010-12-01") == "2010-12-01"


def test_period_dates_are_written_unpadded():
    from components.periods import PERIOD_FORMAT

    # d3's "%-d": "week of 5 Dec 2011", as every other date on the pages.
    assert PERIOD_FORMAT["week"] == "week of %-d %b %Y"
    assert PERIOD_FORMAT["day"] == "%-d %b %Y"
