"""Latency and memory of one `haven serve` under steady load from a few keep-alive clients.

    python -m bench.load_bench --seconds 30 --clients 4 --out bench/results/load.json

A few clients (threads, one keep-alive connection each) cycle through searches, result pages,
resource pages, the embed, the JSON API and a static file for a fixed time, after a warm-up
(caches, lazily built pages, the allocator). Printed: requests per second, p50 and p99 latency,
and resident memory after warm-up and after the load (a growth of more than a few percent would
be a leak). The figures depend on the machine and what else it runs: BENCHMARKS.md has them with
the machine they were taken on. tests/hardening/test_load.py runs the same load for errors only.

The server listens on 127.0.0.1 only and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.http_bench import HOST, haven_argv, haven_env, server

QUERIES = ["부산 상담", "deepfake", "1366", "ㅂㅅ 상담", "딥페이크 삭제", "텔래그램", "free legal help seoul", "변호사",
           "", "불법촬영 신고", "suwon", "청소년"]  # fmt: skip
PATHS = (
    [f"/api/v1/search?q={urllib.parse.quote(q)}" for q in QUERIES]
    + [f"/search?q={urllib.parse.quote(q)}" for q in QUERIES[:6]]
    + [
        "/",
        "/resources/women-1366",
        "/embed?region=KR-26",
        "/api/v1/resources/women-1366",
        "/api/v1/regions",
        "/static/haven.css",
    ]  # fmt: skip
)


def _client(
    host: str, port: int, seconds: float, latencies: list[float], errors: list[str], offset: int
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    deadline = time.monotonic() + seconds
    for path in itertools.islice(itertools.cycle(PATHS), offset, None):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__} {path}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        latencies.append(time.perf_counter() - start)
    conn.close()


def hammer(host: str, port: int, seconds: float, clients: int = 4) -> tuple[list[float], list[str]]:
    """``clients`` keep-alive clients for ``seconds``: every request's latency (s), and the errors."""
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(host, port, seconds, latencies, errors, i * 5))
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def figures(latencies: list[float], errors: list[str], seconds: float) -> dict[str, Any]:
    """Requests, rate, p50 and p99 (ms) of one run."""
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
    }


def run(db: Path, seconds: float, clients: int, warm_up: float) -> dict[str, Any]:
    """One `haven serve` (one worker, so its memory is one process's) under the load."""
    with server(haven_argv(1), "/healthz", haven_env(db)) as (base, pid):
        port = int(base.rsplit(":", 1)[1])
        start = rss_kib(pid)
        hammer(HOST, port, warm_up, clients)
        before = rss_kib(pid)
        latencies, errors = hammer(HOST, port, seconds, clients)
        after = rss_kib(pid)
    return {
        "seconds": seconds,
        "clients": clients,
        **figures(latencies, errors, seconds),
        "rss_start_mib": round(start / 1024, 1),
        "rss_warm_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "rss_growth": round((after - before) / before, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from search.catalog import load_catalog
    from search.index import build_index

    with tempfile.TemporaryDirectory() as tmp:
        db = build_index(load_catalog(Path(__file__).resolve().parents[1] / "data"), Path(tmp) / "haven.db")
        r = run(db, args.seconds, args.clients, args.warm_up)
    print(f"{r['requests']} requests in {r['seconds']:.0f} s ({r['rps']:.0f}/s), {r['clients']} clients, "
          f"{r['errors']} errors; p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; resident memory "
          f"{r['rss_warm_mib']} MiB after warm-up, {r['rss_after_mib']} MiB after the load ({r['rss_growth']:+.1%})")  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(r, indent=2) + "\n")


if __name__ == "__main__":
    main()
