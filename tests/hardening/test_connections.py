"""Slow and oversized clients against a real `haven serve`: they lose their connection, people don't.

Each test opens raw sockets to 127.0.0.1 and is bounded by socket timeouts and connection counts.
"""

from __future__ import annotations

import contextlib
import http.client
import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import MEASURES, Server, raise_own_file_limit, rss_kib, tried

HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _answer(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """What the server sends before it closes the connection, which it must do within ``timeout``."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        raise AssertionError(
            f"the server kept the connection open {timeout:g} s; it sent {data[:80]!r}"
        ) from None
    except ConnectionResetError:
        pass  # closed with unread bytes behind: still closed
    return data


def _get(port: int, path: str = "/", timeout: float = 5.0) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


@pytest.fixture
def quick_server(serve: Any, db_path: Path) -> Server:
    """A server that gives a request head one second."""
    server: Server = serve("--db", str(db_path), env={"HAVEN_HEAD_TIMEOUT": "1"})
    return server


def test_a_head_that_trickles_gets_408_and_the_connection_closes(quick_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(HEAD + b"X-Slow: ")
        started = time.monotonic()
        for _ in range(3):  # a byte now and then, as a slow-headers client sends
            time.sleep(0.3)
            with contextlib.suppress(OSError):
                sock.sendall(b"a")
        answer = _answer(sock)
    tried("slow head")
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert b"connection: close" in answer
    assert time.monotonic() - started < 8  # closed by the server, not by our timeout


def test_a_connection_that_sends_nothing_is_closed(quick_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        assert _answer(sock) == b""  # closed without a word: there was no request to answer
    tried("idle connection")


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_head(quick_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(HEAD + b"\r\n")
        sock.settimeout(5)
        first = b""
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /safety HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")  # then nothing more
        rest = _answer(sock)
    assert b"HTTP/1.1 408 " in rest


def test_headers_over_the_limit_get_431(quick_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(HEAD + b"X-Big: " + b"a" * 20_000 + b"\r\n\r\n")
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    # Many headers, each small, count together.
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(HEAD + b"".join(b"X-%d: %s\r\n" % (i, b"b" * 50) for i in range(400)) + b"\r\n")
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    # The server still answers normally afterwards.
    assert _get(quick_server.port)[0] == 200


def test_a_long_address_gets_414(quick_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(b"GET /search?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:80]


def test_memory_stays_bounded_when_clients_send_megabytes_of_headers(quick_server: Server) -> None:
    pid = quick_server.pid
    before = rss_kib(pid)
    chunk = b"X-Junk: " + b"j" * 65_000 + b"\r\n"
    sent_total = 0
    socks = [socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) for _ in range(10)]
    try:
        for sock in socks:
            sock.sendall(HEAD)
        for _ in range(480):  # up to 31 MB each, as long as the server keeps reading
            for sock in list(socks):
                try:
                    sock.sendall(chunk)
                    sent_total += len(chunk)
                except OSError:
                    socks.remove(sock)  # the server answered 431 and closed: expected
            if not socks:
                break
    finally:
        for sock in socks:
            sock.close()
    after = rss_kib(pid)
    MEASURES["RSS under 10 x 31 MB headers"] = f"{before // 1024} → {after // 1024} MiB"
    tried("oversized headers", 10)
    assert not socks, "the server kept reading megabytes of headers"
    assert sent_total < 10 * 4 * 2**20, f"{sent_total} bytes were accepted before the connections closed"
    assert after - before < 64 * 1024, f"RSS grew from {before} to {after} KiB"


def _limit_server_files() -> None:  # runs in the server's process, before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.fixture
def server_with_1024_files(tmp_path: Path, db_path: Path) -> Iterator[Server]:
    """A server whose process may open 1,024 files, as under a common default `ulimit -n`."""
    import os

    from tests.conftest import HAVEN

    server = Server(tmp_path / "capped", ["--db", str(db_path)])
    server.workdir.mkdir(parents=True)
    with (server.workdir / "stderr.log").open("wb") as err:
        server.process = subprocess.Popen(
            [HAVEN, "serve", "--host", "127.0.0.1", "--port", str(server.port), "--db", str(db_path)],
            cwd=server.workdir, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
            env={**os.environ, "HAVEN_RATE_LIMIT": "0", "PYTHONUNBUFFERED": "1", "HAVEN_HEAD_TIMEOUT": "60"},
            preexec_fn=_limit_server_files,
        )  # fmt: skip
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_two_thousand_slow_connections_do_not_keep_a_person_out(server_with_1024_files: Server) -> None:
    server = server_with_1024_files
    wanted = 2000
    n = min(wanted, raise_own_file_limit(wanted + 200) - 200)
    slow: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = socket.socket()
            sock.settimeout(5)
            try:
                sock.connect(("127.0.0.1", server.port))
                sock.sendall(HEAD + b"X-Slow: ")
            except OSError:
                sock.close()
                continue  # closed at once to make room: the cap at work
            slow.append(sock)
        tried("slow connections", n)
        statuses, waits = [], []
        for i in range(20):
            status, waited = _get(server.port, "/search?q=%EB%94%A5%ED%8E%98%EC%9D%B4%ED%81%AC")
            statuses.append(status)
            waits.append(waited)
            for sock in slow[i * 50 : (i + 1) * 50]:  # the slow ones keep trickling
                with contextlib.suppress(OSError):
                    sock.send(b"a")
    finally:
        for sock in slow:
            sock.close()
    waits.sort()
    MEASURES[f"normal requests among {n} slow connections"] = (
        f"median {waits[len(waits) // 2] * 1000:.0f} ms, slowest {waits[-1] * 1000:.0f} ms"
    )
    assert n >= 1500, f"only {n} client sockets could be opened here"
    assert statuses == [200] * 20, statuses
    announced = f"Haven is serving {server.base} (Ctrl-C stops)\n"  # the server's own address, said once
    assert server.logs().startswith(announced)
    logs = server.logs().removeprefix(announced)
    assert "connection cap" in logs  # the operator hears of it, once, without any address
    assert logs.count("connection cap") == 1
    assert "127.0.0.1" not in logs


def test_junk_requests_in_a_loop_write_one_log_line(quick_server: Server) -> None:
    before = quick_server.logs().count("Invalid HTTP request")
    for _ in range(40):
        with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
            sock.sendall(b"\x16\x03\x01 junk that is not HTTP\r\n\r\n")
            assert _answer(sock).startswith(b"HTTP/1.1 400 ")
    tried("junk request", 40)
    assert quick_server.logs().count("Invalid HTTP request") - before <= 1


def test_api_requests_refused_for_size_get_json(quick_server: Server) -> None:
    import json

    for target, extra, status, error in [
        (b"/api/v1/search?q=" + b"a" * 30_000, b"", 414, "uri-too-long"),  # more than a head's worth
        (b"/api/v1/search?q=1366", b"X-Big: " + b"b" * 20_000 + b"\r\n", 431, "headers-too-large"),
    ]:
        with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")
            answer = _answer(sock)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d " % status), head[:60]
        assert b"content-type: application/json" in head
        assert json.loads(body)["error"] == error
        assert set(json.loads(body)) == {
            "error",
            "detail",
        }  # the API's shape: no parameter to blame, none given
