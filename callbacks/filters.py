"""The global filter bar: its values as callback arguments (start, end, regions,
countries, in that order: the order ``dashboard.urlstate.filters_of`` takes), and
its country picker narrowed to the chosen regions (its choices too)."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from components.layout import countries_within, country_options
from dashboard import ids

_FILTER_PROPS = [
    (ids.DATES, "start_date"),
    (ids.DATES, "end_date"),
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

    @app.callback(
        Output(ids.COUNTRY, "options"),
        Output(ids.COUNTRY, "value"),
        Input(ids.REGION, "value"),
        State(ids.COUNTRY, "value"),
        prevent_initial_call=True,  # the page is rendered with them
    )
    def countries_of_regions(regions, chosen):
        return country_picker(data.countries(), regions, chosen)
