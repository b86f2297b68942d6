"""Time the bundle build as a whole process, per dataset, and print the figures.

Run by hand (never in tests):
    python benchmarks/build.py [--runs 3] [--synthetic 1e6 5e6]

Cases: Online Retail (541,909 rows), both Online Retail files together (~1.07 M rows;
both skipped when ../shared/data is absent) and synthetic data of the given sizes
(generated once into benchmarks/out/). For each: median wall time and peak RSS of the
whole ``python -m analytics build`` process over the runs, and the median seconds and
peak RSS (so far) at the end of each stage, from the bundle's manifest. The last lines
give seconds and MB per million input rows, to check that cost grows linearly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "out"


def run_build(inputs: list[Path], bundle: Path) -> tuple[float, float, dict]:
    """One build in a fresh process: (wall seconds, peak RSS MB, manifest)."""
    command = [
        sys.executable,
        "-m",
        "analytics",
        "build",
        "--out",
        str(bundle),
        "--input",
        *map(str, inputs),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed for {inputs}")
    manifest = json.loads((bundle / "manifest.json").read_text())
    return wall, usage.ru_maxrss / 1024, manifest


def synthetic_file(rows: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"synthetic_{rows}.parquet"
    if not path.exists():
        print(f"  generating {rows:,} synthetic rows …", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "analytics",
                "demo-data",
                "--rows",
                str(rows),
                "--seed",
                "0",
                "--out",
                str(path),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def bench(name: str, inputs: list[Path], runs: int) -> dict:
    bundle = OUT / "bundle"
    walls, peaks, manifests = [], [], []
    for _ in range(runs):
        wall, peak, manifest = run_build(inputs, bundle)
        walls.append(wall)
        peaks.append(peak)
        manifests.append(manifest)
    shutil.rmtree(bundle, ignore_errors=True)
    rows = manifests[0]["cleaning"]["rows_in"]
    result = {
        "name": name,
        "rows": rows,
        "wall": statistics.median(walls),
        "peak": statistics.median(peaks),
        "walls": walls,
    }
    print(
        f"\n{name}: {rows:,} rows in, "
        f"{manifests[0]['cleaning']['rows_out']:,} kept, "
        f"{manifests[0]['cleaning']['customers']:,} customers"
    )
    print(
        f"  whole process: median {result['wall']:.2f} s "
        f"(runs: {', '.join(f'{w:.2f}' for w in walls)}), "
        f"peak RSS {result['peak']:.0f} MB"
    )
    # A stage may run in some builds only (the similar products run in the main
    # process when it is free before the worker): the runs that had it.
    for stage in dict.fromkeys(s for m in manifests for s in m["stages"]):
        had = [m for m in manifests if stage in m["stages"]]
        seconds = statistics.median(m["stages"][stage] for m in had)
        rss = statistics.median(m["stage_peak_rss_mb"][stage] for m in had)
        note = "" if len(had) == len(manifests) else f" ({len(had)} of {runs} runs)"
        print(f"  {stage:<19} {seconds:7.2f} s   peak RSS so far {rss:6.0f} MB{note}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--synthetic",
        type=float,
        nargs="*",
        default=[1e6, 5e6],
        help="synthetic sizes in rows (default 1e6 5e6)",
    )
    args = parser.parse_args()
    results = []
    online_retail = DATA / "online_retail.csv.gz"
    online_retail_ii = DATA / "online_retail_ii_2009_2010.csv.gz"
    if online_retail.exists() and online_retail_ii.exists():
        results.append(bench("Online Retail", [online_retail], args.runs))
        results.append(
            bench(
                "Online Retail II + Online Retail",
                [online_retail_ii, online_retail],
                args.runs,
            )
        )
    else:
        print(f"skipping the real data: {DATA} is absent")
    for rows in args.synthetic:
        path = synthetic_file(int(rows))
        results.append(bench(f"synthetic {int(rows):,}", [path], args.runs))
    print("\nper million input rows (linear growth means these stay about level):")
    for r in results:
        millions = r["rows"] / 1e6
        print(
            f"  {r['name']:<36} {r['wall'] / millions:6.2f} s/M rows   "
            f"{r['peak'] / millions:7.0f} MB/M rows"
        )


if __name__ == "__main__":
    main()
