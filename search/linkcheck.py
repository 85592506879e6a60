"""Check every web address in the data: for maintainers, never at request time.

``haven audit --links`` asks each link and source URL with bounded concurrency and a timeout:
HEAD first, then GET where a server refuses HEAD. Redirects are followed by hand so each hop is
seen; a problem is reported as one :class:`LinkProblem` naming the file, the line, the entry and
the field. Problems:

- ``status``: the page answers 4xx or 5xx.
- ``dns``, ``tls``, ``timeout``, ``connect``: the server could not be reached.
- ``https``: an ``http://`` address that moves to ``https://`` (write the https one).
- ``redirect``: the address moves elsewhere (write where it ends).
- ``home``: a specific page now sends you to the site's home page (the page is probably gone).
- ``loop``: too many redirects.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec

from search.catalog import Catalog

__all__ = ("LinkProblem", "UrlUse", "check_links", "check_url", "data_url_uses", "url_uses")

Kind = Literal["status", "dns", "tls", "timeout", "connect", "https", "redirect", "home", "loop"]
#: Answers to HEAD that mean "ask again with GET" (some servers refuse or mishandle HEAD).
HEAD_REFUSED = {400, 403, 404, 405, 406, 500, 501, 503}
MAX_REDIRECTS = 10
USER_AGENT = "haven-linkcheck/1 (+https://github.com/; directory maintenance)"


class LinkProblem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One thing wrong with one URL where the data uses it."""

    file: str
    line: int | None
    resource: str
    field: str
    url: str
    kind: Kind
    message: str
    status: int | None = None
    final_url: str | None = None

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        return f"{loc}: {self.resource}: {self.field} {self.url}: {self.message}"


@dataclass(frozen=True)
class UrlUse:
    """Where the data uses a URL."""

    url: str
    resource: str
    field: str
    line: int | None
    #: The data file the entry is in (None: the file given to :func:`check_links`).
    file: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What asking a URL found: nothing wrong, or a problem of some kind."""

    kind: Kind | None
    message: str = ""
    status: int | None = None
    final_url: str | None = None


def url_uses(catalog: Catalog, yaml_text: str) -> list[UrlUse]:
    """Every http(s) URL of every link and source, with the line of resources.yaml it is on."""
    return _uses(catalog, [(None, yaml_text)])


def data_url_uses(catalog: Catalog, data_dir: Path) -> list[UrlUse]:
    """Every http(s) URL of every link and source, with the file of ``data_dir`` (resources.yaml or
    local/*.yaml) and the line it is on."""
    files = [data_dir / "resources.yaml", *sorted((data_dir / "local").glob("*.yaml"))]
    return _uses(catalog, [(str(f), f.read_text(encoding="utf-8")) for f in files if f.is_file()])


def _uses(catalog: Catalog, texts: list[tuple[str | None, str]]) -> list[UrlUse]:
    block: dict[str, tuple[str | None, list[str], int, int]] = {}
    for name, text in texts:
        lines = text.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("  - id: ")]
        for k, start in enumerate(starts):
            rid = lines[start][len("  - id: ") :].strip().strip("\"'")
            block.setdefault(rid, (name, lines, start, starts[k + 1] if k + 1 < len(starts) else len(lines)))
    uses: list[UrlUse] = []
    for r in catalog.resources:
        fields = [(f"links[{i}].url", link.url) for i, link in enumerate(r.links) if link.url]
        fields += [(f"sources[{i}]", url) for i, url in enumerate(r.source_urls)]
        name, lines, start, end = block.get(r.id, (None, [], 0, 0))
        for field, url in fields:
            if not url.startswith(("http://", "https://")):
                continue
            line = next((n + 1 for n in range(start, end) if url in lines[n]), None)
            uses.append(UrlUse(url, r.id, field, line, name))
    return uses


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _failure(exc: Exception) -> Outcome:
    """Name what went wrong below HTTP: a name that does not resolve, a bad certificate …"""
    text = str(exc)
    chain: list[BaseException] = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        nxt = chain[-1].__cause__ or chain[-1].__context__
        assert nxt is not None
        chain.append(nxt)
    if isinstance(exc, httpx.TimeoutException):
        return Outcome("timeout", "no answer before the timeout")
    if any(isinstance(e, ssl.SSLError) for e in chain) or re.search(r"SSL|TLS|certificate", text, re.I):
        return Outcome("tls", f"TLS failure ({text or type(exc).__name__})")
    if re.search(r"Name or service not known|nodename nor servname|getaddrinfo|No address associated|"
                 r"Temporary failure in name resolution|Name does not resolve", text):  # fmt: skip
        return Outcome("dns", "the host name does not resolve")
    return Outcome("connect", f"cannot connect ({text or type(exc).__name__})")


async def _ask(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """HEAD, or GET when HEAD is refused; the body is never read."""
    response = await client.head(url)
    if response.status_code in HEAD_REFUSED:
        async with client.stream("GET", url) as streamed:
            return streamed
    return response


async def check_url(client: httpx.AsyncClient, url: str) -> Outcome:
    """Ask ``url``, following redirects by hand, and say what is wrong (kind None: nothing)."""
    current = url
    hops: list[str] = []
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = await _ask(client, current)
        except httpx.HTTPError as exc:
            found = _failure(exc)
            if hops:
                return Outcome(
                    found.kind, f"{found.message} at {current} (after a redirect)", final_url=current
                )
            return found
        if response.is_redirect and "location" in response.headers:
            nxt = urljoin(current, response.headers["location"])
            hops.append(nxt)
            current = nxt
            continue
        status = response.status_code
        if status >= 400:
            where = f" at {current}" if hops else ""
            return Outcome("status", f"answers {status}{where}", status=status, final_url=current)
        break
    else:
        return Outcome("loop", f"more than {MAX_REDIRECTS} redirects", final_url=current)
    if not hops:
        return Outcome(None)
    final = hops[-1]
    was, now = urlsplit(url), urlsplit(final)
    if _is_home(final) and not _is_home(url):
        return Outcome("home", f"now sends you to the home page {final}", final_url=final)
    if was.scheme == "http" and now.scheme == "https":
        same = now._replace(scheme="http").geturl() == url or now.hostname in (
            was.hostname,
            f"www.{was.hostname}",
        )
        if same:
            return Outcome("https", f"moved to https: use {final}", final_url=final)
    return Outcome("redirect", f"redirects to {final}", final_url=final)


async def _check_all(
    urls: list[str], concurrency: int, timeout: float, progress: Callable[[int], None] | None,
    transport: httpx.AsyncBaseTransport | None,
) -> dict[str, Outcome]:  # fmt: skip
    limit = asyncio.Semaphore(concurrency)
    found: dict[str, Outcome] = {}
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=concurrency),
        transport=transport,
    ) as client:

        async def one(url: str) -> None:
            async with limit:
                found[url] = await check_url(client, url)
            if progress:
                progress(1)

        await asyncio.gather(*(one(u) for u in urls))
    return found


def check_links(
    uses: Iterable[UrlUse],
    file: str | Path,
    concurrency: int = 8,
    timeout: float = 10.0,
    progress: Callable[[int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[LinkProblem]:
    """Ask each distinct URL once and report a problem for every place it is used."""
    uses = list(uses)
    distinct = list(dict.fromkeys(u.url for u in uses))
    # In a thread of its own: the caller may already run an event loop (asyncio.run refuses then).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        outcomes = pool.submit(
            asyncio.run, _check_all(distinct, max(1, concurrency), timeout, progress, transport)
        ).result()
    problems: list[LinkProblem] = []
    for use in uses:
        out = outcomes[use.url]
        if out.kind is None:
            continue
        problems.append(
            LinkProblem(
                file=use.file or str(file),
                line=use.line,
                resource=use.resource,
                field=use.field,
                url=use.url,
                kind=out.kind,
                message=out.message,
                status=out.status,
                final_url=out.final_url,
            )  # fmt: skip
        )
    return problems
