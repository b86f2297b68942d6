"""Fuzzy product lookup: partial, misspelled, lower-case names and stock codes."""

import pandas as pd
import pytest
from helpers import requires_shared_data

from analytics.product_search import search_products

PRODUCTS = pd.DataFrame(
    {
        "stock_code": ["85123A", "21733", "22423", "23082", "71053", "20725", "22413"],
        "description": [
            "WHITE HANGING HEART T-LIGHT HOLDER",
            "RED HANGING HEART T-LIGHT HOLDER",
            "REGENCY CAKESTAND 3 TIER",
            "SET 6 PAPER TABLE LANTERN HEARTS",
            "WHITE METAL LANTERN",
            "LUNCH BAG RED RETROSPOT",
            "METAL SIGN TAKE IT OR LEAVE IT",
        ],
        "revenue": [
            100_000.0,
            22_000.0,
            140_000.0,
            8_000.0,
            5_900.0,
            28_000.0,
            10_000.0,
        ],
    }
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("white hanging heart", "85123A"),
        ("WHITE HANGING HEART T-LIGHT HOLDER", "85123A"),
        ("hart t-light", "85123A"),  # typo; the best seller wins the tie with RED
        ("red hangin hart", "21733"),
        ("regency cakestnd", "22423"),
        ("lantern", "23082"),  # both lanterns match fully; the better seller first
        ("lant", "23082"),  # a prefix is enough
        ("t light", "85123A"),
        ("85123a", "85123A"),  # a stock code, any case
        ("  Lunch   Bag ", "20725"),
    ],
)
def test_the_right_product_comes_first(query, expected):
    found = search_products(PRODUCTS, query)
    assert found["stock_code"].iloc[0] == expected


def test_scores_are_sorted_bounded_and_limited():
    found = search_products(PRODUCTS, "heart", limit=2)
    assert len(found) == 2
    assert found["match_score"].between(0, 100).all()
    assert set(found["stock_code"]) == {"85123A", "21733"}


def test_no_match_and_empty_query_give_an_empty_frame():
    for query in ["zzzzqq", "", "   ", None, "!!"]:
        found = search_products(PRODUCTS, query)
        assert found.empty
        assert "match_score" in found.columns


def test_a_products_table_without_descriptions_is_a_clear_error():
    with pytest.raises(ValueError, match="description"):
        search_products(PRODUCTS[["stock_code"]], "heart")


@requires_shared_data
@pytest.mark.integration
def test_lookup_on_the_real_catalogue(online_retail_lines):
    from analytics.aggregates import products_table

    products = products_table(online_retail_lines)
    first = {
        q: search_products(products, q)["stock_code"].iloc[0]
        for q in ["white hanging heart", "hart t-light", "regency cakestand"]
    }
    assert first == {
        "white hanging heart": "85123A",
        "hart t-light": "85123A",
        "regency cakestand": "22423",
    }
    lantern = search_products(products, "lantern", limit=5)
    assert lantern["description"].str.contains("LANTERN").all()


SPACED = pd.concat(
    [
        PRODUCTS,
        pd.DataFrame(
            {
                "stock_code": ["21843", "23501", "84549"],
                "description": [
                    "RED RETROSPOT CAKE STAND",
                    "KEY RING BASEBALL BOOT UNION JACK",
                    "CROCHET WHITE RABBIT KEYRING",
                ],
                "revenue": [3_000.0, 900.0, 500.0],
            }
        ),
    ],
    ignore_index=True,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Spaced in the query, written as one word in the description, and back.
        ("cake stand", ["22423", "21843"]),
        ("cakestand", ["22423", "21843"]),
        ("regency cake stand", ["22423"]),
        ("key ring", ["23501", "84549"]),
        ("keyring", ["23501", "84549"]),
        ("t light", ["85123A", "21733"]),
        ("tlight", ["85123A", "21733"]),
        ("t-light", ["85123A", "21733"]),
    ],
)
def test_spacing_does_not_matter(query, expected):
    found = search_products(SPACED, query)
    assert found["stock_code"].head(len(expected)).tolist() == expected
    assert (found["match_score"].head(len(expected)) >= 95).all()


@requires_shared_data
@pytest.mark.integration
def test_the_placeholder_example_finds_the_regency_cakestand(online_retail_lines):
    from analytics.aggregates import products_table

    products = products_table(online_retail_lines)
    for query in ["cake stand", "cakestand", "Cake Stand"]:
        found = search_products(products, query)
        assert found["stock_code"].iloc[0] == "22423", query  # the #2 by revenue
    door = search_products(products, "door mat", limit=5)
    assert door["description"].str.startswith("DOORMAT").all()
