"""The hardening suite: real `haven serve` processes attacked with junk, load, bad data and faults.

``make test`` runs the short form; ``make soak`` sets ``HAVEN_SOAK=1`` for the long one (load for
ten minutes, many more generated examples). The run ends with a summary: cases tried, failures,
resident memory before and after load.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANNOUNCED, HAVEN, ROOT

SOAK = os.environ.get("HAVEN_SOAK", "") not in ("", "0")
#: Generated examples per property (Hypothesis) and per operation (schemathesis).
EXAMPLES = int(os.environ.get("HAVEN_FUZZ_EXAMPLES", "2000" if SOAK else "150"))
#: Seconds of load in the load test.
LOAD_SECONDS = float(os.environ.get("HAVEN_LOAD_SECONDS", "600" if SOAK else "20"))

#: What the suite tried, for the summary at the end (filled in by the tests).
STATS: Counter[str] = Counter()
FAILURES: Counter[str] = Counter()
MEASURES: dict[str, str] = {}


def tried(kind: str, n: int = 1) -> None:
    STATS[kind] += n


def failed(kind: str, n: int = 1) -> None:
    FAILURES[kind] += n


def raise_own_file_limit(want: int) -> int:
    """This process's open-file limit raised towards ``want`` (within the hard limit), so a test
    can open that many client sockets; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Server:
    """One `haven serve` subprocess, run from its own working directory, output kept in files."""

    workdir: Path
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 0  # 0: `haven serve --port 0` takes one, and wait_ready() reads which from its first line
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, wait: bool = True) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        out = (self.workdir / "stdout.log").open("ab")
        err = (self.workdir / "stderr.log").open("ab")
        self.process = subprocess.Popen(
            [HAVEN, "serve", "--host", self.host, "--port", str(self.port), *self.args],
            cwd=self.workdir, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            env={**os.environ, "HAVEN_RATE_LIMIT": "0", "PYTHONUNBUFFERED": "1", **self.env},
        )  # fmt: skip
        out.close()
        err.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not self.port:
            if (announced := ANNOUNCED.search(self.logs())) is not None:
                self.port = int(announced[2])
            elif self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haven serve did not say where it serves:\n{self.logs()}")
            else:
                time.sleep(0.05)
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).close()
                return
            except OSError:
                if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"haven serve did not start:\n{self.logs()}") from None
                time.sleep(0.05)

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def hup(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        return "".join(
            (self.workdir / name).read_text(errors="replace")
            for name in ("stdout.log", "stderr.log")
            if (self.workdir / name).exists()
        )

    def wait_for_log(self, text: str, timeout: float = 20, count: int = 1) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            logs = self.logs()
            if logs.count(text) >= count:
                return logs
            time.sleep(0.05)
        raise AssertionError(f"{text!r} (x{count}) not in the server's output:\n{self.logs()}")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `haven serve` with the given arguments; every server is stopped after the test."""
    started: list[Server] = []

    def start(*args: str, env: dict[str, str] | None = None, wait: bool = True, name: str = "server",
              host: str = "127.0.0.1") -> Server:  # fmt: skip
        server = Server(
            workdir=tmp_path / f"{name}-{len(started)}", args=list(args), env=env or {}, host=host
        )
        started.append(server)
        return server.start(wait=wait)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def data_and_db(tmp_path: Path, db_path: Path) -> tuple[Path, Path]:
    """A throwaway copy of data/ and of the session's index (built from the same data)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    db = tmp_path / "var" / "haven.db"
    db.parent.mkdir()
    shutil.copy(db_path, db)
    return data, db


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hardening: the hardening suite (tests/hardening)")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker (`make test` runs these tests in two), what it tried goes to the
    process that prints the summary (:func:`pytest_testnodedown`)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hardening"] = {
            "stats": dict(STATS), "failures": dict(FAILURES), "measures": dict(MEASURES)
        }  # fmt: skip


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: without the plugin, never called
def pytest_testnodedown(node: Any, error: object) -> None:
    """A worker has finished: its counts and measures join the summary."""
    got = getattr(node, "workeroutput", {}).get("hardening")
    if got:
        STATS.update(got["stats"])
        FAILURES.update(got["failures"])
        MEASURES.update(got["measures"])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not STATS and not MEASURES:
        return
    tr = terminalreporter
    failed_tests = len(tr.stats.get("failed", [])) + len(tr.stats.get("error", []))
    tr.write_sep("=", "hardening summary" + (" (soak)" if SOAK else ""))
    for kind, n in sorted(STATS.items()):
        tr.write_line(f"  {kind:<64} {n:>8} tried   {FAILURES.get(kind, 0):>4} failed")
    tr.write_line(f"  {'cases tried in all':<64} {sum(STATS.values()):>8}")
    tr.write_line(f"  {'failures':<64} {sum(FAILURES.values()) + failed_tests:>8}")
    for name, value in MEASURES.items():
        tr.write_line(f"  {name:<64} {value}")


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, db_path: Path) -> Iterator[Server]:
    """One `haven serve` on the session's index for a whole module (rate limiting off)."""
    server = Server(workdir=tmp_path_factory.mktemp("shared"), args=["--db", str(db_path)]).start()
    yield server
    server.stop()
