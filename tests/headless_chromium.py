"""The headless Chromium the browser tests and benchmarks/first_page.py both drive,
defined once so a benchmark measures the same browser the tests check."""

from __future__ import annotations

import os
import shutil

# Selenium must use the system chromium and chromedriver, never download a browser.
os.environ.setdefault("SE_OFFLINE", "true")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1366,900",
]


def chrome_options():
    """Selenium ``Options`` for :data:`CHROMIUM` with :data:`CHROME_ARGS`."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    return options
