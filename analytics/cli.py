"""Command line: ``python -m analytics {build,demo-data,evaluate}``.

Bad input prints one ``error: …`` line and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path

import pandas as pd

from analytics._ingest_values import date_limit
from analytics.errors import InputError

# YYYY-MM-DD, a time of day and a zone read (to be refused below with a reason):
# pandas would read 05/01/2011 as 1 May, which a shop in the UK means as 5 January.
_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def _date(text: str) -> pd.Timestamp:
    """An argparse type: a day (YYYY-MM-DD), within the years transaction dates
    can take (those of ``datetime64[ns]``), and before :func:`date_limit` (no
    later than tomorrow), as dates in the data are.

    Without a time zone, and without a time of day: ``--until`` and ``--cutoff``
    are days (the manifest's ``as_of``, the evaluation's printed cutoff), and a
    time was used but not said (sales until noon kept, ``as_of`` that day).
    """
    value = pd.NaT
    if _ISO_DATE.fullmatch(text.strip()):
        try:
            value = pd.Timestamp(text)
        except (ValueError, TypeError):
            value = pd.NaT
    if value is pd.NaT:  # also "" and "NaT", which pandas reads as no date
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (expected YYYY-MM-DD)"
        )
    if value.tz is not None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has a time zone; give the shop's local date (YYYY-MM-DD)"
        )
    if value != value.normalize():
        raise argparse.ArgumentTypeError(
            f"{text!r} has a time of day; give the day alone (YYYY-MM-DD), which "
            "counts from its start (00:00)"
        )
    if not pd.Timestamp.min < value < pd.Timestamp.max:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside the supported years "
            f"({pd.Timestamp.min.year + 1}–{pd.Timestamp.max.year - 1})"
        )
    today, limit = date_limit()
    if value >= limit:
        raise argparse.ArgumentTypeError(
            f"{text!r} is after tomorrow (today is {today:%Y-%m-%d}): a typo?"
        )
    return value.as_unit("ns")


def _whole_number(minimum: int, meaning: str, maximum: int | None = None):
    """An argparse type: a whole number from ``minimum`` (to ``maximum``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"{text!r} must be {meaning}")
        return value

    return parse


# Up to the last k the segment charts scan (clustering.kmeans_scan), where they
# mark the chosen one; clusters beyond four share the four segment names.
_clusters = _whole_number(
    2,
    "2 or more (one cluster is not a segmentation) and at most 10 (the k the "
    "segment charts scan)",
    10,
)
# What numpy and scikit-learn accept as a random seed.
_seed = _whole_number(0, f"from 0 to {2**32 - 1:,}", 2**32 - 1)
# A century of test days; resamples that finish in minutes, not days.
_horizon = _whole_number(1, "from 1 to 36,500 days", 36_500)
_resamples = _whole_number(0, "from 0 to 100,000", 100_000)
# Synthetic rows: a bound the generator's sizes hold to (10³⁰ overflowed them).
_rows = _whole_number(1, "from 1 to 100,000,000", 100_000_000)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Shopper Spectrum analytics: build the dashboard's bundle.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="raw transactions → artifact bundle")
    build.add_argument(
        "--input",
        nargs="+",
        action="extend",  # --input a --input b: both (the last alone was read)
        required=True,
        metavar="FILE",
        help="CSV, CSV.GZ, XLSX or Parquet files (Online Retail schema)",
    )
    build.add_argument("--out", required=True, metavar="DIR", help="bundle folder")
    build.add_argument(
        "--until",
        type=_date,
        metavar="DATE",
        help="build as if today were DATE (earlier transactions only)",
    )
    build.add_argument(
        "--k",
        type=_clusters,
        default=4,
        help="clusters in the segment model (default 4)",
    )
    build.add_argument("--seed", type=_seed, default=0)

    demo = sub.add_parser("demo-data", help="write synthetic Online Retail data")
    demo.add_argument("--rows", type=_rows, required=True)
    demo.add_argument("--seed", type=_seed, default=0)
    demo.add_argument(
        "--out", required=True, metavar="FILE", help=".csv, .csv.gz or .parquet"
    )

    evaluate = sub.add_parser("evaluate", help="time-split recommender evaluation")
    evaluate.add_argument(
        "--input", nargs="+", action="extend", required=True, metavar="FILE"
    )
    evaluate.add_argument(
        "--cutoff",
        type=_date,
        required=True,
        metavar="DATE",
        help="train before DATE, test on purchases from DATE on",
    )
    evaluate.add_argument(
        "--horizon",
        type=_horizon,
        metavar="DAYS",
        help="test on the DAYS days from the cutoff only (default: all that follows)",
    )
    evaluate.add_argument(
        "--bootstrap",
        type=_resamples,
        default=2000,
        metavar="N",
        help="resamples for the intervals of the project's lead (0: none)",
    )
    evaluate.add_argument("--seed", type=_seed, default=0)
    evaluate.add_argument(
        "--save", metavar="FILE", help="also write the table to FILE (.parquet or .csv)"
    )
    return parser


def _build(args) -> None:
    from analytics.build import build_bundle

    build_bundle(args.input, args.out, until=args.until, k=args.k, seed=args.seed)


def _demo(args) -> None:
    from analytics.synthetic import write_demo_data

    rows = write_demo_data(args.rows, args.seed, args.out)
    print(f"wrote {rows:,} synthetic rows to {args.out}")


def _evaluate(args) -> None:
    from analytics._build_jobs import batch_allocation
    from analytics.cleaning import clean
    from analytics.evaluation import (
        evaluate_recommenders,
        format_evaluation,
        lines_at_cutoff,
    )
    from analytics.ingest import load_transactions
    from analytics.metrics import format_intervals, lead_intervals

    save = _save_path(args.save, args.input) if args.save else None
    with batch_allocation():
        frame, _, overlap = load_transactions(args.input)
        lines, _ = clean(frame, overlap)
        _check_cutoff(args.cutoff, lines["invoice_date"])
        lines = lines_at_cutoff(frame, overlap, args.cutoff, lines)
        hits: dict = {}
        table = evaluate_recommenders(
            lines, args.cutoff, horizon_days=args.horizon, seed=args.seed, hits=hits
        )
    print(format_evaluation(table))
    if args.bootstrap > 0:
        intervals = lead_intervals(table, hits, args.bootstrap, args.seed)
        print(format_intervals(intervals, args.bootstrap))
    if save is not None:
        try:
            if save.suffix.lower() == ".csv":
                table.to_csv(save, index=False)
            else:
                table.to_parquet(save, index=False)
        except OSError as exc:
            raise InputError(
                f"{save}: cannot be written ({exc.strerror or exc})"
            ) from None


def _check_cutoff(cutoff: pd.Timestamp, dates: pd.Series) -> None:
    """Refuse a ``--cutoff`` (a day) without sales both before it (to train on)
    and from it on (to test on), saying which days would do."""
    first, last = dates.min(), dates.max()
    if first < cutoff <= last:
        return
    sales = f"the first sale is on {first:%Y-%m-%d} and the last on {last:%Y-%m-%d}"
    earliest = first.normalize() + pd.Timedelta(days=1)
    if earliest > last:
        need = "an evaluation needs sales on two days or more"
    else:
        need = f"give a cutoff from {earliest:%Y-%m-%d} to {last:%Y-%m-%d}"
    missing = "before it to train on" if cutoff <= first else "from it on to test on"
    raise InputError(
        f"cutoff {cutoff:%Y-%m-%d} leaves no sales {missing}: {sales}; {need}"
    )


def _save_path(save: str, inputs: list[str]) -> Path:
    """``--save``, checked before the evaluation runs: a .csv or .parquet file in
    an existing folder, and not one of the inputs (it would be overwritten by the
    results table)."""
    path = Path(save)
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"{save}: --save takes a .csv or .parquet file")
    if any(path.resolve() == Path(i).resolve() for i in inputs):
        raise InputError(
            f"{save}: --save names an input file, which the results would overwrite"
        )
    if path.is_dir():
        raise InputError(f"{save}: --save is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{save}: there is no folder {folder} to save into")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{save}: cannot write into {folder}")
    return path


class Terminated(BaseException):
    """SIGTERM, raised where the command is, so it stops as an interrupt does
    (a build removes its unfinished folder)."""


def _terminate(signum, frame):
    raise Terminated


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    commands = {"build": _build, "demo-data": _demo, "evaluate": _evaluate}
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        commands[args.command](args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
