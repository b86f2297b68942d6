"""Ranking metrics at k, per customer and averaged, and whether the project's lead
over the best baseline is real (paired bootstrap intervals).

Metrics at k (averaged over customers): ``precision = hits / k``, ``recall = hits /
|relevant|``, ``AP = Σ P@j·rel_j / min(|relevant|, k)``, ``NDCG`` with binary gains
and the ideal ranking of ``min(|relevant|, k)`` hits, ``hit rate`` = share of
customers with at least one hit.

An evaluation compares methods on the same test customers, so the question for each
metric is whether the project's mean minus the best baseline's mean could be noise:
resample the customers with replacement (the same resample for both methods, which
keeps their pairing) and take the percentile interval of the difference of means.
An interval above zero is a lead, one below zero a gap, one around zero says the
two cannot be told apart on this many customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ["precision_at_5", "recall_at_5", "map_at_5", "ndcg_at_5", "hit_rate_at_5"]
PROJECT = "shopper (project)"  # the evaluation table's name for the project
LEVEL = 0.95
# Resampled customer indices are drawn this many resamples at a time (memory).
_CHUNK = 100


def ranking_metrics(recommended, relevant, k: int = 5) -> dict[str, float]:
    """Mean precision, recall, MAP, NDCG and hit rate at ``k`` over customers.

    Parameters
    ----------
    recommended : sequence of sequences
        Each customer's ranked recommendations (best first; only the first ``k``
        count).
    relevant : sequence of sets
        Each customer's relevant items (non-empty).
    """
    hits = np.zeros((len(recommended), k), dtype=bool)
    n_rel = np.zeros(len(recommended), dtype=np.int64)
    for row, (recs, rel) in enumerate(zip(recommended, relevant, strict=True)):
        n_rel[row] = len(rel)
        for j, item in enumerate(list(recs)[:k]):
            hits[row, j] = item in rel
    return metrics_from_hits(hits, n_rel)


def metrics_from_hits(hits: np.ndarray, n_relevant: np.ndarray) -> dict[str, float]:
    """The metrics of :func:`ranking_metrics` from a customers × k hit matrix."""
    if len(hits) == 0:
        return dict.fromkeys(METRICS, float("nan"))
    per_customer = per_customer_metrics(hits, n_relevant)
    return {m: float(np.mean(per_customer[m])) for m in METRICS}


def per_customer_metrics(hits: np.ndarray, n_relevant: np.ndarray) -> dict:
    """Each customer's value of every metric (:data:`METRICS`) from a customers × k
    hit matrix and their numbers of relevant products."""
    h = np.asarray(hits, dtype=np.float64)
    n_rel = np.asarray(n_relevant, dtype=np.float64)
    if np.any(n_rel <= 0):
        raise ValueError("every customer needs at least one relevant item")
    k = h.shape[1]
    n_hits = h.sum(axis=1)
    prec_at_j = np.cumsum(h, axis=1) / np.arange(1, k + 1)
    ideal = np.minimum(n_rel, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    idcg = np.cumsum(discounts)[ideal.astype(np.int64) - 1]
    return {
        "precision_at_5": n_hits / k,
        "recall_at_5": n_hits / n_rel,
        "map_at_5": (prec_at_j * h).sum(axis=1) / ideal,
        "ndcg_at_5": (h * discounts).sum(axis=1) / idcg,
        "hit_rate_at_5": (n_hits > 0).astype(np.float64),
    }


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``a - b`` and its :data:`LEVEL` percentile interval over
    ``resamples`` seeded resamples of the customers (``a``, ``b``: one value per
    customer, same customers in the same order)."""
    diff = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    if diff.ndim != 1 or len(diff) == 0:
        raise ValueError("need one value per customer for both methods")
    rng = np.random.default_rng(seed)
    means = []
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        idx = rng.integers(0, len(diff), size=(size, len(diff)))
        means.append(diff[idx].mean(axis=1))
    means = np.concatenate(means)
    tail = (1.0 - LEVEL) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(diff.mean()), float(low), float(high)


def lead_intervals(
    table: pd.DataFrame, hits: dict, resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Per task and metric: the project against the best baseline on that metric.

    Parameters
    ----------
    table : DataFrame
        :func:`~analytics.evaluation.evaluate_recommenders` output.
    hits : dict
        What that call filled in: ``(task, method) → (hits, n_relevant)``.

    Returns
    -------
    DataFrame
        ``task, metric, baseline, project, baseline_value, difference, low, high,
        reading`` (``lead``, ``gap`` or ``within noise``).
    """
    rows = []
    for task, group in table.groupby("task", sort=False):
        if len(hits[(task, PROJECT)][1]) == 0:
            continue  # no test customer for this task (say, a one-product shop)
        others = group[group["method"] != PROJECT]
        project = per_customer_metrics(*hits[(task, PROJECT)])
        for metric in METRICS:
            best = others.loc[others[metric].idxmax(), "method"]
            baseline = per_customer_metrics(*hits[(task, best)])
            mean, low, high = paired_bootstrap(
                project[metric], baseline[metric], resamples, seed
            )
            reading = "lead" if low > 0 else "gap" if high < 0 else "within noise"
            rows.append(
                {
                    "task": task,
                    "metric": metric,
                    "baseline": best,
                    "project": float(project[metric].mean()),
                    "baseline_value": float(baseline[metric].mean()),
                    "difference": mean,
                    "low": low,
                    "high": high,
                    "reading": reading,
                }
            )
    return pd.DataFrame(rows)


def format_intervals(frame: pd.DataFrame, resamples: int) -> str:
    """Plain-text lines for the command line."""
    out = [
        "",
        f"project minus the best baseline per metric, {LEVEL:.0%} paired bootstrap "
        f"interval over customers ({resamples:,} resamples)",
    ]
    for task, group in frame.groupby("task", sort=False):
        out.append(f"{task}")
        for _, r in group.iterrows():
            out.append(
                f"  {r['metric'][:-5]:<10} vs {r['baseline']:<16} "
                f"{r['difference']:+.4f} [{r['low']:+.4f}, {r['high']:+.4f}]  "
                f"{r['reading']}"
            )
    return "\n".join(out)
