"""Hyper-parameter search on a validation split (run by ``benchmarks/recommend.py``).

Only ever called with a validation cutoff that ends before the test period; the
chosen values are then written into the module defaults by hand, with a comment.
"""

from __future__ import annotations

import pandas as pd

from analytics._reco_blend import BlendParams, ShopperRecommender
from analytics.evaluation import METRICS, score_task, time_split
from analytics.recommenders import EASE, ItemKNN, ease_weights

# Candidate values per parameter, searched one parameter at a time.
GRID: dict[str, list] = {
    "w_own": [0.0, 0.5, 1.0, 2.0, 4.0],
    "w_cf": [0.0, 0.1, 0.25, 0.5, 1.0, 2.0],
    "w_trend": [0.0, 0.05, 0.1, 0.2, 0.4, 0.8],
    "own_half_life": [15.0, 30.0, 60.0, 120.0, 240.0, 1e6],
    "own_share_power": [0.25, 0.5, 1.0, 1.5],
    "own_orders_boost": [0.0, 0.1, 0.25, 0.5, 1.0],
    "cf_half_life": [15.0, 30.0, 60.0, 120.0, 240.0, 1e6],
    "cf_orders_power": [0.0, 0.25, 0.5, 1.0],
    "trend_half_life": [7.0, 15.0, 30.0, 60.0, 120.0],
    "country_share": [0.0, 0.2, 0.4, 0.6, 0.8],
    "w_adopt": [0.0, 0.05, 0.1, 0.2],
    "adopt_half_life": [5.0, 10.0, 20.0, 40.0],
    "stale_days": [14.0, 30.0, 60.0, 1e6],
    "stale_factor": [0.0, 0.1, 0.3, 0.6],
    "ease_lambda": [50.0, 100.0, 250.0, 500.0, 1000.0],
}
FIXED_FOR_NEW_ITEMS = {"w_own", "own_half_life", "own_share_power", "own_orders_boost"}


def objective(result: dict) -> float:
    """What the search maximises: precision@5 plus NDCG@5 (ranking quality)."""
    return result["precision_at_5"] + result["ndcg_at_5"]


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
        Validation splits; the objective is averaged over them.
    task : {"all items", "new items"}

    Returns the best parameters and every trial (parameters, metrics, objective).
    """
    prepared = [time_split(lines, cutoff, horizon) for lines, cutoff, horizon in splits]
    ease_cache: dict[tuple[int, float], object] = {}
    trials: list[dict] = []
    grid = grid or GRID

    def run(params: BlendParams) -> float:
        results = []
        for n, (train, truth) in enumerate(prepared):
            key = (n, params.ease_lambda)
            if key not in ease_cache:
                ease_cache[key] = ease_weights(train.binary, params.ease_lambda)
            model = ShopperRecommender(params).fit(train, cf_weights=ease_cache[key])
            results.append(score_task(model, train, truth, task))
        mean = {m: sum(r[m] for r in results) / len(results) for m in METRICS}
        value = objective(mean)
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
                f"  round {round_ + 1} {name:<16} -> {getattr(best, name):<8} "
                f"objective {best_value:.4f}"
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
    variants += [EASE(lam, w) for lam in GRID["ease_lambda"] for w in ("binary", "log")]
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
