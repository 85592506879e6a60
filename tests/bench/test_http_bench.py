"""The HTTP and peer benchmark runs once on the real data, briefly (timings are not asserted)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.http_bench import api_path, run, wrk_available
from search.model import Query


def test_query_paths_carry_only_what_was_asked() -> None:
    assert api_path(Query(q="상담")) == "/api/v1/search?q=%EC%83%81%EB%8B%B4"
    assert api_path(Query(q="", region="KR-26", kind=["hotline", "legal"])) == (
        "/api/v1/search?region=KR-26&kind=hotline&kind=legal"
    )


@pytest.fixture
def need_wrk() -> None:
    if wrk_available():
        return
    if os.environ.get("CI"):
        pytest.fail("wrk is missing: CI must install it (.ci/run: apt-get install -y wrk)")
    pytest.skip("wrk is not installed (apt-get install wrk); the HTTP benchmark needs it")


# wrk and two workers take both cores for seconds: run alone, it neither slows nor is slowed by
# another test (Makefile).
@pytest.mark.timing
@pytest.mark.usefixtures("need_wrk")
def test_http_benchmark_runs_on_the_real_data(tmp_path: Path) -> None:
    r = run(0, duration=1, workers=2, start_tries=1, cache=tmp_path, mix=12)
    for endpoint in ("static", "static_1t", "api", "page", "datasette"):
        assert r[endpoint]["requests"] > 0, endpoint
    for endpoint in ("api", "page"):  # both workers found, their shares add up
        shares = r[endpoint]["worker_cpu_shares"]
        assert len(shares) == 2 and abs(sum(shares) - 1) <= 0.02, shares
    assert r["haven_answered"] == 12
    # The peer answers some worded queries, and fewer than Haven: its stock FTS has no Korean analysis.
    assert 0 < r["datasette_answered"] < r["haven_answered_worded"] <= r["worded_queries"], r
    assert r["start"]["start_best_s"] > 0 and r["weight"]["results_bytes"] > 1000
