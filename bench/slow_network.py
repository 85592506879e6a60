"""The site on a slow phone connection: first paint, first tap-to-call link, bytes on the wire.

    python -m bench.slow_network --runs 3 --out bench/results/slow-network.json

``haven serve`` (one worker, the real data's index) on 127.0.0.1, Debian's chromium driven by
Playwright at a 390×844 phone viewport, the network emulated through the DevTools protocol
(``Network.emulateNetworkConditions``: 400 kbit/s down and up, 400 ms round trip); with
``--cpu-slowdown N`` the CPU N times slower (``Emulation.setCPUThrottlingRate``).
For each page and run:

- **cold**: a fresh browser context (nothing cached) opens the page;
- **warm**: a fresh context opens ``/`` first, unthrottled, then the page throttled: the stylesheet,
  script and icon come from the cache, as for the second page of a visit.

Figures, from navigation start:

- ``fcp_ms``: first contentful paint (``performance.getEntriesByType("paint")``);
- ``tel_ms``: when a ``tel:`` link is first shown on the first screen (the crisis strip's 112 and
  1366 are on every page): the first animation frame in which one is laid out there, or the first
  contentful paint if that is later; ``main_tel_ms`` the same for a ``tel:`` link inside
  ``<main>`` (a result's or the resource's own call button), or null when none is on the first
  screen;
- ``document_bytes`` and ``total_bytes``: bytes received for the HTML and for every request of
  the load, headers included (``encodedDataLength`` of ``Network.loadingFinished``).

Medians of ``--runs`` are printed and written as JSON. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.http_bench import HOST, ROOT, haven_argv, server

__all__ = ("PAGES", "main", "measure")

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
#: The slow mobile profile: 400 kbit/s each way (in bytes per second), 400 ms round trip.
PROFILE = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
PAGES = {
    "home": "/",
    "results": "/search?q=" + quote("딥페이크"),
    "resource": "/resources/women-1366",
}
TARGET_MS = 2000
TARGET_RESULTS_BYTES = 10_000

# Runs before the page's own code: notes the first frame in which a tel: link is on the first screen.
WATCH_TEL = """
(() => {
  const onScreen = (a) => {
    const r = a.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0 && r.left < innerWidth;
  };
  window.__tel = null; window.__mainTel = null;
  const look = () => {
    const links = [...document.querySelectorAll('a[href^="tel:"]')].filter(onScreen);
    if (window.__tel === null && links.length) window.__tel = performance.now();
    if (window.__mainTel === null && links.some((a) => a.closest('main'))) window.__mainTel = performance.now();
    if (window.__mainTel === null && performance.now() < 30000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


def _load(context: Any, url: str, throttle: bool, cpu_slowdown: float = 1) -> dict[str, Any]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", PROFILE)
        if cpu_slowdown > 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
    received: dict[str, float] = {}
    document: list[str] = []

    def on_response(event: dict[str, Any]) -> None:
        if event.get("type") == "Document" and not document:
            document.append(event["requestId"])

    def on_finished(event: dict[str, Any]) -> None:
        received[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    page.add_init_script(WATCH_TEL)
    page.goto(url, wait_until="load", timeout=60_000)
    page.wait_for_function(
        "window.__tel !== null && performance.getEntriesByName('first-contentful-paint').length > 0",
        timeout=30_000,
    )
    # The first screen's own call button, if the page has one there; bounded.
    page.wait_for_function(
        "window.__mainTel !== null || performance.now() > 30000 || "
        "![...document.querySelectorAll('main a[href^=\"tel:\"]')].some(a => a.getBoundingClientRect().top < innerHeight)",
        timeout=35_000,
    )
    figures = page.evaluate(
        """() => ({
            fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null,
            tel: window.__tel, mainTel: window.__mainTel,
            html: performance.getEntriesByType('navigation')[0].responseEnd,
            css: Math.max(0, ...performance.getEntriesByType('resource')
                .filter((e) => e.initiatorType === 'link').map((e) => e.responseEnd)),
        })"""
    )
    page.close()
    fcp = figures["fcp"]

    def seen(frame: float | None) -> int | None:
        # A frame's callbacks run before it is painted, and nothing shows before the first paint.
        return None if frame is None else round(max(frame, fcp or 0))

    return {
        "fcp_ms": None if fcp is None else round(fcp),
        "tel_ms": seen(figures["tel"]),
        "main_tel_ms": seen(figures["mainTel"]),
        # Where the time goes: the HTML and the stylesheet (0 when cached) fully received.
        "html_done_ms": round(figures["html"]),
        "css_done_ms": round(figures["css"]),
        "document_bytes": int(received.get(document[0], 0)) if document else None,
        "total_bytes": int(sum(received.values())),
        "requests": len(received),
    }


def _median(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return statistics.median(values) if values else None


def measure(base: str, runs: int, cpu_slowdown: float = 1, browser: Any = None) -> dict[str, Any]:
    """Cold and warm loads of each page, ``runs`` times: every run and the medians.

    ``browser`` is a launched Playwright chromium (the tests share theirs); without it one is
    launched for the run.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            launched = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            try:
                return measure(base, runs, cpu_slowdown, launched)
            finally:
                launched.close()
    out: dict[str, Any] = {}
    keys = ("fcp_ms", "tel_ms", "main_tel_ms", "html_done_ms", "css_done_ms", "document_bytes", "total_bytes",
            "requests")  # fmt: skip
    for name, path in PAGES.items():
        for mode in ("cold", "warm"):
            rows = []
            for _ in range(runs):
                context = browser.new_context(viewport=PHONE, locale="ko-KR", service_workers="block")
                if mode == "warm":
                    _load(context, base + "/", throttle=False)
                rows.append(_load(context, base + path, throttle=True, cpu_slowdown=cpu_slowdown))
                context.close()
            out[f"{name}/{mode}"] = {"path": path, "runs": rows, **{k: _median(rows, k) for k in keys}}
    return out


def _show(figures: dict[str, Any]) -> None:
    def cell(value: float | None, unit: str = "") -> str:
        return "–" if value is None else f"{value:,.0f}{unit}"

    print(
        f"{'page':<16} {'FCP':>8} {'tel: link':>10} {'main tel:':>10} {'HTML in':>9} {'CSS in':>9} "
        f"{'HTML on wire':>13} {'all on wire':>12}"
    )
    for name, f in figures.items():
        print(
            f"{name:<16} {cell(f['fcp_ms'], ' ms'):>8} {cell(f['tel_ms'], ' ms'):>10} "
            f"{cell(f['main_tel_ms'], ' ms'):>10} {cell(f['html_done_ms'], ' ms'):>9} {cell(f['css_done_ms'], ' ms'):>9} "
            f"{cell(f['document_bytes'], ' B'):>13} {cell(f['total_bytes'], ' B'):>12}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu-slowdown", type=float, default=1, help="e.g. 4: a mid-range phone's CPU")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "slow-network.json")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    started = time.time()
    with server(haven_argv(1), "/healthz", env={"HAVEN_RATE_LIMIT": "0"}) as (base, _):
        figures = measure(base, args.runs, args.cpu_slowdown)
    _show(figures)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "host": platform.node(),
        "profile": {
            "down_kbit_s": 400,
            "up_kbit_s": 400,
            "rtt_ms": 400,
            "viewport": PHONE,
            "cpu_slowdown": args.cpu_slowdown,
        },  # fmt: skip
        "host_address": HOST,
        "targets": {"ms": TARGET_MS, "results_bytes": TARGET_RESULTS_BYTES},
        "pages": figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
