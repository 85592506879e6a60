"""Script injection: data fields and queries holding HTML and JavaScript are inert on results,
the resource page and the embed, checked in Debian's chromium (no dialog fires, no element is
injected, nothing is requested from another origin).
"""

from __future__ import annotations

import re
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HAVEN
from tests.hardening.conftest import tried

pytestmark = pytest.mark.browser

PAYLOAD = (
    '<script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2;alert(2)">'
    '<a href="javascript:alert(3)" id=evil>x</a><svg onload=alert(4)></svg>"\'><iframe src=javascript:alert(5)>'
)
INJECTED = ("script:not([src]), img[src='x'], [onerror], [onload], a[href^='javascript:'], "
            "iframe[src^='javascript:'], #evil")  # fmt: skip


def _poison(data: Path) -> None:
    """Put the payload into text fields of women-1366 (name, summary, caveat-free fields stay valid)."""
    path = data / "resources.yaml"
    text = path.read_text(encoding="utf-8")
    quoted = '"' + PAYLOAD.replace("\\", "\\\\").replace('"', '\\"') + '"'
    text, n = re.subn(r"^(\s+en: )Women's Emergency Hotline 1366$", lambda m: m.group(1) + quoted, text,
                      count=1, flags=re.MULTILINE)  # fmt: skip
    assert n == 1
    text, n = re.subn(r"^(\s+ko: )여성긴급전화 1366$", lambda m: m.group(1) + '"1366 ' + quoted[1:], text, count=1,
                      flags=re.MULTILINE)  # fmt: skip
    assert n == 1
    path.write_text(text, encoding="utf-8")


@pytest.mark.timeout(180)
def test_html_and_script_in_data_and_queries_are_inert(
    browser: Any, serve: Any, data_and_db: tuple[Path, Path]
) -> None:
    data, db = data_and_db
    _poison(data)
    proc = subprocess.run([HAVEN, "build", "--data", str(data), "--out", str(db)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    server = serve("--data", str(data), "--db", str(db))
    q = urllib.parse.quote(PAYLOAD)
    pages = ["/search?q=1366&lang=en", "/search?q=1366", f"/search?q={q}", f"/search?q={q}&lang=en&partial=1",
             "/resources/women-1366?lang=en", "/resources/women-1366", "/embed?region=KR-11&lang=ko",
             "/embed?region=KR-11&lang=en", f"/embed?region={q}", f"/resources/{q}", "/?lang=en",
             f"/for-schools?region={q}"]  # fmt: skip
    context = browser.new_context()
    dialogs: list[str] = []
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server.base + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    shown = 0
    for path in pages:
        # Until the network is quiet: every script and request the page starts has run.
        page.goto(server.base + path, wait_until="networkidle")
        found = page.evaluate(f"Array.from(document.querySelectorAll({INJECTED!r})).map(e => e.outerHTML)")
        assert found == [], (path, found)
        assert page.evaluate("window.__pwned") is None, path
        shown += "<script>window.__pwned" in page.inner_text("body")
        tried("injection: pages in the browser")
    # Search as you type with the payload (haven.js fills the results in place).
    page.goto(server.base + "/?lang=en")
    box = page.locator("input[name=q]").first
    box.fill(PAYLOAD)
    # The results the server rendered for the payload are in the page (a count or a notice).
    page.locator("#results [data-count]").wait_for(state="attached", timeout=10_000)
    assert page.evaluate(f"document.querySelectorAll({INJECTED!r}).length") == 0
    assert page.evaluate("window.__pwned") is None
    context.close()
    assert dialogs == [], dialogs
    assert outside == [], outside
    assert shown >= 3, "the payload should appear as plain text on results, resource and embed pages"
