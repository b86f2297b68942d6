"""``/``: KPIs, sales trend, revenue by country, top products, Pareto curve."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.layout import card, card_row, full_row, graph, page
from dashboard import ids
from dashboard.urlstate import filters_from, first, granularity_of, pareto_by_of


def layout(ctx, params: dict):
    from callbacks.overview import overview_outputs, pareto_outputs, trend_output
    from dashboard.pages import global_filter_bar

    granularity = granularity_of(first(params, "granularity"))
    # Filled here, in the same response as the layout, so the first view needs no
    # second round trip; the callbacks answer later changes.
    f = filters_from(params)
    kpis, bar, world, units, revenue = overview_outputs(ctx.data, f)
    pareto_by = pareto_by_of(first(params, "pareto"))
    pareto, note = pareto_outputs(ctx.data, f, pareto_by)
    return page(
        "Overview",
        global_filter_bar(ctx, params),
        html.Div(kpis, id=ids.OVR_KPIS, className="mb-3"),
        full_row(
            card(
                "Sales trend",
                [
                    dbc.RadioItems(
                        id=ids.OVR_GRANULARITY,
                        options=[
                            {"label": "Day", "value": "day"},
                            {"label": "Week", "value": "week"},
                            {"label": "Month", "value": "month"},
                        ],
                        value=granularity,
                        inline=True,
                        className="mb-2",
                    ),
                    graph(
                        ids.OVR_TREND,
                        trend_output(ctx.data, f, granularity),
                        height=340,
                    ),
                ],
            )
        ),
        card_row(
            (
                card(
                    "Revenue by country",
                    graph(ids.OVR_COUNTRY_BAR, bar, height=420),
                ),
                5,
            ),
            (
                card(
                    "Revenue on the map",
                    graph(
                        ids.OVR_COUNTRY_MAP,
                        world,
                        height=420,
                        topojsonURL=ctx.topojson_url,
                    ),
                    subtitle="Colour on a log scale so smaller markets show.",
                ),
                7,
            ),
        ),
        card_row(
            (
                card(
                    "Top products by units",
                    graph(ids.OVR_TOP_UNITS, units, height=400),
                ),
                6,
            ),
            (
                card(
                    "Top products by revenue",
                    graph(ids.OVR_TOP_REVENUE, revenue, height=400),
                ),
                6,
            ),
        ),
        full_row(
            card(
                "Revenue concentration (Pareto)",
                [
                    dbc.RadioItems(
                        id=ids.OVR_PARETO_BY,
                        options=[
                            {"label": "Customers", "value": "customers"},
                            {"label": "Products", "value": "products"},
                        ],
                        value=pareto_by,
                        inline=True,
                        className="mb-2",
                    ),
                    html.Div(note, id=ids.OVR_PARETO_NOTE),
                    graph(ids.OVR_PARETO, pareto),
                ],
            )
        ),
        lead="Sales at a glance for the chosen dates and markets; changes are "
        "against the previous period of the same length.",
    )
