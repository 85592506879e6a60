"""``/healthz``: the engine answers; ``/livez``: the process does.

A probe that restarts or routes around a process needs to know whether it can answer a search,
not whether it can answer HTTP: ``/healthz`` runs a real search and counts the entries through
the live engine (:meth:`SqliteEngine.check`) on every call, and says 503 with a short reason when
that fails. ``/livez`` costs nothing and says only that the process is up, for a liveness probe
that must not restart a process whose index is merely being replaced.

Both are answered ``no-store`` (a probe must never see a stored answer), are marked outside
the rate limit, and, like every route, are never logged with anything a request held.
"""

from __future__ import annotations

from litestar import MediaType, Response, get

from search.engine import EngineError
from service.live import LiveIndex
from service.rate_limit import UNLIMITED

__all__ = ("healthz", "livez")

_NO_STORE = {"Cache-Control": "no-store"}


@get("/healthz", sync_to_thread=False, include_in_schema=False, opt={UNLIMITED: True})
def healthz(live: LiveIndex) -> Response[dict[str, object]]:
    engine = live.engine
    try:
        check = getattr(engine, "check", engine.count)
        resources = int(check())
    except EngineError as exc:
        reason = " ".join(str(exc).split())
    except Exception as exc:  # whatever broke, the probe gets a short answer, not a traceback
        reason = f"the engine failed ({type(exc).__name__})"
    else:
        body: dict[str, object] = {
            "status": "ok",
            "engine": engine.name,
            "resources": resources,
            "data_hash": engine.data_hash,
        }
        if getattr(engine, "in_outage", False):
            body["meilisearch"] = "not answering: searching the local index"
        return Response(body, media_type=MediaType.JSON, headers=_NO_STORE)
    return Response(
        {"status": "unavailable", "reason": reason},
        status_code=503,
        media_type=MediaType.JSON,
        headers=_NO_STORE,
    )


@get("/livez", sync_to_thread=False, include_in_schema=False, opt={UNLIMITED: True})
def livez() -> Response[dict[str, str]]:
    return Response({"status": "ok"}, media_type=MediaType.JSON, headers=_NO_STORE)
