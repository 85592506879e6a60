"""search/atomic.py: files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.atomic import replacing, write_texts


def test_every_file_is_written_and_readable_by_others(tmp_path: Path) -> None:
    write_texts({tmp_path / "a.txt": "가\n", tmp_path / "sub" / "b.txt": "b"})
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "가\n"
    assert (tmp_path / "sub" / "b.txt").read_text() == "b"
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_a_failure_leaves_every_previous_file_and_no_temporary_one(tmp_path: Path) -> None:
    write_texts({tmp_path / "a.txt": "old a", tmp_path / "b.txt": "old b"})
    with pytest.raises(RuntimeError), replacing([tmp_path / "a.txt", tmp_path / "b.txt"]) as (a, b):
        a.write_text("new a")
        raise RuntimeError("the second file could not be made")
    assert (tmp_path / "a.txt").read_text() == "old a" and (tmp_path / "b.txt").read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_folder_that_cannot_be_made_is_an_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OSError):
        write_texts({tmp_path / "file" / "x.txt": "x"})


def test_mode_none_keeps_the_file_private(tmp_path: Path) -> None:
    with replacing([tmp_path / "index.db"], mode=None, fsync=True) as (tmp,):
        tmp.write_bytes(b"x")
    assert (tmp_path / "index.db").stat().st_mode & 0o777 == 0o600
