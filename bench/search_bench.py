"""Build and in-process search benchmarks on synthetic catalogs; prints a table and writes JSON.

    python -m bench.search_bench --sizes 1000,10000,100000 --out bench/results/search.json

Each size is measured in a fresh subprocess so peak memory is that size's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import msgspec

from bench.synth import synthetic_catalog
from search.catalog import load_catalog
from search.index import build_index
from search.model import Query
from search.sqlite_engine import SqliteEngine
from tests.relevance.harness import load_cases

ROOT = Path(__file__).resolve().parent.parent


def query_mix(n: int = 200) -> list[Query]:
    """The relevance set's queries (Korean, English, typos, initials, regions, phones), plus filtered
    and region-parameter variants, to ``n`` queries."""
    cases = load_cases()
    out = [msgspec.convert({"q": c.q, **c.params}, Query) for c in cases]
    extras = [
        {"q": "상담", "region": "KR-26"}, {"q": "삭제", "kind": ["platform-report"]}, {"q": "counselling", "open_now": True},
        {"q": "법률", "cost": ["free"]}, {"q": "해바라기", "region": "KR-11"}, {"q": "신고", "channel": ["form"]},
        {"q": "상담소에서", "audience": ["minors"]}, {"q": "", "region": "KR-41"}, {"q": "police", "lang": "en"},
    ]  # fmt: skip
    i = 0
    while len(out) < n:
        out.append(msgspec.convert(extras[i % len(extras)], Query))
        i += 1
    return out[:n]


def _tree_pss_mb(root: int) -> float:
    """Proportional set size of ``root`` and its descendants, in MB (shared pages counted once)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


class TreePeak:
    """The peak memory of this process and its analysis workers, sampled from /proc twice a second
    (a child's own peak would count the parent's pages it shared for a moment after forking)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, _tree_pss_mb(os.getpid()))

    def __enter__(self) -> TreePeak:
        if Path("/proc/self/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            self.peak_mb = max(self.peak_mb, _tree_pss_mb(os.getpid()))  # a build shorter than a sample


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def capture_statements(engine: SqliteEngine, queries: list[Query]) -> list[list[tuple[str, list[Any]]]]:
    """The SQL statements (with arguments) ``engine`` runs for each query, recorded over one pass."""
    recorded: list[tuple[str, list[Any]]] = []
    index = engine.index
    original = index._query

    def spy(sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        recorded.append((sql, list(args)))
        return original(sql, args)

    index._query = spy  # type: ignore[method-assign]
    index.reads._read = spy  # the candidate reads hold the method they were given
    out = []
    try:
        for q in queries:
            recorded.clear()
            engine.search(q)
            out.append(list(recorded))
    finally:
        del index._query  # the instance attribute; the class method shows through again
        index.reads._read = original
    return out


def bare_sqlite_limit(engine: SqliteEngine, db: Path, queries: list[Query], rounds: int) -> dict[str, object]:
    """The limit: the same statements replayed on a bare sqlite3 connection, no Haven layers.

    Each query's time is the time to execute and fetch all of its statements; nothing is decoded
    or scored. The ratio of Haven's time to this one is what our layers cost on top of SQLite.
    """
    statements = capture_statements(engine, queries)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for stmts in statements:  # warm-up, as for the engine
        for sql, args in stmts:
            conn.execute(sql, args).fetchall()
    times = []
    for _ in range(rounds):
        for stmts in statements:
            t = time.perf_counter()
            for sql, args in stmts:
                conn.execute(sql, args).fetchall()
            times.append((time.perf_counter() - t) * 1000)
    conn.close()
    return {
        "statements": sum(len(s) for s in statements),
        "bare_p50_ms": round(statistics.median(times), 3),
        "bare_p95_ms": round(percentile(times, 95), 3),
        "bare_p99_ms": round(percentile(times, 99), 3),
    }


def measure(size: int, rounds: int) -> dict[str, object]:
    real = load_catalog(ROOT / "data")
    catalog = real if size == 0 else synthetic_catalog(real, size)  # 0: the real directory
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        with TreePeak() as tree:
            build_index(catalog, db)
        build_s = time.perf_counter() - t0
        engine = SqliteEngine(db)
        queries = query_mix()
        for q in queries:  # warm-up: caches and the page cache, as on a running server
            engine.search(q)
        times = []
        for _ in range(rounds):
            for q in queries:
                t = time.perf_counter()
                engine.search(q)
                times.append((time.perf_counter() - t) * 1000)
        size_mb = db.stat().st_size / 1e6
        limit = bare_sqlite_limit(engine, db, queries, rounds)
    return {
        "size": size or len(real.resources),
        "build_s": round(build_s, 2),
        "index_mb": round(size_mb, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # With the analysis workers that builds of 20,000 resources or more start (sampled).
        "build_tree_mb": round(tree.peak_mb, 1),
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
        **limit,
        "ratio_p50": round(statistics.median(times) / max(float(limit["bare_p50_ms"]), 1e-3), 1),
        "ratio_p99": round(percentile(times, 99) / max(float(limit["bare_p99_ms"]), 1e-3), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,1000,10000,100000",
                        help="0 is the real directory; 1000000 only when asked (its build takes long)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "search.json")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.rounds)))
        return
    rows = []
    print(
        f"{'size':>9} {'build s':>8} {'index MB':>9} {'peak MB':>8} {'tree MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" | {'bare p50':>8} {'bare p99':>8} {'x p50':>6} {'x p99':>6}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, "-m", "bench.search_bench", "--one", str(size), "--rounds", str(args.rounds)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['size']:>9} {row['build_s']:>8} {row['index_mb']:>9} {row['peak_rss_mb']:>8} {row['build_tree_mb']:>8} "
              f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7}"
              f" | {row['bare_p50_ms']:>8} {row['bare_p99_ms']:>8} {row['ratio_p50']:>6} {row['ratio_p99']:>6}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
              "date": time.strftime("%Y-%m-%d"), "results": rows}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
