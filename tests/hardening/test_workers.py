"""`haven serve --workers 2` as run in production: both workers serve, reload, get replaced, stop.

A worker is one of the server's child processes started by multiprocessing's spawn (its command
line holds ``spawn_main``); the other child, multiprocessing's resource tracker, is not one.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import MEASURES, Server, tried
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


def listeners(port: int) -> int:
    """How many sockets listen on ``port`` (each worker binds its own once its index is open)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                count += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class Poller:
    """Asks the port for a search again and again, each time on a new connection, from a thread.

    It keeps every outcome in order: the port is down when several requests in a row fail.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.outcomes: list[bool] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=20)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.outcomes.append(search_total(self.base) > 0)
            except (OSError, http.client.HTTPException):
                # A worker killed mid-answer cuts the body short (IncompleteRead): to the person
                # asking, that request failed like a refused one, and polling must go on.
                self.outcomes.append(False)

    def answered(self) -> int:
        return sum(self.outcomes)

    def longest_outage(self) -> int:
        longest = run = 0
        for ok in self.outcomes:
            run = 0 if ok else run + 1
            longest = max(longest, run)
        return longest


def restarts(server: Server) -> list[str]:
    return [line for line in server.logs().splitlines() if "a worker stopped" in line]


@pytest.mark.timeout(120)
def test_a_worker_killed_right_after_start_and_then_its_replacement_never_takes_the_port_down(
    serve: Any, db_path: Path
) -> None:
    server = serve("--db", str(db_path), "--workers", "2")
    wait_until(lambda: listeners(server.port) == 2, timeout=60)
    first = workers(server)
    with Poller(server.base) as poller:
        wait_until(lambda: poller.answered() >= 5)
        # Well within ten seconds of the start: a crash there is a crash, not a failure to start.
        os.kill(first[0], signal.SIGKILL)
        wait_until(lambda: len(restarts(server)) == 1)
        wait_until(lambda: len(set(workers(server)) - set(first)) == 1)
        replacement = (set(workers(server)) - set(first)).pop()
        os.kill(replacement, signal.SIGKILL)  # and its replacement, before it even serves
        wait_until(lambda: len(restarts(server)) == 2)
        wait_until(lambda: listeners(server.port) == 2 and first[0] not in workers(server), timeout=60)
        seen = poller.answered()
        wait_until(lambda: poller.answered() >= seen + 10)
    assert server.process is not None and server.process.poll() is None
    assert first[1] in workers(server), "the healthy worker was stopped"
    # A request on the dying worker's connection may fail; the port as a whole keeps answering.
    assert poller.longest_outage() <= 3, poller.outcomes
    assert "Traceback" not in server.logs()
    assert all(line.startswith("haven: a worker stopped (killed by SIGKILL)") for line in restarts(server))
    tried("workers: killed worker and replacement", len(poller.outcomes))
    MEASURES["workers: polls refused while two workers died"] = str(poller.outcomes.count(False))


@pytest.mark.timeout(120)
def test_a_worker_dying_while_the_index_is_bad_is_retried_with_backoff_while_the_other_serves(
    serve: Any, data_and_db: tuple[Path, Path]
) -> None:
    data, db = data_and_db
    good = db.read_bytes()
    server = serve("--data", str(data), "--db", str(db), "--workers", "2")
    wait_until(lambda: listeners(server.port) == 2, timeout=60)
    first = workers(server)
    with Poller(server.base) as poller:
        wait_until(lambda: poller.answered() >= 5)
        with db.open("r+b") as f:  # garbage over the index in place (same inode), as `cp` writes
            f.write(b"SQLite format 3\x00" + os.urandom(len(good) - 16))
        os.kill(first[0], signal.SIGKILL)
        wait_until(lambda: len(restarts(server)) >= 4, timeout=60)  # 0.5 s, 1 s, 2 s, 4 s
        with db.open("r+b") as f:
            f.write(good)
        wait_until(lambda: listeners(server.port) == 2, timeout=60)
        seen = poller.answered()
        wait_until(lambda: poller.answered() >= seen + 10)
    lines = restarts(server)
    assert "killed by SIGKILL" in lines[0] and "starting another in 0.5 s" in lines[0], lines
    for line, pause in zip(lines[1:4], ("1 s", "2 s", "4 s"), strict=True):
        assert f"starting another in {pause}" in line and "cannot start" in line and str(db) in line, line
    # The serving line, then one line per restart and nothing else: no traceback, no second line
    # from the worker.
    assert server.logs().strip().splitlines() == [f"Haven is serving {server.base} (Ctrl-C stops)", *lines], (
        server.logs()
    )
    assert first[1] in workers(server) and server.process is not None and server.process.poll() is None
    assert poller.longest_outage() <= 3, poller.outcomes
    tried("workers: restarts against a bad index", len(poller.outcomes))
    MEASURES["workers: polls refused while a worker restarted"] = str(poller.outcomes.count(False))


@pytest.mark.timeout(60)
def test_the_workers_exit_when_the_supervisor_is_killed(serve: Any, db_path: Path) -> None:
    server = serve("--db", str(db_path), "--workers", "2")
    wait_until(lambda: listeners(server.port) == 2, timeout=60)
    pids = workers(server)
    os.kill(server.pid, signal.SIGKILL)
    server.wait_exit(10)
    wait_until(lambda: all(gone(pid) for pid in pids), timeout=30)
    wait_until(lambda: listeners(server.port) == 0)
    with pytest.raises(OSError):
        search_total(server.base)
    tried("workers: supervisor killed", 1)


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
