"""Row contents of the synthetic shop: every line is a pure function of its position.

A counter-based hash turns ``(seed, invoice, line, stream)`` into uniform numbers, so
any row range is generated on its own and chunking never changes the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import ndtri

from analytics._synthetic_plan import (
    COUNTRIES,
    FAV_KEY,
    Plan,
    make_plan,
    pick_in_theme,
)
from analytics._synthetic_vocab import (
    SPECIAL_CODES,
    THEME_WEIGHTS,
    THEMES,
    XMAS_MASK,
    build_catalogue,
)

COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
# Pack sizes the shop sells in; a product's usual pack depends on its price.
LADDER = np.array(
    [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 36, 48, 72, 96, 100, 120, 144, 192, 200]
    + [240, 288, 360, 480, 576, 600, 720, 960, 1200, 1440, 2400, 4800]
)
# Log-quantity thresholds between ladder steps (geometric midpoints).
_LOG_CUTS = (np.log(LADDER[1:]) + np.log(LADDER[:-1])) / 2
# Share of lines that are Christmas stock, by month (Q4 peak).
_XMAS_BY_MONTH = np.array(
    [0.01, 0.0, 0.0, 0.0, 0.0, 0.01, 0.03, 0.07, 0.14, 0.2, 0.22, 0.14]
)
_SPECIAL = {code: i for i, (code, _, _) in enumerate(SPECIAL_CODES)}
_U64 = np.uint64
_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class Shop:
    """Catalogue + plan; ``rows_table(r0, r1)`` builds any row range as Arrow."""

    def __init__(self, rows: int, seed: int, start: str, days: int):
        self.start = pd.Timestamp(start).normalize()
        cat = build_catalogue(seed)
        n = int(cat["n_products"])
        theme = cat["theme"][:n]
        n_themes = len(THEMES)
        cat["theme_lo"] = np.searchsorted(theme, np.arange(n_themes), side="left")
        cat["theme_hi"] = np.searchsorted(theme, np.arange(n_themes), side="right")
        if np.any(cat["theme_hi"] <= cat["theme_lo"]):
            raise RuntimeError("a theme has no products")
        cat["pop_cum"] = np.cumsum(cat["popularity"][:n])
        # Usual pack level: cheap items go by the dozen, furniture one at a time.
        cat["log_pack"] = np.log(5.0) - 0.8 * np.log(cat["price"] / 2.0)
        self.cat = cat
        self.n_products = n
        self.plan: Plan = make_plan(rows, seed, self.start, days, cat)
        self.salt = [_U64(_mix(_mix(seed & _MASK) + s)) for s in range(32)]
        dates = pd.date_range(self.start, periods=days + 1, freq="D")
        self.day_month = dates.month.to_numpy() - 1
        pop, xmas = THEME_WEIGHTS, XMAS_MASK
        self.everyday = np.flatnonzero(~xmas)
        self.everyday_cum = np.cumsum(pop[~xmas]) / pop[~xmas].sum()
        self.xmas = np.flatnonzero(xmas)
        self.xmas_cum = np.cumsum(pop[xmas]) / pop[xmas].sum()
        self.codes = pa.array(cat["code"], pa.string())
        self.descriptions = pa.array(cat["description"], pa.string())
        self.countries = pa.array(COUNTRIES, pa.string())

    def _u(self, key: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
        """Uniform [0, 1) from (seed, invoice key, line, stream): a splitmix64 hash."""
        line = line.astype(np.uint64)
        x = key * _U64(0x9E3779B97F4A7C15) ^ line * _U64(0xC2B2AE3D27D4EB4F)
        x ^= self.salt[stream]
        x ^= x >> _U64(30)
        x *= _U64(0xBF58476D1CE4E5B9)
        x ^= x >> _U64(27)
        x *= _U64(0x94D049BB133111EB)
        x ^= x >> _U64(31)
        return (x >> _U64(11)).astype(np.float64) * 2.0**-53

    def _normal(self, key, line, stream) -> np.ndarray:
        return ndtri(np.clip(self._u(key, line, stream), 1e-12, 1 - 1e-12))

    def _themes(self, cust, guest, key, line, stream) -> np.ndarray:
        """A theme per line: the customer's preferences (guests: the shop's mix)."""
        u = self._u(key, line, stream)
        c = np.maximum(cust, 0)
        cum = self.plan.cust_pref_cum[c]
        slot = (u[:, None] > cum[:, :2]).sum(axis=1)
        pref = self.plan.cust_prefs[c, slot]
        shop = self.everyday[np.searchsorted(self.everyday_cum, u, side="right")]
        return np.where(guest, shop, pref)

    def _walk(self, key, theme, line) -> np.ndarray:
        """Lines of one theme walk down its range from a popular start: no repeats."""
        start = pick_in_theme(self.cat, theme, self._u(key, theme + 1, 9) ** 2)
        lo, hi = self.cat["theme_lo"][theme], self.cat["theme_hi"][theme]
        return lo + (start - lo + line) % (hi - lo)

    def _content(self, inv: np.ndarray, line: np.ndarray):
        """Product index, pack level and unit price of purchase lines (inv, line)."""
        p, cat = self.plan, self.cat
        key, cust = p.key[inv], p.customer[inv]
        guest = cust < 0
        c = np.maximum(cust, 0)
        zero = np.zeros_like(line)
        month = self.day_month[p.minute[inv] // 1440]
        # Theme: the invoice's focus, the customer's taste or the wider shop.
        focus = self._themes(cust, guest, key, zero, 2)
        taste = self._themes(cust, guest, key, line, 6)
        # Big invoices spread over the whole shop, so a theme's walk rarely wraps.
        big = np.clip(1 - 30 / p.lines[inv], 0, 1)
        u = self._u(key, line, 5)
        theme = np.where(u < np.where(guest, 0.55, 0.5) * (1 - big), focus, taste)
        wide = self.everyday[
            np.searchsorted(self.everyday_cum, self._u(key, line, 7), side="right")
        ]
        theme = np.where(u > 0.88 * (1 - big), wide, theme)
        # Christmas stock in season: mostly the customer's own Christmas range.
        u_x = self._u(key, line, 8)
        xmas = self._u(key, line, 1) < _XMAS_BY_MONTH[month]
        shop_xmas = self.xmas[np.searchsorted(self.xmas_cum, u_x, side="right")]
        own_xmas = np.where(guest | (u_x < 0.3 + 0.7 * big), shop_xmas, p.cust_xmas[c])
        theme = np.where(xmas, own_xmas, theme)
        product = self._walk(key, theme, line)
        # A theme pick that is one of the customer's favourites would repeat a
        # rebuy line: take it from a theme outside their favourites instead.
        pairs = p.fav_pairs
        query = c * FAV_KEY + product
        found = pairs[np.minimum(np.searchsorted(pairs, query), len(pairs) - 1)]
        clash = ~guest & ~xmas & (found == query)
        product = np.where(clash, self._walk(key, wide, line), product)
        # Wholesale reordering: walk the customer's favourites (distinct per invoice).
        fav = (self._u(key, line, 3) < p.cust_repeat[c]) & ~guest & ~xmas
        fav &= line < p.fav_len[c]
        start = (self._u(key, zero, 4) * p.fav_len[c]).astype(np.int64)
        slot = p.fav_start[c] + (start + line) % p.fav_len[c]
        product = np.where(fav, p.fav_items[slot], product)
        # Quantity: the product's usual pack, the customer's scale, heavy-tailed noise.
        usual = cat["log_pack"][product]
        log_q = usual + 0.55 * np.where(guest, 0, p.cust_shift[c])
        log_q = log_q + 0.85 * self._normal(key, line, 13)
        log_q = log_q + 2.0 * (self._u(key, line, 14) < 0.005)
        level = np.searchsorted(_LOG_CUTS, log_q)
        price = cat["price"][product] * np.where(guest, 1.3, 1.0)
        price = price * np.where(log_q - usual > 1.0, 0.85, 1.0)
        noisy = self._u(key, line, 15) < 0.15
        price = price * np.where(noisy, np.exp(0.06 * self._normal(key, line, 16)), 1)
        price = np.maximum(np.round(price, 2), 0.01)
        price = np.where(
            self._u(key, line, 17) < np.where(guest, 0.006, 3e-4), 0, price
        )
        return self._specials(inv, line, product, level, price)

    def _specials(self, inv, line, product, level, price):
        """Postage, carriage, DOTCOM postage, manual and bank-charge lines."""
        p, n = self.plan, self.n_products
        key, zero, guest = p.key[inv], np.zeros_like(line), p.customer[inv] < 0
        abroad = p.country[inv] != 0
        u_post = self._u(key, zero, 10)
        post = (line == 0) & ~guest & (u_post < np.where(abroad, 0.6, 0.004))
        eire = p.country[inv] == COUNTRIES.index("EIRE")
        dot = guest & (p.lines[inv] >= 20) & (line == p.lines[inv] - 1)
        dot &= self._u(key, zero, 11) < 0.5
        u_m = self._u(key, line, 12)
        bank, manual = u_m < 8e-5, (u_m >= 8e-5) & (u_m < 9e-4)
        for mask, code in [
            (manual, "M"),
            (bank, "BANK CHARGES"),
            (post & eire, "C2"),
            (post & ~eire, "POST"),
            (dot, "DOT"),
        ]:
            product = np.where(mask, n + _SPECIAL[code], product)
        special = product >= n
        level = np.where(special, np.where(post & (u_post < 0.1), 1, 0), level)
        spread = np.exp(1.0 * self._normal(key, line, 18))
        variable = np.isin(product, [n + _SPECIAL["M"], n + _SPECIAL["DOT"]])
        fixed = self.cat["price"][product]
        price = np.where(
            special, np.round(fixed * np.where(variable, spread, 1), 2), price
        )
        return product, level, price

    def rows_table(self, r0: int, r1: int) -> pa.Table:
        """Rows ``r0 .. r1 - 1`` of the file as an Arrow table."""
        p = self.plan
        r = np.arange(r0, r1, dtype=np.int64)
        inv = np.searchsorted(p.offset, r, side="right") - 1
        line = r - p.offset[inv]
        cancel = p.cancel_of[inv] >= 0
        src = np.where(cancel, p.cancel_of[inv], inv)
        src_line = np.where(cancel, p.cancel_first[inv] + line, line)
        # Exact duplicates: an odd line repeats the line before it.
        dup = (src_line % 2 == 1) & (self._u(p.key[src], src_line, 0) < 0.012)
        src_line = src_line - dup
        product, level, price = self._content(src, src_line)
        quantity = LADDER[level] * np.where(cancel, -1, 1)
        lo, hi = int(inv[0]), int(inv[-1]) + 1
        numbers = p.number[lo:hi].astype(str).astype(object)
        numbers = np.where(p.cancel_of[lo:hi] >= 0, "C" + numbers, numbers)
        stamps = self.start.asm8.astype("datetime64[ns]") + (
            p.minute[inv] * 60_000_000_000
        ).astype("timedelta64[ns]")
        cust_id = p.cust_id[np.maximum(p.customer[inv], 0)]
        return pa.table(
            {
                "InvoiceNo": pa.array(numbers, pa.string()).take(inv - lo),
                "StockCode": self.codes.take(product),
                "Description": self.descriptions.take(product),
                "Quantity": pa.array(quantity, pa.int64()),
                "InvoiceDate": pa.array(stamps, pa.timestamp("ns")),
                "UnitPrice": pa.array(price, pa.float64()),
                "CustomerID": pa.array(cust_id, pa.float64(), mask=p.customer[inv] < 0),
                "Country": self.countries.take(p.country[inv]),
            }
        )
