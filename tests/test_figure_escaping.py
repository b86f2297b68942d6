"""Strings from the data reach plotly escaped (plotly draws <a href>, <b>, <br>,
<span style>… in tick labels, hover text, legend entries, annotations and titles
as markup), and the /data page names input files without their folders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import text_of

from components import figures, geo, segment_figures
from components import format as fmt
from dashboard.pages.data_report import facts_list, file_name

BOLD = "<b>X</b>"
LINK = '<a href="https://evil.example/login">Session expired</a>'
BIG = '<span style="font-size:40px;fill:red">HUGE</span>'


def _strings(value) -> list[str]:
    """Every string anywhere in a figure (numpy arrays included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def _assert_escaped(fig: dict, *payloads: str) -> None:
    """No payload reaches the figure as markup, and each is there escaped."""
    text = "\n".join(_strings(fig))
    for payload in payloads:
        assert payload not in text
        assert fmt.plot_text(payload) in text
    assert "<a " not in text and '<span style="font-size' not in text
    assert "evil.example" in text  # shown, as text


def test_plot_text_escapes_markup_and_ampersands():
    assert fmt.plot_text(BOLD) == "&lt;b&gt;X&lt;/b&gt;"
    assert fmt.plot_text("S&P <br> 'x'") == "S&amp;P &lt;br&gt; 'x'"
    assert fmt.plot_text(85123) == "85123"


def test_country_bar_escapes_country_names():
    by_country = pd.DataFrame(
        {
            "country": [LINK, BIG, BOLD, "France & Co"],
            "revenue": [400.0, 300.0, 200.0, 100.0],
        }
    )
    fig = figures.country_bar_figure(by_country)
    _assert_escaped(fig, LINK, BIG, BOLD)
    trace = fig["data"][0]
    assert (
        trace["y"][-1] == '&lt;a href="https://evil.example/login"&gt;'
        "Session expired&lt;/a&gt;"
    )  # biggest on top, escaped
    assert "France &amp; Co" in trace["y"]
    assert "%{y}" in trace["hovertemplate"]  # the hover shows the escaped label


def test_country_map_escapes_hover_names_but_matches_raw_codes(monkeypatch):
    # Only names with an ISO code reach the map: pretend the payload has one.
    monkeypatch.setitem(geo.ISO3, LINK, "FRA")
    by_country = pd.DataFrame({"country": ["France", LINK], "revenue": [100.0, 50.0]})
    fig = figures.country_map_figure(by_country)
    _assert_escaped(fig, LINK)
    trace = fig["data"][0]
    assert trace["locations"] == ["FRA"]  # the map matches on raw codes
    assert trace["text"][0].startswith("France / &lt;a href=")


def test_top_products_escape_descriptions_and_codes_but_keep_line_breaks():
    long = f"{BOLD} WHITE HANGING HEART T-LIGHT HOLDER {LINK}"
    top = pd.DataFrame(
        {
            "stock_code": [BIG, "B", "C"],
            "description": [BOLD, BOLD, long],
            "units": [30.0, 20.0, 10.0],
            "revenue": [1.0, 1.0, 1.0],
            "ranked_by": ["units", "units", "units"],
        }
    )
    fig = figures.top_products_figure(top, "units")
    _assert_escaped(fig, BOLD, BIG)
    trace = fig["data"][0]
    # Two bars with one name: the code tells them apart, escaped too.
    assert f"&lt;b&gt;X&lt;/b&gt; ({fmt.plot_text(BIG)})" in trace["y"]
    # Escaped first, then wrapped: the only markup is our own line break.
    wrapped = trace["y"][0]
    assert "<br>" in wrapped
    assert "<" not in wrapped.replace("<br>", "")
    assert trace["customdata"][0][0] == fmt.plot_text(long)


def _rfm(segment: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "recency_days": [5, 50, 300],
            "frequency": [20, 3, 1],
            "monetary": [5000.0, 300.0, 20.0],
            "segment": [segment, "Regular", segment],
            "pc1": [1.0, 0.0, -1.0],
            "pc2": [0.5, 0.0, -0.5],
            "pc3": [0.1, 0.0, -0.1],
        }
    )


@pytest.mark.parametrize("segment", [BOLD, LINK])
def test_segment_figures_escape_segment_names(segment):
    segments = [segment, "Regular"]
    fig = segment_figures.pca_3d_figure(_rfm(segment), segments, [0.5, 0.3, 0.2])
    first = fig["data"][0]
    assert first["name"] == f"{fmt.plot_text(segment)} (2)"  # the legend entry
    assert first["hovertemplate"].endswith(f"<extra>{fmt.plot_text(segment)}</extra>")
    assert segment not in "\n".join(_strings(fig))

    fig = segment_figures.rfm_distribution_figure(_rfm(segment), segments)
    names = {t["name"] for t in fig["data"]}
    assert names == {fmt.plot_text(segment), "Regular"}
    # Panel titles keep their own bold markup.
    assert "<b>Recency</b>" in fig["layout"]["annotations"][0]["text"]
    assert segment not in "\n".join(_strings(fig))


def test_data_page_names_input_files_without_their_folders():
    manifest = {
        "inputs": [
            {"path": "/work/shared/data/online_retail.csv.gz", "rows": 541_909},
            {"path": r"C:\Users\shop\data\online_retail_ii.xlsx", "rows": 12},
        ]
    }
    text = text_of(facts_list(manifest))
    assert "online_retail.csv.gz (541,909 rows)" in text
    assert "online_retail_ii.xlsx (12 rows)" in text
    assert "/work" not in text and "shared" not in text and "Users" not in text
    assert file_name(None) == "?" and file_name("plain.csv") == "plain.csv"
