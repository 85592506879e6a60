"""ETags and ``304 Not Modified``: a client that already has an answer is not sent it again."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ("ConditionalGetMiddleware",)


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
