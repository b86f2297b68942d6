"""One build at a time per bundle folder (analytics._bundle_lock)."""

import subprocess
import sys
import threading

import pytest
from helpers import ROOT, small_shop, write_csv

from analytics._bundle_lock import bundle_lock, lock_path
from analytics.build import build_bundle
from analytics.contract import MANIFEST
from analytics.errors import InputError

QUIET = {"log": lambda *_: None}

# Holds the lock of the folder in argv[1] until its stdin closes.
HOLDER = """
import sys
from analytics._bundle_lock import bundle_lock
with bundle_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture()
def holder():
    """Start a process holding a folder's lock; yields a function taking the
    folder and returning the process."""
    started = []

    def hold(out):
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(out)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout.readline().strip() == "held"
        return process

    yield hold
    for process in started:
        process.stdin.close()
        process.wait(timeout=30)


def test_a_build_while_another_writes_the_bundle_is_refused_by_name(tmp_path, holder):
    shop = write_csv(small_shop(40), tmp_path / "shop.csv")
    out = tmp_path / "bundle"
    build_bundle([shop], out, **QUIET)
    before = (out / MANIFEST).read_bytes()
    process = holder(out)
    with pytest.raises(InputError) as error:
        build_bundle([shop], out, until="2011-06-01", **QUIET)
    assert str(error.value) == (
        f"{out}: another build (process {process.pid}) is writing this bundle; "
        "run again when it has ended, or give another --out"
    )
    assert (out / MANIFEST).read_bytes() == before
    process.stdin.close()
    process.wait(timeout=30)
    # Once it has ended, the next build goes ahead and leaves no lock file.
    build_bundle([shop], out, until="2011-06-01", **QUIET)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "shop.csv"]


def test_the_lock_of_a_killed_build_is_taken_over(tmp_path):
    out = tmp_path / "bundle"
    # What a killed build leaves: the file, unlocked, with its (longer) PID.
    lock_path(out).write_text("123456789\n")
    with bundle_lock(out):
        assert lock_path(out).read_text().strip().isdigit()
    assert not lock_path(out).exists()


def test_a_link_and_its_folder_share_one_lock(tmp_path, holder):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    holder(real)
    with pytest.raises(InputError, match="is writing this bundle"):
        with bundle_lock(tmp_path / "link"):
            pass


def test_waiting_takes_the_lock_once_its_holder_ends(tmp_path, holder):
    out = tmp_path / "bundle"
    process = holder(out)
    said, entered = [], threading.Event()

    def wait_for_it():
        with bundle_lock(out, wait=True, log=said.append):
            entered.set()

    thread = threading.Thread(target=wait_for_it)
    thread.start()
    assert not entered.wait(0.5)
    process.stdin.close()
    process.wait(timeout=30)
    assert entered.wait(30)
    thread.join(30)
    assert said == [
        f"waiting for another build (process {process.pid}) writing {out} …"
    ]


def test_a_build_inside_a_build_of_the_same_folder_takes_the_lock_once(tmp_path):
    out = tmp_path / "bundle"
    with bundle_lock(out), bundle_lock(out):
        assert lock_path(out).exists()
    assert not lock_path(out).exists()
