"""Fallback to the SQLite index, proven with real sockets on 127.0.0.1 and the real client.

Four ways Meilisearch fails a request — a closed port, a socket that accepts and never answers,
a server that answers 500 — and a server that answers again. The "answers again" server is a
minimal stub that returns a Meilisearch-shaped search response: enough to prove recovery. It is
not a stand-in for Meilisearch; tests/search/test_meili_integration.py needs a real one.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest

from search.catalog import Catalog
from search.engine import EngineError
from search.fallback import FallbackEngine, open_engine
from search.meili_engine import MeiliEngine
from search.meili_sync import documents_from_catalog
from search.model import Query
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine, SqliteIndex
from tests.conftest import run_haven

TIMEOUT = 0.3
SECRET_QUERY = "비밀검색어 secretquery"


class Clock:
    """A monotonic clock the test moves by hand, so backoff is checked without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fallback_to(url: str, local: SqliteEngine, clock: Clock) -> Pipeline:
    """The search a service runs with Meilisearch at ``url``: the same pipeline, a fallback source."""
    meili = MeiliEngine(url, "search-key", local.index.reads.by_ids, timeout=TIMEOUT)
    return Pipeline(local.index, FallbackEngine(meili, local.index, jitter=0.0, clock=clock))


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "search.fallback" and r.levelno == logging.WARNING]


# -- servers ------------------------------------------------------------------------------------


@dataclass
class Silent:
    """A socket that accepts connections and never answers, and the connections it accepted."""

    url: str
    held: list[socket.socket]


@pytest.fixture
def silent_url(silent: Silent) -> str:
    return silent.url


@pytest.fixture
def silent() -> Iterator[Silent]:
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)  # kept open, never read, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield Silent(f"http://127.0.0.1:{listener.getsockname()[1]}", held)
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@dataclass
class Stub:
    """A local HTTP server that answers every search with an error or with valid-looking results."""

    url: str
    mode: str  # "error" (500) or "ok"
    requests: int = 0


class StubHandler(BaseHTTPRequestHandler):
    stub: Stub
    hits: list[dict[str, Any]]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.stub.requests += 1
        if self.stub.mode == "error":
            body: dict[str, Any] = {"message": "internal error", "code": "internal", "type": "internal"}
            status = 500
        else:
            kinds: dict[str, int] = {}
            for h in self.hits:
                kinds[h["kind"]] = kinds.get(h["kind"], 0) + 1
            body = {
                "hits": [{"id": h["id"], "record": h["record"], "_rankingScore": 0.9} for h in self.hits],
                "query": "",
                "processingTimeMs": 1,
                "hitsPerPage": 20,
                "page": 1,
                "totalPages": 1,
                "totalHits": len(self.hits),
                "facetDistribution": {"kind": kinds},
            }
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub(catalog: Catalog) -> Iterator[Stub]:
    class Handler(StubHandler):
        hits = documents_from_catalog(catalog)[:3]

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.stub = Stub(f"http://127.0.0.1:{server.server_address[1]}", "error")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Handler.stub
    server.shutdown()
    server.server_close()


# -- the four failures --------------------------------------------------------------------------


def test_unreachable_server_is_answered_from_sqlite(
    engine: SqliteEngine, clock: Clock, caplog: pytest.LogCaptureFixture, refused_port: int
) -> None:
    fallback = fallback_to(f"http://127.0.0.1:{refused_port}", engine, clock)
    query = Query(q="딥페이크 신고")
    expected = [h.resource.id for h in engine.search(query).results]
    for _ in range(5):
        results = fallback.search(query)
        assert results.engine == "sqlite"
        assert [h.resource.id for h in results.results] == expected
        clock.now += 5  # past every pause: each of these searches tries Meilisearch again
    assert len(warnings(caplog)) == 1
    assert "127.0.0.1" in warnings(caplog)[0].getMessage()


def test_a_server_that_never_answers_costs_one_timeout_then_nothing(
    engine: SqliteEngine, clock: Clock, silent_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fallback = fallback_to(silent_url, engine, clock)
    started = time.perf_counter()
    assert fallback.search(Query(q="상담")).engine == "sqlite"
    first = time.perf_counter() - started
    assert TIMEOUT <= first < TIMEOUT + 1.0
    # During the pause nobody waits for Meilisearch.
    started = time.perf_counter()
    for _ in range(20):
        assert fallback.search(Query(q="상담")).engine == "sqlite"
    assert (time.perf_counter() - started) / 20 < TIMEOUT / 2
    assert len(warnings(caplog)) == 1
    assert "did not answer in time" in warnings(caplog)[0].getMessage()


def test_a_server_error_is_answered_from_sqlite_without_hammering(
    engine: SqliteEngine, clock: Clock, stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    fallback = fallback_to(stub.url, engine, clock)
    for _ in range(10):
        assert fallback.search(Query(q="상담")).engine == "sqlite"
    assert stub.requests == 1
    assert len(warnings(caplog)) == 1
    assert "500" in warnings(caplog)[0].getMessage()


def test_backoff_doubles_then_meilisearch_is_used_again(
    engine: SqliteEngine, clock: Clock, stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="search.fallback")
    fallback = fallback_to(stub.url, engine, clock)
    query = Query(q="상담")
    start = clock.now
    tries = []
    for t in (0, 0.5, 0.99, 1.0, 1.5, 2.99, 3.0, 6.99, 7.0, 14.9):
        clock.now = start + t
        before = stub.requests
        assert fallback.search(query).engine == "sqlite"
        tries.append(stub.requests - before)
    # Tried at 0, then after 1 s, 2 s and 4 s pauses, and not in between.
    assert tries == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert fallback.in_outage

    stub.mode = "ok"
    clock.now = start + 15.0  # the 8 s pause is over
    results = fallback.search(query.__class__(q=query.q, limit=100))
    assert results.engine == "meilisearch"
    # Meilisearch's three are the candidates of the words (the needs add their own lines).
    found = [h.resource.id for h in results.results]
    assert {d.id for d in engine.resources()[:3]} <= set(found)
    assert not fallback.in_outage
    assert fallback.search(query).engine == "meilisearch"  # every request again, no pause
    assert len(warnings(caplog)) == 1
    assert any("answers again" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)

    # A second outage is a second warning, and its pauses start from 1 s again.
    stub.mode = "error"
    assert fallback.search(query).engine == "sqlite"
    assert len(warnings(caplog)) == 2
    clock.now += 1.0
    stub.mode = "ok"
    assert fallback.search(query).engine == "meilisearch"


def test_during_an_outage_one_request_probes_while_the_others_use_sqlite(
    engine: SqliteEngine, clock: Clock, stub: Stub
) -> None:
    fallback = fallback_to(stub.url, engine, clock)
    fallback.search(Query(q="상담"))
    assert stub.requests == 1
    clock.now += 1.0
    engines: list[str] = []
    threads = [threading.Thread(target=lambda: engines.append(fallback.search(Query(q="상담")).engine))
               for _ in range(16)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert engines == ["sqlite"] * 16
    assert stub.requests == 2


# -- privacy and reads --------------------------------------------------------------------------


def test_the_query_never_reaches_the_log(
    engine: SqliteEngine, clock: Clock, stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fallback = fallback_to(stub.url, engine, clock)
    fallback.search(Query(q=SECRET_QUERY, audience=[SECRET_QUERY]))
    stub.mode = "ok"
    clock.now += 1.0
    fallback.search(Query(q=SECRET_QUERY))
    assert len(warnings(caplog)) == 1
    assert "secretquery" not in caplog.text and "비밀" not in caplog.text
    assert "search-key" not in caplog.text


def test_reads_are_local_and_never_wait_for_meilisearch(
    engine: SqliteEngine, clock: Clock, silent: Silent
) -> None:
    fallback = fallback_to(silent.url, engine, clock)
    assert fallback.get("women-1366") == engine.get("women-1366")
    assert len(fallback.resources()) == len(engine.resources())
    assert fallback.regions() == engine.regions() and fallback.taxonomy() == engine.taxonomy()
    assert fallback.count() == engine.count() and fallback.meta == engine.meta
    assert fallback.data_hash == engine.data_hash
    # A read that asked Meilisearch would have connected (and waited for its timeout) by now.
    assert silent.held == []


def test_a_query_that_is_not_a_query_is_a_bug_not_an_outage(
    engine: SqliteEngine, clock: Clock, refused_port: int
) -> None:
    fallback = fallback_to(f"http://127.0.0.1:{refused_port}", engine, clock)
    with pytest.raises(TypeError):
        fallback.search({"q": "상담"})
    assert not fallback.in_outage


# -- choosing the engine ------------------------------------------------------------------------


@dataclass
class Config:
    db_path: Path
    meili_url: str | None = None
    meili_key: str | None = None
    meili_timeout: float = TIMEOUT


def test_without_a_meilisearch_url_sqlite_answers_alone(db_path: Path) -> None:
    assert isinstance(open_engine(Config(db_path)), SqliteEngine)


def test_with_a_meilisearch_url_it_comes_first(db_path: Path) -> None:
    chosen = open_engine(Config(db_path, "http://127.0.0.1:7700", "search-key"))
    assert isinstance(chosen, Pipeline) and isinstance(chosen.source, FallbackEngine)
    assert isinstance(chosen.source.primary, MeiliEngine) and isinstance(chosen.source.fallback, SqliteIndex)
    assert chosen.index is chosen.source.fallback  # one local index: the fallback source reads it


def test_the_master_key_is_refused_for_searching(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_MEILI_MASTER_KEY", "the-master-key")
    with pytest.raises(EngineError, match="search-only"):
        open_engine(Config(db_path, "http://127.0.0.1:7700", "the-master-key"))


def test_cli_search_answers_when_meilisearch_is_down(db_path: Path, refused_port: int) -> None:
    url = f"http://127.0.0.1:{refused_port}"
    result = run_haven("search", "--json", "--db", str(db_path), "--meili-url", url, "딥페이크")
    assert result.returncode == 0, result.stderr
    answer = msgspec.json.decode(result.stdout)
    assert answer["engine"] == "sqlite" and answer["total"] > 0
    assert result.stderr.count("is not answering") == 1 and "딥페이크" not in result.stderr
