"""``python -m analytics build``: raw transactions → artifact bundle, stage by stage.

The bundle is written to a temporary sibling folder and renamed into place, so a failed
build leaves the previous bundle untouched and a reader never sees half a bundle.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from analytics import aggregates
from analytics._build_jobs import BackgroundEvaluation, Stages, batch_allocation
from analytics._bundle_lock import bundle_lock
from analytics.cleaning import clean
from analytics.clustering import segment_customers
from analytics.contract import MANIFEST, SCHEMA_VERSION, TABLES
from analytics.errors import InputError
from analytics.evaluation import DEFAULT_TEST_DAYS, bundle_cutoff
from analytics.ingest import load_transactions
from analytics.recommend import (
    build_recommendation_tables,
    recommendation_parameters,
    similar_products,
)
from analytics.regions import region_of, unmapped_countries
from analytics.segmentation import rfm_table, segment_profiles

LIBRARIES = ["pandas", "numpy", "pyarrow", "scikit-learn", "scipy"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)


def _check_out(out: Path, inputs: list[Path]) -> None:
    """Refuse an ``--out`` that is not a bundle, or cannot be written, before any
    work: replacing it would delete whatever is there (a folder of the user's
    files, an input file), and a build that cannot be written would only say so at
    its end."""
    where = out.resolve()
    for path in inputs:
        if where in path.resolve().parents:
            raise InputError(
                f"{path}: an input file inside --out {out}, which the new bundle "
                "replaces (the file would be deleted); move it out, or give "
                "another --out"
            )
    ancestor = where.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(f"{out}: cannot make the bundle folder: {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(f"{out}: cannot write there ({ancestor} is not writable)")
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError(
            f"{out}: --out is an existing file; give a folder for the bundle"
        )
    if not (out / MANIFEST).exists() and any(out.iterdir()):
        raise InputError(
            f"{out}: --out is a folder that holds files but no bundle ({MANIFEST}); "
            "give a new or empty folder, or a bundle to replace"
        )
    if (out / MANIFEST).exists():
        _check_bundle_folder(out)


def _check_bundle_folder(out: Path) -> None:
    """Refuse to replace a folder that holds a ``manifest.json`` but is not only a
    bundle: a web app's manifest, or a bundle beside the user's own notes, would
    be deleted with it."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "schema_version" not in manifest:
        raise InputError(
            f"{out}: --out holds a {MANIFEST} that is not a bundle's; give a new or "
            "empty folder, or a bundle to replace"
        )
    others = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in out.iterdir()
        if p.is_dir() or p.suffix not in (".parquet", ".json")
    )
    if others:
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        raise InputError(
            f"{out}: --out holds files that are not the bundle's ({shown}), which "
            "replacing it would delete; move them out, or give another --out"
        )


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux's ``renameat2`` with
    ``RENAME_EXCHANGE``): a reader finds one or the other, never neither. False
    where the system cannot (then nothing was changed)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p] * 2 + [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    paths = os.fsencode(a), os.fsencode(b)
    if renameat2(_AT_FDCWD, paths[0], _AT_FDCWD, paths[1], _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace_folder(tmp: Path, out: Path) -> None:
    """Swap ``tmp`` into ``out`` in one step (``tmp`` then holds the old bundle,
    removed after). Where the system cannot swap, two renames; the old bundle is
    removed only after the second, and a build stopped between them leaves it as
    ``.<out>.old-<pid>``, which the next build puts back (:func:`_tidy_siblings`).
    """
    if out.exists() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _tidy_siblings(out: Path, log) -> None:
    """What builds of ``out`` killed before they could clean up left beside it:
    an old bundle moved aside (put back when ``out`` is gone: it was being
    served) and unfinished temporary folders (removed). Only those of processes
    that no longer run: a build running at the same time keeps its own."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-(\d+)(-.*)?$")
    try:
        siblings = sorted(out.parent.iterdir()) if out.parent.is_dir() else []
    except OSError:
        return
    for path in siblings:
        match = pattern.match(path.name)
        if not match or not path.is_dir() or _alive(int(match.group(2))):
            continue
        if match.group(1) == "old" and not out.exists():
            path.rename(out)
            log(f"put back the bundle a stopped build had moved aside: {out}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def _analyse(lines: pd.DataFrame, as_of: pd.Timestamp, k: int, seed: int, stages):
    invoices = stages.run("invoices", aggregates.invoices_table, lines)

    def sales_tables():
        products = aggregates.products_table(lines)
        return {
            "invoices": invoices,
            "daily_country": aggregates.daily_country_table(invoices),
            "product_daily": aggregates.product_daily_table(lines),
            "products": products,
            "customer_products": aggregates.customer_products_table(lines),
            "countries": aggregates.countries_table(invoices),
            "pareto": aggregates.pareto_table(invoices, products),
        }

    tables = stages.run("aggregates", sales_tables)
    rfm = stages.run("rfm", rfm_table, invoices, as_of)
    result = stages.run("segmentation", segment_customers, rfm, k, seed)
    customers = result.customers
    customers["region"] = region_of(customers["country"])
    customers["units"] = (
        invoices.groupby("customer_id")["units"]
        .sum()
        .reindex(customers["customer_id"])
        .to_numpy()
    )
    extra = ["cluster", "first_purchase", "last_purchase", "units"]
    tables["customers"] = customers[TABLES["customers"] + extra]
    tables["kmeans_scan"] = result.kmeans_scan
    tables["model_comparison"] = result.model_comparison
    tables["segment_profiles"] = segment_profiles(customers)
    segmentation = {
        "chosen_model": result.chosen_model,
        "reason": result.reason,
        "k": k,
        "pca_explained_variance": result.model.explained_variance_ratio,
        "segment_sizes": customers["segment"].value_counts().to_dict(),
    }
    return tables, result.model, segmentation


def build_bundle(inputs, out, until=None, k: int = 4, seed: int = 0, log=print) -> dict:
    """Build the bundle from raw transaction files; return its manifest.

    Parameters
    ----------
    inputs : list of path
        CSV / CSV.GZ / XLSX / Parquet files in the UCI Online Retail schema.
    out : path
        Bundle folder; replaced atomically on success, untouched on failure.
    until : str or Timestamp, optional
        Build as if today were this date: earlier transactions only, recency from it.
    k : int
        Number of clusters of the segment model (four business segments).
    seed : int
        Seed for every random step.

    Raises
    ------
    InputError
        Bad input or ``out``, or another build is writing ``out`` (one build at
        a time per bundle: :func:`~analytics._bundle_lock.bundle_lock`).
    """
    out = Path(out)
    if out.is_symlink():
        # A link to the bundle a dashboard serves: that bundle is replaced and
        # the link kept (replacing the link left the served bundle as it was).
        out = out.resolve()
    paths = [Path(p) for p in inputs]
    _check_out(out, paths)
    with bundle_lock(out, log=log), batch_allocation():
        return _build(out, paths, until, k, seed, log)


def _build(out: Path, paths: list[Path], until, k: int, seed: int, log) -> dict:
    _tidy_siblings(out, log)
    started = time.perf_counter()
    stages = Stages(log)
    until_ts = pd.Timestamp(until) if until is not None else None
    frame, input_info, overlap = stages.run("read", load_transactions, paths)
    lines, report = stages.run("clean", clean, frame, overlap, until_ts)
    as_of = (
        until_ts
        if until_ts is not None
        else (lines["invoice_date"].max().normalize() + pd.Timedelta(days=1))
    )
    log(
        f"  {report['rows_in']:,} rows in, {report['rows_out']:,} kept; "
        f"{report['customers']:,} customers, {report['products']:,} products"
    )
    last_sale = lines["invoice_date"].max().normalize()
    silence = None if until_ts is None else (until_ts.normalize() - last_sale).days
    if silence is not None and silence > 31:
        # Allowed (as if today were that day), but every recency and "N days ago"
        # then counts the silence: say so, in case the date was a slip.
        log(
            f"  note: --until {until_ts:%Y-%m-%d} is {silence:,} days after the last "
            f"sale ({last_sale:%Y-%m-%d}); recency counts from it"
        )
    # The worker cleans the raw rows again as of its test cutoff (no return made
    # after it may shape training); this process no longer needs them.
    evaluation_job = BackgroundEvaluation(lines, as_of, log, frame, overlap)
    del frame
    with threadpool_limits(limits=1 if evaluation_job.forked else None):
        tables, model, segmentation = _analyse(lines, as_of, k, seed, stages)
        tables.update(
            stages.run(
                "recommendations",
                build_recommendation_tables,
                lines,
                tables["customers"],
                as_of,
                seed,
                with_similar=False,  # see below
            )
        )
        # Here if the worker has not begun them (it is still evaluating).
        similar_here = evaluation_job.claim_similar()
        if similar_here:
            tables["similar_products"] = stages.run(
                "similar products", similar_products, lines, as_of
            )
    evaluation = stages.run("evaluation (wait)", evaluation_job.result)
    if not similar_here:
        tables["similar_products"] = evaluation_job.similar
    stages.seconds["evaluation (worker)"] = evaluation_job.seconds
    stages.peak_rss_mb["evaluation (worker)"] = evaluation_job.peak_rss_mb
    if evaluation is not None:
        tables["evaluation"] = evaluation
        tables["evaluation_intervals"] = evaluation_job.intervals
    else:
        log(
            "  note: no recommender evaluation in this bundle: no customer bought "
            f"both before {bundle_cutoff(lines):%Y-%m-%d} and after it (its test is "
            f"the last {DEFAULT_TEST_DAYS} days)"
        )

    for info in input_info:
        info["sha256"] = sha256_of(Path(info["path"]))
    parameters = {
        "until": None if until_ts is None else until_ts.isoformat(),
        "k": k,
        "seed": seed,
    }
    fingerprint = json.dumps(
        {
            "schema": SCHEMA_VERSION,
            "inputs": [i["sha256"] for i in input_info],
            "parameters": parameters,
        },
        sort_keys=True,
    )
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "bundle_version": hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": as_of.date().isoformat(),
        "inputs": input_info,
        "parameters": parameters,
        "libraries": {name: metadata.version(name) for name in LIBRARIES},
        "python": sys.version.split()[0],
        "cleaning": report,
        "unmapped_countries": unmapped_countries(tables["countries"]["country"]),
        "segmentation": segmentation,
        "recommendations": {
            **recommendation_parameters(),
            "evaluation": None
            if evaluation is None
            else {
                "cutoff": str(evaluation["cutoff"].iloc[0]),
                "test_end": str(evaluation["test_end"].iloc[0]),
            },
        },
        "tables": sorted(tables),
    }

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent)
        )
    except OSError as exc:  # checked at the start, but the disk may have changed
        raise InputError(
            f"{out}: the bundle cannot be written there ({exc.strerror or exc})"
        ) from None
    # mkdtemp makes the folder private (0700); a bundle is read by the dashboard,
    # which may run as another user: the permissions any new folder would get.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    try:

        def write():
            _write_tables(tables, tmp)
            model.save(tmp)

        stages.run("write", write)
        manifest["stages"] = stages.seconds
        manifest["stage_peak_rss_mb"] = stages.peak_rss_mb
        manifest["seconds_total"] = round(time.perf_counter() - started, 3)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str))
        _replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"bundle written to {out} in {manifest['seconds_total']:.2f} s")
    return manifest


def ensure_demo_bundle(
    bundle_dir, rows: int = 200_000, seed: int = 0, log=print
) -> Path:
    """Build the synthetic demo bundle if ``bundle_dir`` holds no manifest yet."""
    from analytics.synthetic import write_demo_data

    bundle_dir = Path(bundle_dir)
    if (bundle_dir / MANIFEST).exists():
        return bundle_dir
    # Two dashboards started at once on a fresh machine: the second waits for the
    # first's bundle instead of building (and writing the demo input) beside it.
    with bundle_lock(bundle_dir, wait=True, log=log):
        if (bundle_dir / MANIFEST).exists():
            return bundle_dir
        log(f"No bundle at {bundle_dir}: building one from {rows:,} synthetic rows …")
        source = bundle_dir.parent / f"demo_transactions_{rows}_{seed}.parquet"
        if not source.exists():
            write_demo_data(rows, seed, source)
        build_bundle([source], bundle_dir, seed=seed, log=log)
    return bundle_dir
