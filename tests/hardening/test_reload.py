"""Bad data never reaches users: SIGHUP and --watch reloads against a real `haven serve`.

A good reload is picked up; a broken YAML, a failed build, a missing or corrupt index file keep
the old index serving and say why in one line (with no query in it); a reload under a
concurrent request loop loses no request.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HAVEN
from tests.hardening.conftest import failed, tried

NAME = "Women's Emergency Hotline 1366"
CANARY = "정말비밀스러운검색어qx7"


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def data_hash(base: str) -> str:
    return str(get_json(base + "/api/v1")["data_hash"])


def english_name(base: str) -> str:
    return str(get_json(base + "/api/v1/resources/women-1366")["resource"]["name"]["en"])


def rename(data: Path, new: str, old: str = NAME) -> None:
    """Give women-1366 (the first entry with this English name) a new English name."""
    path = data / "resources.yaml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^(\s+en: ){re.escape(old)}$", re.MULTILINE)
    assert pattern.search(text), old
    path.write_text(pattern.sub(lambda m: m.group(1) + new, text, count=1), encoding="utf-8")


def build(data: Path, db: Path) -> None:
    proc = subprocess.run([HAVEN, "build", "--data", str(data), "--out", str(db)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def wait_until(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.mark.timeout(90)
def test_sighup_picks_up_a_new_index_and_keeps_the_old_one_when_it_is_bad(
    serve: Any, data_and_db: tuple[Path, Path], tmp_path: Path
) -> None:
    data, db = data_and_db
    server = serve("--data", str(data), "--db", str(db))
    before = data_hash(server.base)
    urllib.request.urlopen(f"{server.base}/api/v1/search?q={urllib.request.quote(CANARY)}").close()

    # Asked three times: the page's answer is kept in memory (free-text searches never are), and
    # must not outlive the index it came from.
    search, page = (
        f"{server.base}/api/v1/search?q=1366&lang=en",
        f"{server.base}/resources/women-1366?lang=en",
    )
    for _ in range(3):
        assert get_json(search)["results"][0]["resource"]["name"]["en"] == NAME
        with urllib.request.urlopen(page, timeout=10) as response:
            assert NAME.replace("'", "&#39;") in response.read().decode()

    rename(data, "Hotline after SIGHUP")
    build(data, db)
    server.hup()
    server.wait_for_log("reloaded the index")
    assert english_name(server.base) == "Hotline after SIGHUP"
    assert get_json(search)["results"][0]["resource"]["name"]["en"] == "Hotline after SIGHUP"
    with urllib.request.urlopen(page, timeout=10) as response:
        assert "Hotline after SIGHUP" in response.read().decode()
    good = data_hash(server.base)
    assert good != before

    # A corrupt file swapped in at the index's path: the old index keeps serving.
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    os.replace(junk, db)
    server.hup()
    server.wait_for_log("reload failed")
    assert data_hash(server.base) == good
    assert english_name(server.base) == "Hotline after SIGHUP"

    # No file at all: the same.
    db.unlink()
    server.hup()
    server.wait_for_log("reload failed", count=2)
    assert data_hash(server.base) == good
    failures = [line for line in server.logs().splitlines() if "reload failed" in line]
    assert len(failures) == 2 and all(str(db) in line for line in failures), failures
    assert CANARY not in server.logs()
    tried("reload: SIGHUP (good, corrupt, missing)", 3)


@pytest.mark.timeout(90)
def test_watch_rebuilds_keeps_the_old_index_on_broken_yaml_then_takes_the_next_good_one(
    serve: Any, data_and_db: tuple[Path, Path]
) -> None:
    data, db = data_and_db
    server = serve("--data", str(data), "--db", str(db), "--watch", "--watch-interval", "0.2")
    before = data_hash(server.base)
    urllib.request.urlopen(f"{server.base}/api/v1/search?q={urllib.request.quote(CANARY)}").close()

    path = data / "resources.yaml"
    good_text = path.read_text(encoding="utf-8")
    path.write_text(good_text + "\n  - id: [broken\n", encoding="utf-8")
    logs = server.wait_for_log("reload failed")
    line = next(line for line in logs.splitlines() if "reload failed" in line)
    assert "resources.yaml" in line and before in line, line
    assert data_hash(server.base) == before
    assert get_json(f"{server.base}/api/v1/search?q=1366")["total"] >= 1
    assert db.exists() and not list(db.parent.glob(".*.tmp")), "a failed build left a temporary file"

    path.write_text(good_text, encoding="utf-8")
    rename(data, "Hotline after watch")
    server.wait_for_log("reloaded the index")
    assert english_name(server.base) == "Hotline after watch"
    assert data_hash(server.base) != before
    assert CANARY not in server.logs()
    tried("reload: --watch (broken, then good)", 2)


@pytest.mark.timeout(120)
def test_reloads_under_a_request_loop_lose_no_request(
    serve: Any, data_and_db: tuple[Path, Path], tmp_path: Path
) -> None:
    data, db = data_and_db
    # Two indexes built beforehand; each reload copies one into place atomically, as an operator would.
    first = tmp_path / "first.db"
    shutil.copy(db, first)
    rename(data, "Hotline second index")
    second = tmp_path / "second.db"
    build(data, second)
    server = serve("--data", str(data), "--db", str(db))
    stop = threading.Event()
    done: list[int] = []
    errors: list[str] = []

    def loop(path: str) -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(server.base + path, timeout=10) as response:
                    response.read()
                    done.append(response.status)
            except (OSError, urllib.error.HTTPError) as exc:
                errors.append(f"{path}: {exc}")

    paths = [
        "/api/v1/search?q=%EC%83%81%EB%8B%B4",
        "/search?q=deepfake",
        "/resources/women-1366",
        "/api/v1/regions",
    ]
    threads = [threading.Thread(target=loop, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    try:
        for i in range(6):
            source, name = (second, "Hotline second index") if i % 2 == 0 else (first, NAME)
            shutil.copy(source, tmp_path / "next.db")
            os.replace(tmp_path / "next.db", db)
            server.hup()
            server.wait_for_log("reloaded the index", count=i + 1)
            wait_until(lambda name=name: english_name(server.base) == name)
            seen = len(done)
            wait_until(lambda seen=seen: len(done) >= seen + 8)  # the loops run on the new index a while
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
    tried("reload: requests during 6 reloads", len(done) + len(errors))
    failed("reload: requests during 6 reloads", len(errors) + sum(s != 200 for s in done))
    assert not errors, errors[:5]
    assert set(done) == {200} and len(done) > 50


def overwrite(path: Path, content: bytes) -> None:
    """Write ``content`` over ``path`` in place, as ``cp`` does: the same inode, new bytes."""
    inode = path.stat().st_ino
    with path.open("r+b") as f:
        f.write(content)
        f.truncate()
    assert path.stat().st_ino == inode


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def serves_everything(base: str) -> bool:
    """Search, a region page, the listing and the health check all answer."""
    paths = ["/api/v1/search?q=%EC%83%81%EB%8B%B4", "/search?q=deepfake", "/regions/KR-26",
             "/api/v1/resources", "/resources/women-1366", "/healthz"]  # fmt: skip
    return all(status(base + path) == 200 for path in paths)


@pytest.mark.timeout(120)
def test_an_index_overwritten_in_place_changes_nothing_until_a_reload_checks_it(
    serve: Any, data_and_db: tuple[Path, Path], tmp_path: Path
) -> None:
    data, db = data_and_db
    server = serve("--data", str(data), "--db", str(db))
    before = data_hash(server.base)
    assert serves_everything(server.base)

    # Garbage over the file, in place: what runs keeps serving the index it opened.
    good = db.read_bytes()
    overwrite(db, b"SQLite format 3\x00" + os.urandom(len(good) - 16))
    assert serves_everything(server.base)
    assert english_name(server.base) == NAME
    server.hup()
    server.wait_for_log("reload failed")
    assert serves_everything(server.base) and data_hash(server.base) == before
    health = get_json(server.base + "/healthz")
    assert health["status"] == "ok" and health["data_hash"] == before, health
    lines = [line for line in server.logs().splitlines() if line.strip()]
    assert lines[0] == f"Haven is serving {server.base} (Ctrl-C stops)", lines
    failures = lines[1:]  # every line after the serving line
    assert len(failures) == 1 and "reload failed" in failures[0] and str(db) in failures[0], failures

    # A good, newer index written over it in place: served once SIGHUP has checked it.
    rename(data, "Hotline copied in place")
    newer = tmp_path / "newer.db"
    build(data, newer)
    overwrite(db, newer.read_bytes())
    assert english_name(server.base) == NAME  # not before the reload
    server.hup()
    server.wait_for_log("reloaded the index")
    assert english_name(server.base) == "Hotline copied in place"
    assert data_hash(server.base) != before and serves_everything(server.base)

    # The same bytes again (a second SIGHUP, a `touch`): seen to be unchanged, not opened again.
    os.utime(db)
    server.hup()
    server.wait_for_log("the index file is unchanged")
    assert english_name(server.base) == "Hotline copied in place"
    assert "Traceback" not in server.logs()
    tried("reload: index overwritten in place (garbage, newer, same)", 3)


def damage(db: Path, how: str) -> None:
    """Garbage after the first page, or a search table emptied (an index that opens but finds nothing)."""
    if how == "garbage":
        content = db.read_bytes()
        db.write_bytes(content[:4096] + os.urandom(len(content) - 4096))
    else:
        conn = sqlite3.connect(db)
        with conn:  # a contentless FTS5 table is emptied by its 'delete-all' command
            conn.execute("INSERT INTO resources_fts(resources_fts) VALUES ('delete-all')")
        conn.close()


@pytest.mark.parametrize(("how", "workers"), [("garbage", "1"), ("no-search", "1"), ("no-search", "2")])
def test_serve_refuses_a_bad_index_at_start_in_one_line(serve: Any, db_path: Path, tmp_path: Path,
                                                        how: str, workers: str) -> None:  # fmt: skip
    db = tmp_path / "bad.db"
    shutil.copy(db_path, db)
    damage(db, how)
    server = serve("--db", str(db), "--workers", workers, wait=False)
    assert server.wait_exit(60) == 1
    lines = server.logs().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("haven: ") and str(db) in lines[0], lines
    tried("reload: a bad index at start", 1)
