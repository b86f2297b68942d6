"""Product similarity: co-purchase (item-based CF) and description (TF-IDF).

Both are computed sparse, in chunks of products: the cost grows with the number of
co-purchased product pairs (Σ over customers of their products²) and memory with one
chunk of ``chunk × products`` scores, never with customers × products.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from analytics._reco_data import Purchases

NEIGHBOURS = 10  # neighbours kept per product and method
MIN_SUPPORT = 2  # shared customers needed before a co-purchase score counts
# A chunk of products is scored at once: chunk × products float32 ≤ ~64 MB.
_CHUNK_CELLS = 1 << 24
# A chunk of products pairing with at most this share of all products is ranked
# from its pairs (see ``cosine_top_k``): at 1M customers × 100k products, sorting
# a chunk's pairs is faster than its dense scores below ~3 % of them.
_SPARSE_SHARE = 1 / 32


def _inverse_norms(x: sp.csc_matrix) -> np.ndarray:
    """1 / the Euclidean norm of each column (0 for an empty column)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)


def _column_normalised(x: sp.spmatrix) -> sp.csc_matrix:
    x = sp.csc_matrix(x, dtype=np.float32)
    return x @ sp.diags(_inverse_norms(x).astype(np.float32))


def cosine_matrix(x: sp.spmatrix) -> sp.csr_matrix:
    """Cosine similarity between the columns of ``x`` as a sparse matrix.

    The diagonal (a product with itself) is zero. Only pairs of columns sharing at
    least one non-zero row are stored.
    """
    xn = _column_normalised(x)
    sim = (xn.T @ xn).tocsr()
    sim.setdiag(0.0)
    sim.eliminate_zeros()
    return sim


# Columns of a dense right-hand side per block of ``rows_times``: 128 float32
# columns of 4,000 products are 2 MB, which stay in the cache while every row of
# the sparse left-hand side is added up against them.
_PRODUCT_BLOCK = 128


class BlockWeights:
    """A products × products matrix that is 0 outside ``cols`` × ``cols``, stored
    as that dense block only: EASE learnt from some of the products, the others
    neither scoring nor scored. Products times it cost the block's size, not the
    whole square's (on Online Retail 2,500² of 3,645²).

    Parameters
    ----------
    n : int
        Products (the matrix is ``n × n``).
    cols : ndarray of int
        The block's products, ascending.
    block : ndarray
        ``len(cols) × len(cols)``, row-major.
    """

    def __init__(self, n: int, cols: np.ndarray, block: np.ndarray):
        self.n, self.cols, self.block = n, np.asarray(cols, np.int64), block
        self._at = np.full(n, -1, dtype=np.int64)  # each product's place in it
        self._at[self.cols] = np.arange(len(self.cols))
        # Where each product's column of ``x @ self`` is found among the block's
        # columns followed by one of zeros (see ``rows_times``).
        self.gather = np.where(self._at >= 0, self._at, len(self.cols))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n)

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, self.block.dtype)
        out[np.ix_(self.cols, self.cols)] = self.block
        return out

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The values at (``rows``, ``cols``) (broadcast together)."""
        i, j = np.broadcast_arrays(self._at[rows], self._at[cols])
        out = np.zeros(i.shape, self.block.dtype)
        inside = (i >= 0) & (j >= 0)
        out[inside] = self.block[i[inside], j[inside]]
        return out


def rows_times(x: sp.spmatrix, w) -> np.ndarray:
    """``x @ w`` as a dense array (sparse ``x``; ``w`` dense, sparse or
    :class:`BlockWeights`).

    A dense ``w`` is taken a block of columns at a time: scipy adds one row of
    ``w`` per non-zero of ``x``, and a whole row of 4,000 products leaves the
    cache before it is read again. The sums are the same, in the same order
    (bit for bit), 1.7–1.9× faster on Online Retail. With :class:`BlockWeights`
    only the block's columns of ``x`` and of the result are multiplied: the terms
    left out are all 0, so the sums are again the same, bit for bit.
    """
    if sp.issparse(w):
        return (x @ w).toarray()
    x = sp.csr_matrix(x)
    if isinstance(w, BlockWeights):
        dtype = np.result_type(x.dtype, w.block.dtype)
        # The block's products, then one column of zeros, gathered into place:
        # a gather along the rows is ~10× faster than numpy's scatter into
        # chosen columns, which took as long as the products themselves.
        inner = np.empty((x.shape[0], len(w.cols) + 1), dtype)
        inner[:, -1] = 0.0
        _dense_times(x[:, w.cols], w.block, inner)
        return np.take(inner, w.gather, axis=1)
    out = np.empty((x.shape[0], w.shape[1]), dtype=np.result_type(x.dtype, w.dtype))
    _dense_times(x, w, out)
    return out


def _dense_times(x: sp.csr_matrix, w: np.ndarray, out: np.ndarray) -> None:
    """``out[:, :w.shape[1]] = x @ w`` for a dense ``w``, a block of columns at
    a time (see :func:`rows_times`)."""
    for start in range(0, w.shape[1], _PRODUCT_BLOCK):
        block = slice(start, min(start + _PRODUCT_BLOCK, w.shape[1]))
        out[:, block] = x @ np.ascontiguousarray(w[:, block])


def rank_in_rows(
    r: np.ndarray, c: np.ndarray, v: np.ndarray, then: np.ndarray | None = None
) -> np.ndarray:
    """Rank of each entry's value ``v`` among its row's entries (0: best); equal
    values go to the larger ``then`` (when given), then to the lower column ``c``.
    ``r`` must be sorted (as ``np.nonzero`` returns it)."""
    order = _row_value_order(r, c, v) if then is None else None
    if order is None:
        order = np.lexsort((c, -v, r) if then is None else (c, -then, -v, r))
    ranks = np.empty(len(v), np.float32)
    ranks[order] = np.arange(len(v)) - np.searchsorted(r, r[order])
    return ranks


def _row_value_order(r: np.ndarray, c: np.ndarray, v: np.ndarray):
    """``np.lexsort((c, -v, r))`` for float32 ``v`` without NaN and entries
    already in (row, column) order (as ``np.nonzero`` gives them), by one stable
    sort of a 64-bit key: the row, then the value's bits mapped to an unsigned
    integer in descending order of value (equal values keep their column
    order). 6-7× faster on the ranker's ~200,000 candidates; None otherwise."""
    r, c, v = np.asarray(r), np.asarray(c), np.asarray(v)
    if v.dtype != np.float32 or not len(v) or r.min() < 0 or r.max() >= 1 << 32:
        return None
    step = np.diff(r)
    if (step < 0).any() or (c[1:][step == 0] <= c[:-1][step == 0]).any():
        return None
    if np.isnan(v).any():
        return None
    bits = (v + np.float32(0.0)).view(np.uint32)  # -0.0 is 0.0, as it compares
    ascending = np.where(bits >> 31, ~bits, bits | np.uint32(1 << 31))
    key = r.astype(np.uint64) << np.uint64(32) | (~ascending).astype(np.uint64)
    return np.argsort(key, kind="stable")


def top_k_rows(
    scores: np.ndarray, k: int, then: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest entries per row, best first; equal
    scores go to the larger ``then`` (same shape; say, the support behind a
    score), then to the lowest column.

    numpy's ``argpartition`` chooses among equal values in an unspecified way
    (its SIMD versions differ from CPU to CPU), so the tie rule is applied here:
    the ``k``-th best value of each row by a partition of the values, then every
    column above it and the best of the columns equal to it."""
    n = scores.shape[1]
    k = min(k, n)
    if k <= 0 or len(scores) == 0:
        empty = np.zeros((len(scores), max(k, 0)), np.int64)
        return empty, np.zeros(empty.shape, scores.dtype)
    neg = np.negative(scores)  # one copy, partitioned in place
    neg.partition(k - 1, axis=1)
    kth = -neg[:, k - 1 : k]
    del neg
    keep = scores > kth
    tied = scores == kth
    need = k - keep.sum(axis=1)
    extra = np.flatnonzero(tied.sum(axis=1) > need)
    if len(extra):  # more ties than places: the best of them
        sub = tied[extra]
        if then is None:
            tied[extra] = sub & (np.cumsum(sub, axis=1) <= need[extra, None])
        else:
            key = np.where(sub, then[extra], -np.inf)
            order = np.argsort(-key, axis=1, kind="stable")  # equal: column order
            first = np.arange(n)[None, :] < need[extra, None]
            chosen = np.zeros(sub.shape, dtype=bool)
            np.put_along_axis(chosen, order, first, axis=1)
            tied[extra] = chosen
    keep |= tied
    cols = np.nonzero(keep)[1].reshape(len(scores), k)  # ascending in each row
    vals = np.take_along_axis(scores, cols, axis=1)
    # Best first: by value, then ``then`` (if any), then column (last key first).
    keys = [cols] if then is None else [cols, -np.take_along_axis(then, cols, 1)]
    order = np.lexsort((*keys, -vals), axis=-1)
    return np.take_along_axis(cols, order, axis=1), np.take_along_axis(vals, order, 1)


def cosine_top_k(
    x: sp.spmatrix,
    k: int = NEIGHBOURS,
    min_support: int = MIN_SUPPORT,
    sparse_share: float = _SPARSE_SHARE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` cosine neighbours of every column of ``x``, chunk by chunk.

    A chunk whose products pair (sharing ``min_support`` rows or more) with at
    most ``sparse_share`` of all products is ranked from those pairs alone
    (sorted), the others as dense ``chunk × products`` scores: the same
    neighbours, scores and support either way (see :func:`_top_k_of_pairs`).

    Parameters
    ----------
    x : sparse matrix, rows × products
        Binary purchase matrix (customers × products) or TF-IDF rows (products ×
        terms, pass ``x.T``).
    k : int
        Neighbours per product.
    min_support : int
        Minimum number of rows two columns must share (co-purchasing customers).
        At least 1 for a binary ``x``, whose shared rows are counted; 0 for
        weighted input (TF-IDF), whose support is 0.

    Returns
    -------
    neighbours : ndarray (products, k) of int64, -1 where there is no neighbour
    scores : ndarray (products, k) of float32 cosine similarity
    support : ndarray (products, k) of int64, shared rows (binary ``x``; else 0)
    """
    x = sp.csc_matrix(x, dtype=np.float32)
    binary = min_support > 0
    inv = _inverse_norms(x)
    n = x.shape[1]
    k = min(k, max(n - 1, 1))
    neighbours = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    support = np.zeros((n, k), dtype=np.int64)
    chunk = max(1, _CHUNK_CELLS // max(n, 1))
    xt = x.T.tocsr()
    # The product's right-hand side in CSR once: given CSC, scipy converts it for
    # every chunk (a quarter of the time at 200,000 customers × 50,000 products).
    xr = x.tocsr()
    for start in range(0, n, chunk):
        cols = np.arange(start, min(start + chunk, n))
        # For a binary matrix the co-occurrence counts are the support, and the
        # cosine is those counts over the norms: one sparse product serves both.
        pairs = xt[cols] @ xr
        # The pairs that can rank (shared by ``min_support`` rows or more): the
        # cost of sorting them against that of the dense scores.
        ranked = np.count_nonzero(pairs.data >= min_support) if binary else pairs.nnz
        if ranked <= sparse_share * len(cols) * n:
            nbr, val, sup = _top_k_of_pairs(pairs, cols, inv, k, min_support)
            neighbours[cols], scores[cols], support[cols] = nbr, val, sup
            continue
        co = np.asarray(pairs.todense(), dtype=np.float32)
        sim = co * inv[cols, None] * inv[None, :]
        sim[np.arange(len(cols)), cols] = 0.0
        if binary:
            sim[co < min_support] = 0.0
        # Equal scores: the more shared customers first (the stronger evidence).
        idx, val = top_k_rows(sim, k, then=co if binary else None)
        ok = val > 0
        neighbours[cols] = np.where(ok, idx, -1)
        scores[cols] = np.where(ok, val, 0.0)
        if binary:
            sup = np.take_along_axis(co, idx, axis=1).astype(np.int64)
            support[cols] = np.where(ok, sup, 0)
    return neighbours, scores, support


def neighbour_matrix(neighbours: np.ndarray, scores: np.ndarray) -> sp.csr_matrix:
    """Products × products, each row holding its neighbours' scores (the output of
    :func:`cosine_top_k`; -1: no neighbour)."""
    n = neighbours.shape[0]
    rows = np.repeat(np.arange(n), neighbours.shape[1])
    ok = neighbours.ravel() >= 0
    return sp.csr_matrix(
        (scores.ravel()[ok], (rows[ok], neighbours.ravel()[ok])), shape=(n, n)
    )


def _top_k_of_pairs(
    pairs: sp.csr_matrix, cols: np.ndarray, inv: np.ndarray, k: int, min_support: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`cosine_top_k` of one chunk from its stored pairs: ``pairs`` holds
    the products ``cols`` (rows) × every product, co-occurrence counts (binary
    input) or dot products. The cosine is computed as the dense way computes it,
    and ranked by the same rule (score, then support, then column), so the result
    is identical; the cost grows with the pairs, not with ``chunk × products``
    (with 100,000 products, most of each dense row would be zeros)."""
    binary = min_support > 0
    row = np.repeat(np.arange(len(cols)), np.diff(pairs.indptr))
    col, co = pairs.indices, pairs.data
    sim = co * inv[cols][row] * inv[col]
    keep = (sim > 0) & (col != cols[row])
    if binary:
        keep &= co >= min_support
    row, col, co, sim = row[keep], col[keep], co[keep], sim[keep]
    # Best first within each row: score, then support (binary input), then column.
    place = rank_in_rows(row, col, sim, then=co if binary else None).astype(np.int64)
    top = place < k
    row, place = row[top], place[top]
    neighbours = np.full((len(cols), k), -1, dtype=np.int64)
    scores = np.zeros((len(cols), k), dtype=np.float32)
    support = np.zeros((len(cols), k), dtype=np.int64)
    neighbours[row, place] = col[top]
    scores[row, place] = sim[top]
    if binary:
        support[row, place] = co[top]
    return neighbours, scores, support


def description_vectors(descriptions) -> sp.csr_matrix:
    """TF-IDF rows (one per product) over words, word pairs and character 3–5-grams.

    Character n-grams make "T-LIGHT" match "TLIGHT" and "HEARTS" match "HEART"; words
    and word pairs keep "HANGING HEART" together.
    """
    text = pd.Series(descriptions, dtype="str").fillna("").str.lower()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    )
    parts = []
    for vectorizer in (words, chars):
        try:
            parts.append(vectorizer.fit_transform(text))
        except ValueError:  # empty vocabulary (e.g. blank descriptions)
            continue
    if not parts:
        return sp.csr_matrix((len(text), 1), dtype=np.float32)
    return sp.hstack(parts, format="csr", dtype=np.float32)


def similar_products_table(
    purchases: Purchases, k: int = NEIGHBOURS, min_support: int = MIN_SUPPORT
) -> pd.DataFrame:
    """Top-``k`` similar products per product by co-purchase and by description.

    Returns
    -------
    DataFrame
        ``stock_code, rank, similar_stock_code, score, method, support,
        similar_description``; ``method`` is ``"cf"`` (cosine over the customer ×
        product matrix; ``support`` = shared customers) or ``"content"`` (TF-IDF
        cosine of descriptions; ``support`` = 0). Ranks start at 1 per method.
    """
    codes = purchases.stock_codes
    frames = []
    cf = cosine_top_k(purchases.binary, k, min_support)
    content = cosine_top_k(description_vectors(purchases.descriptions).T, k, 0)
    for method, (nbr, score, sup) in (("cf", cf), ("content", content)):
        row, col = np.nonzero(nbr >= 0)
        frames.append(
            pd.DataFrame(
                {
                    "stock_code": codes[row],
                    "rank": (col + 1).astype("int64"),
                    "similar_stock_code": codes[nbr[row, col]],
                    "score": score[row, col].astype("float64"),
                    "method": method,
                    "support": sup[row, col],
                    "similar_description": purchases.descriptions[nbr[row, col]],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    for column in ("stock_code", "similar_stock_code", "similar_description"):
        table[column] = table[column].astype("str")
    return table


class PairLookup:
    """Values of a products × products matrix (dense, sparse or
    :class:`BlockWeights`) at many (row, column) pairs, as a dense array; for a
    sparse one by binary search of its sorted (row, column) keys, built once:
    scipy's fancy indexing is slow for many scattered pairs."""

    def __init__(self, matrix):
        self.matrix = matrix
        if sp.issparse(matrix):
            m = matrix.tocsr()
            if not m.has_sorted_indices:  # sort a copy: the caller's stays as it is
                m = m.copy()
                m.sort_indices()
            rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
            self.keys = rows * m.shape[1] + m.indices
            self.values = np.append(m.data, 0.0).astype(np.float32)  # last: absent

    def __call__(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        rows, cols = np.broadcast_arrays(rows, cols)
        if isinstance(self.matrix, BlockWeights):
            return self.matrix.pairs(rows, cols)
        if not sp.issparse(self.matrix):
            return np.asarray(self.matrix[rows, cols])
        wanted = rows.astype(np.int64) * self.matrix.shape[1] + cols
        at = np.searchsorted(self.keys, wanted)
        hit = at < len(self.keys)
        hit[hit] = self.keys[at[hit]] == wanted[hit]
        return self.values[np.where(hit, at, len(self.keys))]
