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
replaces a worker that dies.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import cast

from search.engine import EngineError
from service.reload import log_to_stderr
from service.settings import Settings

__all__ = ("WorkersError", "bind", "check_port_free", "reuse_port_supported", "run_workers", "serve_one")

log = logging.getLogger("haven.workers")
#: A worker that dies this soon after starting is failing to start, not crashing: stop, don't loop.
_STARTUP_GRACE_S = 10.0
_STOP_TIMEOUT_S = 10.0


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
    settings: Settings, host: str, port: int, sock: socket.socket | None = None, *, watch: bool = False,
    interval: float = 1.0,
) -> None:  # fmt: skip
    """One server process: the app, reloads on SIGHUP (and data changes with ``watch``), uvicorn.

    Without ``sock`` uvicorn binds ``host:port`` itself (one process: asyncio names TCP there).
    """
    import uvicorn

    from service.app import create_app
    from service.connections import ConnectionLimits, GuardedHttp, OncePerMinute, raise_file_limit
    from service.reload import LiveState, Reloader

    raise_file_limit()
    logging.getLogger("uvicorn.error").addFilter(OncePerMinute())  # junk in a loop: one line a minute
    GuardedHttp.limits = ConnectionLimits(settings.max_connections, settings.head_timeout).capped_by_files()
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
        uvicorn.Server(config).run(sockets=[sock] if sock else None)
    finally:
        reloader.stop()


def _worker(settings: Settings, host: str, port: int) -> None:
    try:
        sock = bind(host, port)
    except OSError as exc:
        # One line, as for every other failure of `haven serve`; the parent then stops.
        print(f"haven: a worker cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)
    try:
        serve_one(settings, host, port, sock)
    except EngineError as exc:
        # The index went missing or bad after the main process checked it: one line, no traceback.
        print(f"haven: a worker cannot start: {exc}", file=sys.stderr)
        sys.exit(1)


def run_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run ``workers`` server processes on ``host:port`` until SIGTERM or SIGINT.

    Raises:
        WorkersError: ``SO_REUSEPORT`` is missing, the port is taken, or a worker fails to start.
    """
    if not reuse_port_supported():
        raise WorkersError("--workers needs Linux (SO_REUSEPORT); run one process per port elsewhere")
    check_port_free(host, port)
    log_to_stderr(log)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or files copied
    stopping = False

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=_worker, args=(settings, host, port), name="haven-worker")
        process.start()
        return process, time.monotonic()

    running: list[tuple[BaseProcess, float]] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if signum != signal.SIGHUP:
            stopping = True
        for process, _ in running:
            if process.pid is not None and process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGHUP if signum == signal.SIGHUP else signal.SIGTERM)

    # Handlers first: a signal while the workers start must not leave them behind.
    previous = {s: signal.signal(s, forward) for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)}
    try:
        running.extend(start() for _ in range(workers))
        while not stopping:
            wait([p.sentinel for p, _ in running], timeout=1.0)
            for i, (process, started) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < _STARTUP_GRACE_S:
                    raise WorkersError(f"a worker stopped while starting (exit status {process.exitcode})")
                log.warning("a worker stopped (exit status %s); starting another", process.exitcode)
                running[i] = start()
    finally:
        stopping = True
        for process, _ in running:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        for process, _ in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for signum, old in previous.items():
            signal.signal(signum, old)
