"""A reorder reason's "N days ago" is the customer's days since last purchase."""

import re

import numpy as np
import pandas as pd
import pytest

from analytics.aggregates import invoices_table
from analytics.recommend import build_recommendation_tables
from analytics.segmentation import rfm_table

AS_OF = pd.Timestamp("2011-12-10")  # the day after the last day of data
# One-order customers and when they ordered: mid-morning (recency's floor and a
# rounding differ), on the last day (recency 0) and a second after midnight (a
# float32 count of days rounds up to the next whole day).
ONE_ORDER = {
    12346: pd.Timestamp("2011-01-18 10:01"),
    12349: pd.Timestamp("2011-11-21 09:51"),
    12350: pd.Timestamp("2011-12-09 15:30"),
    12351: pd.Timestamp("2011-03-01 00:00:01"),
}


def _line(invoice, customer, when, code):
    return {
        "invoice": str(invoice),
        "stock_code": code,
        "description": f"PRODUCT {code}",
        "quantity": 6,
        "invoice_date": when,
        "unit_price": 2.0,
        "customer_id": customer,
        "country": "United Kingdom",
        "revenue": 12.0,
    }


def _history(seed=0):
    """Regular customers over the year, plus the one-order customers, each of
    whom bought one product."""
    rng = np.random.default_rng(seed)
    rows, invoice = [], 500_000
    start = pd.Timestamp("2010-12-01 09:00")
    for customer in range(20_000, 20_030):
        for day in sorted(rng.choice(370, 8, replace=False)):
            invoice += 1
            when = start + pd.Timedelta(days=int(day), minutes=int(rng.integers(600)))
            for code in rng.choice(8, 3, replace=False):
                rows.append(_line(invoice, customer, when, f"P{code}"))
    for customer, when in ONE_ORDER.items():
        invoice += 1
        rows.append(_line(invoice, customer, when, "P0"))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shop():
    lines = _history()
    customers = rfm_table(invoices_table(lines), AS_OF)
    tables = build_recommendation_tables(lines, customers, AS_OF)
    return customers.set_index("customer_id"), tables


_BOUGHT = re.compile(
    r"you bought (?:this|[\d,]+ of these) (today|yesterday|\d+ days ago)"
)


def _days(reason: str) -> int | None:
    """The days a "you bought this …" reason says (None for other reasons)."""
    found = _BOUGHT.fullmatch(reason)
    if not found:
        return None
    when = found.group(1)
    named = {"today": 0, "yesterday": 1}
    return named[when] if when in named else int(when.split()[0])


def test_recency_of_the_hand_made_history():
    customers = rfm_table(invoices_table(_history()), AS_OF).set_index("customer_id")
    assert customers.loc[list(ONE_ORDER), "recency_days"].tolist() == [325, 18, 0, 283]


@pytest.mark.parametrize("customer", list(ONE_ORDER))
def test_a_one_order_customers_reason_says_their_recency(shop, customer):
    customers, tables = shop
    mine = tables["recommendations"].query("customer_id == @customer")
    said = mine["reason"].map(_days).dropna().astype("int64").tolist()
    assert said == [customers.loc[customer, "recency_days"]]


def test_every_bought_this_reason_agrees_with_recency(shop):
    customers, tables = shop
    table = tables["recommendations"]
    said = table["reason"].map(_days)
    one_order = table["customer_id"].map(customers["frequency"]) == 1
    rows = table[said.notna() & one_order]
    assert len(rows) >= len(ONE_ORDER)
    recency = rows["customer_id"].map(customers["recency_days"])
    assert (said[rows.index] == recency).all()


def test_a_one_order_customers_reason_says_how_many_they_bought(shop):
    _, tables = shop
    table = tables["recommendations"]
    # Each one-order customer bought 6 of P0 (and 0 days ago is "today").
    said = table.query("customer_id == 12350 and stock_code == 'P0'")["reason"]
    assert said.tolist() == ["you bought 6 of these today"]
    said = table.query("customer_id == 12346 and stock_code == 'P0'")["reason"]
    assert said.tolist() == ["you bought 6 of these 325 days ago"]


def test_units_are_those_of_the_last_day_and_one_unit_is_this():
    from analytics._reco_data import purchases_from_lines
    from analytics.recommend import _reorder_reason, last_purchase

    day = pd.Timestamp("2011-06-01 10:00")
    rows = [
        {**_line(1, 7, day, "A"), "quantity": 24},
        {**_line(2, 7, day + pd.Timedelta(days=30), "A"), "quantity": 5},
        {**_line(3, 7, day + pd.Timedelta(days=30, hours=2), "A"), "quantity": 7},
        {**_line(4, 7, day + pd.Timedelta(days=30), "B"), "quantity": 1},
    ]
    lines = pd.DataFrame(rows)
    p = purchases_from_lines(lines, pd.Timestamp("2011-07-11"))
    last = last_purchase(lines, p)
    a, b = (list(p.stock_codes).index(c) for c in "AB")
    assert last.units[0, a] == 12  # the last day's two orders, not the first 24
    assert last.days[0, a] == 9 + 1  # 9 whole days before 11 July, plus one
    assert last.units[0, b] == 1
    assert _reorder_reason(1, 11, 11, 10, 1) == "you bought this 10 days ago"
    assert (
        _reorder_reason(1, 11, 11, 10, 1200) == "you bought 1,200 of these 10 days ago"
    )
