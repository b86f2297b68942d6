"""Read transaction files (CSV, CSV.GZ, XLSX, Parquet) into one normalised frame.

Both UCI vocabularies are accepted (Online Retail: ``InvoiceNo, UnitPrice, CustomerID``;
Online Retail II: ``Invoice, Price, Customer ID``). Every problem becomes an
:class:`~analytics.errors.InputError` naming the file, the column and the row.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analytics._ingest_values import (
    EXPECTED,
    _dates,
    _empty_row,
    _first,
    _numbers,
    _text,
    _visible,
    missing_ids_blank,
    row_number,
)
from analytics.errors import InputError

# Normalised header (lower-case, no spaces/underscores) -> contract column.
_ALIASES = {
    "invoiceno": "invoice",
    "invoice": "invoice",
    "stockcode": "stock_code",
    "description": "description",
    "quantity": "quantity",
    "invoicedate": "invoice_date",
    "unitprice": "unit_price",
    "price": "unit_price",
    "customerid": "customer_id",
    "country": "country",
}


_MANGLED = re.compile(r"^(.*)\.(\d+)$")


# A UTF-8 byte-order mark read as Latin-1 (a UTF-8 export later edited in a Latin-1
# program): the first header name starts with these three characters.
_BOM_AS_LATIN1 = "\u00ef\u00bb\u00bf"


def _norm(name: str) -> str:
    name = str(name).removeprefix(_BOM_AS_LATIN1).removeprefix("\ufeff")
    return re.sub(r"[\s_\-]", "", name).lower()


def _gzipped(path: Path) -> bool:
    """Whether ``path`` is gzip-compressed: named .gz, or starting with gzip's
    magic bytes (a .csv.gz saved as .csv)."""
    if path.name.lower().endswith(".gz"):
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"\x1f\x8b"
    except OSError:
        return False  # said by the read that follows


def _open(path: Path, mode: str, **kwargs):
    """``path`` opened as it is stored: through gzip when compressed."""
    opener = gzip.open if _gzipped(path) else open
    return opener(path, mode, **kwargs)


def _arrow_input(path: Path):
    """``path`` as a pyarrow input stream, decompressed when gzip-compressed
    (pyarrow goes by the name only)."""
    return pa.input_stream(str(path), compression="gzip" if _gzipped(path) else None)


def _first_bytes(path: Path, n: int = 8192) -> bytes:
    try:
        with _open(path, "rb") as handle:
            return handle.read(n)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None


# Lines searched for a header below a title (exports that write the report's
# name or date above the table).
_HEADER_SEARCH_LINES = 10


def _holds_header(line: bytes) -> bool:
    """Whether a CSV line names every contract column (in either vocabulary)."""
    names = next(csv.reader([line.decode("latin-1")]), [])
    return set(EXPECTED) <= {_ALIASES.get(_norm(name)) for name in names}


def _header_first(path: Path, head: bytes) -> None:
    """Refuse a CSV whose header is below its first line (said before parsing: a
    one-cell title made the parser's "Expected 1 columns, got 8" the message)."""
    lines = enumerate(head.splitlines()[:_HEADER_SEARCH_LINES], 1)
    written = [(number, line) for number, line in lines if line.strip()]
    if not written or _holds_header(written[0][1]):
        return
    for number, line in written[1:]:
        if _holds_header(line):
            raise InputError(
                f"{path}: the header seems to be on line {number}; remove the lines "
                "above it"
            )


def _read_csv(path: Path) -> tuple[pd.DataFrame, _CsvLines]:
    head = _first_bytes(path)
    if not head.strip():
        raise InputError(f"{path}: the file is empty")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: UTF-16 text; save it as UTF-8 (or Latin-1)")
    if b"\x00" in head:
        raise InputError(f"{path}: not a table (binary content, expected CSV text)")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype", b"<html")):
        # A download link saved as the page it led to (a login or error page).
        raise InputError(
            f"{path}: a web page (HTML), not a CSV table: save the data itself "
            "(the site's download or export), not the page"
        )
    _header_first(path, head)
    header = head.splitlines()[0]
    for separator, called in ((b"\t", "tabs"), (b";", "semicolons")):
        # Said before parsing: a description with a comma (most files have some)
        # made the parser's "Expected 1 columns, got 2" the only message.
        if b"," not in header and separator in header:
            raise InputError(
                f"{path}: the columns seem separated by {called}; save with commas"
            )
    last_error = None
    # Not UTF-8: most likely Excel's "CSV" on Windows, cp1252, whose ’ and – Latin-1
    # reads as invisible control characters; Latin-1 for the five bytes cp1252
    # leaves undefined.
    for encoding in ("utf8", "cp1252", "latin1"):
        try:
            table = _arrow_table(path, encoding)
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            last_error = exc
        except OSError as exc:
            # pyarrow reports a damaged gzip stream (a cut-off download, flipped
            # bytes) as an I/O error; another encoding cannot help.
            if _gzipped(path):
                problem = "the compressed file is truncated or corrupt"
                raise InputError(f"{path}: {problem} ({exc})") from None
            raise InputError(f"{path}: cannot be read ({exc})") from None
    else:
        raise InputError(f"{path}: not a readable CSV table ({last_error})")
    return table.to_pandas(), _CsvLines(path, encoding)


class _CsvLines:
    """The line of a CSV's data row ``index`` (0-based), for error messages.

    Line 1 is the header, so row i would sit on line i + 2; but pyarrow skips
    blank lines and reads line breaks inside quotes, and after either that count
    named the wrong line (an empty value on line 21, after a blank line 11, was
    "row 20"). The file is read again with the csv module, up to that row, only
    when an error names one.
    """

    def __init__(self, path: Path, encoding: str):
        self.path, self.encoding = path, encoding

    def __call__(self, index: int) -> int:
        try:
            with _open(self.path, "rt", encoding=self.encoding, newline="") as f:
                reader = csv.reader(f)
                end, record = 0, -1  # the first row that is not blank: the header
                for row in reader:
                    start, end = end + 1, reader.line_num
                    if not row:  # a blank line, which pyarrow skips
                        continue
                    if record == index:
                        return start
                    record += 1
        except (OSError, ValueError, csv.Error):  # not as pyarrow read it: the count
            pass
        return index + 2


def _arrow_table(path: Path, encoding: str) -> pa.Table:
    """The CSV as pyarrow reads it in ``encoding``, every column as text."""
    columns = _all_strings(path, encoding)
    with _arrow_input(path) as source:
        return pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types=columns, strings_can_be_null=True
            ),
        )


def _all_strings(path: Path, encoding: str) -> dict:
    """Declare every column as text (we validate ourselves), by its name as read.

    pyarrow matches declared types by exact name: the header is read by pyarrow
    itself, so names with spaces, a byte-order mark or quoted commas match too and
    codes such as "020879" keep their leading zeros.
    """
    options = pacsv.ReadOptions(
        encoding=encoding, block_size=1 << 16, use_threads=False
    )
    with _arrow_input(path) as source:
        with pacsv.open_csv(source, read_options=options) as reader:
            names = reader.schema.names
    return {name: pa.string() for name in names}


def _read_excel(path: Path) -> list[tuple[str, pd.DataFrame, int]]:
    try:
        # Cells stay as stored (numbers, text, dates): code columns mix numbers
        # (71053) and text (85123A), which type inference would turn into NaN.
        frames = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own error types
        raise InputError(f"{path}: not a readable Excel workbook ({exc})") from None
    frames = {name: f for name, f in frames.items() if not f.empty}
    if not frames:
        raise InputError(f"{path}: the workbook has no rows")
    # The UCI Online Retail II workbook holds one year per sheet: read them all,
    # each named in messages (a notes sheet, or row 5 of the second year).
    if len(frames) == 1:
        return [(str(path), next(iter(frames.values())), 2)]
    return [(f"{path} (sheet {name!r})", frame, 2) for name, frame in frames.items()]


def _read_parquet(path: Path) -> tuple[pd.DataFrame, int]:
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    return frame, 1


def read_parts(path: str | Path) -> list[tuple[str, pd.DataFrame, object]]:
    """Read one file as it is: per part (a workbook's sheet; else the whole file),
    its name in messages, its frame and the row number of its first row (for a
    CSV, a function of the row's index: see :func:`row_number`)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a CSV, XLSX or Parquet file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    name = path.name.lower()
    head = _first_bytes(path, 4)
    if name.endswith((".zip", ".bz2", ".xz", ".7z", ".zst")):
        raise InputError(
            f"{path}: compressed with {name.rsplit('.', 1)[1]}; give the file "
            "uncompressed or as .gz"
        )
    if name.endswith((".xlsx", ".xlsm", ".xls")) or (
        head.startswith(b"PK") and not name.endswith(".parquet")
    ):
        return _read_excel(path)
    read = _read_parquet if name.endswith(".parquet") or head == b"PAR1" else _read_csv
    return [(str(path), *read(path))]


def _rename(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Pick and rename the contract columns.

    Columns are picked by position: a later alias may already carry a contract
    name (``Quantity`` then ``quantity``). A name written twice, or two names of
    one column (``Price`` and ``UnitPrice``), is ambiguous: an error, not a guess
    (taking the first, a file with both read its 999 placeholder prices).
    """
    names = [str(c) for c in frame.columns]
    # pandas renames a spreadsheet's repeated header "Quantity", "Quantity.1", …
    unmangled = [
        m.group(1) if (m := _MANGLED.match(n)) and m.group(1) in names else n
        for n in names
    ]
    for name in dict.fromkeys(unmangled):
        if unmangled.count(name) > 1 and _ALIASES.get(_norm(name)):
            raise InputError(
                f"{path}: column {name!r} appears {unmangled.count(name)} times in "
                "the header; keep only one"
            )
    mapping = {}  # position -> contract column
    for position, column in enumerate(frame.columns):
        target = _ALIASES.get(_norm(column))
        if target in mapping.values():
            first = next(p for p, t in mapping.items() if t == target)
            raise InputError(
                f"{path}: columns {names[first]!r} and {names[position]!r} are both "
                f"{EXPECTED[target]}; keep only one"
            )
        if target:
            mapping[position] = target
    missing = [EXPECTED[c] for c in EXPECTED if c not in mapping.values()]
    if missing:
        found = [str(c) for c in frame.columns]
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, found, n=1, cutoff=0.6)
            if close:
                hints.append(f"'{close[0]}' looks like a misspelling of '{name}'")
        if sum(name.startswith("Unnamed: ") for name in found) > len(found) / 2:
            # pandas names the blank cells of a title row "Unnamed: n".
            hints.append("the first row looks like a title: the header must be first")
        for separator, called in (("\t", "tabs"), (";", "semicolons")):
            if len(found) == 1 and separator in found[0]:
                hint = f"the columns seem separated by {called}; save with commas"
                hints.append(hint)
        message = (
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"found: {', '.join(found) if found else 'no columns'}"
        )
        if hints:
            message += "; " + "; ".join(hints)
        raise InputError(message)
    picked = frame.iloc[:, list(mapping)].set_axis(list(mapping.values()), axis=1)
    return picked[list(EXPECTED)]


def normalise(frame: pd.DataFrame, path: Path, first_row: int) -> pd.DataFrame:
    """Rename to contract columns and convert every column, or raise InputError."""
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError(f"{path}: the file has a header but no rows")
    frame = _rename(frame, path).reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    out["invoice"] = _text(frame["invoice"])
    out["stock_code"] = _text(frame["stock_code"]).str.upper()
    out["description"] = _visible(frame["description"].astype("str"))
    out["quantity"] = _numbers(frame["quantity"], path, "quantity", first_row, True)
    out["invoice_date"] = _dates(frame["invoice_date"], path, first_row)
    out["unit_price"] = _numbers(frame["unit_price"], path, "unit_price", first_row)
    out["customer_id"] = _numbers(
        missing_ids_blank(frame["customer_id"]),
        path,
        "customer_id",
        first_row,
        integer=True,
    )
    out["country"] = _text(frame["country"])
    for column in ("invoice", "stock_code", "country"):
        # A quote opened and never closed runs on to the next quote, taking
        # the lines between into one value (114 rows vanished into one code).
        broken = out[column].str.contains("\n", regex=False)
        if broken.any():
            row = row_number(_first(broken), first_row)
            raise InputError(
                f"{path}: column {EXPECTED[column]}, row {row}: a line break inside "
                'the value: a quote (") opened on that row and never closed?'
            )
    for column in ("invoice", "quantity", "unit_price"):
        empty = out[column].isna()
        if not pd.api.types.is_numeric_dtype(out[column]):  # numbers are never ""
            empty |= out[column].astype("str") == ""
        if empty.any():
            _empty_row(path, column, _first(empty), first_row)
    out["quantity"] = out["quantity"].astype("int64")
    out["unit_price"] = out["unit_price"].astype("float64")
    return out


def _check_distinct(paths: list[Path]) -> None:
    """Refuse a file given twice (by one name or two): its second reading would
    be dropped, every invoice already seen, and the build would look fine."""
    named: dict[Path, Path] = {}  # resolved path -> as first given
    for path in paths:
        first = named.get(path.resolve())
        if first is not None:
            also = "" if first == path else f" (also as {first})"
            raise InputError(f"{path}: given twice as input{also}; give each file once")
        named[path.resolve()] = path


def load_transactions(paths) -> tuple[pd.DataFrame, list[dict], int]:
    """Read and normalise several files; drop invoices already seen in an earlier file.

    Returns
    -------
    frame : DataFrame
        Contract columns plus ``customer_id`` as float (NaN where missing).
    inputs : list of dict
        ``{"path", "rows"}`` per file, in the order given.
    overlap_rows : int
        Rows dropped because their invoice was already read from an earlier file
        (the two Online Retail files share 2010-12-01 … 2010-12-09).
    """
    paths = [Path(path) for path in paths]
    _check_distinct(paths)
    frames, inputs, overlap_rows = [], [], 0
    seen: set = set()
    for path in paths:
        parts = [normalise(raw, label, first) for label, raw, first in read_parts(path)]
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        inputs.append({"path": str(path), "rows": int(len(frame))})
        if seen:
            repeat = frame["invoice"].isin(seen)
            overlap_rows += int(repeat.sum())
            frame = frame[~repeat]
        seen.update(frame["invoice"].unique())
        frames.append(frame)
    if not frames:
        raise InputError("no input files given")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame, inputs, overlap_rows
