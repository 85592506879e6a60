"""Faults: Meilisearch down or hanging behind a real `haven serve`; the index missing or corrupt
at start; the disk full during a build.

The disk-full case uses RLIMIT_FSIZE (``resource.setrlimit`` in the build's subprocess, with
SIGXFSZ ignored), so writes past the limit fail with EFBIG exactly as on a full disk; making a
tiny filesystem would need root.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HAVEN, ROOT
from tests.hardening.conftest import tried

CANARY = "비밀검색어meili9"


@pytest.fixture
def hanging_socket() -> Iterator[int]:
    """A socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for s in held:
        s.close()
    server.close()


def _get(url: str) -> tuple[int, bytes, float]:
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), time.monotonic() - start


@pytest.mark.timeout(90)
@pytest.mark.parametrize("fault", ["closed port", "hanging socket"])
def test_meilisearch_down_or_hanging_the_site_answers_from_sqlite(
    serve: Any, db_path: Path, hanging_socket: int, refused_port: int, fault: str
) -> None:
    port = refused_port if fault == "closed port" else hanging_socket
    server = serve(
        "--db", str(db_path), "--meili-url", f"http://127.0.0.1:{port}", env={"HAVEN_MEILI_TIMEOUT": "0.3"}
    )
    q = urllib.request.quote(CANARY)
    for _ in range(3):  # the first fails over, the next ones skip Meilisearch while it is down
        status, body, seconds = _get(f"{server.base}/api/v1/search?q=1366")
        assert status == 200 and seconds < 5
        answer = json.loads(body)
        assert answer["engine"] == "sqlite" and answer["total"] >= 1
    for path in ("/", f"/search?q={q}", "/search?q=%EB%94%A5%ED%8E%98%EC%9D%B4%ED%81%AC", "/embed?region=KR-26",
                 "/resources/women-1366", f"/api/v1/search?q={q}"):  # fmt: skip
        status, _, seconds = _get(server.base + path)
        assert status == 200 and seconds < 5, path
    server.stop()
    logs = server.logs()
    assert logs.count("is not answering") == 1, logs  # one line per outage, not one per request
    assert CANARY not in logs and q not in logs
    tried("faults: meilisearch " + fault, 9)


def _one_line_failure(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("haven: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("damage", ["missing", "garbage", "truncated", "empty", "not haven"])
def test_a_missing_or_corrupt_index_at_start_is_one_line_and_exit_1(
    tmp_path: Path, db_path: Path, damage: str
) -> None:
    db = tmp_path / "haven.db"
    if damage == "garbage":
        db.write_bytes(os.urandom(32768))
    elif damage == "truncated":
        db.write_bytes(db_path.read_bytes()[:20000])
    elif damage == "empty":
        db.write_bytes(b"")
    elif damage == "not haven":
        import sqlite3

        sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    proc = subprocess.run([HAVEN, "serve", "--port", "0", "--db", str(db)], capture_output=True,
                          text=True, timeout=30, cwd=tmp_path)  # fmt: skip
    _one_line_failure(proc, str(db))
    tried("faults: bad index at start")


@pytest.mark.timeout(60)
def test_disk_full_during_a_build_leaves_the_old_index_and_no_temporary_file(
    tmp_path: Path, db_path: Path
) -> None:
    out = tmp_path / "var" / "haven.db"
    out.parent.mkdir()
    shutil.copy(db_path, out)
    before = hashlib.sha256(out.read_bytes()).hexdigest()

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    proc = subprocess.run([HAVEN, "build", "--data", str(ROOT / "data"), "--out", str(out)], capture_output=True,
                          text=True, timeout=60, preexec_fn=small_disk)  # fmt: skip
    _one_line_failure(proc, "previous index is unchanged")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["haven.db"], "a temporary file was left behind"
    tried("faults: disk full during build")
