"""Lighthouse (mobile) scores of the home page and a resource page, on 127.0.0.1 only.

    python -m bench.lighthouse [--out bench/results/lighthouse.json]

``haven serve`` (one worker, the real data's index) on 127.0.0.1, and Lighthouse from
node_modules (package-lock.json) driving Debian's chromium (``CHROME_PATH=/usr/bin/chromium``)
with its default mobile settings: a Moto G Power sized screen, a slow 4G connection and a 4×
slower CPU, all simulated. A results page is not reachable by address (the search is POSTed), so
the pages measured are ``/`` and ``/resources/women-1366``.

Nothing leaves 127.0.0.1: chromium resolves every other host name to nothing
(``--host-resolver-rules``) and has its background networking, component updates and sync off.
Prints performance, accessibility and best-practices scores (0–100) and the first contentful
paint, and writes the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.http_bench import HOST, ROOT, haven_argv, server

__all__ = ("CHROME_FLAGS", "PAGES", "main", "measure")

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PAGES = {"home": "/", "resource": "/resources/women-1366"}
CATEGORIES = ("performance", "accessibility", "best-practices")
#: Chromium may reach 127.0.0.1 and nothing else.
CHROME_FLAGS = " ".join(
    [
        "--headless=new",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--disable-domain-reliability",
        "--metrics-recording-only",
        f'--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE {HOST}"',
    ]
)


def measure(url: str) -> dict[str, Any]:
    """One Lighthouse run of ``url``: each category's score (0–100) and the first contentful paint."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
            check=True, timeout=240, env={**os.environ, "CHROME_PATH": CHROMIUM},
        )  # fmt: skip
        data = json.loads(report.read_text())
    scores = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
    fcp = data["audits"]["first-contentful-paint"]["numericValue"]
    return {**scores, "fcp_ms": round(fcp), "lighthouse": data["lighthouseVersion"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "lighthouse.json")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print("lighthouse is not installed: run `npm ci` (package-lock.json holds it)", file=sys.stderr)
        return 1
    env = {"HAVEN_RATE_LIMIT": "0"}
    results: dict[str, Any] = {}
    with server(haven_argv(1), "/healthz", env) as (base, _):
        for name, path in PAGES.items():
            results[name] = measure(base + path)
            row = results[name]
            print(f"{name:9} {path:24} performance {row['performance']:3}  accessibility "
                  f"{row['accessibility']:3}  best practices {row['best-practices']:3}  "
                  f"first paint {row['fcp_ms']} ms")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"host": platform.node(), "pages": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
