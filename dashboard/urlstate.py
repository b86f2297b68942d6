"""Page state ↔ URL query string (``?start=2011-01-01&region=UK&id=17850``).

Pure functions: the URL writer callback encodes the controls' values with
:func:`encode`, and page layouts read them back with :func:`parse` and
:func:`filters_from`.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode

from dashboard.queries import GRANULARITIES, Filters

# Keys that mean the same on every page; the navigation links carry only these.
GLOBAL_KEYS = ("start", "end", "region", "country")
# Values equal to these are left out of the URL, so a default view has a short one.
DEFAULTS = {"granularity": "week", "pareto": "customers"}
PARETO_BY = ("customers", "products")  # what the Pareto curve ranks
# Keys whose value is a list (multi-select) and repeat in the query string.
MULTI_KEYS = ("region", "country")


def parse(search: str | None) -> dict[str, list[str]]:
    """Query string → {key: [values]} (blank values dropped)."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=False)


def first(params: dict, key: str, default=None):
    values = params.get(key)
    return values[0] if values else default


def valid_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` if ``text`` is one (ignoring a time part), else None."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10]).isoformat()
    except ValueError:
        return None


def _filters(start_date, end_date, regions: tuple, countries: tuple) -> Filters:
    """Valid dates only, in order."""
    start, end = valid_date(start_date), valid_date(end_date)
    if start and end and start > end:
        start, end = end, start
    return Filters(start=start, end=end, regions=regions, countries=countries)


def filters_from(params: dict) -> Filters:
    """The global filter from parsed query parameters; bad dates are ignored."""
    return _filters(
        first(params, "start"),
        first(params, "end"),
        tuple(params.get("region", ())),
        tuple(params.get("country", ())),
    )


def filters_of(start_date, end_date, regions, countries) -> Filters:
    """The global filter from the filter bar's control values."""
    return _filters(
        start_date,
        end_date,
        tuple(sorted(regions or ())),
        tuple(sorted(countries or ())),
    )


def granularity_of(value) -> str:
    """``value`` if it is a known trend granularity, else the default."""
    return value if value in GRANULARITIES else DEFAULTS["granularity"]


def pareto_by_of(value) -> str:
    """``value`` if the Pareto curve can rank it, else the default (customers)."""
    return value if value in PARETO_BY else DEFAULTS["pareto"]


def encode(values: dict, date_bounds: tuple[str, str] | None = None) -> str:
    """Control values → ``?query`` (or ``""``), leaving out empty values, defaults,
    and dates equal to the data's bounds."""
    pairs: list[tuple[str, str]] = []
    first_day, last_day = date_bounds or (None, None)
    for key, value in values.items():
        if isinstance(value, str):  # " 12347 " typed or pasted: ?id=12347
            value = value.strip()
        if value is None or value == "" or value == []:
            continue
        if DEFAULTS.get(key) == value:
            continue
        if key in ("start", "end"):
            value = valid_date(value)
            if value is None or value == (first_day if key == "start" else last_day):
                continue
        if isinstance(value, list | tuple):
            pairs.extend((key, str(v)) for v in value)
        else:
            pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else ""


def global_query(search: str | None) -> str:
    """The part of a query string that applies on every page."""
    params = parse(search)
    pairs = [(k, v) for k in GLOBAL_KEYS for v in params.get(k, ())]
    return "?" + urlencode(pairs) if pairs else ""
