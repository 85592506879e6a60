"""Drive the real site in Debian's chromium: a `haven serve` subprocess, a second origin, and
pages whose every request is checked to stay on those two origins.

Never downloads a browser. Without /usr/bin/chromium the tests skip (or fail when CI is set).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, serve

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Site:
    """The Haven server under test and a second, unrelated origin (a school's website)."""

    base: str
    other: str
    exit_url: str
    process: subprocess.Popen[str]
    origins: tuple[str, ...] = field(default=())


class _OtherOrigin(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(db_path: Path) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtherOrigin)  # port 0: the kernel's, kept
    other = f"http://127.0.0.1:{server.server_address[1]}"
    exit_url = f"{other}/neutral.html"
    with serve(db_path, env={"HAVEN_EXIT_URL": exit_url}) as (base, process):
        _OtherOrigin.pages = {
            "/neutral.html": "<!doctype html><html lang=en><title>Weather</title><h1>Today's weather</h1></html>",
            "/before.html": "<!doctype html><html lang=en><title>News</title><h1>Where she was before</h1></html>",
            "/school.html": (
                "<!doctype html><html lang=ko><title>School</title><h1>Our school</h1>"
                f'<iframe id="haven" src="{base}/embed?region=KR-26&amp;lang=ko" title="Haven" width="380" '
                'height="640" referrerpolicy="no-referrer"></iframe></html>'
            ),
            "/framing-home.html": (
                f'<!doctype html><html lang=en><title>Framing</title><iframe src="{base}/" title="x"></iframe></html>'
            ),
        }
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield Site(base=base, other=other, exit_url=exit_url, process=process, origins=(base, other))
        finally:
            server.shutdown()


@dataclass
class Watched:
    """A browser context whose requests to any other origin are blocked and recorded."""

    context: Any
    site: Site
    outside: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        return page


def _watch(browser: Any, site: Site, **options: Any) -> Watched:
    context = browser.new_context(**options)
    watched = Watched(context=context, site=site)

    def handle(route: Any) -> None:
        url = route.request.url
        watched.requests.append(url)
        if url.startswith(tuple(o + "/" for o in site.origins)):
            route.continue_()
        else:
            watched.outside.append(url)
            route.abort()

    context.route("**/*", handle)
    return watched


@pytest.fixture
def watched(browser: Any, site: Site, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A Korean phone by default; tests may ask for other options with ``indirect`` params."""
    options = {"viewport": MOBILE, "locale": "ko-KR", **getattr(request, "param", {})}
    w = _watch(browser, site, **options)
    yield w
    w.context.close()
    assert not w.outside, f"requests left the origin: {w.outside}"


@pytest.fixture
def make_context(browser: Any, site: Site) -> Iterator[Any]:
    """Contexts with any options, each checked for requests leaving the origin."""
    made: list[Watched] = []

    def make(**options: Any) -> Watched:
        w = _watch(browser, site, **options)
        made.append(w)
        return w

    yield make
    for w in made:
        w.context.close()
    outside = [u for w in made for u in w.outside]
    assert not outside, f"requests left the origin: {outside}"
