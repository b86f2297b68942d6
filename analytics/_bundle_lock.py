"""One build at a time per bundle folder.

Two builds to the same ``--out`` (a scheduled rebuild and one by hand, or two
dashboards started at once on a fresh machine) each wrote their bundle and
swapped it in: both said "bundle written", and the later one silently replaced
the other's. A build now holds an exclusive lock on a small file beside the
bundle (``.<name>.lock``) for as long as it runs, and removes the file as it
ends; were it killed, the system releases the lock, and the file it leaves is
taken over by the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from analytics.errors import InputError

# Locks this process holds (path → depth): a build inside a build of the same
# folder (the demo bundle's) takes it once.
_HELD: dict[Path, int] = {}


def lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.lock")


def _holder(fd: int) -> str:
    """The PID the lock's holder wrote, as text ('' when unreadable)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextlib.contextmanager
def bundle_lock(out: Path, wait: bool = False, log=print):
    """Hold the lock of bundle folder ``out`` for the ``with`` block.

    Another process holding it: with ``wait``, wait for it (saying so once);
    else an :class:`InputError` naming that process. Creates ``out``'s parent
    folder (the lock lives there).
    """
    # The folder a link names: builds through the link and to the folder itself
    # share one lock.
    path = lock_path(Path(out).resolve())
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    fd = _acquire(path, out, wait, log)
    try:
        os.ftruncate(fd, 0)  # a killed holder's PID may be longer
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD[path] = 1
        try:
            yield
        finally:
            del _HELD[path]
            # Removed while still held: whoever opened it meanwhile finds, once
            # it holds it, that it is no longer the lock file, and starts over.
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)  # releases the lock


def _acquire(path: Path, out: Path, wait: bool, log) -> int:
    """An open descriptor of the lock file ``path``, locked."""
    said = False
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise InputError(
                f"{out}: cannot lock the bundle folder ({exc.strerror or exc})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            who = f"another build (process {holder})" if holder else "another build"
            if not wait:
                os.close(fd)
                raise InputError(
                    f"{out}: {who} is writing this bundle; run again when it has "
                    "ended, or give another --out"
                ) from None
            if not said:
                log(f"waiting for {who} writing {out} …")
                said = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        if _is_current(fd, path):
            return fd
        os.close(fd)  # its holder removed it as it ended: lock the new one


def _is_current(fd: int, path: Path) -> bool:
    """Whether ``fd`` is still the file at ``path``."""
    try:
        now, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
