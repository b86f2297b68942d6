"""RFM, customer segmentation and the saved segment model.

Features are ``log1p`` of recency (days), frequency (invoices) and monetary (£), scaled
to zero mean and unit variance. Clusters are named by rules on their profiles, never by
cluster number: cluster numbers change between runs, the profiles do not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.contract import SEGMENT_MODEL, SEGMENTS

FEATURES = ["recency_days", "frequency", "monetary"]


def rfm_table(invoices: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Recency (days from ``as_of`` to last invoice), frequency, monetary per customer.

    Parameters
    ----------
    invoices : DataFrame
        ``customer_id, invoice, invoice_date, country, revenue`` (one row per invoice).
    as_of : Timestamp
        The day recency is measured from (the build date, or the end of a window).

    Returns
    -------
    DataFrame
        ``customer_id, country, recency_days, frequency, monetary, first_purchase,
        last_purchase``; country is the one the customer ordered from most often.
    """
    grouped = invoices.groupby("customer_id", sort=True)
    table = grouped.agg(
        last_purchase=("invoice_date", "max"),
        first_purchase=("invoice_date", "min"),
        frequency=("invoice", "nunique"),
        monetary=("revenue", "sum"),
    )
    days = (as_of - table["last_purchase"]) / pd.Timedelta(days=1)
    table["recency_days"] = np.floor(days).astype("int64")
    country = (
        invoices.groupby(["customer_id", "country"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["customer_id", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("customer_id")
        .set_index("customer_id")["country"]
    )
    table["country"] = country
    return table.reset_index()[
        [
            "customer_id",
            "country",
            "recency_days",
            "frequency",
            "monetary",
            "first_purchase",
            "last_purchase",
        ]
    ]


def name_clusters(centroids: np.ndarray) -> list[str]:
    """Name clusters from their centroids in scaled log-RFM space.

    Rules, applied in order on the remaining clusters:
    1. High-Value: best combined score (frequent, big spending, recent);
    2. At-Risk: longest since the last purchase;
    3. Regular: most frequent and biggest spending of the rest;
    4. Occasional: the remaining cluster.
    With more than four clusters, each extra cluster takes the name of the named
    cluster whose centroid is nearest. (:class:`SegmentModel` adds one rule on the
    customer: gone as long as the At-Risk cluster's centroid means At-Risk.)
    """
    centroids = np.asarray(centroids, dtype="float64")
    recency, value = centroids[:, 0], centroids[:, 1] + centroids[:, 2]
    names: dict[int, str] = {}
    remaining = list(range(len(centroids)))

    def take(score: np.ndarray, name: str) -> None:
        if remaining:
            best = max(remaining, key=lambda i: (score[i], -i))
            names[best] = name
            remaining.remove(best)

    take(value - recency, "High-Value")
    take(recency, "At-Risk")
    take(value, "Regular")
    take(-value, "Occasional")
    named = np.array(sorted(names))
    for i in remaining:
        dist = np.linalg.norm(centroids[named] - centroids[i], axis=1)
        names[i] = names[int(named[np.argmin(dist)])]
    return [names[i] for i in range(len(centroids))]


class SegmentModel:
    """Maps raw recency (days), frequency (invoices), monetary (£) to a segment.

    A nearest-centroid model in scaled log-RFM space, plus the fitted PCA, stored as
    JSON in the bundle (no pickles) so the dashboard can place any customer or any
    recomputed window.
    """

    def __init__(
        self,
        scaler_mean,
        scaler_scale,
        centroids,
        cluster_segments,
        pca_mean,
        pca_components,
        explained_variance_ratio,
        lapsed_after_days=None,
    ):
        self.scaler_mean = np.asarray(scaler_mean, dtype="float64")
        self.scaler_scale = np.asarray(scaler_scale, dtype="float64")
        self.centroids = np.asarray(centroids, dtype="float64")
        self.cluster_segments = list(cluster_segments)
        self.pca_mean = np.asarray(pca_mean, dtype="float64")
        self.pca_components = np.asarray(pca_components, dtype="float64")
        self.explained_variance_ratio = list(explained_variance_ratio)
        self.lapsed_after_days = lapsed_after_days

    def scale(self, recency_days, frequency, monetary) -> np.ndarray:
        """Scaled log-RFM features, shape (n, 3); negative inputs are clipped to 0."""
        raw = np.column_stack(
            [
                np.atleast_1d(np.asarray(v, dtype="float64"))
                for v in (recency_days, frequency, monetary)
            ]
        )
        return (np.log1p(np.clip(raw, 0, None)) - self.scaler_mean) / self.scaler_scale

    def cluster(self, recency_days, frequency, monetary) -> np.ndarray:
        """Index of the nearest centroid for each customer."""
        x = self.scale(recency_days, frequency, monetary)
        dist = ((x[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2)
        return dist.argmin(axis=1)

    def predict(self, recency_days, frequency, monetary) -> np.ndarray:
        """Segment name for each customer (array of str).

        The nearest centroid's name, except that a customer who has not bought for
        ``lapsed_after_days`` or more is At-Risk whatever they spent: a big spender
        gone for a year is the one a win-back campaign is for.
        """
        names = np.asarray(self.cluster_segments, dtype=object)
        segments = names[self.cluster(recency_days, frequency, monetary)]
        if self.lapsed_after_days is not None:
            recency = np.atleast_1d(np.asarray(recency_days, dtype="float64"))
            segments[recency >= self.lapsed_after_days] = "At-Risk"
        return segments

    def project(self, recency_days, frequency, monetary) -> np.ndarray:
        """PCA coordinates, shape (n, 3), on the axes fitted at build time."""
        x = self.scale(recency_days, frequency, monetary)
        return (x - self.pca_mean) @ self.pca_components.T

    def to_dict(self) -> dict:
        return {
            "features": FEATURES,
            "transform": "log1p, then (x - scaler_mean) / scaler_scale",
            "scaler_mean": self.scaler_mean.tolist(),
            "scaler_scale": self.scaler_scale.tolist(),
            "centroids": self.centroids.tolist(),
            "cluster_segments": self.cluster_segments,
            "pca_mean": self.pca_mean.tolist(),
            "pca_components": self.pca_components.tolist(),
            "explained_variance_ratio": self.explained_variance_ratio,
            "lapsed_after_days": self.lapsed_after_days,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SegmentModel:
        keys = [
            "scaler_mean",
            "scaler_scale",
            "centroids",
            "cluster_segments",
            "pca_mean",
            "pca_components",
            "explained_variance_ratio",
        ]
        return cls(*(data[k] for k in keys), data.get("lapsed_after_days"))

    def save(self, bundle_dir: Path) -> None:
        path = Path(bundle_dir) / SEGMENT_MODEL
        path.write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, bundle_dir: Path) -> SegmentModel:
        data = json.loads((Path(bundle_dir) / SEGMENT_MODEL).read_text())
        return cls.from_dict(data)


def segment_profiles(customers: pd.DataFrame) -> pd.DataFrame:
    """Size, revenue share and typical R, F, M per segment, best segment first."""
    total_revenue = customers["monetary"].sum()
    rows = []
    for segment in SEGMENTS:
        part = customers[customers["segment"] == segment]
        if part.empty:
            continue
        rows.append(
            {
                "segment": segment,
                "clusters": ",".join(str(c) for c in sorted(part["cluster"].unique())),
                "customers": len(part),
                "customer_share": len(part) / len(customers),
                "revenue": part["monetary"].sum(),
                "revenue_share": part["monetary"].sum() / total_revenue,
                **{f"{f.split('_')[0]}_mean": part[f].mean() for f in FEATURES},
                **{f"{f.split('_')[0]}_median": part[f].median() for f in FEATURES},
            }
        )
    return pd.DataFrame(rows)
