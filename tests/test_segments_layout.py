"""/segments: the cards stack without overlapping, and the window summary words a
date range one way however the filter was set."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd

from callbacks.segments import segments_outputs, window_dates, window_summary
from components import format as fmt
from dashboard import ids
from dashboard.pages import PageContext, render
from dashboard.queries import Filters

BOUNDS = ("2010-12-01", "2011-12-09")
RFM = pd.DataFrame({"monetary": [1000.0, 234.5]})


def _walk(component, parents=()):
    """Every component of a layout with the chain of components above it."""
    yield component, parents
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str | int | float):
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        yield from _walk(child, (*parents, component))


def _classes(component) -> set[str]:
    return set((getattr(component, "className", None) or "").split())


def _segments_page(data):
    return render("/segments", {}, PageContext(data=data, topojson_url="/t/"))


# -- Layout -------------------------------------------------------------------------
def test_no_full_height_card_shares_its_column(data):
    # A card with h-100 is as high as its column (a stretched flex item); a second
    # card in the same column overflows it and is drawn under the next row.
    columns = [c for c, _ in _walk(_segments_page(data)) if isinstance(c, dbc.Col)]
    assert columns
    for column in columns:
        cards = [
            c for c, _ in _walk(column) if c is not column and isinstance(c, dbc.Card)
        ]
        if len(cards) > 1:
            assert not any("h-100" in _classes(c) for c in cards), column


def _enclosing_card(parents):
    return next(p for p in reversed(parents) if isinstance(p, dbc.Card))


def test_predictor_sits_below_the_profiles_in_a_stacking_column(data):
    parents_of = {
        component.id: parents
        for component, parents in _walk(_segments_page(data))
        if getattr(component, "id", None) in (ids.SEG_PROFILE, ids.SEG_PRED_RECENCY)
    }
    profile_card = _enclosing_card(parents_of[ids.SEG_PROFILE])
    chain = parents_of[ids.SEG_PRED_RECENCY]
    predictor_card = _enclosing_card(chain)
    stack = chain[chain.index(predictor_card) - 1]
    assert stack.children == [profile_card, predictor_card]
    assert {"d-flex", "flex-column"} <= _classes(stack)


# -- Window summary -----------------------------------------------------------------
def test_open_bounds_read_as_the_bundle_dates():
    assert window_dates(Filters(), BOUNDS) == BOUNDS
    assert window_dates(Filters(start="2011-06-01"), BOUNDS) == (
        "2011-06-01",
        BOUNDS[1],
    )
    assert window_dates(Filters(end="2011-03-31"), BOUNDS) == (BOUNDS[0], "2011-03-31")
    # Outside the data, as the queries clip it.
    assert window_dates(Filters("2009-01-01", "2012-01-01"), BOUNDS) == BOUNDS


def test_summary_is_worded_the_same_however_the_window_was_set():
    first_load = window_summary(RFM, Filters(), BOUNDS)
    from_picker = window_summary(RFM, Filters(*BOUNDS), BOUNDS)
    assert (
        first_load
        == from_picker
        == (
            "2 customers with orders from 1\u00a0Dec\u00a02010 to "
            "9\u00a0Dec\u00a02011; £1,234 revenue."
        )
    )
    from_url = window_summary(RFM, Filters(start="2011-06-01"), BOUNDS)
    assert "from 1\u00a0Jun\u00a02011 to 9\u00a0Dec\u00a02011;" in from_url
    assert "day" not in first_load + from_url
    assert "No customers" in window_summary(RFM.iloc[:0], Filters(), BOUNDS)
    # "1 customers with orders" on /segments?country=Iceland.
    assert window_summary(RFM.iloc[:1], Filters(), BOUNDS).startswith("1 customer with")


def test_page_summary_uses_the_bundle_dates(data):
    first, last = data.date_bounds()
    summary = segments_outputs(data, Filters(), None)[3]
    assert f"from {fmt.day(first, True)} to {fmt.day(last, True)};" in summary
    assert summary == segments_outputs(data, Filters(first, last), None)[3]
