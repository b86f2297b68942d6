"""Fit and compare clusterings of scaled log-RFM; choose one; name its clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from analytics.errors import InputError
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


def _distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix (5,000 customers: 200 MB), computed once per build."""
    return cdist(x, x)


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Exact mean silhouette from a distance matrix, as sklearn's, but fast.

    Summing each row's distances per cluster is one matrix product with the one-hot
    label matrix, so the k = 2…10 scan reuses a single distance matrix.
    """
    ids, labels = np.unique(labels, return_inverse=True)
    if not 1 < len(ids) < len(labels):
        return float("nan")
    onehot = np.zeros((len(labels), len(ids)), dtype="float32")
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = (distances @ onehot).astype("float64")  # (n, clusters)
    sizes = onehot.sum(axis=0).astype("float64")
    own = sizes[labels]
    rows = np.arange(len(labels))
    a = sums[rows, labels] / np.maximum(own - 1, 1)
    means = sums / sizes
    means[rows, labels] = np.inf
    b = means.min(axis=1)
    # 0 for a lone member, and where a = b = 0 (identical customers), as sklearn.
    top = np.maximum(a, b)
    ratio = np.divide(b - a, top, out=np.zeros_like(top), where=top > 0)
    score = np.where(own > 1, ratio, 0.0)
    return float(np.mean(score))


def _sample(n: int, seed: int) -> np.ndarray:
    """Indices of a seeded sample of at most SAMPLE_SIZE out of n (sorted)."""
    if n <= SAMPLE_SIZE:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, SAMPLE_SIZE, replace=False))


def _metrics(x, labels, distances) -> dict:
    """Silhouette, Davies–Bouldin and Calinski–Harabasz of one labelling.

    ``x`` and ``labels`` are the sampled customers and ``distances`` their distance
    matrix. Noise points (label -1, DBSCAN) are left out of every metric.
    """
    keep = labels >= 0
    if len(np.unique(labels[keep])) < 2:
        return {
            "silhouette": np.nan,
            "davies_bouldin": np.nan,
            "calinski_harabasz": np.nan,
        }
    if not keep.all():
        distances = distances[np.ix_(keep, keep)]
        x, labels = x[keep], labels[keep]
    return {
        "silhouette": silhouette(distances, labels),
        "davies_bouldin": float(davies_bouldin_score(x, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
    }


def _kmeans(k: int, seed: int, n_init: int = 10) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def kmeans_scan(xs, seed, distances, ks=range(2, 11)):
    """Inertia (elbow), silhouette, Davies–Bouldin, Calinski–Harabasz for each k.

    Fitted and scored on ``xs``, the scaled features of a sample of the customers
    (all of them up to SAMPLE_SIZE), whose distance matrix is ``distances``: the
    scan only draws the elbow and silhouette charts, and their shape does not need
    every customer.
    """
    rows = []
    # More clusters than distinct customers cannot be found (scikit-learn warns
    # and returns fewer): the scan stops there.
    distinct = len(np.unique(xs, axis=0))
    for k in ks:
        if k >= len(xs) or k > distinct:
            break
        # Three restarts draw the curves; the segmenting model is refitted with ten.
        model = _kmeans(k, seed, n_init=3).fit(xs)
        rows.append(
            {
                "k": k,
                "inertia": float(model.inertia_),
                **_metrics(xs, model.labels_, distances),
                "customers_fitted": len(xs),
            }
        )
    return pd.DataFrame(rows)


def _dbscan_eps(x: np.ndarray, min_samples: int) -> float:
    """eps at the knee of the sorted k-distance curve (95th percentile)."""
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(x).kneighbors(x)
    # Customers with identical RFM sit at distance 0: DBSCAN needs eps > 0.
    return max(float(np.quantile(distances[:, -1], 0.95)), 1e-6)


def _centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    ids = np.unique(labels[labels >= 0])
    return np.vstack([x[labels == i].mean(axis=0) for i in ids])


def compare_models(xs, k, distances, kmeans, sample):
    """KMeans (already fitted on every customer), DBSCAN and Agglomerative (Ward)
    on the same features.

    DBSCAN and Ward are fitted on ``xs``, the customers ``sample`` (indices into
    KMeans' customers); every model is scored on it. Returns the comparison table
    and each model's centroids (for nearest-centroid assignment of every customer,
    including those outside the sample).
    """
    # The usual 2 × dimensions, but never more than there are customers (the
    # k-distance needs that many points; a shop of five customers has five).
    min_samples = min(2 * xs.shape[1], len(xs))
    eps = _dbscan_eps(xs, min_samples)
    db = DBSCAN(eps=eps, min_samples=min_samples).fit(xs)
    ward = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(xs)
    fits = [
        ("KMeans", f"k={k}", kmeans.labels_[sample]),
        ("DBSCAN", f"eps={eps:.3f}, min_samples={min_samples}", db.labels_),
        ("Agglomerative", f"ward, k={k}", ward.labels_),
    ]
    centroids = {"KMeans": kmeans.cluster_centers_}
    table = []
    for model, params, labels in fits:
        if model != "KMeans" and (labels >= 0).any():
            centroids[model] = _centroids(xs, labels)
        table.append(
            {
                "model": model,
                "params": params,
                # Distinct centroids (to rounding: a mean of equal rows may differ
                # in its last bits): Ward splits identical customers into k labels
                # that are one cluster.
                "n_clusters": int(
                    len(np.unique(centroids[model].round(9), axis=0))
                    if model in centroids
                    else 0
                ),
                **_metrics(xs, labels, distances),
                "noise_share": float((labels < 0).mean()),
                "customers_fitted": int(
                    len(kmeans.labels_) if model == "KMeans" else len(xs)
                ),
            }
        )
    return pd.DataFrame(table), centroids


def choose_model(table: pd.DataFrame, k: int) -> tuple[str, str]:
    """Pick the model to segment with, and say why.

    Eligible: exactly ``k`` clusters (the business names four segments) and at most 5%
    of customers left as noise. Among those, the best mean rank over silhouette
    (higher), Davies–Bouldin (lower) and Calinski–Harabasz (higher). Without any
    (customers too alike to form ``k`` distinct clusters): KMeans.
    """
    eligible = table[(table["n_clusters"] == k) & (table["noise_share"] <= 0.05)]
    ranks = (
        eligible["silhouette"].rank(ascending=False)
        + eligible["davies_bouldin"].rank(ascending=True)
        + eligible["calinski_harabasz"].rank(ascending=False)
    ) / 3
    if ranks.notna().any():
        chosen = table.loc[ranks.idxmin()]
        why = (
            "best mean rank on silhouette, Davies–Bouldin and Calinski–Harabasz "
            f"among models giving {k} clusters with at most 5% noise"
        )
    else:
        # Customers so alike that no model finds k distinct clusters it can be
        # scored on: KMeans, whose centroids still give everyone a segment.
        chosen = table[table["model"] == "KMeans"].iloc[0]
        why = (
            f"no model found {k} distinct clusters with at most 5% noise that "
            "could be scored (the customers are too alike)"
        )
    parts = []
    for _, row in table.iterrows():
        parts.append(
            f"{row['model']} ({row['params']}): {row['n_clusters']} clusters, "
            f"silhouette {row['silhouette']:.3f}, Davies–Bouldin "
            f"{row['davies_bouldin']:.3f}, Calinski–Harabasz "
            f"{row['calinski_harabasz']:,.0f}, noise {row['noise_share']:.1%}"
        )
    reason = f"{chosen['model']} chosen: {why}. " + "; ".join(parts) + "."
    return str(chosen["model"]), reason


def _lapsed_after_days(centroids, names, mean, scale) -> float | None:
    """Recency (days) of the At-Risk centroid, back from scaled log1p space
    (``mean``, ``scale``: the scaler's)."""
    if "At-Risk" not in names:
        return None
    at_risk = centroids[names.index("At-Risk")][0]
    return float(round(np.expm1(at_risk * scale[0] + mean[0])))


def segment_customers(
    rfm: pd.DataFrame, k: int = 4, seed: int = 0
) -> SegmentationResult:
    """Scale, scan KMeans k = 2…10, compare models, name segments, project with PCA."""
    if len(rfm) < max(k, 3) + 1:
        raise InputError(
            f"segmentation needs more than {max(k, 3)} customers after cleaning; "
            f"found {len(rfm)}"
        )
    pipeline = rfm_pipeline().fit(rfm[FEATURES].to_numpy(dtype="float64"))
    x = pipeline.transform(rfm[FEATURES].to_numpy(dtype="float64"))
    sample = _sample(len(x), seed)
    xs = x[sample]
    distances = _distances(xs)
    scan = kmeans_scan(xs, seed, distances)
    kmeans = _kmeans(k, seed).fit(x)
    comparison, centroids = compare_models(xs, k, distances, kmeans, sample)
    del distances
    chosen, reason = choose_model(comparison, k)
    comparison["chosen"] = comparison["model"] == chosen

    pca = PCA(n_components=3, random_state=seed).fit(x)
    scaler = pipeline.named_steps["scale"]
    names = name_clusters(centroids[chosen])
    model = SegmentModel(
        scaler_mean=scaler.mean_,
        scaler_scale=scaler.scale_,
        centroids=centroids[chosen],
        cluster_segments=names,
        pca_mean=pca.mean_,
        pca_components=pca.components_,
        # 0/0 (every customer alike) is no variance explained, not NaN.
        explained_variance_ratio=np.nan_to_num(pca.explained_variance_ratio_).tolist(),
        lapsed_after_days=_lapsed_after_days(
            centroids[chosen], names, scaler.mean_, scaler.scale_
        ),
    )
    customers = rfm.copy()
    values = [customers[f] for f in FEATURES]
    customers["cluster"] = model.cluster(*values)
    customers["segment"] = model.predict(*values)
    pcs = model.project(*values)
    for i in range(3):
        customers[f"pc{i + 1}"] = pcs[:, i]
    return SegmentationResult(customers, model, scan, comparison, chosen, reason)
