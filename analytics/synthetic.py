"""Deterministic synthetic transactions shaped like UCI Online Retail.

The project's default data: what a new user sees first, what benchmarks run on and what
the recommender is evaluated on. Customers have favourite themes and rebuy favourite
items, spend is heavy-tailed, trade peaks in Sep-Nov and never happens on Saturday, and
the file carries the real file's blemishes (cancellations, guest invoices, duplicates,
postage and manual codes, zero prices).

Every line is a pure function of ``(seed, invoice, line)`` through a counter-based hash,
so any row range can be generated on its own: chunked writing gives exactly the rows of
in-memory generation (text files byte for byte) and memory stays bounded.
"""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analytics._synthetic_lines import COLUMNS, Shop
from analytics.errors import InputError

__all__ = ["COLUMNS", "generate_transactions", "write_demo_data"]

CHUNK_ROWS = 500_000


def _check(rows: int, seed: int, start: str, days: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a whole number >= 0, not {seed!r}")
    try:
        pd.Timestamp(start)
    except (ValueError, TypeError):
        raise InputError(f"start {start!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise InputError(f"rows must be a positive whole number, not {rows!r}")
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 7:
        raise InputError(f"days must be a whole number of at least 7, not {days!r}")


def _tables(rows: int, seed: int, start: str, days: int, chunk_rows: int):
    _check(rows, seed, start, days)
    shop = Shop(int(rows), int(seed), start, int(days))
    for r0 in range(0, rows, chunk_rows):
        yield shop.rows_table(r0, min(rows, r0 + chunk_rows))


def generate_transactions(
    rows: int, seed: int = 0, start: str = "2010-12-01", days: int = 374
) -> pd.DataFrame:
    """Synthetic Online Retail transactions, exactly ``rows`` rows.

    Parameters
    ----------
    rows : int
        Number of rows (all kinds: purchases, cancellations, duplicates, postage).
    seed : int
        Same ``(rows, seed, start, days)`` gives identical data; seeds differ.
    start : str
        First calendar day (shop-local), ``YYYY-MM-DD``.
    days : int
        Length of the period in days (374 matches the real file's span).

    Returns
    -------
    pandas.DataFrame
        Columns ``InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
        UnitPrice, CustomerID, Country`` (strings, int64, datetime64[ns], float64 £,
        float64 with NaN for guest invoices, string), in invoice order.
    """
    tables = list(_tables(rows, seed, start, days, CHUNK_ROWS))
    frame = pa.concat_tables(tables).to_pandas()
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
    return frame


def _csv_chunk(table: pa.Table) -> pa.Table:
    """Dates as ``YYYY-MM-DD HH:MM:SS`` and customer IDs as whole numbers."""
    dates = table["InvoiceDate"].cast(pa.timestamp("s")).cast(pa.string())
    table = table.set_column(4, "InvoiceDate", dates)
    return table.set_column(6, "CustomerID", table["CustomerID"].cast(pa.int64()))


def write_demo_data(
    rows: int,
    seed: int,
    out: str | Path,
    start: str = "2010-12-01",
    days: int = 374,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Write synthetic transactions to ``.csv``, ``.csv.gz`` or ``.parquet``.

    Rows are generated and appended in chunks of ``chunk_rows``, so memory stays
    bounded; the file is the same whatever the chunk size and is renamed into place
    only when complete. Progress goes to stderr for outputs of a million rows or more.

    Returns
    -------
    int
        Rows written.
    """
    out = Path(out)
    name = out.name.lower()
    kind = next((k for k in (".csv.gz", ".csv", ".parquet") if name.endswith(k)), None)
    if kind is None:
        raise InputError(
            f"{out}: unsupported extension (use .csv, .csv.gz or .parquet)"
        )
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    part = out.with_name(out.name + ".part")
    written = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "wb") as raw:
            sink = (
                gzip.GzipFile("", "wb", 6, raw, mtime=0) if kind == ".csv.gz" else raw
            )
            writer = None
            for table in _tables(rows, seed, start, days, chunk_rows):
                if kind == ".parquet":
                    if writer is None:
                        writer = pq.ParquetWriter(
                            sink, table.schema, compression="zstd"
                        )
                    writer.write_table(table)
                else:
                    if written == 0:  # plain header, as in the real file
                        sink.write((",".join(COLUMNS) + "\n").encode())
                    options = pacsv.WriteOptions(
                        include_header=False, quoting_style="none"
                    )
                    pacsv.write_csv(_csv_chunk(table), sink, options)
                written += table.num_rows
                if rows >= 1_000_000:
                    print(f"demo-data: {written:,}/{rows:,} rows", file=sys.stderr)
            if writer is not None:
                writer.close()
            if sink is not raw:
                sink.close()
        os.replace(part, out)
    except OSError as exc:
        raise InputError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    finally:
        if part.exists():
            part.unlink()
    return written
