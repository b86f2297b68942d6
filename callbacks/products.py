"""Product callbacks: suggestions as you type; sales, where the product sells and
similar products."""

from __future__ import annotations

from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from callbacks.filters import FILTER_INPUTS
from components import format as fmt
from components.figures import country_bar_figure
from components.layout import empty_state, product_option, table
from components.theme import empty_figure
from components.trend_figures import NO_PRODUCT_SALES, product_sales_figure
from dashboard import ids
from dashboard.queries import window_dates
from dashboard.urlstate import filters_of

PRODUCT_COUNTRIES = 10  # bars of the "Where it sells" figure

METHOD_NAMES = {
    "cf": "Bought by the same customers (collaborative)",
    "content": "Described alike (content-based)",
}


def suggestions(data, text: str | None, selected: str | None) -> list[dict]:
    """Dropdown options for the typed text, keeping the selected product listed."""
    found = data.search_products(text or "", limit=10)
    options = [
        product_option(row.stock_code, row.description, text or "")
        for row in found.itertuples()
    ]
    if selected and selected not in set(found["stock_code"]):
        product = data.product(selected)
        if product:
            options.append(product_option(selected, product["description"]))
    return options


def filter_scope(f, bounds: tuple[str, str]) -> str | None:
    """What the global filter ``f`` selects, in words ("1 Nov 2011 – 30 Nov 2011,
    Saudi Arabia"); None when it selects every sale of the data (``bounds``: its
    first and last day, ISO)."""
    first, last = bounds
    start, end = window_dates(f, bounds)
    if start <= end:
        dates = fmt.day_range(start, end)
    else:  # a range outside the data: say what was asked for
        asked = [("from", f.start), ("until", f.end)]
        dates = " ".join(f"{word} {fmt.day(d)}" for word, d in asked if d)
    if f.countries and f.regions:
        places = f"{fmt.names(f.countries)} (in {fmt.names(f.regions)})"
    else:
        places = fmt.names(f.countries or f.regions)
    if (start, end) == (first, last) and not places:
        return None
    return f"{dates}, {places or 'all countries'}"


def _facts_line(label: str, facts: list[tuple[str, str]] | None):
    """``label: Revenue: £… Units: …`` on one line (``no sales`` without facts)."""
    values = [
        html.Span([html.Span(f"{k}: ", className="text-muted"), v], className="me-3")
        for k, v in facts or []
    ]
    return html.Div(
        [html.Span(label, className="fw-semibold me-2"), *(values or ["no sales"])],
        className="mb-1",
    )


def product_detail(
    p: dict | None, sales=None, scope: str | None = None, unknown: str | None = None
):
    """The product's name and headline figures.

    ``scope`` (see :func:`filter_scope`) names what the global filter selects and
    ``sales`` (``units, revenue`` per period under it) gives that selection's
    figures, shown above the whole-history ones. Without a scope the filter
    selects everything and one line says it all. ``unknown``: the stock code a
    link asked for when it names no product.
    """
    if p is None and unknown:
        return empty_state(
            f"There is no product with stock code {fmt.clipped(unknown)}.",
            "Type part of its name or its code above to find it.",
        )
    if p is None:
        return empty_state("Choose a product to see its sales and similar products.")
    history = [
        ("Revenue", fmt.money(p["revenue"])),
        ("Units", fmt.count(p["units"])),
        ("Orders", fmt.count(p["orders"])),
        ("Customers", fmt.count(p["customers"])),
        ("Median price", fmt.money(p["median_unit_price"], 2)),
    ]
    sold = fmt.day_range(p.get("first_sold"), p.get("last_sold"))
    sold = "" if sold == "–" else f" ({sold})"
    lines = []
    if scope is not None and sales is not None:
        selected = None
        if not sales.empty:
            selected = [
                ("Revenue", fmt.money(float(sales["revenue"].sum()))),
                ("Units", fmt.count(float(sales["units"].sum()))),
            ]
        lines.append(_facts_line(f"{scope}:", selected))
    lines.append(_facts_line(f"All sales{sold}:", history))
    return html.Div(
        [
            html.H2(f"{p['description']} ({p['stock_code']})", className="h5"),
            html.Div(lines, className="mb-3 small"),
        ]
    )


def similar_block(similar):
    if similar is None:
        return empty_state(
            "Similar products are not in this bundle.",
            "Rebuild the bundle with a version of the analytics that computes them.",
        )
    if similar.empty:
        return empty_state("No similar products found for this product.")
    blocks = []
    for method, part in similar.groupby("method", sort=True):
        columns = [
            ("rank", "#", fmt.count),
            ("description", "Product", None),
            ("similar_stock_code", "Code", None),
            ("score", "Score", lambda v: fmt.number(v, 3)),
        ]
        if method == "cf" and "support" in part:
            # How many customers bought both: a high score from few buyers is
            # weaker evidence than the same score from hundreds.
            columns.append(("support", "Shared buyers", fmt.count))
        blocks += [
            html.H3(METHOD_NAMES.get(method, method), className="h6 mt-2"),
            table(
                part.to_dict("records"),
                columns,
                phone_folded={"similar_stock_code": "description"},
            ),
        ]
    return html.Div(blocks)


def product_outputs(data, code: str | None, f, asked: str | None = None) -> tuple:
    """The product's detail, sales figure, countries figure and similar products;
    ``asked``: the code a link asked for, said when it names no product."""
    product = data.product(code) if code else None
    if product is None:
        return (
            product_detail(None, unknown=asked),
            empty_figure("Choose a product"),
            empty_figure("Choose a product"),
            empty_state("Choose a product."),
        )
    sales = data.product_sales(code, f, "month")
    bounds = data.date_bounds()
    return (
        product_detail(product, sales, filter_scope(f, bounds)),
        # The days shown mark a partial first or last month (1–9 Dec 2011).
        product_sales_figure(sales, "month", window_dates(f, bounds)),
        country_bar_figure(
            data.product_countries(code, f), PRODUCT_COUNTRIES, NO_PRODUCT_SALES
        ),
        similar_block(data.similar_products(code)),
    )


def register(app, data) -> None:
    @app.callback(
        Output(ids.PRD_SEARCH, "options"),
        Input(ids.PRD_SEARCH, "search_value"),
        State(ids.PRD_SEARCH, "value"),
        prevent_initial_call=True,
    )
    def suggest(text, selected):
        if not text:
            raise PreventUpdate
        return suggestions(data, text, selected)

    @app.callback(
        Output(ids.PRD_DETAIL, "children"),
        Output(ids.PRD_SALES, "figure"),
        Output(ids.PRD_COUNTRIES, "figure"),
        Output(ids.PRD_SIMILAR, "children"),
        Input(ids.PRD_SEARCH, "value"),
        *FILTER_INPUTS,
        prevent_initial_call=True,
    )
    def show_product(code, start, end, regions, countries):
        return product_outputs(data, code, filters_of(start, end, regions, countries))
