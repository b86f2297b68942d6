"""Personalised top-5 per customer with a reason a salesperson can say out loud.

Two lists per customer (a product decision: wholesale buyers reorder a lot):

``recommendations`` (the fixed contract)
    The "all items" recommender: the five products the customer is most likely to
    buy next, own products included. On the time split this is what customers
    actually buy most often, so it is the list sales staff see first; each row's
    ``kind`` says whether it is a ``reorder`` or a ``discover`` item.
``discover_recommendations``
    The "new items" recommender: five products the customer has never bought, for
    cross-selling.

Reasons always name something true about this customer: their own reorder rhythm,
a product they bought that the recommendation is often bought with, how many
customers in their country bought it lately, or how many customers started buying
it lately (counted: a trend too thin to state gives way to the next true thing).

Both lists come from :class:`~analytics._reco_rank.LearnedRanker` (the blend's
signals, re-weighted per customer and product by a classifier trained on the
history's own last months).

Cold start: a customer with one or two orders goes through the same ranker, whose
features include their number of orders and tenure, so it learns from the training
history how much one earlier order says; their candidates are their own few
products, co-purchase neighbours of those, local trends and what is being adopted
lately. A customer of the customers table without any purchase in the history gets
what customers in their country bought lately. No list is ever shorter than five
while the catalogue has five products.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics._reco_blend import ALL_ITEMS_PARAMS, NEW_ITEMS_PARAMS
from analytics._reco_data import Purchases, purchases_from_lines
from analytics._reco_history import History, batches
from analytics._reco_rank import LearnedRanker, rank_params
from analytics.similarity import PairLookup, similar_products_table

K = 5


def _reorder_reason(
    orders: float,
    first: float,
    last: float,
    ago: float | None = None,
    units: float | None = None,
) -> str:
    """``first``/``last``: days (+ 1) since the customer first/last bought it;
    ``ago``: whole days since they last bought it, counted as the customer's
    ``recency_days`` is (default: from ``last``), so the two agree on screen;
    ``units``: how many they bought that day (said when more than one)."""
    span = round(first - last)
    if orders >= 2 and span < 7:  # a busy few days is no rhythm to speak of
        days = "one day" if span == 0 else f"{span + 1} days"
        return f"you ordered this {int(orders)} times in {days}"
    if orders >= 2:
        # From the days themselves: a rounded span rounded again after the
        # division was a day off on ~6 % of Online Retail's reasons.
        every = round((first - last) / (orders - 1))
        return f"you reorder this every ~{every} days ({int(orders)} orders)"
    ago = max(0, int(np.floor(last - 1) if ago is None else ago))
    when = {0: "today", 1: "yesterday"}.get(ago, f"{ago} days ago")
    what = "this" if units is None or units <= 1 else f"{int(units):,} of these"
    return f"you bought {what} {when}"


class LastPurchase(NamedTuple):
    """Each customer's last day with a product (``p``'s rows and columns)."""

    days: sp.csr_matrix  # whole days from that day's order to ``p.as_of``, + 1
    units: sp.csr_matrix  # units of it bought that day


def last_purchase(lines: pd.DataFrame, p: Purchases) -> LastPurchase:
    """When each customer last bought each product, and how many that day.

    Days are counted exactly as :func:`analytics.segmentation.rfm_table` counts
    ``recency_days`` (floor of the days from the invoice's date, the first of its
    lines, to the as-of time), so a reason's "N days ago" and the customer's days
    since their last purchase agree. ``p.days_since`` cannot say it: it holds
    fractional days in float32, from each line's own time. Plus one, so that
    "today" is no implicit zero of the sparse matrix.
    """
    lines = lines[lines["invoice_date"] < p.as_of]
    when = lines.groupby("invoice", sort=False, observed=True)["invoice_date"]
    when = when.transform("min")
    days = np.floor((p.as_of - when) / pd.Timedelta(days=1)).to_numpy("float64")
    row = pd.Index(p.customer_ids).get_indexer(lines["customer_id"].to_numpy())
    col = pd.Index(p.stock_codes).get_indexer(lines["stock_code"].to_numpy())
    ok = (row >= 0) & (col >= 0)
    cells = pd.DataFrame(
        {
            "cell": row[ok].astype(np.int64) * p.shape[1] + col[ok],
            "days": days[ok],
            "units": lines["quantity"].to_numpy("float64")[ok],
        }
    )
    latest = cells["days"] == cells.groupby("cell")["days"].transform("min")
    last = (
        cells[latest]
        .groupby("cell", sort=True)
        .agg(days=("days", "first"), units=("units", "sum"))
    )
    cell = last.index.to_numpy()
    at = (cell // p.shape[1], cell % p.shape[1])
    return LastPurchase(
        sp.csr_matrix((last["days"].to_numpy() + 1.0, at), shape=p.shape),
        sp.csr_matrix((last["units"].to_numpy(), at), shape=p.shape),
    )


def _cf_sources(model, rows, best) -> np.ndarray:
    """For each recommended product, the customer's product that adds most to its
    co-purchase score (-1 when none does; ties: the first product)."""
    weights = model.cf_weights_
    source = np.full(best.shape, -1, dtype=np.int64)
    if weights is None:
        return source
    # Each purchase and its weight in the co-purchase signal (CSR: each row's
    # products in column order).
    hist = model.copurchase_history(rows)
    row_of = np.repeat(np.arange(len(rows)), np.diff(hist.indptr))
    col, fade = hist.indices, hist.data
    target = best[row_of]  # (purchases × k): the products recommended to the buyer
    w = PairLookup(weights)(col[:, None], target)
    contrib = np.where(col[:, None] == target, 0.0, fade[:, None] * w)
    has = np.flatnonzero(np.diff(hist.indptr) > 0)
    if len(has) == 0:
        return source
    starts = hist.indptr[has]
    top = np.maximum.reduceat(contrib, starts, axis=0)  # (rows with purchases × k)
    where = np.full(len(rows), -1)
    where[has] = np.arange(len(has))
    is_top = (contrib == top[where[row_of]]) & (contrib > 0)
    first = np.minimum.reduceat(
        np.where(is_top, np.arange(len(col))[:, None], len(col)), starts, axis=0
    )
    found = first < len(col)
    source[has] = np.where(found, col[np.minimum(first, len(col) - 1)], -1)
    return source


# The popularity reasons count customers in the two weeks before the lists' date
# ("5 customers in Germany bought this in the last 2 weeks"). After a longer
# silence (a build ``--until`` long after the last sale) they count the two weeks
# before the shop's last sale, and say so ("in the 2 weeks before 9 Dec 2011").
LATELY_DAYS = 14


class Popularity(NamedTuple):
    """Customer counts the popularity reasons state, per product (columns of the
    purchases): in the window :func:`popularity` names, and over the history."""

    when: str  # "in the last 2 weeks", or "in the 2 weeks before 9 Dec 2011"
    countries: np.ndarray  # country names, sorted: the rows of the two below
    country_recent: np.ndarray  # countries × products: buyers in the window
    country_ever: np.ndarray  # countries × products: buyers in the history
    recent: np.ndarray  # buyers in the window, every country
    ever: np.ndarray  # buyers in the history, every country
    adopters: np.ndarray  # customers whose first purchase of it is in the window


def popularity(p: Purchases) -> Popularity:
    """What the popularity reasons may say of each product of ``p`` (see
    :data:`LATELY_DAYS`)."""
    gap = float(np.min(p.item_last_days)) if p.shape[1] else 0.0
    weeks = (
        f"{LATELY_DAYS // 7} weeks" if LATELY_DAYS % 7 == 0 else f"{LATELY_DAYS} days"
    )
    if not np.isfinite(gap) or gap <= LATELY_DAYS:
        when, limit = f"in the last {weeks}", float(LATELY_DAYS)
    else:
        last = (p.as_of - pd.Timedelta(days=gap)).normalize()
        when = f"in the {weeks} before {last.day} {last:%b %Y}"
        limit = gap + LATELY_DAYS
    countries, _, member = p.country_members

    def within(days: sp.csr_matrix) -> sp.csr_matrix:
        # Stored as days + 1 (see Purchases): bought no more than ``limit`` ago.
        hit = days.copy()
        hit.data = (hit.data - 1.0 <= limit).astype(np.float32)
        hit.eliminate_zeros()
        return hit

    def counts(x: sp.csr_matrix) -> np.ndarray:  # customers per product
        return np.asarray(x.sum(axis=0)).ravel().astype(np.int64)

    def by_country(x: sp.csr_matrix) -> np.ndarray:  # the same, per country
        return np.asarray((member @ x).todense()).astype(np.int64)

    recent = within(p.days_since)
    return Popularity(
        when=when,
        countries=countries,
        country_recent=by_country(recent),
        country_ever=by_country(p.binary),
        recent=counts(recent),
        ever=counts(p.binary),
        adopters=counts(within(p.first_days)),
    )


def _customers(n: int) -> str:
    return "1 customer" if n == 1 else f"{n:,} customers"


def popular_reason(facts: Popularity, country: str, col: int) -> str:
    """The strongest true popularity statement about product ``col`` for a
    customer in ``country``: buyers there in the window, else buyers anywhere in
    it, else buyers there (or anywhere) over the whole history. Two buyers at
    least for "in <country>": one is no trend."""
    at = np.searchsorted(facts.countries, country)
    local = at < len(facts.countries) and facts.countries[at] == country
    if local and facts.country_recent[at, col] >= 2:
        n = int(facts.country_recent[at, col])
        return f"{n:,} customers in {country} bought this {facts.when}"
    if facts.recent[col] >= 2:
        return f"{int(facts.recent[col]):,} customers bought this {facts.when}"
    if local and facts.country_ever[at, col] >= 2:
        n = int(facts.country_ever[at, col])
        return f"{n:,} customers in {country} have bought this"
    n = int(facts.ever[col])
    return f"{_customers(n)} {'has' if n == 1 else 'have'} bought this"


def recommend_for_rows(
    model: LearnedRanker,
    rows: np.ndarray,
    exclude_own: bool,
    country_names: np.ndarray,
    ago: LastPurchase | None = None,
    facts: Popularity | None = None,
) -> pd.DataFrame:
    """Top-:data:`K` rows with scores, kinds and reasons for these customer rows.

    A reason names the strongest of the blend's signals for the product (each on
    its 0–1 scale): the customer's own habit, the product of theirs it is most
    often bought with, what is being adopted lately or the local trend; the last
    two say how many customers (``facts``: :func:`popularity` of the purchases),
    and a trend too thin to state falls back to the next true one. ``ago``
    (:func:`last_purchase` of the history) makes "N days ago" count days as the
    customer's recency does, and says how many they bought; without it days come
    from ``days_since``.
    """
    p = model.purchases_
    facts = popularity(p) if facts is None else facts
    exclude = p.orders[rows] if exclude_own else None
    best, best_scores, parts = model.top_with_parts(rows, K, exclude)
    r = np.arange(len(rows))[:, None]
    own = np.asarray(p.orders[rows][r, best].todense())
    first = np.asarray(p.first_days[rows][r, best].todense())
    last = np.asarray(p.days_since[rows][r, best].todense())
    whole = units = None
    if ago is not None:
        whole = np.asarray(ago.days[rows][r, best].todense()) - 1
        units = np.asarray(ago.units[rows][r, best].todense())
    source = _cf_sources(model.blend_, rows, best)
    cf_part = parts["cf"][r, best]
    trend_part = parts["trend"][r, best]
    adopt_part = parts["adopt"][r, best]
    reasons = np.empty(best.shape, dtype=object)
    names_product = np.zeros(best.shape, dtype=bool)
    for i in range(best.shape[0]):
        country = country_names[i]
        for j in range(best.shape[1]):
            if own[i, j] > 0:
                reasons[i, j] = _reorder_reason(
                    own[i, j],
                    first[i, j],
                    last[i, j],
                    None if whole is None else whole[i, j],
                    None if units is None else units[i, j],
                )
            elif source[i, j] >= 0 and cf_part[i, j] >= 0.5 * max(
                trend_part[i, j], adopt_part[i, j]
            ):
                # Named even when it is only half the trend's strength: a product
                # the customer knows is the more useful thing to say.
                reasons[i, j] = f"often bought with {p.descriptions[source[i, j]]}"
                names_product[i, j] = True
            elif (
                adopt_part[i, j] > trend_part[i, j] and facts.adopters[best[i, j]] >= 2
            ):
                n = int(facts.adopters[best[i, j]])
                reasons[i, j] = f"{n:,} customers started buying this {facts.when}"
            else:
                reasons[i, j] = popular_reason(facts, country, best[i, j])
    src = np.where(source >= 0, source, 0)
    table = pd.DataFrame(
        {
            "customer_id": np.repeat(p.customer_ids[rows], best.shape[1]),
            "rank": np.tile(np.arange(1, best.shape[1] + 1), len(rows)),
            "stock_code": p.stock_codes[best].ravel(),
            "description": p.descriptions[best].ravel(),
            "score": best_scores.ravel().astype("float64"),
            "reason": reasons.ravel(),
            "kind": np.where(own.ravel() > 0, "reorder", "discover"),
            # The product the reason names ("often bought with …"), else "".
            "reason_stock_code": np.where(
                names_product.ravel(), p.stock_codes[src].ravel(), ""
            ),
        }
    )
    if exclude_own:
        # A customer who has bought all but a few of a small catalogue gets fewer
        # than K new products, never one of their own.
        table = table[own.ravel() == 0].reset_index(drop=True)
    return table


def _recommend_all(
    model, exclude_own: bool, ago=None, facts: Popularity | None = None
) -> pd.DataFrame:
    p = model.purchases_
    facts = popularity(p) if facts is None else facts
    frames = []
    for rows in batches(p.shape[0], p.shape[1]):
        frames.append(
            recommend_for_rows(model, rows, exclude_own, p.country[rows], ago, facts)
        )
    table = pd.concat(frames, ignore_index=True)
    for column in ("stock_code", "description", "reason", "kind", "reason_stock_code"):
        table[column] = table[column].astype("str")
    table["rank"] = table["rank"].astype("int64")
    return table


def _unknown_customers(
    customers, p: Purchases, model, facts: Popularity
) -> pd.DataFrame:
    """Customers of the customers table without purchases in ``p``: local trends."""
    model = model.blend_
    ids = customers["customer_id"].to_numpy("int64")
    unknown = customers[p.rows_of(ids) < 0]
    frames = []
    for row in unknown.itertuples(index=False):
        country = str(getattr(row, "country", ""))
        where = np.flatnonzero(model.countries_ == country)
        local = where.size and model.country_trend_[where[0]].max() > 0
        trend = model.country_trend_[where[0]] if local else model.trend_
        trend = trend * model.alive_
        trend = trend / max(float(trend.max()), 1e-9)
        best = np.argsort(-trend, kind="stable")[:K]
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": row.customer_id,
                    "rank": np.arange(1, len(best) + 1),
                    "stock_code": p.stock_codes[best],
                    "description": p.descriptions[best],
                    "score": trend[best].astype("float64"),
                    "reason": [popular_reason(facts, country, c) for c in best],
                    "kind": "discover",
                    "reason_stock_code": "",
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else None


def build_recommendation_tables(
    lines: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    seed: int = 0,
    with_similar: bool = True,
) -> dict[str, pd.DataFrame]:
    """Similar products and both personalised lists for every customer.

    Parameters
    ----------
    lines : DataFrame
        Cleaned lines (``contract.LINE_COLUMNS``); purchases before ``as_of`` count.
    customers : DataFrame
        Contract ``customers`` table; every customer in it gets five recommendations.
    as_of : Timestamp
        End of the history (exclusive); "days ago" in reasons count from it, as
        the customers' ``recency_days`` do.
    seed : int
        Unused: every step is deterministic.
    with_similar : bool
        Also compute ``similar_products`` (the build computes it elsewhere, in
        parallel, with :func:`similar_products`).

    Returns
    -------
    dict
        ``recommendations``, ``discover_recommendations`` (contract columns plus
        ``kind`` and ``reason_stock_code``) and ``similar_products``.
    """
    del seed
    purchases = purchases_from_lines(lines, as_of)
    history = History(lines[lines["invoice_date"] < as_of], purchases)
    main = LearnedRanker("all items", ALL_ITEMS_PARAMS).fit(purchases, history)
    discover = LearnedRanker("new items", NEW_ITEMS_PARAMS).fit(purchases, history)
    del history  # the inner histories and their weights are no longer needed
    ago = last_purchase(lines, purchases)
    facts = popularity(purchases)
    tables = {}
    for name, model, exclude in (
        ("recommendations", main, False),
        ("discover_recommendations", discover, True),
    ):
        table = _recommend_all(model, exclude, ago, facts)
        extra = _unknown_customers(customers, purchases, model, facts)
        if extra is not None:
            table = pd.concat([table, extra], ignore_index=True)
        tables[name] = table.sort_values(["customer_id", "rank"], ignore_index=True)
    if with_similar:
        tables["similar_products"] = _sorted_similar(purchases)
    return tables


def _sorted_similar(purchases: Purchases) -> pd.DataFrame:
    return similar_products_table(purchases).sort_values(
        ["stock_code", "method", "rank"], ignore_index=True
    )


def similar_products(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The ``similar_products`` table of the purchases before ``as_of``."""
    return _sorted_similar(purchases_from_lines(lines, as_of))


def recommendation_parameters() -> dict:
    """What the manifest records about the recommenders."""
    return {
        "all_items": ALL_ITEMS_PARAMS.to_dict(),
        "new_items": NEW_ITEMS_PARAMS.to_dict(),
        "ranker": {
            "all_items": rank_params("all items").to_dict(),
            "new_items": rank_params("new items").to_dict(),
        },
        "list_length": K,
    }
