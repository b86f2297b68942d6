"""Time until the first page is fully drawn in headless Chromium.

Run by hand (never in tests):
    python benchmarks/first_page.py [--bundle DIR] [--runs 5] [--path /]

Serves the dashboard with gunicorn (as in production) on a free local port, then
opens the page in headless Chromium (/usr/bin/chromium, a fresh profile per run so
nothing is cached) and measures, with the page's own clock, the time from navigation
start until the page's content (filter bar, KPI cards with numbers) is in place,
until a first graph has drawn and until every graph has drawn. Without
``--bundle`` it uses the two-file bundle of benchmarks/callbacks.py. Prints every
run and the median, for a cold browser (first visit: the partial plotly.js, 2.0 MB,
is parsed from scratch) and a warm one (reload), and the bytes each transferred
(headers and bodies, as sent: compressed when the server compresses; a reload's
files that had not changed cost their headers only).

``--network 20,40`` makes Chromium emulate a link of 20 Mbit/s down (and up) with
40 ms round trips, as a user away from the server has; without it the page comes
over loopback, where only the server's and the browser's own time count.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Resolves with [content, first, drawn]: performance.now() (ms since navigation
# start) at the first animation frame where the page's text content (the filter
# bar, and the KPI cards on the overview) is in place, where a first graph has its
# SVG, and where every graph has its SVG and no Dash loading spinner is left.
WAIT_DRAWN = """
const done = arguments[arguments.length - 1];
const started = performance.now();
let content = null;
let first = null;
function check() {
  const now = performance.now();
  const kpis = document.getElementById('overview-kpis');
  const page = document.getElementById('app-page');
  const hasText = page && page.textContent.length > 0
    && (!kpis || kpis.textContent.includes('£'));
  if (content === null && hasText) content = now;
  // Graphs with their SVG (plotly draws two .main-svg per graph).
  const drawn = Array.from(document.querySelectorAll('.dash-graph'))
    .filter((graph) => graph.querySelector('.main-svg'));
  if (first === null && drawn.length > 0) first = now;
  const loading = document.querySelector('[data-dash-is-loading="true"]');
  if (hasText && drawn.length >= EXPECTED && !loading) {
    done([content, first, now]);
    return;
  }
  if (now - started > 30000) { done(null); return; }
  requestAnimationFrame(check);
}
check();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(bundle: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "SHOPPER_BUNDLE": str(bundle)}
    gunicorn = shutil.which("gunicorn") or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--threads", "4", "wsgi:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("the dashboard did not start within 30 s")


@contextlib.contextmanager
def served(bundle: Path | None):
    """The dashboard on ``bundle`` (None: the two-file bundle of
    benchmarks/callbacks.py), served by gunicorn on a free port: its address."""
    if bundle is None:
        from benchmarks.callbacks import two_file_bundle

        bundle = two_file_bundle()
    port = free_port()
    server = serve(bundle, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def print_medians(labels, runs, indent: str = "  ") -> None:
    """One line per label: the median of that column of ``runs``, then each run."""
    for i, what in enumerate(labels):
        values = [run[i] for run in runs]
        print(
            f"{indent}{what:<18} median {statistics.median(values):5.0f}"
            f" ({', '.join(f'{v:.0f}' for v in values)})"
        )


# Bytes of the page and of every resource it loaded, as transferred.
TRANSFERRED = """
return performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .reduce((sum, entry) => sum + entry.transferSize, 0);
"""


def browser(network: tuple[float, float] | None = None):
    from selenium import webdriver

    # The browser tests' Chromium and flags (importing also sets SE_OFFLINE).
    from tests.headless_chromium import chrome_options

    driver = webdriver.Chrome(options=chrome_options())
    driver.set_script_timeout(40)
    if network is not None:
        mbit, rtt = network
        rate = mbit * 1e6 / 8  # bytes per second
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": rtt,
                "downloadThroughput": rate,
                "uploadThroughput": rate,
            },
        )
    return driver


def network_of(text: str) -> tuple[float, float]:
    """``"20,40"`` → (20 Mbit/s, 40 ms round trip)."""
    try:
        mbit, rtt = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MBIT,RTT_MS such as 20,40, got {text!r}"
        ) from None
    if mbit <= 0 or rtt < 0:
        raise argparse.ArgumentTypeError("the rate must be > 0 and the round trip >= 0")
    return mbit, rtt


def time_page(driver, url: str, expected_graphs: int) -> tuple[float, float, float]:
    """(content visible, first graph drawn, all graphs drawn) in ms since
    navigation start."""
    driver.get(url)
    script = WAIT_DRAWN.replace("EXPECTED", str(expected_graphs))
    return page_times(driver, script, f"{url} did not finish drawing within 30 s")


def page_times(driver, script: str, failure: str, *args) -> tuple:
    """The times an async page ``script`` resolves with; exits with ``failure``
    when it resolves with null (it gave up waiting)."""
    times = driver.execute_async_script(script, *args)
    if times is None:
        sys.exit(failure)
    return tuple(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--path", default="/")
    parser.add_argument(
        "--graphs", type=int, default=6, help="graphs to wait for (overview: 6)"
    )
    parser.add_argument(
        "--network",
        type=network_of,
        metavar="MBIT,RTT_MS",
        help="emulate a link of this rate and round trip (default: loopback as is)",
    )
    args = parser.parse_args()
    cold, warm, sent, resent = [], [], [], []
    with served(args.bundle) as address:
        url = address + args.path
        time_page(browser_ := browser(), url, args.graphs)  # server warm-up
        browser_.quit()
        for _ in range(args.runs):
            driver = browser(args.network)
            try:
                cold.append(time_page(driver, url, args.graphs))
                sent.append(driver.execute_script(TRANSFERRED))
                warm.append(time_page(driver, url, args.graphs))
                resent.append(driver.execute_script(TRANSFERRED))
            finally:
                driver.quit()
    link = "loopback"
    if args.network is not None:
        link = "{:g} Mbit/s, {:g} ms".format(*args.network)
    print(
        f"{url} (bundle {args.bundle or 'two files'}), {args.graphs} graphs, "
        f"{link}; transferred: "
        f"cold visit {statistics.median(sent) / 1e6:.2f} MB, reload "
        f"{statistics.median(resent) / 1e6:.2f} MB; ms since navigation:"
    )
    for name, runs in (("cold browser", cold), ("warm reload", warm)):
        print(f"  {name}:")
        labels = ("content visible", "first graph drawn", "all drawn")
        print_medians(labels, runs, "    ")


if __name__ == "__main__":
    main()
