"""docs/nginx/haven.conf in front of a real `haven serve`, run by Debian's nginx on 127.0.0.1.

The example runs as it is written; only its ports, file paths and certificate (made here, for
one day) change. Needs nginx (`apt-get install nginx`; .ci/run installs it).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, free_port
from tests.hardening.conftest import Server

EXAMPLE = ROOT / "docs" / "nginx" / "haven.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PUBLIC = "haven.example"


@dataclass
class Proxy:
    http_port: int
    tls_port: int
    prefix: Path
    haven: Server

    def get(
        self, path: str, headers: dict[str, str] | None = None, tls: bool = True
    ) -> tuple[int, dict[str, str], str]:
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the certificate was made a moment ago for this test
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.tls_port, timeout=10, context=context
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": PUBLIC, **(headers or {})})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()


def _site_config(prefix: Path, haven_port: int, http_port: int, tls_port: int) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{haven_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{tls_port} ssl http2;",
        "/etc/ssl/certs/haven.example.pem": str(prefix / "cert.pem"),
        "/etc/ssl/private/haven.example.key": str(prefix / "key.pem"),
        "/var/log/nginx/haven-error.log": str(prefix / "haven-error.log"),
    }
    for old, new in replacements.items():
        assert old in text, f"docs/nginx/haven.conf no longer has {old!r}: update this test with it"
        text = text.replace(old, new)
    return re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.M)  # IPv4 loopback only


@pytest.fixture
def proxy(serve: Any, db_path: Path, tmp_path: Path) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing (CI is set: apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    haven: Server = serve(
        "--db", str(db_path),
        env={"HAVEN_PUBLIC_URL": f"https://{PUBLIC}", "HAVEN_TRUSTED_PROXIES": "127.0.0.1",
             "HAVEN_RATE_LIMIT": "3/minute"},
    )  # fmt: skip
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={PUBLIC}",
         "-keyout", str(prefix / "key.pem"), "-out", str(prefix / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http_port, tls_port = free_port(), free_port()
    (prefix / "haven.conf").write_text(
        _site_config(prefix, haven.port, http_port, tls_port), encoding="utf-8"
    )
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/main-error.log crit;\nworker_processes 1;\n"
        f"events {{ worker_connections 256; }}\nhttp {{\n{temp}\n    include {prefix}/haven.conf;\n}}\n",
        encoding="utf-8",
    )
    (prefix / "logs").mkdir()
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-e", str(prefix / "early-error.log"), "-c", str(prefix / "nginx.conf"),
         "-g", "daemon off;"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    result = Proxy(http_port, tls_port, prefix, haven)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                result.get("/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    out = (
                        process.stdout.read().decode()
                        if process.stdout and process.poll() is not None
                        else ""
                    )
                    raise RuntimeError(f"nginx did not start: {out}") from None
                time.sleep(0.05)
        yield result
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_pages_come_through_with_havens_headers_and_https_is_known(proxy: Proxy) -> None:
    status, headers, body = proxy.get("/")
    assert status == 200
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")  # X-Forwarded-Proto believed
    assert headers.get("server", "nginx") == "nginx"  # no version
    assert "tel:1366" in body
    status, headers, _ = proxy.get("/search?q=1366", tls=False)
    assert status == 301 and headers["location"] == f"https://{PUBLIC}/search?q=1366"


def test_a_client_cannot_claim_another_address_through_the_proxy(proxy: Proxy) -> None:
    statuses = [
        proxy.get("/api/v1/search?q=1366", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_oversized_headers_stop_at_the_proxy(proxy: Proxy) -> None:
    status, _, _ = proxy.get("/", {"X-Big": "a" * 20_000})
    assert status in (400, 494)
    assert proxy.get("/")[0] == 200


def test_a_host_the_site_does_not_serve_is_refused_through_the_proxy(proxy: Proxy) -> None:
    assert proxy.get("/for-schools", {"Host": "other.example"})[0] == 400


def test_neither_nginx_nor_haven_writes_down_what_was_searched(proxy: Proxy) -> None:
    marker = "qqproxymarker"
    assert proxy.get(f"/search?q={marker}")[0] == 200
    assert proxy.get(f"/search?q={marker}&x=" + "b" * 20_000)[0] in (400, 414, 494)  # an error, too
    written = [p for p in proxy.prefix.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    assert written == []
    assert marker not in proxy.haven.logs()
