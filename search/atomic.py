"""Files written whole or not at all: the index, an HSDS export, the JSON Schema.

Each file is written to a temporary file beside its target and renamed over it only when every
file is complete, so a failed write leaves the previous files as they were and a reader (a
running server, a web server publishing an export) never sees a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

__all__ = ("replacing", "write_texts")


@contextlib.contextmanager
def replacing(
    targets: Sequence[Path], *, mode: int | None = 0o644, fsync: bool = False
) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``, renamed over them when the block ends without error.

    Args:
        targets: The files to replace (their folders are created).
        mode: Permissions of the new files (mkstemp makes 0600; an export is meant to be
            published), or None to keep 0600.
        fsync: Flush each file to disk before the rename (an index a server will open).

    Raises:
        OSError: a folder, a temporary file or a rename failed; every temporary file is gone.
    """
    temps: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            os.close(fd)
            temps.append(Path(name))
        yield list(temps)
        for tmp in temps:
            if mode is not None:
                os.chmod(tmp, mode)
            if fsync:
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    except BaseException:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def write_texts(files: Mapping[Path, str]) -> None:
    """Write each text to its path (UTF-8, ``\\n`` line ends), all of them or none.

    Raises:
        OSError: something could not be written; the previous files are as they were.
    """
    with replacing(list(files)) as temps:
        for tmp, text in zip(temps, files.values(), strict=True):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
