"""Segment and customer figures that stay readable on a phone (390 px) and a
desktop (1366 px): the customer's RFM panels, the 3D PCA scatter and the log
axes of the RFM distributions. A figure cannot know the screen's width, so each
test checks a layout that works at both."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest

from components import customer_figures, segment_figures
from components.format import short_number
from components.theme import PRIMARY, SECONDARY

SEGMENTS = ["High-Value", "Regular", "Occasional", "At-Risk"]


def _plain(text: str) -> list[str]:
    """An annotation's lines as they read, without markup."""
    for tag in ("<b>", "</b>"):
        text = text.replace(tag, "")
    return [html.unescape(line) for line in text.split("<br>")]


# -- Customer RFM -------------------------------------------------------------------
# Customers 12347 and 12349 of Online Retail, against their segments' medians.
PROFILES = [
    {
        "recency_days": 2,
        "frequency": 7,
        "monetary": 4310.0,
        "segment_median": {"recency_days": 8.0, "frequency": 10.0, "monetary": 3640.0},
    },
    {
        "recency_days": 18,
        "frequency": 1,
        "monetary": 1457.55,
        "segment_median": {"recency_days": 16.0, "frequency": 2.0, "monetary": 470.0},
    },
]


@pytest.mark.parametrize("profile", PROFILES)
def test_sp001_customer_rfm_panels_are_titled_above_on_short_lines(profile):
    layout = customer_figures.customer_rfm_figure(profile)["layout"]
    titles = [a for a in layout["annotations"] if a["yanchor"] == "bottom"]
    assert [_plain(t["text"])[0] for t in titles] == [
        "Recency",
        "Frequency",
        "Monetary",
    ]
    for suffix, title in zip(("", "2", "3"), titles, strict=True):
        xaxis = layout["xaxis" + suffix]
        # No axis titles under the panels (they ran into each other) ...
        assert not xaxis.get("title", {}).get("text")
        # ... and no tick labels under the bars (they turned upright).
        assert xaxis["showticklabels"] is False
        assert "tickangle" not in xaxis
        low, high = xaxis["domain"]
        assert title["x"] == pytest.approx((low + high) / 2)
        assert title["xref"] == "paper" and title["y"] >= 1
        assert title["xanchor"] == "center"
        # A phone gives each panel about 75 px: ten characters a line at most.
        assert all(len(line) <= 10 for line in _plain(title["text"]))
    assert layout["margin"]["t"] >= 40  # room for two-line titles


def test_sp002_customer_rfm_panels_leave_a_gap_for_their_tick_labels():
    layout = customer_figures.customer_rfm_figure(PROFILES[0])["layout"]
    domains = [layout[k]["domain"] for k in ("xaxis", "xaxis2", "xaxis3")]
    assert domains[0][0] >= 0.05  # the first panel's labels, inside the figure
    for (_, left_end), (right_start, _) in zip(domains, domains[1:], strict=False):
        # "£2.5k" is about 30 px: 0.08 of a phone's 316 px plot is 25 px.
        assert right_start - left_end >= 0.08
    assert all(0 <= low < high <= 1 for low, high in domains)


def test_sp003_customer_rfm_bars_are_told_apart_by_a_colour_key():
    fig = customer_figures.customer_rfm_figure(PROFILES[0])
    for trace in fig["data"]:
        assert trace["marker"]["color"] == [PRIMARY, SECONDARY]
        # The hover still names the bar.
        assert trace["x"] == ["This customer", "Segment median"]
        assert "%{x}" in trace["hovertemplate"]
    key = [a for a in fig["layout"]["annotations"] if a["yanchor"] == "top"]
    assert len(key) == 1 and key[0]["y"] == 0
    text = key[0]["text"]
    for colour, name in ((PRIMARY, "This customer"), (SECONDARY, "Segment median")):
        assert f"color:{colour}" in text and name in text
    assert fig["layout"]["margin"]["b"] >= 24  # the key's row


@pytest.mark.parametrize("profile", PROFILES)
def test_sp004_customer_monetary_axis_reads_pounds_with_si_suffixes(profile):
    layout = customer_figures.customer_rfm_figure(profile)["layout"]
    money = layout["yaxis3"]
    assert money["tickprefix"] == "£"
    assert money["tickformat"] == "~s"  # "£4k", "£1.5k", "£500"
    for key in ("yaxis", "yaxis2"):  # days and orders: plain counts
        assert "tickprefix" not in layout[key]
    hover = customer_figures.customer_rfm_figure(profile)["data"][2]["hovertemplate"]
    assert "£%{y:,.2f}" in hover


def test_sp005_customer_monetary_axis_below_a_pound_keeps_decimals():
    profile = {**PROFILES[0], "monetary": 2.5, "segment_median": {"monetary": 1.0}}
    money = customer_figures.customer_rfm_figure(profile)["layout"]["yaxis3"]
    assert money["dtick"] < 1
    assert money["tickformat"] != "~s"  # d3 would print £0.5 as "£500m"


# -- 3D PCA scatter -----------------------------------------------------------------
def _cloud(rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "recency_days": rng.integers(0, 370, rows),
            "frequency": rng.integers(1, 50, rows),
            "monetary": rng.uniform(5, 50_000, rows),
            "segment": [SEGMENTS[i % 4] for i in range(rows)],
            "pc1": rng.normal(0, 2, rows),
            "pc2": rng.normal(0, 1, rows),
            "pc3": rng.normal(0, 0.5, rows),
        }
    )


def test_sp006_pca_legend_dots_are_a_readable_size():
    fig = segment_figures.pca_3d_figure(_cloud(), SEGMENTS, [0.75, 0.19, 0.06])
    legend = fig["layout"]["legend"]
    # The traces' dots are 2.5 px; the legend's would be too.
    assert legend["itemsizing"] == "constant"
    assert legend["orientation"] == "h"
    assert legend["yref"] == "container" and legend["yanchor"] == "bottom"


def test_sp007_pca_scene_is_seen_from_far_enough_to_fit_a_phone():
    scene = segment_figures.pca_3d_figure(_cloud(), SEGMENTS, [0.75, 0.19, 0.06])[
        "layout"
    ]["scene"]
    eye = scene["camera"]["eye"]
    # plotly's default eye (1.25, 1.25, 1.25) and the former (1.9, 1.6, 1.1) cut
    # the PC2 and PC3 titles on a 332 px wide plot; measured in headless Chromium.
    assert math.dist((0, 0, 0), (eye["x"], eye["y"], eye["z"])) >= 3.0
    # A box taller than wide fills a phone's portrait plot better.
    ratio = scene["aspectratio"]
    assert scene["aspectmode"] == "manual"
    assert ratio["z"] >= max(ratio["x"], ratio["y"])
    # The scene leaves the bottom of the figure to the legend.
    assert scene["domain"]["y"][0] >= 0.08
    for axis in ("xaxis", "yaxis", "zaxis"):
        assert scene[axis]["nticks"] <= 6
    assert scene["zaxis"]["title"]["text"] == "PC3 (6%)"


# -- Log axes of the RFM distributions ----------------------------------------------
def _ticks(values) -> dict:
    return segment_figures._log_ticks(np.asarray(values, dtype="float64"), "log")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # At-Risk customers in Western Europe: 1 to 9 orders (plotly printed
        # "9 8 7 6 5 4 3 2" and "1" with "9 8" below).
        ([1, 2, 3, 5, 9], [1, 2, 5, 10]),  # 10: in plotly's 5% padding
        ([1, 4, 13, 70], [1, 2, 5, 10, 20, 50]),
        ([3, 5, 8], [3, 5, 7]),
        ([120, 900, 4_000], [200, 500, 1_000, 2_000]),
        ([0.4, 3, 20], [0.5, 1, 2, 5, 10, 20]),
    ],
)
def test_sp008_narrow_log_axes_label_one_two_and_five(values, expected):
    axis = _ticks(values)
    assert axis["tickmode"] == "array"
    assert axis["tickvals"] == pytest.approx(expected)
    assert "dtick" not in axis


def test_sp009_log_tick_labels_are_short_and_never_si_milli():
    axis = _ticks([0.4, 3, 20])
    assert axis["ticktext"] == ["0.5", "1", "2", "5", "10", "20"]
    axis = _ticks([150, 900, 12_000])
    assert axis["ticktext"] == ["200", "500", "1k", "2k", "5k", "10k"]
    axis = _ticks([6e8, 9e8, 3e9])
    assert axis["ticktext"] == ["1bn", "2bn", "3bn"]  # "B" before: as money reads
    assert short_number(1.5) == "1.5"
    assert short_number(2_500_000) == "2.5M"


@pytest.mark.parametrize("values", [[1, 5], [2, 2, 2], [4]])
def test_sp010_very_narrow_log_axes_still_get_ticks(values):
    axis = _ticks(values)
    assert axis["tickmode"] == "array"
    assert 1 <= len(axis["tickvals"]) <= 8
    assert len(axis["ticktext"]) == len(axis["tickvals"])


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([1, 40, 250], ["1", "10", "100"]),
        ([3, 50_000, 280_000], ["10", "100", "1k", "10k", "100k"]),
        ([0.2, 50, 9_000], ["1", "10", "100", "1k", "10k"]),
        ([0.03, 2, 40], ["0.1", "1", "10"]),
    ],
)
def test_sp011_wide_log_axes_label_powers_of_ten_only(values, labels):
    axis = _ticks(values)
    assert axis["tickmode"] == "array" and "dtick" not in axis
    # "1k", "10k", "100k" (plotly wrote "1000" next to "10k"), below 1 too.
    assert axis["ticktext"] == labels
    assert all(math.log10(t).is_integer() for t in axis["tickvals"])


def test_sp014_wide_log_axes_read_k_m_bn_whatever_their_low_end():
    # A day's window of Online Retail (11 Oct 2011): one customer spent £0.38,
    # another £7,400; plotly's own labels read "1, 10, 100, 1000, 10k".
    assert _ticks([0.38, 300, 7_400])["ticktext"] == ["1", "10", "100", "1k", "10k"]
    # d3's "~s" read a billion as "1G".
    assert _ticks([3, 40_000, 2e9])["ticktext"][-3:] == ["10M", "100M", "1bn"]


def test_sp012_log_ticks_leave_linear_axes_and_no_data_alone():
    assert segment_figures._log_ticks(np.array([1.0, 500.0]), "linear") == {}
    assert _ticks([]) == {} and _ticks([0, -1, np.nan]) == {}


def test_sp013_rfm_distribution_frequency_axis_of_a_narrow_window():
    rng = np.random.default_rng(11)
    rows = 120
    rfm = pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "recency_days": rng.integers(0, 370, rows),
            "frequency": np.r_[1, 9, rng.integers(1, 10, rows - 2)],
            "monetary": np.r_[40, 9_000, rng.uniform(40, 9_000, rows - 2)],
            "segment": ["At-Risk"] * rows,
        }
    )
    layout = segment_figures.rfm_distribution_figure(rfm, SEGMENTS)["layout"]
    frequency = layout["yaxis2"]
    assert frequency["type"] == "log" and frequency["tickmode"] == "array"
    assert frequency["tickvals"] == [1, 2, 5, 10]
    # £40 to £9,000: over two decades, powers of ten only, in pounds as on every
    # money axis; frequency has no unit written in.
    assert layout["yaxis3"]["ticktext"] == ["£100", "£1k", "£10k"]
    assert frequency["ticktext"] == ["1", "2", "5", "10"]
