"""Callback logic called as plain functions, and the URL state helpers."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from helpers import text_of, walk

from callbacks import customers, overview, products, routing, segments
from components import format as fmt
from dashboard import ids, urlstate
from dashboard.pages import PageContext, render
from dashboard.queries import Filters


# -- URL state ----------------------------------------------------------------------
def test_url_round_trip_and_defaults_left_out():
    query = urlstate.encode(
        {
            "start": "2011-01-01",
            "end": "2011-12-09",
            "region": ["Western Europe", "UK"],
            "country": [],
            "granularity": "week",
            "id": "17850",
        },
        date_bounds=("2010-12-01", "2011-12-09"),
    )
    assert query == "?start=2011-01-01&region=Western+Europe&region=UK&id=17850"
    params = urlstate.parse(query)
    f = urlstate.filters_from(params)
    assert f == Filters(start="2011-01-01", regions=("Western Europe", "UK"))
    assert urlstate.global_query(query) == (
        "?start=2011-01-01&region=Western+Europe&region=UK"
    )


def test_url_text_is_written_without_the_spaces_around_it():
    # A customer ID typed as " 12347 " was written as ?id=+12347+.
    assert urlstate.encode({"id": " 12347 "}) == "?id=12347"
    assert urlstate.encode({"id": "   ", "q": " lantern "}) == "?q=lantern"


def test_bad_or_swapped_dates_in_url_are_handled():
    f = urlstate.filters_from(urlstate.parse("?start=2011-06-30&end=2011-01-01"))
    assert (f.start, f.end) == ("2011-01-01", "2011-06-30")
    f = urlstate.filters_from(urlstate.parse("?start=yesterday&end=2011-13-45"))
    assert (f.start, f.end) == (None, None)
    f = urlstate.filters_of("2011-02-01T00:00:00", None, ["UK"], None)
    assert f == Filters(start="2011-02-01", regions=("UK",))


def test_url_writer_reads_pattern_inputs():
    values = routing.control_values(
        [
            {"id": {"type": "url-param", "key": "granularity"}, "value": "month"},
            {"id": {"type": "url-param", "key": "region"}, "value": ["UK"]},
        ],
        [
            {"id": {"type": "url-date", "key": "start"}, "value": "2011-01-01"},
            {"id": {"type": "url-date", "key": "end"}, "value": "2011-03-31"},
        ],
    )
    assert list(values) == ["start", "end", "region", "granularity"]
    query = routing.query_for(values, ("2010-12-01", "2011-12-09"))
    assert query == "?start=2011-01-01&end=2011-03-31&region=UK&granularity=month"


def test_pages_without_filter_bar_keep_the_filter_in_the_url():
    carried = routing.carried_filter("?start=2011-01-01&region=UK&region=EIRE&id=5")
    assert carried == {"start": "2011-01-01", "region": ["UK", "EIRE"]}
    values = carried | {"id": "17850"}
    query = routing.query_for(values, ("2010-12-01", "2011-12-09"))
    assert query == "?start=2011-01-01&region=UK&region=EIRE&id=17850"


def test_page_renders_from_url_unless_the_app_wrote_it():
    search = "app-url.search"
    assert routing.needs_render([], "", None)  # first load
    assert routing.needs_render(["app-url.pathname"], "?region=UK", "?region=UK")
    assert not routing.needs_render([search], "?region=UK", "?region=UK")
    assert routing.needs_render([search], "", "?region=UK")  # back button
    assert not routing.needs_render([search], None, "")


def test_every_page_renders_and_unknown_paths_get_a_message(data):
    ctx = PageContext(data=data, topojson_url="/assets/topojson/")
    for path in ("/", "/segments", "/customers", "/products", "/data", "/data/"):
        assert render(path, {}, ctx) is not None
    assert "no page at /nope" in text_of(render("/nope", {}, ctx))


def _picker_dates(page) -> tuple:
    picker = next(c for c in walk(page) if getattr(c, "id", None) == ids.DATES)
    return picker.start_date, picker.end_date


@pytest.mark.parametrize("path", ["/", "/segments", "/products"])
def test_url_dates_beyond_the_data_show_its_first_and_last_day(data, path):
    ctx = PageContext(data=data, topojson_url="/t/")
    first, last = data.date_bounds()
    wide = urlstate.parse("?start=1990-01-01&end=2999-12-31")
    assert _picker_dates(render(path, wide, ctx)) == (first, last)
    assert _picker_dates(render(path, urlstate.parse("?start=1990-01-01"), ctx)) == (
        first,
        last,
    )
    inside = urlstate.parse(f"?start=1990-01-01&end={last}")
    assert _picker_dates(render(path, inside, ctx))[0] == first
    # A window without a day of data keeps the dates asked for ("no sales").
    before = urlstate.parse("?start=1990-01-01&end=1990-02-01")
    assert _picker_dates(render(path, before, ctx)) == ("1990-01-01", "1990-02-01")
    # One date outside the data: that day at both ends. With the data's other
    # bound beside it the pair came out reversed, and the next change of any
    # control read it as the data's last (first) day.
    for day, query in (("2999-01-01", "?start="), ("1990-01-01", "?end=")):
        picked = _picker_dates(render(path, urlstate.parse(query + day), ctx))
        assert picked == (day, day)
        assert data.kpis(urlstate.filters_of(*picked, (), ()))["current"]["orders"] == 0


def test_segments_summary_and_picker_name_the_same_clipped_window(data):
    ctx = PageContext(data=data, topojson_url="/t/")
    page = render("/segments", urlstate.parse("?start=1990-01-01"), ctx)
    start, end = _picker_dates(page)
    summary = next(c for c in walk(page) if getattr(c, "id", None) == ids.SEG_SUMMARY)
    assert start == data.date_bounds()[0]
    assert (
        f"from {fmt.day(start, unbroken=True)} to {fmt.day(end, unbroken=True)};"
        in text_of(summary)
    )


def test_missing_bundle_renders_a_message(tmp_path):
    from dashboard.data import DataAccess

    ctx = PageContext(data=DataAccess(tmp_path), topojson_url="/t/")
    text = text_of(render("/", {}, ctx))
    assert "No data to show yet" in text and str(tmp_path) not in text


# -- Overview -----------------------------------------------------------------------
def test_overview_outputs_and_empty_filter(data):
    cards, bar, world, units, revenue = overview.overview_outputs(data, Filters())
    assert "Revenue" in text_of(cards) and "£" in text_of(cards)
    assert world["data"][0]["type"] == "choropleth"
    pareto, note = overview.pareto_outputs(data, Filters(), None)
    assert "of customers bring 80%" in text_of(note)
    empty = overview.overview_outputs(
        data, Filters(start="1990-01-01", end="1990-02-01")
    )
    assert "No orders match these filters" in text_of(empty[0])
    assert empty[1]["data"] == []


def test_the_pareto_card_ranks_products_too(data):
    # Only customers were ranked; the bundle's products curve was never shown.
    figure, note = overview.pareto_outputs(data, Filters(regions=("UK",)), "products")
    assert figure["layout"]["xaxis"]["title"]["text"] == "Share of products"
    assert "of products" in figure["layout"]["annotations"][0]["text"]
    assert "of products bring 80% of the revenue" in text_of(note)
    # An unknown value (a hand-edited URL) ranks customers.
    _, note = overview.pareto_outputs(data, Filters(), "suppliers")
    assert "of customers bring 80%" in text_of(note)


def test_trend_output_falls_back_to_weeks(data):
    from components.periods import complete_periods

    fig = overview.trend_output(data, Filters(), "fortnight")
    weeks = complete_periods(data.sales_trend(Filters(), "week"), "week")
    assert len(fig["data"][0]["x"]) == len(weeks)


# -- Segments ----------------------------------------------------------------------
def test_segments_outputs_follow_the_window(data):
    fig, table, dist, summary = segments.segments_outputs(
        data, Filters(start="2011-01-01", end="2011-06-30"), "Regular"
    )
    n = len(data.window_rfm(Filters(start="2011-01-01", end="2011-06-30")))
    assert f"{n:,} customers" in summary
    assert sum(len(t["x"]) for t in fig["data"]) == n
    assert "Customers" in text_of(table)
    empty = segments.segments_outputs(data, Filters(end="1990-01-01"), None)
    assert "No customers" in empty[3]


def test_predictor_answers_and_explains_missing_or_bad_input(data):
    model = data.segment_model()
    answer = text_of(segments.predict_segment(model, 3, 40, 20000))
    assert "Segment:" in answer
    assert any(s in answer for s in ("High-Value", "Regular", "Occasional", "At-Risk"))
    assert "Enter recency" in text_of(segments.predict_segment(model, None, 2, 3))
    assert "negative" in text_of(segments.predict_segment(model, -1, 2, 3))
    assert "at least one order" in text_of(segments.predict_segment(model, 1, 0, 3))
    assert "Enter recency" in text_of(segments.predict_segment(model, "x", 2, 3))
    # What the browser sends for a box it rejects (-3 days): the hint says why.
    hint = text_of(segments.predict_segment(model, None, 2, 3))
    assert "0 or more" in hint and "1 or more" in hint


def test_export_is_the_filtered_segment_and_safe(data):
    f = Filters(start="2011-01-01")
    payload = segments.export_csv(data, f, "At-Risk")
    frame = pd.read_csv(io.StringIO(payload["content"]))
    want = data.window_rfm(f)
    assert len(frame) == (want["segment"] == "At-Risk").sum()
    assert set(frame["segment"]) <= {"At-Risk"}
    last = data.date_bounds()[1]
    assert payload["filename"] == f"customers_at-risk_2011-01-01_{last}.csv"
    everyone = segments.export_csv(data, f, None)
    assert len(pd.read_csv(io.StringIO(everyone["content"]))) == len(want)


# -- Customers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17850", (17850, None)),
        (" 17850 ", (17850, None)),
        ("17850.0", (17850, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_customer_id(text, expected):
    assert customers.parse_customer_id(text) == expected


@pytest.mark.parametrize("text", ["abc", "-5", "1e5", "12 34", "<script>", "1" * 20])
def test_malformed_ids_get_a_clear_message(text, data):
    assert "is not a customer ID" in text_of(customers.customer_view(data, text))


def test_a_long_id_is_shortened_visibly_and_the_rule_said():
    _, message = customers.parse_customer_id("1" * 200)
    assert message == (
        f"“{'1' * 39}…” is not a customer ID: IDs are whole numbers of up to 12 "
        "digits, such as 17850."
    )


def test_the_profile_names_a_region_only_when_it_says_more():
    assert customers._place("Germany", "Western Europe") == "Germany (Western Europe)"
    assert customers._place("Unspecified", "Unspecified") == "Unspecified"


def test_customer_view_known_unknown_and_recommendations(bare_data, full_data):
    data = bare_data
    cid = int(data.bundle().customer_ids[0])
    assert "No customer 1 in this bundle" in text_of(customers.customer_view(data, "1"))
    shown = text_of(customers.customer_view(data, str(cid)))
    assert f"Customer {cid}" in shown
    assert "Recommendations are not in this bundle" in shown
    full = text_of(customers.customer_view(full_data, str(cid)))
    assert "bought together" in full and "=HYPERLINK" in full  # text, not a formula
    assert "Enter a customer ID" in text_of(customers.customer_view(data, ""))


# -- Products ----------------------------------------------------------------------
def test_suggestions_keep_the_selected_product(data):
    b = data.bundle()
    top = b.products.sort_values("revenue", ascending=False)["stock_code"].iloc[0]
    other = str(b.products["stock_code"].iloc[-1])
    options = products.suggestions(data, "zzzzqqqq", other)
    assert [o["value"] for o in options] == [other]
    found = products.suggestions(data, str(top), None)
    assert found[0]["value"] == top and str(top) in found[0]["search"]


def test_product_outputs(data, full_data, bare_data):
    detail, fig, where, similar = products.product_outputs(data, None, Filters())
    assert "Choose a product" in text_of(detail)
    assert "Choose a product" in str(where["layout"])
    code = str(data.bundle().product_codes[0])
    detail, fig, where, similar = products.product_outputs(data, code, Filters())
    assert f"({code})" in text_of(detail)
    units = data.product_sales(code, Filters(), "month")["units"].sum()
    assert sum(fig["data"][0]["y"]) == pytest.approx(units)
    # Where it sells: the product's top countries, biggest on top.
    countries = data.product_countries(code, Filters())
    shown = countries.head(products.PRODUCT_COUNTRIES)
    assert where["data"][0]["y"][::-1] == shown["country"].tolist()
    assert where["data"][0]["x"][::-1] == shown["revenue"].round(2).tolist()
    # No sale of it under the filter: said of the product, as its sales chart says.
    none = Filters(start="2099-01-01")
    _, fig, where, _ = products.product_outputs(data, code, none)
    assert "No sales of this product" in str(where["layout"])
    assert str(where["layout"]).count("No sales") == 1
    frame = pd.read_parquet(full_data.bundle_dir / "products.parquet")
    code = str(frame["stock_code"].iloc[0])
    _, _, _, similar = products.product_outputs(full_data, code, Filters())
    text = text_of(similar)
    assert "collaborative" in text and "content-based" in text
    assert "Shared buyers" not in text  # a bundle without the support column
    # A built bundle's collaborative neighbours show how many customers bought both.
    neighbours = data.bundle().tables["similar_products"]
    code = str(neighbours.loc[neighbours["method"] == "cf", "stock_code"].iloc[0])
    similar = data.similar_products(code)
    cf = similar.query("method == 'cf'")
    text = text_of(products.similar_block(similar))
    assert text.count("Shared buyers") == 1
    assert f"{int(cf['support'].iloc[0]):,}" in text
    _, _, _, similar = products.product_outputs(bare_data, code, Filters())
    assert "not in this bundle" in text_of(similar)


def test_a_product_link_is_read_whatever_its_case_and_an_unknown_one_is_said(data):
    ctx = PageContext(data=data, topojson_url="/t/")
    codes = data.bundle().product_codes.astype(str)
    code = next(c for c in codes if c.upper() != c.lower())  # one with letters
    assert data.product_code(f" {code.lower()} ") == code
    page = text_of(render("/products", urlstate.parse(f"?code={code.lower()}"), ctx))
    assert f"({code})" in page
    assert data.product_code("NOPE") is None
    page = text_of(render("/products", urlstate.parse("?code=NOPE"), ctx))
    assert "There is no product with stock code NOPE." in page
    # A pasted run-on code is quoted cut, as a customer ID is.
    long = text_of(products.product_detail(None, unknown="X" * 60))
    assert f"stock code {'X' * 39}…." in long


# -- App wiring ----------------------------------------------------------------------
def test_app_factory_builds_independent_apps_served_offline(demo_bundle, tmp_path):
    from dashboard.app import create_app
    from dashboard.config import Config

    first = create_app(Config(bundle_dir=demo_bundle))
    # Dash knows its script files before any visitor asks for one (a worker's
    # threads raced the first request that registers them).
    assert first.registered_paths["dash"]
    second = create_app(Config(bundle_dir=tmp_path / "missing"))
    assert first.server is not second.server
    client = first.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "bootstrap.min.css" in page and "cdn" not in page.lower()
    assert client.get("/assets/topojson/world_110m.json").status_code == 200
    assert client.get("/assets/favicon.ico").status_code == 200
    assert 'rel="manifest" href="/assets/manifest.json"' in page
    assert client.get("/assets/manifest.json").status_code == 200
    assert first.server.config["SHOPPER"].debug is False
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("dash/nope.js", "analytics/cli.py"):
        assert client.get(f"/_dash-component-suites/{path}").status_code == 404
    # Every page answers 200; any other address gets the page shell (which says
    # there is no page there) with a 404.
    for path in ("/", "/segments", "/customers/", "/products?code=1", "/data"):
        assert client.get(path).status_code == 200, path
    for path in ("/nope", "/products/x", "/index.html"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert "_dash-config" in missing.get_data(as_text=True)
        assert client.head(path).status_code == 404, path
    assert client.head("/products").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    # The page config does not tell every visitor the server's Python build.
    import sys

    assert sys.version.split()[0] not in page and "python_version" not in page


def test_responses_are_compressed_and_unchanged_files_are_not_sent_again(demo_bundle):
    from dashboard.app import create_app
    from dashboard.config import Config

    client = create_app(Config(bundle_dir=demo_bundle)).server.test_client()
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    plotly = "/assets/00-plotly-custom.min.js"
    plain = client.get(plotly)  # a client that takes no compression
    assert "Content-Encoding" not in plain.headers
    size = len(plain.get_data())
    sent = client.get(plotly, headers=browser)
    assert sent.status_code == 200 and sent.headers["Content-Encoding"]
    assert len(sent.get_data()) < size / 2  # 2.0 MB of JavaScript: ~0.7 MB
    # The browser checks it again on every load: an unchanged file is a 304 with
    # no body, not a second download (a compressed file has its own ETag).
    again = client.get(
        plotly, headers={**browser, "If-None-Match": sent.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""
    # A client (or proxy) that takes gzip only gets gzip, the same file unzipped.
    import gzip

    zipped = client.get(plotly, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    # Pages and Dash's own answers too; the page's headers stay.
    page = client.get("/", headers=browser)
    assert page.headers["Content-Encoding"] and page.headers["X-Frame-Options"]
    assert client.get("/nope", headers=browser).status_code == 404


def test_the_page_loads_the_regenerator_runtime_in_place_of_dashs_polyfill(
    demo_bundle,
):
    import re

    from dashboard.app import REGENERATOR, create_app
    from dashboard.config import Config

    client = create_app(Config(bundle_dir=demo_bundle)).server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert not [src for src in scripts if "polyfill" in src]
    runtime = [src for src in scripts if REGENERATOR in src]
    # Once, where the polyfill was: before React and every component bundle
    # (their async code calls the global regeneratorRuntime).
    assert len(runtime) == 1 and scripts.index(runtime[0]) == 0
    assert "react@" in scripts[1]
    served = client.get(runtime[0]).get_data(as_text=True)
    assert "regeneratorRuntime = runtime" in served
    # Nor dash_table's bundle (no page has a DataTable: see below).
    assert not [src for src in scripts if "dash_table" in src]


def test_no_page_needs_dash_table():
    # The page does not load dash_table's bundle (``_Dash``): a DataTable in any
    # layout or callback would render as an error. Components are named in the
    # code that makes them: an import of dash_table, dash_table.X, DataTable(.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    use = re.compile(
        r"import dash_table|import .*\bdash_table\b|dash_table\.[A-Z]|DataTable\("
    )
    using = [
        str(path.relative_to(root))
        for folder in ("dashboard", "components", "callbacks")
        for path in (root / folder).rglob("*.py")
        if use.search(path.read_text())
    ]
    assert not using, f"{using} use dash_table: load its bundle again in _Dash"


def test_a_damaged_bundle_starts_the_app_and_its_pages_say_so(demo_bundle, tmp_path):
    import shutil

    from dashboard.app import create_app
    from dashboard.config import Config

    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle, bundle)
    (bundle / "manifest.json").write_text('{"schema_version": 1,')
    app = create_app(Config(bundle_dir=bundle))  # no exception: the site comes up
    assert app.server.test_client().get("/").status_code == 200
    data = app.server.config["SHOPPER_DATA"]
    text = text_of(render("/", {}, PageContext(data=data, topojson_url="/t/")))
    assert "cannot be read" in text and "manifest.json is not valid JSON" in text
    assert str(tmp_path) not in text


def test_data_page_says_whether_the_lead_is_real(data, bare_data):
    from dashboard.pages.data_report import intervals_table

    ctx = PageContext(data=data, topojson_url="/t/")
    shown = text_of(render("/data", {}, ctx))
    assert "Is the lead real?" in shown
    assert any(word in shown for word in ("lead", "gap", "within noise"))
    bare = text_of(render("/data", {}, PageContext(data=bare_data, topojson_url="/t/")))
    assert "not in this bundle" in bare and "Is the lead real?" not in bare
    frame = pd.DataFrame(
        [{"task": "all items", "metric": "hit_rate_at_5", "baseline": "own reorders",
          "project": 0.76, "baseline_value": 0.76, "difference": 0.0,
          "low": -0.0112, "high": 0.0121, "reading": "within noise"}]
    )  # fmt: skip
    text = text_of(intervals_table(frame))
    assert "Hit rate@5" in text and "-0.011 to +0.012" in text
    assert "+0.000" in text and "within noise" in text


def test_cleaning_report_notes_filled_blank_countries():
    from dashboard.pages.data_report import cleaning_table

    report = {"rows_in": 10, "removed": {"duplicate_row": 1}, "rows_out": 9}
    plain = text_of(cleaning_table({**report, "filled": {"blank_country": 0}}))
    assert "Blank country" not in plain and "Rows kept" in plain
    text = text_of(cleaning_table({**report, "filled": {"blank_country": 1234}}))
    assert "Blank country, counted as Unspecified: 1,234 kept rows." in text


def test_cleaning_report_says_what_cancellations_took_back():
    from dashboard.pages.data_report import cleaning_table

    report = {
        "rows_in": 10,
        "removed": {"cancelled_invoice": 2, "cancelled_order": 1},
        "filled": {"partly_cancelled": 3},
        "cancelled_units": {"netted": 248964, "unmatched": 18747},
        "rows_out": 7,
    }
    text = text_of(cleaning_table(report))
    assert "Order line cancelled in full later" in text
    assert "partly cancelled later, its quantity reduced: 3 kept rows." in text
    assert "took 248,964 units back" in text and "18,747 cancelled units" in text
    older = {"rows_in": 10, "removed": {"duplicate_row": 1}, "rows_out": 9}
    assert "Cancellations" not in text_of(cleaning_table(older))


def test_the_country_picker_offers_the_chosen_regions_countries(data):
    from components.layout import country_options

    countries = data.countries()
    everyone = country_options(countries)
    assert [o["value"] for o in everyone] == [c for c, _ in countries]
    region = countries[0][1]
    inside = {c for c, r in countries if r == region}
    narrowed = country_options(countries, [region])
    assert {o["value"] for o in narrowed} == inside
    # A country already chosen stays on offer (and chosen) whatever its region.
    other = next(c for c, r in countries if r != region)
    kept = {o["value"] for o in country_options(countries, [region], [other])}
    assert kept == inside | {other}
    # Choosing a region takes the chosen countries outside it off the picker:
    # the numbers (both filters) leave them out.
    from dash import no_update

    from callbacks.filters import country_picker

    same = next(c for c in inside)
    options, value = country_picker(countries, [region], [other, same])
    assert value == [same] and {o["value"] for o in options} == inside
    assert country_picker(countries, [region], [same])[1] is no_update
    assert country_picker(countries, [], [other, same])[1] is no_update
    # The page opens with the URL's regions applied to the picker.
    ctx = PageContext(data=data, topojson_url="/t/")
    page = render("/", urlstate.parse(f"?region={region}"), ctx)
    picker = next(c for c in walk(page) if getattr(c, "id", None) == ids.COUNTRY)
    assert {o["value"] for o in picker.options} == inside
