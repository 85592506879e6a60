"""Security headers, a guard on static paths, and a logging setup that records no visitor.

A victim may be watched, by a partner with their phone or by a network. So every response
carries a strict Content-Security-Policy (only this origin, no inline script), sends no referrer
to the sites it links to, may not be framed (except the school embed), and sets no cookie; and
no log line ever holds a query, a client address or a user agent.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotFoundException
from litestar.logging.config import LoggingConfig

from service.cors import same_origin_only

if TYPE_CHECKING:
    from litestar.types import Message, Scope

__all__ = (
    "FRAMEABLE_PATHS",
    "is_api_path",
    "log_internal_error",
    "quiet_logging",
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
    if not api:
        same_origin_only(headers)  # CORS (service/cors.py) is for the JSON routes alone


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
