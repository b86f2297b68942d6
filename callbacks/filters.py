"""The global filter bar: its values as callback arguments (start, end, regions,
countries, in that order: the order ``dashboard.urlstate.filters_of`` takes), and
its country picker narrowed to the chosen regions (its choices too)."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from components.layout import countries_within, country_options
from dashboard import ids

_FILTER_PROPS = [
    (ids.DATES_START, "data"),
    (ids.DATES_END, "data"),
    (ids.REGION, "value"),
    (ids.COUNTRY, "value"),
]
FILTER_INPUTS = [Input(*prop) for prop in _FILTER_PROPS]
FILTER_STATES = [State(*prop) for prop in _FILTER_PROPS]


# A range typed end first (1 Jun → 1 Mar) stayed reversed in the picker and the
# URL while the numbers used it swapped: put it in order, in the browser.
ORDER_DATES_JS = """
function (start, end) {
    if (start && end && end < start) {
        return [end, start];
    }
    return [dash_clientside.no_update, dash_clientside.no_update];
}
"""


# The dates the filter applies follow the picker, except half-way through
# picking a range on the calendar: its first click sets the start and blanks the
# end, which re-drew every chart for "from the start to the end of the data" and
# added that range to the browser's history, before the second click set the one
# meant. While the calendar is open with a blank end, nothing is applied; once it
# closes (assets/30-date-range.js sets DATES_CLOSED), the picker's dates are, an
# open end included (a cleared end box, or a range left half-picked). A reversed
# pair waits for ORDER_DATES_JS to put it in order.
APPLY_DATES_JS = """
function (start, end, _closed, applied_start, applied_end) {
    const skip = [dash_clientside.no_update, dash_clientside.no_update];
    if (start && end && end < start) {
        return skip;
    }
    const open = document.querySelector('.dash-datepicker-calendar-wrapper');
    if (start && !end && open) {
        return skip;
    }
    start = start || null;
    end = end || null;
    if (start === (applied_start || null) && end === (applied_end || null)) {
        return skip;
    }
    return [start, end];
}
"""


def country_picker(countries, regions, chosen) -> tuple:
    """The country picker's options and value once ``regions`` are chosen: the
    regions' countries to choose from, and the chosen countries outside them
    taken off the picker (they showed as chosen while the numbers, which take
    both filters, left them out); ``no_update`` when none is."""
    kept = countries_within(countries, regions, chosen)
    value = kept if kept != list(chosen or ()) else no_update
    return country_options(countries, regions, kept), value


def register(app, data) -> None:
    app.clientside_callback(
        ORDER_DATES_JS,
        Output(ids.DATES, "start_date"),
        Output(ids.DATES, "end_date"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        APPLY_DATES_JS,
        Output(ids.DATES_START, "data"),
        Output(ids.DATES_END, "data"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        Input(ids.DATES_CLOSED, "data"),
        State(ids.DATES_START, "data"),
        State(ids.DATES_END, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.COUNTRY, "options"),
        Output(ids.COUNTRY, "value"),
        Input(ids.REGION, "value"),
        State(ids.COUNTRY, "value"),
        prevent_initial_call=True,  # the page is rendered with them
    )
    def countries_of_regions(regions, chosen):
        return country_picker(data.countries(), regions, chosen)
