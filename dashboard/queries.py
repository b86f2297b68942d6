"""Filtered aggregations over a loaded bundle: masks and ``np.bincount``, no I/O.

Every function takes a :class:`dashboard.data.Bundle` (arrays already in memory) and
returns a small frame or dict; :mod:`dashboard.data` caches the answers. Dates are
whole days since 1970-01-01 inside, ISO strings at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.aggregates import pareto_curve

GRANULARITIES = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    """The global filter: an inclusive date range and optional regions/countries.

    ``None`` dates mean the bundle's first or last day; empty tuples mean all.
    """

    start: str | None = None
    end: str | None = None
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


def iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def to_day(text: str) -> int:
    return int(np.datetime64(text, "D").astype("int64"))


def window_dates(f: Filters, date_bounds: tuple[str, str]) -> tuple[str, str]:
    """The filter's first and last day, ISO dates, clipped to the data's
    ``date_bounds`` as :func:`day_range` clips them: an open bound is the data's
    first or last day, so a window reads the same whether it came from the URL,
    the date picker or neither."""
    first, last = date_bounds
    start = max(f.start, first) if f.start else first
    end = min(f.end, last) if f.end else last
    return start, end


def day_range(b, f: Filters) -> tuple[int, int]:
    """The filter's first and last day, clipped to the bundle's data."""
    start = b.day_min if f.start is None else max(to_day(f.start), b.day_min)
    end = b.day_max if f.end is None else min(to_day(f.end), b.day_max)
    return start, end


def country_allowed(b, f: Filters) -> np.ndarray | None:
    """Boolean per country code, or None when every country counts."""
    if not f.regions and not f.countries:
        return None
    allowed = np.ones(len(b.countries), dtype=bool)
    if f.regions:
        allowed &= np.isin(b.country_region, list(f.regions))
    if f.countries:
        allowed &= np.isin(b.countries, list(f.countries))
    return allowed


def _mask(arrays: dict, allowed, start: int, end: int) -> np.ndarray:
    day = arrays["day"]
    mask = (day >= start) & (day <= end)
    if allowed is not None:
        mask &= allowed[arrays["country"]]
    return mask


def _totals(b, allowed, start: int, end: int) -> dict:
    mask = _mask(b.inv, allowed, start, end)
    revenue = float(b.inv["revenue"][mask].sum())
    orders = int(mask.sum())
    customers = int(np.count_nonzero(np.bincount(b.inv["customer"][mask])))
    return {
        "revenue": revenue,
        "orders": orders,
        "customers": customers,
        "aov": revenue / orders if orders else 0.0,
        "units": int(b.inv["units"][mask].sum()),
    }


def kpis(b, f: Filters) -> dict:
    """Revenue, orders, customers, average order value and units sold for the
    filter, with the same figures for the previous period of the same length (None
    before the data; ``previous_from``: the data's first day when it starts inside
    that period, so the comparison can say it covers only part of it)."""
    allowed = country_allowed(b, f)
    start, end = day_range(b, f)
    current = _totals(b, allowed, start, end)
    length = end - start + 1
    prev_start, prev_end = start - length, start - 1
    previous = None
    if length > 0 and prev_end >= b.day_min:
        previous = _totals(b, allowed, prev_start, prev_end)
    partly = previous is not None and prev_start < b.day_min
    return {
        "current": current,
        "previous": previous,
        "period": (iso(start), iso(end)),
        "previous_period": (iso(prev_start), iso(prev_end)),
        "previous_from": iso(b.day_min) if partly else None,
    }


def period_start(day: np.ndarray, granularity: str) -> np.ndarray:
    """First day (int days) of the day, ISO week (Monday) or month of each day."""
    if granularity == "day":
        return day
    if granularity == "week":
        # 1970-01-01 was a Thursday: shift so that weeks start on Monday.
        return (day + 3) // 7 * 7 - 3
    if granularity == "month":
        months = day.astype("datetime64[D]").astype("datetime64[M]")
        return months.astype("datetime64[D]").astype("int64")
    raise ValueError(f"unknown granularity {granularity!r}; use {GRANULARITIES}")


def _by_period(day, weights: dict, granularity: str) -> pd.DataFrame:
    periods = period_start(day, granularity)
    keys, inverse = np.unique(periods, return_inverse=True)
    frame = pd.DataFrame(
        {"period": keys.astype("datetime64[D]").astype("datetime64[ns]")}
    )
    for name, values in weights.items():
        frame[name] = np.bincount(inverse, weights=values, minlength=len(keys))
    return frame


def sales_trend(b, f: Filters, granularity: str = "week") -> pd.DataFrame:
    """``period, revenue, orders, units`` for the filter, one row per period."""
    mask = _mask(b.daily, country_allowed(b, f), *day_range(b, f))
    d = b.daily
    return _by_period(
        d["day"][mask],
        {k: d[k][mask] for k in ("revenue", "orders", "units")},
        granularity,
    )


def country_totals(b, table: dict, mask: np.ndarray, values: tuple) -> pd.DataFrame:
    """``country, region`` and the sums of ``values`` over the rows of ``table``
    (``b.daily`` or ``b.pdaily``) in ``mask``, one row per country with revenue,
    biggest revenue first (equal revenue: by name)."""
    codes, n = table["country"][mask], len(b.countries)
    frame = pd.DataFrame(
        {
            "country": b.countries,
            "region": b.country_region,
            **{
                v: np.bincount(codes, weights=table[v][mask], minlength=n)
                for v in values
            },
        }
    )
    frame = frame[frame["revenue"] > 0]
    return frame.sort_values(
        ["revenue", "country"], ascending=[False, True], ignore_index=True
    )


def revenue_by_country(b, f: Filters) -> pd.DataFrame:
    """``country, region, revenue, orders`` with sales in the filter, biggest first."""
    mask = _mask(b.daily, country_allowed(b, f), *day_range(b, f))
    return country_totals(b, b.daily, mask, ("revenue", "orders"))


def top_products(b, f: Filters, n: int = 10) -> pd.DataFrame:
    """The union of the top ``n`` products by units and by revenue in the filter:
    ``stock_code, description, units, revenue, rank_units, rank_revenue``."""
    mask = _mask(b.pdaily, country_allowed(b, f), *day_range(b, f))
    codes = b.pdaily["product"][mask]
    size = len(b.product_codes)
    units = np.bincount(codes, weights=b.pdaily["units"][mask], minlength=size)
    revenue = np.bincount(codes, weights=b.pdaily["revenue"][mask], minlength=size)
    frames = []
    for name, values in (("units", units), ("revenue", revenue)):
        k = min(n, int(np.count_nonzero(values)))
        if k == 0:
            continue
        top = np.argpartition(-values, k - 1)[:k]
        top = top[np.lexsort((b.product_codes[top], -values[top]))]
        frames.append(
            pd.DataFrame(
                {
                    "stock_code": b.product_codes[top],
                    "description": b.products["description"].to_numpy()[top],
                    "units": units[top],
                    "revenue": revenue[top],
                    "ranked_by": name,
                    "rank": np.arange(1, k + 1),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["stock_code", "description", "units", "revenue", "ranked_by"]
        )
    return pd.concat(frames, ignore_index=True)


def pareto(b, f: Filters, by: str = "customers", points: int = 400) -> pd.DataFrame:
    """Cumulative share of revenue against share of customers, or of products
    (``by``), best first, in the filter.

    Downsampled to about ``points`` rows (the curve is smooth) plus the exact first
    point reaching 80% of revenue, flagged in column ``at_80``.
    """
    table, key, size = (
        (b.pdaily, "product", len(b.product_codes))
        if by == "products"
        else (b.inv, "customer", len(b.customer_ids))
    )
    mask = _mask(table, country_allowed(b, f), *day_range(b, f))
    revenue = np.bincount(
        table[key][mask], weights=table["revenue"][mask], minlength=size
    )
    revenue = revenue[revenue > 0]
    if revenue.size == 0:
        return pd.DataFrame(columns=["share_of_entities", "share_of_revenue", "at_80"])
    curve = pareto_curve(revenue)
    share_rev = curve["share_of_revenue"].to_numpy()
    share_of = curve["share_of_entities"].to_numpy()
    at_80 = int(np.searchsorted(share_rev, 0.8 - 1e-12))
    keep = np.unique(
        np.concatenate(
            [
                np.linspace(0, revenue.size - 1, min(points, revenue.size)).astype(int),
                [at_80],
            ]
        )
    )
    return pd.DataFrame(
        {
            "share_of_entities": np.concatenate([[0.0], share_of[keep]]),
            "share_of_revenue": np.concatenate([[0.0], share_rev[keep]]),
            "at_80": np.concatenate([[False], keep == at_80]),
        }
    )


def window_rfm(b, f: Filters) -> pd.DataFrame:
    """RFM recomputed from the invoices inside the filter, with segment and PCA
    position from the fitted model. Recency counts days from the day after the
    window's end to the last invoice in the window. Country and region: the
    customer's own, or under a place filter that leaves it out, those of their
    orders inside it (see :func:`_place_within`)."""
    start, end = day_range(b, f)
    allowed = country_allowed(b, f)
    mask = _mask(b.inv, allowed, start, end)
    cust = b.inv["customer"][mask]
    n = len(b.customer_ids)
    frequency = np.bincount(cust, minlength=n)
    monetary = np.bincount(cust, weights=b.inv["revenue"][mask], minlength=n)
    last = np.full(n, -np.inf)
    np.maximum.at(last, cust, b.inv["time"][mask])
    present = frequency > 0
    recency = np.floor(end + 1 - last[present]).astype("int64")
    customers = b.customers.loc[present, ["customer_id", "country", "region"]]
    frame = customers.reset_index(drop=True)
    if allowed is not None:
        _place_within(b, frame, np.flatnonzero(present), allowed, cust, mask)
    frame["recency_days"] = recency
    frame["frequency"] = frequency[present].astype("int64")
    frame["monetary"] = monetary[present]
    if len(frame):
        rfm = (frame["recency_days"], frame["frequency"], frame["monetary"])
        frame["segment"] = b.model.predict(*rfm)
        coords = b.model.project(*rfm)
        for i in range(3):
            frame[f"pc{i + 1}"] = coords[:, i]
    else:
        for column in ("segment", "pc1", "pc2", "pc3"):
            frame[column] = pd.Series(dtype="float64" if column != "segment" else str)
    return frame


def _place_within(b, frame, index, allowed, cust, mask) -> None:
    """Under a country or region filter, a customer whose own country (where most
    of their orders are) lies outside it is counted for their orders inside it:
    their ``country`` and ``region`` become those of the country with most of
    them (ties: the first in name order), as an export of "Austria" must not list
    someone as Denmark. ``index``: each row's customer; ``cust``: the customer of
    each invoice of ``mask``."""
    away = np.flatnonzero(~np.isin(frame["country"], b.countries[allowed]))
    if not len(away):
        return
    pairs = pd.DataFrame({"customer": cust, "country": b.inv["country"][mask]})
    pairs = pairs[np.isin(pairs["customer"], index[away])]
    counts = pairs.value_counts().rename("n").reset_index()
    counts["name"] = b.countries[counts["country"]]
    most = counts.sort_values(["customer", "n", "name"], ascending=[True, False, True])
    code = most.drop_duplicates("customer").set_index("customer")["country"]
    code = code.reindex(index[away]).to_numpy()
    frame.loc[away, "country"] = b.countries[code]
    frame.loc[away, "region"] = b.country_region[code]


def segment_profile(rfm: pd.DataFrame, segments: list[str]) -> pd.DataFrame:
    """Size, share of customers and revenue, mean R/F/M per segment, in the given
    order (segments without customers are left out)."""
    codes = pd.Categorical(rfm["segment"], categories=segments).codes
    known = codes >= 0
    codes = codes[known]
    size = np.bincount(codes, minlength=len(segments)).astype("float64")

    def total(column: str) -> np.ndarray:
        values = rfm[column].to_numpy("float64")[known]
        return np.bincount(codes, weights=values, minlength=len(segments))

    revenue = total("monetary")
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                "segment": segments,
                "customers": size.astype("int64"),
                "revenue": revenue,
                "recency_mean": total("recency_days") / size,
                "frequency_mean": total("frequency") / size,
                "monetary_mean": revenue / size,
                "customer_share": size / max(len(rfm), 1),
                "revenue_share": revenue / revenue.sum() if revenue.sum() else 0.0,
            }
        )
    return frame[frame["customers"] > 0].reset_index(drop=True)
