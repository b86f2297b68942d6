"""Server-side time of every dashboard callback over a scripted session.

Run by hand (never in tests):
    python benchmarks/callbacks.py [--bundle DIR] [--steps 40]

Without ``--bundle`` it builds (once, into benchmarks/out/) the bundle of both
Online Retail files together (~1.07 M rows, from ../shared/data). Each step changes
the filters (dates, regions, countries, granularity, segment, product, customer,
search text) and posts the same JSON the browser posts to
``/_dash-update-component`` through Flask's test client, so the time includes Dash's
request handling and JSON serialisation. Every step's filter is new, so the answers
are computed (cache misses); a second pass repeats the session to show cached times.
Prints median, 90th percentile and maximum per callback in milliseconds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "out"
FILES = ["online_retail_ii_2009_2010.csv.gz", "online_retail.csv.gz"]


def two_file_bundle() -> Path:
    bundle = OUT / "bundle_two_files"
    if not (bundle / "manifest.json").exists():
        inputs = [DATA / f for f in FILES]
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            sys.exit(f"reference data absent: {', '.join(missing)}; pass --bundle DIR")
        OUT.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "analytics", "build", "--out", str(bundle)]
        subprocess.run([*command, "--input", *map(str, inputs)], check=True, cwd=ROOT)
    return bundle


def _output_key(outputs) -> str:
    def one(o):
        ident = o["id"]
        if isinstance(ident, dict):
            ident = json.dumps(dict(sorted(ident.items())), separators=(",", ":"))
        return f"{ident}.{o['property']}"

    if isinstance(outputs, list):
        return ".." + "...".join(one(o) for o in outputs) + ".."
    return one(outputs)


def payload(outputs, inputs, state=()) -> dict:
    """The request body dash-renderer sends for one callback."""
    return {
        "output": _output_key(outputs),
        "outputs": outputs,
        "inputs": list(inputs),
        "state": list(state),
        "changedPropIds": [],
    }


def _in(ident, prop, value):
    return {"id": ident, "property": prop, "value": value}


def _out(ident, prop):
    return {"id": ident, "property": prop}


def session(data, steps: int, offset: int = 0):
    """(callback name, request body) for a scripted sequence of filter changes.

    ``offset`` moves every window's start by that many days: a session of filters
    the server has not seen yet (for the memory soak).
    """
    from analytics.contract import SEGMENTS
    from dashboard import ids

    first, last = data.date_bounds()
    windows = [
        (None, None),
        ("2011-01-01", "2011-06-30"),
        ("2010-06-01", "2010-12-31"),
        ("2011-09-01", "2011-11-30"),
        ("2010-01-01", "2011-12-31"),
        ("2011-03-15", "2011-04-14"),
        ("2010-12-01", "2011-12-09"),
    ]
    geo = [
        ([], []),
        (["UK"], []),
        (["Western Europe"], []),
        (["Northern Europe", "Southern Europe"], []),
        ([], ["Germany", "France"]),
        (["Western Europe"], ["Netherlands"]),
    ]
    b = data.bundle()
    products = b.products.sort_values("revenue", ascending=False)["stock_code"]
    codes = products.head(50).tolist()
    customer_ids = b.customer_ids[:: max(1, len(b.customer_ids) // 50)].tolist()
    searches = ["cake stand", "hart", "t-light holder", "lunch bag", "regency", "85123"]
    segments = [None, *SEGMENTS]
    granularities = ["day", "week", "month"]
    combos = itertools.cycle(itertools.product(windows, geo))
    for i in range(steps):
        (start, end), (regions, countries) = next(combos)
        start, end = start or first, end or last
        if offset:
            moved = date.fromisoformat(str(start)[:10]) + timedelta(days=offset)
            start = moved.isoformat()
        f = [
            _in(ids.DATES_START, "data", start),
            _in(ids.DATES_END, "data", end),
            _in(ids.REGION, "value", regions),
            _in(ids.COUNTRY, "value", countries),
        ]
        yield ("kpis", payload(_out(ids.OVR_KPIS, "children"), f))
        yield (
            "overview",
            payload(
                [
                    _out(ids.OVR_COUNTRY_BAR, "figure"),
                    _out(ids.OVR_COUNTRY_MAP, "figure"),
                    _out(ids.OVR_TOP_UNITS, "figure"),
                    _out(ids.OVR_TOP_REVENUE, "figure"),
                ],
                f,
            ),
        )
        yield (
            "pareto",
            payload(
                [_out(ids.OVR_PARETO, "figure"), _out(ids.OVR_PARETO_NOTE, "children")],
                [*f, _in(ids.OVR_PARETO_BY, "value", ("customers", "products")[i % 2])],
            ),
        )
        yield (
            "countries",
            payload(
                [_out(ids.COUNTRY, "options"), _out(ids.COUNTRY, "value")],
                [_in(ids.REGION, "value", regions)],
                [_in(ids.COUNTRY, "value", countries)],
            ),
        )
        yield (
            "trend",
            payload(
                _out(ids.OVR_TREND, "figure"),
                [*f, _in(ids.OVR_GRANULARITY, "value", granularities[i % 3])],
            ),
        )
        yield (
            "segments",
            payload(
                [
                    _out(ids.SEG_3D, "figure"),
                    _out(ids.SEG_PROFILE, "children"),
                    _out(ids.SEG_RFM_DIST, "figure"),
                    _out(ids.SEG_SUMMARY, "children"),
                ],
                [*f, _in(ids.SEG_SEGMENT, "value", segments[i % len(segments)])],
            ),
        )
        yield (
            "export",
            payload(
                _out(ids.SEG_EXPORT_DOWNLOAD, "data"),
                [_in(ids.SEG_EXPORT_BUTTON, "n_clicks", i + 1)],
                [*f, _in(ids.SEG_SEGMENT, "value", segments[i % len(segments)])],
            ),
        )
        yield (
            "predictor",
            payload(
                _out(ids.SEG_PRED_RESULT, "children"),
                [
                    _in(ids.SEG_PRED_RECENCY, "value", 3 + i),
                    _in(ids.SEG_PRED_FREQUENCY, "value", 1 + i % 20),
                    _in(ids.SEG_PRED_MONETARY, "value", 100.0 * (i + 1)),
                ],
            ),
        )
        yield (
            "customer",
            payload(
                _out(ids.CUS_RESULT, "children"),
                [_in(ids.CUS_ID, "value", str(customer_ids[i % len(customer_ids)]))],
            ),
        )
        yield (
            "suggest",
            payload(
                _out(ids.PRD_SEARCH, "options"),
                [
                    _in(
                        ids.PRD_SEARCH,
                        "search_value",
                        searches[i % len(searches)][: 3 + i % 8],
                    )
                ],
                [_in(ids.PRD_SEARCH, "value", None)],
            ),
        )
        yield (
            "product",
            payload(
                [
                    _out(ids.PRD_DETAIL, "children"),
                    _out(ids.PRD_SALES, "figure"),
                    _out(ids.PRD_COUNTRIES, "figure"),
                    _out(ids.PRD_SIMILAR, "children"),
                ],
                [_in(ids.PRD_SEARCH, "value", codes[i % len(codes)]), *f],
            ),
        )
        yield (
            "page",
            payload(
                _out(ids.PAGE, "children"),
                [
                    _in(
                        ids.URL,
                        "pathname",
                        ["/", "/segments", "/products", "/data"][i % 4],
                    ),
                    _in(ids.URL, "search", f"?start={start}&end={end}"),
                ],
                [_in(ids.URL_WRITTEN, "data", None)],
            ),
        )


def run(client, requests) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for name, body in requests:
        started = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 204):
            sys.exit(f"{name}: HTTP {response.status_code}: {response.data[:300]!r}")
        times.setdefault(name, []).append(elapsed)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"{'callback':<12}{'n':>5}{'median ms':>12}{'p90 ms':>10}{'max ms':>10}")
    for name, values in times.items():
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(
            f"{name:<12}{len(values):>5}{statistics.median(values):>12.1f}"
            f"{p90:>10.1f}{values[-1]:>10.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bundle", type=Path, help="bundle folder (default: two files)"
    )
    parser.add_argument("--steps", type=int, default=42)
    parser.add_argument(
        "--soak", type=int, default=10, help="extra sessions to check memory stays flat"
    )
    args = parser.parse_args()
    bundle = args.bundle or two_file_bundle()

    from dashboard.app import create_app
    from dashboard.config import Config

    started = time.perf_counter()
    app = create_app(Config(bundle_dir=bundle))  # reads the bundle
    client = app.server.test_client()
    data_access = app.server.config["SHOPPER_DATA"]
    manifest = data_access.manifest()
    print(
        f"bundle {bundle}: {manifest['cleaning']['rows_in']:,} input rows, "
        f"{len(data_access.bundle().inv['day']):,} invoices, "
        f"{len(data_access.bundle().pdaily['day']):,} product-day rows; "
        f"app built and bundle read in {time.perf_counter() - started:.2f} s "
        "(once per bundle version)"
    )
    print(f"server RSS after loading the bundle: {rss_mb():.0f} MB")
    requests = list(session(data_access, args.steps))
    report("first pass (every filter new: computed)", run(client, requests))
    print(f"server RSS: {rss_mb():.0f} MB")
    report("second pass (same session again: cached)", run(client, requests))
    print(f"server RSS: {rss_mb():.0f} MB")
    # Memory must stay flat however long the server runs: many more new filters.
    for extra in range(args.soak):
        run(client, list(session(data_access, args.steps, offset=extra + 1)))
    if args.soak:
        print(
            f"server RSS after {args.soak} more sessions of new filters: "
            f"{rss_mb():.0f} MB"
        )


def rss_mb() -> float:
    """Current resident set size of this process (the server), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
