"""The learned ranker: labels, candidates, what it learns, determinism, fallback."""

import numpy as np
import pandas as pd
import pytest
from helpers import purchase_lines

from analytics._reco_blend import ALL_ITEMS_PARAMS, NEW_ITEMS_PARAMS
from analytics._reco_data import purchases_from_lines
from analytics._reco_history import History, labels_after
from analytics._reco_rank import LearnedRanker, RankParams
from analytics.recommenders import ease_weights

START = pd.Timestamp("2011-01-01")
SMALL = RankParams(min_samples_leaf=5, max_iter=30)


def _staples_shop(seed=0):
    """60 customers over 240 days. Each has a staple bought about every 12 days
    and a few one-off products bought once and never again; everyone also buys
    one of ten fillers now and then."""
    rng = np.random.default_rng(seed)
    rows, invoice = [], 0
    for c in range(60):
        staple = f"S{c % 6}"
        for day in range(int(rng.integers(0, 12)), 240, 12):
            invoice += 1
            rows.append((invoice, 100 + c, staple, day))
            if rng.random() < 0.3:
                rows.append((invoice, 100 + c, f"F{rng.integers(10)}", day))
            if rng.random() < 0.15:  # a one-off nobody buys twice
                rows.append((invoice, 100 + c, f"O{invoice}", day))
    return purchase_lines(rows)


def test_labels_are_the_purchases_after_the_cut_and_new_ones_exclude_own():
    lines = purchase_lines(
        [(1, 7, "A", 0), (2, 7, "A", 20), (2, 7, "B", 20), (3, 8, "A", 1),
         (4, 8, "Z", 25)]
    )  # fmt: skip
    inner = purchases_from_lines(lines, START + pd.Timedelta(days=10))
    end = START + pd.Timedelta(days=30)
    codes = list(inner.stock_codes)  # Z and B unknown before the cut: not labels
    assert codes == ["A"]
    every = labels_after(lines, inner, end, "all items").toarray()
    assert every.tolist() == [[1.0], [0.0]]  # 7 rebought A, 8 bought only Z
    new = labels_after(lines, inner, end, "new items").toarray()
    assert new.tolist() == [[0.0], [0.0]]


def _fitted(lines, task, params=SMALL):
    as_of = lines["invoice_date"].max().normalize() + pd.Timedelta(days=1)
    p = purchases_from_lines(lines, as_of)
    base = ALL_ITEMS_PARAMS if task == "all items" else NEW_ITEMS_PARAMS
    return LearnedRanker(task, base, params).fit(p, History(lines, p)), p


def test_the_ranker_learns_that_staples_come_back_and_one_offs_do_not():
    ranker, p = _fitted(_staples_shop(), "all items")
    assert ranker.model_ is not None and ranker.training_rows_ > 0
    rows = np.arange(p.shape[0])
    best = np.argmax(ranker.score(rows), axis=1)
    staples = [f"S{c % 6}" for c in range(60)]
    assert list(p.stock_codes[best]) == staples


def test_a_cuts_gram_matrix_serves_every_lambda_until_released(monkeypatch):
    import analytics._reco_history as reco_history

    lines = _staples_shop()
    p = purchases_from_lines(lines)
    history = History(lines, p)
    cut = p.as_of - pd.Timedelta(days=30)
    calls = []
    real = reco_history.gram_matrix
    monkeypatch.setattr(
        reco_history, "gram_matrix", lambda x: calls.append(x.shape) or real(x)
    )
    inner = history.purchases(cut)
    columns = inner.ease_columns(
        NEW_ITEMS_PARAMS.ease_recent_days, NEW_ITEMS_PARAMS.ease_products
    )
    for lam in (250.0, 500.0):
        got = history.ease(cut, lam, NEW_ITEMS_PARAMS)
        want = ease_weights(inner.binary, lam, columns=columns)
        np.testing.assert_array_equal(got.toarray(), want.toarray())
    assert len(calls) == 1  # one Gram matrix for both
    history.release_ease(cut, 500.0, NEW_ITEMS_PARAMS)
    assert not any(key[0] == "gram" for key in history._weights)
    history.ease(cut, 100.0, NEW_ITEMS_PARAMS)
    assert len(calls) == 2  # released: computed again when asked for


def test_top_mask_marks_each_rows_k_best_positive_allowed_values_and_ties():
    from analytics._reco_features import _top_mask

    rng = np.random.default_rng(0)
    # Few distinct values: many ties at the k-th; zeros and negatives never marked.
    a = rng.integers(-2, 6, (200, 40)).astype(np.float32)
    allowed = rng.random(a.shape) < 0.7
    for k in (1, 3, 10, 40, 50):
        for ok in (None, allowed):
            got = _top_mask(a, k, ok)
            b = a if ok is None else np.where(ok, a, -np.inf)
            kth = -np.sort(-b, axis=1)[:, min(k, 40) - 1 : min(k, 40)]
            np.testing.assert_array_equal(got, (b >= kth) & (b > 0))
    assert not _top_mask(a, 0).any()


def test_new_item_candidates_are_never_own_products():
    ranker, p = _fitted(_staples_shop(), "new items")
    rows = np.arange(p.shape[0])
    mask, _, orders = ranker.features_.candidates(rows, "new items", ranker.params)
    assert mask.any()
    assert not (mask & (orders > 0)).any()
    # Candidates score above every product outside them.
    scores = ranker.score(rows)
    inside = np.where(mask, scores, np.inf).min(axis=1)
    outside = np.where(mask, -np.inf, scores).max(axis=1)
    assert (inside > outside).all()


def test_two_fits_score_identically():
    lines = _staples_shop()
    a, p = _fitted(lines, "all items")
    b, _ = _fitted(lines, "all items")
    rows = np.arange(p.shape[0])
    np.testing.assert_array_equal(a.score(rows), b.score(rows))


def test_too_short_a_history_ranks_by_the_blend_alone():
    lines = purchase_lines([(1, 7, "A", 0), (1, 7, "B", 0), (2, 8, "A", 1)])
    ranker, p = _fitted(lines, "all items")
    assert ranker.model_ is None
    scores = ranker.score(np.arange(p.shape[0]))
    assert np.isfinite(scores).all()
    # Customer 8's own product comes first.
    assert p.stock_codes[np.argmax(scores[1])] == "A"


def test_history_computes_each_weight_matrix_once():
    lines = _staples_shop()
    p = purchases_from_lines(lines)
    history = History(lines, p)
    w = history.cf_weights(p.as_of, NEW_ITEMS_PARAMS)
    assert history.cf_weights(p.as_of, ALL_ITEMS_PARAMS) is w  # same λ, products
    lam, days = NEW_ITEMS_PARAMS.ease_lambda, NEW_ITEMS_PARAMS.ease_recent_days
    recent = p.ease_columns(days, NEW_ITEMS_PARAMS.ease_products)
    assert recent is not None and 0 < len(recent) < p.shape[1]
    np.testing.assert_allclose(
        w.toarray(), ease_weights(p.binary, lam, columns=recent).toarray(), atol=1e-6
    )
    assert history.ease(p.as_of, lam, NEW_ITEMS_PARAMS) is w  # the ranker's EASE
    # The EASE baseline learns from every product: a matrix of its own.
    full = history.ease(p.as_of, lam)
    assert full is not w and history.ease(p.as_of, lam) is full
    np.testing.assert_allclose(full, ease_weights(p.binary, lam), atol=1e-6)
    earlier = p.as_of - pd.Timedelta(days=90)
    assert history.purchases(earlier) is history.purchases(earlier)


def test_above_the_ease_limit_co_purchase_weights_are_sparse_neighbours(monkeypatch):
    import scipy.sparse as sp

    import analytics.recommenders

    monkeypatch.setattr(analytics.recommenders, "EASE_MAX_PRODUCTS", 10)
    lines = _staples_shop()
    p = purchases_from_lines(lines)
    history = History(lines, p)
    w = history.cf_weights(p.as_of, NEW_ITEMS_PARAMS)
    assert sp.issparse(w) and w.shape == (p.shape[1],) * 2
    assert history.cf_weights(p.as_of, ALL_ITEMS_PARAMS) is w  # same neighbours


def test_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown task"):
        LearnedRanker("some items", ALL_ITEMS_PARAMS)


def test_an_ease_mix_without_its_ease_is_refused():
    with pytest.raises(ValueError, match="ease_mix needs an ease_lambda"):
        LearnedRanker("new items", NEW_ITEMS_PARAMS, RankParams(ease_mix=0.5))


def test_a_feature_missing_everywhere_does_not_stop_the_fit():
    # Nobody ever bought a product twice: the reorder-rhythm features are missing
    # for every candidate.
    rows = []
    for c in range(30):
        rows += [
            (2 * c, 100 + c, f"P{c % 5}", 0),
            (2 * c + 1, 100 + c, f"P{(c + 1) % 5}", 100),
        ]
    ranker, p = _fitted(purchase_lines(rows), "all items")
    assert ranker.model_ is not None
    assert np.isfinite(ranker.score(np.arange(p.shape[0]))).all()


@pytest.mark.parametrize("task", ["all items", "new items"])
def test_top_among_candidates_is_the_top_of_all_scores(task):
    ranker, p = _fitted(_staples_shop(), task)
    rows = np.arange(p.shape[0])
    exclude = p.orders[rows] if task == "new items" else None
    scores = ranker.score(rows)
    if exclude is not None:
        scores[exclude.nonzero()] = -np.inf
    # A long list needs products outside the candidates (whole-row fallback).
    for k in (5, 40):
        best, values, _ = ranker.top_with_parts(rows, k, exclude)
        expected = -np.sort(-scores, axis=1)[:, :k]
        np.testing.assert_array_equal(values, expected)
        np.testing.assert_array_equal(np.take_along_axis(scores, best, 1), expected)
        assert (np.diff(best, axis=1) != 0).all()  # no product twice


def test_variety_gives_way_to_a_dissimilar_product_when_the_penalty_outweighs():
    from analytics.similarity import PairLookup

    # Products 0 and 1 are near twins (cosine 0.9); 2 is unlike both.
    ranker = LearnedRanker("all items", ALL_ITEMS_PARAMS, RankParams(diversity=0.5))
    twins = np.array([[1, 0.9, 0], [0.9, 1, 0], [0, 0, 1]], np.float32)
    ranker.similarity_ = PairLookup(twins)
    best = np.array([[0, 1, 2], [0, 1, 2]])
    values = np.array([[1.0, 0.9, 0.6], [1.0, 0.9, 0.2]], np.float32)
    chosen, scores = ranker._vary(best, values, 2)
    # Row 0: 0.9 - 0.5 · 0.9 = 0.45 < 0.6, so 2 comes second; row 1: 0.45 > 0.2.
    assert chosen.tolist() == [[0, 2], [0, 1]]
    assert scores[0].tolist() == pytest.approx([1.0, 0.6])
    assert scores[1].tolist() == pytest.approx([1.0, 0.45])


def test_lists_with_variety_come_from_the_most_relevant_products():
    params = RankParams(min_samples_leaf=5, max_iter=30, diversity=0.4)
    ranker, p = _fitted(_staples_shop(), "all items", params)
    rows = np.arange(p.shape[0])
    best, values, _ = ranker.top_with_parts(rows, 5)
    pool = np.argsort(-ranker.score(rows), axis=1, kind="stable")[:, :10]
    for row in rows:
        assert len(set(best[row])) == 5 and set(best[row]) <= set(pool[row])
    assert (np.diff(values, axis=1) <= 1e-6).all()  # best first


def test_only_the_all_items_list_is_chosen_for_variety():
    from analytics._reco_rank import ALL_ITEMS_DIVERSITY, rank_params

    assert rank_params("all items").diversity == ALL_ITEMS_DIVERSITY > 0
    assert rank_params("new items").diversity == 0
    assert LearnedRanker("new items", NEW_ITEMS_PARAMS).params.diversity == 0


def test_similarity_is_cosine_dense_or_as_sparse_neighbours(monkeypatch):
    import scipy.sparse as sp

    import analytics.recommenders

    lines = _staples_shop()
    p = purchases_from_lines(lines)
    x = p.binary.toarray()
    norms = np.linalg.norm(x, axis=0)
    expected = (x.T @ x) / np.outer(norms, norms)
    dense = History(lines, p).similarity(p.as_of)
    np.testing.assert_allclose(dense, expected, rtol=1e-5)
    # One limit, asked through recommenders.ease_fits everywhere.
    monkeypatch.setattr(analytics.recommenders, "EASE_MAX_PRODUCTS", 10)
    history = History(lines, p)
    sparse = history.similarity(p.as_of)
    assert sparse is history.cf_weights(p.as_of, NEW_ITEMS_PARAMS)  # the same
    assert sp.issparse(sparse)
    r, c = sparse.nonzero()
    np.testing.assert_allclose(np.asarray(sparse[r, c]).ravel(), expected[r, c], 1e-5)


def test_pair_lookup_of_a_sparse_matrix_equals_fancy_indexing():
    import scipy.sparse as sp

    from analytics.similarity import PairLookup

    m = sp.random(40, 40, density=0.1, format="csr", random_state=0, dtype=np.float32)
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 40, (30, 10)), rng.integers(0, 40, (30, 1))
    expected = m.toarray()[rows, cols]
    np.testing.assert_array_equal(PairLookup(m)(rows, cols), expected)
    np.testing.assert_array_equal(PairLookup(m.toarray())(rows, cols), expected)
    assert (PairLookup(sp.csr_matrix((40, 40)))(rows, cols) == 0).all()
    # A dense block of some products (EASE learnt from them only): the same.
    from analytics.similarity import BlockWeights

    keep = np.arange(0, 40, 3)
    block = BlockWeights(40, keep, m.toarray()[np.ix_(keep, keep)])
    np.testing.assert_array_equal(
        PairLookup(block)(rows, cols), block.toarray()[rows, cols]
    )


def _new_items_ranker(lines):
    from dataclasses import replace

    from analytics._reco_rank import NEW_ITEMS_EASE

    return _fitted(lines, "new items", replace(SMALL, **NEW_ITEMS_EASE))


def test_new_items_features_end_with_the_unfaded_ease_score_its_rank_and_scale():
    from analytics._reco_features import EASE_FEATURES, NEW_ITEMS_FEATURES

    ranker, p = _new_items_ranker(_staples_shop())
    rows = np.arange(p.shape[0])
    r, c, x, parts, _ = ranker.features_.table(rows, "new items", ranker.params)
    assert x.shape[1] == len(NEW_ITEMS_FEATURES) + len(EASE_FEATURES)
    recent = p.ease_columns(NEW_ITEMS_PARAMS.ease_recent_days)
    weights = ease_weights(p.binary, 500.0, columns=recent).toarray()
    raw = np.maximum(p.binary.toarray() @ weights, 0)
    want = raw / np.where(raw.max(axis=1) > 0, raw.max(axis=1), 1)[:, None]
    np.testing.assert_allclose(parts["ease"], want, atol=1e-5)
    ease, rank, score, best = x[:, -4:].T
    np.testing.assert_allclose(ease, want[r, c], atol=1e-5)
    # The score itself and the customer's best score (cut at 0).
    np.testing.assert_allclose(score, raw[r, c], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(best, raw.max(axis=1)[r], rtol=1e-4, atol=1e-5)
    # The rank column: 0 for each customer's best EASE candidate.
    for row in (0, 17):
        mine = r == row
        assert rank[mine][np.argmax(ease[mine])] == 0


def test_the_ease_mix_adds_its_share_of_the_ease_score_to_each_candidate():
    from dataclasses import replace

    ranker, p = _new_items_ranker(_staples_shop())
    rows = np.arange(p.shape[0])
    r, c, mixed, parts, _ = ranker._candidate_scores(rows)
    assert ranker.params.ease_mix > 0 and parts["ease"][r, c].max() > 0
    ranker.params = replace(ranker.params, ease_mix=0.0)
    r0, c0, plain, _, _ = ranker._candidate_scores(rows)
    np.testing.assert_array_equal(r0, r)
    np.testing.assert_array_equal(c0, c)
    np.testing.assert_allclose(mixed - plain, 0.5 * parts["ease"][r, c], atol=1e-6)


def test_the_new_items_ranker_scores_with_ease_on_recent_products():
    from analytics._reco_rank import rank_params
    from analytics.recommenders import BASELINE_VARIANTS

    lam = rank_params("new items").ease_lambda
    assert lam == BASELINE_VARIANTS["new items"]["ease"][0]
    assert rank_params("all items").ease_lambda is None
    lines = _staples_shop()
    p = purchases_from_lines(lines)
    history = History(lines, p)
    ranker = LearnedRanker("new items", NEW_ITEMS_PARAMS).fit(p, history)
    days = NEW_ITEMS_PARAMS.ease_recent_days
    assert ranker.features_.ease is history.ease(p.as_of, lam, NEW_ITEMS_PARAMS)
    # Products unsold for longer neither score nor are scored by it.
    old = np.setdiff1d(np.arange(p.shape[1]), p.ease_columns(days))
    ease = ranker.features_.ease.toarray()
    assert len(old) and not ease[old].any() and not ease[:, old].any()


def test_ease_learns_from_the_most_bought_recent_products_at_most():
    # A by three customers, B by two, C and D by one each; E by two, but 100 days
    # before the end.
    lines = purchase_lines(
        [(1, 1, "A", 100), (1, 1, "B", 100), (2, 2, "A", 101), (2, 2, "C", 101),
         (3, 3, "A", 102), (3, 3, "B", 102), (3, 3, "D", 102), (4, 4, "E", 0),
         (5, 5, "E", 3)]
    )  # fmt: skip
    p = purchases_from_lines(lines)
    assert list(p.stock_codes) == ["A", "B", "C", "D", "E"]
    assert p.ease_columns(None) is None  # every product
    assert p.ease_columns(None, 5) is None
    np.testing.assert_array_equal(p.ease_columns(50), [0, 1, 2, 3])  # not E
    np.testing.assert_array_equal(p.ease_columns(50, 2), [0, 1])
    np.testing.assert_array_equal(p.ease_columns(None, 2), [0, 1])  # B before E
    np.testing.assert_array_equal(p.ease_columns(50, 3), [0, 1, 2])  # C before D
    np.testing.assert_array_equal(p.ease_columns(None, 4), [0, 1, 2, 4])
    # The history's EASE weights and co-purchase weights learn from those only.
    history = History(lines, p)
    params = NEW_ITEMS_PARAMS.with_(ease_recent_days=50.0, ease_products=2)
    w = history.ease(p.as_of, 250.0, params)
    np.testing.assert_array_equal(w.cols, [0, 1])
    np.testing.assert_allclose(w.block, ease_weights(p.binary[:, :2], 250.0), atol=1e-6)
    assert history.cf_weights(p.as_of, params.with_(ease_lambda=250.0)) is w
    assert history.ease(p.as_of, 250.0, params.with_(ease_products=3)) is not w


def test_the_inner_cuts_ease_weights_are_let_go_once_learnt_from():
    from analytics._reco_rank import NEW_ITEMS_EASE

    lines = _staples_shop()
    p = purchases_from_lines(lines)
    history = History(lines, p)
    ranker = LearnedRanker("new items", NEW_ITEMS_PARAMS).fit(p, history)
    lam = NEW_ITEMS_EASE["ease_lambda"]
    kept = {key[1] for key in history._weights if key[0] == "ease" and key[2] == lam}
    assert ranker.training_rows_ > 0 and kept == {p.as_of}


def test_above_the_ease_limit_the_ease_signal_is_the_sparse_neighbours(monkeypatch):
    import scipy.sparse as sp

    import analytics.recommenders

    monkeypatch.setattr(analytics.recommenders, "EASE_MAX_PRODUCTS", 10)
    ranker, p = _new_items_ranker(_staples_shop())
    assert sp.issparse(ranker.features_.ease)
    best = ranker.top(np.arange(p.shape[0]), 5, p.orders)
    assert best.shape == (p.shape[0], 5)
    assert p.orders[np.arange(p.shape[0])[:, None], best].nnz == 0


def test_at_most_max_learners_customers_a_window_train_the_classifier():
    from dataclasses import replace

    from analytics._reco_rank import _draw, rank_params

    learners = np.arange(0, 200, 2)
    drawn = _draw(learners, replace(SMALL, max_learners=30), 0)
    assert len(drawn) == 30 and set(drawn) <= set(learners)
    assert np.all(np.diff(drawn) > 0)  # sorted, no repeats
    again = _draw(learners, replace(SMALL, max_learners=30), 0)
    np.testing.assert_array_equal(drawn, again)  # seeded: the same rows
    assert not np.array_equal(
        drawn, _draw(learners, replace(SMALL, max_learners=30), 1)
    )
    for cap in (None, 100, 500):  # no cap, or one the learners fit under
        np.testing.assert_array_equal(
            _draw(learners, replace(SMALL, max_learners=cap), 0), learners
        )
    # Each window's rows come from at most that many customers: fewer rows, and
    # the same ones every fit.
    lines = _staples_shop()
    full, _ = _fitted(lines, "all items", replace(SMALL, max_learners=None))
    capped, p = _fitted(lines, "all items", replace(SMALL, max_learners=10))
    twice, _ = _fitted(lines, "all items", replace(SMALL, max_learners=10))
    assert 0 < capped.training_rows_ < full.training_rows_
    rows = np.arange(p.shape[0])
    np.testing.assert_array_equal(capped.score(rows), twice.score(rows))
    assert rank_params("all items").max_learners < rank_params("new items").max_learners
