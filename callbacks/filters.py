"""The global filter bar: its values as callback arguments (start, end, regions,
countries, in that order: the order ``dashboard.urlstate.filters_of`` takes), and
its country picker narrowed to the chosen regions."""

from __future__ import annotations

from dash import Input, Output, State

from components.layout import country_options
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
        Input(ids.REGION, "value"),
        State(ids.COUNTRY, "value"),
        prevent_initial_call=True,  # the page is rendered with them
    )
    def countries_of_regions(regions, chosen):
        return country_options(data.countries(), regions, chosen)
