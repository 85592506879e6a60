"""Nothing anyone else asked or opened changes the answer a visitor gets, nor how fast it comes.

The probe is a stranger's: someone (the "visitor") opens a page or searches some words; then the
stranger asks that same address twice, and a fresh address twice, in random order, timing each
request, and guesses from the times which address the visitor asked for. Over 120 trials the
guess, by the best threshold learnt on one half of the trials and scored on the other, must be
right no more often than 60 % of the time (a coin is right 50 %; a store of answers or a cache of
QR codes made it 99–100 %). All traffic is on 127.0.0.1; every loop is bounded by its trial count.

Then the answers themselves: a repeated single-valued parameter is refused rather than read two
ways, and compression follows one negotiation that honours ``q=0``.
"""

from __future__ import annotations

import gzip
import http.client
import random
import time
import urllib.parse

import pytest

from search.catalog import Catalog
from search.sqlite_engine import SqliteEngine
from tests.hardening.conftest import MEASURES, Server, tried

TRIALS = 120
#: The most a stranger may be right; a coin is 0.5 (and, over 120 trials, within 0.6 nearly always).
MAX_ACCURACY = 0.6


class _Client:
    """One kept-alive connection, timing each request from sending to the last byte read."""

    def __init__(self, server: Server) -> None:
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=15)

    def get(self, path: str) -> float:
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept-Encoding": "br"})
        response = self.conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def _threshold_accuracy(train: list[tuple[float, bool]], test: list[tuple[float, bool]]) -> float:
    """Accuracy on ``test`` of the threshold (and side) that does best on ``train``."""
    best = (0.0, 0.0, True)
    for cut in sorted({t for t, _ in train}):
        for faster_means_asked in (True, False):
            right = sum((t <= cut) == (asked if faster_means_asked else not asked) for t, asked in train)
            if right > best[0]:
                best = (right, cut, faster_means_asked)
    _, cut, side = best
    return sum((t <= cut) == (asked if side else not asked) for t, asked in test) / len(test)


def _accuracy(samples: list[tuple[float, bool]]) -> float:
    """Two-fold: learn on one half of the trials, score on the other, and the other way round."""
    half = len(samples) // 2
    first, second = samples[:half], samples[half:]
    return (_threshold_accuracy(first, second) + _threshold_accuracy(second, first)) / 2


def _probe(server: Server, pairs: list[tuple[str, str]], name: str) -> float:
    """For each (asked, fresh) pair: a visitor asks for ``asked``; then a stranger asks for each
    of the two addresses twice, in random order. How well the stranger tells them apart, by the
    time of the first or of the second request (whichever tells more)."""
    rng = random.Random(30)
    visitor, stranger = _Client(server), _Client(server)
    firsts: list[tuple[float, bool]] = []
    seconds: list[tuple[float, bool]] = []
    try:
        for asked, fresh in pairs:
            visitor.get(asked)
            order = [(asked, True), (fresh, False)]
            rng.shuffle(order)
            for path, was_asked in order:
                firsts.append((stranger.get(path), was_asked))
                seconds.append((stranger.get(path), was_asked))
    finally:
        visitor.close()
        stranger.close()
    # Samples in trial order: the two folds are the first and last halves of the run.
    accuracy = max(_accuracy(firsts), _accuracy(seconds))
    tried(f"timing probe: {name}", len(pairs))
    MEASURES[f"timing oracle, {name} ({len(pairs)} trials)"] = f"accuracy {accuracy:.2f}"
    return accuracy


@pytest.fixture(scope="module")
def server(shared_server: Server) -> Server:
    return shared_server


def _distinct(paths: list[str], n: int) -> list[tuple[str, str]]:
    assert len(paths) >= 2 * n, f"only {len(paths)} distinct addresses for {n} trials"
    random.Random(4).shuffle(paths)
    return [(paths[2 * i], paths[2 * i + 1]) for i in range(n)]


@pytest.mark.timing  # times requests: alone, no other test process beside it (Makefile)
@pytest.mark.timeout(240)
def test_resource_pages_and_their_qr_codes_do_not_tell_who_opened_them(
    server: Server, catalog: Catalog
) -> None:
    # Each resource page carries a QR code of its own address, in each language.
    paths = [f"/resources/{r.id}?lang={lang}" for r in catalog.resources for lang in ("ko", "en")]
    assert _probe(server, _distinct(paths, TRIALS), "resource pages and QR codes") <= MAX_ACCURACY


@pytest.mark.timing  # times requests: alone, no other test process beside it (Makefile)
@pytest.mark.timeout(240)
def test_listings_and_embeds_do_not_tell_who_opened_them(server: Server, catalog: Catalog) -> None:
    # Pages without typed words: a region's listing filtered by audience or kind, a school's embed.
    regions = [r.code for r in catalog.regions]
    kinds = sorted({r.kind for r in catalog.resources})
    paths = [f"/search?region={code}&audience={a}&lang={lang}" for code in regions for a in ("minors", "adults")
             for lang in ("ko", "en")]  # fmt: skip
    paths += [f"/search?region={code}&kind={k}" for code in regions for k in kinds]
    paths += [f"/embed?region={code}&lang={lang}" for code in regions for lang in ("ko", "en")]
    assert _probe(server, _distinct(paths, TRIALS), "listings and embeds") <= MAX_ACCURACY


@pytest.mark.timing  # times requests: alone, no other test process beside it (Makefile)
@pytest.mark.timeout(240)
def test_words_someone_searched_are_not_answered_faster(server: Server, engine: SqliteEngine) -> None:
    # Words of the index, the kind a process could remember having looked up.
    words = sorted(w for w, (df, _) in engine.index.lexicon.hangul.items() if df >= 1 and len(w) >= 2)
    paths = [f"/api/v1/search?q={urllib.parse.quote(w)}" for w in words]
    # Searches vary more in time than pages: more trials keep a coin's score near 0.5.
    assert _probe(server, _distinct(paths, 2 * TRIALS), "index words") <= MAX_ACCURACY


# -- one reading of each parameter ------------------------------------------------------------


def _status(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=15)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    ["/search?q=&q=%EB%94%A5%ED%8E%98%EC%9D%B4%ED%81%AC", "/search?q=1366&q=112", "/api/v1/search?q=&q=1366",
     "/search?region=KR-11&region=KR-26", "/embed?region=KR-11&region=KR-26", "/resources/women-1366?lang=en&lang=ko",
     "/api/v1/search?q=1&limit=5&limit=6", "/hsds/services?page=1&page=2"],
)  # fmt: skip
def test_a_parameter_given_twice_is_refused(server: Server, path: str) -> None:
    status, headers, body = _status(server, path)
    tried("repeated parameters")
    assert status == 400, (path, status)
    assert headers.get("cache-control") == "no-store"
    if path.startswith(("/api/", "/hsds/")):
        assert b'"bad-parameter"' in body


def test_lists_may_still_repeat(server: Server, catalog: Catalog) -> None:
    ids = [r.id for r in catalog.resources[:2]]
    for path in ["/search?kind=hotline&kind=police", "/api/v1/search?audience=minors&audience=adults",
                 f"/card?ids={ids[0]}&ids={ids[1]}"]:  # fmt: skip
        assert _status(server, path)[0] == 200, path


# -- one compression negotiation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "sent"),
    [("gzip, br;q=0", "gzip"), ("br;q=0, gzip", "gzip"), ("gzip;q=1.0, br;q=0.0", "gzip"),
     ("br;q=0.5, gzip", "gzip"), ("br;q=0, gzip;q=0", None), ("*;q=0", None), ("*", "br"), ("br", "br")],
)  # fmt: skip
def test_compression_honours_q_zero_every_time(server: Server, accept: str, sent: str | None) -> None:
    plain = _status(server, "/resources/women-1366", {"Accept-Encoding": "identity"})[2]
    for _ in range(3):  # the first answer and any later one alike
        status, headers, body = _status(server, "/resources/women-1366", {"Accept-Encoding": accept})
        assert status == 200
        assert headers.get("content-encoding") == sent, (accept, headers.get("content-encoding"))
        if sent == "gzip":
            assert gzip.decompress(body) == plain
        elif sent is None:
            assert body == plain
    tried("compression negotiation", 3)
