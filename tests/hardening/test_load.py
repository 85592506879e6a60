"""Load against a real `haven serve` on 127.0.0.1: zero errors, p99 printed, memory flat.

And rate limiting: a client over the limit gets 429 while another client keeps being served
(the limiter keys by client address; the second client connects from 127.0.0.2).
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import LOAD_SECONDS, MEASURES, Server, failed, rss_kib, tried

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
CLIENTS = 4
#: Over HTTP with CLIENTS concurrent clients on a small machine; the engine's own target (p99 ≤
#: 25 ms in process, BENCHMARKS.md) is for the search alone.
P99_LIMIT_MS = 500.0


def _hammer(server: Server, seconds: float, latencies: list[float], errors: list[str], offset: int) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
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
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        latencies.append(time.perf_counter() - start)
    conn.close()


def _run(server: Server, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_hammer, args=(server, seconds, latencies, errors, i * 5))
        for i in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


@pytest.mark.timeout(LOAD_SECONDS * 2 + 120)
def test_load_zero_errors_p99_and_flat_memory(serve: Any, db_path: Path) -> None:
    server = serve("--db", str(db_path))
    start_rss = rss_kib(server.pid)
    _run(server, min(5.0, LOAD_SECONDS / 4))  # warm-up: caches, lazily built pages, allocator
    before = rss_kib(server.pid)
    latencies, errors = _run(server, LOAD_SECONDS)
    after = rss_kib(server.pid)
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000
    rate = len(latencies) / LOAD_SECONDS
    tried("load: requests", len(latencies))
    failed("load: requests", len(errors))
    MEASURES["load"] = f"{len(latencies)} requests in {LOAD_SECONDS:.0f} s ({rate:.0f}/s), {CLIENTS} clients"
    MEASURES["load latency"] = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    MEASURES["resident memory"] = (
        f"start {start_rss / 1024:.1f} MiB, after warm-up {before / 1024:.1f} MiB, "
        f"after load {after / 1024:.1f} MiB ({(after - before) / before:+.1%})"
    )
    print("\n" + "\n".join(f"{k}: {v}" for k, v in MEASURES.items()))
    assert not errors, errors[:10]
    assert (after - before) / before < 0.10, MEASURES["resident memory"]
    assert p99 < P99_LIMIT_MS, MEASURES["load latency"]


def _status(source: str, port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.timeout(60)
def test_an_abusive_client_gets_429_while_another_is_served(serve: Any, db_path: Path) -> None:
    server = serve("--db", str(db_path), env={"HAVEN_RATE_LIMIT": "20/minute"})
    abusive = [_status("127.0.0.1", server.port, "/api/v1/search?q=1366") for _ in range(40)]
    assert abusive[:20] == [200] * 20 and set(abusive[20:]) == {429}, abusive
    polite = [_status("127.0.0.2", server.port, "/api/v1/search?q=1366") for _ in range(10)]
    assert polite == [200] * 10
    # The search page shares the budget, but a victim on the same address (a shared school network)
    # still gets help: the other pages are never limited, and the refusal carries the crisis numbers.
    for path in ("/", "/regions", "/resources/women-1366", "/safety"):
        assert _status("127.0.0.1", server.port, path) == 200, path
    assert _status("127.0.0.1", server.port, "/search?q=1366") == 429
    tried("rate limit: requests", 51)
