"""Build stages with their time and memory, and the build's background worker."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.errors import InputError
from analytics.evaluation import bundle_cutoff, evaluate_for_bundle, lines_at_cutoff
from analytics.metrics import lead_intervals
from analytics.recommend import similar_products


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux: the process's peak so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# glibc's mallopt parameters (<malloc.h>) and its cap on the mmap threshold on
# 64-bit systems (4 MiB × sizeof(long)).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 32 << 20


def _libc_function(name: str):
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt, nor macOS)
        return None


def _set_madvise_hugepage(enabled: bool) -> bool | None:
    """NumPy's choice to back large arrays with transparent huge pages; returns
    the previous one (None where NumPy cannot say)."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        return None
    return bool(_set_madvise_hugepage(enabled))


@contextmanager
def batch_allocation():
    """Memory settings for a build, undone after it as far as they can be (a
    dashboard goes on serving in the process that built its demo bundle).

    A build makes and drops thousands of arrays of megabytes (blocks of scores,
    products × products matrices), and with the allocator's defaults each one
    came from, and went back to, the system: it was mapped afresh and every page
    of it faulted in, zeroed, on first use. NumPy also asks for huge pages for
    large arrays, which the kernel may stop to assemble (compaction) at each
    fault. On Online Retail that was 4.3–4.9 s of system time a build. Here glibc
    serves every allocation up to its cap (32 MiB) from its own heap, and keeps
    what is freed (up to 1 GiB) for the next; NumPy asks for no huge pages. Two
    rounds of 5 builds, interleaved, medians: 13.7 → 13.2 s and 15.1 → 13.1 s as
    a process, system time 4.3 → 2.1 s and 4.9 → 2.2 s; peak RSS unchanged in the
    worker (977 MB), 672 → 782 MB in the main process.
    """
    mallopt = _libc_function("mallopt")
    huge = _set_madvise_hugepage(False)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    try:
        yield
    finally:
        if huge is not None:
            _set_madvise_hugepage(huge)
        if mallopt is not None:
            # glibc's adaptive thresholds, once set, stay fixed: leave them where
            # it takes them itself after large frees (the mmap threshold at its
            # cap, the trim threshold twice that), and hand back what is free.
            mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)
            trim = _libc_function("malloc_trim")
            if trim is not None:
                trim(0)


class Stages:
    """Times each stage, prints its progress, and keeps the figures for the manifest."""

    def __init__(self, log):
        self.log = log
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}

    def run(self, name: str, func, *args, **kwargs):
        self.log(f"[{name}] …")
        start = time.perf_counter()
        result = func(*args, **kwargs)
        elapsed = time.perf_counter() - start
        peak = _peak_rss_mb()
        self.seconds[name] = round(elapsed, 3)
        self.peak_rss_mb[name] = round(peak, 1)
        self.log(f"[{name}] done in {elapsed:.2f} s (peak RSS {peak:.0f} MB)")
        return result


def _evaluate(as_of: pd.Timestamp, inputs: list, claim) -> tuple:
    """The evaluation table and its lead intervals (None without an evaluation),
    the similar-products table (as of ``as_of``; None when the other process
    claimed them first, see :meth:`BackgroundEvaluation.claim_similar`), their
    seconds, and the peak RSS (MB) of this process; with one BLAS thread.

    ``inputs``: ``[lines, frame, overlap_rows]``, the cleaned lines and the raw
    rows they were cleaned from (the evaluation cleans its training side from them
    as of its cutoff). The list is emptied, so that each is freed here as soon as
    it has served: the raw rows once the evaluation has cleaned them.
    """
    start = time.perf_counter()
    lines, frame, overlap_rows = inputs
    inputs.clear()
    with threadpool_limits(limits=1):
        try:
            seen = lines_at_cutoff(frame, overlap_rows, bundle_cutoff(lines), lines)
        except InputError:  # nothing before the cutoff: no evaluation either
            seen = lines
        del frame
        hits: dict = {}
        table = evaluate_for_bundle(seen, hits=hits)
        del seen
        intervals = None if table is None else lead_intervals(table, hits)
        similar = similar_products(lines, as_of) if _first_to(claim, _WORKER) else None
    return (
        table,
        intervals,
        similar,
        round(time.perf_counter() - start, 3),
        round(_peak_rss_mb(), 1),
    )


# Who computes the similar products (see ``BackgroundEvaluation.claim_similar``).
_NOBODY, _WORKER, _MAIN = 0, 1, 2


def _first_to(claim, who: int) -> bool:
    """Claim the task for ``who`` unless the other process has: whether it is
    ``who``'s."""
    with claim.get_lock():
        if claim.value == _NOBODY:
            claim.value = who
        return claim.value == who


# Set only while the worker is forked: the child reads the lines and raw rows from
# the parent's memory instead of having them pickled, and shares the claim.
_EVALUATION_INPUT: tuple | None = None


def _evaluate_forked(as_of: pd.Timestamp):
    global _EVALUATION_INPUT
    (inputs, claim), _EVALUATION_INPUT = _EVALUATION_INPUT, None
    return _evaluate(as_of, inputs, claim)


def _die_with(parent: int) -> None:
    """End this worker when the build process ends, however it ends (SIGTERM, or
    ``os._exit`` after an error): else it waits for ever to hand over a result no
    one reads, holding its memory. Linux's parent-death signal, set as the worker
    starts (before it waits for its task, which a build stopped at once never
    sends); elsewhere nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the signal was set
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def worker_pool() -> ProcessPoolExecutor:
    """One forked worker process that ends with this one (:func:`_die_with`)."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with,
        initargs=(os.getpid(),),
    )


class BackgroundEvaluation:
    """The bundle's recommender evaluation and similar products, run in a forked
    worker process.

    They need only the cleaned lines (and the raw rows ``frame``, from which the
    evaluation cleans its training side as of its cutoff), so they run on the
    second core while this process segments customers and builds the personalised
    lists. Forking shares them copy-on-write instead of pickling them; where fork
    is unavailable it runs in this process when its result is asked for. Either
    way with one BLAS thread, so the table is the same (float sums in another
    order can swap near-equal scores).

    The similar products go to whichever process is free first: the worker
    after the evaluation, or this one after its lists (:meth:`claim_similar`).
    Which one is first depends on the data (on Online Retail the two sides take
    about as long; on the 200,000-row demo data this process used to wait
    2.0–2.5 s for a worker that did both), and the table is the same either way.
    """

    def __init__(
        self,
        lines: pd.DataFrame,
        as_of: pd.Timestamp,
        log,
        frame: pd.DataFrame,
        overlap_rows: int,
    ):
        global _EVALUATION_INPUT
        self.seconds = 0.0
        self.peak_rss_mb = 0.0
        self.similar = None
        self.intervals = None
        inputs = [lines, frame, overlap_rows]
        self._input = inputs
        self._as_of = as_of
        self._future = None
        self.forked = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if self.forked else None)
        self._claim = context.Value("b", _NOBODY)
        if self.forked:
            # The child has them: this process can let go of the raw rows.
            _EVALUATION_INPUT, self._input = (inputs, self._claim), None
            executor = worker_pool()
            try:
                self._future = executor.submit(_evaluate_forked, as_of)
            finally:
                executor.shutdown(wait=False)
                _EVALUATION_INPUT = None
            log(
                "[evaluation, similar products] started in a worker process (the "
                "similar products go to whichever process is free first)"
            )

    def claim_similar(self) -> bool:
        """Whether this process is to compute the similar products: the worker
        has not begun them (it will not), or it runs here."""
        return _first_to(self._claim, _MAIN)

    def result(self) -> pd.DataFrame | None:
        """The evaluation table (``intervals`` holds its lead intervals after, and
        ``similar`` the similar products, unless this process claimed them)."""
        if self._future is not None:
            outcome = self._future.result()
        else:
            inputs, self._input = self._input, None
            outcome = _evaluate(self._as_of, inputs, self._claim)
        table, self.intervals, self.similar, self.seconds, self.peak_rss_mb = outcome
        return table
