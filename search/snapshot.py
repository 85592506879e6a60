"""A private, unchanging copy of an index file for a long-running engine to read.

SQLite reads its file page by page for as long as a connection is open. If the file is rewritten
in place (same inode: ``cp new.db var/haven.db`` does that) a running server reads pages of two
different indexes, or garbage, and fails on searches it answered a moment before. ``haven build``
replaces the file atomically, but an operator's ``cp`` or a restore does not.

So a server does not read the file it was given: it copies it (in the kernel), hashes the copy,
opens it and unlinks it at once. Nobody else can name the copy; its pages stay readable until
the connection closes, and the disk space is freed then. The hash names the content: a reload of
a file whose bytes have not changed is noticed as such, whatever its timestamps say.

A copy rather than an in-memory database (``Connection.deserialize``): the benchmark's index of
100,000 resources is about 0.9 GB, which in memory every worker would hold whole as its own (and
twice that while loading); the copy's pages sit in the page cache, which the kernel shares and can
evict. Both take about as long to open (BENCHMARKS.md, ``bench/open_bench.py``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from pathlib import Path
from typing import BinaryIO

__all__ = ("SnapshotError", "file_digest", "open_snapshot")

_CHUNK = 1 << 20


class SnapshotError(OSError):
    """The file cannot be copied whole (missing, unreadable, or rewritten while being read)."""


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _copy_dir(path: Path) -> Path:
    """Beside the index when that directory is writable (the same disk, which has room for it),
    else the system's temporary directory."""
    parent = path.parent if path.parent != Path() else Path(".")
    return parent if os.access(parent, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())


def _copy(src: BinaryIO, dst: BinaryIO, size: int) -> None:
    """Copy in the kernel (``copy_file_range``: a shared extent on a filesystem that can, such as
    XFS or Btrfs; else no trip through user space), or through a buffer where that is refused."""
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src.fileno(), dst.fileno(), size - done)
            if n == 0:
                break
            done += n
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP) or done:
            raise
        shutil.copyfileobj(src, dst, _CHUNK)


def open_snapshot(path: Path) -> tuple[sqlite3.Connection, str]:
    """A read-only connection to a private copy of ``path``, and the SHA-256 of the copy's bytes.

    Raises:
        SnapshotError: ``path`` cannot be read, or changed while it was being copied (a ``cp``
            still under way: the copy would mix two files).
        sqlite3.DatabaseError: the copy is not an SQLite database.
    """
    try:
        src = path.open("rb")
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    where = _copy_dir(path)
    _remove_left_behind(where, path.name)
    fd, copy = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".serving", dir=where)
    try:
        with src, os.fdopen(fd, "w+b") as dst:
            before = os.fstat(src.fileno())
            _copy(src, dst, before.st_size)
            if _identity(os.fstat(src.fileno())) != _identity(before):
                raise SnapshotError(f"{path} changed while it was being read: try again once it is written")
            dst.flush()
            dst.seek(0)
            digest = hashlib.file_digest(dst, "sha256").hexdigest()
        # immutable: the copy never changes, so SQLite takes no locks and looks for no journal.
        uri = f"file:{urllib.parse.quote(copy)}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            conn.execute("PRAGMA schema_version").fetchone()  # SQLite holds the file open from here
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn, digest
    except SnapshotError:
        raise
    except OSError as exc:
        raise SnapshotError(f"cannot copy {path} to serve it: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(copy)


def _remove_left_behind(where: Path, name: str) -> None:
    """Remove copies whose process is gone (killed while copying, before it removed the name)."""
    for stale in where.glob(f".{name}.*.serving"):
        pid = stale.name[len(name) + 2 :].split(".", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                stale.unlink()
        except PermissionError:
            continue  # another user's process: alive
