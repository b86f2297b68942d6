"""Text and tables read the same everywhere: one date format, no "-0.000", segment
names in a readable colour, recommendations without the ranker's score, export
files named after the real window."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dash import html
from helpers import text_of, walk

from callbacks import customers, segments
from components import format as fmt
from components.layout import segment_label, table
from components.theme import (
    MUTED_TEXT_COLOR,
    SEGMENT_COLORS,
    TEXT_COLOR,
    empty_figure,
)
from dashboard.pages.data_report import evaluation_table, facts_list, intervals_table
from dashboard.pages.segments import model_reason
from dashboard.queries import Filters

NBSP = "\u00a0"
CSS = Path(__file__).resolve().parents[1] / "assets" / "10-theme.css"
PAGE_BACKGROUND = "#f5f8fb"


def _class(component) -> str:
    return getattr(component, "className", None) or ""


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_colours(component) -> list[str]:
    """Every text colour set inline anywhere in a component tree."""
    return [
        c.style["color"]
        for c in walk(component)
        if isinstance(getattr(c, "style", None), dict) and "color" in c.style
    ]


# -- Numbers -----------------------------------------------------------------------
@pytest.mark.parametrize("value", [-0.0001, -0.0, 0.0, 0.0004])
def test_a_difference_that_rounds_to_zero_reads_plus_zero(value):
    assert fmt.signed(value) == "+0.000"


def test_no_formatter_writes_negative_zero():
    assert fmt.signed(-0.0112) == "-0.011"
    assert fmt.number(-0.0001, 3) == "0.000"
    assert fmt.number(-0.4, 0) == "0"
    assert fmt.money(-0.001) == "£0.00"
    assert fmt.money(-12.5) == "-£12.50"
    assert fmt.pct(-0.00001) == "0.0%"
    assert fmt.signed_pct(-0.00001) == "+0.0%"
    assert fmt.signed_pct(-0.052) == "-5.2%"


def test_lead_table_shows_a_tiny_negative_difference_as_zero():
    frame = pd.DataFrame(
        [{"task": "new items", "metric": "recall_at_5", "baseline": "EASE",
          "difference": -0.0001, "low": -0.003, "high": 0.002,
          "reading": "within noise"}]
    )  # fmt: skip
    text = text_of(intervals_table(frame))
    assert "-0.000" not in text and "+0.000" in text
    assert "-0.003 to +0.002" in text


def test_an_interval_end_near_zero_keeps_its_sign():
    # "+0.000 to +0.008 — within noise" read as a lead: the low end was -0.00043.
    assert fmt.signed_bound(-0.00043) == "-0.0004"
    assert fmt.signed_bound(0.00043) == "+0.0004"
    assert fmt.signed_bound(0.0081) == "+0.008"
    assert fmt.signed_bound(0.0) == fmt.signed_bound(-1e-9) == "0.000"
    frame = pd.DataFrame(
        [{"task": "all items", "metric": "precision_at_5", "baseline": "own reorders",
          "difference": 0.0039, "low": -0.00043, "high": 0.0081,
          "reading": "within noise"}]
    )  # fmt: skip
    assert "-0.0004 to +0.008" in text_of(intervals_table(frame))


def test_model_reason_writes_calinski_harabasz_as_the_table_does():
    reason = (
        "KMeans (k=4): 4 clusters, silhouette 0.337, Calinski–Harabasz 3301, "
        "noise 0.0%; DBSCAN (eps=0.416, min_samples=6): Calinski–Harabasz 873; "
        "Agglomerative: Calinski-Harabasz 12671.4"
    )
    shown = model_reason(reason)
    assert "Calinski–Harabasz 3,301," in shown
    assert "Calinski–Harabasz 873;" in shown
    assert "Calinski-Harabasz 12,671" in shown
    # Everything else is left as the analytics wrote it.
    assert "(k=4)" in shown and "eps=0.416" in shown and "0.337" in shown
    assert model_reason(None) == ""


# -- Dates -------------------------------------------------------------------------
def test_day_is_one_human_format_and_can_be_unbroken():
    assert fmt.day("2011-11-01") == "1 Nov 2011"
    assert fmt.day(date(2010, 12, 7), unbroken=True) == f"7{NBSP}Dec{NBSP}2010"
    assert fmt.day(pd.Timestamp("2010-12-07 14:57")) == "7 Dec 2010"
    assert fmt.day(pd.NaT) == fmt.day(None) == fmt.day("soon") == "–"
    assert fmt.day_range("2011-10-02", "2011-10-31", unbroken=True) == (
        f"2{NBSP}Oct{NBSP}2011 – 31{NBSP}Oct{NBSP}2011"
    )


def _kpi_text(previous_period, previous_from=None) -> str:
    """The KPI cards' text for one order of £10 in both periods."""
    from callbacks.overview import kpi_cards

    figures = {"revenue": 10.0, "orders": 1, "customers": 1, "aov": 10.0, "units": 12}
    k = {
        "current": figures,
        "previous": figures,
        "previous_period": previous_period,
        "previous_from": previous_from,
    }
    return text_of(kpi_cards(k))


def test_kpi_note_writes_the_previous_period_like_the_date_picker():
    text = _kpi_text(("2011-10-02", "2011-10-31"))
    assert "Units sold" in text and "12" in text
    assert "2011-10-02" not in text
    assert f"vs 2{NBSP}Oct{NBSP}2011 – 31{NBSP}Oct{NBSP}2011" in text
    assert "data from" not in text


def test_kpi_note_says_when_the_data_starts_inside_the_previous_period():
    text = _kpi_text(("2010-05-21", "2011-02-28"), "2010-12-01")
    assert f"28{NBSP}Feb{NBSP}2011 (data from 1{NBSP}Dec{NBSP}2010)" in text


def test_kpi_note_says_when_the_previous_period_had_no_orders():
    # Iceland in June 2011: orders before, none in May: "no orders in May", not
    # "no earlier data vs May".
    from callbacks.overview import kpi_cards

    figures = {"revenue": 10.0, "orders": 1, "customers": 1, "aov": 10.0, "units": 12}
    none = {"revenue": 0.0, "orders": 0, "customers": 0, "aov": None, "units": 0}
    k = {
        "current": figures,
        "previous": none,
        "previous_period": ("2011-05-02", "2011-05-31"),
        "previous_from": None,
    }
    text = re.sub(" +", " ", text_of(kpi_cards(k)))
    assert f"no orders in 2{NBSP}May{NBSP}2011 – 31{NBSP}May{NBSP}2011" in text
    assert "earlier" not in text and "vs" not in text


def test_moment_writes_the_build_time_readably():
    assert fmt.moment("2026-11-21T12:18:12+00:00") == (
        f"21{NBSP}Nov{NBSP}2026, 12:18 UTC"
    )
    assert fmt.moment("2011-12-10") == f"10{NBSP}Dec{NBSP}2011"
    assert fmt.moment("not a time") == "not a time"
    assert fmt.moment(None) == "–"


def test_data_page_dates_are_human():
    manifest = {
        "cleaning": {
            "date_min": "2010-12-01T08:26:00",
            "date_max": "2011-12-09T12:50:00",
        },
        "as_of": "2011-12-10",
        "built_at": "2026-11-21T12:18:12+00:00",
    }
    text = text_of(facts_list(manifest)).replace(NBSP, " ")
    assert "1 Dec 2010 to 9 Dec 2011" in text
    assert "10 Dec 2011" in text and "21 Nov 2026, 12:18 UTC" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    frame = pd.DataFrame(
        {
            "task": ["all items"],
            "method": ["popularity"],
            "precision_at_5": [0.1],
            "cutoff": [pd.Timestamp("2011-09-11")],
            "test_end": [pd.Timestamp("2011-12-09 12:50")],
        }
    )
    note = text_of(evaluation_table(frame)).replace(NBSP, " ")
    assert "before 11 Sep 2011, tested on purchases up to 9 Dec 2011" in note


def test_customer_card_dates_match_the_date_picker(data):
    cid = int(data.bundle().customer_ids[0])
    profile = data.customer(cid)
    text = text_of(customers.profile_card(profile))
    assert fmt.day(profile["first_purchase"], unbroken=True) in text
    assert fmt.day(profile["last_purchase"], unbroken=True) in text
    assert not re.search(r"\b0\d [A-Z][a-z]{2} \d{4}", text)  # no "07 Dec 2010"


def test_segment_summary_dates_match_the_date_picker():
    rfm = pd.DataFrame({"monetary": [10.0]})
    summary = segments.window_summary(
        rfm, Filters(start="2011-06-01"), ("2010-12-01", "2011-12-09")
    )
    assert f"from 1{NBSP}Jun{NBSP}2011 to 9{NBSP}Dec{NBSP}2011;" in summary


# -- Readable segment names --------------------------------------------------------
def test_text_colours_pass_wcag_aa():
    for colour in (TEXT_COLOR, MUTED_TEXT_COLOR):
        assert _contrast(colour, "#ffffff") >= 4.5
        assert _contrast(colour, PAGE_BACKGROUND) >= 4.5
    note = empty_figure("Nothing here")["layout"]["annotations"][0]["font"]
    assert _contrast(note["color"], "#ffffff") >= 4.5


def test_empty_state_css_text_passes_wcag_aa():
    rules = re.findall(r"\.empty-state\s*\{([^}]*)\}", CSS.read_text())
    colours = [
        m for r in rules for m in re.findall(r"(?<!-)color:\s*(#[0-9a-f]{6})", r)
    ]
    assert colours and colours[-1] == MUTED_TEXT_COLOR  # the last rule wins
    assert _contrast(colours[-1], "#ffffff") >= 4.5


@pytest.mark.parametrize("segment", list(SEGMENT_COLORS))
def test_segment_colour_only_fills_the_dot(segment):
    label = segment_label(segment)
    assert text_of(label).strip() == segment
    assert _text_colours(label) == []
    dots = [c for c in walk(label) if "segment-dot" in _class(c)]
    assert dots[0].style == {"background": SEGMENT_COLORS[segment]}


def test_customer_card_and_predictor_do_not_colour_segment_text(data):
    cid = int(data.bundle().customer_ids[0])
    card = customers.profile_card(data.customer(cid))
    assert not set(_text_colours(card)) & set(SEGMENT_COLORS.values())
    answer = segments.predict_segment(data.segment_model(), 3, 40, 20000)
    assert not set(_text_colours(answer)) & set(SEGMENT_COLORS.values())
    assert any("segment-dot" in _class(c) for c in walk(answer))


def test_profile_table_names_segments_with_a_dot_left_aligned(data):
    shown = segments.profile_table(data.window_rfm(Filters()))
    cells = [c for c in walk(shown) if isinstance(c, html.Td)]
    first = cells[0]
    assert isinstance(first.children, html.Span) and first.className is None
    assert not set(_text_colours(shown)) & set(SEGMENT_COLORS.values())


def test_table_fourth_item_overrides_alignment():
    rows = [{"a": 1, "b": 2}]
    shown = table(rows, [("a", "A", str, False), ("b", "B", str)])
    cells = [c for c in walk(shown) if isinstance(c, html.Td)]
    assert [c.className for c in cells] == [None, "text-end"]


# -- Recommendations ---------------------------------------------------------------
def test_recommendation_lists_show_reasons_and_prices_not_scores(data):
    b = data.bundle()
    recs = b.tables["recommendations"]
    cid = int(recs["customer_id"].iloc[0])
    view = customers.customer_view(data, str(cid))
    text = text_of(view)
    headers = [text_of(c) for c in walk(view) if isinstance(c, html.Th)]
    assert "Score" not in headers
    # Both lists (Top 5 and Discover) have the reason and a price to quote.
    assert headers.count("Why") == 2 and headers.count("Price") == 2
    first = data.recommendations(cid).iloc[0]
    assert first["reason"] in text
    price = data.product(str(first["stock_code"]))["median_unit_price"]
    assert fmt.money(price, 2) in text
    assert f"{first['score']:.3f}" not in text


def test_recommendations_without_prices_keep_the_reason():
    recs = pd.DataFrame(
        {
            "rank": [1],
            "description": ["ITEM"],
            "stock_code": ["A1"],
            "score": [1.448],
            "reason": ["often bought with LANTERN"],
        }
    )
    for prices in (None, [None]):
        text = text_of(customers.recommendations_block(recs, prices=prices))
        assert "often bought with LANTERN" in text
        assert "1.448" not in text and "Score" not in text and "Price" not in text


# -- Export ------------------------------------------------------------------------
def test_export_file_is_named_after_the_real_window(data):
    first, last = data.date_bounds()
    assert segments.export_csv(data, Filters(), None)["filename"] == (
        f"customers_all-segments_{first}_{last}.csv"
    )
    payload = segments.export_csv(data, Filters(end="2099-01-01"), "High-Value")
    assert payload["filename"] == f"customers_high-value_{first}_{last}.csv"
    assert "start" not in payload["filename"] and "end" not in payload["filename"]
