"""/healthz proves the engine answers (a real search and a count through it); /livez that the process is up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings


def entries(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM resources").fetchone()[0])


def test_healthz_counts_the_entries_through_the_engine_and_is_never_stored(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None))) as client:
        response = client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        engine = client.app.state.live.engine
        assert body == {"status": "ok", "engine": "sqlite", "resources": entries(db_path),
                        "data_hash": engine.data_hash}  # fmt: skip
        assert response.headers["cache-control"] == "no-store"


def test_healthz_says_503_with_a_reason_when_the_engine_cannot_answer(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None))) as client:
        client.app.state.live.engine.close()  # the index can no longer be read, as when its disk fails
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and "closed" in body["reason"], body
        assert "Traceback" not in response.text and len(body["reason"]) < 200
        assert response.headers["cache-control"] == "no-store"
        # The process is up all the same: a liveness probe must not restart it for this.
        live = client.get("/livez")
        assert live.status_code == 200 and live.json() == {"status": "ok"}
        assert live.headers["cache-control"] == "no-store"


def test_health_checks_are_not_rate_limited(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=("minute", 2)))) as client:
        assert client.get("/api/v1/regions").status_code == 200
        assert client.get("/api/v1/regions").status_code == 200
        assert client.get("/api/v1/regions").status_code == 429  # the limit is on
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
            assert client.get("/livez").status_code == 200
