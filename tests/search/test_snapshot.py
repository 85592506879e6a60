"""The private copy a server reads: the file rewritten in place changes nothing, no copy is left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from search.snapshot import file_digest, open_snapshot
from search.sqlite_engine import SqliteEngine


def test_a_snapshot_reads_the_file_as_it_was_and_leaves_no_name_behind(db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "haven.db"
    shutil.copy(db_path, db)
    conn, digest = open_snapshot(db)
    assert digest == file_digest(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["haven.db"]
    before = conn.execute("SELECT count(*), max(id) FROM resources").fetchone()
    with db.open("r+b") as f:  # garbage over the original, in place
        f.write(os.urandom(db.stat().st_size))
    assert conn.execute("SELECT count(*), max(id) FROM resources").fetchone() == before
    conn.close()


def test_an_engine_on_a_private_copy_keeps_answering_when_the_file_is_overwritten(
    db_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "haven.db"
    shutil.copy(db_path, db)
    engine = SqliteEngine(db, private=True)
    count = engine.check()
    with db.open("r+b") as f:
        f.write(os.urandom(db.stat().st_size))
    assert engine.check() == count and len(engine.resources()) == count
    assert engine.file_hash and engine.file_hash != file_digest(db)


def test_copies_left_by_a_dead_process_are_removed(db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "haven.db"
    shutil.copy(db_path, db)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    left = tmp_path / f".haven.db.{dead.stdout.strip()}.abc123.serving"
    mine = tmp_path / f".haven.db.{os.getpid()}.def456.serving"  # a live process's copy, mid-way
    left.write_bytes(b"x")
    mine.write_bytes(b"x")
    open_snapshot(db)[0].close()
    assert not left.exists() and mine.exists()
