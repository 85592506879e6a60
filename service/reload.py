"""Swap in a new index while serving: on SIGHUP, and with ``haven serve --watch`` when data/ changes.

The routes read the engine, the filter vocabulary and the guides from one :class:`Live` object
held in ``app.state`` (service/live.py), read once per request. A reload opens (and, with
``--watch``, first builds) a new index beside the running one and replaces that object in a single
assignment: a request already running keeps the engine it started with and finishes on it; the
old engine's connection closes when the last such request lets go of it. Each engine reads a private copy of the file (search/snapshot.py), so a
file rewritten in place changes nothing until a reload has checked it. Anything that goes wrong —
a broken YAML, a failed build, a missing, corrupt or unchanged index file — leaves the old index
serving, and one line says why (never a query).
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from search.catalog import CatalogError, load_catalog
from search.engine import EngineError
from search.index import BuildError, build_index
from search.snapshot import file_digest
from service.live import Live, LiveState
from service.settings import Settings

__all__ = ("Reloader", "data_fingerprint", "log_to_stderr")

log = logging.getLogger("haven.reload")


def data_fingerprint(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file under ``data_dir``: it changes when a file does."""
    out = []
    for path in sorted(data_dir.rglob("*")):
        try:
            st = path.stat()
        except OSError:
            continue  # removed while we looked
        if path.is_file():
            out.append((str(path.relative_to(data_dir)), st.st_mtime_ns, st.st_size))
    return tuple(out)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, CatalogError):
        first = str(exc.problems[0]) if exc.problems else "invalid data"
        more = len(exc.problems) - 1
        return first + (f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else "")
    return " ".join(str(exc).split()) or type(exc).__name__


def log_to_stderr(logger: logging.Logger) -> None:
    """Send ``logger``'s messages to stderr as ``haven: …`` lines, like the command's own errors."""
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("haven: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


class Reloader:
    """Reloads ``state`` from the index (and rebuilds it from data/ first when ``rebuild``).

    Args:
        state: The app's :class:`LiveState`.
        settings: Where the data and the index are.
        rebuild: Build the index from ``settings.data_dir`` before each reload (``--watch``).
        interval: Seconds between two looks at data/ when watching.
    """

    def __init__(
        self, state: LiveState, settings: Settings, *, rebuild: bool = False, interval: float = 1.0
    ) -> None:
        self.state = state
        self.settings = settings
        self.rebuild = rebuild
        self.interval = interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def reload(self) -> bool:
        """Build (with ``rebuild``) and open the index, then swap it in. False, logged, if it failed.

        The file is compared by content with the one serving: the same bytes are not opened again,
        whatever their timestamps say. A new file is opened and checked (:meth:`SqliteEngine.check`)
        before it serves; one that fails leaves the old index serving.
        """
        with self._lock:
            serving = self.state.live.engine
            old = serving.data_hash
            try:
                if self.rebuild:
                    build_index(load_catalog(self.settings.data_dir), self.settings.db_path)
                held = getattr(serving, "file_hash", "")
                if held and file_digest(self.settings.db_path) == held:
                    log.warning("the index file is unchanged: still serving data %s", old)
                    return True
                live = Live.open(self.settings)
            except (CatalogError, BuildError, EngineError, OSError, ValueError) as exc:
                log.error("reload failed, still serving data %s: %s", old, _one_line(exc))
                return False
            self.state.swap(live)
            resources = live.engine.meta.get("resources", "?")
            log.warning(
                "reloaded the index: %s resources, data %s (was %s)", resources, live.engine.data_hash, old
            )
            return True

    # -- running beside the server ---------------------------------------------------------------

    def request_reload(self, *_: Any) -> None:
        """Ask the background thread to reload (safe to call from a signal handler)."""
        self._wake.set()

    def start(self, *, watch: bool) -> None:
        """Reload on SIGHUP and, with ``watch``, when a file under data/ changes. Call from the main thread."""
        log_to_stderr(log)
        signal.signal(signal.SIGHUP, self.request_reload)
        self._thread = threading.Thread(target=self._run, args=(watch,), name="haven-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self, watch: bool) -> None:
        seen = data_fingerprint(self.settings.data_dir) if watch else ()
        while not self._stop.is_set():
            woken = self._wake.wait(self.interval if watch else None)
            if self._stop.is_set():
                return
            self._wake.clear()
            if watch:
                now = data_fingerprint(self.settings.data_dir)
                if not woken and now == seen:
                    continue
                if not woken:
                    # An editor may still be writing: wait until data/ holds still for one interval.
                    self._stop.wait(self.interval)
                    settled = data_fingerprint(self.settings.data_dir)
                    if settled != now:
                        continue
                seen = now  # a failed build is not retried until data/ changes again (or SIGHUP)
            self.reload()
