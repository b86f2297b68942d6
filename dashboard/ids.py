"""Every component ID, in one place: kebab-case with a page prefix.

Controls whose value is part of the page's state in the URL use the pattern-matching
IDs of :func:`url_param` (``value`` ↔ ``?key=value``) or :func:`url_date` (a
store's ``data`` ↔ ``?start=…``, ``?end=…``: the dates the filter applies, which
follow the date picker): one callback writes the URL from all of them, and each
page's layout reads them back from the URL.
"""

from __future__ import annotations

from dash import stringify_id

URL = "app-url"
PAGE = "app-page"
NAV = "app-nav"
NAV_TOGGLER = "app-nav-toggler"
NAV_COLLAPSE = "app-nav-collapse"
URL_WRITTEN = "app-url-written"  # the last query string the app itself wrote
NAV_LINK = "app-nav-link"  # pattern type: {"type": NAV_LINK, "page": path}

URL_PARAM = "url-param"
URL_DATE = "url-date"


def url_param(key: str) -> dict:
    """ID of a control whose ``value`` is stored in the URL as ``?key=…``."""
    return {"type": URL_PARAM, "key": key}


def url_date(key: str) -> dict:
    """ID of a store whose ``data`` (a date the filter applies) is stored in the
    URL as ``?key=…``."""
    return {"type": URL_DATE, "key": key}


def nav_link(path: str) -> dict:
    return {"type": NAV_LINK, "page": path}


def dom_id(component_id: str | dict) -> str:
    """The ``id`` attribute a component gets in the page, for ``<label for=…>``:
    dict IDs become JSON with sorted keys, as Dash writes them."""
    return stringify_id(component_id)


# Global filter bar (keys of the URL query string).
DATES = "filter-dates"  # the picker; the filter applies the two stores below
DATES_START = url_date("start")
DATES_END = url_date("end")
# Set by assets/30-date-range.js: the calendar closed; a date box was left.
DATES_CLOSED = "filter-dates-closed"
DATES_TYPED = "filter-dates-typed"
REGION = url_param("region")
COUNTRY = url_param("country")
FILTER_SUMMARY = "filter-summary"
FILTER_DATES_LABEL = "filter-dates-label"
FILTER_REGION_LABEL = "filter-region-label"
FILTER_COUNTRY_LABEL = "filter-country-label"

# Overview.
OVR_KPIS = "overview-kpis"
OVR_GRANULARITY = url_param("granularity")
OVR_TREND = "overview-trend-graph"
OVR_COUNTRY_BAR = "overview-country-bar-graph"
OVR_COUNTRY_MAP = "overview-country-map-graph"
OVR_TOP_UNITS = "overview-top-units-graph"
OVR_TOP_REVENUE = "overview-top-revenue-graph"
OVR_PARETO = "overview-pareto-graph"
OVR_PARETO_BY = url_param("pareto")
OVR_PARETO_NOTE = "overview-pareto-note"

# Segments.
SEG_SEGMENT = url_param("segment")
SEG_SEGMENT_LABEL = "segments-segment-label"
SEG_3D = "segments-3d-graph"
SEG_PROFILE = "segments-profile-table"
SEG_RFM_DIST = "segments-rfm-distribution-graph"
SEG_ELBOW = "segments-elbow-graph"
SEG_SILHOUETTE = "segments-silhouette-graph"
SEG_COMPARISON = "segments-model-comparison"
SEG_PRED_RECENCY = "segments-predict-recency"
SEG_PRED_FREQUENCY = "segments-predict-frequency"
SEG_PRED_MONETARY = "segments-predict-monetary"
SEG_PRED_RESULT = "segments-predict-result"
SEG_EXPORT_BUTTON = "segments-export-button"
SEG_EXPORT_DOWNLOAD = "segments-export-download"
SEG_SUMMARY = "segments-window-summary"

# Customers.
CUS_ID = url_param("id")
CUS_ID_LABEL = "customers-id-label"
CUS_RESULT = "customers-result"
CUS_RFM = "customers-rfm-graph"
CUS_HISTORY = "customers-history-graph"

# Products.
PRD_SEARCH = url_param("code")
PRD_SEARCH_LABEL = "products-search-label"
PRD_DETAIL = "products-detail"
PRD_SALES = "products-sales-graph"
PRD_COUNTRIES = "products-countries-graph"
PRD_SIMILAR = "products-similar"
