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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def measure(size: int, rounds: int) -> dict[str, object]:
    real = load_catalog(ROOT / "data")
    catalog = real if size == 0 else synthetic_catalog(real, size)  # 0: the real directory
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
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
    return {
        "size": size or len(real.resources),
        "build_s": round(build_s, 2),
        "index_mb": round(size_mb, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,1000,10000,100000", help="0 is the real directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "search.json")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.rounds)))
        return
    rows = []
    print(
        f"{'size':>9} {'build s':>8} {'index MB':>9} {'peak MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, "-m", "bench.search_bench", "--one", str(size), "--rounds", str(args.rounds)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['size']:>9} {row['build_s']:>8} {row['index_mb']:>9} {row['peak_rss_mb']:>8} "
              f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
              "date": time.strftime("%Y-%m-%d"), "results": rows}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
