"""Fit and compare clusterings of scaled log-RFM; choose one; name its clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from analytics.segmentation import FEATURES, SegmentModel, name_clusters

# Silhouette is O(n²); DBSCAN and Ward need the pairwise structure too. Above this many
# customers they run on a seeded sample (all customers are still assigned a segment).
SAMPLE_SIZE = 5000


@dataclass
class SegmentationResult:
    customers: pd.DataFrame  # RFM + cluster, segment, pc1..pc3
    model: SegmentModel
    kmeans_scan: pd.DataFrame
    model_comparison: pd.DataFrame
    chosen_model: str
    reason: str


def rfm_pipeline() -> Pipeline:
    """log1p then standard scaling: the feature pipeline every model shares."""
    return Pipeline(
        [("log", FunctionTransformer(np.log1p)), ("scale", StandardScaler())]
    )


def _metrics(x: np.ndarray, labels: np.ndarray, seed: int) -> dict:
    keep = labels >= 0
    x, labels = x[keep], labels[keep]
    if len(np.unique(labels)) < 2:
        return {
            "silhouette": np.nan,
            "davies_bouldin": np.nan,
            "calinski_harabasz": np.nan,
        }
    size = min(len(x), SAMPLE_SIZE)
    return {
        "silhouette": float(
            silhouette_score(x, labels, sample_size=size, random_state=seed)
        ),
        "davies_bouldin": float(davies_bouldin_score(x, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
    }


def _kmeans(k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=10, random_state=seed)


def kmeans_scan(x: np.ndarray, seed: int, ks=range(2, 11)) -> pd.DataFrame:
    """Inertia (elbow), silhouette, Davies–Bouldin, Calinski–Harabasz for each k."""
    rows = []
    for k in ks:
        if k >= len(x):
            break
        model = _kmeans(k, seed).fit(x)
        rows.append(
            {
                "k": k,
                "inertia": float(model.inertia_),
                **_metrics(x, model.labels_, seed),
            }
        )
    return pd.DataFrame(rows)


def _dbscan_eps(x: np.ndarray, min_samples: int) -> float:
    """eps at the knee of the sorted k-distance curve (95th percentile)."""
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(x).kneighbors(x)
    return float(np.quantile(distances[:, -1], 0.95))


def _centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    ids = np.unique(labels[labels >= 0])
    return np.vstack([x[labels == i].mean(axis=0) for i in ids])


def compare_models(x: np.ndarray, k: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """KMeans, DBSCAN and Agglomerative (Ward) on the same features.

    Returns the comparison table and each model's centroids (for nearest-centroid
    assignment of every customer, including those outside the sample).
    """
    rng = np.random.default_rng(seed)
    sample = (
        x
        if len(x) <= SAMPLE_SIZE
        else x[np.sort(rng.choice(len(x), SAMPLE_SIZE, replace=False))]
    )
    rows, centroids = [], {}

    kmeans = _kmeans(k, seed).fit(x)
    rows.append(
        {"model": "KMeans", "params": f"k={k}", "labels": kmeans.labels_, "x": x}
    )
    centroids["KMeans"] = kmeans.cluster_centers_

    min_samples = 2 * x.shape[1]
    eps = _dbscan_eps(sample, min_samples)
    db = DBSCAN(eps=eps, min_samples=min_samples).fit(sample)
    rows.append(
        {
            "model": "DBSCAN",
            "params": f"eps={eps:.3f}, min_samples={min_samples}",
            "labels": db.labels_,
            "x": sample,
        }
    )
    if (db.labels_ >= 0).any():
        centroids["DBSCAN"] = _centroids(sample, db.labels_)

    ward = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(sample)
    rows.append(
        {
            "model": "Agglomerative",
            "params": f"ward, k={k}",
            "labels": ward.labels_,
            "x": sample,
        }
    )
    centroids["Agglomerative"] = _centroids(sample, ward.labels_)

    table = []
    for row in rows:
        labels = row["labels"]
        table.append(
            {
                "model": row["model"],
                "params": row["params"],
                "n_clusters": int(len(np.unique(labels[labels >= 0]))),
                **_metrics(row["x"], labels, seed),
                "noise_share": float((labels < 0).mean()),
                "customers_fitted": int(len(labels)),
            }
        )
    return pd.DataFrame(table), centroids


def choose_model(table: pd.DataFrame, k: int) -> tuple[str, str]:
    """Pick the model to segment with, and say why.

    Eligible: exactly ``k`` clusters (the business names four segments) and at most 5%
    of customers left as noise. Among those, the best mean rank over silhouette
    (higher), Davies–Bouldin (lower) and Calinski–Harabasz (higher).
    """
    eligible = table[(table["n_clusters"] == k) & (table["noise_share"] <= 0.05)]
    if eligible.empty:
        eligible = table[table["model"] == "KMeans"]
    ranks = (
        eligible["silhouette"].rank(ascending=False)
        + eligible["davies_bouldin"].rank(ascending=True)
        + eligible["calinski_harabasz"].rank(ascending=False)
    ) / 3
    chosen = table.loc[ranks.idxmin()]
    parts = []
    for _, row in table.iterrows():
        parts.append(
            f"{row['model']} ({row['params']}): {row['n_clusters']} clusters, "
            f"silhouette {row['silhouette']:.3f}, Davies–Bouldin "
            f"{row['davies_bouldin']:.3f}, Calinski–Harabasz "
            f"{row['calinski_harabasz']:.0f}, noise {row['noise_share']:.1%}"
        )
    reason = (
        f"{chosen['model']} chosen: best mean rank on silhouette, Davies–Bouldin and "
        f"Calinski–Harabasz among models giving {k} clusters with at most 5% noise. "
        + "; ".join(parts)
        + "."
    )
    return str(chosen["model"]), reason


def segment_customers(
    rfm: pd.DataFrame, k: int = 4, seed: int = 0
) -> SegmentationResult:
    """Scale, scan KMeans k = 2…10, compare models, name segments, project with PCA."""
    if len(rfm) < max(k, 3) + 1:
        from analytics.errors import InputError

        raise InputError(
            f"segmentation needs more than {max(k, 3)} customers after cleaning; "
            f"found {len(rfm)}"
        )
    pipeline = rfm_pipeline().fit(rfm[FEATURES].to_numpy(dtype="float64"))
    x = pipeline.transform(rfm[FEATURES].to_numpy(dtype="float64"))
    scan = kmeans_scan(x, seed)
    comparison, centroids = compare_models(x, k, seed)
    chosen, reason = choose_model(comparison, k)
    comparison["chosen"] = comparison["model"] == chosen

    pca = PCA(n_components=3, random_state=seed).fit(x)
    scaler = pipeline.named_steps["scale"]
    model = SegmentModel(
        scaler_mean=scaler.mean_,
        scaler_scale=scaler.scale_,
        centroids=centroids[chosen],
        cluster_segments=name_clusters(centroids[chosen]),
        pca_mean=pca.mean_,
        pca_components=pca.components_,
        explained_variance_ratio=pca.explained_variance_ratio_.tolist(),
    )
    customers = rfm.copy()
    values = [customers[f] for f in FEATURES]
    customers["cluster"] = model.cluster(*values)
    customers["segment"] = model.predict(*values)
    pcs = model.project(*values)
    for i in range(3):
        customers[f"pc{i + 1}"] = pcs[:, i]
    return SegmentationResult(customers, model, scan, comparison, chosen, reason)
