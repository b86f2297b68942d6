"""Ranking metrics by hand, the time split, and the evaluation on real data."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from helpers import purchase_line, purchase_lines, requires_shared_data

from analytics.contract import TABLES
from analytics.errors import InputError
from analytics.evaluation import (
    evaluate_for_bundle,
    evaluate_recommenders,
    format_evaluation,
    time_split,
)
from analytics.metrics import metrics_from_hits, ranking_metrics
from analytics.recommenders import top_k


def test_metrics_match_hand_computed_values():
    recommended = [["a", "b", "c", "d", "e"], ["p", "q", "r", "s", "t"]]
    relevant = [{"a", "c", "x"}, {"z"}]
    m = ranking_metrics(recommended, relevant, k=5)
    # Customer 1: hits at ranks 1 and 3 of 3 relevant; customer 2: nothing.
    ap1 = (1 / 1 + 2 / 3) / 3
    dcg1 = 1 + 1 / np.log2(4)
    idcg1 = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert m["precision_at_5"] == pytest.approx((2 / 5 + 0) / 2)
    assert m["recall_at_5"] == pytest.approx((2 / 3 + 0) / 2)
    assert m["map_at_5"] == pytest.approx(ap1 / 2)
    assert m["ndcg_at_5"] == pytest.approx(dcg1 / idcg1 / 2)
    assert m["hit_rate_at_5"] == pytest.approx(0.5)


def test_perfect_lists_score_one_and_many_relevant_items_cap_the_ideal():
    m = ranking_metrics([["a", "b"]], [{"a", "b"}], k=2)
    assert all(v == pytest.approx(1.0) for v in m.values())
    # Ten relevant items, five hits: precision, MAP and NDCG are 1, recall 1/2.
    m = ranking_metrics([list("abcde")], [set("abcdefghij")], k=5)
    assert m["precision_at_5"] == m["map_at_5"] == pytest.approx(1.0)
    assert m["ndcg_at_5"] == pytest.approx(1.0)
    assert m["recall_at_5"] == pytest.approx(0.5)


def test_vectorised_metrics_equal_the_list_version():
    rng = np.random.default_rng(1)
    recs = [list(rng.choice(20, 5, replace=False)) for _ in range(50)]
    rels = [set(rng.choice(20, rng.integers(1, 8), replace=False)) for _ in range(50)]
    hits = np.array(
        [[i in rel for i in rec] for rec, rel in zip(recs, rels, strict=True)]
    )
    by_hits = metrics_from_hits(hits, [len(r) for r in rels])
    assert by_hits == pytest.approx(ranking_metrics(recs, rels))


def test_metrics_refuse_customers_without_relevant_items():
    with pytest.raises(ValueError, match="relevant"):
        metrics_from_hits(np.zeros((1, 5), bool), [0])


def test_top_k_orders_best_first_and_excludes():
    scores = np.array([[0.1, 0.9, 0.5, 0.7]], dtype=np.float32)
    assert list(top_k(scores, 2)[0]) == [1, 3]
    exclude = sp.csr_matrix(np.array([[0, 1, 0, 0]]))
    assert list(top_k(scores, 2, exclude)[0]) == [3, 2]


def _shop(customers=60, seed=0):
    """Pairs of products bought together; customers keep reordering their pair."""
    rng = np.random.default_rng(seed)
    rows, invoice = [], 1000
    for c in range(customers):
        pair = c % 6
        for day in sorted(rng.choice(120, 6, replace=False)):
            invoice += 1
            for code in (f"{pair}A", f"{pair}B", f"9{rng.integers(0, 9)}Z"):
                if rng.random() < 0.8:
                    rows.append(purchase_line(invoice, 100 + c, code, int(day)))
    return pd.DataFrame(rows)


def test_time_split_never_leaks_the_test_period():
    lines = _shop()
    cutoff = pd.Timestamp("2011-03-01")
    train, truth = time_split(lines, cutoff)
    assert train.as_of == cutoff
    before = lines[lines["invoice_date"] < cutoff]
    assert (
        train.orders.sum()
        == before.drop_duplicates(["customer_id", "stock_code", "invoice"]).shape[0]
    )
    # "new" truth holds no product the customer bought before the cutoff.
    owned = train.orders[truth["rows"]].toarray() > 0
    assert not (truth["new"].toarray() & owned).any()
    assert (truth["n_new"] <= truth["n_all"]).all()


def test_evaluation_table_follows_the_contract():
    table = evaluate_recommenders(_shop(), pd.Timestamp("2011-03-01"))
    assert set(TABLES["evaluation"]) <= set(table.columns)
    assert set(table["task"]) == {"all items", "new items"}
    methods = {"popularity", "own reorders", "item-kNN cosine", "EASE"}
    assert methods | {"shopper (project)"} == set(table["method"])
    metrics = table[TABLES["evaluation"][2:7]]
    assert ((metrics >= 0) & (metrics <= 1)).all().all()
    text = format_evaluation(table)
    assert "new items" in text and "shopper (project)" in text
    assert "left out" not in text
    # With own products excluded, own reorders is popularity: its row says so.
    own = table[table["method"] == "own reorders"].set_index("task")
    popular = table[table["method"] == "popularity"].set_index("task")
    assert own.loc["all items", "variant"] == "orders, then popularity"
    assert "popularity" in own.loc["new items", "variant"]
    metric_names = TABLES["evaluation"][2:7]
    assert (
        own.loc["new items", metric_names] == popular.loc["new items", metric_names]
    ).all()


def test_a_task_without_test_customers_is_said_not_printed_as_nan():
    table = evaluate_recommenders(_shop(), pd.Timestamp("2011-03-01"))
    new = table["task"] == "new items"
    table.loc[new, "customers"] = 0
    table.loc[new, TABLES["evaluation"][2:7]] = float("nan")
    text = format_evaluation(table)
    assert "new items: nothing to score (no test customer bought a product new" in text
    assert "nan" not in text and "all items (" in text


def test_above_the_ease_limit_the_evaluation_runs_without_the_ease_baseline(
    monkeypatch,
):
    # A catalogue too large for EASE's dense inverse (here: more than 3 products)
    # is still evaluated, against the other baselines, and the table says why.
    import analytics.recommenders

    monkeypatch.setattr(analytics.recommenders, "EASE_MAX_PRODUCTS", 3)
    table = evaluate_recommenders(_shop(), pd.Timestamp("2011-03-01"))
    methods = {"popularity", "own reorders", "item-kNN cosine", "shopper (project)"}
    assert set(table["method"]) == methods
    products = int(table["train_products"].iloc[0])
    assert products > 3
    assert f"EASE left out: {products:,} products, above the 3" in format_evaluation(
        table
    )


def test_above_the_ease_limit_item_knn_keeps_each_products_nearest(monkeypatch):
    # Memory must not grow with every co-purchased pair of a huge catalogue: each
    # product keeps its KNN_NEIGHBOURS best cosines (here 3 of 11 products).
    import analytics.recommenders as rec
    from analytics._reco_data import purchases_from_lines
    from analytics.similarity import cosine_matrix

    p = purchases_from_lines(_shop(), pd.Timestamp("2011-03-01"))
    full = cosine_matrix(p.binary).toarray()
    monkeypatch.setattr(rec, "EASE_MAX_PRODUCTS", 3)
    monkeypatch.setattr(rec, "KNN_NEIGHBOURS", 3)
    kept = rec.knn_similarity(p)
    assert sp.issparse(kept) and p.shape[1] > 3
    per_row = np.diff(kept.indptr)
    assert per_row.max() == 3
    for i in range(p.shape[1]):
        best = np.sort(full[i])[::-1][: per_row[i]]
        np.testing.assert_allclose(np.sort(kept[i].data)[::-1], best, rtol=1e-6)
        assert per_row[i] == min(3, np.count_nonzero(full[i]))
    s = rec.ItemKNN().fit(p, similarity=kept).score(np.arange(p.shape[0]))
    assert s.shape == p.shape


@requires_shared_data
@pytest.mark.integration
def test_project_recommender_beats_popularity_on_online_retail(
    online_retail_raw, online_retail_lines
):
    from analytics.evaluation import lines_at_cutoff

    cutoff = pd.Timestamp("2011-09-01")
    lines = lines_at_cutoff(*online_retail_raw, cutoff, online_retail_lines)
    table = evaluate_recommenders(lines, cutoff)
    p = table.set_index(["task", "method"])["precision_at_5"]
    for task in ("all items", "new items"):
        assert p[(task, "shopper (project)")] > p[(task, "popularity")] + 0.05
    assert table["customers"].min() > 1500


def test_a_cutoff_without_customers_on_both_sides_is_a_clear_error():
    lines = _shop()
    with pytest.raises(InputError, match="both before and after"):
        time_split(lines, lines["invoice_date"].max() + pd.Timedelta(days=1))
    with pytest.raises(InputError, match="no purchases before"):
        time_split(lines, lines["invoice_date"].min())


def test_a_test_period_of_products_unknown_before_the_cutoff_splits():
    # Every product bought after the cutoff is new to the catalogue: scipy
    # answered the empty "did they own it" lookup with a sparse matrix, and the
    # evaluate command printed a traceback.
    lines = purchase_lines([(1, 7, "A", 0), (2, 7, "B", 5), (3, 7, "C", 6)])
    train, truth = time_split(lines, pd.Timestamp("2011-01-02"))
    assert train.shape == (1, 1)
    assert list(truth["n_all"]) == [2] and list(truth["n_new"]) == [2]
    assert truth["all"].nnz == 0  # neither can be recommended: both unknown


def test_bundle_evaluation_tests_on_the_last_90_days():
    lines = _shop()
    table = evaluate_for_bundle(lines)
    last = lines["invoice_date"].max().normalize() + pd.Timedelta(days=1)
    assert (table["cutoff"] == last - pd.Timedelta(days=90)).all()
    assert len(table) == 10


def test_baselines_rank_what_they_promise():
    from analytics._reco_data import purchases_from_lines
    from analytics.recommenders import EASE, ItemKNN, OwnReorders, Popularity

    rows = [(1, 1, "A", 0), (2, 1, "A", 5), (2, 1, "B", 5), (3, 2, "A", 1)]
    rows += [(4, 2, "B", 2), (5, 3, "A", 3), (5, 3, "B", 3), (6, 4, "C", 4)]
    lines = purchase_lines(rows)
    p = purchases_from_lines(lines)
    everyone = np.arange(p.shape[0])
    codes = list(p.stock_codes)
    # A: 3 customers, B: 3, C: 1 → C last for everyone.
    pop = Popularity().fit(p).score(everyone)
    assert (pop[:, codes.index("C")] < pop[:, codes.index("A")]).all()
    # Customer 1 bought A twice, B once: A first, then B, then the rest.
    own = OwnReorders().fit(p).score(everyone)[0]
    assert list(np.argsort(-own)[:2]) == [codes.index("A"), codes.index("B")]
    # Customer 4 bought only C, never bought with anything: no co-purchase signal;
    # customer 2 bought B (always with A for others) → A scores above C.
    for model in (ItemKNN(), EASE(10.0)):
        s = model.fit(p).score(everyone)
        row = int(np.flatnonzero(p.customer_ids == 2)[0])
        assert s[row, codes.index("A")] > s[row, codes.index("C")]


def test_shared_fits_score_exactly_like_separate_fits():
    from analytics._reco_data import purchases_from_lines
    from analytics._reco_history import History
    from analytics._reco_rank import LearnedRanker
    from analytics.evaluation import TASKS, _SharedFits, project_models
    from analytics.recommenders import baselines

    lines = _shop()
    p = purchases_from_lines(lines, pd.Timestamp("2011-03-01"))
    rows = np.arange(p.shape[0])
    shared = _SharedFits(p, History(lines, p))
    for task in TASKS:
        for model, fresh in zip(
            baselines(task) + [project_models()[task]],
            baselines(task) + [project_models()[task]],
            strict=True,
        ):
            if isinstance(fresh, LearnedRanker):
                fresh.fit(p, History(lines, p))
            else:
                fresh.fit(p)
            np.testing.assert_array_equal(
                shared.fit(model).score(rows), fresh.score(rows)
            )


def test_each_task_is_scored_with_its_own_project_model():
    from analytics._reco_history import History
    from analytics.evaluation import TASKS, project_models, score_task

    lines, cutoff = _shop(), pd.Timestamp("2011-03-01")
    table = evaluate_recommenders(lines, cutoff).set_index(["task", "method"])
    train, truth = time_split(lines, cutoff)
    history = History(lines[lines["invoice_date"] < cutoff], train)
    for task in TASKS:
        model = project_models()[task].fit(train, history)
        expected = score_task(model, train, truth, task)
        got = table.loc[(task, "shopper (project)")]
        for metric in ("precision_at_5", "recall_at_5", "hit_rate_at_5"):
            assert got[metric] == pytest.approx(expected[metric])


def test_ease_weights_match_the_textbook_formula():
    from analytics.recommenders import _mirror_lower, ease_weights, gram_matrix

    rng = np.random.default_rng(0)
    x = sp.csr_matrix((rng.random((40, 9)) < 0.3).astype(np.float32))
    gram = x.T.toarray() @ x.toarray() + 5.0 * np.eye(9)
    inv = np.linalg.inv(gram)
    expected = np.eye(9) - inv / np.diag(inv)
    np.testing.assert_allclose(ease_weights(x, 5.0), expected, atol=1e-5)
    # A shared Gram matrix gives the same weights and is left untouched.
    g = gram_matrix(x)
    before = g.copy()
    np.testing.assert_array_equal(ease_weights(x, 5.0, g), ease_weights(x, 5.0))
    np.testing.assert_array_equal(g, before)
    # Mirroring in blocks smaller than the matrix.
    a = np.tril(rng.random((7, 7)).astype(np.float32))
    lower = a.copy()
    _mirror_lower(a, block=3)
    np.testing.assert_array_equal(np.tril(a), lower)
    np.testing.assert_array_equal(a, a.T)


def test_ease_weights_on_some_products_leave_the_others_out():
    from analytics.recommenders import ease_weights, gram_matrix

    rng = np.random.default_rng(2)
    x = sp.csr_matrix((rng.random((60, 8)) < 0.4).astype(np.float32))
    keep = np.array([0, 2, 3, 6])
    got = ease_weights(x, 5.0, columns=keep)
    assert got.shape == (8, 8)
    # From the Gram matrix of those products alone: the same, bit for bit (and
    # of every product, without columns, as from the whole Gram matrix).
    g = gram_matrix(x[:, keep])
    again = ease_weights(x, 5.0, columns=keep, column_gram=g)
    np.testing.assert_array_equal(again.block, got.block)
    np.testing.assert_array_equal(g, gram_matrix(x[:, keep]))  # left as it was
    np.testing.assert_array_equal(
        ease_weights(x, 5.0, column_gram=gram_matrix(x)), ease_weights(x, 5.0)
    )
    np.testing.assert_allclose(got.block, ease_weights(x[:, keep], 5.0), atol=1e-6)
    dense = got.toarray()
    np.testing.assert_array_equal(dense[np.ix_(keep, keep)], got.block)
    others = np.setdiff1d(np.arange(8), keep)
    assert not dense[others].any() and not dense[:, others].any()
    # From the whole history's Gram matrix: the same weights.
    np.testing.assert_allclose(
        ease_weights(x, 5.0, gram_matrix(x), keep).toarray(), dense, atol=1e-6
    )
    # One product: nothing else to learn from; none (nothing sold lately): zeros.
    assert not ease_weights(x, 5.0, columns=np.array([3])).toarray().any()
    empty = ease_weights(x, 5.0, columns=np.array([], np.int64))
    assert empty.shape == (8, 8) and not empty.toarray().any()
    # Products times them: as times the whole matrix, bit for bit (the terms left
    # out are all 0), and so are their values at any pairs.
    from analytics.similarity import rows_times

    rows = sp.csr_matrix(rng.random((5, 8)) * (rng.random((5, 8)) < 0.5))
    for w in (got, empty):
        product = rows_times(rows, w)
        np.testing.assert_array_equal(product, rows_times(rows, w.toarray()))
        np.testing.assert_allclose(product, rows.toarray() @ w.toarray(), rtol=1e-6)
    i, j = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    np.testing.assert_array_equal(got.pairs(i, j), dense)
    np.testing.assert_array_equal(got.pairs(i[:, :1], j[:1]), dense)
    assert empty.pairs(i, j).shape == (8, 8) and not empty.pairs(i, j).any()


@pytest.mark.parametrize("customers", [40, 100_000])
def test_gram_matrix_counts_shared_customers_in_every_block(customers):
    from analytics.recommenders import gram_matrix

    # 600 products: blocks of 256 (40 customers) or 41 (100,000), the last partial.
    rng = np.random.default_rng(1)
    x = sp.random(customers, 600, density=0.02, format="csr", random_state=rng)
    x.data[:] = 1.0
    x = x.astype(np.float32)
    got = gram_matrix(x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, (x.T @ x).toarray())


def test_maximin_margin_is_the_worst_relative_margin_over_the_best_baseline():
    from analytics._reco_tune import best_per_metric, maximin_margin
    from analytics.metrics import METRICS

    a = dict(zip(METRICS, [0.30, 0.10, 0.20, 0.40, 0.70], strict=True))
    b = dict(zip(METRICS, [0.20, 0.12, 0.25, 0.30, 0.60], strict=True))
    best = best_per_metric([a, b])
    assert best == dict(zip(METRICS, [0.30, 0.12, 0.25, 0.40, 0.70], strict=True))
    # 10 % above every best value, except recall: 0.126 / 0.12 - 1 = +5 %.
    project = {m: v * 1.1 for m, v in best.items()} | {"recall_at_5": 0.126}
    assert maximin_margin(project, best) == pytest.approx(0.05)
    # Losing any one metric makes the objective negative.
    assert maximin_margin(project | {"hit_rate_at_5": 0.63}, best) < 0


def test_training_never_sees_a_return_made_after_the_cutoff():
    from helpers import raw_rows

    from analytics.cleaning import clean
    from analytics.evaluation import lines_at_cutoff
    from analytics.ingest import normalise

    def row(invoice, code, qty, when, customer=1.0):
        ts = pd.Timestamp(when)
        return (invoice, code, "THING", qty, ts, 2.0, customer, "France")

    raw = normalise(
        raw_rows(
            [
                row("1", "22423", 6, "2011-02-01"),
                row("2", "85123A", 3, "2011-02-02"),
                row("3", "85123A", 4, "2011-03-05"),
                row("C4", "22423", -6, "2011-03-10"),  # a return after the cutoff
            ]
        ),
        "t.csv",
        2,
    )
    cutoff = pd.Timestamp("2011-03-01")
    lines = clean(raw)[0]
    assert "22423" not in set(lines["stock_code"])  # the bundle: netted
    seen = lines_at_cutoff(raw, 0, cutoff, lines)
    before = seen[seen["invoice_date"] < cutoff]
    assert before["stock_code"].tolist() == ["22423", "85123A"]
    assert before["quantity"].tolist() == [6, 3]
    after = seen[seen["invoice_date"] >= cutoff]
    assert after["invoice"].tolist() == ["3"]
    pd.testing.assert_frame_equal(lines_at_cutoff(raw, 0, cutoff), seen)


def test_above_the_ease_limit_the_tuning_compares_with_the_other_baselines(
    monkeypatch,
):
    # The validation tools run on a catalogue too large for EASE (here: more than
    # 3 products) and compare against the baselines the evaluation would use.
    import analytics.recommenders
    from analytics._reco_blend import NEW_ITEMS_PARAMS, ShopperRecommender
    from analytics._reco_tune import tune_baselines, tune_blend, validation_table

    monkeypatch.setattr(analytics.recommenders, "EASE_MAX_PRODUCTS", 3)
    cutoff = pd.Timestamp("2011-03-01")
    split = (_shop(), cutoff, 60)
    table = validation_table(
        [split], {"new items": [lambda: ShopperRecommender(NEW_ITEMS_PARAMS)]}
    )
    assert "EASE" not in set(table["method"])
    assert {"popularity", "item-kNN cosine", "shopper"} <= set(table["method"])
    assert table["objective"].notna().any()
    assert set(tune_baselines(*split, log=lambda *_: None)["method"]) == {
        "item-kNN cosine"
    }
    # The blend's search too: its co-purchase weights are the sparse neighbours.
    _, trials = tune_blend(
        [split], "new items", rounds=1, grid={"w_cf": [0.2]}, log=lambda *_: None
    )
    assert len(trials) == 2 and trials["objective"].notna().all()
