"""Periods of the sales-over-time charts: which periods a chart shows (a week
without sales is a zero, a day without trade a gap), which of them the filter
covers only in part, and the axis of a chart of one period."""

from __future__ import annotations

import pandas as pd

# plotly's (d3) date formats; "%-d": the day unpadded, "5 Dec 2011" as every
# date the dashboard writes.
DAY_FORMAT = "%-d %b %Y"
PERIOD_FORMAT = {"day": DAY_FORMAT, "week": f"week of {DAY_FORMAT}", "month": "%b %Y"}


PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
DAY_MS = 86_400_000


def iso_days(series: pd.Series) -> list[str]:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").tolist()


def period_layout(x: list[str], granularity: str) -> tuple[dict, dict]:
    """Bar and x-axis settings for a chart of a single period (plotly would size
    the bar and the axis to one millisecond and label the ticks "23:59:59.9998",
    "00:00:00.0002"); for a few months, a tick on each month's bar (see
    :func:`_month_ticks`); else nothing."""
    if len(x) != 1:
        return {}, _month_ticks(len(x)) if granularity == "month" else {}
    days = PERIOD_DAYS.get(granularity, 1)
    start = pd.Timestamp(x[0])
    pad = pd.Timedelta(days=days)
    bar = {"width": [0.8 * days * DAY_MS]}
    axis = {
        "range": [f"{start - pad:%Y-%m-%d}", f"{start + pad:%Y-%m-%d}"],
        "tickmode": "array",
        "tickvals": x,
        "tickformat": PERIOD_FORMAT.get(granularity, DAY_FORMAT),
    }
    return bar, axis


def _month_ticks(months: int) -> dict:
    """Monthly bars stand on the first of their month. Over a few months plotly
    ticks the axis every week or two ("Dec 19 2010", "Jan 2"), and January's bar,
    half left of 1 Jan, reads as December's: a "Jan 2011" tick under each bar
    instead (under every second one past a year, up to two; longer spans
    already get ticks on months)."""
    if months > 24:
        return {}
    return {"dtick": f"M{1 if months <= 12 else 2}", "tickformat": "%b %Y"}


PERIOD_FREQ = {"day": "D", "week": "7D", "month": "MS"}


def complete_periods(frame: pd.DataFrame, granularity: str) -> pd.DataFrame:
    """``frame`` with a row for every period between its first and its last.

    A week or a month without sales inside the chart is a real zero: its row is
    filled with zeros (a zero bar, the orders line down to 0), where plotly would
    draw the line straight across it. A day without sales is left empty (NaN):
    in Online Retail those are the days the shop did not trade (every Saturday,
    24 Dec – 3 Jan, bank holidays), and a line dropping to 0 each weekend would
    be a comb that hides the trend; a break in the line says "no orders" without
    suggesting any.
    """
    if len(frame) < 2:
        return frame
    periods = pd.DatetimeIndex(pd.to_datetime(frame["period"]))
    every = pd.date_range(
        periods.min(), periods.max(), freq=PERIOD_FREQ.get(granularity, "D")
    )
    missing = every.difference(periods)
    if missing.empty:
        return frame
    full = frame.set_index(periods).drop(columns="period")
    full = full.reindex(periods.union(missing))
    if granularity != "day":
        full = full.fillna(0.0)
    return full.rename_axis("period").reset_index()


def _day_span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """ "5–9 Dec 2011", "29 Nov – 3 Dec 2011", "9 Dec 2011"."""
    if first == last:
        return f"{last.day} {last:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def partial_periods(
    x: list[str], granularity: str, shown: tuple[str, str] | None
) -> list[str]:
    """For each period of ``x`` (first days, ISO), "" when the days ``shown`` (the
    filter's first and last day with data, ISO) cover it whole, else the days they
    do cover ("5–9 Dec 2011").

    Only the first and the last period can be partial: Online Retail ends on Friday
    9 Dec 2011, so its last week has five days and its last month nine, and their
    bars would read as a collapse if drawn like full ones.
    """
    notes = [""] * len(x)
    if not x or shown is None or granularity not in ("week", "month"):
        return notes
    first, last = (pd.Timestamp(day) for day in shown)
    for i in {0, len(x) - 1}:
        start = pd.Timestamp(x[i])
        if granularity == "week":
            end = start + pd.Timedelta(days=6)
        else:
            end = start + pd.offsets.MonthEnd(0)
        covered = max(start, first), min(end, last)
        if covered != (start, end) and covered[0] <= covered[1]:
            notes[i] = _day_span(*covered)
    return notes
