"""Clients that ask for a large page and never read it: they lose their connection, people don't.

A client with a tiny receive window that never reads leaves the server's answer unsent. Such a
connection must not hold a place under the connection cap for longer than the send deadline, and
at the cap it gives its place to a newcomer before anyone gets ``503``. Every socket is on
127.0.0.1; every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import MEASURES, Server, tried

#: Every resource as JSON: a large answer (about 580 KB) that costs the server little to make.
LARGE = "/api/v1/resources"


#: Requests pipelined on each connection: their answers (about 2.3 MB) are more than the kernel's
#: send buffer on loopback takes (1.6 MB here, against the 43 KB a large page needs on a real
#: network), so the rest waits in the server's memory and its writes stop.
PIPELINED = 4


def _stalled(port: int, path: str, n: int) -> list[socket.socket]:
    """``n`` connections that ask for ``path`` again and again with a receive window of a few KB,
    and never read."""
    socks: list[socket.socket] = []
    for _ in range(n):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # the kernel's minimum window
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * PIPELINED)
        except OSError:
            sock.close()
            continue
        socks.append(sock)
    return socks


def _get(port: int, path: str = "/", timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def _open_sockets(pid: int) -> int:
    """TCP sockets the server process holds (its listening socket included)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd).startswith("socket:"):
                count += 1
    return count


@pytest.fixture
def small_server(serve: Any, db_path: Path) -> Server:
    """A server with room for 16 connections, a 1 s head deadline and a 2 s send deadline."""
    server: Server = serve(
        "--db",
        str(db_path),
        env={"HAVEN_MAX_CONNECTIONS": "16", "HAVEN_HEAD_TIMEOUT": "1", "HAVEN_SEND_TIMEOUT": "2"},
    )
    return server


@pytest.fixture
def stalled(small_server: Server) -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


def test_the_answers_asked_for_are_more_than_the_socket_buffers_take(small_server: Server) -> None:
    # The attack needs answers that cannot all sit in the kernel's buffers: check they are.
    conn = http.client.HTTPConnection("127.0.0.1", small_server.port, timeout=5)
    conn.request("GET", LARGE)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200
    assert len(body) * PIPELINED > 2_000_000, len(body)


def test_clients_that_never_read_cannot_fill_the_connection_cap(
    small_server: Server, stalled: list[socket.socket]
) -> None:
    stalled += _stalled(small_server.port, LARGE, 48)  # three times the cap
    tried("connections that never read", len(stalled))
    time.sleep(0.5)  # the answers are written as far as the windows allow
    statuses = []
    for _ in range(10):
        statuses.append(_get(small_server.port, "/safety"))
        stalled += _stalled(small_server.port, LARGE, 4)  # and they keep coming
    assert statuses == [200] * 10, statuses


def test_a_connection_whose_answer_does_not_drain_is_dropped_within_the_send_deadline(
    small_server: Server, stalled: list[socket.socket]
) -> None:
    before = _open_sockets(small_server.pid)
    stalled += _stalled(small_server.port, LARGE, 12)  # under the cap: nothing is evicted
    time.sleep(0.5)
    held = _open_sockets(small_server.pid) - before
    assert held >= 10, f"only {held} connections were held: the attack did not take"
    deadline = time.monotonic() + 15  # send deadline 2 s + head deadline 1 s + keep-alive, bounded
    left = held
    while time.monotonic() < deadline:
        left = _open_sockets(small_server.pid) - before
        if left <= 0:
            break
        time.sleep(0.25)
    waited = 15 - max(0.0, deadline - time.monotonic())
    MEASURES["connections that never read, held by the server"] = f"{held} → {left} after {waited:.1f} s"
    assert left <= 0, f"{left} of {held} connections still held after {waited:.1f} s"
    # The clients learn it: their connection was reset or closed, not left hanging.
    for sock in stalled:
        sock.settimeout(5)
        with contextlib.suppress(ConnectionResetError):
            while sock.recv(65536):
                pass
