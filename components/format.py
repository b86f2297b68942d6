"""Readable numbers: pounds with thousands separators, percentages, counts, dates."""

from __future__ import annotations

import math
from datetime import date, datetime


def finite_or_none(value) -> float | None:
    """``value`` as a float, or None when it is missing, non-numeric or not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite(value) -> bool:
    return finite_or_none(value) is not None


def money(value, decimals: int | None = None) -> str:
    """``£1,234,567`` (whole pounds from £1,000 up, pence below unless told)."""
    if not _finite(value):
        return "–"
    value = float(value)
    if decimals is None:
        decimals = 0 if abs(value) >= 1000 else 2
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.{decimals}f}"


def count(value) -> str:
    """``12,345``."""
    if not _finite(value):
        return "–"
    return f"{round(float(value)):,}"


def number(value, decimals: int = 1) -> str:
    if not _finite(value):
        return "–"
    return f"{float(value):,.{decimals}f}"


def signed(value, decimals: int = 3) -> str:
    """A difference (0.0112) as ``+0.011``."""
    if not _finite(value):
        return "–"
    return f"{float(value):+,.{decimals}f}"


def pct(share, decimals: int = 1) -> str:
    """A share (0.123) as ``12.3%``."""
    if not _finite(share):
        return "–"
    return f"{100 * float(share):.{decimals}f}%"


def change(current, previous) -> float | None:
    """Relative change from ``previous`` to ``current``; None when undefined."""
    if not _finite(current) or not _finite(previous) or float(previous) == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def signed_pct(share, decimals: int = 1) -> str:
    """A change (0.052) as ``+5.2%``."""
    if not _finite(share):
        return "–"
    return f"{100 * float(share):+.{decimals}f}%"


def day(value) -> str:
    """A date, datetime or ISO date (``2011-11-01``) as ``1 Nov 2011`` (as the
    filter bar writes dates)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return "–"
    if not isinstance(value, date | datetime) or value != value:  # NaT
        return "–"
    return f"{value.day} {value.strftime('%b %Y')}"


def day_range(start, end) -> str:
    """``1 Nov 2011 – 30 Nov 2011`` (one date when both are the same day)."""
    first, last = day(start), day(end)
    return first if first == last else f"{first} – {last}"


def names(values, most: int = 3) -> str:
    """``France, Germany, Spain and 2 more``: a short list of names."""
    values = [str(v) for v in values]
    if len(values) <= most:
        return ", ".join(values)
    return f"{', '.join(values[:most])} and {len(values) - most} more"
