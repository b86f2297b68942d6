"""The data-access layer against plain pandas on the same bundle tables."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from flask_caching import Cache

from analytics.segmentation import SegmentModel, rfm_table
from dashboard.config import Config
from dashboard.data import BundleDamagedError, BundleMissingError, DataAccess
from dashboard.queries import Filters, period_start, segment_profile


@pytest.fixture(scope="module")
def invoices(demo_bundle) -> pd.DataFrame:
    return pd.read_parquet(demo_bundle / "invoices.parquet")


def _window(invoices, start, end, regions=()):
    day = invoices["invoice_date"].dt.normalize()
    keep = (day >= start) & (day <= end)
    if regions:
        keep &= invoices["region"].isin(regions)
    return invoices[keep]


def test_kpis_match_pandas_and_previous_period(data, invoices):
    f = Filters(start="2011-03-01", end="2011-05-31")
    k = data.kpis(f)
    cur = _window(invoices, "2011-03-01", "2011-05-31")
    prev = _window(invoices, "2010-11-29", "2011-02-28")  # the 92 days before
    assert k["current"]["revenue"] == pytest.approx(cur["revenue"].sum())
    assert k["current"]["orders"] == len(cur)
    assert k["current"]["customers"] == cur["customer_id"].nunique()
    assert k["current"]["aov"] == pytest.approx(cur["revenue"].sum() / len(cur))
    assert k["current"]["units"] == cur["units"].sum()
    assert k["previous_period"] == ("2010-11-29", "2011-02-28")
    assert k["previous"]["revenue"] == pytest.approx(prev["revenue"].sum())
    assert k["previous"]["units"] == prev["units"].sum()
    # The demo data starts inside that period: the comparison says from when.
    first = invoices["invoice_date"].min().date().isoformat()
    assert first > "2010-11-29"
    assert k["previous_from"] == first
    # A later window's previous period lies wholly within the data.
    assert (
        data.kpis(Filters(start="2011-06-01", end="2011-06-30"))["previous_from"]
        is None
    )


def test_kpis_whole_period_has_no_previous(data, invoices):
    k = data.kpis(Filters())
    assert k["previous"] is None
    assert k["current"]["orders"] == len(invoices)


def test_region_and_country_filters_intersect(data, invoices):
    region = "Western Europe"
    k = data.kpis(Filters(regions=(region,)))
    assert k["current"]["orders"] == (invoices["region"] == region).sum()
    country = invoices.loc[invoices["region"] == region, "country"].iloc[0]
    k = data.kpis(Filters(regions=(region,), countries=(country,)))
    assert k["current"]["orders"] == (invoices["country"] == country).sum()
    k = data.kpis(Filters(regions=("UK",), countries=(country,)))
    assert k["current"]["orders"] == 0


def test_sales_trend_sums_to_total_for_each_granularity(data, invoices):
    f = Filters(start="2011-01-01", end="2011-06-30")
    total = _window(invoices, "2011-01-01", "2011-06-30")["revenue"].sum()
    for granularity in ("day", "week", "month"):
        trend = data.sales_trend(f, granularity)
        assert trend["revenue"].sum() == pytest.approx(total)
        assert trend["period"].is_monotonic_increasing
    weeks = data.sales_trend(f, "week")["period"]
    assert (weeks.dt.day_of_week == 0).all()  # weeks start on Monday
    months = data.sales_trend(f, "month")["period"]
    assert (months.dt.day == 1).all()


def test_period_start_rejects_unknown_granularity():
    with pytest.raises(ValueError, match="granularity"):
        period_start(np.array([0]), "year")


def test_revenue_by_country_matches_groupby(data, invoices):
    f = Filters(start="2011-01-01", end="2011-12-31")
    got = data.revenue_by_country(f).set_index("country")["revenue"]
    want = _window(invoices, "2011-01-01", "2011-12-31").groupby("country")["revenue"]
    want = want.sum()
    pd.testing.assert_series_equal(
        got.sort_index(), want[want > 0].sort_index(), check_names=False
    )
    assert got.is_monotonic_decreasing


def test_top_products_match_product_daily(data, demo_bundle):
    daily = pd.read_parquet(demo_bundle / "product_daily.parquet")
    part = daily[daily["date"] >= "2011-06-01"]
    f = Filters(start="2011-06-01")
    top = data.top_products(f, n=5)
    for by in ("units", "revenue"):
        want = part.groupby("stock_code")[by].sum().sort_values(ascending=False)
        got = top[top["ranked_by"] == by]
        assert got[by].tolist() == pytest.approx(want.head(5).tolist())


def test_pareto_marks_the_80_percent_point(data, invoices):
    curve = data.pareto(Filters())
    spend = invoices.groupby("customer_id")["revenue"].sum().sort_values()[::-1]
    share = spend.cumsum() / spend.sum()
    expected = (int((share < 0.8 - 1e-12).sum()) + 1) / len(spend)
    point = curve[curve["at_80"]]
    assert len(point) == 1
    assert point["share_of_entities"].iloc[0] == pytest.approx(expected)
    assert curve["share_of_revenue"].is_monotonic_increasing
    assert curve["share_of_revenue"].iloc[-1] == pytest.approx(1.0)


def test_products_pareto_follows_the_filter(data, demo_bundle):
    daily = pd.read_parquet(demo_bundle / "product_daily.parquet")
    f = Filters(start="2011-03-01", end="2011-05-31", countries=("France",))
    day = pd.to_datetime(daily["date"])
    part = daily[
        (day >= "2011-03-01") & (day <= "2011-05-31") & (daily["country"] == "France")
    ]
    revenue = part.groupby("stock_code")["revenue"].sum()
    revenue = revenue[revenue > 0].sort_values(ascending=False)
    share = revenue.cumsum() / revenue.sum()
    expected = (int((share < 0.8 - 1e-12).sum()) + 1) / len(revenue)
    curve = data.pareto(f, "products")
    assert curve.loc[curve["at_80"], "share_of_entities"].tolist() == [
        pytest.approx(expected)
    ]
    assert curve["share_of_revenue"].iloc[-1] == pytest.approx(1.0)


def test_product_countries_follow_the_filter(data, demo_bundle):
    daily = pd.read_parquet(demo_bundle / "product_daily.parquet")
    day = pd.to_datetime(daily["date"])
    part = daily[(day >= "2011-03-01") & (day <= "2011-08-31")]
    code = part.groupby("stock_code")["country"].nunique().idxmax()  # sold widely
    want = (
        part[part["stock_code"] == code]
        .groupby("country")[["revenue", "units"]]
        .sum()
        .sort_values("revenue", ascending=False)
    )
    got = data.product_countries(code, Filters(start="2011-03-01", end="2011-08-31"))
    assert len(want) > 2
    assert got["country"].tolist() == want.index.tolist()
    assert got["revenue"].tolist() == pytest.approx(want["revenue"].tolist())
    assert got["units"].tolist() == pytest.approx(want["units"].tolist())
    # A region keeps its countries only; an unknown code has none.
    region = got["region"].iloc[0]
    only = data.product_countries(code, Filters(regions=(region,)))
    assert set(only["region"]) == {region}
    assert data.product_countries("NO SUCH CODE", Filters()).empty


def test_window_rfm_matches_analytics_rfm_and_model(data, invoices, demo_bundle):
    f = Filters(start="2011-02-01", end="2011-08-31", regions=("UK",))
    got = data.window_rfm(f).set_index("customer_id").sort_index()
    window = _window(invoices, "2011-02-01", "2011-08-31", ("UK",))
    want = rfm_table(window, pd.Timestamp("2011-09-01")).set_index("customer_id")
    assert got.index.tolist() == want.index.tolist()
    assert got["frequency"].tolist() == want["frequency"].tolist()
    assert got["monetary"].to_numpy() == pytest.approx(want["monetary"].to_numpy())
    assert got["recency_days"].tolist() == want["recency_days"].tolist()
    model = SegmentModel.load(demo_bundle)
    rfm = (got["recency_days"], got["frequency"], got["monetary"])
    assert got["segment"].tolist() == model.predict(*rfm).tolist()
    assert got[["pc1", "pc2", "pc3"]].to_numpy() == pytest.approx(model.project(*rfm))


def test_filter_leaving_no_data_gives_empty_frames(data):
    f = Filters(start="1999-01-01", end="1999-12-31")
    assert data.kpis(f)["current"]["orders"] == 0
    assert data.sales_trend(f, "week").empty
    assert data.revenue_by_country(f).empty
    assert data.top_products(f).empty
    assert data.pareto(f).empty
    assert data.window_rfm(f).empty


def test_customer_lookups(data, invoices):
    cid = int(invoices["customer_id"].iloc[0])
    profile = data.customer(cid)
    assert profile["customer_id"] == cid
    assert set(profile["segment_median"]) == {"recency_days", "frequency", "monetary"}
    history = data.customer_history(cid)
    mine = invoices[invoices["customer_id"] == cid]
    assert history["revenue"].sum() == pytest.approx(mine["revenue"].sum())
    assert history["orders"].sum() == len(mine)
    assert data.customer(1) is None
    assert len(data.customer_top_products(cid)) <= 5


def test_product_lookups_and_search(data, demo_bundle):
    products = pd.read_parquet(demo_bundle / "products.parquet")
    top = products.sort_values("revenue", ascending=False).iloc[0]
    assert data.product(top["stock_code"])["description"] == top["description"]
    assert data.product("NO-SUCH-CODE") is None
    found = data.search_products(top["description"].lower()[:12])
    assert top["stock_code"] in found["stock_code"].tolist()
    assert data.search_products("   ").empty
    sales = data.product_sales(top["stock_code"], Filters(), "month")
    assert sales["revenue"].sum() == pytest.approx(top["revenue"])
    assert data.product_sales("NO-SUCH-CODE", Filters(), "month").empty


def test_optional_tables_absent_give_none(bare_data):
    data = bare_data
    cid = int(data.bundle().customer_ids[0])
    assert data.recommendations(cid) is None
    assert data.similar_products(str(data.bundle().product_codes[0])) is None
    assert data.table("evaluation") is None


def test_optional_tables_present(full_data):
    cid = int(full_data.bundle().customer_ids[0])
    recs = full_data.recommendations(cid)
    assert recs["rank"].tolist() == [1, 2, 3, 4, 5]
    products = pd.read_parquet(full_data.bundle_dir / "products.parquet")
    code = str(products["stock_code"].iloc[0])  # conftest's similar-products row
    similar = full_data.similar_products(code)
    assert set(similar["method"]) == {"cf", "content"}
    assert similar["description"].notna().all()


def test_missing_bundle_raises_clear_error(tmp_path):
    with pytest.raises(BundleMissingError, match="python -m analytics build"):
        DataAccess(tmp_path / "nothing").bundle()


def _cached_access(bundle, cache_config=None):
    app = Flask(__name__)
    cache = Cache(app, config=cache_config or {"CACHE_TYPE": "SimpleCache"})
    return DataAccess(bundle, cache=cache), cache


def test_cache_is_keyed_by_bundle_version(demo_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle, bundle)
    data, cache = _cached_access(bundle)
    f = Filters(start="2011-01-01")
    first = data.kpis(f)
    keys = list(cache.cache._cache)
    assert len(keys) == 1 and data.version() in keys[0]
    assert data.kpis(f) == first
    # A rebuilt bundle (new version in the manifest) is reloaded and re-queried.
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["bundle_version"] = "rebuilt"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert data.version().startswith("rebuilt@")
    data.kpis(f)
    assert any("rebuilt" in k for k in cache.cache._cache)
    # The same input built again by other code (same fingerprint, another build
    # time) is another version too: no answer of the old tables is served.
    before = data.version()
    manifest["built_at"] = "2030-01-01T00:00:00+00:00"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert data.version() != before and data.version().startswith("rebuilt@")
    data.kpis(f)
    assert sum(data.version() in k for k in cache.cache._cache) == 1


class _BrokenCache:
    def get(self, key):
        raise ConnectionError("cache down")

    def set(self, key, value, timeout=None):
        raise ConnectionError("cache down")


def test_cache_failure_recomputes(demo_bundle, caplog):
    data = DataAccess(demo_bundle, cache=_BrokenCache())
    assert data.kpis(Filters())["current"]["orders"] > 0
    assert "cache get failed" in caplog.text
    # A cache that is down is said once a minute, not twice a query.
    for _ in range(5):
        data.kpis(Filters(start="2011-01-01"))
    assert len([r for r in caplog.records if "cache" in r.getMessage()]) == 1


def test_large_answers_are_recomputed_not_cached(demo_bundle):
    data, cache = _cached_access(demo_bundle)
    data.max_cached_bytes = 4096  # this small bundle's RFM table is ~15 KB
    f = Filters(start="2011-01-01")
    rfm = data.window_rfm(f)
    assert rfm.memory_usage(deep=False).sum() > data.max_cached_bytes
    data.kpis(f)
    assert [k.split(":")[0] for k in cache.cache._cache] == ["kpis"]
    pd.testing.assert_frame_equal(data.window_rfm(f), rfm)


def _damage(bundle, how: str) -> None:
    if how == "manifest truncated":
        text = (bundle / "manifest.json").read_text()
        (bundle / "manifest.json").write_text(text[:200])
    elif how == "table missing":
        (bundle / "invoices.parquet").unlink()
    elif how == "table corrupt":
        data = (bundle / "customers.parquet").read_bytes()
        (bundle / "customers.parquet").write_bytes(data[:1000])
    elif how == "model missing":
        (bundle / "segment_model.json").unlink()
    elif how == "other schema":
        manifest = json.loads((bundle / "manifest.json").read_text())
        manifest["schema_version"] = 99
        (bundle / "manifest.json").write_text(json.dumps(manifest))
    elif how == "column missing":
        file = bundle / "customers.parquet"
        pd.read_parquet(file).drop(columns=["region"]).to_parquet(file)


DAMAGES = {
    "manifest truncated": "manifest.json is not valid JSON",
    "table missing": "invoices.parquet is missing",
    "table corrupt": "customers.parquet cannot be read",
    "model missing": "segment_model.json is missing",
    "other schema": "built for bundle schema 99",
    "column missing": "customers.parquet has no column region",
}


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_bundle_says_what_is_wrong(demo_bundle, tmp_path, how):
    bundle = tmp_path / "served"
    shutil.copytree(demo_bundle, bundle)
    _damage(bundle, how)
    with pytest.raises(BundleDamagedError) as caught:
        DataAccess(bundle).bundle()
    error = caught.value
    assert DAMAGES[how] in str(error) and DAMAGES[how] in error.public
    assert str(bundle) in str(error) and "python -m analytics build" in str(error)
    # The pages name the folder, never the server's path to it.
    assert "served" in error.public and str(tmp_path) not in error.public


def test_a_failed_reload_keeps_serving_the_loaded_bundle(
    demo_bundle, tmp_path, monkeypatch, caplog
):
    from dashboard import data as data_module

    bundle = tmp_path / "served"
    shutil.copytree(demo_bundle, bundle)
    access = DataAccess(bundle)
    good = access.bundle()
    manifest = (bundle / "manifest.json").read_text()
    _damage(bundle, "manifest truncated")
    loads = []
    real = data_module.Bundle.load
    monkeypatch.setattr(
        data_module.Bundle, "load", lambda path: loads.append(path) or real(path)
    )
    for _ in range(3):
        assert access.bundle() is good
    assert len(loads) == 1  # tried once, not on every request
    assert caplog.text.count("still serving the bundle loaded before") == 1
    # Tried again (here on every call), the same failure is not logged again.
    eager = DataAccess(bundle)
    eager.retry_seconds = eager.scan_seconds = 0.0
    eager._bundle = good  # as if loaded before the damage
    for _ in range(3):
        assert eager.bundle() is good
    assert len(loads) == 4
    assert caplog.text.count("still serving the bundle loaded before") == 2
    # Fixed on disk: read again at once.
    (bundle / "manifest.json").write_text(manifest)
    assert access.bundle() is not good and len(loads) == 5


def test_a_table_replaced_alone_is_read_again(demo_bundle, tmp_path):
    # A bundle copied in file by file (rsync): the manifest may land first, the
    # tables after it; each change is read, so the last one is what is served.
    bundle = tmp_path / "served"
    shutil.copytree(demo_bundle, bundle)
    access = DataAccess(bundle)
    access.scan_seconds = 0.0  # the folder is looked at on every call, not each 1 s
    before = access.bundle()
    file = bundle / "products.parquet"
    products = pd.read_parquet(file)
    products.loc[0, "description"] = "RENAMED IN A LATER COPY"
    products.to_parquet(file)
    after = access.bundle()
    assert after is not before
    assert "RENAMED IN A LATER COPY" in set(after.products["description"])


def test_segment_profile_matches_groupby(data):
    rfm = data.window_rfm(Filters(start="2011-01-01"))
    order = ["High-Value", "Regular", "Occasional", "At-Risk"]
    got = segment_profile(rfm, order).set_index("segment")
    want = rfm.groupby("segment").agg(
        customers=("customer_id", "size"),
        revenue=("monetary", "sum"),
        recency_mean=("recency_days", "mean"),
        monetary_mean=("monetary", "mean"),
    )
    assert list(got.index) == [s for s in order if s in want.index]
    for column in want.columns:
        assert got[column].to_numpy() == pytest.approx(
            want.loc[got.index, column].to_numpy()
        )
    assert got["revenue_share"].sum() == pytest.approx(1.0)
    assert got["customer_share"].sum() == pytest.approx(1.0)


def test_settings_from_environment():
    default = Config.from_env({})
    assert default.debug is False and default.redis_url is None
    assert default.bundle_dir.name == "bundle"
    assert default.cache_config()["CACHE_TYPE"] == "SimpleCache"
    env = {
        "SHOPPER_BUNDLE": "/srv/bundle",
        "SHOPPER_DEBUG": "1",
        "SHOPPER_PORT": "9000",
        "SHOPPER_REDIS_URL": "redis://localhost:6379/0",
    }
    config = Config.from_env(env)
    assert str(config.bundle_dir) == "/srv/bundle" and config.port == 9000
    assert config.debug is True
    assert config.cache_config()["CACHE_TYPE"] == "RedisCache"


@pytest.mark.parametrize(
    "name, value",
    [
        ("SHOPPER_CACHE_TIMEOUT", "1h"),
        ("SHOPPER_PORT", "70000"),
        ("SHOPPER_DEMO_ROWS", "lots"),
    ],
)
def test_a_setting_that_cannot_work_is_named(name, value):
    from dashboard.config import SettingError

    with pytest.raises(SettingError, match=f"{name} must be a whole number.*'{value}'"):
        Config.from_env({name: value})


def test_a_redis_url_or_bundle_that_cannot_work_is_named(tmp_path):
    from dashboard.config import SettingError

    with pytest.raises(SettingError, match="SHOPPER_REDIS_URL must be a Redis URL"):
        Config.from_env({"SHOPPER_REDIS_URL": "notaurl"})
    assert Config.from_env({"SHOPPER_REDIS_URL": " redis://h:6379/0 "}).redis_url == (
        "redis://h:6379/0"
    )
    data = tmp_path / "sales.csv"
    data.write_text("InvoiceNo\n")
    with pytest.raises(SettingError, match="SHOPPER_BUNDLE must name a bundle folder"):
        Config.from_env({"SHOPPER_BUNDLE": str(data)})


def test_wsgi_reads_only_the_settings_it_serves_with():
    env = {
        "SHOPPER_BUNDLE": "/srv/bundle",
        "SHOPPER_CACHE_TIMEOUT": "60",
        "SHOPPER_PORT": "web",
        "SHOPPER_DEMO_ROWS": "lots",
        "SHOPPER_DEBUG": "1",
    }
    config = Config.from_env(env, served_by_wsgi=True)
    assert str(config.bundle_dir) == "/srv/bundle" and config.cache_timeout == 60
    assert config.debug is False and config.port == Config().port


def test_wsgi_says_a_bad_setting_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from helpers import ROOT

    env = {**os.environ, "SHOPPER_CACHE_TIMEOUT": "1h", "SHOPPER_BUNDLE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        "error: SHOPPER_CACHE_TIMEOUT must be a whole number of seconds from 0 to "
        "31,536,000 (got '1h')"
    ]


def test_a_place_filter_labels_customers_by_their_orders_inside_it(tmp_path):
    """A customer of the UK with two orders from Austria is, in an export of
    Austria, an Austrian customer with those two orders, not a UK row."""
    from helpers import small_shop, write_csv

    from analytics.build import build_bundle

    raw = small_shop(40)
    mine = raw["CustomerID"] == 12001
    invoices = raw.loc[mine, "InvoiceNo"].unique()
    assert len(invoices) == 5
    raw.loc[raw["InvoiceNo"].isin(invoices[:2]), "Country"] = "Austria"
    write_csv(raw, tmp_path / "shop.csv")
    build_bundle([tmp_path / "shop.csv"], tmp_path / "b", log=lambda *_: None)
    data = DataAccess(tmp_path / "b")
    home = data.window_rfm(Filters()).set_index("customer_id").loc[12001]
    assert (home["country"], home["region"], home["frequency"]) == (
        "United Kingdom",
        "UK",
        5,
    )
    for f in (Filters(countries=("Austria",)), Filters(regions=("Western Europe",))):
        rows = data.window_rfm(f).set_index("customer_id")
        assert rows.loc[12001, "country"] == "Austria"
        assert rows.loc[12001, "region"] == "Western Europe"
        assert rows.loc[12001, "frequency"] == 2
        # Customers at home in the selection keep their own country.
        assert set(rows.drop(index=12001)["country"]) <= {"Germany"}


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_an_unrecognised_debug_setting_is_refused(value):
    # It was read as off without a word.
    from dashboard.config import Config, SettingError

    message = (
        "SHOPPER_DEBUG must be 1, true, yes or on to turn it on, or 0, false, no or "
        f"off (got '{value}')"
    )
    with pytest.raises(SettingError) as error:
        Config.from_env({"SHOPPER_DEBUG": value})
    assert str(error.value) == message


@pytest.mark.parametrize(
    "value, debug", [("", False), ("0", False), (" OFF ", False), ("Yes", True)]
)
def test_debug_setting_words(value, debug):
    from dashboard.config import Config

    assert Config.from_env({"SHOPPER_DEBUG": value}).debug is debug
