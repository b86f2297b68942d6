"""Layout pieces shared by the pages: navigation, filter bar, cards, tables.

Text from the data is always passed as component children (escaped by React), never
as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import format as fmt
from components.theme import GRAPH_CONFIG, segment_color
from dashboard import ids

PAGES = [
    ("/", "Overview"),
    ("/segments", "Segments"),
    ("/customers", "Customers"),
    ("/products", "Products"),
    ("/data", "Data"),
]


def navbar(active: str = "/") -> dbc.Navbar:
    """The top bar with one link per page; hrefs are kept in step with the URL's
    filters by a callback, so moving between pages keeps the filter."""
    links = [
        dbc.NavItem(
            dbc.NavLink(label, href=path, id=ids.nav_link(path), active="exact")
        )
        for path, label in PAGES
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Shopper Spectrum", href="/", className="fw-bold"),
                dbc.NavbarToggler(id=ids.NAV_TOGGLER, n_clicks=0),
                dbc.Collapse(
                    dbc.Nav(links, navbar=True, className="ms-auto"),
                    id=ids.NAV_COLLAPSE,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        id=ids.NAV,
        color="dark",
        dark=True,
        className="mb-3",
    )


def labelled(text: str, label_id: str, control) -> html.Div:
    """``control`` under a visible label that assistive technology ties to it.

    ``for`` names the element that carries the control's ID in the page (a
    dcc.Input's input, a dcc.Dropdown's button, a dcc.DatePickerRange's start
    date), so clicking the label reaches the control. The dropdown and the date
    picker name their own elements after their value or "Start Date" and take no
    ``aria-label``; the group labelled by ``text`` is what a screen reader
    announces with them ("Regions, group").
    """
    return html.Div(
        [
            dbc.Label(
                text,
                id=label_id,
                html_for=ids.dom_id(control.id),
                className="small text-muted mb-1",
            ),
            control,
        ],
        role="group",
        **{"aria-labelledby": label_id},
    )


def country_options(
    countries: Sequence[tuple[str, str]],
    regions: Sequence[str] = (),
    chosen: Sequence[str] = (),
) -> list[dict]:
    """The country picker's options: the countries of ``regions`` (every one
    without), and those already ``chosen`` whatever their region, so a choice is
    never dropped unseen. The two filters combine (a country of another region
    shows nothing): offering every country under "Western Europe" invited it."""
    regions, chosen = set(regions or ()), set(chosen or ())
    return [
        {"label": c, "value": c, "search": f"{c} {r}"}
        for c, r in countries
        if not regions or r in regions or c in chosen
    ]


def countries_within(
    countries: Sequence[tuple[str, str]],
    regions: Sequence[str],
    chosen: Sequence[str],
) -> list[str]:
    """The ``chosen`` countries (in their order) that lie in ``regions`` (all of
    them without regions): what the two filters select together."""
    if not regions:
        return list(chosen or ())
    regions = set(regions)
    inside = {c for c, r in countries if r in regions}
    return [c for c in chosen or () if c in inside]


def _calendar_month(end: str, first: str) -> str:
    """The first of the two months the calendar opens on: the end date's month
    and the one before (from the end's month, it showed the month after the
    data, empty), not before the data's first month."""
    month = (pd.Timestamp(end) - pd.DateOffset(months=1)).replace(day=1)
    return max(month, pd.Timestamp(first).replace(day=1)).strftime("%Y-%m-%d")


def filter_bar(
    date_bounds: tuple[str, str],
    regions: Sequence[str],
    countries: Sequence[tuple[str, str]],
    start: str | None = None,
    end: str | None = None,
    selected_regions: Sequence[str] = (),
    selected_countries: Sequence[str] = (),
) -> dbc.Card:
    """Date range and region/country pickers, initialised from the URL."""
    first, last = date_bounds
    applied = [  # what the filter applies (callbacks.filters.DATES_JS)
        dcc.Store(id=ids.DATES_START, data=start or first),
        dcc.Store(id=ids.DATES_END, data=end or last),
        dcc.Store(id=ids.DATES_CLOSED),
        dcc.Store(id=ids.DATES_TYPED),
    ]
    dates = dcc.DatePickerRange(
        id=ids.DATES,
        min_date_allowed=first,
        max_date_allowed=last,
        start_date=start or first,
        end_date=end or last,
        initial_visible_month=_calendar_month(end or last, first),
        display_format="D MMM YYYY",
        first_day_of_week=1,
        # Each date as it is set: with "bothdates", a cleared end and a typed
        # start left the picker showing a range the page did not use (Dash 4
        # sends nothing while a date is empty or the pair is reversed).
        updatemode="singledate",
    )
    region = dcc.Dropdown(
        id=ids.REGION,
        options=list(regions),
        value=list(selected_regions),
        multi=True,
        placeholder="All regions",
    )
    country = dcc.Dropdown(
        id=ids.COUNTRY,
        options=country_options(countries, selected_regions, selected_countries),
        value=list(selected_countries),
        multi=True,
        placeholder="All countries",
    )
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [labelled("Dates", ids.FILTER_DATES_LABEL, dates), *applied],
                        xs=12,
                        md=5,
                        lg=4,
                    ),
                    dbc.Col(
                        labelled("Regions", ids.FILTER_REGION_LABEL, region),
                        xs=12,
                        md=3,
                        lg=4,
                    ),
                    dbc.Col(
                        labelled("Countries", ids.FILTER_COUNTRY_LABEL, country),
                        xs=12,
                        md=4,
                        lg=4,
                    ),
                ],
                className="g-2",
            )
        ),
        className="filter-bar mb-3 shadow-sm",
    )


def kpi_card(
    title: str,
    value: str,
    change: float | None,
    note: str,
    no_change: str = "no earlier data",
) -> dbc.Card:
    """A headline number with its change against the previous period (``note``
    says which period: "vs 2 Oct 2011 – 31 Oct 2011"); ``no_change``: said
    instead of a change when there is none to give."""
    if change is None:
        badge = html.Span(no_change, className="small text-muted")
    elif fmt.pct(abs(change)) == fmt.pct(0):  # 1 order against 1: not a rise
        badge = dbc.Badge(fmt.pct(0), color="secondary", className="kpi-delta")
    else:
        color = "success" if change > 0 else "danger"
        arrow = "▲" if change > 0 else "▼"
        badge = dbc.Badge(
            f"{arrow} {fmt.signed_pct(change)}", color=color, className="kpi-delta"
        )
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="kpi-title text-muted small"),
                html.Div(value, className="kpi-value"),
                html.Div([badge, html.Span(f" {note}", className="small text-muted")]),
            ]
        ),
        className="kpi-card h-100 shadow-sm",
    )


def empty_state(message: str, detail: str | None = None) -> html.Div:
    """A friendly note where data would be (a filter left nothing, a table absent)."""
    children = [html.Div(message, className="fw-semibold")]
    if detail:
        children.append(html.Div(detail, className="small text-muted"))
    return html.Div(children, className="empty-state")


def segment_label(segment: str) -> html.Span:
    """A segment's name after a dot of its colour. The name stays in the text
    colour: segment colours are too light to read as text (Occasional 1.6:1)."""
    return html.Span(
        [
            html.Span(
                className="segment-dot",
                style={"background": segment_color(segment)},
                **{"aria-hidden": "true"},
            ),
            segment,
        ],
        className="segment-label",
    )


def graph(graph_id, figure: dict | None = None, height: int = 360, **config):
    """A graph with a loading indicator; ``config`` extends the shared plot config."""
    return dcc.Loading(
        dcc.Graph(
            id=graph_id,
            figure=figure or {"data": [], "layout": {}},
            config={**GRAPH_CONFIG, **config},
            style={"height": f"{height}px"},
        ),
        type="circle",
        delay_show=150,
    )


def card(title: str, body, subtitle: str | None = None, fill: bool = True):
    """A titled card; ``fill`` stretches it to its column's height (for rows of
    cards side by side)."""
    header = [html.H2(title, className="h6 mb-0")]
    if subtitle:
        header.append(html.Div(subtitle, className="small text-muted"))
    return dbc.Card(
        [dbc.CardHeader(header), dbc.CardBody(body)],
        className="h-100 shadow-sm" if fill else "shadow-sm",
    )


def card_row(*columns: tuple, breakpoint: str = "lg") -> dbc.Row:
    """Cards side by side, each ``(content, width)``: its width of 12 from
    ``breakpoint`` on, stacked full width below it."""
    return dbc.Row(
        [dbc.Col(c, className="mb-3", **{breakpoint: w}) for c, w in columns]
    )


def full_row(content) -> dbc.Row:
    """One card (or anything) across the whole page width."""
    return dbc.Row(dbc.Col(content, width=12), className="mb-3")


def _numeric(column: tuple) -> bool:
    """Whether a table column is right-aligned: a formatter says it holds numbers
    unless a fourth item says otherwise."""
    return column[3] if len(column) > 3 else column[2] is not None


def table(
    rows: Sequence[dict],
    columns: Sequence[tuple],
    empty: str = "Nothing to show",
    row_key: str | None = None,
    highlight: object = None,
    class_name: str | None = None,
    phone_folded: dict[str, str] | None = None,
) -> dbc.Table | html.Div:
    """A striped table from dict rows; ``columns`` are (key, header, formatter),
    optionally with a fourth item, ``numeric``.

    Numeric columns (by default those with a formatter) are right-aligned; a
    formatter may return a component (a segment's dot and name). The row whose
    ``row_key`` equals ``highlight`` is emphasised; ``class_name`` is added to
    the table's classes (``profile-table``: compact, for a half-width card).
    ``phone_folded``: {key: key of another column}: on a phone (below 576 px) the
    first column is hidden and its value shown, muted, under the other's (a
    product's code under its name), so the table fits the screen.
    """
    if not rows:
        return empty_state(empty)
    folded = phone_folded or {}
    under = {into: key for key, into in folded.items()}

    def classes(c: tuple) -> str | None:
        names = ["text-end"] if _numeric(c) else []
        if c[0] in folded:
            names += ["d-none", "d-sm-table-cell"]
        return " ".join(names) or None

    def content(c: tuple, row: dict):
        value = c[2](row[c[0]]) if c[2] else str(row[c[0]])
        if c[0] not in under:
            return value
        extra = html.Div(str(row[under[c[0]]]), className="d-sm-none small text-muted")
        return [value, extra]

    head = html.Thead(html.Tr([html.Th(c[1], className=classes(c)) for c in columns]))
    body = []
    for row in rows:
        cells = [html.Td(content(c, row), className=classes(c)) for c in columns]
        active = row_key is not None and row.get(row_key) == highlight
        body.append(html.Tr(cells, className="table-active" if active else None))
    return dbc.Table(
        [head, html.Tbody(body)],
        striped=True,
        hover=True,
        size="sm",
        responsive=True,
        className=f"mb-0 {class_name}" if class_name else "mb-0",
    )


def page(title: str, *children, lead: str | None = None) -> html.Div:
    header = [html.H1(title, className="h4 mb-1")]
    if lead:
        header.append(html.P(lead, className="text-muted small mb-3"))
    return html.Div([html.Div(header), *children])


def product_option(stock_code: str, description: str, search: str = "") -> dict:
    # "search" makes the dropdown keep typo-tolerant matches that the server found
    # but whose label does not contain the typed text. It starts with that text
    # and a space: assets/20-dropdown-typing.js reads it to tell the answer to
    # what is in the box from an earlier keystroke's.
    return {
        "label": f"{description} ({stock_code})",
        "value": stock_code,
        "search": f"{search} {description} {stock_code}",
    }
