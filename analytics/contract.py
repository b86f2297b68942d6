"""The artifact bundle contract: the only thing the dashboard knows about analytics.

A bundle is a folder of Parquet tables plus ``manifest.json`` (and
``segment_model.json``). It is written by ``python -m analytics build`` into a
temporary sibling folder and renamed into place, so a reader never sees a half-written
bundle.

Every table below is a plain Parquet file named ``<TABLE>.parquet``. Column lists are
the minimum a reader may rely on; writers may add columns. Dates are ``datetime64``
(naive, shop-local time), money is pounds as ``float64``, IDs are strings except
``customer_id`` (``int64``).
"""

from __future__ import annotations

SCHEMA_VERSION = 1

MANIFEST = "manifest.json"
SEGMENT_MODEL = "segment_model.json"

# The cleaned line-level frame every analytics stage consumes (in memory only).
LINE_COLUMNS = [
    "invoice",  # str, e.g. "536365"
    "stock_code",  # str, upper-case, e.g. "85123A"
    "description",  # str, most common description of the stock code
    "quantity",  # int64 > 0
    "invoice_date",  # datetime64[ns]
    "unit_price",  # float64 > 0, pounds
    "customer_id",  # int64
    "country",  # str
    "revenue",  # float64 = quantity * unit_price
]

# Both personalised lists (top 5 and "discover") share one layout.
_RECOMMENDATION_COLUMNS = [
    "customer_id",
    "rank",
    "stock_code",
    "description",
    "score",
    "reason",
]

TABLES: dict[str, list[str]] = {
    # One row per customer: RFM, segment and PCA coordinates (fixed contract).
    "customers": [
        "customer_id",
        "country",
        "region",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "pc1",
        "pc2",
        "pc3",
        # extra: cluster (int), first_purchase, last_purchase (datetime), units (int)
    ],
    # One row per invoice (order): the base for any date x country/region filter.
    "invoices": [
        "invoice",
        "customer_id",
        "invoice_date",
        "country",
        "region",
        "revenue",
        "units",
        "lines",
    ],
    # One row per day x country: revenue/orders/units/customers/lines for trend charts.
    "daily_country": [
        "date",
        "country",
        "region",
        "revenue",
        "orders",
        "units",
        "customers",
        "lines",
    ],
    # One row per day x country x product: top products for any filter.
    "product_daily": ["date", "country", "stock_code", "units", "revenue", "orders"],
    # One row per product over the whole bundle period.
    "products": [
        "stock_code",
        "description",
        "revenue",
        "units",
        "orders",
        "customers",
        "first_sold",
        "last_sold",
        "median_unit_price",
    ],
    # One row per customer x product (purchase history detail, recommender input).
    "customer_products": [
        "customer_id",
        "stock_code",
        "units",
        "revenue",
        "orders",
        "first_bought",
        "last_bought",
    ],
    # Country -> region and whole-period totals.
    "countries": ["country", "region", "revenue", "orders", "customers", "units"],
    # Pareto curves: kind in {"customers", "products"}; share_of_entities ascending.
    "pareto": ["kind", "rank", "share_of_entities", "share_of_revenue"],
    # KMeans k = 2..10: elbow and silhouette.
    "kmeans_scan": [
        "k",
        "inertia",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
    ],
    # KMeans vs DBSCAN vs Agglomerative (Ward) on the same scaled RFM.
    "model_comparison": [
        "model",
        "params",
        "n_clusters",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "noise_share",
        "chosen",
    ],
    # One row per segment (and its cluster ids): size, revenue share, typical RFM.
    "segment_profiles": [
        "segment",
        "clusters",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
        "recency_mean",
        "frequency_mean",
        "monetary_mean",
        "recency_median",
        "frequency_median",
        "monetary_median",
    ],
    # Recommendations (issue 3; fixed contract).
    "recommendations": _RECOMMENDATION_COLUMNS,
    # Optional second list: products the customer has never bought ("discover").
    "discover_recommendations": _RECOMMENDATION_COLUMNS,
    "similar_products": ["stock_code", "rank", "similar_stock_code", "score", "method"],
    # Offline evaluation on a time split: one row per task x method x metric set.
    "evaluation": [
        "task",
        "method",
        "precision_at_5",
        "recall_at_5",
        "map_at_5",
        "ndcg_at_5",
        "hit_rate_at_5",
        "customers",
    ],
    # Per task and metric: the project minus the best baseline on that metric, with
    # a 95 % paired bootstrap interval over the test customers (analytics.metrics).
    "evaluation_intervals": [
        "task",
        "metric",
        "baseline",
        "project",
        "baseline_value",
        "difference",
        "low",
        "high",
        "reading",
    ],
}

# The four business segments, best first.
SEGMENTS = ["High-Value", "Regular", "Occasional", "At-Risk"]

REGIONS = [
    "UK",
    "Western Europe",
    "Northern Europe",
    "Southern Europe",
    "Eastern Europe",
    "Middle East",
    "Asia-Pacific",
    "Americas",
    "Africa",
    "Unspecified",
]

# manifest.json keys: schema_version, built_at (ISO UTC), bundle_version (hex digest of
# inputs + parameters + code version), inputs [{path, sha256, rows}], parameters {until,
# seed, ...}, libraries {name: version}, cleaning {rows_in, removed: {rule: count},
# filled: {what: count}, rows_out, customers, products, countries, date_min,
# date_max}, stages {name: seconds},
# segmentation {chosen_model, reason, k, pca_explained_variance: [..3]},
# recommendations {...}, as_of (ISO date recency is measured from).
