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
from urllib.parse import urlsplit

from litestar import HttpMethod, Request, Response, Router, get, route
from litestar.datastructures import CacheControlHeader, ImmutableMultiDict, MultiDict
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from search.facets import FILTERS
from search.hours import open_state
from search.model import Hit, Query, Results
from service.i18n import SAFETY_SECTIONS, Lang, negotiate, strings
from service.live import LiveIndex
from service.params import EngineUnavailable, run_search
from service.present import Presenter, page_template, query_url, request_lang, with_base
from service.query import build_query
from service.rate_limit import UNLIMITED
from service.referral import MAX_ENTRIES
from service.share import public_base, qr_svg
from service.summary import summary_lines

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
#: region's content needs in a frame 344–374 px wide (a 360–390 px phone less the page's margins)
#: and 640 px wide (a desktop column), measured in Chromium over every region: Korean 721–734 px;
#: English 721 px (640), 845 px (374) and 999 px (344, Gyeongbuk). tests/browser/test_embed.py
#: checks it still fits at 360 and 390 px.
EMBED_HEIGHTS: dict[Lang, int] = {"ko": 760, "en": 1020}
#: The sandbox tokens that keep the embed whole: quick exit may replace the top page on a tap
#: (only on a tap, never by itself), searches open in a new tab, and the frame keeps its own
#: origin so the parent can check who sent the height.
EMBED_SANDBOX = (
    "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox "
    "allow-top-navigation-by-user-activation"
)
_FACETS = FILTERS  # the filter groups, in the registry's order (search/facets.py)
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
    return page_template(
        name, request, lang, status_code=status_code, headers={"Cache-Control": "no-store"},
        client_error=400 <= status_code < 500,
    )  # fmt: skip


# -- routes -------------------------------------------------------------------------------------


@get("/", sync_to_thread=False)
def home(request: Request, live: LiveIndex) -> Template:
    lang = request_lang(request)
    guides = live.guides
    counsellor = _counsellor(request.query_params)
    return page_template(
        "home.html", request, lang, guides=guides, q="", region=None, needs=NEEDS, counsellor=counsellor
    )


#: The query string of a GET or the body of a POST: both are Litestar multi-dicts.
_Fields = MultiDict[Any] | ImmutableMultiDict[Any]


def _page_query(
    request: Request, live: LiveIndex, lang: Lang, fields: _Fields | None = None
) -> tuple[Query, dict[str, Any]]:
    """The search a results page runs, and the parameters it was built from.

    ``fields`` is the form a POST sent (the search box's words never travel in a URL); a GET
    reads its query string (need buttons, filters, old links).
    """
    qp: _Fields = fields if fields is not None else request.query_params
    # A removed filter chip sends ``drop=facet:value``; "clear" drops every filter.
    drop = {str(v) for v in qp.getall("drop", [])}
    clear = qp.get("clear") == "1"
    filters: dict[str, list[str]] = {
        f: [] if clear else [v for v in qp.getall(f, []) if f"{f}:{v}" not in drop] for f in _FACETS
    }
    need = qp.get("need")
    for facet, values in NEEDS.get(need or "", {}).items():
        filters[facet] = [*filters[facet], *(v for v in values if v not in filters[facet])]
    try:
        offset = int(qp.get("offset", "0"))  # brought within the limits by build_query
    except (TypeError, ValueError):
        offset = 0
    region = qp.get("goto_region") or qp.get("region") or None
    open_now = qp.get("open_now") in ("1", "true", "on") and not clear and "open_now:1" not in drop
    query = build_query(
        live.vocab, strict=False, q=str(qp.get("q", "")), region=region, filters=filters,
        open_now=open_now, lang=lang, limit=PAGE_SIZE, offset=offset,
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
    """What the results template needs beyond the results: filter options, chips, paging.

    Chips, paging and "clear" are buttons of the search form (``form="search"``): pressed, they
    send the search again in the body of a POST, so her words never enter an address.
    """

    facets: list[tuple[str, list[tuple[str, str, int, bool]]]]
    #: (label, value of ``drop``) per chosen filter.
    chips: list[tuple[str, str]]
    prev_offset: int | None
    next_offset: int | None
    first: int
    last: int
    #: The counsellor's view: sources, flags, caveats, referral picking and sharing.
    counsellor: bool


def _results_view(
    p: Presenter, query: Query, params: dict[str, Any], results: Results | None, counsellor: bool
) -> ResultsView:
    facets = []
    for facet in _FACETS:
        counts: dict[str, int] = dict(getattr(results.facets, facet)) if results else {}
        for value in params[facet]:
            counts.setdefault(value, 0)  # a chosen filter stays visible even with no match
        options = [(v, p.facet(facet, v), n, v in params[facet]) for v, n in counts.items()]
        if options:
            facets.append((facet, options))
    chips = [(p.facet(facet, value), f"{facet}:{value}") for facet in _FACETS for value in params[facet]]
    if query.open_now:
        chips.append((strings(p.lang)["open_now_only"], "open_now:1"))
    total = results.total if results else 0
    shown = len(results.results) if results else 0
    return ResultsView(
        facets=facets,
        chips=chips,
        prev_offset=max(0, query.offset - PAGE_SIZE) if query.offset else None,
        next_offset=query.offset + PAGE_SIZE if query.offset + PAGE_SIZE < total else None,
        first=query.offset + 1 if shown else 0,
        last=query.offset + shown,
        counsellor=counsellor,
    )


def _counsellor(fields: _Fields) -> bool:
    return fields.get("view") == "counsellor"


#: A results page sent in answer to a POST may be kept by the browser for Back (a copy marked
#: no-store is not: Back would ask "resubmit the form?"), but by no shared cache. Quick exit
#: without JavaScript clears the browser's copies (``Clear-Site-Data``, see quick_exit).
_PRIVATE = CacheControlHeader(private=True, max_age=0)


def _results_page(
    request: Request, live: LiveIndex, fields: _Fields | None, cache: CacheControlHeader | None = None
) -> Template:
    source: _Fields = fields if fields is not None else request.query_params
    lang = negotiate(source.get("lang"), request.headers.get("accept-language"))
    query, params = _page_query(request, live, lang, fields)
    try:
        results: Results | None = run_search(live.engine, query)
    except EngineUnavailable:
        results = None
    partial = source.get("partial") == "1"
    p = Presenter(lang, live.engine)
    view = _results_view(p, query, params, results, _counsellor(source))
    return page_template(
        "_results.html" if partial else "results.html",
        request,
        lang,
        status_code=200 if results is not None else 503,
        p=p,
        results=results,
        cards=p.cards(results, counsellor=view.counsellor, q=query.q) if results else [],
        lines=summary_lines(p, results, request.app.state.settings.data_dir),
        query=query,
        q=query.q,
        region=query.region,
        view=view,
        max_cards=MAX_ENTRIES,
        headers={cache.HEADER_NAME: cache.to_header()} if cache else None,
    )


# Typed words cost a search each time: the one page under the rate limit (service/safety.py).
# GET serves the need buttons, the filters and the counsellor switch (no typed words); a link
# from elsewhere that still carries ``q`` is answered too, but the site itself never makes one.
# GET and POST are one handler: Litestar 2 registers a router's handlers one at a time, and the
# OPTIONS answer it makes for a path keeps the methods of the first handler of that path only
# (litestar-org/litestar#4169, fixed in 3.0; a Controller is registered the same way), so two
# handlers answered OPTIONS /search with ``Allow: GET, HEAD, OPTIONS``.
@route("/search", http_method=[HttpMethod.GET, HttpMethod.POST], opt={UNLIMITED: False}, status_code=200)
async def search_page(request: Request, live: LiveIndex) -> Template:
    """The search box's form (POST: the words arrive in the body and the page's title is neutral),
    and the need buttons, filters and counsellor switch (GET)."""
    if request.method == HttpMethod.POST:
        return _results_page(request, live, await request.form(), cache=_PRIVATE)
    return _results_page(request, live, None)


@get("/resources/{resource_id:str}", sync_to_thread=False)
def resource_page(request: Request, live: LiveIndex, resource_id: FromPath[str]) -> Template:
    lang = request_lang(request)
    engine = live.engine
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
        r=resource,
        share_text=p.referral([resource]),
        qr=qr_svg(page_url, strings(lang)["qr_label"].format(name=name)),
        state=open_state(resource.hours),
        see_also=see_also,
        q="",
        region=None,
    )


@get("/safety", sync_to_thread=False)
def safety_page(request: Request) -> Template:
    lang = request_lang(request)
    return page_template("safety.html", request, lang, sections=SAFETY_SECTIONS[lang])


def _region_param(request: Request, live: LiveIndex) -> str:
    region = request.query_params.get("region") or "KR"
    return region if region in live.vocab.regions else "KR"


@get("/embed", sync_to_thread=False, cache_control=_SHORT_PUBLIC)
def embed(request: Request, live: LiveIndex) -> Template:
    """The compact search box and key contacts a school puts in an iframe."""
    lang = request_lang(request)
    region = _region_param(request, live)
    query = Query(region=None if region == "KR" else region, limit=6, lang=lang)
    try:
        hits: list[Hit] = run_search(live.engine, query).results
    except EngineUnavailable:
        hits = []
    return page_template("embed.html", request, lang, region=region, hits=hits)


@get("/for-schools", sync_to_thread=False, cache_control=_SHORT_PUBLIC)
def for_schools(request: Request, live: LiveIndex) -> Template:
    lang = request_lang(request)
    region = _region_param(request, live)
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
        route_handlers=[
            home,
            search_page,
            resource_page,
            safety_page,
            embed,
            for_schools,
            robots,
        ],
        include_in_schema=False,
        cache_control=_NO_STORE,
        opt={UNLIMITED: True},
    )
