"""Hosts, self-links and static paths a crafted request names, against a real `haven serve`."""

from __future__ import annotations

import http.client
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HAVEN
from tests.hardening.conftest import Server, tried


def _raw(server: Server, path: str, host: str | None = "127.0.0.1") -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


MALFORMED_HOSTS = ["x:y", "127.0.0.1:99999", "127.0.0.1:", "a b", "evil.example/x", "[::1", "127.0.0.1:80:80"]


@pytest.mark.parametrize("host", MALFORMED_HOSTS)
@pytest.mark.parametrize("path", ["/", "/search?q=1366", "/api/v1/search?q=1366", "/nowhere"])
def test_a_malformed_host_is_a_400_with_the_security_headers(
    shared_server: Server, host: str, path: str
) -> None:
    before = shared_server.logs()
    status, headers, body = _raw(shared_server, path, host)
    tried("malformed host")
    assert status == 400
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert "Traceback" not in body
    assert shared_server.logs() == before  # nothing logged, so nothing to flood


def test_a_host_the_site_does_not_serve_is_refused(shared_server: Server) -> None:
    status, _, body = _raw(shared_server, "/for-schools", "evil.example")
    assert status == 400
    assert "evil.example" not in body
    # Loopback names and addresses are this machine: always answered.
    for host in ("127.0.0.1", f"127.0.0.1:{shared_server.port}", "localhost", "[::1]:8000", "127.0.0.2"):
        assert _raw(shared_server, "/", host)[0] == 200, host


def test_a_request_without_host_is_answered(shared_server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=10)
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"  # HTTP/1.0 may omit Host
    try:
        conn.putrequest("GET", "/", skip_host=True)
        conn.endheaders()
        assert conn.getresponse().status == 200
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path", ["/%5Cevil.example", "/%09/evil.example", "/%5C%5Cevil.example", "//evil.example"]
)
def test_the_language_link_on_any_page_stays_on_the_site(shared_server: Server, path: str) -> None:
    status, _, body = _raw(shared_server, path)
    assert status == 404
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs
    for href in hrefs:
        # A self-link starts with one slash and a path character: never //, /\ or whitespace.
        assert re.match(r"^(/(?![/\\\s])|#|tel:|sms:|https://)", href), href
        assert "\\" not in href and "\t" not in href


@pytest.mark.parametrize(
    "path",
    [
        "/static/%00",
        "/static/haven.css%00",
        "/static/" + "a" * 5000,
        "/static/../pyproject.toml",
        "/static/%2e%2e/x",
    ],
)
def test_static_paths_no_asset_could_have_are_404(shared_server: Server, path: str) -> None:
    status, headers, body = _raw(shared_server, path)
    tried("static path")
    assert status == 404, path
    assert headers["x-content-type-options"] == "nosniff"
    assert "Traceback" not in body and "internal error" not in shared_server.logs()


def test_serving_beyond_loopback_needs_the_public_address(tmp_path: Path, db_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "HAVEN_PUBLIC_URL"}
    done = subprocess.run(
        [HAVEN, "serve", "--host", "0.0.0.0", "--port", "1", "--db", str(db_path)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "HAVEN_PUBLIC_URL" in done.stderr
    bad = subprocess.run(
        [HAVEN, "serve", "--port", "1", "--db", str(db_path)],
        capture_output=True, text=True, timeout=60, env={**env, "HAVEN_PUBLIC_URL": "javascript:alert(1)"},
    )  # fmt: skip
    assert bad.returncode == 1 and "HAVEN_PUBLIC_URL" in bad.stderr and "Traceback" not in bad.stderr


def test_links_use_the_public_address_whatever_host_is_named(serve: Any, db_path: Path) -> None:
    server: Server = serve(
        "--db", str(db_path),
        env={"HAVEN_PUBLIC_URL": "https://haven.example", "HAVEN_ALLOWED_HOSTS": "www.haven.example"},
    )  # fmt: skip
    status, _, body = _raw(server, "/for-schools", "www.haven.example")
    assert status == 200
    assert "https://haven.example/embed" in body
    assert "www.haven.example" not in body
    assert _raw(server, "/for-schools", "haven.example")[0] == 200
    assert _raw(server, "/for-schools", "other.example")[0] == 400
