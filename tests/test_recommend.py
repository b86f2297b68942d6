"""Personalised top-5: contract, reasons that name the customer's products, fallback."""

import numpy as np
import pandas as pd
import pytest

from analytics._reco_blend import ShopperRecommender
from analytics._reco_data import purchases_from_lines
from analytics.contract import TABLES
from analytics.recommend import build_recommendation_tables

AS_OF = pd.Timestamp("2011-06-01")
NAMES = {
    "10A": "WHITE HANGING HEART T-LIGHT HOLDER",
    "10B": "RED HANGING HEART T-LIGHT HOLDER",
    "20C": "REGENCY CAKESTAND 3 TIER",
    "20D": "ROSES REGENCY TEACUP AND SAUCER",
}


def _lines(baskets):
    """Cleaned lines from [(invoice, customer, day, [codes], country)]."""
    rows = []
    for invoice, customer, day, codes, country in baskets:
        for code in codes:
            rows.append(
                {
                    "invoice": str(invoice),
                    "stock_code": code,
                    "description": NAMES.get(code, f"PRODUCT {code}"),
                    "quantity": 6,
                    "invoice_date": pd.Timestamp("2011-01-03")
                    + pd.Timedelta(days=day, hours=10),
                    "unit_price": 2.0,
                    "customer_id": customer,
                    "country": country,
                    "revenue": 12.0,
                }
            )
    return pd.DataFrame(rows)


def _shop(seed=0):
    """Hearts (10A+10B) and regency (20C+20D) buyers, filler products, a
    one-order customer who bought 10A only, and a German customer."""
    rng = np.random.default_rng(seed)
    baskets, invoice = [], 1000
    for c in range(40):
        pair = ("10A", "10B") if c % 2 else ("20C", "20D")
        for day in sorted(rng.choice(140, 5, replace=False)):
            invoice += 1
            filler = [f"{rng.integers(30, 40)}X"]
            baskets.append(
                (invoice, 100 + c, int(day), list(pair) + filler, "United Kingdom")
            )
    baskets.append((1, 900, 100, ["10A"], "United Kingdom"))
    baskets.append((2, 901, 120, ["20C", "31X"], "Germany"))
    baskets.append((3, 901, 130, ["20C"], "Germany"))
    return _lines(baskets)


def _customers(lines, extra=()):
    table = lines.groupby("customer_id", as_index=False)["country"].first()
    extra = pd.DataFrame(list(extra), columns=["customer_id", "country"])
    return pd.concat([table, extra], ignore_index=True)


@pytest.fixture(scope="module")
def tables():
    lines = _shop()
    customers = _customers(lines, [(999, "France")])  # no purchases at all
    return lines, build_recommendation_tables(lines, customers, AS_OF)


def test_every_customer_gets_five_contract_rows(tables):
    lines, out = tables
    for name in ("recommendations", "discover_recommendations"):
        table = out[name]
        assert list(table.columns[:6]) == TABLES["recommendations"]
        sizes = table.groupby("customer_id")["rank"].apply(list)
        assert set(sizes.index) == set(lines["customer_id"]) | {999}
        assert all(ranks == [1, 2, 3, 4, 5] for ranks in sizes)
        assert table["reason"].str.len().gt(0).all()
        assert not table.duplicated(["customer_id", "stock_code"]).any()


def test_reasons_name_products_the_customer_bought(tables):
    lines, out = tables
    bought = lines.groupby("customer_id")["description"].apply(set)
    # The main list may carry no co-purchase item (reorders fill it); the discover
    # list lives on them.
    for name in ("recommendations", "discover_recommendations"):
        table = out[name]
        cf = table[table["reason"].str.startswith("often bought with ")]
        assert len(cf) > 0 or name == "recommendations"
        for row in cf.itertuples():
            named = row.reason.removeprefix("often bought with ")
            assert named in bought[row.customer_id]
            assert row.reason_stock_code in set(
                lines.loc[lines["customer_id"] == row.customer_id, "stock_code"]
            )
        # The product a reason names, and only that: no code beside a reason
        # that names none.
        names_one = table["reason"].str.startswith("often bought with ")
        assert (table["reason_stock_code"] != "").eq(names_one).all()


def test_reorder_rows_are_own_products_and_discover_rows_are_not(tables):
    lines, out = tables
    owned = lines.groupby("customer_id")["stock_code"].apply(set)
    main = out["recommendations"]
    for row in main.itertuples():
        is_own = row.customer_id in owned and row.stock_code in owned[row.customer_id]
        assert (row.kind == "reorder") == is_own
        assert row.reason.startswith("you ") == is_own
    discover = out["discover_recommendations"]
    for row in discover.itertuples():
        assert row.stock_code not in owned.get(row.customer_id, set())


def test_the_partner_product_is_discovered_with_its_reason(tables):
    _, out = tables
    one_order = out["discover_recommendations"].query("customer_id == 900")
    first = one_order.iloc[0]
    assert first["stock_code"] == "10B"
    assert first["reason"] == "often bought with WHITE HANGING HEART T-LIGHT HOLDER"


def test_unknown_and_cold_start_customers_get_local_trends(tables):
    lines, out = tables
    stranger = out["recommendations"].query("customer_id == 999")
    assert len(stranger) == 5
    # No one in France bought anything: the reasons count buyers everywhere, and
    # the counts are true.
    recent = lines[lines["invoice_date"] >= AS_OF - pd.Timedelta(days=14)]
    buyers = recent.groupby("stock_code")["customer_id"].nunique()
    for row in stranger.itertuples():
        n = buyers.get(row.stock_code, 0)
        assert row.reason == f"{n} customers bought this in the last 2 weeks"
    german = out["discover_recommendations"].query("customer_id == 901")
    assert len(german) == 5


def _facts(**counts):
    """Popularity facts of one product (column 0) in two countries."""
    from analytics.recommend import Popularity

    zeros = np.zeros((2, 1), dtype=np.int64)
    fields = {
        "country_recent": zeros,
        "country_ever": zeros,
        "recent": np.zeros(1, np.int64),
        "ever": np.ones(1, np.int64),
        "adopters": np.zeros(1, np.int64),
        **{k: np.asarray(v) for k, v in counts.items()},
    }
    return Popularity(
        when="in the last 2 weeks", countries=np.array(["Germany", "Spain"]), **fields
    )


@pytest.mark.parametrize(
    "counts, reason",
    [
        (
            {"country_recent": [[3], [0]], "recent": [9]},
            "3 customers in Germany bought this in the last 2 weeks",
        ),
        # One buyer in Germany is no trend: the shop-wide count instead.
        (
            {"country_recent": [[1], [0]], "recent": [9]},
            "9 customers bought this in the last 2 weeks",
        ),
        # Nothing lately: what the history says, in Germany, else anywhere.
        (
            {"country_ever": [[4], [1]], "recent": [1], "ever": [6]},
            "4 customers in Germany have bought this",
        ),
        ({"country_ever": [[1], [2]], "ever": [3]}, "3 customers have bought this"),
        ({"ever": [1]}, "1 customer has bought this"),
    ],
)
def test_a_popularity_reason_states_the_strongest_true_count(counts, reason):
    from analytics.recommend import popular_reason

    assert popular_reason(_facts(**counts), "Germany", 0) == reason


def test_popularity_counts_buyers_in_the_window_by_country():
    from analytics.recommend import popularity

    # Day 0 is 2011-01-03; AS_OF is 149 days later. 10A: two UK buyers in the
    # last two weeks (days 140, 145), one German earlier (day 100); 20C: a first
    # purchase by customer 3 on day 146, who also bought it on day 147.
    lines = _lines(
        [
            (1, 1, 140, ["10A"], "United Kingdom"),
            (2, 2, 145, ["10A"], "United Kingdom"),
            (3, 3, 100, ["10A"], "Germany"),
            (4, 3, 146, ["20C"], "Germany"),
            (5, 3, 147, ["20C"], "Germany"),
            (6, 4, 20, ["20C"], "United Kingdom"),
        ]
    )
    facts = popularity(purchases_from_lines(lines, AS_OF))
    assert facts.when == "in the last 2 weeks"
    assert list(facts.countries) == ["Germany", "United Kingdom"]
    # Columns: 10A, 20C.
    np.testing.assert_array_equal(facts.country_recent, [[0, 1], [2, 0]])
    np.testing.assert_array_equal(facts.country_ever, [[1, 1], [2, 1]])
    np.testing.assert_array_equal(facts.recent, [2, 1])
    np.testing.assert_array_equal(facts.ever, [3, 2])
    np.testing.assert_array_equal(facts.adopters, [2, 1])


def test_reorder_rhythm_is_in_the_reason():
    lines = _lines([(i, 7, 14 * i, ["10A"], "United Kingdom") for i in range(1, 6)])
    out = build_recommendation_tables(lines, _customers(lines), AS_OF)
    row = out["recommendations"].query("customer_id == 7").iloc[0]
    assert row["reason"] == "you reorder this every ~14 days (5 orders)"


def test_the_reorder_rhythm_is_rounded_once():
    from analytics.recommend import _reorder_reason

    # First and last purchase 61.4 days apart, three orders: every 30.7 days. The
    # span rounded to 61 first, then halved (30.5), read as 30.
    reason = _reorder_reason(3, first=62.4, last=1.0)
    assert reason == "you reorder this every ~31 days (3 orders)"
    # Orders all on one day are no rhythm.
    assert (
        _reorder_reason(2, first=3.2, last=3.0) == "you ordered this 2 times in one day"
    )
    assert (
        _reorder_reason(3, first=6.0, last=3.0) == "you ordered this 3 times in 4 days"
    )


def test_blend_scores_are_deterministic_and_finite():
    purchases = purchases_from_lines(_shop(), AS_OF)
    rows = np.arange(purchases.shape[0])
    a = ShopperRecommender().fit(purchases).score(rows)
    b = ShopperRecommender().fit(purchases).score(rows)
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)


def test_a_one_order_customer_is_offered_their_product_then_its_partner(tables):
    _, out = tables
    main = out["recommendations"].query("customer_id == 900")
    assert main["stock_code"].iloc[0] == "10A"
    assert main["reason"].iloc[0].startswith("you bought ")
    # 10B is always bought with 10A: the top five, chosen for variety, leaves it to
    # the discover list, which it heads.
    assert "10B" not in set(main["stock_code"])
    discover = out["discover_recommendations"].query("customer_id == 900")
    assert discover["stock_code"].iloc[0] == "10B"
    assert discover["reason"].iloc[0].startswith("often bought with WHITE HANGING")


def test_a_pinned_surest_reorder_stays_in_the_top_five():
    from analytics._reco_blend import ALL_ITEMS_PARAMS

    # Customer 7 bought 10A in all 4 orders and 12 other products once each; a
    # co-purchase/trend-heavy blend pushes 10A out of the top five unless pinned.
    baskets = [
        (
            i,
            7,
            10 * i,
            ["10A", f"{3 * i}X", f"{3 * i + 1}X", f"{3 * i + 2}X"],
            "United Kingdom",
        )
        for i in range(1, 5)
    ]
    baskets += [
        (
            100 + c,
            200 + c,
            5 + c,
            ["0X", "1X", "2X", "20C", "20D", "3X"],
            "United Kingdom",
        )
        for c in range(30)
    ]
    p = purchases_from_lines(_lines(baskets), AS_OF)
    row = np.flatnonzero(p.customer_ids == 7)
    col = list(p.stock_codes).index("10A")
    loose = ALL_ITEMS_PARAMS.with_(w_own=0.05, w_trend=1.0, own_pin_share=None)
    scores = ShopperRecommender(loose).fit(p).score(row)[0]
    assert col not in np.argsort(-scores, kind="stable")[:5]
    for share, kept in ((0.5, True), (1.1, False)):
        model = ShopperRecommender(loose.with_(own_pin_share=share)).fit(p)
        top = np.argsort(-model.score(row)[0], kind="stable")[:5]
        assert (col in top) == kept


@pytest.mark.parametrize("sparse", [False, True])  # EASE, or neighbour lists
@pytest.mark.parametrize("orders_power, source", [(1.0, "A"), (0.0, "B")])
def test_the_named_source_is_the_purchase_that_adds_most_to_the_score(
    orders_power, source, sparse
):
    import scipy.sparse as sp
    from helpers import purchase_lines

    from analytics._reco_blend import BlendParams
    from analytics.recommend import _cf_sources

    # Customer 7 bought A five times until 91 days ago and B once 11 days ago;
    # both are bought with T equally often. Weighted by orders (as the blend's
    # co-purchase signal is when cf_orders_power = 1), A adds most to T's score:
    # 5 · 2^(-91/120) ≈ 2.95 against 2^(-11/120) ≈ 0.94; unweighted, B does.
    rows = [(day, 7, "A", day) for day in range(0, 50, 10)] + [(99, 7, "B", 120)]
    rows.append((100, 8, "T", 0))
    p = purchases_from_lines(purchase_lines(rows), pd.Timestamp("2011-05-12"))
    a, b, t = (list(p.stock_codes).index(code) for code in "ABT")
    weights = np.zeros((3, 3), np.float32)
    weights[a, t] = weights[b, t] = 1.0
    weights = sp.csr_matrix(weights) if sparse else weights
    params = BlendParams(cf_half_life=120.0, cf_orders_power=orders_power)
    model = ShopperRecommender(params).fit(p, cf_weights=weights)
    found = _cf_sources(model, np.array([0]), np.array([[t]]))
    assert p.stock_codes[found[0, 0]] == source


def test_each_customer_country_is_where_most_lines_were_ties_alphabetical():
    lines = _lines(
        [
            (1, 100, 1, ["10A", "10B"], "Germany"),
            (2, 100, 2, ["20C"], "France"),  # 100: Germany, 2 lines to 1
            (3, 101, 3, ["10A"], "Spain"),
            (4, 101, 4, ["10B"], "France"),  # 101: a tie, France first
            (5, 102, 5, ["20C"], None),  # 102: no country; not 101's or 103's
            (6, 103, 6, ["20D"], "Spain"),
        ]
    )
    p = purchases_from_lines(lines)
    assert p.customer_ids.tolist() == [100, 101, 102, 103]
    country = p.country.tolist()
    assert country[:2] == ["Germany", "France"] and country[3] == "Spain"
    assert pd.isna(country[2])
