"""Page routing and the URL: controls → query string, query string → page.

No callback loop: page layouts read the URL once, when they are rendered; one writer
callback turns every control with a ``url-param``/``url-date`` ID into the query
string and remembers what it wrote. The page is rendered again only when the URL
changes some other way (a link, back/forward, a pasted address).
"""

from __future__ import annotations

import json

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.pages import PageContext, render
from dashboard.urlstate import GLOBAL_KEYS, MULTI_KEYS, encode, global_query, parse


def control_values(params: list[dict], dates: list[dict]) -> dict:
    """{key: value} from the pattern-matching inputs of the URL writer (controls'
    values, then the dates the filter applies), in a stable order (global filter
    first)."""
    values: dict = {}
    for item in [*dates, *params]:
        values[item["id"]["key"]] = item.get("value")
    order = ["start", "end", "region", "country"]
    return {k: values[k] for k in order if k in values} | {
        k: v for k, v in values.items() if k not in order
    }


def needs_render(triggered: list[str], search: str | None, written) -> bool:
    """Whether a URL change calls for rendering the page from the URL.

    A query string this app just wrote mirrors the controls already on the page:
    rendering again would only reset them. Any other change (first load, a link,
    back/forward, a pasted address) renders the page from the URL.
    """
    if triggered != [f"{ids.URL}.search"]:
        return True
    return (search or "") != (written or "")


def carried_filter(search: str | None) -> dict:
    """The global filter of a query string as control values."""
    params = parse(global_query(search))
    return {
        key: (params[key] if key in MULTI_KEYS else params[key][0]) for key in params
    }


def query_for(values: dict, date_bounds) -> str:
    return encode(values, date_bounds)


# Each page's link carries the global filter of the current URL: the values of
# ``urlstate.GLOBAL_KEYS``, in that order, the query ``urlstate.global_query``
# writes (up to how a character is escaped). Written in the browser: a link that
# waited for a second server round trip after each filter change still lacked
# the new filter when clicked a moment after it (QA: 100-300 ms).
NAV_HREFS_JS = """
function (search, linkIds) {
    const params = new URLSearchParams(search || '');
    const kept = new URLSearchParams();
    for (const key of GLOBAL_KEYS) {
        for (const value of params.getAll(key)) {
            if (value !== '') kept.append(key, value);
        }
    }
    const query = kept.toString();
    return linkIds.map((id) => id.page + (query ? '?' + query : ''));
}
""".replace("GLOBAL_KEYS", json.dumps(list(GLOBAL_KEYS)))


# The toggler opens and closes the collapsed (phone) menu; anything else that fires
# closes it: a page link (even to the page already shown, whose path does not
# change) or a new path (the brand link, back/forward).
NAV_MENU_JS = """
function (_toggles, _links, _pathname, isOpen, togglerId) {
    const fired = dash_clientside.callback_context.triggered.map(t => t.prop_id);
    if (fired.length === 1 && fired[0] === togglerId + ".n_clicks") {
        return !isOpen;
    }
    return isOpen ? false : dash_clientside.no_update;
}
"""


def register(app, data) -> None:
    page_ctx = PageContext(data=data, topojson_url=app.get_asset_url("topojson/"))

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        State(ids.URL_WRITTEN, "data"),
    )
    def show_page(pathname, search, written):
        if not needs_render(list(ctx.triggered_prop_ids), search, written):
            raise PreventUpdate
        return render(pathname, parse(search), page_ctx)

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.URL_WRITTEN, "data"),
        Input({"type": ids.URL_PARAM, "key": ALL}, "value"),
        Input({"type": ids.URL_DATE, "key": ALL}, "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def write_url(_params, dates, search):
        values = control_values(*ctx.inputs_list)
        if not dates:
            # A page without the filter bar keeps the filter it was opened with,
            # so the next page still gets it.
            values = carried_filter(search) | values
        query = query_for(values, data.date_bounds())
        if query == (search or ""):
            return no_update, query
        return query, query

    app.clientside_callback(
        NAV_HREFS_JS,
        Output({"type": ids.NAV_LINK, "page": ALL}, "href"),
        Input(ids.URL, "search"),
        State({"type": ids.NAV_LINK, "page": ALL}, "id"),
    )

    # In the browser: a phone's menu should fold away as soon as a page is chosen,
    # without waiting for the server.
    app.clientside_callback(
        NAV_MENU_JS,
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input({"type": ids.NAV_LINK, "page": ALL}, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
        State(ids.NAV_TOGGLER, "id"),
        prevent_initial_call=True,
    )
