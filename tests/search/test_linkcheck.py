"""The link checker, against HTTP servers the tests start on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import msgspec
import pytest

from search.catalog import Catalog
from search.linkcheck import LinkProblem, UrlUse, _failure, check_links, data_url_uses, url_uses
from search.model import Resource


class Handler(BaseHTTPRequestHandler):
    heads: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, method: str) -> None:
        path = self.path
        if method == "HEAD":
            Handler.heads.append(path)
        routes: dict[str, tuple[int, dict[str, str]]] = {
            "/ok": (200, {}),
            "/gone": (404, {}),
            "/broken": (500, {}),
            "/moved": (301, {"Location": "/new-place"}),
            "/new-place": (200, {}),
            "/old/page?id=3": (302, {"Location": "/"}),
            "/": (200, {}),
            "/loop": (302, {"Location": "/loop"}),
            "/to-https": (301, {"Location": f"https://127.0.0.1:{self.server.server_port}/ok"}),
        }
        if path == "/no-head":
            status, headers = (405, {}) if method == "HEAD" else (200, {})
        elif path == "/slow":
            time.sleep(1.5)
            status, headers = 200, {}
        else:
            status, headers = routes.get(path, (404, {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def check(base: str, *paths: str, timeout: float = 5.0) -> dict[str, LinkProblem]:
    uses = [UrlUse(base + p, f"entry-{i}", "sources[0]", 10 + i) for i, p in enumerate(paths)]
    return {
        p.url[len(base) :]: p
        for p in check_links(uses, "data/resources.yaml", concurrency=4, timeout=timeout)
    }


def test_a_good_page_has_no_problem_and_head_refused_falls_back_to_get(base: str) -> None:
    assert check(base, "/ok", "/no-head") == {}
    assert "/no-head" in Handler.heads


def test_4xx_and_5xx(base: str) -> None:
    found = check(base, "/gone", "/broken")
    assert (found["/gone"].kind, found["/gone"].status) == ("status", 404)
    assert (found["/broken"].kind, found["/broken"].status) == ("status", 500)
    assert str(found["/gone"]) == f"data/resources.yaml:10: entry-0: sources[0] {base}/gone: answers 404"


def test_redirects_home_pages_and_loops(base: str) -> None:
    found = check(base, "/moved", "/old/page?id=3", "/loop")
    assert found["/moved"].kind == "redirect" and found["/moved"].final_url == f"{base}/new-place"
    assert found["/old/page?id=3"].kind == "home"
    assert found["/loop"].kind == "loop"


def test_http_to_https_is_named(base: str) -> None:
    # The https side is the same plain-HTTP server, so following on fails with TLS: the move is
    # still seen on the way.
    found = check(base, "/to-https")
    assert found["/to-https"].kind == "tls" and "after a redirect" in found["/to-https"].message


def test_tls_failure_and_timeout(base: str) -> None:
    https = base.replace("http://", "https://")
    [tls] = check_links([UrlUse(https + "/ok", "e", "links[0].url", 3)], "f", timeout=5)
    assert tls.kind == "tls"
    found = check(base, "/slow", timeout=0.3)
    assert found["/slow"].kind == "timeout"


def test_connection_refused(base: str, refused_port: int) -> None:
    [p] = check_links([UrlUse(f"http://127.0.0.1:{refused_port}/x", "e", "sources[1]", None)], "f", timeout=2)
    assert p.kind == "connect" and str(p).startswith("f: e: sources[1]")


def test_dns_failures_are_named_without_asking_a_resolver() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    [p] = check_links([UrlUse("https://no-such-host.example/", "e", "sources[0]", 1)], "f",
                      transport=httpx.MockTransport(fail))  # fmt: skip
    assert p.kind == "dns"
    assert _failure(httpx.ConnectError("[Errno -3] Temporary failure in name resolution")).kind == "dns"


def test_each_url_is_asked_once_and_reported_where_it_is_used(base: str) -> None:
    Handler.heads.clear()
    uses = [UrlUse(f"{base}/gone", "a", "sources[0]", 1), UrlUse(f"{base}/gone", "b", "links[0].url", 9)]
    found = check_links(uses, "f")
    assert [(p.resource, p.line) for p in found] == [("a", 1), ("b", 9)]
    assert Handler.heads.count("/gone") == 1
    msgspec.json.encode(found)


def test_url_uses_finds_lines_and_skips_mailto(catalog: Catalog, tmp_path: Path) -> None:
    text = (Path("data") / "resources.yaml").read_text(encoding="utf-8")
    uses = url_uses(catalog, text)
    assert uses and all(u.url.startswith(("http://", "https://")) for u in uses)
    lines = text.splitlines()
    sample = [u for u in uses if u.resource == "women-1366"]
    assert sample and all(u.line and u.url in lines[u.line - 1] for u in sample)
    one = msgspec.convert(
        {"id": "x-line", "kind": "hotline", "topics": ["counselling"], "name": {"ko": "가", "en": "A"},
         "summary": {"ko": "가", "en": "A"}, "regions": ["KR"], "checked": "2026-01-01",
         "confidence": "official", "sources": ["https://example.org/a"],
         "links": [{"type": "email", "url": "mailto:a@example.org"}]},
        Resource,
    )  # fmt: skip
    small = Catalog([one], catalog.regions, catalog.taxonomy, catalog.synonyms, "t")
    assert [(u.field, u.line) for u in url_uses(small, "")] == [("sources[0]", None)]


def test_data_url_uses_cover_the_local_files_with_their_lines(catalog: Catalog) -> None:
    data = Path("data")
    uses = data_url_uses(catalog, data)
    assert {u.resource for u in uses} >= {r.id for r in catalog.resources if r.source_urls}
    local = [u for u in uses if u.file and "/local/" in u.file]
    assert local, "the local files' URLs are checked"
    for u in [*local[:50], *(u for u in uses if u.resource == "women-1366")]:
        assert (
            u.file and u.line and u.url in Path(u.file).read_text(encoding="utf-8").splitlines()[u.line - 1]
        )


def test_a_move_to_https_on_the_same_host_is_named() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return httpx.Response(301, headers={"Location": "https://news.example.kr/view?id=1"})
        return httpx.Response(200)

    [p] = check_links([UrlUse("http://news.example.kr/view?id=1", "e", "sources[0]", 5)], "f",
                      transport=httpx.MockTransport(answer))  # fmt: skip
    assert (p.kind, p.final_url) == ("https", "https://news.example.kr/view?id=1")
    assert p.message == "moved to https: use https://news.example.kr/view?id=1"


def test_haven_audit_links_json_and_lines(base: str, data_copy: Path) -> None:
    from click.testing import CliRunner

    from service.cli import main

    text = (
        "resources:\n"
        "  - id: local-line\n"
        "    kind: hotline\n"
        "    topics: [counselling]\n"
        "    name: {ko: 상담전화, en: Helpline}\n"
        "    summary: {ko: 상담해요., en: Someone listens.}\n"
        "    regions: [KR]\n"
        "    links:\n"
        "      - type: website\n"
        f"        url: {base.replace('http://', 'https://')}/ok\n"
        f"        source: {base}/ok\n"
        "    sources:\n"
        f"      - {base}/ok\n"
        f'      - {{url: "{base}/gone", as_of: 2025-01-01}}\n'
        "    checked: 2026-01-02\n"
        "    confidence: official\n"
    )
    (data_copy / "resources.yaml").write_text(text, encoding="utf-8")
    # data/local/*.yaml is checked too, and a problem there names its own file and line.
    shutil.rmtree(data_copy / "local", ignore_errors=True)
    (data_copy / "local").mkdir()
    local = text.replace("local-line", "other-line").replace(f"{base}/gone", f"{base}/gone-too")
    (data_copy / "local" / "more.yaml").write_text("# a local file\n" + local, encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(main, ["audit", "--links", "--timeout", "3", "--data", str(data_copy)])
    f, g = data_copy / "resources.yaml", data_copy / "local" / "more.yaml"
    assert plain.exit_code == 0, plain.output
    assert f"{f}:14: local-line: sources[1] {base}/gone: answers 404" in plain.output
    assert f"{f}:10: local-line: links[0].url" in plain.output and "TLS failure" in plain.output
    assert f"{g}:15: other-line: sources[1] {base}/gone-too: answers 404" in plain.output
    assert f"{g}:11: other-line: links[0].url" in plain.output
    assert plain.output.strip().endswith("4 URLs checked: 4 problem(s)")
    as_json = runner.invoke(main, ["audit", "--links", "--json", "--strict", "--data", str(data_copy)])
    assert as_json.exit_code == 3
    report = msgspec.json.decode(as_json.output)
    assert report["urls"] == 4 and {p["kind"] for p in report["problems"]} == {"status", "tls"}
