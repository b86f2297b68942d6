"""Offline evaluation of recommenders on a time split (never on training data).

Every recommender is trained on the purchases before the cutoff and scored on what
each customer bought from the cutoff on (customers seen on both sides). Two tasks:

``all items``
    Relevant = every product the customer bought after the cutoff.
``new items``
    Relevant = products bought after the cutoff that the customer had never bought
    before; their own past products are removed from the recommendations too.
    Customers without any new product after the cutoff are left out.

Metrics at k (:mod:`analytics.metrics`), averaged over customers; a product bought
after the cutoff that did not exist before it still counts as relevant, so no
recommender can reach 1.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics import recommenders
from analytics._reco_blend import ALL_ITEMS_PARAMS, NEW_ITEMS_PARAMS, ShopperRecommender
from analytics._reco_data import Purchases, purchases_from_lines
from analytics._reco_history import History, batches
from analytics._reco_rank import TASKS, LearnedRanker
from analytics.cleaning import clean
from analytics.errors import InputError
from analytics.metrics import METRICS, metrics_from_hits
from analytics.recommenders import EASE, ItemKNN, baselines, knn_similarity

DEFAULT_TEST_DAYS = 90  # the bundle's own evaluation: the last 90 days are the test


def time_split(
    lines: pd.DataFrame, cutoff: pd.Timestamp, horizon_days: int | None = None
) -> tuple[Purchases, dict]:
    """Training history before ``cutoff`` and the test truth from it on.

    Returns
    -------
    train : Purchases
        History strictly before the cutoff.
    truth : dict
        ``rows`` (training row of each test customer), ``all`` and ``new`` (sparse
        boolean customers × products of relevant known products), ``n_all`` and
        ``n_new`` (relevant counts, including products unknown before the cutoff),
        ``test_start``, ``test_end``.
    """
    cutoff = pd.Timestamp(cutoff)
    train = purchases_from_lines(lines, cutoff)
    after = lines[lines["invoice_date"] >= cutoff]
    if horizon_days is not None:
        after = after[after["invoice_date"] < cutoff + pd.Timedelta(days=horizon_days)]
    pairs = after[["customer_id", "stock_code"]].drop_duplicates()
    pairs = pairs.assign(row=train.rows_of(pairs["customer_id"]))
    pairs = pairs[pairs["row"] >= 0]
    if pairs.empty:
        raise InputError(
            f"no customer bought both before and after {cutoff.date()}: "
            "choose a cutoff with purchases on both sides"
        )
    test_rows = np.unique(pairs["row"].to_numpy())
    local = np.searchsorted(test_rows, pairs["row"].to_numpy())
    col = train.cols_of(pairs["stock_code"])
    known = col >= 0
    owned = np.zeros(len(pairs), dtype=bool)
    if known.any():  # scipy answers an empty lookup with a sparse matrix
        owned[known] = (
            np.asarray(train.orders[test_rows[local[known]], col[known]]).ravel() > 0
        )
    shape = (len(test_rows), train.shape[1])

    def matrix(mask):
        ones = np.ones(int(mask.sum()), dtype=bool)
        return sp.csr_matrix((ones, (local[mask], col[mask])), shape=shape)

    return train, {
        "rows": test_rows,
        "all": matrix(known),
        "new": matrix(known & ~owned),
        "n_all": np.bincount(local, minlength=len(test_rows)),
        "n_new": np.bincount(local[~owned], minlength=len(test_rows)),
        "test_start": cutoff,
        "test_end": after["invoice_date"].max(),
    }


def score_task(
    model, train: Purchases, truth: dict, task: str, k: int = 5, keep_hits=False
) -> dict:
    """Metrics of a fitted ``model`` on one task of a :func:`time_split` (with
    ``keep_hits``, also its ``hits`` matrix and the customers' ``n_relevant``)."""
    key, n_key = ("all", "n_all") if task == "all items" else ("new", "n_new")
    keep = np.flatnonzero(truth[n_key] > 0)
    hits = np.zeros((len(keep), k), dtype=bool)
    for batch in batches(len(keep), train.shape[1]):
        idx = keep[batch]
        rows = truth["rows"][idx]
        exclude = train.orders[rows] if task == "new items" else None
        best = model.top(rows, k, exclude)
        rel = truth[key][idx]
        # A shop with fewer than k products fills fewer slots: the rest are misses.
        hits[batch, : best.shape[1]] = np.asarray(
            rel[np.arange(len(idx))[:, None], best].todense(), dtype=bool
        )
    out = metrics_from_hits(hits, truth[n_key][keep])
    out["customers"] = len(keep)
    if keep_hits:
        out["hits"], out["n_relevant"] = hits, truth[n_key][keep]
    return out


def project_models() -> dict[str, LearnedRanker]:
    """The project's recommender per task (the bundle serves these same models)."""
    return {
        "all items": LearnedRanker("all items", ALL_ITEMS_PARAMS),
        "new items": LearnedRanker("new items", NEW_ITEMS_PARAMS),
    }


class _SharedFits:
    """Fits recommenders on one training history, computing each expensive
    ingredient once (through :class:`~analytics._reco_rank.History`): the Gram
    matrix, EASE weights per λ and products (the project's learn from recent
    products only: not the EASE baselines' matrices), the histories at the
    rankers' inner cuts and the cosine similarity of the item-kNN variants.
    Results equal separate fits."""

    def __init__(self, train: Purchases, history: History):
        self.train, self.history = train, history
        self._knn = None

    def fit(self, model):
        train, history = self.train, self.history
        if isinstance(model, LearnedRanker):
            return model.fit(train, history)
        if isinstance(model, ShopperRecommender):
            weights = history.cf_weights(train.as_of, model.params)
            return model.fit(train, cf_weights=weights)
        if isinstance(model, EASE):
            return model.fit(train, weights=history.ease(train.as_of, model.lam))
        if isinstance(model, ItemKNN):
            if self._knn is None:
                self._knn = knn_similarity(train)
            return model.fit(train, similarity=self._knn)
        return model.fit(train)


def evaluate_recommenders(
    lines: pd.DataFrame,
    cutoff: pd.Timestamp,
    k: int = 5,
    horizon_days: int | None = None,
    seed: int = 0,
    hits: dict | None = None,
) -> pd.DataFrame:
    """Train every recommender before ``cutoff``; score it on purchases from then on.

    Parameters
    ----------
    lines : DataFrame
        Cleaned lines (``contract.LINE_COLUMNS``); from raw rows, those of
        :func:`lines_at_cutoff`, so that no return made after the cutoff is
        netted in training.
    cutoff : Timestamp
        First moment of the test period.
    k : int
        List length (the contract's columns say 5; other k fill the same columns).
    horizon_days : int, optional
        Test on this many days after the cutoff only (default: all that follows).
    seed : int
        Kept for the command line's signature; every recommender is deterministic.
    hits : dict, optional
        Filled with ``(task, method) → (hits, n_relevant)``: each test customer's
        hits at 1…k and number of relevant products (for
        :func:`analytics.metrics.lead_intervals`).

    Returns
    -------
    DataFrame
        Contract ``evaluation`` columns plus ``cutoff``, ``test_end``, ``k``,
        ``train_customers``, ``train_products`` and ``seconds`` (fit + score; a
        fit shared with an earlier row, see :class:`_SharedFits`, costs only once).
    """
    # Deterministic without a seed. Ties: the project's lists break them by product
    # order; so do the baselines' (``similarity.top_k_rows``: the lowest column).
    del seed
    train, truth = time_split(lines, cutoff, horizon_days)
    rows = []
    history = History(lines[lines["invoice_date"] < train.as_of], train)
    fitted, shared = {}, _SharedFits(train, history)
    for task in TASKS:
        models = baselines(task, train.shape[1]) + [project_models()[task]]
        for model in models:
            start = time.perf_counter()
            # One fit per distinct model (a baseline may serve both tasks; the
            # project's rankers are per task).
            key = (
                model.name,
                getattr(model, "variant", None),
                getattr(model, "params", None),
                getattr(model, "task", None),
            )
            if key not in fitted:
                fitted[key] = shared.fit(model)
            result = score_task(fitted[key], train, truth, task, k, hits is not None)
            if hits is not None:
                hits[(task, model.name)] = (
                    result.pop("hits"),
                    result.pop("n_relevant"),
                )
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "task": task,
                    "method": model.name,
                    "variant": getattr(model, "variant", ""),
                    **result,
                    "seconds": seconds,
                }
            )
    table = pd.DataFrame(rows)
    table["cutoff"] = pd.Timestamp(cutoff)
    table["test_end"] = truth["test_end"]
    table["k"] = k
    table["train_customers"] = train.shape[0]
    table["train_products"] = train.shape[1]
    table["customers"] = table["customers"].astype("int64")
    return table


def lines_at_cutoff(
    frame: pd.DataFrame,
    overlap_rows: int,
    cutoff: pd.Timestamp,
    lines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cleaned lines as an evaluation at ``cutoff`` must see them.

    Before the cutoff, as a build on that day cleans ``frame`` (the raw rows):
    a cancellation made after the cutoff does not take back an earlier order,
    so training never learns of a return to come. From the cutoff on, as cleaned
    with everything (``lines``, when already cleaned): what the customer kept.
    Raises InputError when nothing is left before the cutoff.
    """
    cutoff = pd.Timestamp(cutoff)
    before = clean(frame, overlap_rows, until=cutoff)[0]
    if lines is None:
        lines = clean(frame, overlap_rows)[0]
    after = lines[lines["invoice_date"] >= cutoff]
    return pd.concat([before, after], ignore_index=True)


def bundle_cutoff(
    lines: pd.DataFrame, test_days: int = DEFAULT_TEST_DAYS
) -> pd.Timestamp:
    """Where the bundle's own evaluation starts testing: ``test_days`` before the
    day after the last sale."""
    last = lines["invoice_date"].max().normalize() + pd.Timedelta(days=1)
    return last - pd.Timedelta(days=test_days)


def evaluate_for_bundle(
    lines: pd.DataFrame, test_days: int = DEFAULT_TEST_DAYS, hits: dict | None = None
) -> pd.DataFrame | None:
    """The bundle's own evaluation: trained before the last ``test_days`` days of
    ``lines`` (:func:`bundle_cutoff`), tested on them. None when no customer
    bought on both sides (too little data to evaluate); the bundle then simply has
    no evaluation table. ``lines``: from raw rows, those of
    :func:`lines_at_cutoff` at that cutoff. ``hits``: as in
    :func:`evaluate_recommenders`."""
    try:
        return evaluate_recommenders(lines, bundle_cutoff(lines, test_days), hits=hits)
    except InputError:
        return None


def format_evaluation(table: pd.DataFrame) -> str:
    """A plain-text table for the command line; ``*`` marks each task's best value
    per metric (ties all marked)."""
    cutoff = pd.Timestamp(table["cutoff"].iloc[0]).date()
    end = pd.Timestamp(table["test_end"].iloc[0]).date()
    out = [f"trained before {cutoff}, tested on {cutoff} … {end}"]
    header = f"{'method':<20}" + "".join(f"{m[:-5]:>12}" for m in METRICS)
    for task, group in table.groupby("task", sort=False):
        n = int(group["customers"].iloc[0])
        if n == 0:  # its metrics are NaN: say why instead of printing them
            what = "a product new to them" if task == "new items" else "anything"
            out += ["", f"{task}: nothing to score (no test customer bought {what})"]
            continue
        out += ["", f"{task} ({n:,} customers, k = {int(group['k'].iloc[0])})", header]
        best = group[METRICS].round(4).max()
        for _, r in group.iterrows():
            cells = "".join(
                f"{r[m]:>11.4f}" + ("*" if round(r[m], 4) == best[m] else " ")
                for m in METRICS
            )
            out.append(f"{r['method']:<20}" + cells)
    if (table["customers"] > 0).any():
        out += ["", "* best of the task's methods on that metric (ties all marked)"]
    products = int(table["train_products"].iloc[0])
    if "EASE" not in set(table["method"]) and not recommenders.ease_fits(products):
        limit = recommenders.EASE_MAX_PRODUCTS
        out += [
            "",
            f"EASE left out: {products:,} products, above the {limit:,} its dense "
            "products × products inverse allows",
        ]
    return "\n".join(out)
