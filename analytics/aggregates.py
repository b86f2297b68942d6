"""Sales aggregates that let the dashboard answer any date × country filter quickly."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.contract import TABLES
from analytics.regions import region_of


def invoices_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice: customer, date, country, region, revenue (£), units."""
    grouped = lines.groupby("invoice", sort=False, observed=True)
    table = grouped.agg(
        customer_id=("customer_id", "first"),
        invoice_date=("invoice_date", "min"),
        country=("country", "first"),
        revenue=("revenue", "sum"),
        units=("quantity", "sum"),
        lines=("stock_code", "size"),
    ).reset_index()
    table["region"] = region_of(table["country"])
    table = table.sort_values(["invoice_date", "invoice"], kind="stable")
    return table[TABLES["invoices"]].reset_index(drop=True)


def daily_country_table(invoices: pd.DataFrame) -> pd.DataFrame:
    """One row per day × country: revenue, orders, units, distinct customers, lines."""
    frame = invoices.assign(date=invoices["invoice_date"].dt.normalize())
    table = (
        frame.groupby(["date", "country"], sort=True, observed=True)
        .agg(
            revenue=("revenue", "sum"),
            orders=("invoice", "size"),
            units=("units", "sum"),
            customers=("customer_id", "nunique"),
            lines=("lines", "sum"),
        )
        .reset_index()
    )
    table["region"] = region_of(table["country"])
    return table[TABLES["daily_country"]]


def product_daily_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per day × country × product: units, revenue (£), orders."""
    frame = pd.DataFrame(
        {
            "date": lines["invoice_date"].dt.normalize(),
            "country": lines["country"],
            "stock_code": lines["stock_code"],
            "units": lines["quantity"],
            "revenue": lines["revenue"],
            "invoice": lines["invoice"],
        }
    )
    table = (
        frame.groupby(["date", "country", "stock_code"], sort=True, observed=True)
        .agg(
            units=("units", "sum"),
            revenue=("revenue", "sum"),
            orders=("invoice", "nunique"),
        )
        .reset_index()
    )
    return table


def products_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per product over the whole period, best-selling by revenue first."""
    table = (
        lines.groupby("stock_code", sort=False, observed=True)
        .agg(
            description=("description", "first"),
            revenue=("revenue", "sum"),
            units=("quantity", "sum"),
            orders=("invoice", "nunique"),
            customers=("customer_id", "nunique"),
            first_sold=("invoice_date", "min"),
            last_sold=("invoice_date", "max"),
            median_unit_price=("unit_price", "median"),
        )
        .reset_index()
    )
    return table.sort_values(
        ["revenue", "stock_code"], ascending=[False, True]
    ).reset_index(drop=True)


def customer_products_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per customer × product: units, revenue (£), orders, first/last bought."""
    return (
        lines.groupby(["customer_id", "stock_code"], sort=True, observed=True)
        .agg(
            units=("quantity", "sum"),
            revenue=("revenue", "sum"),
            orders=("invoice", "nunique"),
            first_bought=("invoice_date", "min"),
            last_bought=("invoice_date", "max"),
        )
        .reset_index()
    )


def countries_table(invoices: pd.DataFrame) -> pd.DataFrame:
    """One row per country: region and whole-period totals, by revenue."""
    table = (
        invoices.groupby("country", observed=True)
        .agg(
            region=("region", "first"),
            revenue=("revenue", "sum"),
            orders=("invoice", "size"),
            customers=("customer_id", "nunique"),
            units=("units", "sum"),
        )
        .reset_index()
    )
    return table.sort_values("revenue", ascending=False).reset_index(drop=True)


def pareto_curve(revenue: np.ndarray) -> pd.DataFrame:
    """Share of revenue brought by the top share of entities (largest first).

    Returns columns ``rank`` (1 = largest), ``share_of_entities`` and
    ``share_of_revenue``, both in [0, 1] and ascending.
    """
    values = np.sort(np.asarray(revenue, dtype="float64"))[::-1]
    n = len(values)
    total = values.sum()
    cumulative = np.cumsum(values) / total if total > 0 else np.zeros(n)
    return pd.DataFrame(
        {
            "rank": np.arange(1, n + 1),
            "share_of_entities": np.arange(1, n + 1) / max(n, 1),
            "share_of_revenue": cumulative,
        }
    )


def share_for_revenue(curve: pd.DataFrame, target: float = 0.8) -> float:
    """Smallest share of entities whose revenue reaches ``target`` of the total."""
    hit = curve["share_of_revenue"].to_numpy() >= target - 1e-12
    if not hit.any():
        return 1.0
    return float(curve["share_of_entities"].to_numpy()[np.argmax(hit)])


def pareto_table(invoices: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Pareto curves for customers and for products, stacked with a ``kind`` column."""
    by_customer = invoices.groupby("customer_id")["revenue"].sum().to_numpy()
    curves = [
        pareto_curve(by_customer).assign(kind="customers"),
        pareto_curve(products["revenue"].to_numpy()).assign(kind="products"),
    ]
    table = pd.concat(curves, ignore_index=True)
    return table[["kind", "rank", "share_of_entities", "share_of_revenue"]]
