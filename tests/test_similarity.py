"""Product similarity on hand-made purchase matrices where the answer is known."""

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import purchase_lines

from analytics import similarity
from analytics._reco_data import purchases_from_lines
from analytics.similarity import (
    cosine_matrix,
    cosine_top_k,
    description_vectors,
    similar_products_table,
)

# customers × products: A and B are always bought together; C goes with A once.
X = sp.csr_matrix(
    np.array(
        [
            # A  B  C  D
            [1, 1, 0, 0],
            [1, 1, 1, 0],
            [1, 1, 0, 1],
            [0, 0, 1, 1],
            [0, 0, 1, 1],
        ],
        dtype=np.float32,
    )
)


def test_cosine_matches_hand_computed_values():
    sim = cosine_matrix(X).toarray()
    assert sim[0, 1] == pytest.approx(1.0)  # A and B share all 3 customers
    assert sim[0, 2] == pytest.approx(1 / 3)  # 1 shared / sqrt(3 * 3)
    assert sim[2, 3] == pytest.approx(2 / 3)
    assert np.allclose(np.diag(sim), 0.0)
    assert np.allclose(sim, sim.T)


def test_products_bought_together_are_each_others_top_neighbour():
    nbr, score, support = cosine_top_k(X, k=3, min_support=1)
    assert nbr[0, 0] == 1 and nbr[1, 0] == 0
    assert score[0, 0] == pytest.approx(1.0)
    assert support[0, 0] == 3
    assert support[2, 0] == 2  # C's best is D, shared by two customers


def test_minimum_support_drops_pairs_seen_once():
    nbr, _, _ = cosine_top_k(X, k=3, min_support=2)
    # A–C and A–D are seen with one customer only: A keeps B alone.
    assert list(nbr[0]) == [1, -1, -1]


def test_chunked_computation_equals_one_pass(monkeypatch):
    rng = np.random.default_rng(0)
    x = sp.csr_matrix((rng.random((60, 25)) < 0.2).astype(np.float32))
    whole = cosine_top_k(x, k=5, min_support=1)
    monkeypatch.setattr(similarity, "_CHUNK_CELLS", 25 * 3)  # 3 products per chunk
    chunked = cosine_top_k(x, k=5, min_support=1)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("min_support", [0, 1, 2])
def test_ranking_from_pairs_equals_ranking_dense_scores(min_support, monkeypatch):
    # Sparse chunks are ranked from their pairs, full ones densely: the result
    # must not depend on which, ties included (0/1 data, few customers: many
    # equal scores and supports; min_support 0: weighted input, no support).
    rng = np.random.default_rng(min_support)
    dense = (rng.random((40, 90)) < rng.random(90) * 0.3).astype(np.float32)
    if not min_support:
        dense *= rng.integers(1, 4, dense.shape)
    x = sp.csr_matrix(dense)
    monkeypatch.setattr(similarity, "_CHUNK_CELLS", 90 * 7)  # 7 products a chunk
    by_dense = cosine_top_k(x, k=6, min_support=min_support, sparse_share=0.0)
    by_pairs = cosine_top_k(x, k=6, min_support=min_support, sparse_share=1.0)
    calls = []
    by_pairs_fn = similarity._top_k_of_pairs
    monkeypatch.setattr(
        similarity,
        "_top_k_of_pairs",
        lambda *a: calls.append(1) or by_pairs_fn(*a),
    )
    mixed = cosine_top_k(x, k=6, min_support=min_support, sparse_share=0.45)
    assert 0 < len(calls) < 13  # of 13 chunks, some each way
    assert (by_dense[0] >= 0).sum() > 300  # most places are filled
    for a, b, c in zip(by_dense, by_pairs, mixed, strict=True):
        assert a.dtype == b.dtype == c.dtype
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_descriptions_find_the_same_product_in_another_colour():
    texts = [
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "BLUE POLKADOT MUG",
        "RED HANGING HEART T-LIGHT HOLDER",
        "PINK POLKADOT MUG",
    ]
    nbr, _, _ = cosine_top_k(description_vectors(texts).T, k=1, min_support=0)
    assert list(nbr[:, 0]) == [2, 3, 0, 1]


def _lines(baskets):
    """Cleaned lines from {invoice: (customer, day, [stock codes])}."""
    return purchase_lines(
        (invoice, customer, code, day)
        for invoice, (customer, day, codes) in baskets.items()
        for code in codes
    )


def test_similar_products_table_follows_the_contract():
    lines = _lines(
        {
            1: (1, 0, ["10A", "10B"]),
            2: (2, 1, ["10A", "10B", "20C"]),
            3: (3, 2, ["10A", "10B"]),
            4: (4, 3, ["20C", "30D"]),
            5: (5, 4, ["20C", "30D"]),
        }
    )
    table = similar_products_table(purchases_from_lines(lines))
    assert {"stock_code", "rank", "similar_stock_code", "score", "method"} <= set(
        table.columns
    )
    assert set(table["method"]) == {"cf", "content"}
    cf = table[table["method"] == "cf"]
    top = cf[cf["rank"] == 1].set_index("stock_code")["similar_stock_code"]
    assert top["10A"] == "10B" and top["10B"] == "10A"
    assert (table["stock_code"] != table["similar_stock_code"]).all()
    for _, group in table.groupby(["stock_code", "method"]):
        assert list(group["rank"]) == list(range(1, len(group) + 1))
        assert group["score"].is_monotonic_decreasing
    assert (table.loc[table["method"] == "content", "support"] == 0).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_times_is_the_product_bit_for_bit(dtype):
    # 300 columns: two whole blocks of 128 and a part one.
    rng = np.random.default_rng(0)
    x = sp.random(50, 40, density=0.2, format="csr", dtype=dtype, random_state=rng)
    w = rng.standard_normal((40, 300)).astype(np.float32)
    got = similarity.rows_times(x, w)
    want = np.asarray(x @ w)
    assert got.dtype == want.dtype and got.shape == (50, 300)
    assert np.array_equal(got, want)
    # A sparse right-hand side gives the dense product too.
    ws = sp.csr_matrix(np.where(np.abs(w) > 1.5, w, 0.0))
    assert np.array_equal(similarity.rows_times(x, ws), (x @ ws).toarray())


def test_rows_times_with_a_block_of_products_is_the_product_bit_for_bit():
    # 300 products, 200 of them in the block (two whole column blocks of 128 and a
    # part one): the products outside it are 0 in the result, the rest as times
    # the whole matrix.
    rng = np.random.default_rng(1)
    x = sp.random(60, 300, density=0.1, format="csr", dtype=np.float32, rng=rng)
    cols = np.sort(rng.choice(300, 200, replace=False))
    w = similarity.BlockWeights(300, cols, rng.standard_normal((200, 200), np.float32))
    got = similarity.rows_times(x, w)
    assert got.dtype == np.float32 and got.shape == (60, 300)
    assert np.array_equal(got, similarity.rows_times(x, w.toarray()))
    assert not got[:, np.setdiff1d(np.arange(300), cols)].any()


def test_rank_in_rows_ranks_by_value_then_column_on_every_path():
    rng = np.random.default_rng(2)
    mask = rng.random((300, 60)) < 0.3
    r, c = np.nonzero(mask)  # rows sorted, columns ascending in each row
    # Few distinct values (ties), negatives, both zeros and both infinities.
    pool = np.array([-np.inf, -1.5, -0.0, 0.0, 0.25, 1.0, 2.0, np.inf], np.float32)
    v = rng.choice(pool, len(r))

    def expected(r, c, v):
        ranks = np.empty(len(v), np.float32)
        for row in np.unique(r):
            at = np.flatnonzero(r == row)
            order = sorted(at, key=lambda i: (-float(v[i]), c[i]))
            ranks[order] = np.arange(len(at))
        return ranks

    want = expected(r, c, v)
    np.testing.assert_array_equal(similarity.rank_in_rows(r, c, v), want)
    # Other dtypes, a NaN, or columns out of order within a row: the same ranks.
    np.testing.assert_array_equal(
        similarity.rank_in_rows(r, c, v.astype(np.float64)), want
    )
    shuffled = np.concatenate(
        [rng.permutation(np.flatnonzero(r == i)) for i in range(300)]
    )
    got = similarity.rank_in_rows(r[shuffled], c[shuffled], v[shuffled])
    np.testing.assert_array_equal(got, want[shuffled])
    v_nan = v.copy()
    v_nan[0] = np.nan
    order = np.lexsort((c, -v_nan, r))  # NaN ranks last in its row
    lexsorted = np.empty(len(v), np.float32)
    lexsorted[order] = np.arange(len(v)) - np.searchsorted(r, r[order])
    np.testing.assert_array_equal(similarity.rank_in_rows(r, c, v_nan), lexsorted)
    assert lexsorted[0] == np.sum(r == r[0]) - 1


def test_top_k_rows_breaks_ties_by_lowest_column():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 4, (300, 40)).astype(np.float32)  # many ties
    scores[7] = -np.inf  # nothing allowed: still k columns, the first ones
    scores[8] = 2.0  # all equal
    idx, val = similarity.top_k_rows(scores, 5)
    for row in range(len(scores)):
        want = sorted(range(40), key=lambda c: (-scores[row, c], c))[:5]
        assert idx[row].tolist() == want
        assert val[row].tolist() == scores[row, want].tolist()
    # More places than columns: every column, best first.
    idx, _ = similarity.top_k_rows(scores[:3, :4], 10)
    assert idx.shape == (3, 4)
    assert sorted(idx[0].tolist()) == [0, 1, 2, 3]


def test_top_k_rows_breaks_ties_by_then_before_column():
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 3, (200, 30)).astype(np.float32)
    then = rng.integers(0, 3, (200, 30)).astype(np.float32)
    idx, val = similarity.top_k_rows(scores, 6, then=then)
    for row in range(len(scores)):
        key = [(-scores[row, c], -then[row, c], c) for c in range(30)]
        want = [c for _, _, c in sorted(key)[:6]]
        assert idx[row].tolist() == want


def test_equal_cosines_list_the_neighbour_with_more_shared_customers_first():
    # A: customers 0–3. B: customer 0 only (cosine 1 / √4 = 0.5, one shared);
    # C: customers 0, 1, 4, 5 (2 / √16 = 0.5, two shared).
    x = np.zeros((6, 3), dtype=np.float32)
    x[[0, 1, 2, 3], 0] = 1
    x[0, 1] = 1
    x[[0, 1, 4, 5], 2] = 1
    neighbours, scores, support = cosine_top_k(sp.csr_matrix(x), k=2, min_support=1)
    assert scores[0].tolist() == [0.5, 0.5]
    assert neighbours[0].tolist() == [2, 1]  # C (two shared) before B (one)
    assert support[0].tolist() == [2, 1]
