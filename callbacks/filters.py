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


def register(app, data) -> None:
    @app.callback(
        Output(ids.COUNTRY, "options"),
        Input(ids.REGION, "value"),
        State(ids.COUNTRY, "value"),
        prevent_initial_call=True,  # the page is rendered with them
    )
    def countries_of_regions(regions, chosen):
        return country_options(data.countries(), regions, chosen)
