"""Customer lookup callback: ID text → profile, RFM, history, recommendations."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from components import format as fmt
from components.customer_figures import customer_history_figure, customer_rfm_figure
from components.layout import card, empty_state, graph, segment_label, table
from dashboard import ids

_ID = re.compile(r"\d{1,12}")


def parse_customer_id(text) -> tuple[int | None, str | None]:
    """(customer_id, None) for a well-formed ID, else (None, message)."""
    text = "" if text is None else str(text).strip()
    if text.endswith(".0"):  # pasted from a spreadsheet
        text = text[:-2]
    if not text:
        return None, None
    if not _ID.fullmatch(text):
        return None, (
            f"“{fmt.clipped(text)}” is not a customer ID: IDs are whole numbers of "
            "up to 12 digits, such as 17850."
        )
    return int(text), None


def _place(country: str, region: str) -> str:
    """ "Germany (Western Europe)"; the region only when it says more ("Unspecified",
    not "Unspecified (Unspecified)")."""
    return country if not region or region == country else f"{country} ({region})"


def profile_card(p: dict):
    facts = [
        ("Segment", segment_label(p["segment"])),
        ("Country", _place(p["country"], p["region"])),
        ("Revenue", fmt.money(p["monetary"], 2)),
        ("Orders", fmt.count(p["frequency"])),
        ("Units", fmt.count(p.get("units"))),
        ("First purchase", fmt.day(p.get("first_purchase"), unbroken=True)),
        ("Last purchase", fmt.day(p.get("last_purchase"), unbroken=True)),
        ("Days since last purchase", fmt.count(p["recency_days"])),
    ]
    items = []
    for term, value in facts:
        items += [
            html.Dt(term, className="col-6 text-muted fw-normal"),
            html.Dd(value, className="col-6 mb-1"),
        ]
    return card(f"Customer {p['customer_id']}", html.Dl(items, className="row mb-0"))


def usual_prices(data, recs) -> list:
    """The median unit price (£) each recommended product sells at, None where
    unknown: what a salesperson can quote, where the ranker's score means nothing
    to them."""
    prices = []
    for code in recs["stock_code"]:
        product = data.product(str(code)) or {}
        prices.append(fmt.finite_or_none(product.get("median_unit_price")))
    return prices


def recommendations_block(
    recs,
    empty: str = "No recommendations for this customer.",
    prices: list | None = None,
):
    """The list in rank order: product, the reason to say out loud and, when
    ``prices`` are given, the usual unit price. The ranker's score is not shown:
    the order already says it."""
    if recs is None:
        return empty_state(
            "Recommendations are not in this bundle.",
            "Rebuild the bundle with a version of the analytics that computes them.",
        )
    columns = [
        ("rank", "#", fmt.count),
        ("description", "Product", None),
        ("stock_code", "Code", None),
        ("reason", "Why", None),
    ]
    if prices is not None and any(p is not None for p in prices):
        recs = recs.assign(usual_price=prices)
        columns.append(("usual_price", "Price", lambda v: fmt.money(v, 2)))
    return table(
        recs.to_dict("records"),
        columns,
        empty=empty,
        phone_folded={"stock_code": "description"},
    )


def _recommendations_card(data, recs, title, subtitle, empty) -> dbc.Card:
    prices = None if recs is None else usual_prices(data, recs)
    return card(
        title,
        recommendations_block(recs, empty, prices),
        subtitle=subtitle,
        fill=False,
    )


def discover_block(data, customer_id: int) -> list:
    """Products new to the customer, when the bundle has that second list."""
    discover = data.recommendations(customer_id, "discover_recommendations")
    if discover is None:
        return []
    return [
        html.Div(className="mb-3"),
        _recommendations_card(
            data,
            discover,
            "Something new for them",
            "Products this customer has never bought, best first.",
            "No new products to suggest.",
        ),
    ]


def customer_view(data, text):
    """Everything the lookup shows for the ID typed (or a clear message)."""
    customer_id, problem = parse_customer_id(text)
    if problem:
        return empty_state(problem)
    if customer_id is None:
        return empty_state("Enter a customer ID to see the customer's profile.")
    profile = data.customer(customer_id)
    if profile is None:
        ids_seen = data.bundle().customer_ids
        return empty_state(
            f"No customer {customer_id} in this bundle.",
            f"Known IDs run from {ids_seen[0]} to {ids_seen[-1]} "
            f"({fmt.counted(len(ids_seen), 'customer')}).",
        )
    top = data.customer_top_products(customer_id)
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(profile_card(profile), lg=4, className="mb-3"),
                    dbc.Col(
                        card(
                            "RFM against the segment's typical customer",
                            graph(
                                ids.CUS_RFM, customer_rfm_figure(profile), height=300
                            ),
                            subtitle=f"Median of segment {profile['segment']}.",
                        ),
                        lg=8,
                        className="mb-3",
                    ),
                ]
            ),
            card(
                "Purchase history",
                graph(
                    ids.CUS_HISTORY,
                    customer_history_figure(data.customer_history(customer_id)),
                    height=280,
                ),
                subtitle="Revenue per month.",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _recommendations_card(
                                data,
                                data.recommendations(customer_id),
                                "Recommended for this customer",
                                "Top 5, best first, with the reason for each; "
                                "price is the usual (median) price per unit.",
                                "No recommendations for this customer.",
                            ),
                            *discover_block(data, customer_id),
                        ],
                        lg=7,
                        className="mt-3",
                    ),
                    dbc.Col(
                        card(
                            "Most bought",
                            table(
                                top.to_dict("records"),
                                [
                                    ("description", "Product", None),
                                    ("units", "Units", fmt.count),
                                    ("revenue", "Revenue", fmt.money),
                                ],
                                empty="No purchases.",
                            ),
                            fill=False,
                        ),
                        lg=5,
                        className="mt-3",
                    ),
                ]
            ),
        ]
    )


def register(app, data) -> None:
    @app.callback(
        Output(ids.CUS_RESULT, "children"),
        Input(ids.CUS_ID, "value"),
        prevent_initial_call=True,
    )
    def look_up(text):
        return customer_view(data, text)
