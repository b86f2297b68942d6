"""Ingest on damaged or odd input (found by fuzzing the build): damaged files,
values out of range, time zones, future dates and odd headers."""

import gzip

import numpy as np
import pandas as pd
import pytest
from helpers import raw_rows, small_shop, write_csv
from test_ingest import ROWS, _read

from analytics.errors import InputError


def _with(column, value):
    """ROWS as a raw frame whose second row (line 3 of a CSV) holds ``value``."""
    frame = raw_rows(ROWS)
    frame[column] = frame[column].astype(object)
    frame.loc[1, column] = value
    return frame


@pytest.mark.parametrize("damage", ["truncated", "zeroed"])
def test_damaged_gzip_is_named_as_such(tmp_path, damage):
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt") as handle:
        small_shop(120).to_csv(handle, index=False)
    raw = path.read_bytes()
    middle = len(raw) // 2
    if damage == "truncated":
        path.write_bytes(raw[:middle])
    else:
        path.write_bytes(raw[:middle] + bytes(50) + raw[middle + 50 :])
    with pytest.raises(InputError, match="t.csv.gz: the compressed file is truncated"):
        _read(path)


@pytest.mark.parametrize("text", ["2300-01-01 10:00:00", "1500-01-01 10:00:00"])
def test_date_outside_supported_range_names_the_row(tmp_path, text):
    path = write_csv(_with("InvoiceDate", text), tmp_path / "t.csv")
    with pytest.raises(InputError) as err:
        _read(path)
    assert (
        f"column InvoiceDate, row 3: cannot read {text!r} as a date between "
        "1677-09-22 and 2262-04-10"
    ) in str(err.value)


def test_a_date_after_today_names_the_row(tmp_path):
    later = (pd.Timestamp.now() + pd.Timedelta(days=400)).strftime("%Y-%m-%d 10:00:00")
    path = write_csv(_with("InvoiceDate", later), tmp_path / "t.csv")
    with pytest.raises(InputError) as err:
        _read(path)
    today = pd.Timestamp.now().strftime("%Y-%m-%d")
    assert (
        f"column InvoiceDate, row 3: cannot read {later!r} as a date no later than "
        f"today ({today})"
    ) in str(err.value)
    tomorrow = (pd.Timestamp.now() + pd.Timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    assert len(_read(write_csv(_with("InvoiceDate", tomorrow), tmp_path / "u.csv")))


def test_a_blank_date_is_called_empty(tmp_path):
    path = write_csv(_with("InvoiceDate", ""), tmp_path / "t.csv")
    with pytest.raises(InputError, match="column InvoiceDate, row 3: no value"):
        _read(path)


def test_parquet_date_outside_supported_range_names_the_row(tmp_path):
    frame = raw_rows(ROWS)
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[s]")
    frame.loc[2, "InvoiceDate"] = pd.Timestamp("2300-01-01").as_unit("s")
    frame.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(InputError, match="column InvoiceDate, row 3: .* between"):
        _read(tmp_path / "t.parquet")


@pytest.mark.parametrize(
    "suffixes",
    [["+05:00"] * 3, ["Z", "", ""], ["+01:00", "-0800", "Z"]],
    ids=["one-offset", "offset-and-none", "mixed-offsets"],
)
def test_text_dates_with_utc_offsets_keep_the_written_time(tmp_path, suffixes):
    frame = raw_rows(ROWS)
    written = frame["InvoiceDate"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    frame["InvoiceDate"] = written + pd.Series(suffixes)
    dates = _read(write_csv(frame, tmp_path / "t.csv"))["invoice_date"]
    assert dates.tolist() == [row[4] for row in ROWS]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Quantity", "inf", "cannot read 'inf' as a whole number from -999,999,999"),
        ("Quantity", "1e19", "cannot read '1e19' as a whole number from -999,999,999"),
        ("UnitPrice", "-inf", "cannot read '-inf' as a number from -1,000,000,000,000"),
        (
            "UnitPrice",
            "1e300",
            "cannot read '1e300' as a number from -1,000,000,000,000 to",
        ),
        ("CustomerID", "1e400", "cannot read '1e400' as a whole number from 0 to 9,0"),
        (
            "CustomerID",
            "1e20",
            "cannot read '1e20' as a whole number from 0 to 9,007,199,254,740,991",
        ),
        ("CustomerID", "-5", "cannot read '-5' as a whole number from 0 to"),
        ("CustomerID", "12346.7", "cannot read '12346.7' as a whole number"),
    ],
)
def test_number_out_of_range_names_the_row(tmp_path, column, value, message):
    path = write_csv(_with(column, value), tmp_path / "t.csv")
    with pytest.raises(InputError) as err:
        _read(path)
    assert f"column {column}, row 3: {message}" in str(err.value)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Quantity", "0x10", "cannot read '0x10' as a whole number"),  # not 16
        ("UnitPrice", "NAN", "cannot read 'NAN' as a number"),  # ("nan": empty)
        ("CustomerID", "1_000", "cannot read '1_000' as a whole number"),
        ("UnitPrice", "1,5", "cannot read '1,5' as a number"),
    ],
)
def test_text_numbers_that_arrow_or_pandas_would_misread_name_the_row(
    tmp_path, column, value, message
):
    # Text numbers are read by Arrow first (fast), by pandas when Arrow cannot:
    # neither may accept hexadecimal, "nan" or separators as numbers.
    path = write_csv(_with(column, value), tmp_path / "t.csv")
    with pytest.raises(InputError) as err:
        _read(path)
    assert f"column {column}, row 3: {message}" in str(err.value)


def test_text_numbers_with_signs_and_exponents_read_as_numbers(tmp_path):
    frame = raw_rows(ROWS)
    frame["Quantity"] = ["+5", "-0", "007"]
    frame["UnitPrice"] = ["1e1", "-0", ".5"]
    out = _read(write_csv(frame, tmp_path / "t.csv"))
    assert out["quantity"].tolist() == [5, 0, 7]
    assert out["unit_price"].tolist() == [10.0, 0.0, 0.5]
    assert not np.signbit(out["unit_price"]).any()  # a price of "-0" is 0


def test_numbers_at_the_limits_are_read_exactly(tmp_path):
    frame = raw_rows(ROWS)
    frame["Quantity"] = [-999_999_999, 999_999_999, 1]
    frame["UnitPrice"] = [-1e12, 1e12, 0.01]
    frame["CustomerID"] = [0, 2**53 - 1, None]
    out = _read(write_csv(frame, tmp_path / "t.csv"))
    assert out["quantity"].tolist() == [-999_999_999, 999_999_999, 1]
    assert out["unit_price"].tolist() == [-1e12, 1e12, 0.01]
    assert out["customer_id"].tolist()[:2] == [0, 2**53 - 1]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "Quantity",
            np.uint64(2**64 - 1),
            "cannot read '18446744073709551615' as a whole",
        ),
        ("UnitPrice", np.inf, "cannot read 'inf' as a number from"),
        ("Quantity", True, "cannot read 'True' as a whole number"),
        ("UnitPrice", True, "cannot read 'True' as a number"),
        ("CustomerID", False, "cannot read 'False' as a whole number"),
    ],
)
def test_parquet_number_out_of_range_or_boolean_names_the_row(
    tmp_path, column, value, message
):
    frame = raw_rows(ROWS)
    frame[column] = pd.Series([value] * 3, dtype=np.asarray(value).dtype)
    frame.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(InputError) as err:
        _read(tmp_path / "t.parquet")
    assert f"column {column}, row 1: {message}" in str(err.value)


def test_column_named_twice_is_an_error(tmp_path):
    path = tmp_path / "t.csv"
    raw_rows(ROWS).assign(Extra="x").rename(columns={"Extra": "Quantity"}).to_csv(
        path, index=False
    )
    with pytest.raises(InputError, match="column 'Quantity' appears 2 times"):
        _read(path)


@pytest.mark.parametrize(
    "extra, first, second",
    [
        ("Price", "UnitPrice", "Price"),  # Online Retail and Online Retail II names
        ("quantity", "Quantity", "quantity"),  # the contract's own name, later
        ("Invoice", "InvoiceNo", "Invoice"),
    ],
)
def test_two_names_of_one_column_are_an_error(tmp_path, extra, first, second):
    # The first used to win: Price (999 on every row) beside UnitPrice gave a
    # revenue of 28M for 52.7k.
    frame = raw_rows(ROWS).assign(**{extra: "999"})
    with pytest.raises(InputError, match=f"columns '{first}' and '{second}' are both"):
        _read(write_csv(frame, tmp_path / "t.csv"))


@pytest.mark.parametrize("header", ["spaces", "bom", "quoted-comma"])
def test_codes_stay_text_whatever_the_header_looks_like(tmp_path, header):
    frame = raw_rows(ROWS)
    frame["StockCode"] = ["020879", "071053", "022633"]
    # The byte-order mark lands on the first name: put the codes there.
    frame = frame[["StockCode"] + [c for c in frame.columns if c != "StockCode"]]
    if header == "spaces":
        frame.columns = [f" {c} " for c in frame.columns]
    elif header == "quoted-comma":
        frame.insert(0, "Note, internal", "n")
    path = write_csv(
        frame, tmp_path / "t.csv", encoding="utf-8-sig" if header == "bom" else "utf-8"
    )
    assert _read(path)["stock_code"].tolist() == ["020879", "071053", "022633"]


@pytest.mark.parametrize("separator, called", [("\t", "tabs"), (";", "semicolons")])
def test_a_file_separated_otherwise_says_so(tmp_path, separator, called):
    path = tmp_path / "t.csv"
    rows = raw_rows(ROWS)
    rows["Description"] = ["HEART, RED", "KEY FOB , BACK DOOR", "CAKE"]  # as real ones
    rows.to_csv(path, sep=separator, index=False)
    with pytest.raises(InputError, match=f"separated by {called}; save with commas"):
        _read(path)


def test_utf16_and_other_compressions_are_named(tmp_path):
    utf16 = tmp_path / "t.csv"
    raw_rows(ROWS).to_csv(utf16, index=False, encoding="utf-16")
    with pytest.raises(InputError, match="t.csv: UTF-16 text; save it as UTF-8"):
        _read(utf16)
    for suffix, compression in (("zip", "zip"), ("bz2", "bz2")):
        path = tmp_path / f"t.csv.{suffix}"
        raw_rows(ROWS).to_csv(path, index=False, compression=compression)
        with pytest.raises(InputError, match=f"compressed with {suffix}; give the"):
            _read(path)


def test_a_title_row_above_the_header_is_named(tmp_path):
    frame = raw_rows(ROWS)
    path = tmp_path / "t.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Sales report 2011"]]).to_excel(
            writer, index=False, header=False
        )
        frame.to_excel(writer, index=False, startrow=2)
    with pytest.raises(InputError, match="the first row looks like a title"):
        _read(path)


def test_a_workbook_names_the_sheet_of_a_problem(tmp_path):
    frame = raw_rows(ROWS)
    path = tmp_path / "t.xlsx"
    bad = frame.copy()
    bad["Quantity"] = bad["Quantity"].astype(object)
    bad.loc[2, "Quantity"] = "lots"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="Year 2010", index=False)
        bad.to_excel(writer, sheet_name="Year 2011", index=False)
    with pytest.raises(InputError) as err:
        _read(path)
    assert "t.xlsx (sheet 'Year 2011'): column Quantity, row 4: cannot read 'lots'" in (
        str(err.value)
    )
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="Sales", index=False)
        pd.DataFrame({"Note": ["prices in GBP"]}).to_excel(
            writer, sheet_name="Notes", index=False
        )
    with pytest.raises(InputError, match=r"\(sheet 'Notes'\): missing column\(s\)"):
        _read(path)
    both = tmp_path / "u.xlsx"
    with pd.ExcelWriter(both) as writer:
        frame.to_excel(writer, sheet_name="a", index=False)
        frame.to_excel(writer, sheet_name="b", index=False)
    assert len(_read(both)) == 2 * len(frame)


def test_a_spreadsheet_column_named_twice_is_an_error(tmp_path):
    frame = raw_rows(ROWS)
    frame.insert(4, "Quantity ", frame["Quantity"])  # written to the sheet twice
    frame.columns = [c.strip() for c in frame.columns]
    path = tmp_path / "t.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(InputError, match="column 'Quantity' appears 2 times"):
        _read(path)
