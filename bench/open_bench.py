"""What a server pays to open an index it cannot be broken under: a private copy against memory.

Each way runs in a fresh process on the same index file: ``direct`` (the file itself, as the
``haven search`` command reads it), ``copy`` (a private copy on disk, as ``haven serve`` reads it:
search/snapshot.py) and ``memory`` (the whole file in the process's memory, sqlite3's
``Connection.deserialize``). For each: the time to open and check the index, the check alone, a
search on average over a small mix, and the resident memory after (anonymous pages are the
process's own; file pages are the page cache, shared and evictable).

    .venv/bin/python -m bench.open_bench --db var/bench/haven-100000.db
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from search import sqlite_engine
from search.model import Query

QUERIES = [
    "상담",
    "deepfake",
    "부산 법률",
    "삭제 지원",
    "1366",
    "텔레그램",
    "서울 상담소",
    "legal aid",
    "경찰 신고",
    "학교",
]


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one(mode: str, db: Path) -> str:
    start = time.monotonic()
    if mode == "memory":
        data = db.read_bytes()
        digest = hashlib.sha256(data).hexdigest()

        def in_memory(_path: Path) -> tuple[sqlite3.Connection, str]:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.deserialize(data)
            return conn, digest

        sqlite_engine.open_snapshot = in_memory  # type: ignore[assignment]
    engine = sqlite_engine.SqliteEngine(db, private=mode != "direct")
    opened = time.monotonic() - start
    if mode == "memory":
        del data
    start = time.monotonic()
    engine.check()
    checked = time.monotonic() - start
    start = time.monotonic()
    for q in QUERIES * 5:
        engine.search(Query(q=q))
    searched = (time.monotonic() - start) / (len(QUERIES) * 5)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{mode:<7} open+check {opened:6.2f} s  check {checked * 1000:6.1f} ms  search {searched * 1000:6.1f} ms  "
        f"RSS {_status_mb('VmRSS'):6.0f} MB (own {_status_mb('RssAnon'):5.0f}, peak {peak:5.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("var/bench/haven-100000.db"))
    parser.add_argument("--mode", choices=["direct", "copy", "memory"])
    args = parser.parse_args()
    if args.mode:
        print(one(args.mode, args.db))
        return
    print(f"{args.db}: {args.db.stat().st_size / 1e6:,.0f} MB")
    for mode in ("direct", "copy", "memory"):
        subprocess.run(
            [sys.executable, "-m", "bench.open_bench", "--db", str(args.db), "--mode", mode], check=True
        )


if __name__ == "__main__":
    main()
