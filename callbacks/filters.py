"""The global filter bar: its values as callback arguments (start, end, regions,
countries, in that order: the order ``dashboard.urlstate.filters_of`` takes), and
its country picker narrowed to the chosen regions (its choices too)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, no_update

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


# The dates the filter applies (the stores DATES_START and DATES_END, which the
# URL writer reads too) follow the picker, in the browser, after three
# corrections made there (assets/30-date-range.js, which says why): a date typed
# in a box is read day first, a range typed end first is put in order, and a
# range half-picked on the calendar is not applied until the calendar closes.
DATES_JS = ClientsideFunction(namespace="shopper", function_name="dates")


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
        DATES_JS,
        Output(ids.DATES, "start_date"),
        Output(ids.DATES, "end_date"),
        Output(ids.DATES_START, "data"),
        Output(ids.DATES_END, "data"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        Input(ids.DATES_CLOSED, "data"),
        Input(ids.DATES_TYPED, "data"),
        State(ids.DATES_START, "data"),
        State(ids.DATES_END, "data"),
        State(ids.DATES, "min_date_allowed"),
        State(ids.DATES, "max_date_allowed"),
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
