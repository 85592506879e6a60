"""The one shape of a JSON error: ``{"error", "detail", "parameter"?}``, never stored by a cache.

The API, the OpenAPI document and the HSDS feed all answer errors this way; pages get the
error page instead (service/app.py chooses).
"""

from __future__ import annotations

import msgspec
from litestar import MediaType, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    TooManyRequestsException,
    ValidationException,
)

from service.rate_limit import retry_after

__all__ = ("ApiError", "error_body", "error_response", "json_error")


class ApiError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The body of every JSON error: a short machine word (``bad-parameter``), a sentence, and the
    parameter when one is to blame (absent otherwise). The OpenAPI document describes this Struct."""

    error: str
    detail: str
    parameter: str | None = None


def error_body(error: str, detail: str, parameter: str | None = None) -> bytes:
    """:class:`ApiError` as bytes, for answers written below Litestar (service/connections.py)."""
    return msgspec.json.encode(ApiError(error=error, detail=detail, parameter=parameter or None))


def json_error(
    status: int, error: str, detail: str, parameter: str | None = None, headers: dict[str, str] | None = None
) -> Response[ApiError]:
    """A JSON error answer, never stored by a cache."""
    return Response(
        ApiError(error=error, detail=detail, parameter=parameter or None),
        status_code=status,
        headers={**(headers or {}), "Cache-Control": "no-store"},
        media_type=MediaType.JSON,
    )


def error_response(exc: HTTPException) -> Response[ApiError]:
    """The JSON error for an exception raised while answering a JSON route."""
    headers: dict[str, str] = {}
    parameter = getattr(exc, "parameter", None)  # a bad query parameter names itself (service.api)
    if parameter is not None:
        error, detail = "bad-parameter", exc.detail
    elif isinstance(exc, ValidationException):
        first = exc.extra[0] if isinstance(exc.extra, list) and exc.extra else {}
        parameter = first.get("key") if isinstance(first, dict) else None
        error = "bad-parameter"
        message = first.get("message", "invalid value") if isinstance(first, dict) else "invalid value"
        # Litestar's own detail repeats the URL; name the parameter and the problem instead.
        detail = f"{parameter}: {message}" if parameter else "invalid request"
    elif isinstance(exc, TooManyRequestsException):
        error, detail = "rate-limited", "too many requests; try again after Retry-After seconds"
        headers = dict(exc.headers or {})
        headers["Retry-After"] = str(retry_after(exc.headers))
    elif isinstance(exc, NotFoundException):
        error, detail = "not-found", exc.detail if exc.detail != "Not Found" else "no such endpoint"
    elif isinstance(exc, MethodNotAllowedException):
        error, detail = "method-not-allowed", "only GET, HEAD and OPTIONS are supported"
        headers = dict(exc.headers or {})
    else:
        error, detail = "error", exc.detail
    return json_error(exc.status_code, error, detail, parameter, headers)
