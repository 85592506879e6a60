"""Cross-origin reads of the JSON routes: any site may GET the API and the HSDS feed.

Litestar's CORS handling answers preflights and adds the headers; it runs for every path, so
:func:`same_origin_only` (called from the security headers hook) takes the CORS headers off
everything that is not JSON: pages and assets stay same-origin. Nothing needs credentials, so
the allowed origin is ``*`` and a browser never sends cookies with these requests.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders

__all__ = ("cors_config", "same_origin_only")

#: What a cross-origin script may read: the ETag to revalidate, and how far it is from the limit.
EXPOSED = [
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]


def cors_config() -> CORSConfig:
    """GET, HEAD and OPTIONS from any origin, with conditional requests; preflights kept a day."""
    return CORSConfig(
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "If-None-Match"],
        expose_headers=EXPOSED,
        max_age=86400,
    )


def same_origin_only(headers: MutableScopeHeaders) -> None:
    """Remove every ``Access-Control-*`` header (from a page's or an asset's response)."""
    for name in [k for k, _ in headers.headers if k.lower().startswith(b"access-control-")]:
        del headers[name.decode("latin-1")]
