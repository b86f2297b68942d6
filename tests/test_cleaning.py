"""Each cleaning rule, counted on hand-made rows."""

import pandas as pd
import pytest
from helpers import raw_rows

from analytics.cleaning import clean, is_non_product
from analytics.errors import InputError
from analytics.ingest import normalise

T = pd.Timestamp("2011-03-01 10:00")


def _frame(rows):
    return normalise(raw_rows(rows), "test.csv", 2)


def _row(
    invoice="1",
    code="22423",
    qty=2,
    price=3.0,
    customer=1.0,
    when=T,
    desc="REGENCY CAKESTAND 3 TIER",
):
    return (invoice, code, desc, qty, when, price, customer, "France")


def test_every_rule_is_counted():
    rows = [
        _row(),  # kept
        _row(),  # exact duplicate
        _row(customer=None),  # no customer
        _row(invoice="9", code=None),  # no stock code (not "not a product")
        _row(invoice="10", code="  "),  # a blank one
        _row(invoice="C2", qty=-2, customer=2.0),  # cancellation (nothing to net)
        _row(invoice="3", qty=0),  # non-positive quantity
        _row(invoice="4", price=0.0),  # non-positive price
        _row(invoice="5", code="POST"),  # postage
        _row(invoice="6", code="gift_0001_20"),  # gift voucher
        _row(invoice="7", code="BANK CHARGES"),
        _row(invoice="8", code="85123A", qty=3, price=2.5),  # kept
    ]
    lines, report = clean(_frame(rows))
    assert report["removed"] == {
        "overlap_between_files": 0,
        "on_or_after_until": 0,
        "missing_customer_id": 1,
        "missing_stock_code": 2,
        "cancelled_invoice": 1,
        "non_positive_quantity": 1,
        "non_positive_price": 1,
        "duplicate_row": 1,
        "non_product_code": 3,
        "invoice_several_customers": 0,
        "cancelled_order": 0,
    }
    assert report["cancelled_units"] == {"netted": 0, "unmatched": 2}
    assert report["rows_in"] == 12 and report["rows_out"] == 2
    assert lines["revenue"].tolist() == [6.0, 7.5]
    assert lines["customer_id"].dtype == "int64"
    assert report["customers"] == 1 and report["products"] == 2
    assert report["date_min"] == T.isoformat()


def test_until_drops_later_rows_and_counts_them():
    rows = [_row(), _row(invoice="2", when=pd.Timestamp("2011-06-01"))]
    lines, report = clean(_frame(rows), until=pd.Timestamp("2011-05-01"))
    assert report["removed"]["on_or_after_until"] == 1
    assert len(lines) == 1


def test_overlap_is_reported_first():
    _, report = clean(_frame([_row()]), overlap_rows=5)
    assert report["rows_in"] == 6
    assert report["removed"]["overlap_between_files"] == 5


def test_one_description_per_product_the_most_common():
    rows = [_row(invoice=str(i), desc="CAKESTAND") for i in range(3)]
    rows.append(_row(invoice="9", desc="cake stand?"))
    lines, _ = clean(_frame(rows))
    assert set(lines["description"]) == {"CAKESTAND"}


def test_non_product_codes():
    codes = pd.Series(
        [
            "POST",
            "D",
            "M",
            "C2",
            "DOT",
            "BANK CHARGES",
            "AMAZONFEE",
            "CRUK",
            "PADS",
            "B",
            "S",
            "GIFT_0001_10",
            "85123A",
            "22423",
            "DCGS0003",
            "47566B",
        ]
    )
    assert is_non_product(codes).tolist() == [True] * 12 + [False] * 4


def test_no_rows_left_is_an_error_that_says_why():
    rows = [_row(customer=None), _row(invoice="C1", qty=-1)]
    with pytest.raises(
        InputError, match="no rows left after cleaning.*no customer ID: 1"
    ):
        clean(_frame(rows))


def test_blank_country_counts_as_unspecified_and_is_reported():
    rows = [_row(invoice=str(i)) for i in range(4)]
    rows[1] = rows[1][:-1] + (None,)
    rows[2] = rows[2][:-1] + ("   ",)
    lines, report = clean(_frame(rows))
    expected = ["France", "Unspecified", "Unspecified", "France"]
    assert lines["country"].tolist() == expected
    none = {"country_spelling": 0, "partly_cancelled": 0}
    assert report["filled"] == {"blank_country": 2, **none}
    _, report = clean(_frame([_row()]))
    assert report["filled"] == {"blank_country": 0, **none}


def test_an_invoice_naming_several_customers_is_removed_whole():
    rows = [
        _row(invoice="1", customer=1.0),
        _row(invoice="1", code="85123A", customer=2.0),  # same invoice, another
        _row(invoice="2", customer=2.0),
    ]
    lines, report = clean(_frame(rows))
    assert report["removed"]["invoice_several_customers"] == 2
    assert lines["invoice"].tolist() == ["2"] and report["customers"] == 1


def test_a_known_country_in_another_case_or_spacing_is_read_as_its_name():
    rows = [_row(invoice=str(i)) for i in range(4)]
    rows[1] = rows[1][:-1] + ("  united   KINGDOM ",)
    rows[2] = rows[2][:-1] + ("Atlantis",)  # unknown: kept as written
    lines, report = clean(_frame(rows))
    assert lines["country"].tolist() == [
        "France",
        "United Kingdom",
        "Atlantis",
        "France",
    ]
    assert report["filled"]["country_spelling"] == 1


def _later(minutes):
    return T + pd.Timedelta(minutes=minutes)


def test_a_cancellation_takes_back_the_order_it_cancels():
    # Online Retail's 80,995-unit order (581483) was cancelled 12 minutes later.
    rows = [
        _row(invoice="1", code="23843", qty=80995, price=2.08),
        _row(invoice="2", code="22423", qty=2),
        _row(invoice="C3", code="23843", qty=-80995, price=2.08, when=_later(12)),
    ]
    lines, report = clean(_frame(rows))
    assert lines["stock_code"].tolist() == ["22423"]
    assert lines["revenue"].sum() == 6.0
    assert report["removed"]["cancelled_invoice"] == 1
    assert report["removed"]["cancelled_order"] == 1
    assert report["filled"]["partly_cancelled"] == 0
    assert report["cancelled_units"] == {"netted": 80995, "unmatched": 0}


def test_a_partial_cancellation_reduces_the_latest_earlier_orders():
    rows = [
        _row(invoice="1", qty=6),
        _row(invoice="2", qty=6, when=_later(60)),
        _row(invoice="C3", qty=-8, when=_later(120)),
        _row(invoice="4", qty=6, when=_later(180)),  # after it: untouched
    ]
    lines, report = clean(_frame(rows))
    # The latest earlier order goes first (6 of 8), then 2 from the one before.
    assert lines["invoice"].tolist() == ["1", "4"]
    assert lines["quantity"].tolist() == [4, 6]
    assert lines["revenue"].tolist() == [12.0, 18.0]
    assert report["removed"]["cancelled_order"] == 1
    assert report["filled"]["partly_cancelled"] == 1
    assert report["cancelled_units"] == {"netted": 8, "unmatched": 0}


def test_a_cancellation_nets_only_that_customers_earlier_orders_of_that_product():
    rows = [
        _row(invoice="1", qty=5, customer=1.0),
        _row(invoice="2", qty=5, customer=2.0),  # another customer
        _row(invoice="3", code="85123A", qty=5, customer=1.0),  # another product
        _row(invoice="C4", qty=-7, customer=1.0, when=_later(5)),
        _row(invoice="5", qty=5, customer=1.0, when=_later(10)),  # later order
    ]
    lines, report = clean(_frame(rows))
    assert lines["quantity"].tolist() == [5, 5, 5]
    assert lines["invoice"].tolist() == ["2", "3", "5"]
    # 5 units found; 2 were bought before the data starts (a return).
    assert report["cancelled_units"] == {"netted": 5, "unmatched": 2}


def test_a_duplicated_cancellation_line_counts_once():
    rows = [
        _row(invoice="1", qty=6),
        _row(invoice="C2", qty=-2, when=_later(5)),
        _row(invoice="C2", qty=-2, when=_later(5)),  # the export repeated it
    ]
    lines, report = clean(_frame(rows))
    assert lines["quantity"].tolist() == [4]
    assert report["cancelled_units"] == {"netted": 2, "unmatched": 0}


def test_cancellations_on_or_after_until_do_not_net():
    # A build as of a date (and an evaluation's training side) never sees a
    # return made after it.
    rows = [
        _row(invoice="1", qty=6),
        _row(invoice="C2", qty=-2, when=_later(60)),
    ]
    lines, report = clean(_frame(rows), until=_later(30))
    assert lines["quantity"].tolist() == [6]
    assert report["filled"]["partly_cancelled"] == 0
    assert clean(_frame(rows))[0]["quantity"].tolist() == [4]


def test_everything_cancelled_leaves_no_rows_and_says_why():
    rows = [_row(invoice="1", qty=6), _row(invoice="C2", qty=-6, when=_later(60))]
    with pytest.raises(
        InputError, match="taken back in full by a later cancellation: 1"
    ):
        clean(_frame(rows))


def test_cancelled_postage_and_discounts_are_not_returns_without_an_order():
    # 5,324 of Online Retail's 24,071 "unmatched" units were cancelled postage,
    # discounts and manual adjustments, whose own lines are not products: the
    # report called them returns of older purchases.
    rows = [
        _row(invoice="1", qty=6),
        _row(invoice="1", code="POST", qty=1, price=18.0),
        _row(invoice="C2", code="POST", qty=-1, price=18.0, when=_later(5)),
        _row(invoice="C3", code="D", qty=-1, price=5.0, when=_later(6)),
        _row(invoice="C4", code="M", qty=-3, price=1.0, when=_later(7)),
    ]
    lines, report = clean(_frame(rows))
    assert lines["quantity"].tolist() == [6]
    assert report["removed"]["cancelled_invoice"] == 3
    assert report["cancelled_units"] == {"netted": 0, "unmatched": 0}
