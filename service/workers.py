"""Serving from several processes on one port (``haven serve --workers N``), each with its own socket.

uvicorn's own ``--workers`` binds one listening socket in the parent and hands it to every worker.
On Linux that costs twice, both measured on the benchmark's machine:

- the socket is made without naming TCP, so asyncio leaves Nagle's algorithm on for every accepted
  connection: each keep-alive request after the first waits about 40 ms for the client's delayed
  ACK (a static answer had a median of 44 ms at 32 connections; a single uvicorn process, which
  binds its own socket, answered in 4.6 ms at 8);
- every worker races to accept from the one queue, and the first to wake takes a whole burst of
  connections: in one 8 s run one worker used 832 CPU ticks and the other 8.

Here each worker binds its own TCP socket with ``SO_REUSEPORT``. The kernel then spreads new
connections over the workers by a hash of their addresses, and asyncio turns Nagle off. The
parent only supervises: it forwards SIGHUP (reload) and SIGTERM/SIGINT (stop) to the workers and
replaces a worker that dies, with a growing pause between quick deaths, while the others keep
serving. A worker stops by itself when the parent is gone, so no port is left served unmanaged.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, cast

from search.engine import EngineError
from service.reload import log_to_stderr
from service.settings import Settings

__all__ = (
    "WorkersError",
    "bind",
    "check_port_free",
    "reuse_port_supported",
    "run_workers",
    "serve_one",
    "take_port",
)

log = logging.getLogger("haven.workers")
#: The pause before starting another worker in place of one that died; it doubles with each
#: death of a worker that had not served for ``_STABLE_S``, up to ``_RESTART_MAX_S``.
_RESTART_FIRST_S = 0.5
_RESTART_MAX_S = 30.0
_STABLE_S = 60.0
_STOP_TIMEOUT_S = 10.0
#: How long a worker whose supervisor is gone waits for its open requests before it exits anyway.
_ORPHAN_EXIT_S = 5.0


class WorkersError(RuntimeError):
    """The workers cannot run here (no ``SO_REUSEPORT``, the port taken, a worker failing to start)."""


def reuse_port_supported() -> bool:
    """Only Linux balances connections across sockets sharing a port; elsewhere one would take all."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _address(
    host: str, port: int
) -> tuple[socket.AddressFamily, tuple[str, int] | tuple[str, int, int, int]]:
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise WorkersError(f"cannot listen on {host}: {exc.strerror}") from None
    family, _, _, _, address = info[0]
    return family, address  # type: ignore[return-value]


def bind(host: str, port: int, *, reuse_port: bool = True) -> socket.socket:
    """A listening TCP socket on ``host:port``; with ``reuse_port``, one of a group sharing the port.

    The protocol is named (``IPPROTO_TCP``) because asyncio sets ``TCP_NODELAY`` on accepted
    sockets only when the listener says it is TCP.
    """
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def take_port(host: str, port: int, *, serve_here: bool) -> tuple[socket.socket | None, int]:
    """``port`` checked free (:func:`check_port_free`), or for port 0 any free port, held.

    A held port stays so for as long as the returned socket is open. With ``serve_here`` (one
    process) the socket listens, and the server serves on it (``serve_one(listener=…)``).
    Otherwise (workers, each binding its own socket) it is bound but never listens, so it takes no
    connection, yet the workers' sockets may join the port: Linux lets a socket bind a port when
    both say ``SO_REUSEADDR`` and the one already there does not listen. Either way the kernel
    gives the port to nothing else (it hands out only unbound ports, to ``bind(0)`` and outgoing
    connections alike), as it may when a port is found free, closed, and bound again later. (With
    workers, a program naming this very port with ``SO_REUSEADDR`` could still listen on it first.)

    Raises:
        WorkersError: ``port`` is taken, or no port can be bound on ``host``.
    """
    if port:
        check_port_free(host, port)
        return None, port
    if serve_here:
        try:
            sock = bind(host, 0, reuse_port=False)
        except OSError as exc:
            raise WorkersError(f"cannot listen on {host}: {exc.strerror or exc}") from None
        return sock, sock.getsockname()[1]
    family, address = _address(host, 0)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise WorkersError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    return sock, sock.getsockname()[1]


def check_port_free(host: str, port: int) -> None:
    """Fail now, clearly, if something already listens on the port.

    Sockets with ``SO_REUSEPORT`` from the same user share a port silently: without this check a
    second ``haven serve --workers`` on the same port would split the traffic with the first.
    """
    try:
        bind(host, port, reuse_port=False).close()
    except OSError as exc:
        raise WorkersError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_one(
    settings: Settings, host: str, port: int, *, reuse_port: bool = False, watch: bool = False,
    interval: float = 1.0, on_ready: Callable[[], None] | None = None, listener: socket.socket | None = None,
) -> None:  # fmt: skip
    """One server process: the app, reloads on SIGHUP (and data changes with ``watch``), uvicorn.

    With ``reuse_port`` the process binds its own socket in the port's group (:func:`bind`), only
    once the index is open: until then the kernel sends it no connection to keep waiting. Without,
    uvicorn binds ``host:port`` itself (one process: asyncio names TCP there), unless given a
    ``listener`` already bound (:func:`bind`; ``haven serve --port 0``). ``on_ready`` is called
    once the server accepts connections.

    Raises:
        EngineError: the index cannot be opened.
        OSError: with ``reuse_port``, the port cannot be bound.
    """
    import uvicorn

    from service.app import create_app
    from service.connections import ConnectionLimits, GuardedHttp, OncePerMinute, raise_file_limit
    from service.live import LiveState
    from service.reload import Reloader

    raise_file_limit()
    logging.getLogger("uvicorn.error").addFilter(OncePerMinute())  # junk in a loop: one line a minute
    GuardedHttp.limits = ConnectionLimits(
        settings.max_connections, settings.head_timeout, send_timeout=settings.send_timeout
    ).capped_by_files()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and on_ready is not None:
                on_ready()

    app = create_app(settings)
    reloader = Reloader(cast(LiveState, app.state), settings, rebuild=watch, interval=interval)
    reloader.start(watch=watch)
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, server_header=False, log_level="warning",
        http=GuardedHttp, ws="none", timeout_keep_alive=5,
        # X-Forwarded-For and -Proto are believed only from the proxies named in HAVEN_TRUSTED_PROXIES.
        proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )  # fmt: skip
    try:
        sock = bind(host, port) if reuse_port else listener
        Server(config).run(sockets=[sock] if sock else None)
    finally:
        reloader.stop()


def _exit_with_parent() -> None:
    """Stop this worker when the supervisor is gone (even by SIGKILL): nobody would manage its port.

    A thread waits on the parent's sentinel (a pipe the kernel closes when the parent exits), then
    asks the server to stop as SIGTERM does, and ends the process outright if that takes too long.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(_ORPHAN_EXIT_S)
        os._exit(1)

    threading.Thread(target=watch, name="haven-parent-watch", daemon=True).start()


def _worker(settings: Settings, host: str, port: int, report: Connection) -> None:
    """A worker's life: tell the supervisor when it serves, or in one line why it cannot."""
    _exit_with_parent()

    def fail(reason: str) -> None:
        with contextlib.suppress(OSError):
            report.send(("failed", reason))
        sys.exit(1)

    try:
        serve_one(settings, host, port, reuse_port=True, on_ready=lambda: report.send(("ready", "")))
    except EngineError as exc:
        # The index went missing or bad after the main process checked it: one line, no traceback.
        fail(f"a worker cannot start: {exc}")
    except OSError as exc:
        fail(f"a worker cannot listen on {host}:{port}: {exc.strerror or exc}")


@dataclass
class _Slot:
    """One place for a worker: the process in it (None while waiting to start another), and its backoff."""

    process: BaseProcess | None = None
    report: Connection | None = None
    ready_at: float | None = None
    reason: str = ""
    delay: float = _RESTART_FIRST_S
    start_at: float = 0.0

    def read_report(self) -> None:
        """Take in what the worker said (it serves, or why it failed); forget the pipe at its end."""
        while self.report is not None:
            try:
                if not self.report.poll():
                    return
                kind, reason = self.report.recv()
            except (EOFError, OSError):
                self.report.close()
                self.report = None
                return
            if kind == "ready":
                self.ready_at = time.monotonic()
            else:
                self.reason = str(reason)


def _how_it_stopped(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def run_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run ``workers`` server processes on ``host:port`` until SIGTERM or SIGINT.

    A worker that dies is started again after a pause that doubles with each quick death
    (0.5 s up to 30 s; back to 0.5 s once a worker has served for a minute); the others keep
    serving meanwhile. Only at the very start, while no worker has served yet, does a worker's
    failure stop everything: it would fail the same way again (the port taken, a bad index).

    Raises:
        WorkersError: ``SO_REUSEPORT`` is missing, the port is taken, or the workers fail to start.
    """
    if not reuse_port_supported():
        raise WorkersError("--workers needs Linux (SO_REUSEPORT); run one process per port elsewhere")
    check_port_free(host, port)
    log_to_stderr(log)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or files copied
    stopping = False
    served = False  # has any worker served yet? Until then a failure to start stops everything.
    slots = [_Slot() for _ in range(workers)]

    def start(slot: _Slot) -> None:
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(settings, host, port, writer), name="haven-worker")
        process.start()
        writer.close()  # the worker holds the only writing end now
        slot.process, slot.report, slot.ready_at, slot.reason = process, reader, None, ""

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if signum != signal.SIGHUP:
            stopping = True
        for slot in slots:
            process = slot.process
            if signum == signal.SIGHUP and slot.ready_at is None:
                continue  # still starting: it opens the file as it is now, and SIGHUP would kill it
            if process is not None and process.pid is not None and process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGHUP if signum == signal.SIGHUP else signal.SIGTERM)

    # Handlers first: a signal while the workers start must not leave them behind.
    previous = {s: signal.signal(s, forward) for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)}
    try:
        for slot in slots:
            start(slot)
        while not stopping:
            now = time.monotonic()
            for slot in slots:
                if slot.process is None and now >= slot.start_at:
                    start(slot)
            waiting = [slot.start_at - now for slot in slots if slot.process is None]
            handles: list[Any] = [s.process.sentinel for s in slots if s.process is not None]
            handles += [s.report for s in slots if s.report is not None]
            wait(handles, timeout=min([1.0, *waiting]))
            for slot in slots:
                slot.read_report()
                served = served or slot.ready_at is not None
            for slot in slots:
                process = slot.process
                if process is None or process.is_alive() or stopping:
                    continue
                process.join()
                slot.read_report()
                how = _how_it_stopped(process) + (f": {slot.reason}" if slot.reason else "")
                if not served:
                    raise WorkersError(slot.reason or f"a worker stopped while starting ({how})")
                now = time.monotonic()
                if slot.ready_at is not None and now - slot.ready_at >= _STABLE_S:
                    slot.delay = _RESTART_FIRST_S  # it served a good while: not a crash loop
                log.warning("a worker stopped (%s); starting another in %g s", how, slot.delay)
                slot.process, slot.start_at = None, now + slot.delay
                slot.delay = min(slot.delay * 2, _RESTART_MAX_S)
                if slot.report is not None:
                    slot.report.close()
                    slot.report = None
    finally:
        stopping = True
        _stop_all([s.process for s in slots if s.process is not None])
        for signum, old in previous.items():
            signal.signal(signum, old)


def _stop_all(running: list[BaseProcess]) -> None:
    """SIGTERM every worker, then SIGKILL those still there after ``_STOP_TIMEOUT_S``."""
    for process in running:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + _STOP_TIMEOUT_S
    for process in running:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
