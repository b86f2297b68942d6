"""Shared fixtures: a small demo bundle built once per session, and the headless
Chromium options for the dash_duo browser tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.headless_chromium import chrome_options

DEMO_ROWS = 20_000


def pytest_setup_options():
    """Options for dash[testing]'s webdriver (hook read by its pytest plugin)."""
    return chrome_options()


@pytest.fixture(scope="session")
def online_retail_raw() -> tuple[pd.DataFrame, int]:
    """Online Retail's rows as read and the overlap count, once for the integration
    tests (which skip first when the data is absent); treat as read-only."""
    from helpers import ONLINE_RETAIL

    from analytics.ingest import load_transactions

    frame, _, overlap = load_transactions([ONLINE_RETAIL])
    return frame, overlap


@pytest.fixture(scope="session")
def online_retail_lines(online_retail_raw) -> pd.DataFrame:
    """Online Retail, cleaned once for the integration tests; treat as read-only."""
    from analytics.cleaning import clean

    return clean(*online_retail_raw)[0]


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory) -> Path:
    """A bundle built from 20,000 synthetic rows (a few seconds, no shared data)."""
    from analytics.build import build_bundle
    from analytics.synthetic import write_demo_data

    folder = tmp_path_factory.mktemp("demo")
    source = folder / "demo.parquet"
    write_demo_data(DEMO_ROWS, 0, source)
    build_bundle([source], folder / "bundle", log=lambda _: None)
    return folder / "bundle"


@pytest.fixture(scope="session")
def full_bundle(demo_bundle, tmp_path_factory) -> Path:
    """The demo bundle plus small recommendation tables written here, so pages
    can be tested with and without the optional tables."""
    folder = tmp_path_factory.mktemp("full") / "bundle"
    shutil.copytree(demo_bundle, folder)
    customers = pd.read_parquet(folder / "customers.parquet")["customer_id"]
    codes = pd.read_parquet(folder / "products.parquet")["stock_code"].tolist()
    first = int(customers.iloc[0])
    pd.DataFrame(
        {
            "customer_id": [first] * 5,
            "rank": range(1, 6),
            "stock_code": codes[:5],
            "description": [f"ITEM {i}" for i in range(5)],
            "score": [0.9, 0.8, 0.7, 0.6, 0.5],
            "reason": ['=HYPERLINK("x")', "bought together", "b", "c", "d"],
        }
    ).to_parquet(folder / "recommendations.parquet", index=False)
    pd.DataFrame(
        {
            "stock_code": [codes[0]] * 4,
            "rank": [1, 2, 1, 2],
            "similar_stock_code": codes[1:3] + codes[3:5],
            "score": [0.5, 0.4, 0.9, 0.8],
            "method": ["cf", "cf", "content", "content"],
        }
    ).to_parquet(folder / "similar_products.parquet", index=False)
    pd.DataFrame(
        {
            "task": ["next purchases"] * 2,
            "method": ["popularity", "shopper"],
            "precision_at_5": [0.05, 0.09],
            "recall_at_5": [0.02, 0.04],
            "map_at_5": [0.03, 0.06],
            "ndcg_at_5": [0.05, 0.1],
            "hit_rate_at_5": [0.2, 0.3],
            "customers": [100, 100],
        }
    ).to_parquet(folder / "evaluation.parquet", index=False)
    return folder


@pytest.fixture(scope="session")
def bare_bundle(demo_bundle, tmp_path_factory) -> Path:
    """The demo bundle without the optional recommendation tables (as an early
    bundle would be)."""
    from dashboard.data import OPTIONAL_TABLES

    folder = tmp_path_factory.mktemp("bare") / "bundle"
    shutil.copytree(demo_bundle, folder)
    for name in OPTIONAL_TABLES:
        (folder / f"{name}.parquet").unlink(missing_ok=True)
    return folder


@pytest.fixture
def data(demo_bundle):
    """Data access over the demo bundle, without a cache."""
    from dashboard.data import DataAccess

    return DataAccess(demo_bundle)


@pytest.fixture
def full_data(full_bundle):
    from dashboard.data import DataAccess

    return DataAccess(full_bundle)


@pytest.fixture
def bare_data(bare_bundle):
    from dashboard.data import DataAccess

    return DataAccess(bare_bundle)
