"""Hyper-parameter search on validation splits (run by ``benchmarks/recommend.py``).

Only ever called with validation cutoffs that end before the test period; the
chosen values are then written into the module defaults by hand, with a comment.

The goal is to beat every baseline on every metric, so the search maximises the
worst relative margin (:func:`maximin_margin`): for each metric, the project's
value over the best baseline's value minus one; the objective is the smallest of
the five. Metrics are averaged over the validation splits first.
"""

from __future__ import annotations

import pandas as pd

from analytics import recommenders
from analytics._reco_blend import BlendParams, ShopperRecommender
from analytics._reco_history import History
from analytics.evaluation import METRICS, _SharedFits, score_task, time_split
from analytics.recommenders import EASE, ItemKNN, baselines

# Candidate values per parameter, searched one parameter at a time.
GRID: dict[str, list] = {
    "w_own": [0.0, 0.5, 1.0, 2.0, 4.0],
    "w_cf": [0.0, 0.1, 0.25, 0.5, 1.0, 2.0],
    "w_trend": [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8],
    "own_half_life": [15.0, 30.0, 60.0, 120.0, 240.0, 1e6],
    "own_share_power": [0.25, 0.5, 1.0, 1.5],
    "own_orders_boost": [0.0, 0.1, 0.25, 0.5, 1.0],
    "cf_half_life": [15.0, 30.0, 60.0, 120.0, 240.0, 1e6],
    "cf_orders_power": [0.0, 0.25, 0.5, 1.0],
    "trend_half_life": [7.0, 15.0, 30.0, 60.0, 120.0],
    "country_share": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
    "w_adopt": [0.0, 0.05, 0.1, 0.2],
    "adopt_half_life": [5.0, 10.0, 20.0, 40.0],
    "stale_days": [14.0, 30.0, 60.0, 1e6],
    "stale_factor": [0.0, 0.1, 0.3, 0.6],
    "ease_lambda": [50.0, 100.0, 250.0, 500.0, 1000.0],
    "own_pin_share": [None, 0.1, 0.2, 0.3, 0.5, 0.7],
}
FIXED_FOR_NEW_ITEMS = {
    "w_own",
    "own_half_life",
    "own_share_power",
    "own_orders_boost",
    "own_pin_share",
}


def objective(result: dict) -> float:
    """Ranking quality of one variant: precision@5 plus NDCG@5 (used to choose each
    baseline's variant, where there is no other method to compare against)."""
    return result["precision_at_5"] + result["ndcg_at_5"]


def best_per_metric(results: list[dict]) -> dict[str, float]:
    """The best value of each metric over several methods' results."""
    return {m: max(r[m] for r in results) for m in METRICS}


def maximin_margin(result: dict, best_baseline: dict) -> float:
    """The smallest relative margin over the best baseline, across the metrics:
    ``min_m result[m] / best_baseline[m] - 1`` (> 0: beats every baseline on every
    metric)."""
    return min(result[m] / max(best_baseline[m], 1e-12) - 1.0 for m in METRICS)


def _mean(results: list[dict]) -> dict[str, float]:
    return {m: sum(r[m] for r in results) / len(results) for m in METRICS}


def tune_blend(
    splits: list[tuple[pd.DataFrame, pd.Timestamp, int]],
    task: str,
    start: BlendParams | None = None,
    rounds: int = 2,
    grid: dict[str, list] | None = None,
    log=print,
) -> tuple[BlendParams, pd.DataFrame]:
    """Coordinate search of :class:`BlendParams` on validation splits.

    Parameters
    ----------
    splits : list of (lines, cutoff, horizon_days)
        Validation splits; metrics are averaged over them.
    task : {"all items", "new items"}

    Returns the best parameters and every trial (parameters, metrics, objective =
    :func:`maximin_margin` over the task's baselines, each metric's best).
    """
    prepared = [time_split(lines, cutoff, horizon) for lines, cutoff, horizon in splits]
    # Each split's Gram matrix, EASE and co-purchase weights per λ and products,
    # computed once for the baselines and every trial, as the evaluation does.
    histories = [History(None, train) for train, _ in prepared]
    trials: list[dict] = []
    grid = grid or GRID
    per_split = []
    for (train, truth), history in zip(prepared, histories, strict=True):
        shared = _SharedFits(train, history)
        fitted = [shared.fit(m) for m in baselines(task, train.shape[1])]
        per_split.append(
            best_per_metric([score_task(model, train, truth, task) for model in fitted])
        )
    target = _mean(per_split)
    log(
        "  best baseline per metric: "
        + ", ".join(f"{m[:-5]} {v:.4f}" for m, v in target.items())
    )

    def run(params: BlendParams) -> float:
        results = []
        for (train, truth), history in zip(prepared, histories, strict=True):
            weights = history.cf_weights(train.as_of, params)
            model = ShopperRecommender(params).fit(train, cf_weights=weights)
            results.append(score_task(model, train, truth, task))
        mean = _mean(results)
        value = maximin_margin(mean, target)
        trials.append({**params.to_dict(), **mean, "objective": value})
        return value

    best = start or BlendParams(w_own=0.0 if task == "new items" else 1.0)
    best_value = run(best)
    for round_ in range(rounds):
        improved = False
        for name, values in grid.items():
            if task == "new items" and name in FIXED_FOR_NEW_ITEMS:
                continue
            for value in values:
                if value == getattr(best, name):
                    continue
                candidate = best.with_(**{name: value})
                value_ = run(candidate)
                if value_ > best_value + 1e-6:
                    best, best_value, improved = candidate, value_, True
            log(
                f"  round {round_ + 1} {name:<16} -> {getattr(best, name)!s:<8} "
                f"objective {best_value:+.4f}"
            )
        if not improved:
            break
    return best, pd.DataFrame(trials)


def tune_baselines(
    lines: pd.DataFrame, cutoff: pd.Timestamp, horizon_days: int, log=print
) -> pd.DataFrame:
    """Validation metrics of each baseline variant (EASE λ, kNN input weighting)."""
    train, truth = time_split(lines, cutoff, horizon_days)
    rows = []
    variants = [ItemKNN(w, s) for w in ("binary", "orders") for s in (False, True)]
    if recommenders.ease_fits(train.shape[1]):
        variants += [
            EASE(lam, w) for lam in GRID["ease_lambda"] for w in ("binary", "log")
        ]
    for model in variants:
        model.fit(train)
        for task in ("all items", "new items"):
            result = score_task(model, train, truth, task)
            rows.append(
                {
                    "method": model.name,
                    "variant": model.variant,
                    "task": task,
                    **result,
                    "objective": objective(result),
                }
            )
            log(
                f"  {model.name:<16} {model.variant:<24} {task:<10} "
                f"P@5 {result['precision_at_5']:.4f}"
            )
    return pd.DataFrame(rows)


def validation_table(
    splits: list[tuple[pd.DataFrame, pd.Timestamp, int]],
    projects: dict[str, list],
) -> pd.DataFrame:
    """Metrics averaged over the validation splits: every baseline and the project's
    candidates (``projects``: per task, functions returning a fresh model; the first
    is the project's recommender, the others are shown for comparison), with the
    project's relative margin over the best baseline per metric (``method ==
    "margin"``), its maximin objective and ``worst_split``: the smallest margin
    over the best baseline of any one split on any one metric (an average over
    the splits can hide a split that is lost)."""
    from analytics._reco_history import History
    from analytics.evaluation import _SharedFits

    results: dict[tuple[str, str], list[dict]] = {}
    for lines, cutoff, horizon in splits:
        train, truth = time_split(lines, cutoff, horizon)
        history = History(lines[lines["invoice_date"] < train.as_of], train)
        shared = _SharedFits(train, history)
        for task, makers in projects.items():
            for model in baselines(task, train.shape[1]) + [m() for m in makers]:
                result = score_task(shared.fit(model), train, truth, task)
                results.setdefault((task, model.name), []).append(result)
    rows = []
    for task, makers in projects.items():
        # EASE is left out of a split above its product limit: a baseline counts
        # when every split has it.
        names = [
            m.name
            for m in baselines(task)
            if len(results.get((task, m.name), [])) == len(splits)
        ]
        means = {name: _mean(results[(task, name)]) for name in names}
        best = best_per_metric(list(means.values()))
        per_split = [
            best_per_metric([results[(task, name)][i] for name in names])
            for i in range(len(splits))
        ]
        for make in makers:
            name = make().name
            means[name] = _mean(results[(task, name)])
        project = means[makers[0]().name]
        margin = {m: project[m] / best[m] - 1.0 for m in METRICS}
        for name, mean in means.items():
            worst = None
            if name not in names:
                worst = min(
                    maximin_margin(result, split_best)
                    for result, split_best in zip(
                        results[(task, name)], per_split, strict=True
                    )
                )
            rows.append(
                {"task": task, "method": name, **mean,
                 "objective": maximin_margin(mean, best), "worst_split": worst}
            )  # fmt: skip
        rows.append({"task": task, "method": "margin", **margin})
    return pd.DataFrame(rows)
