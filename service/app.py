"""create_app(settings): wiring only. Routes live in api.py and pages.py."""

from __future__ import annotations

from litestar import Litestar, get

from search.sqlite_engine import SqliteEngine
from service.api import api_router
from service.settings import Settings

__all__ = ("create_app",)


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    engine = SqliteEngine(settings.db_path)
    app = Litestar(route_handlers=[healthz, api_router], debug=False)
    app.state.engine = engine
    app.state.settings = settings
    return app
