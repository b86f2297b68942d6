"""The global filter bar's values as callback arguments (start, end, regions,
countries, in that order: the order ``dashboard.urlstate.filters_of`` takes)."""

from __future__ import annotations

from dash import Input, State

from dashboard import ids

_FILTER_PROPS = [
    (ids.DATES, "start_date"),
    (ids.DATES, "end_date"),
    (ids.REGION, "value"),
    (ids.COUNTRY, "value"),
]
FILTER_INPUTS = [Input(*prop) for prop in _FILTER_PROPS]
FILTER_STATES = [State(*prop) for prop in _FILTER_PROPS]
