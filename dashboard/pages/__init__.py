"""Page layouts: one module per page, each with ``layout(ctx, params)``.

A layout reads its initial control values from the URL's parsed query (``params``),
so any view can be shared as a link; callbacks then fill in the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from components.layout import empty_state, filter_bar
from dashboard.data import BundleError, BundleMissingError, DataAccess
from dashboard.queries import window_dates
from dashboard.urlstate import filters_from


@dataclass(frozen=True)
class PageContext:
    """What a page layout may use: the data access and app-level URLs."""

    data: DataAccess
    topojson_url: str


def global_filter_bar(ctx: PageContext, params: dict):
    """The filter bar, set to the URL's filter, its dates within the data's."""
    f = filters_from(params)
    data = ctx.data
    bounds = data.date_bounds()
    # The window the page shows (``?start=1990-01-01`` reads as the first day of
    # the data), as the queries and the summaries clip it; a window without a
    # day of data keeps the dates asked for, which the page says has no sales.
    # Only one asked for (``?start=2012-01-01``, after the data): that day at
    # both ends, not the data's last day at the other. A reversed pair would
    # read, once any control changes, as the window between them.
    start, end = window_dates(f, bounds)
    if start > end:
        start, end = f.start or f.end, f.end or f.start
    return filter_bar(
        bounds,
        data.regions(),
        data.countries(),
        start=start,
        end=end,
        selected_regions=f.regions,
        selected_countries=f.countries,
    )


PAGE_PATHS = ("/", "/segments", "/customers", "/products", "/data")


def page_path(path: str | None) -> str:
    """``path`` as the pages know it: ``/products/`` is ``/products``."""
    return (path or "/").rstrip("/") or "/"


def render(path: str, params: dict, ctx: PageContext):
    """The layout of the page at ``path``; a friendly page for unknown paths."""
    from dashboard.pages import customers, data_report, overview, products, segments

    layouts = (
        overview.layout,
        segments.layout,
        customers.layout,
        products.layout,
        data_report.layout,
    )
    routes = dict(zip(PAGE_PATHS, layouts, strict=True))
    path = page_path(path)
    if path not in routes:
        return empty_state(
            f"There is no page at {path}.",
            "Use the links at the top to open one of the dashboard's pages.",
        )
    try:
        return routes[path](ctx, params)
    except BundleMissingError as exc:
        return html.Div(empty_state("No data to show yet.", exc.public))
    except BundleError as exc:
        return html.Div(empty_state("The data cannot be shown.", exc.public))
