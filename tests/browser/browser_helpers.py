"""Small helpers for the dash_duo tests: selectors for pattern-matching IDs and
the few interactions the pages need."""

from __future__ import annotations

import json
import time

from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.keys import Keys

from dashboard.app import create_app
from dashboard.config import Config


def app_for(bundle):
    return create_app(Config(bundle_dir=bundle))


def css(component_id) -> str:
    """CSS selector of a component, dict IDs as Dash writes them in the DOM."""
    if isinstance(component_id, dict):
        text = json.dumps(dict(sorted(component_id.items())), separators=(",", ":"))
        return f"[id='{text}']"
    return f"#{component_id}"


def choose(dash_duo, component_id, text: str) -> None:
    """Open a Dash dropdown, type ``text`` and pick the first matching option."""
    dash_duo.find_element(css(component_id)).click()
    search = dash_duo.driver.switch_to.active_element
    search.send_keys(text)
    dash_duo.wait_for_element("[role=option]")
    option = dash_duo.find_elements("[role=option]")[0]
    option.click()
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)


def wait_for_url(dash_duo, fragment: str, timeout: float = 8) -> str:
    """Wait until the address bar contains ``fragment``; return the URL."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fragment in dash_duo.driver.current_url:
            return dash_duo.driver.current_url
        time.sleep(0.1)
    raise AssertionError(f"URL {dash_duo.driver.current_url!r} lacks {fragment!r}")


def graph_ready(dash_duo, graph_id: str) -> None:
    """Wait until a graph has drawn (plotly adds .main-svg when it renders)."""
    dash_duo.wait_for_element(f"#{graph_id} .main-svg", timeout=10)


def text_of(dash_duo, selector: str) -> str:
    """The element's text, or "" while the page is re-rendering it."""
    try:
        return dash_duo.find_element(selector).text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""
