"""The sockets `haven serve --workers` gives each worker: TCP named, shared port, spread load.

These run in the test process on loopback; tests/hardening/test_workers.py drives the real
multi-process server.
"""

from __future__ import annotations

import ast
import asyncio
import selectors
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.workers import WorkersError, bind, check_port_free, reuse_port_supported, take_port
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT balancing is Linux-only")


def test_a_worker_socket_is_tcp_and_shares_its_port() -> None:
    first = bind("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = bind("127.0.0.1", port)
    try:
        for sock in (first, second):
            assert sock.proto == socket.IPPROTO_TCP
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert sock.getsockname() == ("127.0.0.1", port)
    finally:
        first.close()
        second.close()


def test_connections_accepted_from_a_worker_socket_have_nagle_off() -> None:
    """asyncio sets TCP_NODELAY only when the listener says it is TCP; without it keep-alive stalls."""
    listener = bind("127.0.0.1", 0)
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    # In a thread of its own: another test (Playwright's sync API) may leave a loop running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result(timeout=30)
    assert seen == [1]


def test_the_kernel_spreads_connections_over_the_worker_sockets() -> None:
    """32 connections at once (as a load burst opens them) land on both sockets, not on one."""
    listeners = [bind("127.0.0.1", 0)]
    port = listeners[0].getsockname()[1]
    listeners.append(bind("127.0.0.1", port))
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
    counts = [0, 0]
    try:
        with selectors.DefaultSelector() as selector:
            for i, sock in enumerate(listeners):
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, i)
            while sum(counts) < len(clients):
                events = selector.select(timeout=5)
                assert events, f"only {sum(counts)} of {len(clients)} connections arrived"
                for key, _ in events:
                    conn, _ = key.fileobj.accept()  # type: ignore[union-attr]
                    conn.close()
                    counts[key.data] += 1
    finally:
        for s in (*clients, *listeners):
            s.close()
    # Each connection's socket is picked by a hash of its address: all 32 on one has odds of 2^-31.
    assert min(counts) > 0, counts


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(WorkersError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_port_free("127.0.0.1", port)
    check_port_free("127.0.0.1", port)  # free again once the holder is gone


def test_a_held_port_takes_no_connection_and_is_given_to_no_one_but_the_workers() -> None:
    """`haven serve --port 0 --workers N`: the main process holds the port its workers bind."""
    held, port = take_port("127.0.0.1", 0, serve_here=False)
    assert held is not None and port != 0
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        with socket.socket() as other, pytest.raises(OSError, match="in use"):
            other.bind(("127.0.0.1", port))  # a bind without SO_REUSEADDR, as most programs do
        workers = [bind("127.0.0.1", port) for _ in range(2)]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        finally:
            for sock in workers:
                sock.close()
    finally:
        held.close()


@pytest.mark.parametrize("index", ["missing", "corrupt"])
def test_a_worker_whose_index_went_bad_tells_the_supervisor_in_one_line(tmp_path: Path, index: str) -> None:
    """The main process checked the index; a worker started after it went missing or bad."""
    db = tmp_path / "haven.db"
    if index == "corrupt":
        db.write_bytes(b"SQLite format 3\x00" + bytes(4096))
    code = (
        "import multiprocessing, sys; from pathlib import Path; from service.settings import Settings; "
        "from service.workers import _worker; reader, writer = multiprocessing.Pipe(duplex=False)\n"
        "try:\n"
        f"    _worker(Settings(db_path=Path({str(db)!r}), rate_limit=None), '127.0.0.1', 0, writer)\n"
        "finally:\n"
        "    print(repr(reader.recv()))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    kind, line = ast.literal_eval(proc.stdout.strip())
    assert kind == "failed" and line.startswith("a worker cannot start: ") and str(db) in line, line
    assert "\n" not in line
