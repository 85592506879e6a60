"""The one negotiation of ``Accept-Encoding``: brotli, gzip or none, honouring ``q=0``.

Litestar's compression looks for the substring ``br`` (then ``gzip``) in the header, so a client
that sends ``gzip, br;q=0`` (brotli explicitly refused) would get brotli. :func:`negotiate` reads
the header by RFC 9110 §12.5.3 (q-values, ``*``, ``q=0`` meaning "not acceptable"), and
:func:`one_encoding` rewrites the request's header to the one coding chosen before Litestar sees
it, so the encoder has nothing left to misread. Nothing else in the app reads the header.
"""

from __future__ import annotations

from typing import Any

__all__ = ("negotiate", "one_encoding")

#: What the app can send, preferred first when the client likes both equally.
_CODINGS = ("br", "gzip")


def _qvalue(params: str) -> float:
    """The ``q`` of one list member's parameters; 1 without one, 0 when it cannot be read."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def negotiate(accept: str) -> str | None:
    """``"br"``, ``"gzip"`` or None (send as is) for an ``Accept-Encoding`` value."""
    given: dict[str, float] = {}
    for item in accept.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if name:
            given[name] = max(given.get(name, 0.0), _qvalue(params)) if name in given else _qvalue(params)
    star = given.get("*", 0.0)
    best, best_q = None, 0.0
    for coding in _CODINGS:
        q = given.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    return best


def one_encoding(scope: Any) -> None:
    """Replace the request's ``Accept-Encoding`` headers by the one coding :func:`negotiate` chose."""
    headers = scope.get("headers") or []
    values = [v for k, v in headers if k.lower() == b"accept-encoding"]
    if not values:
        return
    chosen = negotiate(", ".join(v.decode("latin-1") for v in values))
    kept = [(k, v) for k, v in headers if k.lower() != b"accept-encoding"]
    if chosen:
        kept.append((b"accept-encoding", chosen.encode()))
    scope["headers"] = kept
