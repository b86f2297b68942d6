"""CSV export that is safe to open in a spreadsheet."""

from __future__ import annotations

import csv

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); a leading quote makes it plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with every text cell (and header) neutralised.

    Numbers are left as numbers: a negative number is not a formula, and quoting it
    would turn it into text in the spreadsheet.
    """
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    # Quoting every text cell keeps a stray \r or \n inside its cell.
    return out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)
