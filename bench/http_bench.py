"""HTTP throughput against the limit of the HTTP stack and a peer; start time and page weight.

    python -m bench.http_bench --size 100000 --duration 10 --out bench/results/http.json

- **Haven** runs as in production: ``haven serve --workers N``, one worker per core, each with its
  own listening socket (:mod:`service.workers`), rate limiting off, no access log. How the CPU
  split between the workers is recorded too: a lopsided split means one process did the work.
  wrk (Debian's ``wrk``) drives it at a fixed concurrency for a fixed time, rotating through the
  200-query mix of :mod:`bench.search_bench`: the JSON API, the HTML results page, and ``/livez``
  (a static JSON answer on the same app and server: the limit of the HTTP stack). Every request
  is searched: the server keeps no answers between requests (docs/web.md, "What the server keeps").
- **The load generator** is checked, not trusted: the static endpoint is also driven with one wrk
  thread; if two threads do not beat one by much, wrk is not what limits the figures.
- **The peer**: Datasette serving the same catalog (names and summaries, FTS5 through
  ``sqlite-utils enable-fts``), queried with its standard ``?_search=`` on the same words.
- **Start and weight** on the real data: ``haven serve`` from process start to the first answered
  search, and the bytes of ``/``, a results page and a resource page.

Every server listens on 127.0.0.1 only and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import httpx
import msgspec

from bench.search_bench import query_mix
from bench.synth import synthetic_catalog
from search.catalog import Catalog, load_catalog
from search.index import build_index
from search.model import Query

__all__ = ("api_path", "main", "run", "wrk_available")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CACHE = ROOT / "var" / "bench"
HOST = "127.0.0.1"

# One path per line from $WRK_PATHS, in turn; the summary as one JSON line at the end.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"non2xx":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


# -- what to ask ---------------------------------------------------------------------------------


def _params(q: Query) -> dict[str, Any]:
    """The query's non-default fields as URL parameters (lists repeat the key)."""
    default = msgspec.to_builtins(Query())
    return {k: v for k, v in msgspec.to_builtins(q).items() if v != default[k]}


def api_path(q: Query) -> str:
    return "/api/v1/search?" + urlencode(_params(q), doseq=True)


def page_path(q: Query) -> str:
    return "/search?" + urlencode(_params(q), doseq=True)


def datasette_path(q: Query, size: int = 20) -> str:
    return "/bench/resources.json?" + urlencode({"_search": q.q, "_size": size, "_shape": "array"})


# -- the catalogs, built once per size and kept under var/bench ----------------------------------


def _catalog(size: int) -> Catalog:
    real = load_catalog(ROOT / "data")
    return real if size == 0 else synthetic_catalog(real, size)


def prepare(size: int, cache: Path = CACHE) -> tuple[Path, Path, float | None]:
    """Haven's index and Datasette's database for ``size`` (0: the real data), rebuilt when stale.

    Returns both paths and Haven's build time in seconds (None when the cached index was fresh).
    """
    from search.index import SCHEMA_VERSION

    cache.mkdir(parents=True, exist_ok=True)
    haven, peer, stamp = (
        cache / f"haven-{size}.db",
        cache / f"peer-{size}" / "bench.db",
        cache / f"{size}.stamp",
    )
    real_hash = load_catalog(ROOT / "data").data_hash
    key = f"{real_hash} {SCHEMA_VERSION}"
    if haven.is_file() and peer.is_file() and stamp.is_file() and stamp.read_text() == key:
        return haven, peer, None
    import sqlite_utils

    catalog = _catalog(size)
    t0 = time.perf_counter()
    build_index(catalog, haven)
    build_s = time.perf_counter() - t0
    peer.unlink(missing_ok=True)
    peer.parent.mkdir(exist_ok=True)  # Datasette names the database after the file: /bench/…
    db = sqlite_utils.Database(peer)
    rows = (
        {"id": r.id, "name_ko": r.name.ko, "name_en": r.name.en, "summary_ko": r.summary.ko,
         "summary_en": r.summary.en, "regions": " ".join(r.regions), "kind": r.kind}
        for r in catalog.resources
    )  # fmt: skip
    db["resources"].insert_all(rows, pk="id", batch_size=5000)
    db["resources"].enable_fts(["name_ko", "name_en", "summary_ko", "summary_en"])
    db.close()
    stamp.write_text(key)
    return haven, peer, build_s


# -- servers -------------------------------------------------------------------------------------


#: The line in which a server given port 0 names the port it took: `haven serve`'s first line, and
#: Uvicorn's under Datasette.
ANNOUNCED = re.compile(r"(?:Haven is serving|Uvicorn running on) http://[^\s/]+:(\d+)\b")


class _Stderr:
    """A server's stderr read line by line in a thread until it closes, so that the server never
    stalls on a full pipe; the lines are kept for :meth:`port` and for an error message."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc.stderr,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.lines.put(line.decode(errors="replace"))
        self.lines.put(None)

    def port(self, deadline: float) -> int:
        """The port the server says it took (each server here starts with port 0: the kernel
        picks a free one and the server holds it from then on, so no other process can take it
        between a check and the bind)."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise RuntimeError("the server exited before it served: " + "".join(self.seen[-20:]))
            self.seen.append(line)
            if (announced := ANNOUNCED.search(line)) is not None:
                return int(announced[1])
        raise RuntimeError("the server did not say where it serves in time: " + "".join(self.seen[-20:]))


def _wait(url: str, deadline: float) -> float:
    """Poll ``url`` until it answers 200; the monotonic time it did."""
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code == 200:
                    return time.monotonic()
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    raise RuntimeError(f"{url} did not answer in time")


def worker_ticks(group: int) -> dict[int, int]:
    """CPU ticks used so far by each ``haven serve --workers`` worker in process group ``group``.

    With one worker, the server process (the group's leader) is the worker.
    """
    ticks, leader = {}, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        # After the command name: state, ppid, pgrp, ...; utime and stime are fields 14 and 15.
        used = int(fields[11]) + int(fields[12])
        if int(fields[2]) == group and b"spawn_main" in cmdline:
            ticks[int(stat.parent.name)] = used
        elif int(stat.parent.name) == group:
            leader = used
    return ticks or {group: leader}


def shares(before: dict[int, int], after: dict[int, int]) -> list[float]:
    """Each worker's share of the CPU the workers used between two :func:`worker_ticks`, largest first."""
    used = [after[pid] - before.get(pid, 0) for pid in after]
    total = sum(used) or 1
    return sorted((round(u / total, 2) for u in used), reverse=True)


@contextmanager
def server(argv: list[str], ready: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Run a server in its own process group until the block ends; yields its base URL and group.

    ``argv`` starts it on port 0; the port it took is read from what it prints (:class:`_Stderr`).
    """
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        base = f"http://{HOST}:{_Stderr(proc).port(deadline)}"
        _wait(base + ready, deadline)
        yield base, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def haven_argv(workers: int) -> list[str]:
    """Production settings: ``haven serve --workers N`` (one socket per worker, no access log).

    The index comes from ``HAVEN_DB`` (:func:`haven_env`).
    """
    return [str(BIN / "haven"), "serve", "--host", HOST, "--port", "0", "--workers", str(workers)]


def haven_env(db: Path) -> dict[str, str]:
    return {"HAVEN_DB": str(db), "HAVEN_DATA": str(ROOT / "data"), "HAVEN_RATE_LIMIT": "0"}


def datasette_argv(db: Path) -> list[str]:
    return [str(BIN / "datasette"), "serve", str(db), "--host", HOST, "--port", "0"]


# -- load ----------------------------------------------------------------------------------------


def wrk(base: str, paths: list[str], duration: float, connections: int, threads: int) -> dict[str, Any]:
    """One bounded wrk run rotating through ``paths``: requests/s, p50/p99 ms, errors."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "rotate.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--timeout", "10s",
             "-s", str(script), base],
            env={**os.environ, "WRK_PATHS": str(listing)}, capture_output=True, text=True, check=True,
            timeout=duration + 60,
        )  # fmt: skip
    summary = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    seconds = summary["duration_us"] / 1e6
    return {
        "rps": round(summary["requests"] / seconds, 1),
        "p50_ms": round(summary["p50_us"] / 1000, 2),
        "p99_ms": round(summary["p99_us"] / 1000, 2),
        "requests": summary["requests"],
        "non2xx": summary["non2xx"],
        "errors": summary["errors"],
        "threads": threads,
    }


def answered(base: str, paths: list[str], rows: str) -> int:
    """How many of ``paths`` come back 200 with at least one result (``rows``: the JSON key, or '')."""
    n = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in paths:
            r = client.get(path)
            if r.status_code == 200 and (r.json()[rows] if rows else r.json()):
                n += 1
    return n


# -- start and weight ----------------------------------------------------------------------------


def start_time(db: Path, tries: int) -> dict[str, Any]:
    """``haven serve`` on ``db``: process start to the first answered search, best and median of ``tries``."""
    times = []
    for _ in range(tries):
        t0 = time.monotonic()
        proc = subprocess.Popen([str(BIN / "haven"), "serve", "--db", str(db), "--port", "0"], cwd=ROOT,
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        try:
            url = f"http://{HOST}:{_Stderr(proc).port(t0 + 60)}" + api_path(Query(q="상담"))
            times.append(_wait(url, t0 + 60) - t0)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
    return {"start_best_s": round(min(times), 2), "start_median_s": round(statistics.median(times), 2)}


def weight(base: str) -> dict[str, Any]:
    """Bytes of the home page, a results page and a resource page (as sent, and gzipped)."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        first = client.get(api_path(Query(q="상담", limit=1))).json()["results"][0]["resource"]["id"]
        for name, path in (
            ("home", "/"),
            ("results", page_path(Query(q="상담"))),
            ("resource", f"/resources/{first}"),
        ):
            body = client.get(path).content
            out[f"{name}_bytes"] = len(body)
            out[f"{name}_gzip_bytes"] = len(gzip.compress(body, 6))
    return out


# -- the whole run -------------------------------------------------------------------------------


def run(size: int, duration: float, connections: int = 32, threads: int = 2, workers: int | None = None,
        start_tries: int = 3, cache: Path = CACHE, mix: int = 200) -> dict[str, Any]:  # fmt: skip
    """Every HTTP figure for one catalog size; the same dict is printed and written as JSON.

    ``mix`` takes the first queries of the 200-query mix only (for a quick smoke run).
    """
    workers = workers or os.cpu_count() or 1
    haven_db, peer_db, build_s = prepare(size, cache)
    queries = query_mix()[:mix]
    worded = [q for q in queries if q.q.strip()]  # the peer has no filters: it gets the words only
    api = [api_path(q) for q in queries]
    pages = [page_path(q) for q in queries]
    peer = [datasette_path(q) for q in worded]
    report: dict[str, Any] = {"size": size, "build_s": build_s, "duration_s": duration,
                              "connections": connections, "workers": workers, "queries": len(queries),
                              "worded_queries": len(worded)}  # fmt: skip
    with server(haven_argv(workers), "/livez", haven_env(haven_db)) as (base, group):
        wrk(base, api, min(duration, 2), connections, threads)  # warm-up: every worker, every query
        report["static_1t"] = wrk(base, ["/livez"], duration, connections, 1)
        report["static"] = wrk(base, ["/livez"], duration, connections, threads)
        for name, paths in (("api", api), ("page", pages)):
            before = worker_ticks(group)
            report[name] = wrk(base, paths, duration, connections, threads)
            # An even split says the kernel spread the connections; one worker near 1.0 would
            # mean the figure is one process's, whatever --workers says.
            report[name]["worker_cpu_shares"] = shares(before, worker_ticks(group))
        report["haven_answered"] = answered(base, api, "results")
        report["haven_answered_worded"] = answered(base, [api_path(q) for q in worded], "results")
        if size == 0 and start_tries:
            report["weight"] = weight(base)
    with server(datasette_argv(peer_db), "/-/versions.json") as (base, _):
        wrk(base, peer, min(duration, 2), connections, threads)
        report["datasette"] = wrk(base, peer, duration, connections, threads)
        report["datasette_answered"] = answered(base, peer, "")
    static = report["static"]["rps"] or 1
    for name in ("api", "page"):
        report[f"{name}_vs_static"] = round(report[name]["rps"] / static, 3)
    report["api_vs_datasette"] = round(report["api"]["rps"] / (report["datasette"]["rps"] or 1), 2)
    report["wrk_2t_vs_1t"] = round(static / (report["static_1t"]["rps"] or 1), 2)
    if start_tries:
        real_db, _, _ = prepare(0, cache)
        report["start"] = start_time(real_db, start_tries)
        if "weight" not in report:
            with server(haven_argv(1), "/livez", haven_env(real_db)) as (base, _):
                report["weight"] = weight(base)
    return report


def print_report(r: dict[str, Any]) -> None:
    print(f"HTTP, {r['size'] or 'real'} resources, {r['workers']} workers (haven serve), wrk -c {r['connections']} "
          f"-d {r['duration_s']}s")  # fmt: skip
    print(
        f"{'endpoint':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7} {'ratio':>14}"
    )
    rows = [
        ("/livez (wrk 1 thread)", r["static_1t"], ""),
        ("/livez (static, limit)", r["static"], f"{r['wrk_2t_vs_1t']}x 1 thread"),
        ("/api/v1/search", r["api"], f"{r['api_vs_static']:.0%} static"),
        ("/search (HTML)", r["page"], f"{r['page_vs_static']:.0%} static"),
        ("Datasette ?_search=", r["datasette"], f"API {r['api_vs_datasette']}x"),
    ]
    for name, m, ratio in rows:
        print(
            f"{name:<28} {m['rps']:>9} {m['p50_ms']:>8} {m['p99_ms']:>8} {m['non2xx']:>8} {m['errors']:>7} {ratio:>14}"
        )
    print("CPU split between the workers: " + ", ".join(
        f"{name} {r[name]['worker_cpu_shares']}" for name in ("api", "page")))  # fmt: skip
    print(f"answered (≥1 result): Haven {r['haven_answered']}/{r['queries']} of the mix, "
          f"{r['haven_answered_worded']}/{r['worded_queries']} of the worded queries; "
          f"Datasette {r['datasette_answered']}/{r['worded_queries']}")  # fmt: skip
    if "start" in r:
        s, w = r["start"], r["weight"]
        print(f"real data: start to first search {s['start_best_s']} s (median {s['start_median_s']} s); "
              f"bytes / {w['home_bytes']:,} ({w['home_gzip_bytes']:,} gz), results {w['results_bytes']:,} "
              f"({w['results_gzip_bytes']:,} gz), resource {w['resource_bytes']:,} ({w['resource_gzip_bytes']:,} gz)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=int, default=100_000, help="synthetic resources; 0 is the real directory"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=None, help="haven serve --workers (default: one per core)"
    )
    parser.add_argument("--start-tries", type=int, default=3, help="cold starts to time (0: skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "http.json")
    args = parser.parse_args()
    if not wrk_available():
        sys.exit("http_bench: wrk is not installed (apt-get install wrk)")
    report = run(args.size, args.duration, args.connections, args.threads, args.workers, args.start_tries)
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    args.out.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_at_end": [round(x, 2) for x in load]},
        "date": time.strftime("%Y-%m-%d"), "results": [report]}, indent=2))  # fmt: skip
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
