"""Reading every supported format and vocabulary, and every bad-input case."""

import gzip
import re

import pandas as pd
import pytest
from helpers import raw_rows, small_shop, write_csv

from analytics.errors import InputError
from analytics.ingest import load_transactions

ROWS = [
    (
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        6,
        pd.Timestamp("2010-12-01 08:26"),
        2.55,
        17850.0,
        "United Kingdom",
    ),
    (
        "536366",
        "22633",
        "HAND WARMER UNION JACK",
        6,
        pd.Timestamp("2010-12-13 09:02"),
        1.85,
        17850.0,
        "United Kingdom",
    ),
    (
        "C536379",
        "22556",
        "PLASTERS IN TIN CIRCUS PARADE",
        -12,
        pd.Timestamp("2010-12-01 09:41"),
        1.65,
        None,
        "Germany",
    ),
]


def _read(path):
    frame, inputs, overlap = load_transactions([path])
    return frame


def _rows_with(column: str, row: int, value) -> pd.DataFrame:
    """:data:`ROWS` as raw rows, with ``value`` written in ``column`` of ``row``."""
    frame = raw_rows(ROWS)
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


def _csv_with(tmp_path, column: str, row: int, value):
    """:func:`_rows_with` saved as a CSV; its path."""
    return write_csv(_rows_with(column, row, value), tmp_path / "t.csv")


def test_reads_online_retail_csv_with_iso_dates(tmp_path):
    frame = _read(write_csv(raw_rows(ROWS), tmp_path / "t.csv"))
    assert list(frame.columns) == [
        "invoice",
        "stock_code",
        "description",
        "quantity",
        "invoice_date",
        "unit_price",
        "customer_id",
        "country",
    ]
    assert frame["invoice_date"].iloc[1] == pd.Timestamp("2010-12-13 09:02")
    assert frame["quantity"].tolist() == [6, 6, -12]
    assert pd.isna(frame["customer_id"].iloc[2])
    assert frame["invoice"].iloc[2] == "C536379"


def test_reads_us_month_first_dates(tmp_path):
    path = write_csv(raw_rows(ROWS), tmp_path / "t.csv", date_format="%m/%d/%Y %H:%M")
    frame = _read(path)
    assert frame["invoice_date"].iloc[1] == pd.Timestamp("2010-12-13 09:02")
    assert frame["invoice_date"].iloc[0] == pd.Timestamp("2010-12-01 08:26")


def test_reads_unpadded_us_dates_as_written_in_public_copies(tmp_path):
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
        "CustomerID,Country\n536365,85123A,X,6,12/1/2010 8:26,2.55,17850,"
        "United Kingdom\n536366,22633,Y,6,1/4/2011 10:05,1.85,17850,France\n"
    )
    path = tmp_path / "t.csv"
    path.write_text(text)
    frame = _read(path)
    assert frame["invoice_date"].tolist() == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2011-01-04 10:05"),
    ]


def test_detects_day_first_dates(tmp_path):
    path = write_csv(raw_rows(ROWS), tmp_path / "t.csv", date_format="%d/%m/%Y %H:%M")
    assert _read(path)["invoice_date"].iloc[1] == pd.Timestamp("2010-12-13 09:02")


def _dates_read(tmp_path, dates: list[str]) -> list[pd.Timestamp]:
    header = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
        "CustomerID,Country\n"
    )
    body = "".join(
        f"{536365 + i},85123A,X,6,{d},2.55,17850,United Kingdom\n"
        for i, d in enumerate(dates)
    )
    path = tmp_path / "t.csv"
    path.write_text(header + body)
    return _read(path)["invoice_date"].tolist()


def test_ambiguous_dates_read_as_a_log_of_consecutive_days(tmp_path):
    # No number above 12: both readings are dates. Ten days of March, written
    # day-first or month-first, are ten consecutive days either way (read the
    # other way they would be the 3rd of ten months).
    march = [pd.Timestamp(2011, 3, d, 9) for d in range(1, 11)]
    day_first = [f"{d:02d}/03/2011 09:00" for d in range(1, 11)]
    month_first = [f"03/{d:02d}/2011 09:00" for d in range(1, 11)]
    assert _dates_read(tmp_path, day_first) == march
    assert _dates_read(tmp_path, month_first) == march


def test_ambiguous_dates_read_the_way_that_keeps_the_file_in_date_order(tmp_path):
    # 02/01 then 01/02: in date order only day-first (2 Jan, then 1 Feb).
    assert _dates_read(tmp_path, ["02/01/2011 10:00", "01/02/2011 10:00"]) == [
        pd.Timestamp("2011-01-02 10:00"),
        pd.Timestamp("2011-02-01 10:00"),
    ]
    assert _dates_read(tmp_path, ["01/02/2011 10:00", "02/01/2011 10:00"]) == [
        pd.Timestamp("2011-01-02 10:00"),
        pd.Timestamp("2011-02-01 10:00"),
    ]


def test_reads_latin1_text(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][2] = "CAFÉ SET £5"
    path = write_csv(
        raw_rows([tuple(r) for r in rows]), tmp_path / "t.csv", encoding="latin-1"
    )
    assert _read(path)["description"].iloc[0] == "CAFÉ SET £5"


def test_reads_windows_text_as_windows_writes_it(tmp_path):
    # Excel's "CSV" on Windows is cp1252: read as Latin-1, ’ and – became the
    # control characters \x92 and \x96.
    rows = [list(r) for r in ROWS]
    rows[0][2] = "’TIS A MUG – SET £5"
    rows[1][2] = "ODD BYTE \x81"  # undefined in cp1252: the file is Latin-1
    windows = write_csv(
        raw_rows([tuple(r) for r in rows[:1]] + list(ROWS[1:])),
        tmp_path / "w.csv",
        encoding="cp1252",
    )
    assert _read(windows)["description"].iloc[0] == "’TIS A MUG – SET £5"
    latin = raw_rows([tuple(rows[1])] + list(ROWS[2:]))
    latin = write_csv(latin, tmp_path / "l.csv", encoding="latin-1")
    assert _read(latin)["description"].iloc[0] == "ODD BYTE \x81"


def test_reads_a_utf8_byte_order_mark_on_latin1_text(tmp_path):
    # A UTF-8 export edited in a Latin-1 program: the mark stays, the rest is Latin-1.
    rows = [list(r) for r in ROWS]
    rows[0][2] = "CAFÉ SET £5"
    path = write_csv(
        raw_rows([tuple(r) for r in rows]), tmp_path / "t.csv", encoding="latin-1"
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = _read(path)
    assert frame["invoice"].iloc[0] == "536365"
    assert frame["description"].iloc[0] == "CAFÉ SET £5"


def test_invisible_characters_do_not_make_another_product(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][0] = "\u200b536366"
    rows[1][1] = "85123A\u200b"
    rows[1][2] = "WHITE HANGING\u00ad HEART T-LIGHT HOLDER\ufeff"
    rows[1][7] = "United\u200d Kingdom"
    frame = _read(write_csv(raw_rows([tuple(r) for r in rows]), tmp_path / "t.csv"))
    assert frame["invoice"].iloc[1] == "536366"
    assert frame["stock_code"].iloc[1] == frame["stock_code"].iloc[0] == "85123A"
    assert frame["description"].iloc[1] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert frame["country"].iloc[1] == "United Kingdom"


def test_reads_online_retail_ii_vocabulary_gzip(tmp_path):
    frame = raw_rows(ROWS).rename(
        columns={
            "InvoiceNo": "Invoice",
            "UnitPrice": "Price",
            "CustomerID": "Customer ID",
        }
    )
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt") as handle:
        frame.to_csv(handle, index=False)
    out = _read(path)
    assert out["unit_price"].tolist() == [2.55, 1.85, 1.65]
    assert out["customer_id"].iloc[0] == 17850


def test_reads_xlsx_with_real_date_cells(tmp_path):
    path = tmp_path / "t.xlsx"
    raw_rows(ROWS).to_excel(path, index=False, sheet_name="Online Retail")
    frame = _read(path)
    assert frame["invoice_date"].iloc[1] == pd.Timestamp("2010-12-13 09:02")
    assert frame["stock_code"].tolist() == ["85123A", "22633", "22556"]


def test_iso_dates_among_day_first_ones_read_as_iso(tmp_path):
    # Day-first was applied to the ISO ones too: 2010-12-01 read as 12 January.
    dates = ["2010-12-01 09:32:00", "2010-12-05 13:00:00", "23/01/2011 10:43"]
    assert _dates_read(tmp_path, [*dates, "05/02/2011 10:00:30"]) == [
        pd.Timestamp("2010-12-01 09:32"),
        pd.Timestamp("2010-12-05 13:00"),
        pd.Timestamp("2011-01-23 10:43"),
        pd.Timestamp("2011-02-05 10:00:30"),
    ]


def test_a_workbook_of_date_cells_and_day_first_text_reads_both(tmp_path):
    # Excel turns some dd/mm texts into date cells and leaves the rest as text.
    path = tmp_path / "t.xlsx"
    frame = raw_rows(ROWS).astype({"InvoiceDate": object})
    frame.loc[2, "InvoiceDate"] = "23/01/2011 10:43"
    frame.to_excel(path, index=False)
    assert _read(path)["invoice_date"].tolist() == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-13 09:02"),
        pd.Timestamp("2011-01-23 10:43"),
    ]


def test_reads_every_sheet_of_a_workbook(tmp_path):
    path = tmp_path / "t.xlsx"
    with pd.ExcelWriter(path) as writer:
        raw_rows(ROWS[:1]).to_excel(writer, index=False, sheet_name="Year 2009-2010")
        raw_rows(ROWS[1:]).to_excel(writer, index=False, sheet_name="Year 2010-2011")
    assert len(_read(path)) == 3


def test_reads_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    raw_rows(ROWS).to_parquet(path)
    assert len(_read(path)) == 3


def test_several_files_drop_overlapping_invoices(tmp_path):
    shop = small_shop(20)
    first = write_csv(shop, tmp_path / "a.csv")
    invoices = shop["InvoiceNo"].unique()
    # The second file repeats the last ten invoices of the first, then adds more.
    later = shop[shop["InvoiceNo"].isin(invoices[-10:])]
    extra = later.assign(InvoiceNo=later["InvoiceNo"] + "9")
    second = write_csv(pd.concat([later, extra]), tmp_path / "b.csv")
    frame, inputs, overlap = load_transactions([first, second])
    assert overlap == len(later)
    assert len(frame) == len(shop) + len(extra)
    assert [i["rows"] for i in inputs] == [len(shop), len(later) + len(extra)]


# ---- bad input ------------------------------------------------------------------


def test_missing_column_is_named_with_what_was_found(tmp_path):
    frame = raw_rows(ROWS).rename(columns={"InvoiceDate": "InvoceDate"})
    path = write_csv(frame, tmp_path / "t.csv")
    with pytest.raises(InputError) as err:
        _read(path)
    message = str(err.value)
    assert "t.csv" in message and "missing column(s) InvoiceDate" in message
    assert "found: InvoiceNo, StockCode" in message
    assert "'InvoceDate' looks like a misspelling of 'InvoiceDate'" in message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("empty.csv", "", "empty.csv: the file is empty", id="empty"),
        pytest.param(
            "h.csv",
            ",".join(raw_rows(ROWS).columns) + "\n",
            "header but no rows",
            id="header-without-rows",
        ),
        pytest.param(
            "photo.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20,
            "not a table",
            id="binary-not-a-table",
        ),
        pytest.param(
            "export.csv",
            "\n  <!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n",
            r"export.csv: a web page \(HTML\), not a CSV table",
            id="html-page-saved-as-csv",
        ),
        pytest.param(
            "notes.csv",
            "Dear team,\nplease find the sales attached.\n",
            "notes.csv: not a readable CSV table",
            id="text-not-a-table",
        ),
        pytest.param(
            "broken.xlsx",
            b"PK\x03\x04 this is not really a workbook",
            "broken.xlsx: not a readable Excel",
            id="broken-xlsx",
        ),
        pytest.param(
            "list.csv",
            "name\nalice\nbob\n",
            "missing column.*found: name",
            id="single-column-lists-what-was-found",
        ),
    ],
)
def test_unreadable_file(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        _read(path)


def test_unreadable_quantity_names_the_row(tmp_path):
    path = _csv_with(tmp_path, "Quantity", 1, "six")
    with pytest.raises(InputError) as err:
        _read(path)
    # Header is line 1, so the second data row is line 3.
    assert "column Quantity, row 3: cannot read 'six' as a whole number" in str(
        err.value
    )


@pytest.mark.parametrize("word", ["None", "NULL", "nan", "N/A", "#N/A", " none "])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_word_for_no_customer_is_a_missing_customer_id(tmp_path, word, suffix):
    frame = _rows_with("CustomerID", 1, word)
    path = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        write_csv(frame, path)
    else:
        frame.to_excel(path, index=False)
    ids = _read(path)["customer_id"]
    assert ids.iloc[0] == 17850 and ids.iloc[1:].isna().all()


def test_a_missing_quantity_says_what_counts_as_missing(tmp_path):
    path = _csv_with(tmp_path, "Quantity", 1, "NaN")
    with pytest.raises(InputError, match="column Quantity, row 3: no value"):
        _read(path)


def test_unreadable_date_names_the_row(tmp_path):
    path = _csv_with(tmp_path, "InvoiceDate", 2, "yesterday")
    with pytest.raises(InputError, match="column InvoiceDate, row 4: cannot read"):
        _read(path)


def test_a_spreadsheet_day_number_for_a_date_gets_a_hint(tmp_path):
    # A date column formatted as General: 40513.397… is 1 Dec 2010 09:32.
    frame = raw_rows(ROWS)
    frame["InvoiceDate"] = ["40513.39722222222", "40513.4", "40514.5"]
    path = write_csv(frame, tmp_path / "t.csv")
    with pytest.raises(InputError, match="row 2: .* day number: format the column"):
        _read(path)
    frame["InvoiceDate"] = ["yesterday", "40513.4", "40514.5"]
    with pytest.raises(InputError) as error:
        _read(write_csv(frame, tmp_path / "u.csv"))
    assert "day number" not in str(error.value)


def _csv_lines(n: int) -> tuple[str, list[str]]:
    """A CSV header and ``n`` data lines of one product, to break by hand."""
    header = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
        "CustomerID,Country\n"
    )
    lines = [
        f"{536365 + i},85123A,RED HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n"
        for i in range(n)
    ]
    return header, lines


@pytest.mark.parametrize("gz", [False, True])
def test_rows_are_named_by_their_line_after_blank_lines_and_quoted_breaks(tmp_path, gz):
    # pyarrow skips blank lines and reads line breaks inside quotes: "index + 2"
    # named line 21 "row 20" after one blank line.
    header, lines = _csv_lines(30)
    lines[4] = lines[4].replace("RED HEART", '"RED\nHEART"')  # lines 6 and 7
    lines[8] = "\n"  # a blank line 11
    lines[18] = lines[18].replace(",6,", ",six,")  # line 21
    text = header + "".join(lines)
    path = tmp_path / ("t.csv.gz" if gz else "t.csv")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    with pytest.raises(InputError, match="column Quantity, row 21: cannot read 'six'"):
        _read(path)


def test_unreadable_price_names_the_row(tmp_path):
    path = _csv_with(tmp_path, "UnitPrice", 0, "£2.55")
    with pytest.raises(InputError, match="column UnitPrice, row 2"):
        _read(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        _read(tmp_path / "nope.csv")


def test_xlsx_code_cells_read_as_written(tmp_path):
    # Number cells (how spreadsheets store 71053) lose their ".0"; text cells stay
    # as typed, leading zeros included.
    rows = [list(row) for row in ROWS]
    rows[0][0], rows[0][1] = 536365, 71053
    rows[1][1] = "00123"
    path = tmp_path / "t.xlsx"
    raw_rows([tuple(row) for row in rows]).to_excel(path, index=False)
    frame = _read(path)
    assert frame["stock_code"].tolist() == ["71053", "00123", "22556"]
    assert frame["invoice"].tolist()[:2] == ["536365", "536366"]


# ---- fuzzed bad input: each case once gave a traceback or a silently wrong result


def test_an_unclosed_quote_names_its_row_instead_of_swallowing_rows(tmp_path):
    # The quote ran on to the next one 114 lines below: those rows became one
    # stock code and vanished (exit 0, "2,886 rows in" for 3,000).
    header, lines = _csv_lines(30)
    lines[9] = lines[9].replace(",85123A,", ',"85123A,')
    lines[20] = lines[20].replace(",85123A,", ',85123A",')  # a quote 11 rows on
    path = tmp_path / "t.csv"
    path.write_text(header + "".join(lines))
    with pytest.raises(InputError, match="column StockCode, row 11: a line break"):
        _read(path)


# ---- QA pass: gzip under a .csv name, a title above the header, a file twice


def test_a_gzip_file_named_csv_is_read_as_gzip(tmp_path):
    # A .csv.gz saved as .csv: its bytes were called "binary content".
    plain = write_csv(raw_rows(ROWS), tmp_path / "plain.csv")
    path = tmp_path / "t.csv"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    pd.testing.assert_frame_equal(_read(path), _read(plain))


def test_a_truncated_gzip_file_named_csv_is_said_to_be_damaged(tmp_path):
    text = write_csv(raw_rows(ROWS * 200), tmp_path / "plain.csv").read_bytes()
    path = tmp_path / "t.csv"
    path.write_bytes(gzip.compress(text)[:-100])
    with pytest.raises(InputError, match="t.csv: the compressed file is truncated"):
        _read(path)


@pytest.mark.parametrize(
    ("above", "line"),
    [
        pytest.param("Sales export 2011\n", 2, id="one-cell-title"),
        pytest.param("Sales export,,,,,,,\nDecember,,,,,,,\n", 3, id="padded-title"),
        pytest.param("\nSales export 2011\n\n", 4, id="blank-lines-around"),
    ],
)
def test_a_header_below_a_title_names_its_line(tmp_path, above, line):
    table = write_csv(raw_rows(ROWS), tmp_path / "table.csv").read_text()
    path = tmp_path / "t.csv"
    path.write_text(above + table)
    message = f"t.csv: the header seems to be on line {line}; remove the lines above"
    with pytest.raises(InputError, match=message):
        _read(path)


def test_a_header_after_blank_lines_still_reads(tmp_path):
    table = write_csv(raw_rows(ROWS), tmp_path / "table.csv").read_text()
    path = tmp_path / "t.csv"
    path.write_text("\n\n" + table)
    assert len(_read(path)) == 3


def test_a_file_given_twice_is_refused_by_either_name(tmp_path):
    # Its second reading was dropped as overlapping invoices: exit 0, nothing said.
    path = write_csv(raw_rows(ROWS), tmp_path / "t.csv")
    with pytest.raises(InputError, match=r"t.csv: given twice as input; give each"):
        load_transactions([path, path])
    (tmp_path / "sub").mkdir()
    other = tmp_path / "sub" / ".." / "t.csv"
    also = re.escape(f"given twice as input (also as {path}); give each file once")
    with pytest.raises(InputError, match=also):
        load_transactions([path, other])
