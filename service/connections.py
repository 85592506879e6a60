"""Connection limits uvicorn does not have: deadlines for the request head and for sending, a cap.

uvicorn arms no timer until the first response, reads a request head of any size into memory
and accepts connections until the process runs out of file descriptors. So a few hundred
clients sending a header byte now and then hold every connection, and a handful sending
megabytes of headers take hundreds of MB. :class:`GuardedHttp` is uvicorn's httptools protocol
with three limits, each answered with a short plain-text response and a closed connection:

- **head deadline**: the request line and headers must arrive within ``head_timeout`` seconds
  of the connection opening (or of the previous answer on a kept-alive one), else ``408``;
- **send deadline**: an answer whose unsent bytes do not drain within ``send_timeout`` seconds
  (the client reads nothing, or its receive window stays shut) is dropped with the connection,
  which then leaves the count at once. ``transport.close()`` alone would wait for those bytes
  forever, and a few thousand clients that ask for a large page and never read would hold every
  place (nginx's ``send_timeout`` and ``reset_timedout_connection`` do the same);
- **head size**: at most ``max_head`` bytes of request line and headers (``431``), of which
  at most ``max_url`` bytes of target (``414``);
- **connection cap**: past ``max_connections`` open connections in this process, the oldest
  connection whose answer is not draining is closed to make room, or else the oldest one still
  waiting for its head: a client that does not read, or a trickling one, loses its place before a
  person does. Only when every connection is busy answering does a newcomer get ``503`` with the
  crisis numbers.

Nothing about a client (address, path) is logged; the cap logs a count at most once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any, cast
from weakref import WeakKeyDictionary

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.json_errors import error_body

__all__ = ("ConnectionLimits", "GuardedHttp", "OncePerMinute", "raise_file_limit")

log = logging.getLogger("haven.connections")

#: File descriptors kept free for the index, logs and the listening sockets.
_FD_RESERVE = 64
_CAP_LOG_INTERVAL_S = 60.0


@dataclass(frozen=True)
class ConnectionLimits:
    """The limits of one server process (each ``--workers`` process has its own)."""

    max_connections: int = 1000
    head_timeout: float = 10.0
    max_head: int = 16 * 1024
    max_url: int = 8 * 1024
    send_timeout: float = 30.0

    def capped_by_files(self) -> ConnectionLimits:
        """The same limits with the cap lowered to what the open-file limit allows."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self
        room = max(16, soft - _FD_RESERVE)
        if room >= self.max_connections:
            return self
        return ConnectionLimits(room, self.head_timeout, self.max_head, self.max_url, self.send_timeout)


def raise_file_limit() -> int:
    """Raise this process's open-file limit to its hard limit; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass  # a container may refuse; the cap then follows the lower limit
    return soft


_BUSY = (
    "잠시 후 다시 시도해 주세요. 긴급한 상황이면 112, 여성긴급전화 1366에 전화하세요.\n"
    "Haven is busy: try again in a moment. In an emergency call 112, or 1366 (women's emergency line).\n"
)
_ANSWERS = {
    408: "요청이 너무 늦게 도착했어요. 다시 시도해 주세요.\nThe request took too long to arrive: please try again.\n",
    414: "주소가 너무 길어요.\nThe address is too long.\n",
    431: "요청 헤더가 너무 커요.\nThe request headers are too large.\n",
    503: _BUSY,
}


_PHRASES = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


def _response(status: int, content_type: str, body: bytes) -> bytes:
    """A whole answer that closes the connection, written before the app ever sees the request."""
    head = [
        f"HTTP/1.1 {status} {_PHRASES[status]}",
        f"content-type: {content_type}",
        f"content-length: {len(body)}",
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        "connection: close",
        *(["retry-after: 5"] if status == 503 else []),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


_RESPONSES = {
    status: _response(status, "text/plain; charset=utf-8", text.encode()) for status, text in _ANSWERS.items()
}


def _json_error(error: str, detail: str) -> bytes:
    return error_body(error, detail)  # the one shape (it said "parameter": null here)


#: The API's clients read JSON errors (service/json_errors.py's shape), so an API request refused
#: for its size gets one.
_API_RESPONSES = {
    414: _response(414, "application/json", _json_error("uri-too-long", "the address is longer than 8 KiB")),
    431: _response(
        431, "application/json", _json_error("headers-too-large", "the request head is over 16 KiB")
    ),
}
_API_PREFIXES = (b"/api/", b"/hsds/", b"/api?", b"/hsds?")


class _Waiting:
    """The connections of one server that may be closed to make room, oldest first: those still
    waiting for a request head (``order``) and those whose answer is not draining (``stalled``)."""

    def __init__(self) -> None:
        self.order: dict[GuardedHttp, None] = {}
        self.stalled: dict[GuardedHttp, None] = {}
        self.evicted = 0
        self.refused = 0
        self.logged_at = 0.0

    def note_cap(self, cap: int) -> None:
        now = time.monotonic()
        if now - self.logged_at >= _CAP_LOG_INTERVAL_S:
            log.warning(
                "connection cap %d reached: %d waiting connections closed, %d refused in the last minute",
                cap, self.evicted, self.refused,
            )  # fmt: skip
            self.logged_at, self.evicted, self.refused = now, 0, 0


_WAITING: WeakKeyDictionary[Any, _Waiting] = WeakKeyDictionary()


class _ClosingTransport:
    """The connection's transport, telling its protocol when it is closed with bytes unsent.

    uvicorn closes a connection from a dozen places (keep-alive timeout, ``Connection: close``,
    errors, shutdown); each ``close()`` waits for the write buffer to drain, however long that
    takes. This wrapper lets :class:`GuardedHttp` start the send deadline from all of them.
    Everything else is the transport's own.
    """

    def __init__(self, transport: asyncio.Transport, on_close: Any) -> None:
        self._transport = transport
        self._on_close = on_close

    def close(self) -> None:
        self._transport.close()
        self._on_close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class OncePerMinute(logging.Filter):
    """Let each distinct message through once a minute, with how many were held back.

    uvicorn warns once per malformed request ("Invalid HTTP request received."): a client
    sending junk in a loop would otherwise write a line per request.
    """

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.levelno}:{record.msg}"
        now = time.monotonic()
        last, held = self._last.get(key, (-_CAP_LOG_INTERVAL_S, 0))
        if now - last < _CAP_LOG_INTERVAL_S:
            self._last[key] = (last, held + 1)
            return False
        if len(self._last) > 256:  # messages are uvicorn's own few; bound it all the same
            self._last.clear()
        self._last[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last minute)"
        return True


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head deadline, a head size limit and a connection cap.

    ``limits`` is set on the class by :func:`service.workers.serve_one` before the server starts.
    """

    limits = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting = _WAITING.setdefault(self.server_state, _Waiting())
        #: Bytes received since the last complete head: the next head (or a pipelined one).
        self._head_bytes = 0
        self._head_begun = False
        self._in_body = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None
        self._refused = False

    # -- the connection cap ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        cap = self.limits.max_connections
        if len(self.connections) >= cap:
            if self._waiting.order or self._waiting.stalled:
                # A client that has stopped reading goes first; then the oldest still sending its
                # head (a person's head arrives in milliseconds, a trickling one's never does).
                oldest = next(iter(self._waiting.stalled or self._waiting.order))
                oldest._stop_waiting()
                oldest._drop()
                self._waiting.evicted += 1
                self._waiting.note_cap(cap)
            else:
                self._waiting.refused += 1
                self._waiting.note_cap(cap)
                transport.write(_RESPONSES[503])
                transport.close()
                return
        super().connection_made(cast(asyncio.Transport, _ClosingTransport(transport, self._closed)))
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        self._stop_send_deadline()
        if self.transport is None:  # refused at the cap: never registered
            return
        super().connection_lost(exc)

    # -- the send deadline ---------------------------------------------------------------------

    def pause_writing(self) -> None:
        """The transport holds more unsent bytes than its high-water mark: the client is not
        keeping up. It has ``send_timeout`` seconds to take them."""
        super().pause_writing()
        self._start_send_deadline()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._stop_send_deadline()
        if self.transport.is_closing() and self.transport.get_write_buffer_size():
            self._start_send_deadline()  # it read some: the rest gets a deadline of its own

    def _closed(self) -> None:
        if self.transport.get_write_buffer_size():
            self._start_send_deadline()

    def _start_send_deadline(self) -> None:
        self._waiting.stalled[self] = None
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.limits.send_timeout, self._drop)

    def _stop_send_deadline(self) -> None:
        self._waiting.stalled.pop(self, None)
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _drop(self) -> None:
        """Close the connection now, unsent bytes and all: it leaves the count at once."""
        self._stop_send_deadline()
        self.transport.abort()

    # -- the request head ----------------------------------------------------------------------

    def _wait_for_head(self) -> None:
        self._waiting.order[self] = None
        self._head_timer = self.loop.call_later(self.limits.head_timeout, self._head_too_slow)

    def _stop_waiting(self) -> None:
        self._waiting.order.pop(self, None)
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int) -> None:
        self._stop_waiting()
        self._refused = True
        if not self.transport.is_closing():
            if status == 431 and len(self.url) > self.limits.max_url:
                status = 414  # the head is too big because its address is
            api = status in _API_RESPONSES and self.url.startswith(_API_PREFIXES)
            self.transport.write(_API_RESPONSES[status] if api else _RESPONSES[status])
            self.transport.close()

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._head_begun or self._head_bytes:
            self._refuse(408)
        else:
            self._stop_waiting()
            self.transport.close()  # an idle connection: nothing to answer

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # answered and closing: the rest is dropped unread
        if not self._in_body:
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._in_body and self._head_bytes > self.limits.max_head:
            self._refuse(431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun = True

    def on_url(self, url: bytes) -> None:
        if len(self.url) <= self.limits.max_url:  # past the limit, keep no more
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # A head that came in one piece is measured here; one that trickles, in data_received.
        too_long_url = len(self.url) > self.limits.max_url
        too_big = self._head_bytes > self.limits.max_head
        self._stop_waiting()
        if too_long_url or too_big:
            self._refuse(414 if too_long_url else 431)
            return
        self._head_bytes, self._head_begun, self._in_body = 0, False, True
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        if not self._refused:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The deadline for the next head runs from the end of this answer, unless the newest
        # request (pipelined behind this one) is still being answered.
        if not self.transport.is_closing() and self._head_timer is None and self.cycle.response_complete:
            self._wait_for_head()
