"""The bundle build: contract tables, manifest, atomic replacement, CLI errors."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, small_shop, write_csv

from analytics.build import build_bundle
from analytics.cli import main
from analytics.contract import MANIFEST, SEGMENT_MODEL, TABLES
from analytics.errors import InputError


@pytest.fixture(scope="module")
def shop_csv(tmp_path_factory):
    return write_csv(small_shop(120), tmp_path_factory.mktemp("raw") / "shop.csv")


@pytest.fixture(scope="module")
def bundle(shop_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundles") / "bundle"
    build_bundle([shop_csv], out, log=lambda *_: None)
    return out


def test_bundle_holds_every_contract_table(bundle):
    manifest = json.loads((bundle / MANIFEST).read_text())
    for name, columns in TABLES.items():
        path = bundle / f"{name}.parquet"
        evaluated = manifest["recommendations"]["evaluation"] is not None
        if name.startswith("evaluation") and not evaluated:
            continue  # too little history for a time split: said in the manifest
        table = pd.read_parquet(path)
        assert set(columns) <= set(table.columns), name
        assert len(table) > 0, name
    assert (bundle / SEGMENT_MODEL).exists()


def test_a_bundle_without_an_evaluation_says_why(shop_csv, tmp_path):
    # Six weeks of sales: nothing before the evaluation's cutoff, 90 days back.
    said = []
    build_bundle([shop_csv], tmp_path / "b", until="2011-01-15", log=said.append)
    manifest = json.loads((tmp_path / "b" / MANIFEST).read_text())
    assert manifest["recommendations"]["evaluation"] is None
    assert not (tmp_path / "b" / "evaluation.parquet").exists()
    assert any("no recommender evaluation in this bundle" in line for line in said)


def test_customers_contract(bundle):
    customers = pd.read_parquet(bundle / "customers.parquet")
    assert list(customers.columns[:10]) == TABLES["customers"]
    assert customers["customer_id"].is_unique
    assert customers["customer_id"].dtype == "int64"
    assert set(customers["segment"]) <= {
        "High-Value",
        "Regular",
        "Occasional",
        "At-Risk",
    }


def test_manifest(bundle, shop_csv):
    manifest = json.loads((bundle / MANIFEST).read_text())
    assert manifest["schema_version"] == 1
    assert manifest["inputs"][0]["path"] == str(shop_csv)
    assert len(manifest["inputs"][0]["sha256"]) == 64
    assert manifest["inputs"][0]["rows"] == len(small_shop(120))
    cleaning = manifest["cleaning"]
    assert cleaning["rows_in"] == len(small_shop(120))
    assert cleaning["rows_out"] == cleaning["rows_in"] - sum(
        cleaning["removed"].values()
    )
    assert {"read", "clean", "segmentation", "write"} <= set(manifest["stages"])
    assert manifest["segmentation"]["chosen_model"] in {
        "KMeans",
        "DBSCAN",
        "Agglomerative",
    }
    assert "scikit-learn" in manifest["libraries"]


def test_same_input_same_bundle_version(shop_csv, bundle, tmp_path):
    again = build_bundle([shop_csv], tmp_path / "b", log=lambda *_: None)
    first = json.loads((bundle / MANIFEST).read_text())
    assert again["bundle_version"] == first["bundle_version"]
    a = pd.read_parquet(bundle / "customers.parquet")
    b = pd.read_parquet(tmp_path / "b" / "customers.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_until_measures_recency_from_that_date(shop_csv, tmp_path):
    manifest = build_bundle(
        [shop_csv], tmp_path / "b", until="2011-06-01", log=lambda *_: None
    )
    assert manifest["as_of"] == "2011-06-01"
    invoices = pd.read_parquet(tmp_path / "b" / "invoices.parquet")
    assert invoices["invoice_date"].max() < pd.Timestamp("2011-06-01")
    customers = pd.read_parquet(tmp_path / "b" / "customers.parquet")
    last = customers["last_purchase"]
    expected = ((pd.Timestamp("2011-06-01") - last) / pd.Timedelta(days=1)).astype(int)
    assert (customers["recency_days"] == expected).all()


def test_until_long_after_the_last_sale_still_recommends(shop_csv, tmp_path):
    # Nothing sold in the 180 days EASE learns from: no co-purchase weights to
    # learn, yet a full bundle with five recommendations for every customer.
    last = pd.to_datetime(pd.read_csv(shop_csv)["InvoiceDate"]).max()
    until = (last + pd.Timedelta(days=400)).date().isoformat()
    said = []
    build_bundle([shop_csv], tmp_path / "b", until=until, log=said.append)
    # Allowed, and said: every recency counts the silence.
    assert any(
        f"--until {until} is 400 days after the last sale ({last:%Y-%m-%d})" in line
        for line in said
    )
    recs = pd.read_parquet(tmp_path / "b" / "recommendations.parquet")
    customers = pd.read_parquet(tmp_path / "b" / "customers.parquet")
    assert set(recs["customer_id"]) == set(customers["customer_id"])
    assert (recs.groupby("customer_id").size() == 5).all()
    # Nothing was sold lately: the popularity reasons count the two weeks before
    # the last sale, and say so.
    discover = pd.read_parquet(tmp_path / "b" / "discover_recommendations.parquet")
    reasons = pd.concat([recs, discover])["reason"]
    assert not reasons.str.contains("last 2 weeks").any()
    window = reasons[reasons.str.contains(r"bought this in|started buying this")]
    assert len(window) > 0
    assert window.str.endswith(f"in the 2 weeks before {last.day} {last:%b %Y}").all()


def test_blank_countries_build_as_unspecified(tmp_path):
    raw = small_shop(40)
    blank = raw["CustomerID"].isin([12001, 12002])
    raw.loc[blank, "Country"] = None
    manifest = build_bundle(
        [write_csv(raw, tmp_path / "shop.csv")], tmp_path / "b", log=lambda *_: None
    )
    assert manifest["cleaning"]["filled"]["blank_country"] == int(blank.sum())
    customers = pd.read_parquet(tmp_path / "b" / "customers.parquet")
    unknown = customers[customers["customer_id"].isin([12001, 12002])]
    assert (unknown["country"] == "Unspecified").all() and len(unknown) == 2
    assert (unknown["region"] == "Unspecified").all()
    recommendations = pd.read_parquet(tmp_path / "b" / "recommendations.parquet")
    assert {12001, 12002} <= set(recommendations["customer_id"])


@pytest.mark.parametrize("products", [1, 2, 4])
def test_a_catalogue_smaller_than_the_lists_builds_honest_lists(products, tmp_path):
    raw = small_shop(120)
    raw = raw[raw["StockCode"].isin(sorted(raw["StockCode"].unique())[:products])]
    build_bundle(
        [write_csv(raw, tmp_path / "s.csv")], tmp_path / "b", log=lambda *_: None
    )
    folder = tmp_path / "b"
    # Every customer owns a product, so at most products - 1 are new to them.
    for name, longest in (
        ("recommendations", min(products, 5)),
        ("discover_recommendations", min(products - 1, 5)),
    ):
        lists = pd.read_parquet(folder / f"{name}.parquet")
        assert not lists.duplicated(["customer_id", "stock_code"]).any()
        sizes = lists.groupby("customer_id").size()
        assert (sizes.max() if len(sizes) else 0) == longest
        assert lists["score"].map(np.isfinite).all()
    # The discover list never offers a customer's own product, even when the
    # catalogue runs out of others.
    discover = pd.read_parquet(folder / "discover_recommendations.parquet")
    bought = pd.read_parquet(folder / "customer_products.parquet")
    own = discover.merge(bought, on=["customer_id", "stock_code"])
    assert own.empty
    evaluation = pd.read_parquet(folder / "evaluation.parquet")
    tested = evaluation["customers"] > 0
    metrics = evaluation.loc[tested, ["precision_at_5", "recall_at_5", "hit_rate_at_5"]]
    assert len(metrics) and metrics.apply(lambda m: m.between(0, 1)).all().all()
    intervals = pd.read_parquet(folder / "evaluation_intervals.parquet")
    # One product: nobody can buy a product new to them, so that task has no
    # test customer and no interval.
    tasks = {"all items"} if products == 1 else {"all items", "new items"}
    assert set(intervals["task"]) == tasks


def test_out_that_is_not_a_bundle_is_refused_and_left_alone(shop_csv, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "important.txt").write_text("keep me")
    with pytest.raises(InputError, match="holds files but no bundle"):
        build_bundle([shop_csv], folder, log=lambda *_: None)
    assert [p.name for p in folder.iterdir()] == ["important.txt"]
    file = tmp_path / "out.txt"
    file.write_text("keep me too")
    with pytest.raises(InputError, match="--out is an existing file"):
        build_bundle([shop_csv], file, log=lambda *_: None)
    assert file.read_text() == "keep me too"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "out.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    build_bundle([shop_csv], empty, log=lambda *_: None)
    assert (empty / MANIFEST).exists()
    # Readable like any new folder (mkdtemp alone would make it private).
    umask = os.umask(0)
    os.umask(umask)
    assert empty.stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_bundle_beside_other_files_or_a_foreign_manifest_is_not_replaced(
    shop_csv, tmp_path
):
    quiet = {"log": lambda *_: None}
    # A web app's folder: a manifest.json that is not a bundle's.
    site = tmp_path / "site"
    site.mkdir()
    (site / "manifest.json").write_text('{"name": "my webapp"}')
    (site / "index.html").write_text("<html></html>")
    with pytest.raises(InputError, match="not a bundle's"):
        build_bundle([shop_csv], site, **quiet)
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "manifest.json"]
    # A bundle with the user's notes put beside it.
    out = tmp_path / "bundle"
    build_bundle([shop_csv], out, **quiet)
    (out / "my_notes.txt").write_text("keep me")
    (out / "sub").mkdir()
    with pytest.raises(InputError, match=r"not the bundle's \(my_notes.txt, sub/\)"):
        build_bundle([shop_csv], out, **quiet)
    assert (out / "my_notes.txt").read_text() == "keep me"
    # The bundle alone is replaced as before.
    (out / "my_notes.txt").unlink()
    (out / "sub").rmdir()
    build_bundle([shop_csv], out, **quiet)


def test_a_linked_out_replaces_the_bundle_it_points_to(shop_csv, tmp_path):
    quiet = {"log": lambda *_: None}
    real = tmp_path / "real"
    build_bundle([shop_csv], real, until="2011-06-01", **quiet)
    link = tmp_path / "link"
    link.symlink_to(real)
    build_bundle([shop_csv], link, **quiet)
    assert link.is_symlink() and link.resolve() == real.resolve()
    manifest = json.loads((real / MANIFEST).read_text())
    assert manifest["parameters"]["until"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_out_that_cannot_be_written_is_refused_before_any_work(shop_csv, tmp_path):
    quiet = {"log": lambda *_: None}
    # Inside a bundle being replaced, an input file would be deleted with it.
    out = tmp_path / "bundle"
    build_bundle([shop_csv], out, **quiet)
    mine = out / "mydata.csv"
    mine.write_bytes(shop_csv.read_bytes())
    with pytest.raises(InputError, match="an input file inside --out"):
        build_bundle([mine], out, **quiet)
    assert mine.exists()
    # Under a file: said at once (it was a traceback after the whole build).
    file = tmp_path / "afile"
    file.write_text("x")
    with pytest.raises(InputError, match="afile is a file"):
        build_bundle([shop_csv], file / "sub" / "bundle", **quiet)


def test_out_in_a_read_only_folder_is_refused_before_any_work(shop_csv, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere
            pytest.skip("this user can write into a read-only folder")
        with pytest.raises(InputError, match="is not writable"):
            build_bundle([shop_csv], locked / "bundle", log=lambda *_: None)
    finally:
        locked.chmod(0o700)


def test_failed_build_leaves_previous_bundle_untouched(shop_csv, tmp_path):
    out = tmp_path / "bundle"
    build_bundle([shop_csv], out, log=lambda *_: None)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text("InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(InputError):
        build_bundle([bad], out, log=lambda *_: None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "bundle"]


def test_cli_bad_input_exits_2_with_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("InvoiceNo,StockCode\n1,2\n")
    code = main(["build", "--input", str(bad), "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "missing column(s)" in err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "save, message",
    [
        ("INPUT", "names an input file"),
        ("out.txt", "takes a .csv or .parquet file"),
        ("nodir/out.csv", "there is no folder"),
        ("adir.csv", "is a folder"),
    ],
)
def test_evaluate_save_is_checked_before_the_evaluation(
    shop_csv, tmp_path, capsys, save, message
):
    # --save naming the input replaced the transactions with the results table.
    data = tmp_path / "shop.csv"
    data.write_bytes(shop_csv.read_bytes())
    (tmp_path / "adir.csv").mkdir()
    target = data if save == "INPUT" else tmp_path / save
    code = main(
        ["evaluate", "--input", str(data), "--cutoff", "2011-03-01"]
        + ["--bootstrap", "0", "--save", str(target)]
    )
    captured = capsys.readouterr()
    assert code == 2 and message in captured.err
    assert captured.out == ""  # before any work
    assert data.read_bytes() == shop_csv.read_bytes()


def test_cli_as_a_process_has_no_traceback(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "build",
            "--input",
            str(empty),
            "--out",
            str(tmp_path / "b"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "empty.csv: the file is empty" in run.stderr


def test_cli_process_that_succeeds_delivers_all_output_and_files(shop_csv, tmp_path):
    # It leaves with os._exit (no interpreter teardown): its piped output must be
    # flushed first (block-buffered into a pipe), and the bundle complete.
    out = tmp_path / "b"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    run = subprocess.run(
        [sys.executable, "-m", "analytics", "build", "--input", str(shop_csv)]
        + ["--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().splitlines()[-1].startswith(f"bundle written to {out}")
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["tables"]) >= set(TABLES)
    assert all((out / f"{name}.parquet").stat().st_size > 0 for name in TABLES)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--until", "someday", "'someday' is not a date"),
        ("--until", "", "'' is not a date"),  # pandas reads "" and "NaT" as no date
        ("--until", "NaT", "'NaT' is not a date"),
        ("--until", "2011-06-01T00:00+05:00", "has a time zone"),
        ("--until", "9999-01-01", "outside the supported years (1678–2261)"),
        ("--until", "2101-01-01", "'2101-01-01' is after tomorrow"),
        ("--until", "05/01/2011", "'05/01/2011' is not a date (expected YYYY-MM-DD)"),
        ("--until", "1 May 2011", "is not a date (expected YYYY-MM-DD)"),
        ("--k", "1", "'1' must be 2 or more"),
        ("--seed", "-1", "'-1' must be from 0 to 4,294,967,295"),
        ("--seed", str(2**32), "must be from 0 to 4,294,967,295"),
    ],
)
def test_cli_rejects_bad_options(option, value, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--input", "x.csv", "--out", "b", option, value])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def _synthetic_lines(rows: int = 20_000):
    """Raw synthetic rows, their cleaned lines, and the day after the last sale."""
    from analytics.cleaning import clean
    from analytics.ingest import normalise
    from analytics.synthetic import generate_transactions

    raw = normalise(generate_transactions(rows, seed=2), "synthetic", 2)
    lines, _ = clean(raw)
    return raw, lines, lines["invoice_date"].max().normalize() + pd.Timedelta(days=1)


def test_evaluation_and_similar_products_in_the_worker_equal_in_process():
    from threadpoolctl import threadpool_limits

    from analytics._build_jobs import BackgroundEvaluation
    from analytics.evaluation import bundle_cutoff, evaluate_for_bundle, lines_at_cutoff
    from analytics.metrics import lead_intervals
    from analytics.recommend import similar_products

    raw, lines, as_of = _synthetic_lines()
    job = BackgroundEvaluation(lines, as_of, lambda *_: None, raw, 0)
    assert job.forked
    background = job.result()
    pd.testing.assert_frame_equal(job.similar, similar_products(lines, as_of))
    # The worker runs with one BLAS thread; so does the reference (float sums in
    # another order can swap near-equal scores).
    hits: dict = {}
    with threadpool_limits(limits=1):
        seen = lines_at_cutoff(raw, 0, bundle_cutoff(lines), lines)
        direct = evaluate_for_bundle(seen, hits=hits)
    assert background is not None and job.seconds > 0
    columns = [c for c in direct.columns if c != "seconds"]
    pd.testing.assert_frame_equal(background[columns], direct[columns])
    pd.testing.assert_frame_equal(job.intervals, lead_intervals(direct, hits))


@pytest.mark.parametrize("fork", [True, False])
def test_the_similar_products_go_to_one_process_only(fork, monkeypatch):
    # Whichever process is free first computes them; the other does not. Asked
    # at once (as a build whose lists are quick does), the worker is still
    # evaluating, or done and at them: either way exactly one has them.
    import multiprocessing

    from analytics._build_jobs import BackgroundEvaluation

    if not fork:  # as where fork is unavailable: all in this process, on demand
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: [])
    raw, lines, as_of = _synthetic_lines(5_000)
    job = BackgroundEvaluation(lines, as_of, lambda *_: None, raw, 0)
    assert job.forked == fork
    mine = job.claim_similar()
    assert job.claim_similar() == mine  # asking again changes nothing
    job.result()
    assert (job.similar is None) == mine
    if not fork:
        assert mine  # nothing ran before the result was asked for
    else:
        assert job.similar is None or len(job.similar) > 0


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _processes_naming(marker: str) -> list[int]:
    """PIDs of live processes whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                if _alive(int(entry.name)):
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_until(done, seconds: float = 20) -> None:
    """Poll ``done()`` until it holds or ``seconds`` pass (a liveness bound, not a
    speed goal)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_build_leaves_numpy_huge_pages_as_it_found_them():
    from analytics._build_jobs import _set_madvise_hugepage, batch_allocation

    before = _set_madvise_hugepage(True)
    if before is None:
        pytest.skip("this NumPy cannot say whether it asks for huge pages")
    try:
        with batch_allocation():
            assert _set_madvise_hugepage(False) is False  # off while building
        assert _set_madvise_hugepage(True) is True  # and back on after
        with pytest.raises(RuntimeError), batch_allocation():
            raise RuntimeError("a build that fails")
        assert _set_madvise_hugepage(True) is True
    finally:
        _set_madvise_hugepage(before)


_IDLE_WORKER = """
import os
from analytics._build_jobs import worker_pool
pool = worker_pool()
pool.submit(int).result()  # started, and idle: waiting for a task
print(*pool._processes, flush=True)
os._exit(0)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux")
def test_the_build_worker_ends_with_the_build_even_while_idle():
    # A build stopped before the worker got its task left it waiting for ever.
    run = subprocess.run(
        [sys.executable, "-c", _IDLE_WORKER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    worker = int(run.stdout)
    _wait_until(lambda: not _alive(worker))
    alive = _alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_terminated_build_stops_cleanly_and_takes_its_worker_with_it(tmp_path):
    # SIGTERM killed the build and left its forked worker waiting for ever (about
    # 300 MB) to hand over a result no one would read.
    from analytics.synthetic import write_demo_data

    data = tmp_path / "terminated_shop.parquet"
    write_demo_data(60_000, 0, data)
    out = tmp_path / "b"
    build = subprocess.Popen(
        [sys.executable, "-m", "analytics", "build", "--input", str(data)]
        + ["--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        for line in build.stdout:
            if "started in a worker process" in line:
                break
        assert len(_processes_naming(str(data))) == 2  # the build and its worker
        build.send_signal(signal.SIGTERM)
        _, err = build.communicate(timeout=60)
    finally:
        build.kill()
    assert build.returncode == 128 + signal.SIGTERM
    assert err.strip().splitlines()[-1] == "terminated" and "Traceback" not in err
    _wait_until(lambda: not _processes_naming(str(data)))
    assert _processes_naming(str(data)) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terminated_shop.parquet"]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux")
def test_a_csv_pyarrow_cannot_read_ends_the_process(tmp_path):
    # After the error line the process could hang for ever: pyarrow's thread pool,
    # shutting down at exit, waited on the failed read's transcoding. On one core
    # it did about one run in two.
    rows = [  # Latin-1 (transcoded as it is read), ragged from its fifth row
        f"{536365 + i},2272{i % 10},CAFÉ CRÈME MUG £,{i % 7 + 1},"
        f"2010-12-01 08:{i % 60:02d}:00,2.55,{17850 + i % 40},United Kingdom"
        + (",extra" * (i % 3) if i >= 4 else "")
        for i in range(3000)
    ]
    bad = tmp_path / "ragged.csv"
    header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice"
    text = header + ",CustomerID,Country\n" + "\n".join(rows) + "\n"
    bad.write_bytes(text.encode("latin-1"))
    for _ in range(4):
        run = subprocess.run(
            [sys.executable, "-m", "analytics", "build", "--input", str(bad)]
            + ["--out", str(tmp_path / "b")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,  # a liveness bound, not a speed goal
            preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}),
            check=False,
        )
        assert run.returncode == 2 and "not a readable CSV table" in run.stderr


def test_demo_data_rows_are_bounded(capsys):
    # 10³⁰ rows ended in an OverflowError traceback inside the generator.
    with pytest.raises(SystemExit) as exit_info:
        main(["demo-data", "--rows", str(10**30), "--out", "x.csv"])
    assert exit_info.value.code == 2
    assert "must be from 1 to 100,000,000" in capsys.readouterr().err


def _folder(path: Path, text: str) -> Path:
    path.mkdir()
    (path / MANIFEST).write_text(text)
    return path


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_new_bundle_is_swapped_in_in_one_step(tmp_path, monkeypatch):
    from analytics import build

    out = _folder(tmp_path / "bundle", "old")
    tmp = _folder(tmp_path / ".bundle.tmp-1-x", "new")

    def no_rename(self, target):  # two renames would leave a moment without one
        raise AssertionError(f"renamed {self} -> {target}")

    monkeypatch.setattr(Path, "rename", no_rename)
    build._replace_folder(tmp, out)
    assert (out / MANIFEST).read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_without_an_atomic_swap_two_renames_still_replace_it(tmp_path, monkeypatch):
    from analytics import build

    monkeypatch.setattr(build, "_exchange", lambda a, b: False)
    out = _folder(tmp_path / "bundle", "old")
    build._replace_folder(_folder(tmp_path / ".bundle.tmp-1-x", "new"), out)
    assert (out / MANIFEST).read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_what_killed_builds_left_is_tidied_and_a_moved_bundle_put_back(tmp_path):
    from analytics.build import _tidy_siblings

    dead = _dead_pid()
    moved = _folder(tmp_path / f".bundle.old-{dead}", "served")
    stale = _folder(tmp_path / f".bundle.tmp-{dead}-abc", "half")
    running = _folder(tmp_path / f".bundle.tmp-{os.getpid()}-def", "writing")
    other = _folder(tmp_path / f".other.tmp-{dead}-ghi", "not ours")
    said = []
    _tidy_siblings(tmp_path / "bundle", said.append)
    assert (tmp_path / "bundle" / MANIFEST).read_text() == "served"
    assert not moved.exists() and not stale.exists()
    assert running.exists() and other.exists()
    assert said and "put back" in said[0]
    # With a bundle in place, an old one moved aside is only removed.
    again = _folder(tmp_path / f".bundle.old-{dead}", "older")
    _tidy_siblings(tmp_path / "bundle", said.append)
    assert not again.exists()
    assert (tmp_path / "bundle" / MANIFEST).read_text() == "served"


# ---- QA pass: options checked before reading, honest messages


@pytest.mark.parametrize(
    "option, value, message",
    [
        # x.csv does not exist: a message about it would mean the input was read.
        ("--k", "11", "'11' must be 2 or more (one cluster is not a segmentation) and"),
        ("--until", "2011-06-01 12:00", "'2011-06-01 12:00' has a time of day; give"),
        ("--until", "2011-06-01T09:30", "the day alone (YYYY-MM-DD), which counts"),
    ],
)
def test_cli_checks_option_ranges_before_reading_the_input(
    option, value, message, capsys
):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--input", "x.csv", "--out", "b", option, value])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_takes_midnight_as_the_day(shop_csv, tmp_path):
    # The manifest's as_of is a day; a time of day was used and not said.
    out = tmp_path / "b"
    code = main(
        ["build", "--input", str(shop_csv), "--out", str(out)]
        + ["--until", "2011-06-01T00:00"]
    )
    assert code == 0
    assert json.loads((out / MANIFEST).read_text())["as_of"] == "2011-06-01"


def test_evaluate_refuses_a_cutoff_with_a_time_of_day(shop_csv, capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--input", str(shop_csv), "--cutoff", "2011-03-01 12:00"])
    assert "argument --cutoff: '2011-03-01 12:00' has a time of day" in (
        capsys.readouterr().err
    )


def test_repeated_input_options_read_every_file(tmp_path, capsys):
    # The last --input alone was read: the others were dropped without a word.
    from analytics.cli import _parser

    args = ["build", "--input", "a.csv", "--input", "b.csv", "c.csv", "--out", "o"]
    assert _parser().parse_args(args).input == ["a.csv", "b.csv", "c.csv"]
    shop = write_csv(small_shop(10), tmp_path / "shop.csv")
    out = str(tmp_path / "b")
    code = main(["build", "--input", str(shop), "--input", str(shop), "--out", out])
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"error: {shop}: given twice as input; give each file once\n"


def _sale_days(path: Path) -> dict[str, str]:
    """First and last sale days of a CSV, the days around them, and a day before
    any sale."""
    dates = pd.to_datetime(pd.read_csv(path)["InvoiceDate"])
    first, last = dates.min().normalize(), dates.max().normalize()
    day = pd.Timedelta(days=1)
    days = {"first": first, "last": last, "after first": first + day}
    days |= {"after last": last + day, "long before": first - 400 * day}
    return {name: f"{value:%Y-%m-%d}" for name, value in days.items()}


@pytest.mark.parametrize(
    "cutoff, missing",
    [
        ("long before", "before it to train on"),
        ("first", "before it to train on"),  # its first sale is after midnight
        ("after last", "from it on to test on"),
    ],
)
def test_evaluate_cutoff_outside_the_data_says_what_would_do(
    shop_csv, capsys, cutoff, missing
):
    # It said "cutoff 2010-12-01 is outside the data (2010-12-01 … 2011-11-24)".
    days = _sale_days(shop_csv)
    code = main(
        ["evaluate", "--input", str(shop_csv), "--cutoff", days[cutoff]]
        + ["--bootstrap", "0"]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: cutoff {days[cutoff]} leaves no sales {missing}: the first sale is "
        f"on {days['first']} and the last on {days['last']}; give a cutoff from "
        f"{days['after first']} to {days['last']}\n"
    )


def test_evaluate_cutoff_in_data_of_one_day_says_two_days_are_needed(tmp_path, capsys):
    shop = small_shop(10)
    shop["InvoiceDate"] = pd.Timestamp("2011-03-01 09:00")
    path = write_csv(shop, tmp_path / "shop.csv")
    code = main(["evaluate", "--input", str(path), "--cutoff", "2011-03-01"])
    assert code == 2
    assert capsys.readouterr().err.endswith(
        "the first sale is on 2011-03-01 and the last on 2011-03-01; an evaluation "
        "needs sales on two days or more\n"
    )


def test_evaluate_explains_its_star(shop_csv, capsys):
    code = main(
        ["evaluate", "--input", str(shop_csv), "--cutoff", "2011-09-01"]
        + ["--bootstrap", "0"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "*" in out
    legend = "* best of the task's methods on that metric (ties all marked)"
    assert legend in out.splitlines()
