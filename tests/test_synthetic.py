"""The synthetic Online Retail generator: schema, determinism, shape and writers."""

from __future__ import annotations

import re

import pandas as pd
import pandas.testing as pdt
import pytest

from analytics._synthetic_vocab import THEMES
from analytics.errors import InputError
from analytics.synthetic import COLUMNS, generate_transactions, write_demo_data

ROWS = 40_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate_transactions(ROWS, seed=7)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    keep = (
        frame["CustomerID"].notna()
        & ~frame["InvoiceNo"].str.startswith("C")
        & (frame["Quantity"] > 0)
        & (frame["UnitPrice"] > 0)
        & frame["StockCode"].str.fullmatch(r"\d{5}[A-Z]?")
    )
    return frame[keep].drop_duplicates()


def test_columns_dtypes_and_exact_row_count(frame):
    assert list(frame.columns) == COLUMNS
    assert len(frame) == ROWS
    for column in ["InvoiceNo", "StockCode", "Description", "Country"]:
        assert pd.api.types.is_string_dtype(frame[column]), column
    assert frame["Quantity"].dtype == "int64"
    assert frame["InvoiceDate"].dtype == "datetime64[ns]"
    assert frame["UnitPrice"].dtype == "float64"
    assert frame["CustomerID"].dtype == "float64"
    ids = frame["CustomerID"].dropna()
    assert (ids == ids.round()).all() and ids.min() >= 12346


def test_same_seed_same_data_and_other_seed_differs(frame):
    pdt.assert_frame_equal(generate_transactions(ROWS, seed=7), frame)
    other = generate_transactions(ROWS, seed=8)
    assert len(other) == ROWS
    assert not other["StockCode"].equals(frame["StockCode"])


def test_blemishes_like_the_real_file(frame):
    cancel = frame["InvoiceNo"].str.startswith("C")
    assert 0.01 < cancel.mean() < 0.03
    assert (frame.loc[cancel, "Quantity"] < 0).all()
    assert (frame.loc[~cancel, "Quantity"] > 0).all()
    assert 0.20 < frame["CustomerID"].isna().mean() < 0.30
    # Guest invoices are whole invoices without a customer.
    assert (
        frame.groupby("InvoiceNo")["CustomerID"]
        .apply(lambda s: s.isna().all() or s.notna().all())
        .all()
    )
    assert 0.003 < frame.duplicated().mean() < 0.015
    special = ~frame["StockCode"].str.fullmatch(r"\d{5}[A-Z]?")
    assert 0.002 < special.mean() < 0.01
    assert set(frame.loc[special, "StockCode"]) <= {
        "POST",
        "DOT",
        "M",
        "C2",
        "BANK CHARGES",
    }
    assert (frame["UnitPrice"] == 0).sum() > 0
    assert frame["StockCode"].str.fullmatch(r"\d{5}[A-Z]").any()  # colour variants


def test_cancellations_mirror_an_earlier_purchase(frame):
    cancel = frame[frame["InvoiceNo"].str.startswith("C")]
    bought = frame[~frame["InvoiceNo"].str.startswith("C")]
    pairs = cancel.merge(
        bought, on=["CustomerID", "StockCode", "UnitPrice"], suffixes=("", "_buy")
    )
    pairs = pairs[
        (pairs["Quantity_buy"] == -pairs["Quantity"])
        & (pairs["InvoiceDate_buy"] <= pairs["InvoiceDate"])
    ]
    mirrored = pairs.drop_duplicates(["InvoiceNo", "StockCode"])
    assert len(mirrored) == len(cancel.drop_duplicates(["InvoiceNo", "StockCode"]))


def test_countries_customers_and_calendar(frame):
    uk = (frame["Country"] == "United Kingdom").mean()
    assert 0.85 < uk < 0.95
    assert frame["Country"].nunique() >= 15
    per_customer = frame.dropna(subset=["CustomerID"]).groupby("CustomerID")
    assert (per_customer["Country"].nunique() == 1).all()
    dates = frame["InvoiceDate"]
    assert not (dates.dt.day_of_week == 5).any()  # no Saturday trading
    assert dates.dt.hour.between(6, 21).all()
    assert dates.min() >= pd.Timestamp("2010-12-01")
    assert dates.max() < pd.Timestamp("2010-12-01") + pd.Timedelta(days=374)
    quarter = dates.dt.quarter.value_counts()
    assert quarter[4] > 1.5 * quarter[1]
    lines = frame.groupby("InvoiceNo").size()
    customer_lines = lines[frame.groupby("InvoiceNo")["CustomerID"].first().notna()]
    assert 8 <= customer_lines.median() <= 25


def test_christmas_stock_peaks_in_q4(frame):
    xmas = frame["Description"].str.contains("CHRISTMAS|SNOWFLAKE|REINDEER|ROBIN")
    quarter = frame.loc[xmas, "InvoiceDate"].dt.quarter
    assert (quarter == 4).mean() > 0.5
    assert (quarter == 1).mean() < 0.05


def test_heavy_tailed_spend_and_prices(frame):
    clean = _clean(frame)
    spend = (clean["Quantity"] * clean["UnitPrice"]).groupby(clean["CustomerID"]).sum()
    top = spend.sort_values(ascending=False).head(int(len(spend) * 0.2))
    assert 0.70 <= top.sum() / spend.sum() <= 0.90
    assert 0.5 <= clean["UnitPrice"].median() <= 4
    assert clean["UnitPrice"].quantile(0.9) < 15
    assert clean["Quantity"].median() <= 12 and clean["Quantity"].max() >= 100


def _top3_theme_share(lines: pd.DataFrame) -> float:
    """Mean share of a customer's lines in their three most bought themes."""
    counts = lines.groupby(["CustomerID", "theme"]).size()
    top3 = counts.groupby(level=0).apply(lambda s: s.nlargest(3).sum())
    return float((top3 / counts.groupby(level=0).sum()).mean())


def test_customers_rebuy_and_themes_cluster(frame):
    clean = _clean(frame).sort_values("InvoiceDate", kind="stable")
    # Wholesale reordering: many lines are items the customer bought before.
    assert clean.duplicated(["CustomerID", "StockCode"]).mean() > 0.2
    names = sorted((name for name, _ in THEMES), key=len, reverse=True)
    pattern = "(" + "|".join(re.escape(name) for name in names) + ")"
    clean = clean.assign(theme=clean["Description"].str.extract(pattern)[0])
    assert clean["theme"].notna().mean() > 0.99
    busy = clean.groupby("CustomerID")["theme"].transform("size") >= 20
    lines = clean[busy]
    shuffled = lines.assign(
        CustomerID=lines["CustomerID"].sample(frac=1, random_state=0).to_numpy()
    )
    # Customers' lines concentrate on their preferred themes, far above chance.
    assert _top3_theme_share(lines) > _top3_theme_share(shuffled) + 0.25


def test_catalogue_and_customer_counts_scale():
    small = generate_transactions(20_000, seed=1)
    large = generate_transactions(80_000, seed=1)
    assert small["CustomerID"].nunique() < large["CustomerID"].nunique()
    assert 400 < large["CustomerID"].nunique() < 900
    assert large["StockCode"].nunique() > 2500
    assert small["Description"].str.isupper().mean() > 0.99


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_write_round_trip_and_chunking(tmp_path, suffix):
    rows = 12_345
    expected = generate_transactions(rows, seed=3)
    path = tmp_path / f"demo{suffix}"
    assert write_demo_data(rows, 3, path, chunk_rows=1_000) == rows
    if suffix == ".parquet":
        back = pd.read_parquet(path)
    else:
        back = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str})
        text = path.read_bytes() if suffix == ".csv" else None
        if text is not None:
            assert b"2010-12-01 " in text and b"T0" not in text
        back["InvoiceDate"] = pd.to_datetime(back["InvoiceDate"], format="ISO8601")
    back["InvoiceDate"] = back["InvoiceDate"].astype("datetime64[ns]")
    back["CustomerID"] = back["CustomerID"].astype("float64")
    pdt.assert_frame_equal(back, expected, check_dtype=False)
    # Same arguments, same bytes; text files are identical whatever the chunk size
    # (Parquet row groups follow the chunks, its content does not).
    again = tmp_path / f"again{suffix}"
    write_demo_data(rows, 3, again, chunk_rows=1_000)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / f"other{suffix}"
    write_demo_data(rows, 3, other, chunk_rows=5_000)
    if suffix == ".parquet":
        pdt.assert_frame_equal(pd.read_parquet(other), pd.read_parquet(path))
    else:
        assert other.read_bytes() == path.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(InputError, match="unsupported extension"):
        write_demo_data(100, 0, tmp_path / "demo.xlsx")
    with pytest.raises(InputError, match="rows must be"):
        generate_transactions(0)
    with pytest.raises(InputError, match="seed must be"):
        generate_transactions(100, seed=-1)
    with pytest.raises(InputError, match="not a date"):
        generate_transactions(100, start="someday")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot be written"):
        write_demo_data(100, 0, blocker / "demo.csv")
