"""Plain helpers shared by the analytics tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.synthetic import COLUMNS  # the UCI Online Retail header

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
ONLINE_RETAIL = SHARED_DATA / "online_retail.csv.gz"
ONLINE_RETAIL_II = SHARED_DATA / "online_retail_ii_2009_2010.csv.gz"

requires_shared_data = pytest.mark.skipif(
    not ONLINE_RETAIL.exists() or not ONLINE_RETAIL_II.exists(),
    reason=f"reference data absent: {SHARED_DATA} (see ../shared/data/README.md)",
)


def raw_rows(rows: list[tuple]) -> pd.DataFrame:
    """A raw Online Retail frame from tuples in COLUMNS order."""
    return pd.DataFrame(rows, columns=COLUMNS)


def small_shop(
    customers: int = 120, seed: int = 0, start: str = "2010-12-01"
) -> pd.DataFrame:
    """A raw Online Retail frame with distinct kinds of customers (for segmentation).

    A quarter are frequent big spenders, a quarter regulars, a quarter recent one-off
    buyers and a quarter lapsed buyers; every row is clean.
    """
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    rows, invoice = [], 500000
    for c in range(customers):
        kind = c % 4
        n_orders = [12, 5, 1, 2][kind]
        lo, hi = [(0, 360), (60, 360), (330, 360), (0, 120)][kind]
        days = np.sort(rng.integers(lo, hi, n_orders))
        for day in days:
            invoice += 1
            when = start_ts + pd.Timedelta(days=int(day), hours=9)
            for _ in range(int(rng.integers(1, 4))):
                item = int(rng.integers(0, 30))
                qty = int(rng.choice([1, 2, 6, 12])) * (4 if kind == 0 else 1)
                rows.append(
                    (
                        str(invoice),
                        f"2{item:04d}",
                        f"ITEM {item}",
                        qty,
                        when,
                        round(1 + item / 10, 2),
                        12000 + c,
                        "United Kingdom" if c % 5 else "Germany",
                    )
                )
    return raw_rows(rows)


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    date_format: str | None = None,
    encoding: str = "utf-8",
) -> Path:
    frame = frame.copy()
    if date_format:
        frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"]).dt.strftime(
            date_format
        )
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def purchase_line(invoice, customer: int, code: str, day: int) -> dict:
    """One cleaned line (contract LINE_COLUMNS): one unit at £1, day 0 = 2011-01-01."""
    return {
        "invoice": str(invoice),
        "stock_code": code,
        "description": f"PRODUCT {code}",
        "quantity": 1,
        "invoice_date": pd.Timestamp("2011-01-01") + pd.Timedelta(days=day),
        "unit_price": 1.0,
        "customer_id": customer,
        "country": "United Kingdom",
        "revenue": 1.0,
    }


def purchase_lines(rows) -> pd.DataFrame:
    """Cleaned lines from ``(invoice, customer, code, day)`` tuples."""
    return pd.DataFrame([purchase_line(*row) for row in rows])


def walk(component):
    """Every component of a Dash component tree, the root first."""
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from walk(child)
    elif children is not None and not isinstance(children, str | int | float):
        yield from walk(children)


def text_of(component) -> str:
    """All text inside a Dash component tree, figure annotations included."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    parts = [text_of(getattr(component, "children", None))]
    figure = getattr(component, "figure", None)
    if isinstance(figure, dict):
        parts += [a.get("text", "") for a in figure["layout"].get("annotations", [])]
    return " ".join(parts)
