"""The app-wide rate limit: Retry-After, and clients forgotten once their window ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.rate_limit import retry_after
from service.settings import Settings


def test_retry_after_is_a_positive_whole_number() -> None:
    assert retry_after({"RateLimit-Reset": "12"}) == 12
    assert retry_after({"RateLimit-Reset": "0"}) == 1
    assert retry_after({"RateLimit-Reset": "x"}) == 1
    assert retry_after(None) == 1


def test_clients_whose_window_ended_are_forgotten(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from service import rate_limit

    monkeypatch.setattr(rate_limit, "_PURGE_EVERY_S", 0.05)
    app = create_app(Settings(db_path=db_path, rate_limit=("second", 5)))
    with TestClient(app) as c:
        assert c.get("/api/v1/search?q=1366").status_code == 200
        store = app.stores.get("rate_limit")

        def kept() -> int:
            return len(store._store)  # type: ignore[attr-defined]  # MemoryStore's dict: what is in memory

        assert kept() == 1
        deadline = time.monotonic() + 10
        while kept() and time.monotonic() < deadline:
            time.sleep(0.05)  # nobody comes back: only the purge can remove the entry
        assert not kept(), "an expired client entry stayed in memory"
