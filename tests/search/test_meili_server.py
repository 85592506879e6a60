"""The fallback against a REAL Meilisearch process that this module starts, stops, freezes and restarts.

Set ``HAVEN_TEST_MEILI_BIN`` to a Meilisearch binary (1.10 or later) to run it; otherwise every test
here is skipped (CI has none). Each test gets its own server on a free port of 127.0.0.1, with
analytics off, a master key and a database in a temporary directory, syncs the real catalog
into it, and then does to the process what happens to a server in production: it is killed
mid-run, it hangs (SIGSTOP: the socket accepts and nothing answers), it answers errors (the index
is gone, the key is revoked), and it comes back. Searches must be answered from SQLite throughout,
and from Meilisearch again once it answers.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import meilisearch
import pytest

from search.catalog import Catalog
from search.engine import EngineError
from search.fallback import FallbackEngine
from search.meili_engine import MeiliEngine
from search.meili_sync import LIVE_INDEX, SyncError, sync
from search.model import Query, Results
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine
from tests.conftest import picked_port

BIN = os.environ.get("HAVEN_TEST_MEILI_BIN")

if not BIN:
    pytest.skip(
        "HAVEN_TEST_MEILI_BIN is not set: no Meilisearch binary to start, stop and freeze (CI has none)",
        allow_module_level=True,
    )
pytestmark = pytest.mark.meili

TIMEOUT = 0.5


@dataclass
class Server:
    """One Meilisearch process of this test."""

    bin: str
    db: Path
    port: int
    master_key: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start Meilisearch and wait until it answers.

        It cannot be given port 0: a first start whose port was taken meanwhile (it stops at
        once) is tried again on another. A restart keeps its port, since the clients of the test
        hold its URL.
        """
        first = self.process is None
        for _ in range(5 if first else 1):
            if self._started():
                return
            self.port = picked_port()
        raise AssertionError("Meilisearch exited at start")

    def _started(self) -> bool:
        self.process = subprocess.Popen(
            [self.bin, "--http-addr", f"127.0.0.1:{self.port}", "--db-path", str(self.db),
             "--master-key", self.master_key, "--no-analytics", "--env", "development",
             "--log-level", "WARN"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = meilisearch.Client(self.url, self.master_key, timeout=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if client.is_healthy():
                    return True
            except Exception:
                pass
            time.sleep(0.1)
        raise AssertionError("Meilisearch did not start within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def freeze(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGCONT)


class Clock:
    """Monotonic seconds moved by hand: the backoff is checked without sleeping through it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server(tmp_path: Path, catalog: Catalog) -> Iterator[Server]:
    assert BIN
    s = Server(BIN, tmp_path / "meili.ms", picked_port(), secrets.token_urlsafe(24))
    s.start()
    try:
        sync(catalog, s.url, s.master_key)
        yield s
    finally:
        s.stop()


def search_key(s: Server) -> str:
    admin = meilisearch.Client(s.url, s.master_key, timeout=10)
    key = admin.create_key(
        {"description": "t", "actions": ["search"], "indexes": [LIVE_INDEX], "expiresAt": None}
    )
    return key.key


def ids(results: Results) -> list[str]:
    return [h.resource.id for h in results.results]


def behind_fallback(engine: SqliteEngine, meili: MeiliEngine, clock: Clock) -> Pipeline:
    """The search a service runs: Meilisearch first, the local index's FTS5 while it cannot answer."""
    return Pipeline(engine.index, FallbackEngine(meili, engine.index, jitter=0.0, clock=clock))


def test_killed_mid_run_then_restarted(server: Server, engine: SqliteEngine) -> None:
    clock = Clock()
    key = search_key(server)
    fallback = behind_fallback(
        engine, MeiliEngine(server.url, key, engine.index.reads.by_ids, timeout=TIMEOUT), clock
    )
    query = Query(q="딥페이크 신고")
    assert fallback.search(query).engine == "meilisearch"
    server.stop()
    started = time.perf_counter()
    results = fallback.search(query)
    assert results.engine == "sqlite"
    assert ids(results) == ids(engine.search(query))
    assert time.perf_counter() - started < TIMEOUT + 1.0  # a refused connection costs no timeout
    assert fallback.in_outage
    server.start()  # the same database: the index and the key survive a restart
    clock.now += 1.0
    assert fallback.search(query).engine == "meilisearch"
    assert not fallback.in_outage


def test_a_frozen_server_costs_one_timeout_then_nothing_until_it_thaws(
    server: Server, engine: SqliteEngine
) -> None:
    clock = Clock()
    key = search_key(server)
    fallback = behind_fallback(
        engine, MeiliEngine(server.url, key, engine.index.reads.by_ids, timeout=TIMEOUT), clock
    )
    query = Query(q="상담")
    assert fallback.search(query).engine == "meilisearch"
    server.freeze()
    try:
        started = time.perf_counter()
        assert fallback.search(query).engine == "sqlite"
        assert TIMEOUT <= time.perf_counter() - started < TIMEOUT + 1.0
        started = time.perf_counter()
        for _ in range(20):  # within the pause nobody waits for the frozen server
            assert fallback.search(query).engine == "sqlite"
        assert (time.perf_counter() - started) / 20 < TIMEOUT / 2
    finally:
        server.thaw()
    clock.now += 1.0
    assert fallback.search(query).engine == "meilisearch"


def test_errors_from_the_server_are_answered_from_sqlite(server: Server, engine: SqliteEngine) -> None:
    admin = meilisearch.Client(server.url, server.master_key, timeout=10)
    key = search_key(server)
    source = MeiliEngine(server.url, key, engine.index.reads.by_ids, timeout=TIMEOUT)
    meili = Pipeline(engine.index, source)
    assert meili.search(Query(q="상담")).engine == "meilisearch"
    # The key revoked: 403 (or 401) with its error code, never the message.
    admin.delete_key(key)
    with pytest.raises(EngineError, match=r"answered 40[13] \(invalid_api_key\)"):
        meili.search(Query(q="상담"))
    fallback = behind_fallback(engine, source, Clock())
    assert fallback.search(Query(q="상담")).engine == "sqlite"
    # The index deleted: 404, or 400 with the same code when the words were asked for in a
    # federated multi-search (상담 has other readings: counselling …), as 1.50 answers.
    master = Pipeline(
        engine.index, MeiliEngine(server.url, server.master_key, engine.index.reads.by_ids, timeout=TIMEOUT)
    )
    admin.wait_for_task(admin.delete_index(LIVE_INDEX).task_uid, timeout_in_ms=30_000)
    with pytest.raises(EngineError, match=r"answered 40[04] \(index_not_found\)"):
        master.search(Query(q="상담"))


def test_sync_to_a_server_killed_mid_sync_fails_in_one_line(
    server: Server, catalog: Catalog, engine: SqliteEngine
) -> None:
    killer = threading.Timer(0.3, server.stop)
    killer.start()
    try:
        with pytest.raises(SyncError, match="live index is unchanged") as caught:
            for _ in range(50):  # until the kill lands mid-sync
                sync(catalog, server.url, server.master_key, batch_size=20)
    finally:
        killer.cancel()
    assert "\n" not in str(caught.value)
    server.start()
    # The live index is the last complete one.
    meili = Pipeline(
        engine.index, MeiliEngine(server.url, server.master_key, engine.index.reads.by_ids, timeout=5.0)
    )
    assert meili.search(Query(q="상담")).total > 0
    admin = meilisearch.Client(server.url, server.master_key, timeout=10)
    assert admin.index(LIVE_INDEX).get_stats().number_of_documents == len(catalog.resources)
