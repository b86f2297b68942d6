"""Integration on the real UCI files in ../shared/data (skipped when absent)."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import ONLINE_RETAIL, ONLINE_RETAIL_II, requires_shared_data

from analytics.aggregates import invoices_table
from analytics.build import build_bundle
from analytics.cleaning import clean
from analytics.clustering import segment_customers
from analytics.ingest import load_transactions
from analytics.segmentation import rfm_table

pytestmark = [requires_shared_data, pytest.mark.integration]


@pytest.fixture(scope="module")
def online_retail_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("or") / "bundle"
    manifest = build_bundle([ONLINE_RETAIL], out, log=lambda *_: None)
    return out, manifest


def test_cleaning_report_matches_the_published_figures(online_retail_bundle):
    report = online_retail_bundle[1]["cleaning"]
    removed = report["removed"]
    assert report["rows_in"] == 541_909
    assert removed["missing_customer_id"] == 135_080
    # shared/data/README: the first four rules leave 397,884 rows …
    first_four = (
        "missing_customer_id",
        "cancelled_invoice",
        "non_positive_quantity",
        "non_positive_price",
    )
    assert report["rows_in"] - sum(removed[r] for r in first_four) == 397_884
    # … of 4,338 customers; dropping duplicates and non-products lowers these a little.
    assert 4_300 < report["customers"] < 4_338
    assert 0 < removed["duplicate_row"] <= 5_268
    assert removed["non_product_code"] > 0
    assert report["date_min"].startswith("2010-12-01")
    assert report["date_max"].startswith("2011-12-09")


def test_online_retail_segments(online_retail_bundle):
    out, manifest = online_retail_bundle
    customers = pd.read_parquet(out / "customers.parquet")
    profiles = pd.read_parquet(out / "segment_profiles.parquet").set_index("segment")
    assert len(customers) == manifest["cleaning"]["customers"]
    assert set(profiles.index) == {"High-Value", "Regular", "Occasional", "At-Risk"}
    # High-Value: a minority bringing the largest share of revenue, bought recently.
    assert profiles.loc["High-Value", "customer_share"] < 0.3
    assert profiles.loc["High-Value", "revenue_share"] > 0.5
    assert (
        profiles.loc["At-Risk", "recency_median"]
        > profiles.loc["High-Value", "recency_median"]
    )
    assert set(customers["region"]) >= {"UK", "Western Europe", "Asia-Pacific"}
    assert manifest["unmapped_countries"] == []


def test_two_files_together_drop_the_overlap(tmp_path):
    frame, inputs, overlap = load_transactions([ONLINE_RETAIL_II, ONLINE_RETAIL])
    assert [i["rows"] for i in inputs] == [525_461, 541_909]
    # Both files hold 2010-12-01 … 2010-12-09.
    assert overlap > 20_000
    days = frame["invoice_date"].dt.normalize()
    per_day = frame.assign(day=days).groupby("day")["invoice"].nunique()
    december = per_day.loc["2010-12-01":"2010-12-09"]
    assert december.max() < 200  # not doubled
    lines, report = clean(frame, overlap)
    assert report["rows_in"] == 1_067_370
    assert report["date_min"].startswith("2009-12-01")
    assert report["date_max"].startswith("2011-12-09")
    assert report["customers"] > 5_800


def test_shifting_the_data_to_2022_gives_the_same_segments(online_retail_lines):
    lines = online_retail_lines
    results = []
    # A constant shift (580 weeks: 2022-01-12 … 2023-01-19, same weekdays).
    for offset in (pd.Timedelta(0), pd.Timedelta(weeks=580)):
        invoices = invoices_table(
            lines.assign(invoice_date=lines["invoice_date"] + offset)
        )
        as_of = invoices["invoice_date"].max().normalize() + pd.Timedelta(days=1)
        results.append(segment_customers(rfm_table(invoices, as_of), seed=0))
    original, shifted = (r.customers for r in results)
    assert results[1].customers["last_purchase"].min().year == 2022
    assert (original["segment"].to_numpy() == shifted["segment"].to_numpy()).all()
    np.testing.assert_allclose(original["pc1"], shifted["pc1"])


def test_manifest_is_valid_json_with_stage_times(online_retail_bundle):
    out, _ = online_retail_bundle
    manifest = json.loads((out / "manifest.json").read_text())
    assert all(seconds >= 0 for seconds in manifest["stages"].values())
