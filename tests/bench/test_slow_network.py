"""The slow-network benchmark runs once against a real `haven serve` (its timings are not asserted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.slow_network import PAGES, measure
from tests.conftest import serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def test_slow_network_benchmark_measures_every_page(db_path: Path, browser: Any) -> None:
    with serve(db_path) as (base, _):
        figures = measure(base, runs=1, browser=browser)
    assert set(figures) == {f"{name}/{mode}" for name in PAGES for mode in ("cold", "warm")}
    for name, f in figures.items():
        assert f["fcp_ms"] is not None and f["tel_ms"] is not None and f["tel_ms"] >= f["fcp_ms"], name
        assert 0 < f["document_bytes"] <= f["total_bytes"], name
    # A cold load also fetches the stylesheet and the script; a warm one finds them in the cache.
    assert figures["results/cold"]["total_bytes"] > figures["results/warm"]["total_bytes"]
    # Compressed on the wire: far below the page's own size.
    assert figures["results/warm"]["document_bytes"] < 20_000
    assert figures["results/cold"]["main_tel_ms"] is not None  # a result's call button on the first screen
