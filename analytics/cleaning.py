"""Cleaning rules, applied in order, each one counted in the cleaning report."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analytics.errors import InputError
from analytics.regions import COUNTRY_REGION

# Stock codes that are services or bookkeeping, not products (see shared/data/README).
NON_PRODUCT_CODES = frozenset(
    {
        "POST",
        "D",
        "M",
        "C2",
        "C3",
        "DOT",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",
        "PADS",
        "B",
        "S",
        "ADJUST",
        "ADJUST2",
        "TEST001",
        "TEST002",
        "SAMPLES",
    }
)
_NON_PRODUCT_PATTERN = re.compile(r"^(GIFT_|TEST|ADJUST)")
# What the Online Retail data itself writes when it does not know the country.
UNSPECIFIED_COUNTRY = "Unspecified"

RULES = {
    "overlap_between_files": "invoice already read from an earlier input file",
    "on_or_after_until": "dated on or after the --until date",
    "missing_customer_id": "no customer ID",
    "missing_stock_code": "no stock code",
    "cancelled_invoice": "cancelled invoice (number starts with C)",
    "non_positive_quantity": "quantity zero or negative",
    "non_positive_price": "unit price zero or negative",
    "duplicate_row": "exact duplicate of an earlier row",
    "non_product_code": "not a product (postage, manual, bank charges, fees, …)",
    "invoice_several_customers": "invoice whose lines name more than one customer",
    "cancelled_order": "order line taken back in full by a later cancellation",
}


def is_non_product(codes: pd.Series) -> pd.Series:
    """True where a stock code is not a product (postage, fees, manual entries…)."""
    upper = codes.astype("str").str.upper()
    has_digit = upper.str.contains(r"\d", regex=True)
    return (
        upper.isin(NON_PRODUCT_CODES)
        | upper.str.match(_NON_PRODUCT_PATTERN)
        | ~has_digit
    )


def clean(
    frame: pd.DataFrame,
    overlap_rows: int = 0,
    until: pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Apply the cleaning rules and return the cleaned lines and the report.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`analytics.ingest.load_transactions`.
    overlap_rows : int
        Rows already dropped as overlap between input files (reported first).
    until : Timestamp, optional
        Build as if today were this date: rows on or after it are dropped.

    Returns
    -------
    lines : DataFrame
        Contract ``LINE_COLUMNS``: one row per kept invoice line, ``revenue`` in £.
    report : dict
        ``rows_in``, ``removed`` (rule → rows), ``filled`` (kept rows whose
        value was filled in, respelled or reduced: ``blank_country``,
        ``country_spelling``, ``partly_cancelled``), ``cancelled_units``
        (``netted``: units taken off the orders they cancel; ``unmatched``: units
        of cancellations with no earlier order of that product by that customer,
        such as returns of purchases made before the data starts; cancelled
        non-product lines, such as postage or a discount, are neither),
        ``rows_out``,
        ``customers``, ``products``, ``countries``, ``date_min``, ``date_max``.

    Notes
    -----
    A cancellation (``C…`` invoice) takes its units back from the same customer's
    latest earlier orders of the same product, so a sale that was cancelled is
    not counted as one (in Online Retail an order of 80,995 units was cancelled
    twelve minutes later). Only cancellations before ``until`` count: an
    evaluation trained before a cutoff cleans with ``until`` set to it and never
    sees returns made after it.
    """
    rows_in = len(frame) + overlap_rows
    removed = {"overlap_between_files": int(overlap_rows)}

    def drop(mask: np.ndarray | pd.Series, rule: str) -> None:
        nonlocal frame
        mask = np.asarray(mask, dtype=bool)
        removed[rule] = int(mask.sum())
        if removed[rule]:
            frame = frame[~mask]

    if until is not None:
        drop(frame["invoice_date"] >= until, "on_or_after_until")
    else:
        removed["on_or_after_until"] = 0
    drop(frame["customer_id"].isna(), "missing_customer_id")
    # A line that names no product (blank, or NULL, NaN, N/A): missing data, not
    # a postage or fee line, so not counted as "not a product".
    codes = frame["stock_code"]
    drop(codes.isna() | (codes.astype("str").str.strip() == ""), "missing_stock_code")
    cancelled = frame["invoice"].str.upper().str.startswith("C").to_numpy(bool)
    # Cancelled postage, discounts and manual adjustments undo no product sale
    # (those lines are dropped below): not counted as returns without an order.
    products = ~np.asarray(is_non_product(frame["stock_code"]), dtype=bool)
    cancellations = _cancellations(frame[cancelled & products])
    drop(cancelled, "cancelled_invoice")
    drop(frame["quantity"] <= 0, "non_positive_quantity")
    drop(frame["unit_price"] <= 0, "non_positive_price")
    drop(frame.duplicated(keep="first"), "duplicate_row")
    drop(is_non_product(frame["stock_code"]), "non_product_code")
    # An order belongs to one customer. Which of several is meant cannot be told, and
    # keeping the invoice under one of them would leave the others' lines in their
    # purchase histories but out of their order counts (and out of the customers
    # table when that was their only order): the whole invoice goes.
    owners = frame.groupby("invoice", sort=False)["customer_id"].transform("nunique")
    drop(owners > 1, "invoice_several_customers")
    quantity, netted, unmatched = _net_cancellations(frame, cancellations)
    partly = (quantity > 0) & (quantity < frame["quantity"].to_numpy())
    drop(quantity == 0, "cancelled_order")

    if frame.empty:
        raise InputError(
            "no rows left after cleaning: "
            + ", ".join(f"{RULES[r]}: {n:,}" for r, n in removed.items() if n)
        )
    lines = frame.reset_index(drop=True).copy()
    lines["quantity"] = quantity[quantity > 0]
    lines["customer_id"] = lines["customer_id"].astype("int64")
    lines["country"], blank_country, recased = _known_country_names(lines["country"])
    lines["description"] = _canonical_descriptions(lines)
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    report = {
        "rows_in": int(rows_in),
        "removed": removed,
        "filled": {
            "blank_country": blank_country,
            "country_spelling": recased,
            "partly_cancelled": int(partly.sum()),
        },
        "cancelled_units": {"netted": netted, "unmatched": unmatched},
        "rows_out": int(len(lines)),
        "customers": int(lines["customer_id"].nunique()),
        "products": int(lines["stock_code"].nunique()),
        "countries": int(lines["country"].nunique()),
        "date_min": lines["invoice_date"].min().isoformat(),
        "date_max": lines["invoice_date"].max().isoformat(),
    }
    return lines, report


def _cancellations(rows: pd.DataFrame) -> pd.DataFrame:
    """The cancelled units of each line of the cancellation invoices ``rows``
    (one of two exact duplicate lines, as for orders), in date order."""
    rows = rows[(rows["quantity"] < 0) & ~rows.duplicated(keep="first")]
    return pd.DataFrame(
        {
            "customer_id": rows["customer_id"].to_numpy(),
            "stock_code": rows["stock_code"].to_numpy(),
            "units": -rows["quantity"].to_numpy(),
            "invoice_date": rows["invoice_date"].to_numpy(),
        }
    ).sort_values("invoice_date", kind="stable")


def _net_cancellations(
    frame: pd.DataFrame, cancellations: pd.DataFrame
) -> tuple[np.ndarray, int, int]:
    """Each order line's quantity once the cancellations took their units back,
    the units so netted and the units left unmatched.

    A cancellation takes its units from the same customer's orders of the same
    product dated no later than it, latest first, until it is made up.
    """
    quantity = frame["quantity"].to_numpy(dtype=np.int64).copy()
    if cancellations.empty:
        return quantity, 0, 0
    # One integer per (customer, product), orders first, then cancellations.
    n = len(frame)
    customer = pd.factorize(
        np.concatenate([frame["customer_id"], cancellations["customer_id"]])
    )[0]
    code, codes = pd.factorize(
        pd.concat([frame["stock_code"], cancellations["stock_code"]], ignore_index=True)
    )
    key = customer.astype(np.int64) * len(codes) + code
    order_key, cancel_key = key[:n], key[n:]
    # The orders of a (customer, product) ever cancelled, by product, then date
    # (lexsort is stable: file order among equal dates).
    at = np.flatnonzero(np.isin(order_key, cancel_key))
    dates = frame["invoice_date"].to_numpy()[at]
    sort = np.lexsort((dates, order_key[at]))
    at, dates = at[sort], dates[sort]
    first = np.searchsorted(order_key[at], cancel_key, side="left")
    after = np.searchsorted(order_key[at], cancel_key, side="right")
    netted = unmatched = 0
    for lo, hi, units, when in zip(
        first,
        after,
        cancellations["units"].to_numpy(),
        cancellations["invoice_date"].to_numpy(),
        strict=True,
    ):
        i = lo + int(np.searchsorted(dates[lo:hi], when, side="right")) - 1
        while units > 0 and i >= lo:
            take = min(units, quantity[at[i]])
            quantity[at[i]] -= take
            units -= take
            netted += int(take)
            i -= 1
        unmatched += int(units)
    return quantity, netted, unmatched


def _known_country_names(country: pd.Series) -> tuple[pd.Series, int, int]:
    """Countries as the region mapping writes them, and on how many rows a blank was
    filled and a name respelled.

    A blank country is not a reason to lose a sale: it counts as the data's own
    "Unspecified" (its region too). A known country in another case or spacing is
    written as the mapping writes it ("united  kingdom" → "United Kingdom";
    otherwise it would be a country of its own, outside every region).
    """
    known = {name.casefold(): name for name in COUNTRY_REGION}

    def spelled(name) -> str:
        if pd.isna(name) or not name:
            return UNSPECIFIED_COUNTRY
        return known.get(" ".join(name.split()).casefold(), name)

    # Each distinct name once (a few dozen), then laid out over the rows.
    codes, names = pd.factorize(country, use_na_sentinel=False)
    names = np.asarray(names, dtype=object)
    blank = np.array([pd.isna(n) or not n for n in names], dtype=bool)
    canonical = np.array([spelled(n) for n in names], dtype=object)
    respelled = ~blank & (canonical != names)
    out = pd.Series(canonical[codes], index=country.index, dtype="str")
    return out, int(blank[codes].sum()), int(respelled[codes].sum())


def _canonical_descriptions(lines: pd.DataFrame) -> pd.Series:
    """One description per stock code: the one written most often for it."""
    desc = lines["description"].fillna("").astype("str").str.strip()
    counts = (
        pd.DataFrame({"stock_code": lines["stock_code"], "description": desc})
        .value_counts(sort=True)
        .reset_index()
    )
    counts = counts[counts["description"] != ""]
    best = counts.drop_duplicates("stock_code").set_index("stock_code")["description"]
    mapped = lines["stock_code"].map(best)
    return mapped.fillna(lines["stock_code"]).astype("str")
