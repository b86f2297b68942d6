"""The data-access layer: the only code that reads the bundle.

Tables are read once per bundle version into NumPy arrays (categorical codes for
countries, products and customers), so a callback's work is a boolean mask and a
``np.bincount``. Answers are cached with flask-caching under keys made of the query's
name, its inputs and the bundle version; a cache failure is logged and the answer
recomputed, never shown to the user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.contract import MANIFEST, REGIONS, SCHEMA_VERSION, TABLES
from analytics.product_search import ProductIndex, build_index
from analytics.segmentation import SegmentModel
from dashboard import lookups, queries
from dashboard.queries import Filters

log = logging.getLogger(__name__)

OPTIONAL_TABLES = (
    "recommendations",
    "discover_recommendations",
    "similar_products",
    "evaluation",
    "evaluation_intervals",
)
# Optional tables sorted by this key on load, so a lookup is a binary search.
_LOOKUP_KEYS = {
    "recommendations": ["customer_id", "rank"],
    "discover_recommendations": ["customer_id", "rank"],
    "similar_products": ["stock_code", "method", "rank"],
}


class BundleError(RuntimeError):
    """The bundle cannot be served. ``str()`` is for the server's log (it names
    the folder); ``public`` is for the pages (the folder's name only: a visitor
    need not see the server's paths)."""

    def __init__(self, message: str, public: str):
        super().__init__(message)
        self.public = public


class BundleMissingError(BundleError):
    """The bundle folder has no manifest: nothing to serve yet."""


class BundleDamagedError(BundleError):
    """The bundle folder has a manifest but cannot be read: a file missing or
    unreadable, a column missing, or another schema version."""


def _rebuild_hint(path: Path) -> str:
    return f"`python -m analytics build --input FILE --out {path}`"


def _damaged(path: Path, what: str) -> BundleDamagedError:
    public = what.replace(str(path.resolve()), path.name).replace(str(path), path.name)
    return BundleDamagedError(
        f"The bundle at {path} cannot be served: {what}. Rebuild it with "
        f"{_rebuild_hint(path)}.",
        f"The data bundle ({path.name}) cannot be read: {public}. The server's log "
        "says how to rebuild it.",
    )


def _days(values) -> np.ndarray:
    """Datetimes → whole days since 1970-01-01 (int64), the unit every mask uses."""
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype("int64")


def _codes(values, categories) -> np.ndarray:
    return pd.Categorical(values, categories=categories).codes.astype("int32")


@dataclass
class Bundle:
    """One bundle, loaded into memory. Built by :meth:`load`; treat as read-only."""

    manifest: dict
    version: str
    model: SegmentModel
    countries: np.ndarray  # names, index = country code
    country_region: np.ndarray  # region name per country code
    regions: list[str]
    day_min: int
    day_max: int
    customers: pd.DataFrame  # sorted by customer_id, index = customer code
    customer_ids: np.ndarray
    inv: dict  # invoices as arrays: day, customer, country, revenue, units
    daily: dict  # daily_country as arrays: day, country, revenue, orders, units
    pdaily: dict  # product_daily as arrays: day, country, product, units, revenue
    products: pd.DataFrame  # index = product code
    product_codes: np.ndarray
    product_index: ProductIndex  # the fuzzy product search's index
    customer_products: pd.DataFrame  # sorted by customer_id
    cp_customer: np.ndarray
    tables: dict  # small whole-period tables: kmeans_scan, ... and the optional ones
    lookup_keys: dict  # optional table name -> its sorted first key column (array)

    @classmethod
    def load(cls, path: Path) -> Bundle:
        """Read the bundle at ``path``: :class:`BundleMissingError` without a
        manifest, :class:`BundleDamagedError` when it cannot be read whole."""
        path = Path(path)
        if not (path / MANIFEST).exists():
            raise BundleMissingError(
                f"No bundle at {path}: build one with {_rebuild_hint(path)}",
                "No data bundle has been built yet. The server's log says how to "
                "build one.",
            )
        try:
            return cls._load(path)
        except BundleDamagedError:
            raise
        except FileNotFoundError as exc:
            name = Path(exc.filename).name if exc.filename else "a file"
            raise _damaged(path, f"{name} is missing") from exc
        except Exception as exc:  # JSON, Arrow, a missing column…: one message
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise _damaged(path, f"{type(exc).__name__}: {detail}") from exc

    @classmethod
    def _load(cls, path: Path) -> Bundle:
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _damaged(path, f"{MANIFEST} is not valid JSON ({exc})") from exc
        version = manifest.get("schema_version") if isinstance(manifest, dict) else None
        if version != SCHEMA_VERSION:
            raise _damaged(
                path,
                f"it was built for bundle schema {version!r} and this dashboard "
                f"reads schema {SCHEMA_VERSION}",
            )

        def read(name: str) -> pd.DataFrame:
            file = path / f"{name}.parquet"
            if not file.exists():
                raise _damaged(path, f"{file.name} is missing")
            try:
                table = pd.read_parquet(file)
            except Exception as exc:
                raise _damaged(path, f"{name}.parquet cannot be read ({exc})") from exc
            missing = [c for c in TABLES[name] if c not in table.columns]
            if missing:
                raise _damaged(
                    path, f"{name}.parquet has no column {', '.join(missing)}"
                )
            return table

        countries_frame = read("countries").sort_values("country")
        countries = countries_frame["country"].astype(str).to_numpy()
        country_region = countries_frame["region"].astype(str).to_numpy()
        present = set(country_region)
        regions = [r for r in REGIONS if r in present] + sorted(present - set(REGIONS))

        customers = read("customers").sort_values("customer_id", ignore_index=True)
        customer_ids = customers["customer_id"].to_numpy("int64")

        invoices = read("invoices")
        stamps = pd.to_datetime(invoices["invoice_date"]).to_numpy("datetime64[ns]")
        inv = {
            "day": stamps.astype("datetime64[D]").astype("int64"),
            # Fractional days, so recency counts like the build's (floor of
            # as-of minus the last invoice's time).
            "time": stamps.astype("int64") / 86_400e9,
            "customer": np.searchsorted(
                customer_ids, invoices["customer_id"].to_numpy("int64")
            ).astype("int32"),
            "country": _codes(invoices["country"], countries),
            "revenue": invoices["revenue"].to_numpy("float64"),
            "units": invoices["units"].to_numpy("int64"),
        }
        daily_frame = read("daily_country")
        daily = {
            "day": _days(daily_frame["date"]),
            "country": _codes(daily_frame["country"], countries),
            **{
                c: daily_frame[c].to_numpy("float64")
                for c in ("revenue", "orders", "units")
            },
        }
        products = read("products").sort_values("stock_code", ignore_index=True)
        product_codes = products["stock_code"].astype(str).to_numpy()
        pd_frame = read("product_daily")
        pdaily = {
            "day": _days(pd_frame["date"]),
            "country": _codes(pd_frame["country"], countries),
            "product": _codes(pd_frame["stock_code"], product_codes),
            "units": pd_frame["units"].to_numpy("float64"),
            "revenue": pd_frame["revenue"].to_numpy("float64"),
        }
        customer_products = read("customer_products").sort_values(
            ["customer_id", "revenue"], ascending=[True, False], ignore_index=True
        )
        tables = {
            name: read(name)
            for name in (
                "kmeans_scan",
                "model_comparison",
                "segment_profiles",
            )
        }
        lookup_keys = {}
        for name in OPTIONAL_TABLES:
            file = path / f"{name}.parquet"
            table = read(name) if file.exists() else None
            if table is not None and name in _LOOKUP_KEYS:
                key = _LOOKUP_KEYS[name]
                table = table.sort_values(key, ignore_index=True)
                lookup_keys[name] = table[key[0]].to_numpy()
            tables[name] = table
        return cls(
            manifest=manifest,
            # The input's fingerprint and the build's time: a rebuild of the same
            # input by other code is another version (the cache keys' part).
            version=f"{manifest.get('bundle_version', 'unknown')}@"
            f"{manifest.get('built_at', 'unknown')}",
            model=SegmentModel.load(path),
            countries=countries,
            country_region=country_region,
            regions=regions,
            day_min=int(inv["day"].min()),
            day_max=int(inv["day"].max()),
            customers=customers,
            customer_ids=customer_ids,
            inv=inv,
            daily=daily,
            pdaily=pdaily,
            products=products,
            product_codes=product_codes,
            product_index=build_index(products),
            customer_products=customer_products,
            cp_customer=customer_products["customer_id"].to_numpy("int64"),
            tables=tables,
            lookup_keys=lookup_keys,
        )


def _approx_bytes(value) -> int:
    """A table's size in memory (its columns' buffers); 0 for anything else
    (the small dicts of figures a query returns)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    return 0


def _key_part(b: Bundle, value):
    """A cache-key part; a filter is keyed by what it selects (its clipped day
    range, its regions and countries in any order), so the URL's filter and the
    filter bar's for the same view share one answer."""
    if isinstance(value, Filters):
        return (
            queries.day_range(b, value),
            tuple(sorted(value.regions)),
            tuple(sorted(value.countries)),
        )
    return value


class DataAccess:
    """Cached queries over the bundle at ``bundle_dir``.

    The bundle is reloaded when any of its files changes on disk (a rebuild swaps
    a new folder into place, seen at once through its manifest; a copy replaces
    them one by one, seen within :attr:`scan_seconds`), and the bundle
    version (its input's fingerprint and build time) is part of every cache key, so
    no answer from an old bundle is ever served for a new one. A reload that fails
    (a damaged or half-copied bundle, or none) keeps the bundle already loaded, says
    so once in the log, and is tried again when the files change or after
    :attr:`retry_seconds`; with no bundle loaded yet the pages say what is wrong.
    """

    retry_seconds = 10.0
    # Every call looks at the manifest (a few µs); the whole folder, at most this
    # often (~60 µs each: a callback asks for the bundle dozens of times).
    scan_seconds = 1.0
    # Answers larger than this are recomputed, never cached: the cache is bounded
    # by its number of entries (2,000 in process memory), and one window's RFM
    # table alone is ~450 KB on Online Retail (computed in ~7 ms), growing with the
    # customers: cached, a worker grew to 1.2 GB over 6,000 date windows. With
    # this bound the cache holds at most ~130 MB (typical answers are 0.2–8 KB).
    max_cached_bytes = 64 * 1024
    # A cache that is down fails every query: its traceback is logged once a minute.
    cache_log_seconds = 60.0

    def __init__(self, bundle_dir: Path, cache=None, timeout: int | None = None):
        self.bundle_dir = Path(bundle_dir)
        self.cache = cache
        self.timeout = timeout
        self._bundle: Bundle | None = None
        self._stamp = None
        self._failure: tuple | None = None  # (stamp, retry after, error)
        self._manifest_stat = None
        self._next_scan = -float("inf")
        self._lock = threading.Lock()
        self._cache_logged = -float("inf")  # when a cache failure was last logged

    # -- loading -----------------------------------------------------------------
    def _files_stamp(self):
        """Each bundle file's name, size, time and inode (None: no manifest)."""
        try:
            with os.scandir(self.bundle_dir) as it:
                files = [(e.name, e.stat()) for e in it if e.is_file()]
        except OSError:
            return None
        if not any(name == MANIFEST for name, _ in files):
            return None
        return tuple(sorted((n, s.st_size, s.st_mtime_ns, s.st_ino) for n, s in files))

    def bundle(self) -> Bundle:
        """The loaded bundle, reloaded when the files on disk have changed (raises
        :class:`BundleError` only while no bundle could be loaded at all)."""
        try:
            stat = (self.bundle_dir / MANIFEST).stat()
            manifest = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        except OSError:
            manifest = None
        now = time.monotonic()
        if (
            self._bundle is not None
            and manifest == self._manifest_stat
            and now < self._next_scan
        ):
            return self._bundle
        stamp = self._files_stamp()
        self._manifest_stat, self._next_scan = manifest, now + self.scan_seconds
        if self._bundle is not None and stamp == self._stamp:
            return self._bundle
        with self._lock:
            if self._bundle is not None and stamp == self._stamp:
                return self._bundle
            failure = self._failure
            if failure and failure[0] == stamp and time.monotonic() < failure[1]:
                if self._bundle is None:
                    raise failure[2]
                return self._bundle
            try:
                bundle = Bundle.load(self.bundle_dir)
            except BundleError as exc:
                said = failure is not None and str(failure[2]) == str(exc)
                self._failure = (stamp, time.monotonic() + self.retry_seconds, exc)
                if self._bundle is None:
                    if not said:
                        log.error("%s", exc)
                    raise
                if not said:  # the same failure again is not news
                    log.error(
                        "%s (still serving the bundle loaded before, version %s)",
                        exc,
                        self._bundle.version,
                    )
                return self._bundle
            self._bundle, self._stamp, self._failure = bundle, stamp, None
            return bundle

    def _cached(self, name: str, args: tuple, compute):
        bundle = self.bundle()
        if self.cache is None:
            return compute(bundle)
        parts = tuple(_key_part(bundle, a) for a in args)
        digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:20]
        key = f"{name}:{bundle.version}:{digest}"
        try:
            hit = self.cache.get(key)
        except Exception:  # a broken cache must never break a page
            self._cache_failed("get", key)
            hit = None
        if hit is not None:
            return hit
        value = compute(bundle)
        if _approx_bytes(value) > self.max_cached_bytes:
            return value  # see max_cached_bytes
        try:
            self.cache.set(key, value, timeout=self.timeout)
        except Exception:
            self._cache_failed("set", key)
        return value

    def _cache_failed(self, what: str, key: str) -> None:
        now = time.monotonic()
        if now - self._cache_logged >= self.cache_log_seconds:
            self._cache_logged = now
            log.exception(
                "cache %s failed for %s (answers are computed without the cache; "
                "further failures are not logged for %.0f s)",
                what,
                key,
                self.cache_log_seconds,
            )

    # -- whole-bundle facts --------------------------------------------------------
    def manifest(self) -> dict:
        return self.bundle().manifest

    def version(self) -> str:
        return self.bundle().version

    def date_bounds(self) -> tuple[str, str]:
        """First and last day with sales, ISO dates."""
        b = self.bundle()
        return queries.iso(b.day_min), queries.iso(b.day_max)

    def regions(self) -> list[str]:
        return list(self.bundle().regions)

    def countries(self) -> list[tuple[str, str]]:
        """(country, region) pairs, alphabetical."""
        b = self.bundle()
        return list(zip(b.countries.tolist(), b.country_region.tolist(), strict=True))

    def table(self, name: str) -> pd.DataFrame | None:
        """A small whole-period table (pareto, kmeans_scan, evaluation…); None if
        the bundle does not have it."""
        return self.bundle().tables.get(name)

    def segment_model(self) -> SegmentModel:
        return self.bundle().model

    # -- filtered queries (cached) ---------------------------------------------------
    def kpis(self, f: Filters) -> dict:
        return self._cached("kpis", (f,), lambda b: queries.kpis(b, f))

    def sales_trend(self, f: Filters, granularity: str) -> pd.DataFrame:
        return self._cached(
            "trend", (f, granularity), lambda b: queries.sales_trend(b, f, granularity)
        )

    def revenue_by_country(self, f: Filters) -> pd.DataFrame:
        return self._cached("country", (f,), lambda b: queries.revenue_by_country(b, f))

    def top_products(self, f: Filters, n: int = 10) -> pd.DataFrame:
        return self._cached("top", (f, n), lambda b: queries.top_products(b, f, n))

    def pareto(self, f: Filters, by: str = "customers") -> pd.DataFrame:
        return self._cached("pareto", (f, by), lambda b: queries.pareto(b, f, by))

    def window_rfm(self, f: Filters) -> pd.DataFrame:
        return self._cached("rfm", (f,), lambda b: queries.window_rfm(b, f))

    def product_sales(self, stock_code: str, f: Filters, granularity: str):
        return self._cached(
            "psales",
            (stock_code, f, granularity),
            lambda b: lookups.product_sales(b, stock_code, f, granularity),
        )

    def product_countries(self, stock_code: str, f: Filters) -> pd.DataFrame:
        return self._cached(
            "pcountries",
            (stock_code, f),
            lambda b: lookups.product_countries(b, stock_code, f),
        )

    # -- lookups -----------------------------------------------------------------------
    def customer(self, customer_id: int) -> dict | None:
        return lookups.customer_profile(self.bundle(), customer_id)

    def customer_history(self, customer_id: int) -> pd.DataFrame:
        return self._cached(
            "history",
            (customer_id,),
            lambda b: lookups.customer_history(b, customer_id),
        )

    def customer_top_products(self, customer_id: int, n: int = 5) -> pd.DataFrame:
        return lookups.customer_top_products(self.bundle(), customer_id, n)

    def recommendations(
        self, customer_id: int, table: str = "recommendations"
    ) -> pd.DataFrame | None:
        """``table`` is "recommendations" or "discover_recommendations"."""
        return lookups.recommendations_for(self.bundle(), customer_id, table)

    def product(self, stock_code: str) -> dict | None:
        return lookups.product_info(self.bundle(), stock_code)

    def product_code(self, text: str) -> str | None:
        """The stock code ``text`` names, whatever its case (None: no product)."""
        return lookups.product_code(self.bundle(), text)

    def similar_products(self, stock_code: str) -> pd.DataFrame | None:
        return lookups.similar_to(self.bundle(), stock_code)

    def search_products(self, text: str, limit: int = 10) -> pd.DataFrame:
        return self._cached(
            "search", (text, limit), lambda b: lookups.search(b, text, limit)
        )
