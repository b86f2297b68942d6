"""Single-customer and single-product lookups over a loaded bundle (no I/O)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.product_search import search_products
from dashboard.queries import (
    Filters,
    _by_period,
    _mask,
    country_allowed,
    country_totals,
    day_range,
)


def _position(keys: np.ndarray, value) -> int | None:
    """Index of ``value`` in the sorted ``keys``, or None when absent."""
    i = int(np.searchsorted(keys, value))
    if i < len(keys) and keys[i] == value:
        return i
    return None


def _slice(table: pd.DataFrame, keys: np.ndarray, value) -> pd.DataFrame:
    """The rows of ``table`` (sorted by ``keys``) whose key equals ``value``."""
    lo = np.searchsorted(keys, value, side="left")
    hi = np.searchsorted(keys, value, side="right")
    return table.iloc[lo:hi]


def _customer_row(b, customer_id: int) -> int | None:
    return _position(b.customer_ids, customer_id)


def customer_profile(b, customer_id: int) -> dict | None:
    """The customer's row of the customers table plus the segment's typical R/F/M
    (``segment_median``), or None for an unknown ID."""
    row = _customer_row(b, customer_id)
    if row is None:
        return None
    profile = b.customers.iloc[row].to_dict()
    profiles = b.tables["segment_profiles"].set_index("segment")
    typical = {}
    if profile["segment"] in profiles.index:
        p = profiles.loc[profile["segment"]]
        typical = {
            "recency_days": float(p["recency_median"]),
            "frequency": float(p["frequency_median"]),
            "monetary": float(p["monetary_median"]),
        }
    profile["segment_median"] = typical
    return profile


def customer_history(b, customer_id: int) -> pd.DataFrame:
    """``period, revenue, orders, units`` per month of the customer's invoices."""
    row = _customer_row(b, customer_id)
    mask = b.inv["customer"] == (row if row is not None else -1)
    return _by_period(
        b.inv["day"][mask],
        {
            "revenue": b.inv["revenue"][mask],
            "orders": np.ones(int(mask.sum())),
            "units": b.inv["units"][mask].astype("float64"),
        },
        "month",
    )


def customer_top_products(b, customer_id: int, n: int = 5) -> pd.DataFrame:
    """The customer's ``n`` biggest products by revenue, with descriptions."""
    part = _slice(b.customer_products, b.cp_customer, customer_id).head(n)
    return part.merge(
        b.products[["stock_code", "description"]], on="stock_code", how="left"
    )


def _rows_with(b, name: str, value) -> pd.DataFrame:
    """The rows of optional table ``name`` whose first key equals ``value`` (the
    table is sorted by that key on load)."""
    return _slice(b.tables[name], b.lookup_keys[name], value)


def recommendations_for(
    b, customer_id: int, table_name: str = "recommendations"
) -> pd.DataFrame | None:
    """Top-5 recommendations with reasons; None when the bundle has no such table."""
    table = b.tables.get(table_name)
    if table is None:
        return None
    part = _rows_with(b, table_name, customer_id)
    return part.head(5).reset_index(drop=True)


def product_code(b, text: str) -> str | None:
    """The stock code ``text`` names: itself, else the one code equal to it but
    for case and surrounding spaces (``85123a`` → ``85123A``); None otherwise."""
    text = str(text).strip()
    if _position(b.product_codes, text) is not None:
        return text
    same = np.flatnonzero(np.char.upper(b.product_codes.astype(str)) == text.upper())
    return str(b.product_codes[same[0]]) if len(same) == 1 else None


def product_info(b, stock_code: str) -> dict | None:
    i = _position(b.product_codes, stock_code)
    return None if i is None else b.products.iloc[i].to_dict()


def similar_to(b, stock_code: str, n: int = 5) -> pd.DataFrame | None:
    """Top-``n`` similar products per method, with descriptions; None when the bundle
    has no similar-products table."""
    table = b.tables.get("similar_products")
    if table is None:
        return None
    part = _rows_with(b, "similar_products", stock_code)
    part = part[part["rank"] <= n]
    names = b.products.set_index("stock_code")["description"]
    part = part.assign(description=names.reindex(part["similar_stock_code"]).to_numpy())
    return part.reset_index(drop=True)


def product_sales(b, stock_code: str, f: Filters, granularity: str) -> pd.DataFrame:
    """``period, units, revenue`` of one product under the global filter."""
    i = _position(b.product_codes, stock_code)
    if i is None:
        return pd.DataFrame(columns=["period", "units", "revenue"])
    mask = _mask(b.pdaily, country_allowed(b, f), *day_range(b, f))
    mask &= b.pdaily["product"] == i
    return _by_period(
        b.pdaily["day"][mask],
        {"units": b.pdaily["units"][mask], "revenue": b.pdaily["revenue"][mask]},
        granularity,
    )


def product_countries(b, stock_code: str, f: Filters) -> pd.DataFrame:
    """``country, region, revenue, units`` of one product's sales under the global
    filter, one row per country that bought it, biggest revenue first."""
    i = _position(b.product_codes, stock_code)
    if i is None:
        return pd.DataFrame(columns=["country", "region", "revenue", "units"])
    mask = _mask(b.pdaily, country_allowed(b, f), *day_range(b, f))
    mask &= b.pdaily["product"] == i
    return country_totals(b, b.pdaily, mask, ("revenue", "units"))


def search(b, text: str, limit: int = 10) -> pd.DataFrame:
    """Products whose description or stock code matches ``text``, best first:
    ``stock_code, description, revenue``."""
    text = (text or "").strip()
    columns = ["stock_code", "description", "revenue"]
    if not text:
        return pd.DataFrame(columns=columns)
    found = search_products(b.product_index, text, limit=limit)
    return found[[c for c in columns if c in found.columns]].reset_index(drop=True)
