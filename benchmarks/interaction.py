"""Time from a filter change to the overview's graphs redrawn, in headless Chromium.

Run by hand (never in tests):
    python benchmarks/interaction.py [--bundle DIR] [--runs N]

Serves the dashboard with gunicorn (as benchmarks/first_page.py does), opens the
overview, waits until it is drawn, then picks a region in the Regions dropdown with
the mouse, as a user does. Measured with the page's own clock from the mouse
pressing the option until the KPI cards show the new figures, and until the first
and the last of the six graphs has redrawn (plotly's ``plotly_afterplot``). This
is what a user waits for: the callbacks' server time (benchmarks/callbacks.py)
plus the request, Dash's rendering and plotly's drawing. Each run picks the next
region in the list, in a fresh browser: the server answers from its data, not
from its cache, as for a user's first look at a region, until the list runs out
(later runs, marked "cached", repeat it). Prints every run and the medians of the
uncached ones. Without ``--bundle`` it uses the two-file bundle of
benchmarks/callbacks.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.first_page import (  # noqa: E402
    browser,
    page_times,
    print_medians,
    served,
    time_page,
)
from dashboard import ids  # noqa: E402
from tests.browser.browser_helpers import css  # noqa: E402

# Records, in the page, when each graph redraws and when an option is pressed.
LISTEN = """
window.__drawn = {};
window.__pressed = null;
document.querySelectorAll('.dash-graph .js-plotly-plot').forEach((gd) => {
  gd.on('plotly_afterplot', () => {
    if (window.__pressed !== null && !(gd.parentNode.id in window.__drawn)) {
      window.__drawn[gd.parentNode.id] = performance.now();
    }
  });
});
document.addEventListener('mousedown', (event) => {
  if (event.target.closest('[role=option]')) window.__pressed = performance.now();
}, true);
"""

# Resolves with [KPIs changed, first graph redrawn, last graph redrawn] in ms since
# the option was pressed, once every graph has redrawn (null after 20 s).
WAIT_REDRAWN = """
const done = arguments[arguments.length - 1];
const before = arguments[0];
const started = performance.now();
let kpis = null;
function check() {
  const now = performance.now();
  const pressed = window.__pressed;
  const cards = document.getElementById('KPIS_ID');
  if (pressed !== null && kpis === null && cards && cards.textContent !== before
      && cards.textContent.includes('£')) kpis = now;
  const times = Object.values(window.__drawn);
  if (kpis !== null && times.length >= EXPECTED) {
    done([kpis - pressed, Math.min(...times) - pressed, Math.max(...times) - pressed]);
    return;
  }
  if (now - started > 20000) { done(null); return; }
  requestAnimationFrame(check);
}
check();
"""

REGION_BOX = css(ids.REGION)


def region_names(driver) -> list[str]:
    """The Regions dropdown's options, read by opening it."""
    driver.find_element("css selector", REGION_BOX).click()
    deadline = time.time() + 10
    while time.time() < deadline:
        options = driver.find_elements("css selector", "[role=option]")
        if options:
            names = [o.text for o in options]
            driver.find_element("css selector", REGION_BOX).click()
            return names
        time.sleep(0.1)
    sys.exit("the Regions dropdown showed no options")


def pick_region(driver, name: str, graphs: int) -> tuple[float, float, float]:
    """Pick ``name`` with the mouse; (KPIs, first graph, last graph) in ms."""
    driver.execute_script(LISTEN)
    before = driver.execute_script(
        "return document.getElementById(arguments[0]).textContent", ids.OVR_KPIS
    )
    driver.find_element("css selector", REGION_BOX).click()
    driver.switch_to.active_element.send_keys(name)
    deadline = time.time() + 10
    option = None
    while option is None and time.time() < deadline:
        matches = [
            o
            for o in driver.find_elements("css selector", "[role=option]")
            if o.text == name
        ]
        option = matches[0] if matches else None
        time.sleep(0.05)
    if option is None:
        sys.exit(f"no option {name!r} in the Regions dropdown")
    time.sleep(0.3)  # the search's own re-render settles first
    option.click()
    script = WAIT_REDRAWN.replace("KPIS_ID", ids.OVR_KPIS).replace(
        "EXPECTED", str(graphs)
    )
    failure = f"the overview did not redraw within 20 s of picking {name!r}"
    return page_times(driver, script, failure, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--runs", type=int, help="default: one per region")
    parser.add_argument("--graphs", type=int, default=6, help="overview: 6")
    args = parser.parse_args()
    runs = []
    with served(args.bundle) as address:
        url = address + "/"
        driver = browser()
        try:
            time_page(driver, url, args.graphs)  # server warm-up
            names = region_names(driver)
        finally:
            driver.quit()
        for i in range(args.runs or len(names)):
            name = names[i % len(names)]
            driver = browser()
            try:
                driver.set_window_size(1280, 1000)
                time_page(driver, url, args.graphs)
                time.sleep(1.0)  # plotly's own resize after the first draw
                cached = i >= len(names)
                runs.append((name, cached, pick_region(driver, name, args.graphs)))
            finally:
                driver.quit()
    print(
        f"{url} (bundle {args.bundle or 'two files'}): a region picked on the "
        f"overview, ms from the mouse press, {len(runs)} runs:"
    )
    for name, cached, (kpis, first, last) in runs:
        print(
            f"  {name:<20} KPIs {kpis:5.0f}  first graph {first:5.0f}  "
            f"last {last:5.0f}{'  (cached)' if cached else ''}"
        )
    print("  uncached runs:")
    print_medians(
        ("KPIs shown", "first graph drawn", "last graph drawn"),
        [times for _, cached, times in runs if not cached],
    )


if __name__ == "__main__":
    main()
