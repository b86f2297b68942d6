"""Convert raw column values (text, numbers, dates) or name the row that fails.

Private helpers of :mod:`analytics.ingest`: every problem becomes an
:class:`~analytics.errors.InputError` naming the file, the column, the row and what
was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.errors import InputError

# How each column is called in the Online Retail schema (used in error messages).
EXPECTED = {
    "invoice": "InvoiceNo",
    "stock_code": "StockCode",
    "description": "Description",
    "quantity": "Quantity",
    "invoice_date": "InvoiceDate",
    "unit_price": "UnitPrice",
    "customer_id": "CustomerID",
    "country": "Country",
}
# Accepted values of the numeric columns (both ends included). Anything outside is a
# data error that would otherwise turn silently wrong downstream:
# - a quantity below a billion keeps int64 unit sums exact for any file that fits in
#   memory (1e19 wraps negative on the int64 cast, inf cannot be cast at all);
# - a unit price within a trillion pounds keeps revenue (quantity x price) and its
#   sums finite (1e308 x 2 lines is inf);
# - a customer ID below 2**53 is exact as a float (missing IDs are NaN) and as int64;
#   the Online Retail data has no negative IDs.
# Non-finite values (inf, or 1e400 read as inf) fall outside every range.
RANGES = {
    "quantity": (-999_999_999, 999_999_999),
    "unit_price": (-(10**12), 10**12),
    "customer_id": (0, 2**53 - 1),
}
# datetime64[ns], the pipeline's date type, spans 1677-09-21 … 2262-04-11; whole days
# inside that span keep the message simple.
EARLIEST_DATE = pd.Timestamp("1677-09-22")
LATEST_DATE = pd.Timestamp("2262-04-10")
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2,4})")
_DATE_EXAMPLE = "a date (e.g. 2010-12-01 08:26:00 or 12/1/2010 8:26)"


def date_limit() -> tuple[pd.Timestamp, pd.Timestamp]:
    """Today, and the first moment no date may reach: the day after tomorrow (a
    day of slack for time zones). A sale, or a ``--until``, after it is a typo
    (2101 for 2011) or a misread format, and it would silently move "today"
    (recency, the cutoffs) there."""
    today = pd.Timestamp.now().normalize()
    return today, today + pd.Timedelta(days=2)


def row_number(index: int, first_row) -> int:
    """The row an error names: ``first_row`` (that of the first data row) plus
    ``index``; or ``first_row(index)`` where the file says better (a CSV's blank
    lines and line breaks inside quotes move its rows off that count)."""
    return first_row(index) if callable(first_row) else index + first_row


def _bad_row(path: Path, column: str, index: int, first_row, value, expected: str):
    raise InputError(
        f"{path}: column {EXPECTED[column]}, row {row_number(index, first_row)}: "
        f"cannot read {str(value)!r} as {expected}"
    )


def _empty_row(path: Path, column: str, index: int, first_row):
    row = row_number(index, first_row)
    # A CSV's NaN, NULL, N/A, NA read as no value (pyarrow), like a blank cell.
    raise InputError(
        f"{path}: column {EXPECTED[column]}, row {row}: no value (the cell is blank "
        "or says NaN, NULL or N/A)"
    )


# Written for a missing customer ID by exports from Python, R, SQL and
# spreadsheets: read as no customer (a guest's line), as a blank is.
MISSING_ID_TEXT = frozenset({"none", "null", "nan", "na", "n/a", "#n/a", "nil"})


def missing_ids_blank(series: pd.Series) -> pd.Series:
    """Text ``series`` of customer IDs with the words for "no customer"
    (:data:`MISSING_ID_TEXT`, any case) made blank; numbers as they are."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    words = series.astype("str").str.strip().str.lower()
    return series.where(~words.isin(MISSING_ID_TEXT) | series.isna(), "")


def _first(mask: pd.Series) -> int:
    """Position of the first True in a boolean mask."""
    return int(np.flatnonzero(mask.to_numpy())[0])


def _text(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        # Spreadsheets store numeric-looking codes as number cells, read as floats:
        # 71053.0 → "71053". Text cells stay as written ("00123" keeps its zeros).
        text = series.map(lambda v: isinstance(v, str), na_action="ignore")
        numbers = pd.to_numeric(series.where(text.eq(False)), errors="coerce")
        whole = numbers.notna() & (numbers == numbers.round())
        if whole.any():
            series = series.where(~whole, numbers.round().astype("Int64").astype("str"))
    return _visible(series.astype("str"))


# Characters that print as nothing: soft hyphen, zero-width space and joiners,
# direction marks, word joiner, a byte-order mark. Pasted from a web page into a
# code, they would make "85123A" and "85123A\u200b" two products.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def _visible(text: pd.Series) -> pd.Series:
    """``text`` without invisible characters and surrounding white space (checked
    on the distinct values: most files have none, and then it costs one factorize)."""
    text = text.str.strip()
    uniques = pd.factorize(text)[1]
    if uniques.str.contains(_INVISIBLE).any():
        text = text.str.replace(_INVISIBLE, "", regex=True).str.strip()
    return text


def _arrow_numbers(text: pd.Series) -> pd.Series | None:
    """Numeric text (stripped) read by Arrow as float64, NaN where empty; None when
    Arrow cannot read some value (then pandas reads them all and the bad one is
    named). Arrow reads what pandas reads, to the bit on both Online Retail
    files, ~30× faster (7 against 250 ms a column of 541,909 rows); it would read
    hexadecimal as integers, so it only reads floats, and a "-0" as 0, as pandas."""
    try:
        arr = pa.array(text.array)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.Series(values + 0.0, index=text.index)  # + 0.0: -0.0 becomes 0.0


def _numbers(series, path, column, first_row, integer=False) -> pd.Series:
    """Read a numeric column (values in :data:`RANGES`), or name the first bad row.

    Parameters
    ----------
    series : Series
        The raw column: text, numbers, or spreadsheet cells of either kind.
    path : Path or str
        The file, for error messages.
    column : str
        Contract column name (a key of :data:`EXPECTED` and :data:`RANGES`).
    first_row : int or callable
        Row number of the first value in the file, or of each (for error
        messages; see :func:`row_number`).
    integer : bool
        Whether values must be whole numbers (``12345.0`` counts as whole).

    Returns
    -------
    Series
        Numbers, NaN (or NA) where the value is empty.
    """
    kind = "a whole number" if integer else "a number"
    if pd.api.types.is_bool_dtype(series):
        # pandas counts booleans as numbers (True == 1): read them as the text they
        # are, rejected below like a TRUE cell in a workbook.
        series = series.astype(object)
    if pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series)
    elif series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
        "integer",
        "floating",
        "mixed-integer-float",
    ):
        values = pd.to_numeric(series)  # spreadsheet cells that are numbers
    else:
        text = series.astype("str").str.strip()
        values = _arrow_numbers(text)
        if values is None:  # Arrow could not read some value: pandas names it
            values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & series.notna() & (text != "")
        if bad.any():
            i = _first(bad)
            _bad_row(path, column, i, first_row, series.iloc[i], kind)
    low, high = RANGES[column]
    as_float = values.astype("float64")
    outside = as_float.notna() & ((as_float < low) | (as_float > high))
    if outside.any():
        i = _first(outside)
        expected = f"{kind} from {low:,} to {high:,}"
        _bad_row(path, column, i, first_row, series.iloc[i], expected)
    if integer:
        frac = values.notna() & (values != values.round())
        if frac.any():
            i = _first(frac)
            _bad_row(path, column, i, first_row, series.iloc[i], "a whole number")
    return values


def _date_format(sample: pd.Series) -> str | None:
    """Pick the date format of text dates (``sample``: distinct texts in the
    order they first appear): ISO, US month-first or day-first.

    A first number above 12 means day-first, a second one month-first. When
    neither is ever above 12 both readings are valid dates, and the one that
    reads like a transaction log wins: more often in date order down the file,
    then spanning less time (days 1–10 of one month read month-first become ten
    single days months apart); a tie reads month-first, as the UCI files are.
    """
    matches = sample.str.extract(_US_DATE)
    if matches[0].isna().all():
        return "ISO8601"
    first = pd.to_numeric(matches[0], errors="coerce")
    second = pd.to_numeric(matches[1], errors="coerce")
    year = matches[2].dropna()
    year_code = "%y" if (year.str.len() == 2).all() else "%Y"
    with_seconds = sample.str.count(":").max() >= 2
    time_code = "%H:%M:%S" if with_seconds else "%H:%M"
    month_first = f"%m/%d/{year_code} {time_code}"
    day_first = f"%d/%m/{year_code} {time_code}"
    if (first > 12).any():
        return day_first
    if (second > 12).any():
        return month_first
    return max((month_first, day_first), key=lambda f: _log_likeness(sample, f))


def _log_likeness(sample: pd.Series, fmt: str) -> tuple[float, float]:
    """How much ``sample`` read with ``fmt`` looks like a transaction log: the
    share of consecutive dates in order, then minus the days it spans."""
    dates = pd.to_datetime(sample, format=fmt, errors="coerce").dropna()
    if len(dates) < 2:
        return (1.0, 0.0)
    in_order = float((dates.diff().iloc[1:] >= pd.Timedelta(0)).mean())
    return (in_order, -(dates.max() - dates.min()) / pd.Timedelta(days=1))


def _to_datetime(uniques: pd.Series) -> pd.Series:
    """Parse distinct date texts in their shared format (NaT where unreadable)."""
    fmt = _date_format(uniques)
    try:
        parsed = pd.to_datetime(uniques, format=fmt, errors="coerce")
        if fmt != "ISO8601" and parsed.isna().any():
            # Times without minutes-only consistency (e.g. mixed seconds), or ISO
            # dates among the others (a spreadsheet's date cells among its text
            # dates): ISO ones as ISO, which day-first would read 2010-12-01 as
            # 12 January.
            iso = uniques.str.match(r"\s*\d{4}-\d{1,2}-\d{1,2}").fillna(False)
            rest = pd.to_datetime(
                uniques.where(~iso),
                format="mixed",
                errors="coerce",
                dayfirst=fmt.startswith("%d"),
            )
            as_iso = pd.to_datetime(
                uniques.where(iso), format="ISO8601", errors="coerce"
            )
            parsed = parsed.fillna(rest.where(~iso, as_iso))
    except (ValueError, TypeError):
        parsed = pd.to_datetime(uniques, format="mixed", errors="coerce")
    return parsed


def _wall_clock(text: str, dayfirst: bool) -> pd.Timestamp:
    """One date text as written, without its UTC offset (NaT where unreadable)."""
    stamp = pd.to_datetime(text, format="mixed", dayfirst=dayfirst, errors="coerce")
    return stamp.tz_localize(None) if stamp is not pd.NaT and stamp.tz else stamp


def _parse_text_dates(series: pd.Series) -> pd.Series:
    """Parse text dates (NaT where unreadable), at the resolution pandas picks.

    A UTC offset ("Z", "+05:00") is dropped and the wall-clock time kept as
    written, as for time-zone-aware date columns: dates are shop-local in the
    contract.
    """
    # Invoices repeat their timestamp on every line: parse each distinct text once.
    codes, uniques = pd.factorize(series.astype("str").str.strip())
    uniques = pd.Series(uniques)
    try:
        parsed = _to_datetime(uniques)
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_localize(None)
    except ValueError:
        # pandas refuses to mix offsets (or offsets and none) in one column: read
        # each text alone (slower, and only ever for such files).
        dayfirst = _date_format(uniques).startswith("%d")
        parsed = pd.Series(
            [_wall_clock(text, dayfirst) for text in uniques], dtype="datetime64[us]"
        )
    parsed_values = parsed.to_numpy()
    return pd.Series(
        np.where(codes >= 0, parsed_values[np.maximum(codes, 0)], np.datetime64("NaT")),
        index=series.index,
    )


def _dates(series: pd.Series, path: Path, first_row: int) -> pd.Series:
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
        "datetime",
        "datetime64",
    ):
        series = pd.to_datetime(series)  # spreadsheet date cells
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dt.tz_localize(None) if series.dt.tz else series
    else:
        values = _parse_text_dates(series)
    missing = values.isna()
    if missing.any():
        i = _first(missing)
        if pd.isna(series.iloc[i]) or not str(series.iloc[i]).strip():
            _empty_row(path, "invoice_date", i, first_row)
        expected = _DATE_EXAMPLE
        number = pd.to_numeric(str(series.iloc[i]), errors="coerce")
        if 20_000 <= number < 80_000:  # 1954 … 2119 as days since 30 Dec 1899
            expected += (
                " (this looks like a spreadsheet's day number: "
                "format the column as a date)"
            )
        _bad_row(path, "invoice_date", i, first_row, series.iloc[i], expected)
    # Checked before the cast, which would fail on them with a traceback.
    outside = (values < EARLIEST_DATE) | (values >= LATEST_DATE + pd.Timedelta(days=1))
    if outside.any():
        i = _first(outside)
        span = f"{EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}"
        _bad_row(
            path, "invoice_date", i, first_row, series.iloc[i], f"a date between {span}"
        )
    today, limit = date_limit()
    future = values >= limit
    if future.any():
        i = _first(future)
        expected = f"a date no later than today ({today:%Y-%m-%d})"
        _bad_row(path, "invoice_date", i, first_row, series.iloc[i], expected)
    return values.astype("datetime64[ns]")
