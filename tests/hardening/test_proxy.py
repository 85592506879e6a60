"""docs/nginx/nginx.conf and haven.conf in front of a real `haven serve`, run by Debian's nginx
on 127.0.0.1.

The example runs as it is written; only its ports, file paths and certificate (made here, for
one day) change. Needs nginx (`apt-get install nginx`; .ci/run installs it). The slow-client
attacks (connections that trickle a head, clients that ask for large answers and never read)
are bounded by counts and socket timeouts.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, picked_port
from tests.hardening.conftest import MEASURES, Server, raise_own_file_limit

EXAMPLE = ROOT / "docs" / "nginx" / "haven.conf"
MAIN = ROOT / "docs" / "nginx" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PUBLIC = "haven.example"


@dataclass
class Proxy:
    http_port: int
    tls_port: int
    prefix: Path
    haven: Server

    def get(
        self, path: str, headers: dict[str, str] | None = None, tls: bool = True, source: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], str]:
        if tls:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.tls_port, timeout=10, context=_client_tls(), source_address=(source, 0)
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=10, source_address=(source, 0)
            )
        try:
            conn.request("GET", path, headers={"Host": PUBLIC, **(headers or {})})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()


def _client_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the certificate was made a moment ago for this test
    return context


def _replaced(path: Path, replacements: dict[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"{path.name} no longer has {old!r}: update this test with it"
        text = text.replace(old, new)
    return text


def _site_config(prefix: Path, haven_port: int, http_port: int, tls_port: int) -> str:
    text = _replaced(EXAMPLE, {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{haven_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{tls_port} ssl http2;",
        "/etc/ssl/certs/haven.example.pem": str(prefix / "cert.pem"),
        "/etc/ssl/private/haven.example.key": str(prefix / "key.pem"),
        "/var/log/nginx/haven-error.log": str(prefix / "haven-error.log"),
    })  # fmt: skip
    return re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.M)  # IPv4 loopback only


def _main_config(prefix: Path) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return _replaced(MAIN, {
        "user www-data;\n": "",  # the test's files are its own user's
        "pid /run/nginx.pid;": f"pid {prefix}/nginx.pid;",
        "error_log /var/log/nginx/error.log crit;": f"error_log {prefix}/main-error.log crit;",
        "include /etc/nginx/modules-enabled/*.conf;\n": "",
        "    include /etc/nginx/conf.d/*.conf;": f"{temp}\n    include {prefix}/haven.conf;",
    })  # fmt: skip


@pytest.fixture
def proxy(serve: Any, db_path: Path, tmp_path: Path) -> Iterator[Proxy]:
    """nginx in front of Haven with a rate limit of 3 requests a minute."""
    yield from _proxy(serve, db_path, tmp_path, "3/minute")


@pytest.fixture
def open_proxy(serve: Any, db_path: Path, tmp_path: Path) -> Iterator[Proxy]:
    """nginx in front of Haven without a rate limit (the attacks below are nginx's to stop)."""
    yield from _proxy(serve, db_path, tmp_path, "0")


def _proxy(serve: Any, db_path: Path, tmp_path: Path, rate_limit: str) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing (CI is set: apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    haven: Server = serve(
        "--db", str(db_path),
        env={"HAVEN_PUBLIC_URL": f"https://{PUBLIC}", "HAVEN_TRUSTED_PROXIES": "127.0.0.1",
             "HAVEN_RATE_LIMIT": rate_limit},
    )  # fmt: skip
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={PUBLIC}",
         "-keyout", str(prefix / "key.pem"), "-out", str(prefix / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (prefix / "nginx.conf").write_text(_main_config(prefix), encoding="utf-8")
    (prefix / "logs").mkdir()
    # nginx cannot be given port 0. Ports picked free may be taken before nginx binds them (another
    # test worker, another server): nginx then stops at once, saying so, and is started again on
    # two others. Nothing is ever asked of a port nginx did not bind.
    for attempt in range(5):
        http_port, tls_port = picked_port(), picked_port()
        (prefix / "haven.conf").write_text(
            _site_config(prefix, haven.port, http_port, tls_port), encoding="utf-8"
        )
        process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-e", str(prefix / "early-error.log"), "-c", str(prefix / "nginx.conf"),
             "-g", "daemon off;"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        result = Proxy(http_port, tls_port, prefix, haven)
        try:
            if _started(process, result):
                break
        except BaseException:
            process.terminate()
            process.wait(timeout=10)
            raise
        out = process.stdout.read().decode() if process.stdout else ""
        early = prefix / "early-error.log"
        out += early.read_text(encoding="utf-8", errors="replace") if early.exists() else ""
        if "Address already in use" not in out or attempt == 4:
            raise RuntimeError(f"nginx did not start: {out}")
    try:
        yield result
    finally:
        process.terminate()
        process.wait(timeout=10)


def _started(process: subprocess.Popen[bytes], proxy: Proxy) -> bool:
    """True once nginx answers; False if it stopped first. Raises when it hangs past 20 s."""
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            return False
        try:
            proxy.get("/healthz")
            return True
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not answer within 20 s") from None
            time.sleep(0.05)


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
    marker = f"qqproxymarker{secrets.token_hex(4)}"  # this run's own: a shared log may hold older ones
    assert proxy.get(f"/search?q={marker}")[0] == 200
    assert proxy.get(f"/search?q={marker}", tls=False)[0] == 301  # port 80 writes nothing either
    with contextlib.suppress(ConnectionResetError):  # closed without an answer (444)
        proxy.get(f"/search?q={marker}", {"Host": "other.example"}, tls=False)
    assert proxy.get(f"/search?q={marker}&x=" + "b" * 20_000)[0] in (400, 414, 494)  # an error, too
    written = [p for p in proxy.prefix.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    # Debian's nginx writes a server without `access_log off` to its compiled-in log, outside the prefix.
    system_log = Path("/var/log/nginx/access.log")
    if system_log.is_file() and os.access(system_log, os.R_OK):
        written += [system_log] if marker.encode() in system_log.read_bytes() else []
    assert written == []
    assert marker not in proxy.haven.logs()


def _raw_answer(port: int, host: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET /search?q=1366 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(4096):
                data += chunk
                if b"\r\n\r\n" in data:
                    break
        return data


def test_port_80_redirects_only_to_the_sites_own_name(proxy: Proxy) -> None:
    answer = _raw_answer(proxy.http_port, PUBLIC)
    assert answer.startswith(b"HTTP/1.1 301 ")
    assert f"location: https://{PUBLIC}/search?q=1366".encode() in answer.lower()
    for host in ("evil.example", f"{PUBLIC}.evil.example", "127.0.0.1"):
        assert _raw_answer(proxy.http_port, host) == b"", host  # closed without an answer
    answer = _raw_answer(proxy.http_port, f"evil.example/{PUBLIC}")  # not even a valid name
    assert answer.startswith(b"HTTP/1.1 400 ") and b"location:" not in answer.lower()


@pytest.mark.timeout(120)
def test_trickling_connections_on_port_80_do_not_keep_https_visitors_out(open_proxy: Proxy) -> None:
    n = min(1700, raise_own_file_limit(2000) - 200)
    slow: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = socket.socket()
            sock.settimeout(5)
            try:
                sock.connect(("127.0.0.1", open_proxy.http_port))
                sock.sendall(f"GET / HTTP/1.1\r\nHost: {PUBLIC}\r\nX-Slow: ".encode())
            except OSError:
                sock.close()
                continue
            slow.append(sock)
        statuses = [open_proxy.get("/safety", source="127.0.0.2")[0] for _ in range(30)]
    finally:
        for sock in slow:
            sock.close()
    MEASURES[f"HTTPS visitors through nginx among {len(slow)} trickling connections"] = (
        f"{statuses.count(200)}/{len(statuses)} answered"
    )
    assert len(slow) >= 1500, f"only {len(slow)} trickling connections could be opened"
    assert statuses == [200] * 30, statuses


@pytest.mark.timeout(120)
def test_clients_that_never_read_hold_at_most_their_share_of_nginx(open_proxy: Proxy) -> None:
    request = f"GET /api/v1/resources HTTP/1.1\r\nHost: {PUBLIC}\r\n\r\n".encode()
    stalled: list[socket.socket] = []
    try:
        for _ in range(64):
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # a tiny window, never read
            raw.settimeout(5)
            raw.connect(("127.0.0.1", open_proxy.tls_port))
            tls = _client_tls().wrap_socket(raw, server_hostname=PUBLIC)
            tls.sendall(request * 6)  # about 3.5 MB of answers: more than the socket buffers take
            stalled.append(tls)
        time.sleep(2)  # Haven answers nginx; nginx writes as far as the windows allow
        other_address = [open_proxy.get("/safety", source="127.0.0.2")[0] for _ in range(20)]
    finally:
        for sock in stalled:
            sock.close()
    MEASURES["requests through nginx beside 64 clients that never read"] = (
        f"{other_address.count(200)}/20 answered"
    )
    assert other_address == [200] * 20, other_address


@pytest.mark.timeout(120)
def test_one_address_holds_at_most_32_requests_in_progress(open_proxy: Proxy) -> None:
    # Requests whose body trickles stay in progress in nginx (it reads a body before passing the
    # request on) until client_body_timeout: limit_conn caps how many one address holds.
    slow: list[socket.socket] = []
    try:
        for _ in range(48):
            raw = socket.create_connection(("127.0.0.1", open_proxy.tls_port), timeout=5)
            tls = _client_tls().wrap_socket(raw, server_hostname=PUBLIC)
            tls.sendall(
                f"POST /api/v1/search HTTP/1.1\r\nHost: {PUBLIC}\r\nContent-Length: 9000\r\n\r\nq".encode()
            )
            slow.append(tls)
        deadline = time.monotonic() + 5  # until nginx has read every head (bounded)
        while open_proxy.get("/safety")[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        same_address = [open_proxy.get("/safety")[0] for _ in range(5)]
        other_address = [open_proxy.get("/safety", source="127.0.0.2")[0] for _ in range(10)]
    finally:
        for sock in slow:
            sock.close()
    assert same_address == [503] * 5, same_address  # limit_conn haven_per_address 32
    assert other_address == [200] * 10, other_address


def test_every_server_block_turns_the_access_log_off() -> None:
    # A server without its own `access_log off` logs to whatever the main file says (Debian's:
    # address, query and user agent of every request), so each block says it itself.
    text = re.sub(r"#.*", "", EXAMPLE.read_text(encoding="utf-8"))
    blocks = re.findall(r"^server \{(.*?)^\}", text, flags=re.M | re.S)
    assert len(blocks) >= 3  # port 80 (default and the site's) and 443
    for block in blocks:
        assert re.search(r"^\s*access_log off;", block, flags=re.M), block[:200]
    assert "$host$request_uri" not in text  # redirects name the site, never the request's Host
