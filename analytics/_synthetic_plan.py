"""Invoice-level plan of the synthetic shop: customers, calendar and invoices.

The plan holds one entry per invoice (about a twentieth of the rows), so it fits in
memory even for tens of millions of rows; line contents are derived from it later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics._synthetic_vocab import THEME_WEIGHTS, XMAS_MASK

# Customers per country in the real file (UK dominates); guests are nearly all UK.
COUNTRY_WEIGHTS = {
    "United Kingdom": 3950, "Germany": 95, "France": 87, "Spain": 31, "Belgium": 25,
    "Switzerland": 21, "Portugal": 19, "Italy": 15, "Finland": 12, "Austria": 11,
    "Norway": 10, "Australia": 9, "Denmark": 9, "Netherlands": 9, "Channel Islands": 9,
    "Japan": 8, "Sweden": 8, "Cyprus": 8, "Poland": 6, "Unspecified": 4, "USA": 4,
    "Canada": 4, "Israel": 4, "Greece": 4, "EIRE": 3, "United Arab Emirates": 2,
    "Bahrain": 2, "Malta": 2, "Brazil": 1, "Lebanon": 1, "Iceland": 1,
    "Czech Republic": 1, "European Community": 1, "Saudi Arabia": 1, "RSA": 1,
    "Lithuania": 1, "Singapore": 1, "Hong Kong": 1,
}  # fmt: skip
COUNTRIES = list(COUNTRY_WEIGHTS)
# Guest invoices: share outside the UK and where they come from.
_GUEST_ABROAD = 0.012
_GUEST_COUNTRIES = ["EIRE", "Hong Kong", "Unspecified", "Switzerland", "France"]
# Rows per month relative to the year's average (Sep-Nov peak, as in the real shop).
_MONTH = [0.85, 0.75, 0.85, 0.75, 0.85, 0.85, 0.9, 0.85, 1.25, 1.45, 1.95, 1.5]
# Monday..Sunday; the real shop never trades on Saturday.
_WEEKDAY = [1.0, 1.05, 1.0, 1.1, 0.85, 0.0, 0.7]
# Invoices per hour of day, 6h..20h (real shop's shape).
_HOURS = np.arange(6, 21)
_HOUR_W = np.array([0.1, 0.4, 9, 34, 49, 58, 79, 72, 67, 78, 55, 29, 8, 4, 1.0])
CUSTOMERS_PER_ROW = 4338 / 541909
MEAN_LINES = 15.0  # median lines of a customer invoice
# Favourite pairs are stored sorted as customer * FAV_KEY + product.
FAV_KEY = 1 << 20


@dataclass
class Plan:
    """Customers and invoices; invoices are in file order (time, then number)."""

    # customers
    cust_country: np.ndarray
    cust_id: np.ndarray
    cust_prefs: np.ndarray  # (n, 3) theme ids
    cust_pref_cum: np.ndarray  # (n, 3) cumulative weights
    cust_xmas: np.ndarray  # favourite Christmas theme
    cust_repeat: np.ndarray  # share of lines that rebuy a favourite
    cust_shift: np.ndarray  # quantity ladder shift (wholesalers buy bigger packs)
    fav_start: np.ndarray
    fav_len: np.ndarray
    fav_items: np.ndarray
    fav_pairs: np.ndarray  # sorted customer * FAV_KEY + product
    # invoices
    key: np.ndarray  # pool id: stable hash key of the invoice
    number: np.ndarray
    minute: np.ndarray  # minutes since start
    customer: np.ndarray  # -1 for guests
    country: np.ndarray
    lines: np.ndarray
    offset: np.ndarray  # first row of each invoice
    cancel_of: np.ndarray  # index of the cancelled invoice, -1 for purchases
    cancel_first: np.ndarray  # first mirrored line of that invoice


def day_weights(start: pd.Timestamp, days: int) -> np.ndarray:
    """Relative trading intensity of each day (closed days weigh 0)."""
    dates = pd.date_range(start.normalize(), periods=days, freq="D")
    month = np.asarray(_MONTH)[dates.month.to_numpy() - 1]
    weekday = np.asarray(_WEEKDAY)[dates.day_of_week.to_numpy()]
    md = dates.month.to_numpy() * 100 + dates.day.to_numpy()
    closed = (md >= 1224) | (md <= 103)  # Christmas break
    weights = month * weekday * ~closed
    if weights.sum() == 0:
        raise ValueError(f"no trading day in {days} days from {start.date()}")
    return weights


def _times(rng, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Minutes since start: day by the intensity CDF between lo and hi, then hour."""
    day = np.searchsorted(cum, lo + rng.random(len(lo)) * (hi - lo), side="right")
    return _clock(rng, np.minimum(day, len(cum) - 1))


def _clock(rng, day: np.ndarray) -> np.ndarray:
    """Minutes since start at a shop-hours time of each day."""
    hour = rng.choice(_HOURS, size=len(day), p=_HOUR_W / _HOUR_W.sum())
    return day * 1440 + hour * 60 + rng.integers(0, 60, len(day))


def _next_open(open_days: np.ndarray) -> np.ndarray:
    """For each day 0..days, the first trading day on or after it (days if none)."""
    days = len(open_days)
    idx = np.where(open_days, np.arange(days), days)
    return np.concatenate([np.minimum.accumulate(idx[::-1])[::-1], [days]])


def _customers(rng, n: int, theme_pop: np.ndarray, xmas: np.ndarray) -> dict:
    weights = np.array(list(COUNTRY_WEIGHTS.values()), dtype=float)
    everyday = np.flatnonzero(~xmas)
    p_every = theme_pop[everyday] / theme_pop[everyday].sum()
    prefs = everyday[
        np.stack([rng.choice(len(everyday), n, p=p_every) for _ in range(3)], 1)
    ]
    pref_w = np.sort(rng.dirichlet([2.0, 1.0, 0.6], n), axis=1)[:, ::-1]
    xmas_ids = np.flatnonzero(xmas)
    return {
        "cust_country": rng.choice(len(COUNTRIES), n, p=weights / weights.sum()),
        "cust_id": (12346 + rng.choice(int(n * 1.37) + 10, n, replace=False)).astype(
            np.float64
        ),
        "cust_prefs": prefs,
        "cust_pref_cum": np.cumsum(pref_w, axis=1),
        "cust_xmas": xmas_ids[rng.integers(0, len(xmas_ids), n)],
        "cust_repeat": rng.beta(3.0, 4.0, n),
        "cust_shift": rng.choice(
            [-1, 0, 1, 2, 3, 4], n, p=[0.15, 0.45, 0.2, 0.1, 0.06, 0.04]
        ),
    }


def _favourites(rng, cat: dict, prefs: np.ndarray) -> tuple:
    """Each customer's rebuy list: products of their three preferred themes."""
    n = len(prefs)
    fav_len = np.clip(rng.lognormal(np.log(30), 0.6, n), 4, 200).astype(np.int64)
    owner = np.repeat(np.arange(n), fav_len)
    slot = rng.choice(3, len(owner), p=[0.55, 0.3, 0.15])
    theme = prefs[owner, slot]
    items = pick_in_theme(cat, theme, rng.random(len(owner)))
    # One entry per product: a rebuy walk never lists an item twice in an invoice.
    pairs = np.sort(owner * FAV_KEY + items)
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    owner, items = pairs // FAV_KEY, pairs % FAV_KEY
    items = items[np.lexsort((rng.random(len(items)), owner))]  # shuffle per owner
    fav_len = np.bincount(owner, minlength=n)
    fav_start = np.concatenate([[0], np.cumsum(fav_len)[:-1]])
    return fav_start, fav_len, items, pairs


def pick_in_theme(cat: dict, theme: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Product of each theme by popularity (u uniform in [0, 1))."""
    lo, hi = cat["theme_lo"][theme], cat["theme_hi"][theme]
    base = cat["pop_cum"][lo] - cat["popularity"][lo]
    target = base + u * (cat["pop_cum"][hi - 1] - base)
    pick = np.searchsorted(cat["pop_cum"], target, side="right")
    return np.clip(pick, lo, hi - 1)


def make_plan(rows: int, seed: int, start: pd.Timestamp, days: int, cat: dict) -> Plan:
    """Draw customers and a pool of invoices, then keep a random subset of exactly
    ``rows`` lines (trimming the last kept invoice) so every shape is preserved.

    The pool is drawn 12% larger than needed; small outputs, whose pool varies
    more, redraw with a wider margin (deterministically) when it falls short.
    """
    for attempt, margin in enumerate([1.12, 1.5, 2.5, 5.0, 10.0, 30.0]):
        plan = _draw(rows, seed, start, days, cat, margin, attempt)
        if plan is not None:
            return plan
    raise RuntimeError(f"could not plan {rows} synthetic rows")  # pragma: no cover


def _draw(rows, seed, start, days, cat, margin, attempt) -> Plan | None:
    rng = np.random.default_rng([seed, 202, attempt])
    n_cust = max(20, round(rows * CUSTOMERS_PER_ROW * 1.06))
    cust = _customers(rng, n_cust, THEME_WEIGHTS, XMAS_MASK)
    fav_start, fav_len, fav_items, fav_pairs = _favourites(rng, cat, cust["cust_prefs"])

    cum = np.cumsum(day_weights(start, days))
    cum /= cum[-1]
    # Customer lifetimes: some trade all year, others join late or lapse (recency).
    join = np.where(rng.random(n_cust) < 0.45, 0.0, rng.random(n_cust) * 0.97)
    stays = rng.random(n_cust) < 0.65
    leave = np.where(stays, 1.0, np.minimum(1.0, join + rng.exponential(0.3, n_cust)))
    activity = rng.lognormal(0.0, 1.45, n_cust)
    basket = rng.lognormal(0.0, 0.65, n_cust)
    window = leave - join
    mean_lines = MEAN_LINES * basket * np.exp(0.7**2 / 2)
    # Registered purchases carry ~73% of the rows, guests ~25%, cancellations ~2%.
    target = rows * 0.73 * margin
    rate = max(target - mean_lines.sum(), 0) / (activity * window * mean_lines).sum()
    n_orders = 1 + rng.poisson(rate * activity * window)
    owner = np.repeat(np.arange(n_cust), n_orders)
    reg_lines = np.maximum(
        1, np.round(rng.lognormal(np.log(MEAN_LINES * basket[owner]), 0.7))
    ).astype(np.int64)
    reg_min = _times(rng, cum, join[owner], leave[owner])

    n_guest = max(1, round(rows * 0.25 * margin / 34))
    small = rng.random(n_guest) < 0.5
    guest_lines = np.where(
        small,
        rng.integers(1, 4, n_guest),
        np.maximum(1, np.round(rng.lognormal(np.log(40), 1.0, n_guest))),
    ).astype(np.int64)
    guest_min = _times(rng, cum, np.zeros(n_guest), np.ones(n_guest))
    abroad = rng.random(n_guest) < _GUEST_ABROAD
    guest_country = np.where(
        abroad,
        np.array([COUNTRIES.index(c) for c in _GUEST_COUNTRIES])[
            rng.integers(0, len(_GUEST_COUNTRIES), n_guest)
        ],
        0,
    )

    # Cancellations mirror a few consecutive lines of an earlier registered invoice.
    n_reg = len(owner)
    src = np.flatnonzero(rng.random(n_reg) < 0.32)
    k = np.minimum(1 + rng.geometric(0.45, len(src)) - 1, reg_lines[src])
    first = (rng.random(len(src)) * (reg_lines[src] - k + 1)).astype(np.int64)
    # Cancelled a few days later, on a trading day and in shop hours.
    delay = np.round(rng.exponential(3 * 1440, len(src))).astype(np.int64)
    day = np.minimum((reg_min[src] + delay) // 1440, days)
    day = _next_open(open_days=np.diff(cum, prepend=0) > 0)[day]
    cancel_min = _clock(rng, day)
    cancel_min = np.maximum(cancel_min, reg_min[src] + rng.integers(2, 60, len(src)))
    ok = (day < days) & (cancel_min < days * 1440)
    src, k, first, cancel_min = src[ok], k[ok], first[ok], cancel_min[ok]

    # Pool: registered, guest, cancel invoices; priority decides who is kept.
    n_pool = n_reg + n_guest + len(src)
    prio = rng.random(n_reg + n_guest)
    prio = np.concatenate([prio, prio[src]])
    is_cancel = np.arange(n_pool) >= n_reg + n_guest
    lines = np.concatenate([reg_lines, guest_lines, k])
    order = np.lexsort((is_cancel, prio))
    total = np.cumsum(lines[order])
    if total[-1] < rows:
        return None
    n_keep = int(np.searchsorted(total, rows) + 1)
    kept = order[:n_keep]
    lines = lines.copy()
    lines[kept[-1]] -= total[n_keep - 1] - rows

    minute = np.concatenate([reg_min, guest_min, cancel_min])
    customer = np.concatenate([owner, np.full(n_guest, -1), owner[src]])
    country = np.concatenate(
        [cust["cust_country"][owner], guest_country, cust["cust_country"][owner[src]]]
    )
    cancel_of = np.concatenate([np.full(n_reg + n_guest, -1), src])
    cancel_first = np.concatenate([np.zeros(n_reg + n_guest, np.int64), first])
    kept = kept[np.lexsort((prio[kept] + is_cancel[kept], minute[kept]))]
    # Map pool ids of cancelled invoices to file positions.
    position = np.full(n_pool, -1)
    position[kept] = np.arange(len(kept))
    src_pos = np.where(
        cancel_of[kept] >= 0, position[np.maximum(cancel_of[kept], 0)], -1
    )
    kept_lines = lines[kept]
    return Plan(
        **cust,
        fav_start=fav_start,
        fav_len=fav_len,
        fav_items=fav_items,
        fav_pairs=fav_pairs,
        key=kept.astype(np.uint64),
        number=536365 + np.arange(len(kept)),
        minute=minute[kept],
        customer=customer[kept],
        country=country[kept],
        lines=kept_lines,
        offset=np.concatenate([[0], np.cumsum(kept_lines)[:-1]]),
        cancel_of=src_pos,
        cancel_first=cancel_first[kept],
    )
