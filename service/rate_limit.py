"""One rate limit per client for the API, the HSDS feed and the search page (Litestar's).

Client addresses live only in memory, for the length of the window, and are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.memory import MemoryStore

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ("UNLIMITED", "purge_rate_limits", "rate_limit_config", "retry_after")


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
#: Pages and assets are marked so (a page costs a few milliseconds, a browser cache serves assets); the
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
