"""Repeated answers from memory: what is kept, for how long, under which key, and never wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from search.model import Resource, Results
from search.sqlite_engine import SqliteEngine
from service import answer_cache
from service.answer_cache import AnswerStore
from service.app import create_app
from service.reload import Live
from service.settings import Settings, parse_cache_size

T0 = 1_800_000_000.0  # a whole minute: 2027-01-15 08:00:00 UTC
CANARY = "카나리아zq9"


class Counting:
    """The real engine, counting the searches (and look-ups of one resource) it is asked for."""

    def __init__(self, engine: SqliteEngine) -> None:
        self.engine = engine
        self.searches = 0
        self.gets = 0
        self.name = engine.name
        self.data_hash = engine.data_hash

    def search(self, query: object) -> Results:
        self.searches += 1
        return self.engine.search(query)

    def get(self, resource_id: str) -> Resource | None:
        self.gets += 1
        return self.engine.get(resource_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


class Clock:
    def __init__(self) -> None:
        self.now = T0 + 5

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(answer_cache, "_now", c)
    return c


def _app(db_path: Path, engine: SqliteEngine, cache_bytes: int = 2**20) -> tuple[Litestar, Counting]:
    app = create_app(Settings(db_path=db_path, rate_limit=None, answer_cache=cache_bytes))
    counting = Counting(engine)
    app.state.engine = counting
    return app, counting


@pytest.fixture
def served(db_path: Path, engine: SqliteEngine, clock: Clock) -> Iterator[tuple[TestClient, Counting]]:
    app, counting = _app(db_path, engine)
    with TestClient(app) as c:
        yield c, counting


def _store(client: TestClient) -> AnswerStore:
    store = client.app.stores.get("answers")
    assert isinstance(store, AnswerStore)
    return store


# -- the store ------------------------------------------------------------------------------------


def _run(coro: Any) -> Any:
    """Run a store method to its end in one step: it must not await (it runs whole on the loop)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise AssertionError("the store awaited something")


def test_an_answer_is_kept_only_when_asked_for_a_second_time() -> None:
    clock = Clock()
    store = AnswerStore(1000, clock)
    key = f"{int(clock.now // 60)}:abc"
    assert _run(store.get(key)) is None
    _run(store.set(key, b"first"))
    assert store.size == (0, 0), "a request made once must not be kept"
    assert _run(store.get(key)) is None
    _run(store.set(key, b"second"))
    assert store.size == (1, 6)
    assert _run(store.get(key)) == b"second"
    assert _run(store.exists(key)) and _run(store.expires_in(key)) == 55


def test_a_new_minute_forgets_everything_and_an_answer_begun_before_it_is_not_kept() -> None:
    clock = Clock()
    store = AnswerStore(1000, clock)
    key = f"{int(clock.now // 60)}:abc"
    for _ in range(2):
        _run(store.get(key))
    clock.now += 60
    _run(store.set(key, b"made last minute"))  # its request began in the minute before
    assert store.size == (0, 0)
    fresh = f"{int(clock.now // 60)}:abc"
    assert _run(store.get(key)) is None, "a key of the minute before is not even counted"
    assert _run(store.get(fresh)) is None and _run(store.get(fresh)) is None
    _run(store.set(fresh, b"now"))
    assert _run(store.get(fresh)) == b"now"
    clock.now += 60
    assert _run(store.get(fresh)) is None and store.size == (0, 0)


def test_the_store_holds_no_more_bytes_than_allowed() -> None:
    clock = Clock()
    store = AnswerStore(10, clock)
    minute = int(clock.now // 60)
    for name, value in (("a", b"12345678"), ("b", b"123")):
        key = f"{minute}:{name}"
        _run(store.get(key))
        _run(store.get(key))
        _run(store.set(key, value))
    assert store.size == (1, 8)
    off = AnswerStore(0, clock)
    for _ in range(3):
        assert _run(off.get(f"{minute}:a")) is None
        _run(off.set(f"{minute}:a", b"x"))
    assert off.size == (0, 0)


@pytest.mark.parametrize(("value", "size"), [("32", 32 * 2**20), ("0", 0), (" 8 ", 8 * 2**20)])
def test_cache_size_setting(value: str, size: int) -> None:
    assert parse_cache_size(value) == size


@pytest.mark.parametrize("value", ["", "-1", "1.5", "32MB", "5000"])
def test_a_bad_cache_size_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="HAVEN_ANSWER_CACHE_MB"):
        parse_cache_size(value)


# -- in the app -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/search?region=KR-26&topic=takedown", "/search?region=KR-26", "/embed?region=KR-41",
     "/resources/women-1366?lang=en&back=q%3D1366"],
)  # fmt: skip
def test_a_third_identical_request_is_answered_without_searching(
    served: tuple[TestClient, Counting], url: str
) -> None:
    client, counting = served
    bodies = [client.get(url) for _ in range(2)]
    asked = (counting.searches, counting.gets)
    assert sum(asked) >= 2
    bodies += [client.get(url) for _ in range(2)]
    assert [r.status_code for r in bodies] == [200] * 4
    assert (counting.searches, counting.gets) == asked, "the third and fourth requests are kept answers"
    assert len({r.content for r in bodies}) == 1
    assert len({r.headers["etag"] for r in bodies}) == 1
    assert bodies[3].headers["referrer-policy"] == "no-referrer" and "set-cookie" not in bodies[3].headers
    assert client.get(url, headers={"If-None-Match": bodies[0].headers["etag"]}).status_code == 304


def test_what_the_answer_depends_on_is_part_of_the_key(served: tuple[TestClient, Counting]) -> None:
    client, counting = served
    for _ in range(3):
        english = client.get("/search?region=KR-26", headers={"Accept-Language": "en-US,en;q=0.9"})
    korean = client.get("/search?region=KR-26", headers={"Accept-Language": "ko-KR"})
    assert '<html lang="en">' in english.text and '<html lang="ko">' in korean.text
    searched = counting.searches
    for url in ("/search?region=KR-26&offset=10", "/search?region=KR-11", "/search?region=KR-26&lang=en"):
        client.get(url)
    assert counting.searches == searched + 3


def test_free_text_is_never_kept(served: tuple[TestClient, Counting]) -> None:
    """A kept answer comes faster than a search: keeping typed words would let anyone learn that
    someone else searched them within the minute."""
    client, counting = served
    for url in (f"/api/v1/search?q={CANARY}", f"/search?q={CANARY}", f"/search?q={CANARY}&region=KR-26"):
        for _ in range(4):
            assert CANARY in client.get(url).text
    assert counting.searches == 12, "every request with words was searched"
    store = _store(client)
    assert store.size == (0, 0) and not store._asked


def test_keys_hold_no_query_text(served: tuple[TestClient, Counting]) -> None:
    client, _ = served
    for _ in range(3):
        client.get("/api/v1/search?region=KR-26")
    store = _store(client)
    keys = [*store._answers, *store._asked]
    assert keys and all(re.fullmatch(r"\d+:[0-9a-f]{32}", k) for k in keys)


def test_an_answer_is_never_served_past_its_minute(served: tuple[TestClient, Counting], clock: Clock) -> None:
    client, counting = served
    for _ in range(3):
        client.get("/api/v1/search?region=KR-26&open_now=true")
    assert counting.searches == 2
    clock.now += 60  # open-now may differ in the next minute: search again
    client.get("/api/v1/search?region=KR-26&open_now=true")
    assert counting.searches == 3
    assert _store(client).size == (0, 0)


def test_errors_are_not_kept(db_path: Path, engine: SqliteEngine, clock: Clock) -> None:
    class Failing(Counting):
        def search(self, query: object) -> Results:
            self.searches += 1
            raise RuntimeError("disk on fire")

    app = create_app(Settings(db_path=db_path, rate_limit=None))
    failing = Failing(engine)
    app.state.engine = failing
    with TestClient(app) as client:
        for _ in range(3):
            assert client.get("/api/v1/search?q=상담").status_code == 503
            assert client.get("/search?q=상담").status_code == 503
            assert client.get("/api/v1/search?q=상담&limit=0").status_code == 400
        assert failing.searches == 6 and _store(client).size == (0, 0)


def test_a_reload_empties_the_store(served: tuple[TestClient, Counting], engine: SqliteEngine) -> None:
    client, counting = served
    for _ in range(3):
        client.get("/api/v1/search?region=KR-26")
    assert _store(client).size[0] == 1
    client.app.state.swap(Live.from_engine(counting))
    assert _store(client).size == (0, 0)
    client.get("/api/v1/search?region=KR-26")
    assert counting.searches == 3


def test_a_store_of_zero_keeps_nothing(db_path: Path, engine: SqliteEngine, clock: Clock) -> None:
    app, counting = _app(db_path, engine, cache_bytes=0)
    with TestClient(app) as client:
        for _ in range(4):
            client.get("/api/v1/search?region=KR-26")
    assert counting.searches == 4
