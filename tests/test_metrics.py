"""Per-customer metrics and the paired bootstrap behind "is the lead real?"."""

import numpy as np
import pandas as pd
import pytest
from helpers import raw_rows, write_csv
from test_evaluation import _shop

from analytics.cli import main
from analytics.evaluation import evaluate_recommenders
from analytics.metrics import (
    METRICS,
    PROJECT,
    format_intervals,
    lead_intervals,
    metrics_from_hits,
    paired_bootstrap,
    per_customer_metrics,
)


def test_per_customer_values_by_hand_and_their_means():
    hits = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    values = per_customer_metrics(hits, np.array([4, 1]))
    assert values["precision_at_5"].tolist() == [0.4, 0.0]
    assert values["recall_at_5"].tolist() == [0.5, 0.0]
    assert values["map_at_5"].tolist() == pytest.approx([(1 + 2 / 3) / 4, 0.0])
    dcg, idcg = 1 + 1 / np.log2(4), sum(1 / np.log2(j + 2) for j in range(4))
    assert values["ndcg_at_5"].tolist() == pytest.approx([dcg / idcg, 0.0])
    assert values["hit_rate_at_5"].tolist() == [1.0, 0.0]
    means = metrics_from_hits(hits, np.array([4, 1]))
    assert means == pytest.approx({m: float(values[m].mean()) for m in METRICS})


def test_bootstrap_of_equal_methods_is_zero_and_of_a_sure_lead_is_positive():
    a = np.random.default_rng(0).random(300)
    assert paired_bootstrap(a, a) == (0.0, 0.0, 0.0)
    mean, low, high = paired_bootstrap(a + 0.1, a)
    assert mean == pytest.approx(0.1) and low == pytest.approx(0.1)
    assert high == pytest.approx(0.1)


def test_bootstrap_interval_holds_the_mean_and_is_reproducible():
    rng = np.random.default_rng(1)
    a, b = rng.random(500), rng.random(500)
    mean, low, high = paired_bootstrap(a, b, resamples=500, seed=3)
    assert low < mean < high
    assert paired_bootstrap(a, b, resamples=500, seed=3) == (mean, low, high)
    # Pairing matters: a shared per-customer level cancels out.
    level = rng.normal(0, 10, 500)
    tight = paired_bootstrap(a + level + 0.05, a + level, resamples=500)
    assert tight[1] == pytest.approx(0.05) and tight[2] == pytest.approx(0.05)


def test_lead_intervals_compare_with_each_metrics_best_baseline():
    hits: dict = {}
    table = evaluate_recommenders(_shop(), pd.Timestamp("2011-03-01"), hits=hits)
    assert set(hits) == set(zip(table["task"], table["method"], strict=True))
    for (task, method), (h, n_rel) in hits.items():
        row = table[(table["task"] == task) & (table["method"] == method)].iloc[0]
        assert len(h) == row["customers"] == len(n_rel)
        assert metrics_from_hits(h, n_rel) == pytest.approx(row[METRICS].to_dict())
    frame = lead_intervals(table, hits, resamples=200)
    assert len(frame) == 2 * len(METRICS)
    for _, r in frame.iterrows():
        group = table[(table["task"] == r["task"]) & (table["method"] != PROJECT)]
        assert r["baseline_value"] == pytest.approx(group[r["metric"]].max())
        assert r["low"] <= r["difference"] <= r["high"]
        expected = (
            "lead" if r["low"] > 0 else "gap" if r["high"] < 0 else "within noise"
        )
        assert r["reading"] == expected
    assert "paired bootstrap" in format_intervals(frame, 200)


def test_cli_evaluate_prints_the_intervals_for_a_test_window(tmp_path, capsys):
    columns = ["invoice", "stock_code", "description", "quantity", "invoice_date",
               "unit_price", "customer_id", "country"]  # fmt: skip
    rows = _shop()[columns].itertuples(index=False, name=None)
    path = write_csv(raw_rows(list(rows)), tmp_path / "shop.csv")
    args = ["evaluate", "--input", str(path), "--cutoff", "2011-03-01"]
    assert main(args + ["--horizon", "30", "--bootstrap", "200"]) == 0
    out = capsys.readouterr().out
    assert "tested on 2011-03-01 … 2011-03-" in out  # within the 30-day window
    assert "paired bootstrap" in out and "all items" in out
    assert main(args + ["--bootstrap", "0"]) == 0
    assert "paired bootstrap" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "option, message",
    [
        (["--bootstrap", "-1"], "'-1' must be from 0 to 100,000"),
        (["--bootstrap", "x"], "'x' is not a whole number"),
        # Ten billion resamples ran for ever.
        (["--bootstrap", str(10**10)], "must be from 0 to 100,000"),
        (["--horizon", "0"], "'0' must be from 1 to 36,500 days"),
        # 100,000 days ran past pandas' dates: an OutOfBoundsDatetime traceback.
        (["--horizon", "100000"], "must be from 1 to 36,500 days"),
    ],
)
def test_cli_evaluate_refuses_bad_counts(option, message, capsys):
    args = ["evaluate", "--input", "x.csv", "--cutoff", "2011-03-01", *option]
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2 and message in capsys.readouterr().err
