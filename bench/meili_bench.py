"""Meilisearch beside SQLite: relevance, sync/build time, search latency and memory, on the same data.

    python -m bench.meili_bench relevance --url http://127.0.0.1:7700 --master-key KEY
    python -m bench.meili_bench speed --url http://127.0.0.1:7700 --master-key KEY --pid PID \\
        --sizes 1000,10000,100000 --rounds 3 [--http] --out bench/results/meili.json

It needs a running Meilisearch (1.10 or later; see docs/meilisearch.md) and never starts one.
``--pid`` is the server's process id, for its memory (VmRSS and peak, from /proc); without it the
memory columns are left empty. Run it against a Meilisearch of its own: ``speed`` syncs each size
into the ``haven`` index (the one ``haven serve`` reads, for ``--http``) and deletes it afterwards;
``relevance`` uses a throwaway ``bench_relevance`` index.

- **relevance**: the relevance set (tests/relevance) through both engines, recall@3 and MRR side
  by side, and the queries whose outcome differs.
- **speed**: per size, the SQLite build and the Meilisearch sync (documents built, sent, every
  task awaited), then the 200-query mix of :mod:`bench.search_bench` through each engine in
  this process (for Meilisearch that includes one HTTP round trip to the server on 127.0.0.1),
  p50/p99 after a warm-up. ``--http``: the same mix through ``haven serve`` over HTTP (one
  worker, answer cache off, one request at a time), SQLite alone and with Meilisearch first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import meilisearch

from bench.search_bench import percentile, query_mix
from bench.synth import synthetic_catalog
from search.catalog import Catalog, load_catalog
from search.engine import Engine
from search.index import build_index
from search.meili_engine import MeiliEngine
from search.meili_sync import LIVE_INDEX, sync
from search.model import Query
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine
from tests.relevance.harness import SETS, first_ok, judge, load_cases, score

__all__ = ("main", "measure", "relevance")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _catalog(size: int) -> Catalog:
    real = load_catalog(ROOT / "data")
    return real if size == 0 else synthetic_catalog(real, size)


def _drop(client: meilisearch.Client, uid: str) -> None:
    with contextlib.suppress(meilisearch.errors.MeilisearchError):
        client.wait_for_task(client.delete_index(uid).task_uid, timeout_in_ms=300_000)


def server_version(url: str, key: str | None) -> dict[str, str]:
    v = meilisearch.Client(url, key, timeout=10).get_version()
    return {"pkgVersion": v.get("pkgVersion", "?"), "commitSha": v.get("commitSha", "?")}


# -- relevance -------------------------------------------------------------------------------------


def relevance(url: str, key: str | None) -> dict[str, Any]:
    catalog = _catalog(0)
    admin = meilisearch.Client(url, key, timeout=30)
    uid = "bench_relevance"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "haven.db"
        build_index(catalog, db)
        local = SqliteEngine(db)
        sync(catalog, url, key, index_uid=uid)
        try:
            meili = Pipeline(
                local.index, MeiliEngine(url, key, local.index.reads.by_ids, index_uid=uid, timeout=10.0)
            )
            sets = {"gating": SETS, "held-out": ("holdout.yaml",), "independent": ("independent.yaml",)}
            rows: dict[str, Any] = {}
            differ: list[dict[str, Any]] = []
            directory = local.resources()
            engine: Engine
            for name, files in sets.items():
                cases = load_cases(files)
                outcomes: dict[str, list[Any]] = {}
                for label, engine in (("sqlite", local), ("meilisearch", meili)):
                    outcomes[label] = [judge(engine, c) for c in cases]
                    recall, mrr = score(outcomes[label])
                    firsts = [f for o in outcomes[label] if (f := first_ok(o, directory)) is not None]
                    rows.setdefault(label, {})[name] = {
                        "queries": len(cases),
                        "recall_at_3": round(recall, 3),
                        "mrr": round(mrr, 3),
                        "first_ok": round(sum(firsts) / max(len(firsts), 1), 3),
                    }
                differ += [
                    {
                        "set": name,
                        "q": a.case.q,
                        "params": a.case.params,
                        "sqlite": [a.rank, a.ids],
                        "meilisearch": [b.rank, b.ids],
                    }  # fmt: skip
                    for a, b in zip(outcomes["sqlite"], outcomes["meilisearch"], strict=True)
                    if a.rank != b.rank
                ]
        finally:
            _drop(admin, uid)
    return {"server": server_version(url, key), "engines": rows, "differ": differ}


# -- speed -----------------------------------------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class PidPeak:
    """The highest VmRSS of process ``pid`` while the block runs, sampled every 0.2 s."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            if self.pid:
                self.peak_kb = max(self.peak_kb, _status_kb(self.pid, "VmRSS") or 0)
            if self._stop.wait(0.2):
                return

    def __enter__(self) -> PidPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _latencies(engine: Engine, queries: list[Query], rounds: int) -> dict[str, float]:
    for q in queries:  # warm-up
        engine.search(q)
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            engine.search(q)
            times.append((time.perf_counter() - t) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
    }


def _http_latencies(base: str, queries: list[Query], rounds: int) -> dict[str, Any]:
    from bench.http_bench import api_path

    paths = [api_path(q) for q in queries]
    engines: dict[str, int] = {}
    times = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for p in paths:  # warm-up
            client.get(p).raise_for_status()
        for _ in range(rounds):
            for p in paths:
                t = time.perf_counter()
                r = client.get(p)
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                engine = r.json().get("engine", "?")
                engines[engine] = engines.get(engine, 0) + 1
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "engines": engines,
    }


def _http(db: Path, url: str | None, key: str | None, queries: list[Query], rounds: int) -> dict[str, Any]:
    from bench.http_bench import haven_argv, haven_env, server

    env = haven_env(db)
    if url:
        # The master key is fine on a bench server of its own; the service refuses it only when
        # HAVEN_MEILI_MASTER_KEY holds the same value.
        env.update(HAVEN_MEILI_URL=url, HAVEN_MEILI_KEY=key or "", HAVEN_MEILI_TIMEOUT="2",
                   HAVEN_MEILI_MASTER_KEY="")  # fmt: skip
    with server(haven_argv(1), "/livez", env) as (base, _group):
        return _http_latencies(base, queries, rounds)


def measure(size: int, rounds: int, url: str, key: str | None, pid: int | None, http: bool) -> dict[str, Any]:
    catalog = _catalog(size)
    admin = meilisearch.Client(url, key, timeout=30)
    uid = LIVE_INDEX
    queries = query_mix()
    row: dict[str, Any] = {"size": len(catalog.resources)}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "haven.db"
        t0 = time.perf_counter()
        build_index(catalog, db)
        row["sqlite_build_s"] = round(time.perf_counter() - t0, 2)
        row["sqlite_index_mb"] = round(db.stat().st_size / 1e6, 1)
        local = SqliteEngine(db)
        rss_before = _status_kb(pid, "VmRSS") if pid else None
        with PidPeak(pid) as peak:
            report = sync(catalog, url, key, index_uid=uid, task_timeout=3600)
        row["meili_sync_s"] = round(report.seconds, 2)
        if pid:
            row["meili_rss_before_mb"] = round((rss_before or 0) / 1024, 1)
            row["meili_rss_peak_sync_mb"] = round(peak.peak_kb / 1024, 1)
            row["meili_rss_after_mb"] = round((_status_kb(pid, "VmRSS") or 0) / 1024, 1)
        stats = admin.get_all_stats()
        row["meili_db_mb"] = round(stats["databaseSize"] / 1e6, 1)
        try:
            meili = Pipeline(
                local.index, MeiliEngine(url, key, local.index.reads.by_ids, index_uid=uid, timeout=10.0)
            )
            row["sqlite"] = _latencies(local, queries, rounds)
            row["meilisearch"] = _latencies(meili, queries, rounds)
            if http:
                row["http_sqlite"] = _http(db, None, None, queries, rounds)
                row["http_meilisearch"] = _http(db, url, key, queries, rounds)
        finally:
            _drop(admin, uid)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["relevance", "speed"])
    parser.add_argument("--url", default=os.environ.get("HAVEN_MEILI_URL", "http://127.0.0.1:7700"))
    parser.add_argument("--master-key", default=os.environ.get("HAVEN_MEILI_MASTER_KEY"))
    parser.add_argument("--pid", type=int, help="the Meilisearch server's process id, for its memory")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also through haven serve over HTTP")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.rounds, args.url, args.master_key, args.pid, args.http)))
        return
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "server": server_version(args.url, args.master_key),
    }
    if args.what == "relevance":
        report.update(relevance(args.url, args.master_key))
        print(f"Meilisearch {report['server']['pkgVersion']} ({report['server']['commitSha'][:12]})")
        for label, sets in report["engines"].items():
            for name, r in sets.items():
                print(f"{label:>12} {name:<12}: {r['queries']} queries, recall@3 = {r['recall_at_3']:.3f},"
                      f" MRR = {r['mrr']:.3f}, first answer right = {r['first_ok']:.3f}")  # fmt: skip
        for d in report["differ"]:
            print(f"  [{d['set']}] {d['q']!r} {d['params'] or ''}: sqlite rank {d['sqlite'][0]} {d['sqlite'][1]}"
                  f" | meilisearch rank {d['meilisearch'][0]} {d['meilisearch'][1]}")  # fmt: skip
    else:
        rows = []
        for size in (int(s) for s in args.sizes.split(",")):
            argv = [sys.executable, "-m", "bench.meili_bench", "speed", "--one", str(size), "--rounds",
                    str(args.rounds), "--url", args.url, *(["--pid", str(args.pid)] if args.pid else []),
                    *(["--http"] if args.http else [])]  # fmt: skip
            env = {**os.environ, "HAVEN_MEILI_MASTER_KEY": args.master_key or ""}
            out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True, env=env)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row))
        report["results"] = rows
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print(f"written {args.out}")


if __name__ == "__main__":
    main()
