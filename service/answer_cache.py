"""Answers asked for again within the same minute are sent from memory instead of searched again.

A crisis directory's traffic has a head: after news of a deepfake ring, many people search
"딥페이크" or their region within minutes and open the same few services' pages, and every
visitor of a school's site loads the same embed. A search costs ten times or more what the HTTP
stack does (BENCHMARKS.md), so answering those repeats from memory is what lets one machine
absorb a surge. Litestar's response cache (``cache=`` on a route) does the work; this module
decides what it may keep, for how long, and under which key, because the keys and answers hold
what a person typed:

- **Nothing outlives its minute.** Every answer is dropped when the clock's minute changes.
  Open-now is decided to the minute (opening hours are whole minutes), and the key carries the
  minute its request began in: an answer is kept only if it was made within one minute, so a kept
  answer is exactly what a new search would give until that minute ends.
- **Free text is never kept** (a request with ``q``): a faster answer would reveal that someone
  else typed the same words within the minute. What is kept has no typed text in it.
- **A request asked once is never kept.** An answer is stored only when the same request comes a
  second time within the minute; until then the store remembers a digest of the request, not its
  text. A name, a school or a sentence typed by one person lives only as long as their request.
- **Keys are keyed digests.** BLAKE2b with a secret drawn when the process starts: the store's
  keys hold no query text, and two processes' keys cannot be compared.
- **Only this process's memory.** Nothing is written, logged or shared between workers, and the
  store is bounded in bytes (``HAVEN_ANSWER_CACHE_MB``; ``0`` keeps nothing).
- **A reload empties it**, and the index's data hash is part of every key besides.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from litestar import Request
from litestar.config.response_cache import ResponseCacheConfig
from litestar.stores.base import Store

from service.i18n import negotiate

__all__ = ("CACHED_FOR", "AnswerStore", "answer_cache_config", "answer_key")

#: What routes pass as ``cache=``: the store drops every answer at the end of its minute anyway.
CACHED_FOR = 60
#: Digests of requests asked once this minute, at most (about 100 bytes each); past this, new
#: requests are answered but not counted until the minute ends.
_MAX_ASKED = 50_000
#: Drawn once per process: keys cannot be recomputed from outside it, nor matched across workers.
_SECRET = secrets.token_bytes(32)
#: Where a request's first key is kept, so the key of its answer is the key it was looked up by.
_STATE_KEY = "haven_answer_key"


def _now() -> float:
    """Seconds since the epoch (one place, so tests can move the clock)."""
    return time.time()


def _minute(now: float) -> int:
    return int(now // 60)


def _encoding(accept: str) -> str:
    """The compression the app answers ``Accept-Encoding`` with: brotli, gzip or none."""
    offered = set()
    for item in accept.lower().split(","):
        name, _, params = item.partition(";")
        if params.strip().replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            offered.add(name.strip())
    return "br" if "br" in offered else "gzip" if "gzip" in offered else "identity"


def answer_key(request: Request[Any, Any, Any]) -> str:
    """``"<minute>:<digest>"`` of everything the cached routes' answers depend on.

    The minute is the one the request began in, kept in the request's state: Litestar asks for the
    key again when it stores the answer, and by then the clock may have moved on.
    """
    state = request.scope.setdefault("state", {})
    key: str | None = state.get(_STATE_KEY)
    if key is not None:
        return key
    scope = request.scope
    headers = request.headers
    lang = negotiate(request.query_params.get("lang"), headers.get("accept-language"))
    digest = hashlib.blake2b(key=_SECRET, digest_size=16)
    for part in (
        request.app.state.engine.data_hash.encode(),
        scope["path"].encode("utf-8", "surrogateescape"),
        scope["query_string"],
        lang.encode(),
        # Share links and QR codes name the site by the request's own address when
        # HAVEN_PUBLIC_URL is unset.
        scope.get("scheme", "http").encode(),
        headers.get("host", "").encode("latin-1", "replace"),
        # The answer is kept as sent, compressed for this client (service/app.py).
        _encoding(headers.get("accept-encoding", "")).encode(),
    ):
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    # Free text is never kept: an answer from memory is faster than a search, and the difference
    # would tell a stranger that someone searched the same words in the last minute. Region pages,
    # resource pages, the embed and filter-only listings may be kept; a "free:" key is refused by
    # AnswerStore (it names no minute), so such a request is always searched.
    minute = "free" if request.query_params.get("q", "").strip() else str(_minute(_now()))
    key = f"{minute}:{digest.hexdigest()}"
    state[_STATE_KEY] = key
    return key


class AnswerStore(Store):
    """Answers of the current minute, in memory, kept only for requests made at least twice.

    Every method is free of ``await``: on the server's event loop each runs whole, so no lock is
    needed.

    Args:
        max_bytes: The most the kept answers may hold; ``0`` keeps nothing.
        clock: Seconds since the epoch (default: the one :func:`answer_key` reads).
    """

    def __init__(self, max_bytes: int, clock: Callable[[], float] | None = None) -> None:
        self.max_bytes = max_bytes
        self._clock = clock or (lambda: _now())
        self._minute = _minute(self._clock())
        self._answers: dict[str, bytes] = {}
        self._asked: dict[str, int] = {}
        self._bytes = 0

    def _current(self, key: str) -> bool:
        """Start afresh when the minute has changed; whether ``key`` was made in this minute."""
        minute = _minute(self._clock())
        if minute != self._minute:
            self._minute = minute
            self._answers.clear()
            self._asked.clear()
            self._bytes = 0
        return key.partition(":")[0] == str(minute)

    @property
    def size(self) -> tuple[int, int]:
        """(answers kept, bytes they hold)."""
        return len(self._answers), self._bytes

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if not self.max_bytes or not self._current(key):
            return None
        answer = self._answers.get(key)
        if answer is None and (key in self._asked or len(self._asked) < _MAX_ASKED):
            self._asked[key] = self._asked.get(key, 0) + 1
        return answer

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        # A request asked for once (this one) is never kept; nor is an answer begun last minute.
        if not self._current(key) or self._asked.get(key, 0) < 2 or key in self._answers:
            return
        data = value.encode() if isinstance(value, str) else value
        if self._bytes + len(data) > self.max_bytes:
            return
        del self._asked[key]
        self._answers[key] = data
        self._bytes += len(data)

    async def delete(self, key: str) -> None:
        if key in self._answers:
            self._bytes -= len(self._answers.pop(key))
        self._asked.pop(key, None)

    async def delete_all(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every answer and every digest (on reload)."""
        self._answers.clear()
        self._asked.clear()
        self._bytes = 0

    async def exists(self, key: str) -> bool:
        return self._current(key) and key in self._answers

    async def expires_in(self, key: str) -> int | None:
        if not await self.exists(key):
            return None
        return 60 - int(self._clock() % 60)


def answer_cache_config() -> ResponseCacheConfig:
    """Litestar's response cache with :func:`answer_key`, kept in the app's ``answers`` store.

    Only a 200 is kept: an error or a 503 (the engine down) is worked out anew each time.
    """
    return ResponseCacheConfig(
        default_expiration=CACHED_FOR,
        key_builder=answer_key,
        store="answers",
        cache_response_filter=lambda _scope, status: status == 200,
    )
