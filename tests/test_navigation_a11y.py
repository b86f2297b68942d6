"""The phone menu folds away after a page is chosen, and every visible label is tied
to its control (checked on the layouts, then in headless Chromium)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from dashboard import ids
from dashboard.pages import PageContext, render
from tests.browser.browser_helpers import app_for, css, wait_for_url

LABELLED_PAGES = ("/", "/segments", "/customers", "/products")

# Components whose element carrying the component's ID in the page is one a
# <label for> can name: the <input> of dcc.Input and dbc.Input, the <button> of a
# Dash 4 dcc.Dropdown, the start-date <input> of a dcc.DatePickerRange.
LABELABLE = (dcc.Input, dbc.Input, dcc.Dropdown, dcc.DatePickerRange)
# Widgets that name themselves after their value (or "Start Date") and take no
# aria-label: a group labelled by the visible label carries it for them.
SELF_NAMED = (dcc.Dropdown, dcc.DatePickerRange)


def _walk(component, parent=None):
    """(component, parent) for every component of a layout tree."""
    yield component, parent
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str | int | float):
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "_prop_names"):
            yield from _walk(child, component)


def _labels_and_controls(path, data):
    layout = render(path, {}, PageContext(data=data, topojson_url="/t/"))
    nodes = list(_walk(layout))
    controls = {
        ids.dom_id(c.id): c for c, _ in nodes if getattr(c, "id", None) is not None
    }
    labels = [
        (c, parent) for c, parent in nodes if isinstance(c, dbc.Label | html.Label)
    ]
    return labels, controls


@pytest.mark.parametrize("path", LABELLED_PAGES)
def test_every_label_names_a_control_of_its_page(path, data):
    labels, controls = _labels_and_controls(path, data)
    assert labels
    for label, _ in labels:
        target = getattr(label, "html_for", None) or getattr(label, "htmlFor", None)
        assert target in controls, f"{label.children!r} on {path}: for={target!r}"
        assert isinstance(controls[target], LABELABLE), (
            f"{label.children!r} on {path} names a {type(controls[target]).__name__}"
            ": check which element gets its ID in the page"
        )


@pytest.mark.parametrize("path", ("/", "/products"))
def test_dropdowns_and_date_pickers_sit_in_a_group_named_by_their_label(path, data):
    labels, controls = _labels_and_controls(path, data)
    self_named = [
        (label, parent)
        for label, parent in labels
        if isinstance(controls.get(getattr(label, "html_for", None)), SELF_NAMED)
    ]
    assert self_named
    for label, parent in self_named:
        assert label.id, label.children
        assert getattr(parent, "role", None) == "group", label.children
        assert getattr(parent, "aria-labelledby", None) == label.id, label.children


def test_nav_menu_listens_to_page_changes(demo_bundle):
    inputs = app_for(demo_bundle).callback_map[f"{ids.NAV_COLLAPSE}.is_open"]["inputs"]
    assert {"id": ids.URL, "property": "pathname"} in inputs
    assert {"id": ids.NAV_TOGGLER, "property": "n_clicks"} in inputs


# -- In headless Chromium ------------------------------------------------------------
def _menu_open(dash_duo) -> bool:
    return dash_duo.find_element(f"#{ids.NAV_COLLAPSE}").is_displayed()


def _page_top(dash_duo) -> float:
    return dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).getBoundingClientRect().top",
        ids.PAGE,
    )


def test_nav003_phone_menu_closes_when_a_page_is_chosen(dash_duo, demo_bundle):
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.start_server(app_for(demo_bundle))
    dash_duo.wait_for_element(f"#{ids.PAGE} h1", timeout=10)
    toggler = f"#{ids.NAV_TOGGLER}"
    closed_top = _page_top(dash_duo)
    assert not _menu_open(dash_duo)

    dash_duo.find_element(toggler).click()
    until(lambda: _menu_open(dash_duo), timeout=4, msg="toggler did not open")
    dash_duo.find_element(css(ids.nav_link("/customers"))).click()
    wait_for_url(dash_duo, "/customers")
    until(lambda: not _menu_open(dash_duo), timeout=4, msg="menu stayed open")
    until(lambda: _page_top(dash_duo) == closed_top, timeout=4)

    # The link to the page already shown changes no path, and still closes it.
    dash_duo.find_element(toggler).click()
    until(lambda: _menu_open(dash_duo), timeout=4, msg="toggler did not reopen")
    dash_duo.find_element(css(ids.nav_link("/customers"))).click()
    until(lambda: not _menu_open(dash_duo), timeout=4, msg="same-page link")

    # The toggler alone opens and closes it.
    dash_duo.find_element(toggler).click()
    until(lambda: _menu_open(dash_duo), timeout=4)
    dash_duo.find_element(toggler).click()
    until(lambda: not _menu_open(dash_duo), timeout=4, msg="toggler did not close")
    assert dash_duo.get_logs() == []


_LABEL_TARGETS = """
return [...document.querySelectorAll('label')].map(label => {
    const target = label.htmlFor ? document.getElementById(label.htmlFor) : null;
    return [label.textContent.trim(), label.htmlFor, target ? target.tagName : null];
});
"""


def test_a11y001_labels_point_at_elements_in_the_page(dash_duo, full_bundle):
    dash_duo.start_server(app_for(full_bundle))
    driver = dash_duo.driver
    for path in LABELLED_PAGES:
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(f"#{ids.PAGE} h1", timeout=10)
        # Dropdowns and date pickers are loaded lazily: wait for their elements.
        until(
            lambda: all(t for _, _, t in driver.execute_script(_LABEL_TARGETS)),
            timeout=10,
            msg=f"{path}: {driver.execute_script(_LABEL_TARGETS)}",
        )
        for text, _, tag in driver.execute_script(_LABEL_TARGETS):
            assert tag in ("INPUT", "BUTTON"), (path, text, tag)

    dash_duo.wait_for_page(dash_duo.server_url + "/customers")
    customer_id = dash_duo.wait_for_element(css(ids.CUS_ID))
    assert customer_id.accessible_name == "Customer ID"

    dash_duo.wait_for_page(dash_duo.server_url + "/products")
    for control, label in ((ids.REGION, "Regions"), (ids.PRD_SEARCH, "Product")):
        button = dash_duo.wait_for_element(css(control))
        group = button.find_element(By.XPATH, "ancestor::*[@role='group'][1]")
        assert group.accessible_name == label
    dash_duo.wait_for_element(f"label[for='{ids.dom_id(ids.REGION)}']").click()
    dash_duo.wait_for_element("[role=option]")
    assert dash_duo.get_logs() == []
