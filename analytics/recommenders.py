"""Recommenders shared by the bundle build and the time-split evaluation.

Every recommender follows one small protocol: ``fit(purchases)`` learns from a
:class:`~analytics._reco_data.Purchases` history and returns ``self``;
``score(rows)`` returns a ``len(rows) × products`` float32 array (higher = better)
for those customer rows, and ``top(rows, k, exclude)`` the ``k`` best products of
each row (:class:`TopOfScores`: the best scores; the learned ranker chooses its own
way). Scores are only compared within a row.

Baselines: :class:`Popularity`, :class:`OwnReorders`, :class:`ItemKNN` (plain cosine),
:class:`EASE` (Steck 2019). The project's recommender,
:class:`~analytics._reco_blend.ShopperRecommender`, builds on them.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from analytics._reco_data import Purchases
from analytics.similarity import (
    BlockWeights,
    cosine_matrix,
    cosine_top_k,
    neighbour_matrix,
    rows_times,
    top_k_rows,
)

# EASE needs a dense products × products inverse (float32): 4k products ≈ 64 MB and
# ~1 s; 20k ≈ 1.6 GB and minutes (cubic). Above this the project's recommender uses
# sparse item-kNN top-k neighbours instead.
EASE_MAX_PRODUCTS = 20_000
# Above that, the item-kNN baseline keeps each product's nearest neighbours only.
KNN_NEIGHBOURS = 200


def ease_fits(products: int) -> bool:
    """Whether EASE's dense inverse is computed for ``products`` products (up to
    :data:`EASE_MAX_PRODUCTS`): every dense-or-sparse choice asks this."""
    return products <= EASE_MAX_PRODUCTS


# Baseline variants, chosen per task by ``benchmarks/recommend.py --tune`` among kNN
# weighting × self-similarity and EASE λ × weighting, on the same validation splits
# as the project's recommender (mean precision@5 + NDCG@5 over Online Retail trained
# < 2011-06-01, tested to 2011-09-01, and both files trained < 2010-09-01, tested to
# 2010-12-09); never on the test period. Each baseline gets its best variant, so the
# comparison is not against a strawman.
BASELINE_VARIANTS = {
    "all items": {"knn": ("orders", True), "ease": (100.0, "log")},
    "new items": {"knn": ("orders", False), "ease": (500.0, "binary")},
}
EASE_LAMBDA = 250.0  # default when no task is given


def top_k(scores: np.ndarray, k: int, exclude: sp.csr_matrix | None = None):
    """Column indices of the ``k`` best scores per row, best first; ``exclude``:
    sparse, non-zero where a product must not be offered."""
    if exclude is not None:
        scores = np.array(scores, dtype=np.float32, copy=True)
        r, c = exclude.nonzero()
        scores[r, c] = -np.inf
    else:  # read only
        scores = np.asarray(scores, dtype=np.float32)
    return top_k_rows(scores, k)[0]


class TopOfScores:
    """``top``, for recommenders whose list is simply their best scores."""

    def top(self, rows: np.ndarray, k: int, exclude: sp.csr_matrix | None = None):
        """The ``k`` best products of each row, best first (see :func:`top_k`)."""
        return top_k(self.score(rows), k, exclude)


class Popularity(TopOfScores):
    """Most customers first: the same list for everyone."""

    name = "popularity"
    variant = "customers per product"

    def fit(self, purchases: Purchases) -> Popularity:
        self.counts_ = np.asarray(purchases.binary.sum(axis=0)).ravel()
        self.counts_ = self.counts_.astype(np.float32)
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.counts_, (len(rows), 1))


class OwnReorders(TopOfScores):
    """The customer's own most-reordered products (most orders, then the most
    popular).

    Customers with fewer than five products of their own get popular products after
    them, so every list has five items. For "new items", where the customer's own
    products are excluded, only those popular products are left: its list is
    popularity's, and its ``variant`` says so (the evaluation keeps the row, as the
    baseline the task asks for).
    """

    name = "own reorders"

    def __init__(self, task: str = "all items"):
        self.task = task

    @property
    def variant(self) -> str:
        if self.task == "new items":
            return "own products excluded: popularity's list"
        return "orders, then popularity"

    def fit(self, purchases: Purchases) -> OwnReorders:
        self.purchases_ = purchases
        self.popularity_ = Popularity().fit(purchases).counts_
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        p = self.purchases_
        orders = p.orders[rows].toarray()
        recency = p.days_since[rows].toarray()
        # Orders first, then popularity: the recency term (a thousandth a day once
        # scaled) moves a score less than popularity (0 to 1) does, so it only
        # parts products that both leave level. On the bundle's own cutoff a true
        # "orders, then recency" list scored lower (P@5 0.3719 against 0.3767):
        # the stronger list stays the baseline, under its true name.
        own = orders * 1e3 + np.where(orders > 0, 1.0 - recency / 1e4, 0.0)
        pop = self.popularity_ / (self.popularity_.max() + 1.0)
        return (own * 10.0 + pop).astype(np.float32)


def _weighted(purchases: Purchases, weighting: str) -> sp.csr_matrix:
    """The purchase matrix as binary, order counts or log(1 + order counts)."""
    if weighting == "binary":
        return purchases.binary
    x = purchases.orders.copy()
    if weighting == "log":
        x.data = np.log1p(x.data)
    elif weighting != "orders":
        raise ValueError(f"unknown weighting {weighting!r}")
    return x


class ItemKNN(TopOfScores):
    """Plain item-based collaborative filtering: a customer's score for a product is
    the sum of its cosine similarities (binary purchase matrix; all neighbours,
    the nearest :data:`KNN_NEIGHBOURS` above :data:`EASE_MAX_PRODUCTS` products) to
    the customer's products, each weighted by ``weighting``.

    ``self_similarity`` counts a product as similar to itself (cosine 1), which lets
    the customer's own products compete in the "all items" task.
    """

    name = "item-kNN cosine"

    def __init__(self, weighting: str = "binary", self_similarity: bool = False):
        self.weighting = weighting
        self.self_similarity = self_similarity

    @property
    def variant(self) -> str:
        return f"{self.weighting}, self={self.self_similarity}"

    def fit(self, purchases: Purchases, similarity=None) -> ItemKNN:
        """``similarity``: :func:`knn_similarity` of ``purchases``, when already
        computed (the evaluation shares it between variants)."""
        self.x_ = _weighted(purchases, self.weighting)
        sim = knn_similarity(purchases) if similarity is None else similarity
        if self.self_similarity:
            sim = sim.copy()
            if sp.issparse(sim):
                sim = (sim + sp.identity(sim.shape[0], np.float32, "csr")).tocsr()
            else:
                sim[np.diag_indices(sim.shape[0])] = 1.0  # the diagonal is 0
        self.sim_ = sim
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return rows_times(self.x_[rows], self.sim_).astype(np.float32, copy=False)


def knn_similarity(purchases: Purchases):
    """Cosine similarity of the products (zero diagonal) for :class:`ItemKNN`:
    dense, every neighbour, up to :data:`EASE_MAX_PRODUCTS` products (sparse ×
    dense scoring is several times faster than sparse × sparse on this often
    half-full matrix, and gives the same sums in the same order). Above, each
    product's :data:`KNN_NEIGHBOURS` most similar products, sparse: every
    co-purchased pair would grow with the customers (at 200,000 customers ×
    50,000 products, 98 M pairs, 0.8 GB)."""
    x = purchases.binary
    if ease_fits(x.shape[1]):
        return cosine_matrix(x).toarray()
    return neighbour_matrix(*cosine_top_k(x, KNN_NEIGHBOURS, min_support=1)[:2])


def gram_matrix(x: sp.csr_matrix) -> np.ndarray:
    """``XᵀX`` as a dense float32 array (co-purchase counts; exact below 2²⁴).

    A block of columns at a time, each against the rows up to its end only (the
    matrix is symmetric: the rest is mirrored): 0.21 → 0.13 s on Online Retail
    (a sparse × sparse product, then made dense, before). Blocks of at most ~16 MB
    of dense customers × products, whatever the number of customers."""
    xt = x.T.tocsr().astype(np.float32)
    xc = sp.csc_matrix(x, dtype=np.float32)
    n = x.shape[1]
    width = int(np.clip((1 << 22) // max(x.shape[0], 1), 16, 256))
    out = np.empty((n, n), np.float32)
    for start in range(0, n, width):
        end = min(start + width, n)
        out[:end, start:end] = rows_times(xt[:end], xc[:, start:end].toarray())
        out[start:end, :start] = out[:start, start:end].T
    return out


def ease_weights(
    x: sp.csr_matrix,
    lam: float,
    gram: np.ndarray | None = None,
    columns: np.ndarray | None = None,
    column_gram: np.ndarray | None = None,
):
    """EASE item-item weights: ``B = I - P / diag(P)`` with ``P = (XᵀX + λI)⁻¹``.

    Dense products × products (float32 result); see :data:`EASE_MAX_PRODUCTS`.
    ``gram``: :func:`gram_matrix` of ``x`` when already computed (several λ on one
    history); it is not modified. ``columns`` (ascending): learn from these
    products only (EASE of ``x[:, columns]``); the others neither score nor are
    scored (their rows and columns are 0), and the result is a
    :class:`~analytics.similarity.BlockWeights` of those columns. The inverse
    costs the cube of their number. ``column_gram``: instead of ``gram``, the
    Gram matrix of those columns only, ``gram_matrix(x[:, columns])`` (of ``x``
    without ``columns``); it is not modified either.
    """
    n = x.shape[1]
    if not ease_fits(n):
        raise ValueError(
            f"EASE needs a dense {n:,} × {n:,} matrix; limit is {EASE_MAX_PRODUCTS:,}"
        )
    if columns is None:
        gram = column_gram if gram is None else gram
        own = gram_matrix(x) if gram is None else np.array(gram, np.float32, copy=True)
        return _ease_from_gram(own, lam)
    if not len(columns):  # nothing was sold lately, nothing to learn
        return BlockWeights(n, columns, np.zeros((0, 0), np.float32))
    # Fancy indexing copies: the sub-matrix is this call's own to overwrite.
    if column_gram is not None:
        own = np.array(column_gram, np.float32, copy=True)
    elif gram is not None:
        own = gram[np.ix_(columns, columns)].astype(np.float32, copy=False)
    else:
        own = gram_matrix(x[:, columns])
    return BlockWeights(n, columns, _ease_from_gram(own, lam))


def _ease_from_gram(gram: np.ndarray, lam: float) -> np.ndarray:
    """EASE weights from a float32 Gram matrix this call may overwrite."""
    n = gram.shape[0]
    gram[np.diag_indices(n)] += lam
    # XᵀX + λI is symmetric positive definite: invert through its Cholesky factor
    # (about twice as fast as a general inverse); single precision halves it again
    # and is ample for ranking (λ keeps the condition number small).
    # gram.T is the same symmetric matrix in Fortran order: LAPACK works in place.
    chol, info = lapack.spotrf(gram.T, lower=1, overwrite_a=1)
    p, info2 = lapack.spotri(chol, lower=1, overwrite_c=1)
    if info or info2:
        raise np.linalg.LinAlgError(f"EASE: Gram matrix not positive definite ({info})")
    _mirror_lower(p)
    # P is symmetric now: its transpose is the same matrix, row-major (fast sparse ×
    # dense scoring) without a copy.
    b = p.T
    b /= -np.diag(b).copy()  # B_ij = -P_ij / P_jj (the same as -P / diag(P))
    b[np.diag_indices(n)] = 0.0
    return b


def _mirror_lower(p: np.ndarray, block: int = 512) -> None:
    """Copy the lower triangle of square ``p`` onto its upper one, in place and in
    blocks (a whole ``tril + tril.T`` makes three full temporaries)."""
    n = p.shape[0]
    for i0 in range(0, n, block):
        i1 = min(i0 + block, n)
        diag = p[i0:i1, i0:i1]
        upper = np.triu_indices(i1 - i0, 1)
        diag[upper] = diag.T[upper]
        p[i0:i1, i1:] = p[i1:, i0:i1].T


class EASE(TopOfScores):
    """Embarrassingly Shallow Autoencoder (Steck 2019), closed form on the binary
    purchase matrix; at scoring time the customer's row is weighted by ``weighting``.
    """

    name = "EASE"

    def __init__(self, lam: float = EASE_LAMBDA, weighting: str = "binary"):
        self.lam = lam
        self.weighting = weighting

    @property
    def variant(self) -> str:
        return f"lambda={self.lam:g}, {self.weighting}"

    def fit(self, purchases: Purchases, weights: np.ndarray | None = None) -> EASE:
        """``weights``: :func:`ease_weights` of ``purchases`` with this λ, when
        already computed (the evaluation shares them between tasks and models)."""
        self.x_ = _weighted(purchases, self.weighting)
        if weights is None:
            weights = ease_weights(purchases.binary, self.lam)
        self.b_ = weights
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return rows_times(self.x_[rows], self.b_).astype(np.float32, copy=False)


def baselines(task: str = "all items", products: int | None = None) -> list:
    """Fresh instances of every baseline, in their validated variant for ``task``;
    EASE only up to :data:`EASE_MAX_PRODUCTS` ``products`` (its dense inverse)."""
    chosen = BASELINE_VARIANTS[task]
    models = [Popularity(), OwnReorders(task), ItemKNN(*chosen["knn"])]
    if products is None or ease_fits(products):
        models.append(EASE(*chosen["ease"]))
    return models
