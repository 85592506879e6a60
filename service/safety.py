"""Security headers, conditional GETs, rate limits and a logging setup that records no visitor.

A victim may be watched, by a partner with their phone or by a network. So every response
carries a strict Content-Security-Policy (only this origin, no inline script), sends no referrer
to the sites it links to, may not be framed (except the school embed), and sets no cookie; and
no log line ever holds a query, a client address or a user agent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.logging.config import LoggingConfig
from litestar.middleware import ASGIMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.memory import MemoryStore

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = (
    "FRAMEABLE_PATHS",
    "UNLIMITED",
    "ConditionalGetMiddleware",
    "head_as_get",
    "is_api_path",
    "purge_rate_limits",
    "quiet_logging",
    "rate_limit_config",
    "retry_after",
    "security_headers",
    "static_name_guard",
)

#: The only pages another site may put in an iframe (the school embed).
FRAMEABLE_PATHS = frozenset({"/embed"})

_PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
#: JSON answers are never rendered as a document, so they may load nothing at all.
_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_PERMISSIONS = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
_HSTS = "max-age=63072000; includeSubDomains"
_CORS_EXPOSE = "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy"


def is_api_path(path: str) -> bool:
    """JSON routes: the API, the OpenAPI document and the HSDS feed."""
    return path in ("/api", "/hsds") or path.startswith(("/api/", "/schema/openapi.", "/hsds/"))


def _has_free_text(scope: Scope) -> bool:
    """Whether the request carries typed words (a non-empty ``q``)."""
    query = scope.get("query_string") or b""
    return any(k == "q" and v.strip() for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True))


def security_headers(message: Message, scope: Scope) -> None:
    """Set the privacy and security headers on every response (a Litestar ``before_send`` hook).

    Runs for every response the app sends, including errors raised before any route matched.
    """
    if message["type"] != "http.response.start":
        return
    message.setdefault("headers", [])
    headers = MutableScopeHeaders.from_message(message)
    path: str = scope.get("path", "")
    api = is_api_path(path)
    frameable = path in FRAMEABLE_PATHS and not api
    if api:
        headers["Content-Security-Policy"] = _API_CSP
    else:
        ancestors = "*" if frameable else "'none'"
        headers["Content-Security-Policy"] = f"{_PAGE_CSP}; frame-ancestors {ancestors}"
    if not frameable:
        headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Permissions-Policy"] = _PERMISSIONS
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "cross-origin" if api else "same-origin"
    if api or frameable or path.startswith("/search"):
        headers["X-Robots-Tag"] = "noindex"  # search pages hold what someone typed
    if scope.get("scheme") == "https":
        # uvicorn sets the scheme from X-Forwarded-Proto when a trusted proxy terminates TLS.
        headers["Strict-Transport-Security"] = _HSTS
    if "vary" not in headers and headers.get("content-type", "").startswith("text/html"):
        headers["Vary"] = "Accept-Language"  # pages choose their language from it
    if "cache-control" not in headers or _has_free_text(scope):
        # An answer to words someone typed is never stored by a browser or a shared cache: its URL
        # holds the words.
        headers["Cache-Control"] = "no-store"
    # A cookie would outlive the visit on a shared device: never let one through.
    if "set-cookie" in headers:
        del headers["set-cookie"]
    if api:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = _CORS_EXPOSE
        if scope.get("method") == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
            headers["Access-Control-Max-Age"] = "86400"


def head_as_get(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """HEAD answered as GET without the body (RFC 9110 §9.3.2); every ``Allow`` lists HEAD.

    The app sees a copy of the scope, so the server still knows the request was HEAD and
    sends no body whatever Content-Length says.
    """
    head = scope.get("method") == "HEAD"
    if head:
        scope = {**scope, "method": "GET"}  # type: ignore[assignment]

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            allow = headers.get("allow")
            if allow and "GET" in allow and "HEAD" not in allow:
                headers["Allow"] = allow.replace("GET", "GET, HEAD", 1)
        elif head and message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return scope, send_head


_STATIC_NAME = re.compile(
    r"/static/[A-Za-z0-9][A-Za-z0-9._-]{0,100}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,100}){0,3}"
)


def static_name_guard(request: Any) -> None:
    """Refuse, as 404, a static path no asset could have (a Litestar ``before_request`` hook).

    Litestar hands the decoded path to the file system: a NUL byte or a name longer than the
    file system allows raised there and came back as 500.
    """
    if not _STATIC_NAME.fullmatch(request.scope["path"]) or ".." in request.scope["path"]:
        raise NotFoundException()


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


class ConditionalGetMiddleware(ASGIMiddleware):
    """An ETag on every successful GET, and ``304 Not Modified`` when the client already has it.

    The tag joins the index's data hash with a digest of the body: it changes when the data
    changes, and also when a time-dependent answer (open now) does, so a 304 is never stale.
    Litestar sets ETags only when asked and answers no conditional request by itself.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, data_hash: str) -> None:
        self.data_hash = data_hash

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") != "GET":
            await next_app(scope, receive, send)
            return
        if_none_match = ""
        for name, value in scope.get("headers", []):
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def buffered_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = dict(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = f'"{self.data_hash}-{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
            headers = MutableScopeHeaders.from_message(start)  # type: ignore[arg-type]
            headers["ETag"] = etag
            if if_none_match and _matches(if_none_match, etag):
                start["status"] = 304
                for name in ("content-length", "content-type", "content-encoding"):
                    if name in headers:
                        del headers[name]
                body = b""
            else:
                headers["Content-Length"] = str(len(body))
            await send(start)  # type: ignore[arg-type]
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await next_app(scope, receive, buffered_send)


def rate_limit_config(limit: tuple[str, int] | None) -> RateLimitConfig | None:
    """Litestar's per-client rate limit for the API, or ``None`` when ``HAVEN_RATE_LIMIT=0``.

    The client is told the limit (``RateLimit-*`` headers); a client over it gets 429 with
    ``Retry-After`` (see :func:`retry_after`). Client addresses live only in memory, for the
    length of the window, and are never logged.
    """
    if limit is None:
        return None
    unit, count = limit
    return RateLimitConfig(
        rate_limit=(unit, count),  # type: ignore[arg-type]
        store="rate_limit",
        check_throttle_handler=_counts_toward_limit,
        exclude_opt_key=UNLIMITED,
    )


#: A route option: ``opt={UNLIMITED: True}`` on a router or route keeps it out of the rate limit.
#: Pages and assets are marked so (the answer store or a browser cache serves them cheaply); the
#: API, the HSDS feed and the search page (results and their ``partial=1`` fragments) are not.
UNLIMITED = "unlimited"
_PURGE_EVERY_S = 60.0


@contextlib.asynccontextmanager
async def purge_rate_limits(app: Litestar) -> AsyncIterator[None]:
    """Forget clients whose window has ended, once a minute (a Litestar lifespan hook).

    Litestar's memory store drops an expired entry only when the same client comes back, so a
    stream of new addresses would otherwise grow it without end.
    """

    async def purge() -> None:
        store = app.stores.get("rate_limit")
        while True:
            await asyncio.sleep(_PURGE_EVERY_S)
            if isinstance(store, MemoryStore):
                await store.delete_expired()

    task = asyncio.create_task(purge())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _counts_toward_limit(request: Any) -> bool:
    # A CORS preflight is the browser asking permission, not a request for data.
    return bool(request.method != "OPTIONS")


def retry_after(headers: dict[str, str] | None) -> int:
    """Seconds until the rate-limit window resets, from Litestar's ``RateLimit-Reset`` header."""
    try:
        seconds = float((headers or {}).get("RateLimit-Reset", "1"))
    except ValueError:
        seconds = 1
    return max(1, math.ceil(seconds))


def quiet_logging() -> LoggingConfig:
    """Warnings and errors only, never with a request's path, query, address or user agent.

    Litestar would log an uncaught exception with its request path; the app's own handler logs
    the exception type and route template instead (see ``service.app``).
    """
    return LoggingConfig(
        log_exceptions="never",
        loggers={"litestar": {"level": "WARNING", "handlers": ["queue_listener"], "propagate": False}},
        configure_root_logger=False,
    )


def log_internal_error(exc: BaseException, route: str) -> None:
    """One line for an operator: which route template failed, and how. No user input."""
    logging.getLogger("haven").error("internal error in %s: %s", route, type(exc).__name__)
