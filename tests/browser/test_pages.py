"""Browser tests: each page opens, reacts to its controls, keeps its state in the
URL, and leaves no error in the browser console."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from dash.testing.wait import until
from selenium.webdriver import ActionChains
from selenium.webdriver.common.keys import Keys

from components.layout import _calendar_month
from dashboard import ids
from dashboard.data import DataAccess
from tests.browser.browser_helpers import (
    app_for,
    choose,
    css,
    graph_ready,
    text_of,
    wait_for_url,
)


def test_ovr001_overview_renders_and_granularity_goes_to_url(dash_duo, full_bundle):
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    for graph_id in (ids.OVR_TREND, ids.OVR_COUNTRY_BAR, ids.OVR_PARETO):
        graph_ready(dash_duo, graph_id)
    # The world map draws from the locally served topojson (no CDN).
    dash_duo.wait_for_element(f"#{ids.OVR_COUNTRY_MAP} .choroplethlocation")
    dash_duo.wait_for_contains_text(
        f"#{ids.OVR_PARETO_NOTE}", "of customers bring 80% of the revenue"
    )
    dash_duo.find_element(f"{css(ids.OVR_GRANULARITY)} input[value='month']").click()
    wait_for_url(dash_duo, "granularity=month")
    graph_ready(dash_duo, ids.OVR_TREND)
    products = dash_duo.find_element(
        f"{css(ids.OVR_PARETO_BY)} input[value='products']"
    )
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", products
    )
    products.click()
    wait_for_url(dash_duo, "granularity=month&pareto=products")
    dash_duo.wait_for_contains_text(
        f"#{ids.OVR_PARETO_NOTE}", "of products bring 80% of the revenue"
    )
    # The page's own settings stay on the page: the links carry none.
    link = dash_duo.find_element(css(ids.nav_link("/segments")))
    assert link.get_attribute("href") == dash_duo.server_url + "/segments"
    assert dash_duo.get_logs() == []


def test_ovr002_region_filter_changes_kpis_and_url(dash_duo, full_bundle):
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    before = dash_duo.find_element(f"#{ids.OVR_KPIS}").text
    choose(dash_duo, ids.REGION, "Western")
    wait_for_url(dash_duo, "region=Western+Europe")
    until(
        lambda: dash_duo.find_element(f"#{ids.OVR_KPIS}").text != before,
        timeout=10,
        msg="KPIs did not change with the region filter",
    )
    # The country picker now offers Western Europe's countries only.
    dash_duo.find_element(css(ids.COUNTRY)).click()
    dash_duo.wait_for_element("[role=option]")
    until(
        lambda: (
            "Germany" in [o.text for o in dash_duo.find_elements("[role=option]")]
            and "United Kingdom"
            not in [o.text for o in dash_duo.find_elements("[role=option]")]
        ),
        timeout=10,
        msg="the country picker still offers countries outside Western Europe",
    )
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert dash_duo.get_logs() == []


def test_ovr003_a_reversed_date_range_is_put_in_order(dash_duo, full_bundle):
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    first, last = DataAccess(full_bundle).date_bounds()
    early, late = (pd.Timestamp(first) + pd.Timedelta(days=d) for d in (30, 60))
    # As typing the end before the start leaves them in the picker.
    dash_duo.driver.execute_script(
        "dash_clientside.set_props(arguments[0], "
        "{start_date: arguments[1], end_date: arguments[2]});",
        ids.DATES,
        f"{late:%Y-%m-%d}",
        f"{early:%Y-%m-%d}",
    )
    wait_for_url(dash_duo, f"start={early:%Y-%m-%d}&end={late:%Y-%m-%d}")
    assert dash_duo.get_logs() == []


def test_ovr004_typed_dates_are_the_dates_applied(dash_duo, full_bundle):
    """Clearing the end date, then typing a start after the old end: the picker
    and the numbers (the URL) must agree. With updates only once both dates were
    set, the picker showed the typed start and the old end while the page kept
    the old range."""
    first, last = DataAccess(full_bundle).date_bounds()
    start, end, later = (
        pd.Timestamp(first) + pd.Timedelta(days=d) for d in (10, 40, 70)
    )
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_page(
        dash_duo.server_url + f"/?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    )
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    dom_id = ids.dom_id(ids.DATES)

    def retype(suffix: str, text: str) -> None:
        box = dash_duo.driver.execute_script(
            "return document.getElementById(arguments[0]);", dom_id + suffix
        )
        box.click()
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE, *([text] if text else []), Keys.TAB)

    retype("-end-date", "")
    retype("", f"{later.day} {later:%b %Y}")
    # Tab keeps the focus in the open calendar, where a blank end waits for a
    # date (test_ovr005); closing it applies the open end.
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    url = wait_for_url(dash_duo, f"start={later:%Y-%m-%d}")
    assert "end=" not in url
    # The open end shows as the data's last day, as the same URL loads.
    last_day = pd.Timestamp(last)
    shown = [f"{later.day} {later:%b %Y}", f"{last_day.day} {last_day:%b %Y}"]
    until(
        lambda: (
            [
                e.get_attribute("value")
                for e in dash_duo.find_elements(".dash-datepicker-input")
            ]
            == shown
        ),
        timeout=5,
    )
    assert dash_duo.get_logs() == []


def test_ovr006_typed_dates_are_read_day_first_and_nonsense_undone(
    dash_duo, full_bundle
):
    """Dash's picker read "05/04/2011" as 4 May (the browser's US reading) and
    "31 Feb 2011" as 3 Mar, and a text naming no day blanked the box while the
    numbers kept the old date (assets/30-date-range.js)."""
    first, last = DataAccess(full_bundle).date_bounds()
    start, end = (pd.Timestamp(first) + pd.Timedelta(days=d) for d in (40, 160))
    dash_duo.start_server(app_for(full_bundle))
    query = f"/?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    dash_duo.wait_for_page(dash_duo.server_url + query)
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    box = dash_duo.find_element(f"#{ids.DATES}")
    shown = f"{start.day} {start:%b %Y}"

    def type_start(text: str, leave=Keys.TAB) -> None:
        box.click()
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE, text, leave)
        dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)

    for nonsense in ("31 Feb 2011", "hello", "5/4"):
        type_start(nonsense)
        until(lambda: box.get_attribute("value") == shown, timeout=5)
        assert dash_duo.driver.current_url.endswith(query)
    month = (start + pd.offsets.MonthBegin(1)).month
    # "04/02/2011": the browser read 2 April; "25/02/2011", nothing at all;
    # Escape closes the calendar before the picker reads the box.
    for d, leave in ((4 if month != 4 else 6, Keys.TAB), (25, Keys.ESCAPE)):
        day = (start + pd.offsets.MonthBegin(1)).replace(day=d)
        type_start(f"{day:%d/%m/%Y}", leave)
        wait_for_url(dash_duo, f"start={day:%Y-%m-%d}&")
        until(lambda d=day: box.get_attribute("value") == f"{d.day} {d:%b %Y}", 5)
    # Enter, then Enter again: the calendar had kept the keyboard focus on the
    # day the picker misread, and the second Enter picked it.
    day = (start + pd.offsets.MonthBegin(1)).replace(day=2 if month != 2 else 3)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE, f"{day:%d/%m/%Y}", Keys.ENTER)
    wait_for_url(dash_duo, f"start={day:%Y-%m-%d}&")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    time.sleep(1.0)  # the time a callback round would take to change the URL
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert f"start={day:%Y-%m-%d}&" in dash_duo.driver.current_url
    # A day before the data (its US reading, refused by the picker, too) is
    # the data's first day, as the URL reads it.
    before = pd.Timestamp(first) - pd.Timedelta(days=1)
    type_start(f"{before:%d/%m/%Y}")
    wait_for_url(dash_duo, f"/?end={end:%Y-%m-%d}")
    first_day = pd.Timestamp(first)
    until(lambda: box.get_attribute("value") == f"{first_day.day} {first_day:%b %Y}", 5)
    assert dash_duo.get_logs() == []


def _pareto_legend_clear_of_axis_title(dash_duo) -> bool:
    """Whether the Pareto's legend sits wholly under its x axis's title."""
    return dash_duo.driver.execute_script(
        "const g = document.getElementById(arguments[0]);"
        "const legend = g.querySelector('.legend');"
        "const title = g.querySelector('.g-xtitle');"
        "if (!legend || !title) return false;"
        "return legend.getBoundingClientRect().top"
        " >= title.getBoundingClientRect().bottom - 0.5;",
        ids.OVR_PARETO,
    )


def test_ovr007_pareto_legend_stays_under_its_axis_title(dash_duo, demo_bundle):
    # At y -0.25 of the plot, the legend moved up over "Share of customers"
    # after the window went to a phone's width and back.
    dash_duo.start_server(app_for(demo_bundle))
    for width in (1280, 390, 1280):
        dash_duo.driver.set_window_size(width, 900)
        graph_ready(dash_duo, ids.OVR_PARETO)
        until(
            lambda: _pareto_legend_clear_of_axis_title(dash_duo),
            timeout=5,
            msg=f"the Pareto's legend overlaps its axis title at {width} px",
        )
        time.sleep(0.5)  # plotly's resize settles; it must still hold
        assert _pareto_legend_clear_of_axis_title(dash_duo), width
    assert dash_duo.get_logs() == []


def _calendar_day(dash_duo, day: int):
    """The first cell of the open calendar reading ``day`` (in its first month)."""
    cells = dash_duo.find_elements(
        ".dash-datepicker-calendar-wrapper td, .dash-datepicker-calendar-wrapper button"
    )
    return next(c for c in cells if c.text.strip() == str(day))


def test_ovr005_a_range_half_picked_on_the_calendar_is_not_applied(
    dash_duo, full_bundle
):
    """The calendar's first click sets the start and blanks the end: the page
    kept drawing 'from that start to the end of the data' (and added it to the
    history) until the second click. Now one range, one history entry; a range
    left half-picked applies its open end once the calendar closes."""
    first, last = DataAccess(full_bundle).date_bounds()
    month = pd.Timestamp(_calendar_month(last, first))  # the first month shown
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    kpis = text_of(dash_duo, f"#{ids.OVR_KPIS}")
    history = dash_duo.driver.execute_script("return history.length;")
    url = dash_duo.driver.current_url

    dash_duo.find_elements(".dash-datepicker-input")[0].click()
    _calendar_day(dash_duo, 7).click()
    time.sleep(1.0)  # the time a callback round would take to change the page
    assert dash_duo.driver.current_url == url
    assert text_of(dash_duo, f"#{ids.OVR_KPIS}") == kpis
    _calendar_day(dash_duo, 20).click()
    wait_for_url(dash_duo, f"start={month:%Y-%m}-07&end={month:%Y-%m}-20")
    assert dash_duo.driver.execute_script("return history.length;") == history + 1

    # Half-picked, then the calendar closed: the picker shows an open end, and
    # so do the numbers.
    dash_duo.find_elements(".dash-datepicker-input")[0].click()
    _calendar_day(dash_duo, 3).click()
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    url = wait_for_url(dash_duo, f"start={month:%Y-%m}-03")
    assert "end=" not in url
    assert dash_duo.get_logs() == []


def is_topmost_at_centre(dash_duo, selector: str) -> bool:
    """Whether a click at the element's centre reaches it (nothing drawn over it)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        # Instant: Bootstrap makes scrolling smooth, so it would not be done yet.
        "e.scrollIntoView({block: 'center', behavior: 'instant'});"
        "const r = e.getBoundingClientRect();"
        "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)"
        " === e;",
        selector,
    )


def test_seg001_segments_from_shared_link_and_predictor(dash_duo, full_bundle):
    app = app_for(full_bundle)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(
        dash_duo.server_url + "/segments?start=2011-01-01&end=2011-06-30"
        "&region=UK&segment=High-Value"
    )
    graph_ready(dash_duo, ids.SEG_3D)
    dash_duo.wait_for_contains_text(f"#{ids.SEG_SUMMARY}", "30 Jun 2011", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.SEG_PROFILE}", "Segment")
    # The shared link set the controls.
    assert "UK" in dash_duo.find_element(css(ids.REGION)).text
    graph_ready(dash_duo, ids.SEG_ELBOW)
    graph_ready(dash_duo, ids.SEG_RFM_DIST)
    # The predictor is not covered by the next row's chart, on phone or desktop.
    for width, height in ((390, 844), (1366, 900)):
        dash_duo.driver.set_window_size(width, height)
        for input_id in (ids.SEG_PRED_RECENCY, ids.SEG_PRED_MONETARY):
            until(
                lambda i=input_id: is_topmost_at_centre(dash_duo, f"#{i}"),
                timeout=5,
                msg=f"{input_id} is covered at {width} px",
            )
    for input_id, value in (
        (ids.SEG_PRED_RECENCY, "5"),
        (ids.SEG_PRED_FREQUENCY, "40"),
        (ids.SEG_PRED_MONETARY, "20000"),
    ):
        dash_duo.find_element(f"#{input_id}").send_keys(value)
    dash_duo.wait_for_contains_text(f"#{ids.SEG_PRED_RESULT}", "Segment:")
    assert dash_duo.get_logs() == []


def test_seg002_export_downloads_the_filtered_segment(dash_duo, full_bundle):
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + "/segments?segment=At-Risk")
    graph_ready(dash_duo, ids.SEG_3D)
    dash_duo.find_element(f"#{ids.SEG_EXPORT_BUTTON}").click()
    folder = Path(dash_duo.download_path)
    until(lambda: list(folder.glob("*.csv")), timeout=10, msg="no CSV downloaded")
    frame = pd.read_csv(next(folder.glob("*.csv")))
    assert len(frame) > 0 and set(frame["segment"]) == {"At-Risk"}
    assert dash_duo.get_logs() == []


def _graph_box(dash_duo, graph_id: str) -> dict:
    """The graph's width and height, and the height plotly drew it at."""
    return dash_duo.driver.execute_script(
        "const g = document.getElementById(arguments[0]);"
        "const r = g.getBoundingClientRect();"
        "const svg = g.querySelector('.main-svg').getBoundingClientRect();"
        "return {width: r.width, height: r.height, drawn: svg.height};",
        graph_id,
    )


def _is_drawn_at_height(box: dict, ratio: float) -> bool:
    """Whether the graph is ``ratio`` times as high as wide, and drawn so."""
    height = ratio * box["width"]
    return abs(box["height"] - height) <= 2 and abs(box["drawn"] - height) <= 2


def test_seg003_3d_plot_is_as_high_as_a_phone_needs(dash_duo, demo_bundle):
    # plotly scales a 3D scene to the plot's height: 520 px drew it wider than
    # a 360 px phone's card, between tall blank bands (assets/10-theme.css).
    dash_duo.start_server(app_for(demo_bundle))
    for width in (360, 390):
        dash_duo.driver.set_window_size(width, 844)
        dash_duo.wait_for_page(dash_duo.server_url + "/segments")
        graph_ready(dash_duo, ids.SEG_3D)
        until(
            lambda: _is_drawn_at_height(_graph_box(dash_duo, ids.SEG_3D), 1.3),
            timeout=5,
            msg=f"3D plot not 1.3 times as high as wide at {width} px",
        )
        assert _graph_box(dash_duo, ids.SEG_3D)["height"] < 440
    # A desktop keeps the 520 px that lines the plot's card up with its column.
    dash_duo.driver.set_window_size(1366, 900)
    dash_duo.wait_for_page(dash_duo.server_url + "/segments")
    graph_ready(dash_duo, ids.SEG_3D)
    until(
        lambda: _graph_box(dash_duo, ids.SEG_3D)["drawn"] == 520,
        timeout=5,
        msg="3D plot is not 520 px high at 1366 px",
    )
    assert dash_duo.get_logs() == []


def test_seg004_3d_plot_is_a_webgl_scene_after_other_pages_graphs(
    dash_duo, demo_bundle
):
    # The plotly.js bundle registers scatter3d only when a figure first draws one
    # (dashboard/plotly_bundle/index.js); unregistered, plotly would silently
    # draw the cloud as a flat 2D scatter. Come from the overview, whose graphs
    # loaded plotly.js without it.
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    for graph_id in (ids.OVR_TREND, ids.OVR_PARETO):
        graph_ready(dash_duo, graph_id)
    dash_duo.find_element(f"{css(ids.nav_link('/segments'))}").click()
    dash_duo.wait_for_element(f"#{ids.SEG_3D} .gl-container canvas", timeout=10)
    assert not dash_duo.driver.find_elements(
        "css selector", f"#{ids.SEG_3D} .scatterlayer .trace"
    )
    graph_ready(dash_duo, ids.SEG_ELBOW)
    assert dash_duo.get_logs() == []


def test_cus001_lookup_by_typing_and_bad_ids(dash_duo, full_bundle):
    first_id = int(
        pd.read_parquet(full_bundle / "customers.parquet")["customer_id"].min()
    )
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + "/customers")
    box = dash_duo.find_element(css(ids.CUS_ID))
    box.send_keys(str(first_id), Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.CUS_RESULT}", f"Customer {first_id}")
    wait_for_url(dash_duo, f"id={first_id}")
    graph_ready(dash_duo, ids.CUS_HISTORY)
    # Recommendations with reasons; a formula-looking reason is shown as text.
    dash_duo.wait_for_contains_text(f"#{ids.CUS_RESULT}", "bought together")
    box.clear()
    box.send_keys("12ab", Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.CUS_RESULT}", "is not a customer ID")
    box.clear()
    box.send_keys("999999999", Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.CUS_RESULT}", "No customer 999999999")
    assert dash_duo.get_logs() == []


def test_cus002_link_opens_customer(dash_duo, demo_bundle):
    first_id = int(
        pd.read_parquet(demo_bundle / "customers.parquet")["customer_id"].min()
    )
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + f"/customers?id={first_id}")
    dash_duo.wait_for_contains_text(f"#{ids.CUS_RESULT}", f"Customer {first_id}")
    assert dash_duo.get_logs() == []


def test_prd001_search_suggests_and_shows_product(dash_duo, full_bundle):
    products = pd.read_parquet(full_bundle / "products.parquet")
    top = products.sort_values("revenue", ascending=False).iloc[0]
    word = max(str(top["description"]).split(), key=len)
    dash_duo.start_server(app_for(full_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + "/products")
    choose(dash_duo, ids.PRD_SEARCH, word.lower())
    url = wait_for_url(dash_duo, "code=")
    code = url.split("code=")[1].split("&")[0]
    dash_duo.wait_for_contains_text(f"#{ids.PRD_DETAIL}", f"({code})")
    graph_ready(dash_duo, ids.PRD_SALES)
    assert dash_duo.find_element(f"#{ids.PRD_SIMILAR}").text
    assert dash_duo.get_logs() == []


def test_prd002_typing_after_a_choice_searches_again(dash_duo, demo_bundle):
    """Dash opens a dropdown that has a choice with the focus on that choice:
    typing must still search (assets/20-dropdown-typing.js)."""
    products = pd.read_parquet(demo_bundle / "products.parquet")
    products = products.sort_values("revenue", ascending=False)
    first, second = products["stock_code"].iloc[0], products["stock_code"].iloc[1]
    word = str(products["description"].iloc[1]).lower()
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + "/products")
    # A first product chosen as a user does: type, pick, close.
    choose(dash_duo, ids.PRD_SEARCH, str(products["description"].iloc[0]).lower())
    wait_for_url(dash_duo, f"code={first}")
    dash_duo.wait_for_contains_text(f"#{ids.PRD_DETAIL}", f"({first})")
    # Then another: open the box again (the focus lands on the choice) and type.
    dash_duo.find_element(css(ids.PRD_SEARCH)).click()
    dash_duo.wait_for_element("[role=option]")
    dash_duo.driver.switch_to.active_element.send_keys(word)

    def first_is_second() -> bool:
        options = dash_duo.find_elements("[role=option]")
        return bool(options) and f"({second})" in options[0].text

    # Suggestions come per keystroke: wait until the last word's have settled
    # (an earlier keystroke's answer may still arrive).
    settled = []
    until(
        lambda: (
            (settled.append(first_is_second()) or time.sleep(0.3))
            or settled[-3:] == [True] * 3
        ),
        timeout=15,
        msg=f"typing {word!r} after a choice did not search",
    )
    # Picked with the mouse: Enter right after typing (Dash's own "first
    # option" key) was missed about once in six runs, a race inside Dash.
    dash_duo.find_elements("[role=option]")[0].click()
    wait_for_url(dash_duo, f"code={second}")
    dash_duo.wait_for_contains_text(f"#{ids.PRD_DETAIL}", f"({second})")
    assert dash_duo.get_logs() == []


def test_prd003_enter_before_the_suggestions_arrive_picks_the_first(
    dash_duo, demo_bundle
):
    """Enter released before the server's suggestions for the last keystroke are
    in waits for them, then picks the first (it picked nothing: each answer
    is made 0.5 s late here, as a busy server would)."""
    app = app_for(demo_bundle)
    data = app.server.config["SHOPPER_DATA"]
    prompt = data.search_products

    def late(text, limit=10):
        time.sleep(0.5)
        return prompt(text, limit)

    data.search_products = late
    products = data.bundle().products.sort_values("revenue", ascending=False)
    word = str(products["description"].iloc[0]).split()[-1].lower()
    best = str(prompt(word)["stock_code"].iloc[0])
    dash_duo.start_server(app)
    dash_duo.wait_for_page(dash_duo.server_url + "/products")
    dash_duo.find_element(css(ids.PRD_SEARCH)).click()
    # Typed as a person does, into whatever has the focus (the box moves it to
    # its search field), with Enter at once.
    ActionChains(dash_duo.driver).send_keys(word).send_keys(Keys.ENTER).perform()
    wait_for_url(dash_duo, f"code={best}", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.PRD_DETAIL}", f"({best})")
    assert dash_duo.get_logs() == []


def test_prd004_fast_typing_into_a_closed_box_keeps_every_letter(dash_duo, demo_bundle):
    """Each key pressed before the last one is released, as a fast typist does:
    the first lands on the closed box's button, which opens it and moves the
    focus to its search field a frame later, and a key pressed before that move
    and released after it was lost ("lantern" searched "lntern")."""
    app = app_for(demo_bundle)
    data = app.server.config["SHOPPER_DATA"]
    products = data.bundle().products.sort_values("revenue", ascending=False)
    word = max(str(products["description"].iloc[0]).lower().split(), key=len)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(dash_duo.server_url + "/products")
    dash_duo.find_element(css(ids.PRD_SEARCH)).click()
    keys = ActionChains(dash_duo.driver).key_down(word[0])
    for before, key in zip(word, word[1:], strict=False):
        keys.pause(0.04).key_down(key).pause(0.02).key_up(before)
    keys.pause(0.04).key_up(word[-1]).perform()
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "var box = document.querySelector('input.dash-dropdown-search');"
                "return box && box.value;"
            )
            == word
        ),
        timeout=5,
        msg=f"typing {word!r} fast lost a letter",
    )
    # A key held on one box while another is clicked is not typed into that one.
    dash_duo.driver.get(dash_duo.server_url + "/products")
    dash_duo.wait_for_element(css(ids.REGION))
    dash_duo.find_element(css(ids.PRD_SEARCH)).click()
    region = dash_duo.find_element(css(ids.REGION))
    ActionChains(dash_duo.driver).key_down("l").click(region).pause(0.3).key_up(
        "l"
    ).pause(0.3).perform()
    typed = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('input.dash-dropdown-search'))"
        ".map(function (box) { return box.value; });"
    )
    assert "l" not in "".join(typed), typed
    assert dash_duo.get_logs() == []


def test_dat001_data_page_and_navigation_keeps_filter(dash_duo, demo_bundle):
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_page(dash_duo.server_url + "/data?region=UK")
    dash_duo.wait_for_contains_text("#app-page", "Cleaning report", timeout=10)
    dash_duo.wait_for_contains_text("#app-page", "Recommender evaluation")
    # Navigation links carry the global filter to the next page.
    dash_duo.find_element(f"{css(ids.nav_link('/segments'))}").click()
    wait_for_url(dash_duo, "/segments?region=UK")
    graph_ready(dash_duo, ids.SEG_3D)
    assert "UK" in dash_duo.find_element(css(ids.REGION)).text
    assert dash_duo.get_logs() == []


def test_nav002_back_and_forward_restore_the_view(dash_duo, demo_bundle):
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_contains_text(f"#{ids.OVR_KPIS}", "REVENUE", timeout=10)
    everything = text_of(dash_duo, f"#{ids.OVR_KPIS}")
    choose(dash_duo, ids.REGION, "Western")
    wait_for_url(dash_duo, "region=Western+Europe")
    until(
        lambda: text_of(dash_duo, f"#{ids.OVR_KPIS}") != everything,
        timeout=10,
    )
    filtered = text_of(dash_duo, f"#{ids.OVR_KPIS}")
    # The links carry the filter (written in the browser, without the server).
    link = dash_duo.find_element(css(ids.nav_link("/segments")))
    until(
        lambda: link.get_attribute("href").endswith("/segments?region=Western+Europe"),
        timeout=5,
        msg="the Segments link does not carry the region",
    )
    dash_duo.driver.back()
    until(
        lambda: text_of(dash_duo, f"#{ids.OVR_KPIS}") == everything,
        timeout=10,
        msg="Back did not restore the unfiltered view",
    )
    assert "Western Europe" not in text_of(dash_duo, css(ids.REGION))
    dash_duo.driver.forward()
    until(
        lambda: text_of(dash_duo, f"#{ids.OVR_KPIS}") == filtered,
        timeout=10,
        msg="Forward did not restore the filtered view",
    )
    assert "Western Europe" in text_of(dash_duo, css(ids.REGION))
    assert dash_duo.get_logs() == []


def test_prd002_similar_products_fit_a_phone(dash_duo, demo_bundle, tmp_path):
    # A name with one long word ("CHRYSANTHEMUM") beside the "Shared buyers"
    # column ran 17 px past a 390 px phone's card while that header could not wrap.
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle, bundle)
    similar = pd.read_parquet(bundle / "similar_products.parquet")
    cf = similar[similar["method"] == "cf"]
    code = cf["stock_code"].value_counts().index[0]
    products = pd.read_parquet(bundle / "products.parquet")
    neighbours = products["stock_code"].isin(
        cf.loc[cf["stock_code"] == code, "similar_stock_code"]
    )
    products.loc[neighbours, "description"] = "CHRYSANTHEMUM SKETCHBOOK"
    products.to_parquet(bundle / "products.parquet", index=False)
    dash_duo.start_server(app_for(bundle))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_page(dash_duo.server_url + f"/products?code={code}")
    dash_duo.wait_for_contains_text(f"#{ids.PRD_SIMILAR}", "CHRYSANTHEMUM")
    overflow = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        f"'#{ids.PRD_SIMILAR} .table-responsive'))"
        ".map(e => e.scrollWidth - e.clientWidth);"
    )
    assert overflow and max(overflow) <= 0, overflow
    assert dash_duo.get_logs() == []
