"""RFM, segment naming rules, the saved model, and shift invariance."""

import numpy as np
import pandas as pd
import pytest
from helpers import small_shop

from analytics.aggregates import invoices_table
from analytics.cleaning import clean
from analytics.clustering import choose_model, segment_customers
from analytics.ingest import normalise
from analytics.segmentation import SegmentModel, name_clusters, rfm_table


def _invoices(raw):
    return invoices_table(clean(normalise(raw, "shop.csv", 2))[0])


def test_rfm_hand_computed():
    invoices = pd.DataFrame(
        {
            "invoice": ["1", "2", "3"],
            "customer_id": [7, 7, 8],
            "invoice_date": pd.to_datetime(
                ["2011-01-01 10:00", "2011-01-21 09:00", "2011-01-30 18:00"]
            ),
            "country": ["France", "France", "Spain"],
            "revenue": [10.0, 5.5, 3.0],
        }
    )
    rfm = rfm_table(invoices, pd.Timestamp("2011-02-01")).set_index("customer_id")
    assert rfm.loc[7, "recency_days"] == 10  # 10 days 15 hours → 10 whole days
    assert rfm.loc[7, "frequency"] == 2 and rfm.loc[7, "monetary"] == 15.5
    assert rfm.loc[8, "recency_days"] == 1 and rfm.loc[8, "country"] == "Spain"


def test_names_follow_profiles_not_cluster_numbers():
    # columns: recency, frequency, monetary (scaled)
    centroids = np.array(
        [
            [1.5, -1.0, -1.0],  # long gone, low value
            [-1.0, 1.5, 1.6],  # recent, frequent, big
            [-0.8, -0.9, -0.8],  # recent but small
            [0.0, 0.4, 0.5],  # middle
        ]
    )
    assert name_clusters(centroids) == [
        "At-Risk",
        "High-Value",
        "Occasional",
        "Regular",
    ]
    order = [2, 0, 3, 1]
    assert name_clusters(centroids[order]) == [
        ["At-Risk", "High-Value", "Occasional", "Regular"][i] for i in order
    ]


def test_extra_clusters_take_the_nearest_name():
    centroids = np.array(
        [
            [1.5, -1, -1],
            [-1, 1.5, 1.6],
            [-0.8, -0.9, -0.8],
            [0, 0.4, 0.5],
            [0.1, 0.3, 0.4],
        ]
    )
    assert name_clusters(centroids) == [
        "At-Risk",
        "High-Value",
        "Occasional",
        "Regular",
        "Regular",
    ]


@pytest.fixture(scope="module")
def result():
    rfm = rfm_table(_invoices(small_shop(160)), pd.Timestamp("2011-12-01"))
    return segment_customers(rfm, k=4, seed=0)


def test_segmentation_finds_the_four_kinds(result):
    customers = result.customers
    assert set(customers["segment"]) == {
        "High-Value",
        "Regular",
        "Occasional",
        "At-Risk",
    }
    # small_shop makes customer c of kind c % 4: big spenders are High-Value.
    kind = (customers["customer_id"] - 12000) % 4
    assert (customers.loc[kind == 0, "segment"] == "High-Value").mean() > 0.9
    assert (customers.loc[kind == 3, "segment"] == "At-Risk").mean() > 0.9
    assert list(result.kmeans_scan["k"]) == list(range(2, 11))
    assert set(result.model_comparison["model"]) == {
        "KMeans",
        "DBSCAN",
        "Agglomerative",
    }
    assert result.chosen_model in result.reason


def test_saved_model_reproduces_segments_and_pca(result, tmp_path):
    result.model.save(tmp_path)
    model = SegmentModel.load(tmp_path)
    c = result.customers
    args = (c["recency_days"], c["frequency"], c["monetary"])
    assert (model.predict(*args) == c["segment"].to_numpy()).all()
    np.testing.assert_allclose(
        model.project(*args), c[["pc1", "pc2", "pc3"]].to_numpy()
    )
    assert sum(model.explained_variance_ratio) == pytest.approx(1.0)
    assert model.predict(3, 40, 20000)[0] == "High-Value"
    assert model.predict(300, 1, 20)[0] == "At-Risk"


def test_choose_model_needs_k_clusters_and_little_noise():
    table = pd.DataFrame(
        {
            "model": ["KMeans", "DBSCAN", "Agglomerative"],
            "params": ["", "", ""],
            "n_clusters": [4, 4, 4],
            "silhouette": [0.30, 0.60, 0.35],
            "davies_bouldin": [1.0, 0.5, 0.9],
            "calinski_harabasz": [3000, 5000, 3500],
            "noise_share": [0.0, 0.20, 0.0],
        }
    )
    chosen, reason = choose_model(table, 4)
    assert chosen == "Agglomerative"  # DBSCAN leaves 20% as noise
    assert "noise 20.0%" in reason
    # Scores written as the dashboard's comparison table writes them.
    assert "Calinski–Harabasz 3,500, noise 0.0%" in reason


def test_same_data_shifted_in_time_gives_same_segments():
    raw = small_shop(120, seed=3)
    shifted = raw.assign(InvoiceDate=raw["InvoiceDate"] + pd.DateOffset(years=12))
    out = []
    for frame in (raw, shifted):
        invoices = _invoices(frame)
        as_of = invoices["invoice_date"].max().normalize() + pd.Timedelta(days=1)
        out.append(segment_customers(rfm_table(invoices, as_of), seed=0).customers)
    assert (out[0]["segment"] == out[1]["segment"]).all()
    assert (out[0]["recency_days"] == out[1]["recency_days"]).all()
    np.testing.assert_allclose(out[0]["pc1"], out[1]["pc1"])


def test_fast_silhouette_equals_sklearn():
    from sklearn.metrics import silhouette_score

    from analytics.clustering import _distances, silhouette

    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(c, 0.5, (40, 3)) for c in (0, 2, 5)])
    labels = np.repeat([0, 1, 2], 40)
    labels[:3] = 2  # some misplaced points, and a singleton cluster below
    labels[-1] = 7
    assert silhouette(_distances(x), labels) == pytest.approx(
        silhouette_score(x, labels), abs=1e-5
    )


def test_a_big_spender_gone_long_is_at_risk(result):
    model = result.model
    assert model.lapsed_after_days is not None
    # The threshold is the At-Risk centroid's recency, between the kinds' recencies.
    at_risk = result.customers[
        result.customers["cluster"] == model.cluster_segments.index("At-Risk")
    ]
    assert at_risk["recency_days"].min() <= model.lapsed_after_days
    assert model.lapsed_after_days <= at_risk["recency_days"].max()
    whale = (40, 20000)
    assert model.predict(3, *whale)[0] == "High-Value"
    assert model.predict(model.lapsed_after_days, *whale)[0] == "At-Risk"
    lapsed = result.customers["recency_days"] >= model.lapsed_after_days
    assert (result.customers.loc[lapsed, "segment"] == "At-Risk").all()


def test_the_smallest_shop_segmentation_accepts_is_segmented():
    # k = 4 needs five customers; DBSCAN's usual min_samples (2 × 3 features = 6)
    # is more than there are, so it takes all five.
    rfm = rfm_table(_invoices(small_shop(5)), pd.Timestamp("2011-12-10"))
    result = segment_customers(rfm, k=4, seed=0)
    assert len(result.customers) == 5 and result.customers["segment"].notna().all()
    dbscan = result.model_comparison.set_index("model").loc["DBSCAN", "params"]
    assert dbscan.endswith("min_samples=5")


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.filterwarnings("ignore:Number of distinct clusters")  # k = 4 > groups
@pytest.mark.filterwarnings("ignore:invalid value encountered")  # PCA's 0/0 variance
def test_customers_too_alike_to_score_are_still_segmented(groups):
    # Every customer a copy of one of ``groups`` customers: DBSCAN's eps came out
    # 0 (an error) and no model's clusters could be scored (an error too).
    raw = small_shop(8)
    first = raw[raw["CustomerID"].isin(12000 + np.arange(groups))]
    copies = []
    for i in range(30):
        copy = first[first["CustomerID"] == 12000 + i % groups].copy()
        copy["CustomerID"] = 20000 + i
        copy["InvoiceNo"] = copy["InvoiceNo"] + f"-{i}"
        copies.append(copy)
    rfm = rfm_table(_invoices(pd.concat(copies)), pd.Timestamp("2011-12-10"))
    result = segment_customers(rfm, k=4, seed=0)
    assert result.chosen_model == "KMeans"
    assert "the customers are too alike" in result.reason
    assert result.customers["segment"].notna().all() and len(result.customers) == 30
    assert np.isfinite(result.model.explained_variance_ratio).all()
