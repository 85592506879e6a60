"""The benchmark code runs once on a 1k catalog so it keeps working (timings are not asserted)."""

from __future__ import annotations

from bench.search_bench import measure, query_mix


def test_query_mix_has_200_queries() -> None:
    assert len(query_mix()) == 200


def test_benchmark_runs_on_a_small_catalog() -> None:
    row = measure(1000, rounds=1)
    assert row["size"] == 1000 and row["queries"] == 200
    assert float(row["p99_ms"]) >= float(row["p50_ms"]) > 0  # type: ignore[arg-type]
