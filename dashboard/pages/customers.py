"""``/customers``: look up one customer by ID (``/customers?id=17850``)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.layout import page
from dashboard import ids
from dashboard.urlstate import first


def layout(ctx, params: dict):
    from callbacks.customers import customer_view

    customer_id = first(params, "id", "")
    return page(
        "Customer lookup",
        dbc.Card(
            dbc.CardBody(
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(
                                    "Customer ID",
                                    id=ids.CUS_ID_LABEL,
                                    html_for=ids.dom_id(ids.CUS_ID),
                                    className="small text-muted mb-1",
                                ),
                                dcc.Input(
                                    id=ids.CUS_ID,
                                    type="text",
                                    inputMode="numeric",
                                    value=customer_id,
                                    placeholder="e.g. 17850, then Enter",
                                    debounce=True,
                                    autoComplete="off",
                                    className="form-control",
                                ),
                            ],
                            xs=12,
                            md=4,
                        ),
                        dbc.Col(
                            html.Div(
                                "Press Enter or leave the box to look the customer "
                                "up; the address bar then links to this view.",
                                className="small text-muted",
                            ),
                            className="d-flex align-items-end",
                        ),
                    ],
                    className="g-2",
                )
            ),
            className="mb-3 shadow-sm",
        ),
        dcc.Loading(
            html.Div(customer_view(ctx.data, customer_id), id=ids.CUS_RESULT),
            type="circle",
            delay_show=150,
        ),
        lead="Profile, segment, RFM against the segment's typical customer, "
        "purchase history and recommended products.",
    )
