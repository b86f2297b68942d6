"""Sales aggregates and Pareto curves on hand-computed values."""

import numpy as np
import pandas as pd
import pytest
from helpers import small_shop

from analytics import aggregates
from analytics.cleaning import clean
from analytics.ingest import normalise


@pytest.fixture(scope="module")
def lines():
    return clean(normalise(small_shop(40), "shop.csv", 2))[0]


def test_pareto_curve_hand_computed():
    curve = aggregates.pareto_curve(np.array([10.0, 60.0, 30.0, 0.0]))
    assert curve["share_of_entities"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert curve["share_of_revenue"].tolist() == pytest.approx([0.6, 0.9, 1.0, 1.0])
    assert aggregates.share_for_revenue(curve, 0.8) == 0.5
    assert aggregates.share_for_revenue(curve, 0.6) == 0.25


def test_invoices_sum_to_lines(lines):
    invoices = aggregates.invoices_table(lines)
    assert invoices["revenue"].sum() == pytest.approx(lines["revenue"].sum())
    assert invoices["units"].sum() == lines["quantity"].sum()
    assert invoices["lines"].sum() == len(lines)
    assert len(invoices) == lines["invoice"].nunique()
    assert set(invoices["region"]) == {"UK", "Western Europe"}


def test_daily_and_product_tables_keep_totals(lines):
    invoices = aggregates.invoices_table(lines)
    daily = aggregates.daily_country_table(invoices)
    product_daily = aggregates.product_daily_table(lines)
    for table in (daily, product_daily):
        assert table["revenue"].sum() == pytest.approx(lines["revenue"].sum())
    assert daily["orders"].sum() == len(invoices)
    day = daily.iloc[0]
    same = invoices[
        (invoices["invoice_date"].dt.normalize() == day["date"])
        & (invoices["country"] == day["country"])
    ]
    assert day["customers"] == same["customer_id"].nunique()


def test_products_and_customer_products(lines):
    products = aggregates.products_table(lines)
    assert products["revenue"].is_monotonic_decreasing
    top = products.iloc[0]
    part = lines[lines["stock_code"] == top["stock_code"]]
    assert top["units"] == part["quantity"].sum()
    assert top["customers"] == part["customer_id"].nunique()
    cp = aggregates.customer_products_table(lines)
    assert cp["revenue"].sum() == pytest.approx(lines["revenue"].sum())
    assert not cp.duplicated(["customer_id", "stock_code"]).any()


def test_pareto_table_has_both_kinds(lines):
    invoices = aggregates.invoices_table(lines)
    table = aggregates.pareto_table(invoices, aggregates.products_table(lines))
    assert set(table["kind"]) == {"customers", "products"}
    for _, curve in table.groupby("kind"):
        assert curve["share_of_revenue"].iloc[-1] == pytest.approx(1.0)
        assert pd.Series(curve["share_of_revenue"]).is_monotonic_increasing
