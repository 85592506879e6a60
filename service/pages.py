"""HTML pages: home, results, a resource, browsing safely, the school embed and its snippets.

Pages are lenient where the API is strict: a mangled link still shows help (unknown filters are
dropped), and every page, even the 404, shows the crisis numbers. Everything works without
JavaScript; ``static/haven.js`` only adds search-as-you-type, the Escape key for quick exit and
one history entry per visit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from search.engine import Engine
from search.hours import open_state
from search.model import Hit, Query, Results
from service.answer_cache import CACHED_FOR
from service.i18n import SAFETY_SECTIONS, Lang, strings
from service.params import EngineUnavailable, build_query, run_search
from service.present import Presenter, page_template, query_url, request_lang, with_base
from service.rate_limit import UNLIMITED
from service.referral import MAX_ENTRIES
from service.share import public_base, qr_svg

__all__ = (
    "EMBED_HEIGHTS",
    "EMBED_SANDBOX",
    "NEEDS",
    "PAGE_SIZE",
    "STATIC_DIR",
    "asset_versions",
    "make_pages_router",
    "quick_exit",
    "render_error",
)

PAGE_SIZE = 10
STATIC_DIR = Path(__file__).parent / "static"
#: The need of data/needs.yaml each home-page button asks for: the results are ranked by its bands
#: (a teacher or parent is asking for a young person).
NEED_RANKS = {"removal": "removal", "report": "police", "talk": "talk", "legal": "legal", "minor": "minor",
              "adult": "minor"}  # fmt: skip
#: The large buttons on the home page: each is a set of search filters.
NEEDS: dict[str, dict[str, list[str]]] = {
    "removal": {"topic": ["takedown"]},
    "report": {"topic": ["reporting"]},
    "talk": {"topic": ["counselling"]},
    "legal": {"topic": ["legal"], "cost": ["free"]},
    "minor": {"audience": ["minors"]},
    "adult": {"audience": ["teachers", "parents"]},
}
#: The embed's height when the school's page cannot run the resize script: what the tallest
#: region's content needs in a frame 358–390 px wide (a phone) and 640 px wide (a desktop
#: column), measured in Chromium: Korean 810–855 px; English 833–966 px at 390 px (up to 1,142 px
#: at 358 px, where the frame scrolls instead). tests/browser/test_embed.py checks it still fits.
EMBED_HEIGHTS: dict[Lang, int] = {"ko": 880, "en": 980}
#: The sandbox tokens that keep the embed whole: quick exit may replace the top page on a tap
#: (only on a tap, never by itself), searches open in a new tab, and the frame keeps its own
#: origin so the parent can check who sent the height.
EMBED_SANDBOX = (
    "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox "
    "allow-top-navigation-by-user-activation"
)
_FACETS = ("kind", "topic", "audience", "cost", "channel", "language")
_NO_STORE = CacheControlHeader(no_store=True)
_SHORT_PUBLIC = CacheControlHeader(public=True, max_age=600)


def asset_versions() -> dict[str, str]:
    """A short content hash per static file, so asset URLs change when the file does."""
    return {
        p.name: hashlib.blake2b(p.read_bytes(), digest_size=4).hexdigest()
        for p in STATIC_DIR.iterdir()
        if p.is_file()
    }


def render_error(request: Request, status_code: int) -> Template:
    """The 404 (or other error) page, in the visitor's language, with the crisis numbers."""
    lang = request_lang(request)
    name = "not_found.html" if status_code == 404 else "error.html"
    return page_template(name, request, lang, status_code=status_code, headers={"Cache-Control": "no-store"})


# -- routes -------------------------------------------------------------------------------------


@get("/", sync_to_thread=False)
def home(request: Request) -> Template:
    lang = request_lang(request)
    guides = request.app.state.guides
    return page_template("home.html", request, lang, guides=guides, q="", region=None, needs=NEEDS)


def _page_query(request: Request, lang: Lang) -> tuple[Query, dict[str, Any]]:
    """The search a results page runs, and the parameters it was built from (for links)."""
    qp = request.query_params
    filters: dict[str, list[str]] = {f: qp.getall(f, []) for f in _FACETS}
    need = qp.get("need")
    for facet, values in NEEDS.get(need or "", {}).items():
        filters[facet] = [*filters[facet], *(v for v in values if v not in filters[facet])]
    try:
        offset = max(0, min(int(qp.get("offset", "0")), 10_000))
    except ValueError:
        offset = 0
    query = build_query(
        request.app.state.vocab, strict=False, q=qp.get("q", ""), region=qp.get("region") or None,
        open_now=qp.get("open_now") in ("1", "true", "on"), lang=lang, limit=PAGE_SIZE, offset=offset,
        **filters,
    )  # fmt: skip
    query.need = NEED_RANKS.get(need or "")
    params: dict[str, Any] = {
        "q": query.q,
        "need": need if query.need else None,
        "region": query.region,
        **{f: getattr(query, f) for f in _FACETS},
        "open_now": query.open_now,
    }
    return query, params


@dataclass
class ResultsView:
    """What the results template needs beyond the results: filter options, chips, paging."""

    facets: list[tuple[str, list[tuple[str, str, int, bool]]]]
    chips: list[tuple[str, str]]
    clear_url: str
    prev_url: str | None
    next_url: str | None
    first: int
    last: int
    back: str


def _results_view(p: Presenter, query: Query, params: dict[str, Any], results: Results | None) -> ResultsView:
    facets = []
    for facet in _FACETS:
        counts: dict[str, int] = dict(getattr(results.facets, facet)) if results else {}
        for value in params[facet]:
            counts.setdefault(value, 0)  # a chosen filter stays visible even with no match
        options = [(v, p.facet(facet, v), n, v in params[facet]) for v, n in counts.items()]
        if options:
            facets.append((facet, options))
    chips = []
    for facet in _FACETS:
        for value in params[facet]:
            rest = {**params, facet: [v for v in params[facet] if v != value]}
            chips.append((p.facet(facet, value), p.url("/search", rest)))
    if query.open_now:
        chips.append((strings(p.lang)["open_now_only"], p.url("/search", {**params, "open_now": False})))
    total = results.total if results else 0
    shown = len(results.results) if results else 0
    prev_url = p.url("/search", params, offset=max(0, query.offset - PAGE_SIZE)) if query.offset else None
    more = query.offset + PAGE_SIZE < total
    return ResultsView(
        facets=facets,
        chips=chips,
        clear_url=p.url("/search", q=query.q, region=query.region),
        prev_url=prev_url,
        next_url=p.url("/search", params, offset=query.offset + PAGE_SIZE) if more else None,
        first=query.offset + 1 if shown else 0,
        last=query.offset + shown,
        back=query_url("", {**params, "offset": query.offset or None}).lstrip("?"),
    )


# Typed words cost a search each time: the one page under the rate limit (service/safety.py).
@get("/search", sync_to_thread=False, cache=CACHED_FOR, opt={UNLIMITED: False})
def search_page(request: Request) -> Template:
    lang = request_lang(request)
    query, params = _page_query(request, lang)
    try:
        results: Results | None = run_search(request.app.state.engine, query)
    except EngineUnavailable:
        results = None
    partial = request.query_params.get("partial") == "1"
    p = Presenter(lang, request.app.state.engine)
    view = _results_view(p, query, params, results)
    return page_template(
        "_results.html" if partial else "results.html",
        request,
        lang,
        status_code=200 if results is not None else 503,
        p=p,
        results=results,
        query=query,
        q=query.q,
        region=query.region,
        view=view,
        max_cards=MAX_ENTRIES,
    )


@get("/resources/{resource_id:str}", sync_to_thread=False, cache=CACHED_FOR)
def resource_page(request: Request, resource_id: FromPath[str]) -> Template:
    lang = request_lang(request)
    engine: Engine = request.app.state.engine
    resource = engine.get(resource_id) if len(resource_id) <= 64 else None
    if resource is None:
        raise NotFoundException()
    see_also = [r for r in (engine.get(i) for i in resource.see_also) if r is not None]
    name = resource.name.get(lang)
    page_url = public_base(request) + query_url(f"/resources/{resource.id}", lang=lang)
    p = with_base(Presenter(lang, engine), request)
    return page_template(
        "resource.html",
        request,
        lang,
        p=p,
        back=_back_params(request.query_params.get("back")),
        r=resource,
        share_text=p.referral([resource]),
        qr=qr_svg(page_url, strings(lang)["qr_label"].format(name=name)),
        state=open_state(resource.hours),
        see_also=see_also,
        q="",
        region=None,
    )


def _back_params(back: str | None) -> dict[str, list[str]] | None:
    """The search a resource was opened from (``?back=`` on result links), for the Back link."""
    if not back:
        return None
    allowed = {"q", "region", "offset", "open_now", *_FACETS}
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(back[:2000]):
        if key in allowed:
            params.setdefault(key, []).append(value[:200])
    return params


@get("/safety", sync_to_thread=False)
def safety_page(request: Request) -> Template:
    lang = request_lang(request)
    return page_template("safety.html", request, lang, sections=SAFETY_SECTIONS[lang])


def _region_param(request: Request) -> str:
    region = request.query_params.get("region") or "KR"
    return region if region in request.app.state.vocab.regions else "KR"


@get("/embed", sync_to_thread=False, cache_control=_SHORT_PUBLIC, cache=CACHED_FOR)
def embed(request: Request) -> Template:
    """The compact search box and key contacts a school puts in an iframe."""
    lang = request_lang(request)
    region = _region_param(request)
    query = Query(region=None if region == "KR" else region, limit=6, lang=lang)
    try:
        hits: list[Hit] = run_search(request.app.state.engine, query).results
    except EngineUnavailable:
        hits = []
    return page_template("embed.html", request, lang, region=region, hits=hits)


@get("/for-schools", sync_to_thread=False, cache_control=_SHORT_PUBLIC)
def for_schools(request: Request) -> Template:
    lang = request_lang(request)
    region = _region_param(request)
    embed_lang = request.query_params.get("embed_lang")
    embed_lang = embed_lang if embed_lang in ("ko", "en") else lang
    settings = request.app.state.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    parts = urlsplit(base)
    embed_path = query_url("/embed", region=region, lang=embed_lang)
    link_path = query_url("/search", region=None if region == "KR" else region, lang=embed_lang)
    return page_template(
        "schools.html",
        request,
        lang,
        region=region,
        embed_lang=embed_lang,
        embed_path=embed_path,
        embed_src=base + embed_path,
        link_href=base + link_path,
        link_text=strings(embed_lang)["schools_link_text"],
        frame_title=strings(embed_lang)["embed_frame_title"],
        embed_origin=f"{parts.scheme}://{parts.netloc}",
        embed_height=EMBED_HEIGHTS["en" if embed_lang == "en" else "ko"],
        embed_sandbox=EMBED_SANDBOX,
    )


@get("/exit", sync_to_thread=False, cache_control=_NO_STORE, include_in_schema=False)
def quick_exit(request: Request) -> Redirect:
    """Quick exit without JavaScript: on to the neutral site, asking the browser to drop its copies.

    With JavaScript the button never comes here: it replaces the history entry with the neutral
    site instead. Here the redirect itself leaves no entry, and ``Clear-Site-Data: "cache"`` has the
    browser forget the pages it kept of this site, so Back has to ask again. The page seen before
    stays in Back and in the browser's history; /safety says so.
    """
    return Redirect(
        path=request.app.state.settings.exit_url,
        status_code=303,
        headers={"Clear-Site-Data": '"cache"', "Referrer-Policy": "no-referrer"},
    )


@get("/robots.txt", sync_to_thread=False, cache_control=CacheControlHeader(public=True, max_age=86400))
def robots() -> Response[str]:
    return Response(
        "User-agent: *\nDisallow: /search\nDisallow: /embed\nDisallow: /exit\nDisallow: /api/\n",
        media_type="text/plain; charset=utf-8",
    )


def make_pages_router() -> Router:
    return Router(
        path="/",
        route_handlers=[home, search_page, resource_page, safety_page, embed, for_schools, robots],
        include_in_schema=False,
        cache_control=_NO_STORE,
        opt={UNLIMITED: True},
    )
