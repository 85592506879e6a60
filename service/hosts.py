"""The Host a request names: well formed and one of ours, or a 400 before the app sees it.

Without this check a Host such as ``x:y`` made every page a 500 (the port is not a number) and
an unchecked Host would flow into share links, QR codes and the schools' snippet. Litestar's
``AllowedHostsConfig`` compares the whole header, port included, and answers in JSON without
the security headers, so the check is made here, before routing, for every response alike.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from service.safety import security_headers

if TYPE_CHECKING:
    from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Scope, Send

__all__ = ("host_of", "refuse_host")

_HOST = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::(?P<port>[0-9]{1,5}))?"
)
_BODY = "잘못된 주소로 온 요청이에요.\nThis request named a host this site does not serve.\n".encode()


def host_of(scope: Scope) -> str | None | Literal[False]:
    """The host name a request names, lower-cased and without its port; None without a Host.

    ``False`` when the header is malformed (bad characters, a port that is not a number).
    """
    values = [value for name, value in scope.get("headers", []) if name == b"host"]
    if not values:
        return None
    if len(values) > 1:
        return False
    m = _HOST.fullmatch(values[0].decode("latin-1"))
    if m is None or (m.group("port") is not None and int(m.group("port")) > 65535):
        return False
    return m.group("name").lower().strip("[]")


async def refuse_host(scope: Scope, send: Send) -> None:
    """Answer 400 with the usual security headers, logging nothing."""
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(_BODY)).encode()),
            (b"cache-control", b"no-store"),
        ],
    }
    security_headers(start, scope)
    await send(start)
    body: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": b"" if scope.get("method") == "HEAD" else _BODY,
        "more_body": False,
    }
    await send(body)
