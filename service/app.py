"""create_app(settings): wiring only. Routes live in api.py, pages.py, cards.py and hsds_routes.py;
protections in safety.py, cors.py, rate_limit.py, conditional.py, head.py and hosts.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Litestar, Request, Response, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException, MethodNotAllowedException, TooManyRequestsException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from search.fallback import open_engine
from service.api import OpenApiJson, make_api_router
from service.api_docs import ApiDocs
from service.cards import make_cards_router
from service.conditional import ConditionalGetMiddleware
from service.cors import cors_config
from service.encoding import one_encoding
from service.forget import forget
from service.head import head_as_get
from service.health import healthz, livez
from service.hosts import host_of, refuse_host
from service.hsds_routes import make_hsds_router
from service.hsds_views import warm as warm_hsds
from service.json_errors import error_response
from service.live import LIVE, Live, LiveState
from service.pages import STATIC_DIR, asset_versions, make_pages_router, quick_exit, render_error
from service.params import one_value_each
from service.rate_limit import UNLIMITED, purge_rate_limits, rate_limit_config, retry_after
from service.safety import is_api_path, log_internal_error, quiet_logging, security_headers, static_name_guard
from service.settings import Settings, is_loopback

__all__ = ("HavenApp", "create_app")

TEMPLATES = Path(__file__).parent / "templates"


def _is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def handle_http_error(request: Request, exc: HTTPException) -> Response:
    """JSON errors for the API; for pages, the error page (the 404 keeps the crisis numbers)."""
    if _is_api(request):
        return error_response(exc)
    page = render_error(request, exc.status_code)
    if isinstance(exc, MethodNotAllowedException) and exc.headers:
        page.headers.update(exc.headers)  # the Allow header (RFC 9110: a 405 must list the methods)
    if isinstance(exc, TooManyRequestsException):
        page.headers["Retry-After"] = str(retry_after(exc.headers))
    return page


def handle_internal_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: logged by route name and exception type only, never with input."""
    handler = request.scope.get("route_handler")
    log_internal_error(exc, getattr(handler, "handler_name", "unknown route"))
    if _is_api(request):
        return error_response(HTTPException(status_code=500, detail="internal error"))
    return render_error(request, 500)


def compression_config() -> CompressionConfig:
    """Brotli where the browser accepts it, else gzip, for every text answer over 500 bytes.

    A results page of about 33 KB goes over the wire as about 6 KB: on a slow phone connection
    that is most of the wait (BENCHMARKS.md). Quality 5 and level 6 cost well under a millisecond
    per page; higher levels gain a few per cent for several times the time.
    """
    return CompressionConfig(
        backend="brotli", brotli_quality=5, gzip_compress_level=6, brotli_gzip_fallback=True
    )


class HavenApp(Litestar):
    """Litestar, answering HEAD wherever it answers GET (its GET routes do not by themselves),
    and only to requests that name one of ``served_hosts`` (or no Host at all)."""

    served_hosts: frozenset[str] = frozenset()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = host_of(scope)
            if host is False or (
                host is not None and host not in self.served_hosts and not is_loopback(host)
            ):
                await refuse_host(scope, send)
                return
            one_encoding(scope)  # the encoder sees only the coding chosen (service/encoding.py)
            scope, send = head_as_get(scope, send)
            try:
                await super().__call__(scope, receive, send)
            finally:
                forget(self)  # nothing the request carried stays in a cache (service/forget.py)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    engine = open_engine(settings)  # the SQLite index, or Meilisearch backed by it
    limit = rate_limit_config(settings.rate_limit)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(public=True, max_age=604800),
        include_in_schema=False,
        before_request=static_name_guard,
        opt={UNLIMITED: True},
    )
    openapi = OpenAPIConfig(
        title="Haven API",
        version="1",
        description="Help for victims of deepfake and digital sex crimes in South Korea: search the "
        "directory of counselling centres, legal aid, takedown help and reporting channels.",
        path="/schema",
        render_plugins=[ApiDocs(), OpenApiJson()],
        openapi_router=Router(
            "/schema",
            route_handlers=[],
            include_in_schema=False,
            cache_control=CacheControlHeader(public=True, max_age=3600),
            opt={UNLIMITED: True},
        ),
    )
    # The index-derived state is one object, swapped whole on reload (service/reload.py) and read
    # once per request: handlers take it as ``live: Live`` (the LIVE dependency, service/live.py).
    conditional = ConditionalGetMiddleware(engine.data_hash)
    state = LiveState(Live.from_engine(engine), {"settings": settings, "assets": asset_versions()})
    state.on_swap(lambda live: setattr(conditional, "data_hash", live.engine.data_hash))
    # The HSDS objects are compiled now and on every reload, never by a first request.
    warm_hsds(engine)
    state.on_swap(lambda live: warm_hsds(live.engine))
    app = HavenApp(
        route_handlers=[
            healthz,
            livez,
            make_api_router(),
            make_pages_router(),
            quick_exit,  # the way out without JavaScript
            make_cards_router(),
            make_hsds_router(),
            static,
        ],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=openapi,
        # One limit per client for the API, HSDS and the search page alike (see rate_limit_config).
        middleware=[*([limit.middleware] if limit else []), conditional],
        lifespan=[purge_rate_limits],
        cors_config=cors_config(),  # JSON routes only (service/cors.py)
        compression_config=compression_config(),
        before_send=[security_headers],
        before_request=one_value_each,  # one reading of each parameter (service/params.py)
        exception_handlers={HTTPException: handle_http_error, Exception: handle_internal_error},
        logging_config=quiet_logging(),
        state=state,
        dependencies=LIVE,
        debug=False,
    )
    app.served_hosts = frozenset(settings.allowed_hosts)
    return app
