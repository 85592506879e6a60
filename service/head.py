"""HEAD answered wherever GET is: Litestar's GET routes do not answer HEAD by themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders

if TYPE_CHECKING:
    from litestar.types import Message, Scope, Send

__all__ = ("head_as_get",)


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
