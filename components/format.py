"""Readable numbers: pounds with thousands separators, percentages, counts, dates;
and data strings made safe for the text plotly draws (:func:`plot_text`)."""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime, timedelta

# Between the parts of a date shown in text, so a line never breaks inside one.
NBSP = "\u00a0"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date alone, without a time


def plot_text(value) -> str:
    """A string from the data (a country, a segment, a product's name or code) as
    text for plotly to draw, escaped: plotly reads ``<a href>``, ``<b>``, ``<br>``,
    ``<span style>``… in tick labels, hover text, legend entries, annotations and
    titles as markup, so a country named ``<a href=…>`` drew a link. No HTML is
    built from data strings: escape first, then add any ``<br>`` of one's own."""
    return html.escape(str(value), quote=False)


def finite_or_none(value) -> float | None:
    """``value`` as a float, or None when it is missing, non-numeric or not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite(value) -> bool:
    return finite_or_none(value) is not None


def _rounded(value, decimals: int) -> float:
    """``value`` as a float, with anything that rounds to zero at ``decimals`` made
    plain 0.0, so no number reads "-0.000" or "-£0.00"."""
    value = float(value)
    return 0.0 if round(value, decimals) == 0 else value


def money(value, decimals: int | None = None) -> str:
    """``£1,234,567`` (whole pounds from £1,000 up, pence below unless told)."""
    if not _finite(value):
        return "–"
    value = float(value)
    if decimals is None:
        decimals = 0 if abs(value) >= 1000 else 2
    value = _rounded(value, decimals)
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.{decimals}f}"


_SHORT_SIZES = ((1e9, "bn"), (1e6, "M"), (1e3, "k"))


def short_number(value, prefix: str = "") -> str:
    """``0.5``, ``620``, ``11.2k``, ``1.23M``, ``4bn``: three significant figures
    at most (a tick label, a cell of a narrow table), ``prefix`` after any minus
    sign; :func:`short_money` for pounds."""
    number = finite_or_none(value)
    if number is None:
        return "–"
    # Rounded first, so 999.6 reads "1k", not "1e+03" or "1000".
    rounded = float(f"{abs(number):.3g}")
    scaled, suffix = rounded, ""
    for size, name in _SHORT_SIZES:
        if rounded >= size:
            scaled, suffix = rounded / size, name
            break
    # Past a thousand billion only: "1,500bn", not "1.5e+03bn".
    digits = f"{scaled:,.0f}" if scaled >= 1000 else f"{scaled:.3g}"
    sign = "-" if number < 0 and rounded else ""
    return f"{sign}{prefix}{digits}{suffix}"


def short_money(value) -> str:
    """``£620``, ``£11.2k``, ``£1.23M``, ``-£4bn``: pounds in three figures."""
    return short_number(value, "£")


def count(value) -> str:
    """``12,345``."""
    if not _finite(value):
        return "–"
    return f"{round(float(value)):,}"


def counted(n: int, noun: str) -> str:
    """``1 customer``, ``4,334 customers`` (a regular plural)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def number(value, decimals: int = 1) -> str:
    if not _finite(value):
        return "–"
    return f"{_rounded(value, decimals):,.{decimals}f}"


def signed(value, decimals: int = 3) -> str:
    """A difference (0.0112) as ``+0.011``; one that rounds to zero as ``+0.000``
    whatever its sign."""
    if not _finite(value):
        return "–"
    return f"{_rounded(value, decimals):+,.{decimals}f}"


def signed_bound(value, decimals: int = 3, most: int = 6) -> str:
    """An interval's end (-0.00043) as :func:`signed` would write it, with more
    decimals (up to ``most``) where it would round to zero but is not zero
    (``-0.0004``): whether an interval crosses zero is what it is read for. Zero
    (or as good as) has no sign: "+0.000 to +0.029" read as above zero, where
    the interval touches it."""
    if not _finite(value):
        return "–"
    for places in range(decimals, most + 1):
        if round(float(value), places) != 0:
            return signed(value, places)
    return f"{0:.{decimals}f}"


def pct(share, decimals: int = 1) -> str:
    """A share (0.123) as ``12.3%``."""
    if not _finite(share):
        return "–"
    return f"{_rounded(100 * float(share), decimals):.{decimals}f}%"


def change(current, previous) -> float | None:
    """Relative change from ``previous`` to ``current``; None when undefined."""
    if not _finite(current) or not _finite(previous) or float(previous) == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def signed_pct(share, decimals: int = 1) -> str:
    """A change (0.052) as ``+5.2%``."""
    if not _finite(share):
        return "–"
    return f"{_rounded(100 * float(share), decimals):+.{decimals}f}%"


def day(value, unbroken: bool = False) -> str:
    """A date, datetime or ISO date (``2011-11-01``) as ``1 Nov 2011`` (as the
    filter bar writes dates); ``unbroken`` joins the parts with non-breaking
    spaces, so a line never breaks inside the date."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return "–"
    if not isinstance(value, date | datetime) or value != value:  # NaT
        return "–"
    space = NBSP if unbroken else " "
    return f"{value.day}{space}{value.strftime('%b')}{space}{value.year}"


def day_range(start, end, unbroken: bool = False) -> str:
    """``1 Nov 2011 – 30 Nov 2011`` (one date when both are the same day)."""
    first, last = day(start, unbroken), day(end, unbroken)
    return first if first == last else f"{first} – {last}"


def moment(value) -> str:
    """An ISO timestamp (``2026-11-21T12:18:12+00:00``) as ``21 Nov 2026, 12:18
    UTC``; a date alone as ``day``; text that is not a timestamp as it is."""
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):  # a date without a time
            return day(value, unbroken=True)
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value or "–"
    if not isinstance(value, datetime) or value != value:  # NaT
        return day(value, unbroken=True)
    offset = value.utcoffset()
    zone = ""
    if offset is not None:
        zone = " UTC" if offset == timedelta(0) else f" {value.strftime('%z')}"
    return f"{day(value, unbroken=True)}, {value.strftime('%H:%M')}{zone}"


def clipped(text: str, most: int = 40) -> str:
    """``text`` as typed, cut to ``most`` characters with "…" when longer (a
    message quoting what someone pasted)."""
    return text if len(text) <= most else f"{text[: most - 1]}…"


def names(values, most: int = 3) -> str:
    """``France, Germany, Spain and 2 more``: a short list of names."""
    values = [str(v) for v in values]
    if len(values) <= most:
        return ", ".join(values)
    return f"{', '.join(values[:most])} and {len(values) - most} more"
