"""Shared fixtures: the real data, a copy to break, and an index built once per session."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.catalog import Catalog, load_catalog
from search.index import build_index
from search.sqlite_engine import SqliteEngine

# The host names Litestar's test client sends (its default, and the HTTPS one some tests use):
# the service answers only hosts it is told about (service/hosts.py).
os.environ.setdefault("HAVEN_ALLOWED_HOSTS", "testserver.local,haven.test")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HAVEN = str(Path(sys.executable).parent / "haven")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing_browser(reason: str) -> None:
    """Skip a browser test when chromium is missing; in CI that is a failure, never a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Debian chromium for the whole run: Playwright's sync API allows one driver per thread."""
    if not CHROMIUM.exists():
        missing_browser(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("the playwright Python package is not installed")
        raise
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DATA)


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    return build_index(catalog, tmp_path_factory.mktemp("index") / "haven.db")


@pytest.fixture(scope="session")
def engine(db_path: Path) -> SqliteEngine:
    return SqliteEngine(db_path)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A throwaway copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def national_data(tmp_path: Path) -> Path:
    """A throwaway copy of data/ without data/local/: the real nationwide entries, read in a third
    of the time, for a test that breaks one file and needs real entries around it, not the 300
    local centres."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=lambda folder, names: ["local"] if Path(folder) == DATA else [])
    assert not (target / "local").exists()
    return target


def picked_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, for a program that cannot take port 0
    (nginx, Meilisearch). Another process may take it before the program binds it: the caller
    starts the program again on another when it could not bind (`haven serve` takes ``--port 0``
    instead, :func:`serve`; a port to be refused is :func:`refused_port`)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses every connection and that nothing else can take meanwhile.

    It is bound here and never listened on, so the kernel answers a connection with a reset. A
    port bound, closed and handed on could be taken by another process (a parallel test worker,
    a server) before it was used.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


#: The first line of `haven serve`: where it serves (with ``--port 0``, the port it took).
ANNOUNCED = re.compile(r"Haven is serving (http://\S+:(\d+)) \(Ctrl-C stops\)")


def first_line(process: subprocess.Popen[str], deadline: float) -> str:
    """The first line ``process`` writes to stderr, read byte by byte so that nothing after it is
    taken from the pipe (``communicate()`` reads the rest); what came by ``deadline`` if no line."""
    assert process.stderr is not None
    fd, line = process.stderr.fileno(), b""
    while not line.endswith(b"\n"):
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break
        if not (byte := os.read(fd, 1)):
            break
        line += byte
    return line.decode(errors="replace")


@contextlib.contextmanager
def serve(db_path: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`haven serve` as a user runs it, on a port of its own (rate limit off); yields its base URL and process.

    The announcement (its first line on stderr, read here) names the port it took.
    """
    process = subprocess.Popen(
        [HAVEN, "serve", "--host", "127.0.0.1", "--port", "0", "--db", str(db_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HAVEN_RATE_LIMIT": "0", **(env or {})},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        line = first_line(process, deadline)
        if (announced := ANNOUNCED.fullmatch(line.rstrip("\n"))) is None:
            process.terminate()
            raise RuntimeError(f"haven serve did not start: {line}{process.communicate(timeout=10)[1]}")
        base = announced[1]
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.terminate()
                    raise RuntimeError(
                        f"haven serve did not start: {process.communicate(timeout=10)[1]}"
                    ) from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run_haven(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `haven` command as a user would."""
    return subprocess.run(
        [HAVEN, *args], cwd=cwd or ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
