"""Load against a real `haven serve` on 127.0.0.1: zero errors (latency and memory printed; their
figures come from bench/load_bench.py).

And rate limiting: a client over the limit gets 429 while another client keeps being served
(the limiter keys by client address; the second client connects from 127.0.0.2).
"""

from __future__ import annotations

import http.client
from pathlib import Path
from typing import Any

import pytest

from bench.load_bench import figures, hammer
from tests.hardening.conftest import LOAD_SECONDS, MEASURES, failed, rss_kib, tried

CLIENTS = 4


@pytest.mark.timing  # its latency and memory figures are printed: measured alone (Makefile)
@pytest.mark.timeout(LOAD_SECONDS * 2 + 120)
def test_load_has_zero_errors(serve: Any, db_path: Path) -> None:
    """Every request under steady load is answered 200. Latency and memory are printed here and
    measured by bench/load_bench.py (figures in BENCHMARKS.md): they depend on the machine."""
    server = serve("--db", str(db_path))
    hammer(server.host, server.port, min(5.0, LOAD_SECONDS / 4), CLIENTS)  # warm-up
    before = rss_kib(server.pid)
    latencies, errors = hammer(server.host, server.port, LOAD_SECONDS, CLIENTS)
    after = rss_kib(server.pid)
    r = figures(latencies, errors, LOAD_SECONDS)
    tried("load: requests", len(latencies))
    failed("load: requests", len(errors))
    MEASURES["load"] = (
        f"{r['requests']} requests in {LOAD_SECONDS:.0f} s ({r['rps']:.0f}/s), {CLIENTS} clients"
    )
    MEASURES["load latency"] = f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
    MEASURES["resident memory"] = f"after warm-up {before / 1024:.1f} MiB, after load {after / 1024:.1f} MiB"
    print("\n" + "\n".join(f"{k}: {v}" for k, v in MEASURES.items()))
    assert latencies, "no request was made"
    assert not errors, errors[:10]


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
