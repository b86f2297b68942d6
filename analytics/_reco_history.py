"""What the recommenders compute from one cleaned history, computed once, and
the labels and row batches they learn and score with.

The learned ranker (:mod:`analytics._reco_rank`) fits the blend at several cuts of
the history and both tasks' rankers share them; the evaluation's EASE baselines
share its weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics._reco_blend import BlendParams, copurchase_weights
from analytics._reco_data import Purchases, purchases_from_lines
from analytics.recommenders import ease_fits, ease_weights, gram_matrix

SIMILAR_NEIGHBOURS = 100  # cosine neighbours kept per product above the EASE limit


class History:
    """Cleaned lines and what is computed from them at each cut, computed once:
    the purchase histories, the Gram matrix of the main one and co-purchase
    weights (shared by the two tasks' rankers and, in the evaluation, by the EASE
    baselines).

    Parameters
    ----------
    lines : DataFrame
        Cleaned lines; the rankers learn from those before the main history's end.
    purchases : Purchases, optional
        The main history (already computed from ``lines``).
    """

    def __init__(self, lines: pd.DataFrame, purchases: Purchases | None = None):
        self.lines = lines
        self.main = None if purchases is None else purchases.as_of
        self._purchases = {} if purchases is None else {self.main: purchases}
        self._weights: dict = {}
        self._gram = None

    def purchases(self, as_of: pd.Timestamp) -> Purchases:
        as_of = pd.Timestamp(as_of)
        if as_of not in self._purchases:
            self._purchases[as_of] = purchases_from_lines(self.lines, as_of)
        return self._purchases[as_of]

    def ease(
        self, as_of: pd.Timestamp, lam: float, params: BlendParams | None = None
    ) -> np.ndarray:
        """EASE weights of the history up to ``as_of`` with this λ, learnt from
        the products ``params`` chooses (``ease_recent_days``, ``ease_products``;
        None: every product)."""
        key = _ease_key(as_of, lam, params)
        if key not in self._weights:
            p = self.purchases(as_of)
            columns = p.ease_columns(*key[3:])
            if key[1] == self.main:
                weights = ease_weights(p.binary, lam, self._main_gram(key[1]), columns)
            elif ease_fits(p.shape[1]) and (columns is None or len(columns)):
                gram = self._cut_gram(key, p, columns)
                weights = ease_weights(p.binary, lam, columns=columns, column_gram=gram)
            else:  # no Gram matrix to share: too many products, or none sold lately
                weights = ease_weights(p.binary, lam, columns=columns)
            self._weights[key] = weights
        return self._weights[key]

    def _cut_gram(self, key: tuple, p: Purchases, columns) -> np.ndarray:
        """The Gram matrix of ``columns`` of ``p``, the products EASE learns from
        at a cut other than the main one (``key``: :func:`_ease_key`'s), computed
        once for every λ: the rankers ask for two there (co-purchase weights and
        the new-items EASE score), until :meth:`release_ease`."""
        gram_key = _gram_key(key)
        if gram_key not in self._weights:
            x = p.binary if columns is None else p.binary[:, columns]
            self._weights[gram_key] = gram_matrix(x)
        return self._weights[gram_key]

    def release_ease(
        self, as_of: pd.Timestamp, lam: float, params: BlendParams | None = None
    ) -> None:
        """Forget the EASE weights of ``as_of``, ``lam`` and ``params`` (a
        products × products matrix) that no one will ask for again, and the Gram
        matrix they came from; asked for, they are recomputed."""
        key = _ease_key(as_of, lam, params)
        self._weights.pop(key, None)
        self._weights.pop(_gram_key(key), None)

    def _main_gram(self, as_of: pd.Timestamp) -> np.ndarray | None:
        """The main history's Gram matrix, computed once (several λ and the
        similarity share it); None for any other cut."""
        if as_of != self.main:
            return None
        if self._gram is None:
            self._gram = gram_matrix(self.purchases(as_of).binary)
        return self._gram

    def cf_weights(self, as_of: pd.Timestamp, params: BlendParams):
        """The blend's co-purchase weights of the history up to ``as_of`` (EASE
        ones through :meth:`ease`, shared with any other user of that λ and
        those products)."""
        as_of = pd.Timestamp(as_of)
        if ease_fits(self.purchases(as_of).shape[1]):
            key = ("cf", *_ease_key(as_of, params.ease_lambda, params)[1:])
        else:  # sparse cosine neighbours, whatever λ and days
            key = ("cf", as_of, "neighbours", params.knn_neighbours)
        if key not in self._weights:
            self._weights[key] = copurchase_weights(
                self.purchases(as_of),
                params,
                ease=lambda lam: self.ease(as_of, lam, params),
            )
        return self._weights[key]

    def similarity(self, as_of: pd.Timestamp):
        """Cosine similarity of the products over their buyers up to ``as_of``:
        dense from the Gram matrix (EASE's, when already computed) up to
        :data:`~analytics.recommenders.EASE_MAX_PRODUCTS` products; above, the
        sparse top :data:`SIMILAR_NEIGHBOURS` neighbours of each (with two shared
        customers or more)."""
        as_of = pd.Timestamp(as_of)
        key = ("cosine", as_of)
        if key not in self._weights:
            x = self.purchases(as_of).binary
            if ease_fits(x.shape[1]):
                gram = self._main_gram(as_of)
                gram = gram_matrix(x) if gram is None else gram
                norm = np.sqrt(np.maximum(np.diag(gram), 1.0))
                cosine = gram / norm[:, None]
                cosine /= norm[None, :]
                self._weights[key] = cosine
            else:
                # Above the EASE limit the co-purchase weights are these very
                # neighbours (cosine, two shared customers or more): shared.
                self._weights[key] = self.cf_weights(
                    as_of, BlendParams(knn_neighbours=SIMILAR_NEIGHBOURS)
                )
        return self._weights[key]

    def first_day(self) -> pd.Timestamp:
        return self.lines["invoice_date"].min()


def _ease_key(as_of, lam: float, params: BlendParams | None) -> tuple:
    """The cache key of EASE weights: the cut, λ and the products learnt from."""
    if params is None:
        return ("ease", pd.Timestamp(as_of), lam, None, None)
    days, most = params.ease_recent_days, params.ease_products
    return ("ease", pd.Timestamp(as_of), lam, days, most)


def _gram_key(ease_key: tuple) -> tuple:
    """The cache key of the Gram matrix EASE weights of ``ease_key`` come from:
    the cut and the products learnt from, whatever λ."""
    return ("gram", ease_key[1], *ease_key[3:])


def labels_after(lines: pd.DataFrame, inner: Purchases, end: pd.Timestamp, task: str):
    """Customers × products (``inner``'s) bought from ``inner.as_of`` to ``end``."""
    dates = lines["invoice_date"]
    window = lines[(dates >= inner.as_of) & (dates < end)]
    pairs = window[["customer_id", "stock_code"]].drop_duplicates()
    row = inner.rows_of(pairs["customer_id"])
    col = inner.cols_of(pairs["stock_code"])
    ok = (row >= 0) & (col >= 0)
    y = sp.csr_matrix(
        (np.ones(int(ok.sum()), np.float32), (row[ok], col[ok])), shape=inner.shape
    )
    if task == "new items":
        y = y - y.multiply(inner.binary)
        y.eliminate_zeros()
    return y.tocsr()


# Customers featurised at once: a batch × products float32 block stays ≤ ~16 MB.
_BATCH_CELLS = 1 << 22


def batches(n_rows: int, n_cols: int):
    """Consecutive row ranges whose ``rows × n_cols`` blocks stay small."""
    size = max(16, _BATCH_CELLS // max(n_cols, 1))
    for start in range(0, n_rows, size):
        yield np.arange(start, min(start + size, n_rows))
