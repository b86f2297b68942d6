"""The /products header: figures for what the filter selects, and for all sales."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import text_of

from callbacks import products
from components import format as fmt
from dashboard.queries import Filters

BOUNDS = ("2010-12-01", "2011-12-09")


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (Filters(), None),
        (Filters(start="2010-11-01", end="2012-01-31"), None),  # covers all data
        (
            Filters(start="2011-11-01", end="2011-11-30", countries=("Saudi Arabia",)),
            "1 Nov 2011 – 30 Nov 2011, Saudi Arabia",
        ),
        (Filters(start="2011-11-01"), "1 Nov 2011 – 9 Dec 2011, all countries"),
        (Filters(regions=("UK",)), "1 Dec 2010 – 9 Dec 2011, UK"),
        (
            Filters(countries=("France", "Germany"), regions=("Western Europe",)),
            "1 Dec 2010 – 9 Dec 2011, France, Germany (in Western Europe)",
        ),
        (Filters(start="2012-02-01"), "from 1 Feb 2012, all countries"),
    ],
)
def test_filter_scope_says_what_the_filter_selects(f, expected):
    assert products.filter_scope(f, BOUNDS) == expected


def _top_product(data) -> str:
    return str(data.bundle().products.sort_values("revenue")["stock_code"].iloc[-1])


def test_header_figures_follow_the_filter(data):
    code = _top_product(data)
    product = data.product(code)
    first, last = data.date_bounds()
    month = pd.Timestamp(last).to_period("M")
    f = Filters(start=str(month.start_time.date()), end=last)
    detail, _, _, _ = products.product_outputs(data, code, f)
    text = text_of(detail)
    sales = data.product_sales(code, f, "month")
    assert not sales.empty and sales["revenue"].sum() < product["revenue"]
    selected, everything = text.split("All sales")
    assert fmt.day_range(f.start, last) in selected
    assert fmt.money(sales["revenue"].sum()) in selected
    assert fmt.count(sales["units"].sum()) in selected
    # The whole history stays, labelled as such.
    assert fmt.money(product["revenue"]) in everything
    assert fmt.count(product["orders"]) in everything


def test_header_says_no_sales_when_the_filter_selects_none(data):
    code = _top_product(data)
    product = data.product(code)
    f = Filters(countries=("Nowhere",))
    detail, figure, _, _ = products.product_outputs(data, code, f)
    selected, everything = text_of(detail).split("All sales")
    assert "Nowhere: no sales" in selected
    assert fmt.money(product["revenue"]) not in selected
    assert fmt.money(product["revenue"]) in everything
    notes = [a.get("text", "") for a in figure["layout"].get("annotations", [])]
    # Empty-chart messages wrap for phones.
    words = [n.replace("<br>", " ") for n in notes]
    assert "No sales of this product match these filters" in words


def test_without_a_filter_one_line_gives_all_sales(data):
    code = _top_product(data)
    product = data.product(code)
    text = text_of(products.product_outputs(data, code, Filters())[0])
    assert text.count("Revenue") == 1
    assert "All sales (" in text and fmt.money(product["revenue"]) in text
    first_sold = fmt.day(product["first_sold"])
    assert first_sold in text


def test_product_detail_plain_function():
    p = {
        "stock_code": "85123A",
        "description": "WHITE HANGING HEART T-LIGHT HOLDER",
        "revenue": 100_547.45,
        "units": 36_763,
        "orders": 1_978,
        "customers": 856,
        "median_unit_price": 2.95,
        "first_sold": pd.Timestamp("2010-12-01 08:26"),
        "last_sold": pd.Timestamp("2011-12-09 11:34"),
    }
    none = pd.DataFrame(columns=["period", "units", "revenue"])
    scope = "1 Nov 2011 – 30 Nov 2011, Saudi Arabia"
    text = text_of(products.product_detail(p, none, scope))
    assert f"{scope}: no sales" in text
    assert "All sales (1 Dec 2010 – 9 Dec 2011):" in text
    some = pd.DataFrame({"period": [0, 1], "units": [10.0, 5.0], "revenue": [25, 12.5]})
    text = text_of(products.product_detail(p, some, scope))
    assert "£37.50" in text and "15" in text.split("All sales")[0]
