"""`haven serve --workers 2` as run in production: both workers serve, reload, get replaced, stop.

A worker is one of the server's child processes started by multiprocessing's spawn (its command
line holds ``spawn_main``); the other child, multiprocessing's resource tracker, is not one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import Server, tried
from tests.hardening.test_reload import build, english_name, rename, wait_until


def workers(server: Server) -> list[int]:
    pids = []
    for children in Path(f"/proc/{server.pid}/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.append(int(pid))
            except OSError:
                continue  # it ended between the two reads
    return sorted(pids)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def search_total(base: str, q: str = "상담") -> int:
    url = f"{base}/api/v1/search?q={urllib.request.quote(q)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(json.loads(response.read())["total"])


@pytest.mark.timeout(120)
def test_two_workers_share_the_load_reload_on_sighup_and_stop_together(
    serve: Any, data_and_db: tuple[Path, Path]
) -> None:
    data, db = data_and_db
    server = serve("--data", str(data), "--db", str(db), "--workers", "2")
    wait_until(lambda: len(workers(server)) == 2)
    pids = workers(server)
    assert search_total(server.base) > 0

    # Many connections at once, each asking a few searches: both workers must do real work.
    before = {pid: cpu_ticks(pid) for pid in pids}
    conns = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(16)]
    request = f"GET /api/v1/search?q=%EC%82%AD%EC%A0%9C HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
    for _ in range(5):
        for conn in conns:
            conn.sendall(request.encode())
        for conn in conns:
            got = b""
            while b"\r\n\r\n" not in got:
                got += conn.recv(65536)
            assert got.startswith(b"HTTP/1.1 200"), got[:80]
            length = int(got.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
            body = got.split(b"\r\n\r\n", 1)[1]
            while len(body) < length:
                body += conn.recv(65536)
    for conn in conns:
        conn.close()
    used = {pid: cpu_ticks(pid) - before[pid] for pid in pids}
    assert all(ticks > 0 for ticks in used.values()), used

    # SIGHUP to the main process reloads every worker.
    rename(data, "Hotline after reload")
    build(data, db)
    server.hup()
    server.wait_for_log("reloaded the index", count=2)
    for _ in range(8):  # new connections, spread over both workers
        assert english_name(server.base) == "Hotline after reload"
    assert workers(server) == pids  # reloaded in place, not restarted

    server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert server.wait_exit(20) == 0
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    tried("workers: load over both, reload, stop", 3)


@pytest.mark.timeout(120)
def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(serve: Any, db_path: Path) -> None:
    server = serve("--db", str(db_path), "--workers", "2")
    wait_until(lambda: len(workers(server)) == 2)
    both_running = time.monotonic()
    first = workers(server)
    # A worker that dies while starting stops the server (it would fail again); past that it is
    # a crash, and is replaced. Wait out the start-up window (10 s) before killing one.
    time.sleep(max(0.0, both_running + 10.5 - time.monotonic()))
    os.kill(first[0], signal.SIGKILL)
    server.wait_for_log("a worker stopped", timeout=10)
    wait_until(lambda: len(workers(server)) == 2 and first[0] not in workers(server), timeout=30)
    for _ in range(10):
        assert search_total(server.base) > 0
    assert server.process is not None and server.process.poll() is None
    tried("workers: a killed worker is replaced", 1)


def test_watch_with_several_workers_is_refused_in_one_line(
    serve: Any, data_and_db: tuple[Path, Path]
) -> None:
    data, db = data_and_db
    server = serve("--data", str(data), "--db", str(db), "--workers", "2", "--watch", wait=False)
    assert server.wait_exit(30) == 1
    lines = server.logs().strip().splitlines()
    assert len(lines) == 1 and "--watch runs with one worker" in lines[0], lines


def test_a_taken_port_is_refused_in_one_line(db_path: Path, tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = Server(workdir=tmp_path, args=["--db", str(db_path), "--workers", "2"], port=port)
        server.start(wait=False)
        try:
            assert server.wait_exit(30) == 1
        finally:
            server.stop()
        lines = server.logs().strip().splitlines()
        assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0], lines
