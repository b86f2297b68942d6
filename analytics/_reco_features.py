"""Candidates and features of the learned ranker (:mod:`analytics._reco_rank`).

For each customer, candidates are the blend's best products by each signal: their
own products (``all items`` only), co-purchase and recent popularity. Every
candidate gets one row of features: the blend's signals and score, the customer's
rhythm with the product, the customer's and the product's activity. Everything is
computed from one :class:`~analytics._reco_data.Purchases` history, so the same
code makes the training rows (history cut earlier, labels after the cut) and the
rows scored at the end of the history.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from analytics._reco_blend import ShopperRecommender, _row_max_scaled
from analytics.similarity import rank_in_rows, rows_times

# (feature, about the customer's own product only), in the classifier's column order.
# Own products are never candidates for new items: those features would be empty.
_FEATURES = [
    ("own", True),
    ("cf", False),
    ("trend", False),
    ("adopt", False),
    ("global_trend", False),
    ("local_trend", False),
    ("orders", True),
    ("share", True),
    ("days_last", True),
    ("days_first", True),
    ("interval", True),
    ("overdue", True),
    ("cust_orders", False),
    ("cust_items", False),
    ("cust_days_last", False),
    ("cust_tenure", False),
    ("cust_rate", False),
    ("expected", True),
    ("item_customers", False),
    ("item_repeat", False),
    ("item_age", False),
    ("item_days_last", False),
    ("cf_rank", False),
    ("own_rank", True),
    ("base", False),
    ("base_rank", False),
]
FEATURES = [name for name, _ in _FEATURES]
NEW_ITEMS_FEATURES = [name for name, own_only in _FEATURES if not own_only]
# With ``ease`` weights (see :class:`CandidateFeatures`), four columns more, last:
# the EASE score scaled to the customer's best, its rank among the candidates, the
# score itself, and the customer's best score (how sure EASE is for this customer).
EASE_FEATURES = ["ease", "ease_rank", "ease_raw", "ease_top"]


def _top_mask(a: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """True at each row's ``k`` best (positive, allowed) values, and at values tied
    with the ``k``-th best (a partition and a comparison: faster than
    ``argpartition``, and it does not choose between equals)."""
    k = min(k, a.shape[1])
    if k <= 0:
        return np.zeros(a.shape, dtype=bool)
    # Partitioning the negated row at k - 1 (not the row at n - k): the same value,
    # and it stays fast when most of the row ties at 0 (sparse co-purchase rows:
    # 8× faster at 25,000 products). One copy, partitioned in place; products
    # not allowed are +inf there, last.
    neg = np.negative(a)
    if allowed is not None:
        np.copyto(neg, np.inf, where=~allowed)
    neg.partition(k - 1, axis=1)
    mask = a >= -neg[:, k - 1, None]
    mask &= a > 0
    if allowed is not None:
        mask &= allowed
    return mask


class CandidateFeatures:
    """Candidates and their features for customers of one fitted blend.

    Parameters
    ----------
    blend : ShopperRecommender
        Fitted with co-purchase weights (its ``cf`` signal is a feature whatever
        its weight in the blend).
    ease : array or sparse matrix, optional
        Item-item weights (products × products) of the same history: the
        customer's unfaded purchases times these are the ``ease`` signal (scaled
        to the row's best, in the signals as ``"ease"``, with each row's best as
        ``"ease_top"``): the :data:`EASE_FEATURES` are its scaled value, rank
        among the candidates, value and the row's best.
    """

    def __init__(self, blend: ShopperRecommender, ease=None):
        p = blend.purchases_
        self.blend, self.ease = blend, ease
        x = p.binary
        buyers = np.asarray(x.sum(axis=0)).ravel()
        repeat = p.orders.copy()
        repeat.data = (repeat.data >= 2).astype(np.float32)
        self.item_customers = np.log1p(buyers).astype(np.float32)
        self.item_repeat = (
            np.asarray(repeat.sum(axis=0)).ravel() / np.maximum(buyers, 1)
        ).astype(np.float32)
        self.item_age = p.item_first_days.astype(np.float32)
        self.item_days_last = np.minimum(p.item_last_days, 1e4).astype(np.float32)
        self.cust_items = np.diff(x.indptr).astype(np.float32)
        self.cust_days_last = _row_min(p.days_since)
        self.cust_tenure = _row_max(p.first_days)
        # Recent popularity (the blend's trend, as in ``components``, mixed with
        # adoption) is the same for every customer of a country: rank it once per
        # country rather than once per customer.
        trend = blend.trend_by_country_
        self.popular = (0.5 * trend + 0.5 * blend.adoption_) * blend.alive_
        self._popular_top: dict[int, np.ndarray] = {}

    def _popular_top_k(self, k: int) -> np.ndarray:
        """The ``k`` most popular products lately, per country (countries × k)."""
        if k not in self._popular_top:
            k_ = min(k, self.popular.shape[1])
            self._popular_top[k] = np.argpartition(-self.popular, k_ - 1, axis=1)[
                :, :k_
            ]
        return self._popular_top[k]

    def candidates(self, rows, task: str, prm):
        """Candidate mask (rows × products), the blend's signals and the order
        counts for these customer rows; ``prm``: a ``RankParams``."""
        blend, p = self.blend, self.blend.purchases_
        rows = np.asarray(rows)
        parts = blend.components(rows)
        if self.ease is not None:
            parts["ease"], parts["ease_top"] = self._ease_signal(rows)
        orders = p.orders[rows].toarray()
        owned = orders > 0
        other = ~owned if task == "new items" else None
        mask = _top_mask(parts["cf"], prm.cf_candidates, other)
        popular = self._popular_top_k(prm.trend_candidates)[blend.country_row_[rows]]
        np.put_along_axis(mask, popular, True, axis=1)
        if task == "all items":
            own = p.orders[rows].tocoo()  # row-major: rows sorted
            score = parts["own"][own.row, own.col]
            keep = rank_in_rows(own.row, own.col, score) < prm.own_candidates
            mask[own.row[keep], own.col[keep]] = True
        else:
            mask &= ~owned
        return mask, parts, orders

    def _ease_signal(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """The customer's purchases (binary, unfaded) times the ``ease`` weights,
        negative scores cut to 0, scaled to each row's best (``rows × products``),
        and that best (per row)."""
        score = rows_times(self.blend.purchases_.binary[np.asarray(rows)], self.ease)
        score = np.maximum(score.astype(np.float32), 0.0)
        top = score.max(axis=1)
        return _row_max_scaled(score, top), top

    def table(self, rows, task: str, prm):
        """Features of every candidate of these customer rows.

        Returns
        -------
        r, c : ndarray
            Position in ``rows`` and product column of each candidate.
        x : ndarray of float32
            One row of :data:`FEATURES` (:data:`NEW_ITEMS_FEATURES` for new items),
            then the :data:`EASE_FEATURES` with ``ease`` weights, per candidate.
        parts : dict
            The blend's signals (``rows × products``), for the reasons.
        base : ndarray
            The blend's score (``rows × products``), scaled to each row's best.
        """
        blend, p = self.blend, self.blend.purchases_
        mask, parts, orders = self.candidates(rows, task, prm)
        r, c = np.nonzero(mask)
        last = np.asarray(p.days_since[rows][r, c]).ravel()
        first = np.asarray(p.first_days[rows][r, c]).ravel()
        n = orders[r, c]
        bought = n > 0
        interval = np.where(n >= 2, (first - last) / np.maximum(n - 1, 1), np.nan)
        cust = np.asarray(rows)[r]
        tenure = self.cust_tenure[cust]
        local = blend.country_local_[blend.country_row_[np.asarray(rows)]]
        cols = {
            "own": parts["own"][r, c],
            "cf": parts["cf"][r, c],
            "trend": parts["trend"][r, c],
            "adopt": parts["adopt"][r, c],
            "global_trend": blend.global_trend_[c],
            "local_trend": local[r, c],
            "orders": n,
            "share": n / np.maximum(p.customer_orders[cust], 1),
            "days_last": np.where(bought, last, np.nan),
            "days_first": np.where(bought, first, np.nan),
            "interval": interval,
            "overdue": np.where(n >= 2, last / np.maximum(interval, 1.0), np.nan),
            "cust_orders": p.customer_orders[cust],
            "cust_items": self.cust_items[cust],
            "cust_days_last": self.cust_days_last[cust],
            "cust_tenure": tenure,
            # Orders per day of the customer's life, and of this product's share.
            "cust_rate": p.customer_orders[cust] / np.maximum(tenure, 1.0),
            "expected": n / np.maximum(tenure, 1.0),
            "item_customers": self.item_customers[c],
            "item_repeat": self.item_repeat[c],
            "item_age": self.item_age[c],
            "item_days_last": self.item_days_last[c],
            "cf_rank": rank_in_rows(r, c, parts["cf"][r, c]),
            "own_rank": rank_in_rows(r, c, parts["own"][r, c]),
        }
        base = _row_max_scaled(blend.combine(parts))
        cols["base"] = base[r, c]
        cols["base_rank"] = rank_in_rows(r, c, base[r, c])
        if self.ease is not None:
            cols["ease"] = parts["ease"][r, c]
            cols["ease_rank"] = rank_in_rows(r, c, cols["ease"])
            cols["ease_top"] = parts["ease_top"][r]
            cols["ease_raw"] = cols["ease"] * cols["ease_top"]
        names = FEATURES if task == "all items" else NEW_ITEMS_FEATURES
        names = names + EASE_FEATURES if self.ease is not None else names
        x = np.column_stack([np.asarray(cols[f], np.float32) for f in names])
        return r, c, x, parts, base


def _row_min(m: sp.csr_matrix) -> np.ndarray:
    out = np.full(m.shape[0], np.nan, np.float32)
    has = np.diff(m.indptr) > 0
    out[has] = np.minimum.reduceat(m.data, m.indptr[:-1][has])
    return out


def _row_max(m: sp.csr_matrix) -> np.ndarray:
    out = np.full(m.shape[0], np.nan, np.float32)
    has = np.diff(m.indptr) > 0
    out[has] = np.maximum.reduceat(m.data, m.indptr[:-1][has])
    return out
