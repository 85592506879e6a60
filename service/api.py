"""/api/v1: JSON for hotlines, schools and other services."""

from __future__ import annotations

from litestar import Request, Router, get

from search.model import Query, Results

__all__ = ("api_router",)


@get("/search", sync_to_thread=False)
def search(request: Request, q: str = "", region: str | None = None, limit: int = 20) -> Results:
    return request.app.state.engine.search(Query(q=q, region=region, limit=limit))


api_router = Router(path="/api/v1", route_handlers=[search])
