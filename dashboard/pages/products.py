"""``/products``: search a product, see its sales, where it sells and the
products like it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.layout import (
    card,
    card_row,
    graph,
    labelled,
    page,
    product_option,
)
from dashboard import ids
from dashboard.urlstate import filters_from, first


def layout(ctx, params: dict):
    from callbacks.products import product_outputs
    from dashboard.pages import global_filter_bar

    asked = (first(params, "code") or "").strip() or None
    code = ctx.data.product_code(asked) if asked else None
    product = ctx.data.product(code) if code else None
    f = filters_from(params)
    detail, sales, countries, similar = product_outputs(ctx.data, code, f, asked=asked)
    options = [product_option(code, product["description"])] if product else []
    return page(
        "Products",
        global_filter_bar(ctx, params),
        dbc.Card(
            dbc.CardBody(
                labelled(
                    "Product",
                    ids.PRD_SEARCH_LABEL,
                    dcc.Dropdown(
                        id=ids.PRD_SEARCH,
                        options=options,
                        value=code if product else None,
                        placeholder="Type part of a product name, e.g. cake stand",
                        search_order="original",
                        clearable=True,
                        # Enter waits for the answer to the text typed
                        # (assets/20-dropdown-typing.js).
                        className="server-search",
                    ),
                )
            ),
            className="mb-3 shadow-sm",
        ),
        dcc.Loading(html.Div(detail, id=ids.PRD_DETAIL), type="circle", delay_show=150),
        card_row(
            (
                # Stacked: the similar products beside them are the taller card.
                html.Div(
                    [
                        card(
                            "Sales over time",
                            graph(ids.PRD_SALES, sales, height=340),
                            fill=False,
                        ),
                        card(
                            "Where it sells",
                            graph(ids.PRD_COUNTRIES, countries, height=300),
                            subtitle="Its top countries by revenue, under the "
                            "global filter.",
                            fill=False,
                        ),
                    ],
                    className="d-flex flex-column gap-3",
                ),
                7,
            ),
            (
                card(
                    "Similar products",
                    dcc.Loading(html.Div(similar, id=ids.PRD_SIMILAR), delay_show=150),
                    subtitle="Bought by the same customers (collaborative) and "
                    "described alike (content-based).",
                ),
                5,
            ),
        ),
        lead="Suggestions appear as you type; sales follow the global filter.",
    )
