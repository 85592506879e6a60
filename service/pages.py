"""HTML pages: home, results, a resource, browsing safely, the school embed and its snippets.

Pages are lenient where the API is strict: a mangled link still shows help (unknown filters are
dropped), and every page, even the 404, shows the crisis numbers. Everything works without
JavaScript; ``static/haven.js`` only adds search-as-you-type, the Escape key for quick exit and
one history entry per visit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from litestar import MediaType, Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import Redirect, Template

from search.engine import Engine
from search.hours import SEOUL, open_state
from search.model import Hit, Hours, OpenState, Phone, Query, Resource, Results
from service.answer_cache import CACHED_FOR
from service.api import EngineUnavailable, build_query, run_search
from service.i18n import (
    SAFETY_SECTIONS,
    Lang,
    format_date,
    labels,
    language_name,
    negotiate,
    strings,
    weekday_name,
)
from service.referral import FALLBACK_ID, MAX_ENTRIES, Format
from service.safety import UNLIMITED
from service.share import public_base, qr_svg, referral_text, sms_href

__all__ = (
    "NEEDS",
    "PAGE_SIZE",
    "ApiDocs",
    "Presenter",
    "asset_versions",
    "make_pages_router",
    "render_error",
)

PAGE_SIZE = 10
STATIC_DIR = Path(__file__).parent / "static"
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


def _lang(request: Request) -> Lang:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def _url(path: str, params: dict[str, Any] | None = None, **more: Any) -> str:
    """``path?params`` without empty values; lists become repeated parameters."""
    merged = {**(params or {}), **more}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value is False:
            continue
        if isinstance(value, list | tuple):
            pairs += [(key, str(v)) for v in value]
        else:
            pairs.append((key, "1" if value is True else str(value)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


class Call(NamedTuple):
    """A phone link as shown: ``tel:``/``sms:`` address, verb ("Call", "Text"), number, label."""

    href: str
    verb: str
    number: str
    label: str | None


@dataclass(slots=True)
class Card:
    """One result card, every text in the page's language (see :meth:`Presenter.card`)."""

    id: str
    name: str
    href: str
    meta: str
    badge: tuple[str, str] | None
    summary: str
    calls: list[Call]
    link: tuple[str, str] | None
    flag: str | None
    caveat: str | None
    share_sms: str
    share_url: str
    #: Why it is here, in a few words ("24시간 · 삭제 지원"), when the search says.
    why: str | None = None


@dataclass
class Presenter:
    """Formats data for one page in one language; templates call it as ``p``."""

    lang: Lang
    engine: Engine
    #: The site's public address, for links to its pages in referrals ("" until a page sets it).
    base: str = ""

    def __post_init__(self) -> None:
        self.labels = labels(self.lang)
        taxonomy = self.engine.taxonomy()
        self._terms = {
            group: {t.key: t.label.get(self.lang) for t in terms} for group, terms in taxonomy.items()
        }
        self._regions = {r.code: r.name.get(self.lang) for r in self.engine.regions()}
        self.now = dt.datetime.now(SEOUL)
        self._fallback = self.engine.get(FALLBACK_ID)

    @property
    def fallback(self) -> Resource | None:
        """The line to call when an entry has no number of its own (1366)."""
        return self._fallback

    def url(self, path: str, params: dict[str, Any] | None = None, **more: Any) -> str:
        return _url(path, {**(params or {}), **more, "lang": self.lang})

    def region(self, code: str | None) -> str:
        return self._regions.get(code or "", code or "")

    def regions(self, codes: list[str]) -> str:
        return ", ".join(self.region(c) for c in codes)

    def region_options(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name in self._regions.items() if code != "KR"]

    def kind(self, key: str) -> str:
        return self._terms.get("kind", {}).get(key, key)

    def topic(self, key: str) -> str:
        return self._terms.get("topic", {}).get(key, key)

    def facet(self, facet: str, value: str) -> str:
        """The label of one filter value (``facet`` as in the search parameters)."""
        if facet == "kind":
            return self.kind(value)
        if facet == "topic":
            return self.topic(value)
        if facet == "language":
            return language_name(value, self.lang)
        if facet == "audience":
            return self.audience(value)
        return self.labels.get(facet, {}).get(value, value)

    def audience(self, key: str) -> str:
        return self._terms.get("audience", {}).get(key) or self.labels["audience"].get(key, key)

    def language(self, code: str) -> str:
        return language_name(code, self.lang)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def tel(self, number: str, kind: str = "voice") -> str:
        digits = "".join(c for c in number if c.isdigit() or c in "+#")
        digits = digits.replace("#", "%23")
        return f"sms:{digits}" if kind == "sms" else f"tel:{digits}"

    def open_now(self, state: OpenState) -> tuple[str, str]:
        """``(css class, text)`` for an open-now badge."""
        t = strings(self.lang)
        if not state.known:
            return "is-unknown", t["hours_not_known"]
        if state.always:
            return "is-open", t["open_always"]
        if state.open:
            if state.closes_at:
                return "is-open", t["open_until"].format(time=self._clock(state.closes_at))
            return "is-open", t["open_now"]
        if state.opens_at:
            when = dt.datetime.fromisoformat(state.opens_at)
            days = (when.date() - self.now.date()).days
            if days == 0:
                text = t["closed_opens_today"]
            elif days == 1:
                text = t["closed_opens_tomorrow"]
            else:
                text = t["closed_opens_day"].replace("{day}", weekday_name(when.date(), self.lang))
            return "is-closed", text.format(time=when.strftime("%H:%M"))
        return "is-closed", t["closed"]

    def _clock(self, iso: str) -> str:
        when = dt.datetime.fromisoformat(iso)
        if when.time() == dt.time(0, 0) and when.date() > self.now.date():
            return "24:00"
        return when.strftime("%H:%M")

    def hours(self, hours: Hours) -> list[tuple[str, str]]:
        """Weekly spans as ``(days, times)`` rows, e.g. ``("월–금", "09:00–18:00")``."""
        day_names = self.labels["day"]
        order = list(day_names)
        rows = []
        for span in hours.weekly:
            idx = sorted(order.index(d) for d in span.days)
            consecutive = idx == list(range(idx[0], idx[-1] + 1))
            if consecutive and len(idx) > 2:
                days = f"{day_names[order[idx[0]]]}–{day_names[order[idx[-1]]]}"
            else:
                days = ", ".join(day_names[order[i]] for i in idx)
            rows.append((days, f"{span.open}–{span.close}"))
        return rows

    def stale_note(self, r: Resource) -> str | None:
        """A calm line when the newest source is over three years old (as ``haven audit`` says)."""
        from search.audit import stale_before

        if r.as_of is None or r.as_of >= stale_before(self.now.date()):
            return None
        if self.lang == "en":
            return f"Information as of {r.as_of_year}: you can check it with 1366 before you call."
        return f"정보 기준 {r.as_of_year}년 — 전화 전에 1366에서 확인할 수 있어요."

    def lines(self, text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def share_sms(self, r: Resource) -> str:
        """An ``sms:`` link with ``r``'s referral typed in (the carrier-safe form)."""
        return sms_href(self.referral([r], "sms"))

    def referral(self, resources: list[Resource], fmt: Format = "text") -> str:
        """The referral for ``resources``: every entry with a number to call and a link."""
        base = self.base

        def page_url(r: Resource) -> str:
            return base + _url(f"/resources/{r.id}", lang="en" if self.lang == "en" else None)

        return referral_text(
            resources, self.lang, fmt, fallback=self._fallback, page_url=page_url if base else None
        )

    def calls(self, phones: list[Phone]) -> list[Call]:
        t = strings(self.lang)
        return [
            Call(self.tel(ph.number, ph.type), t["text_sms"] if ph.type == "sms" else t["call"], ph.number,
                 ph.label.get(self.lang) if ph.label else None)
            for ph in phones
        ]  # fmt: skip

    def card(self, hit: Hit, back: str) -> Card:
        """Everything one result card shows, worked out here rather than in the template.

        A results page has ten cards, and in Jinja each call or lookup costs several times what
        the same step costs in Python: building the card here cut the cards' rendering by a fifth
        (BENCHMARKS.md).
        """
        r, lang = hit.resource, self.lang
        name = r.name.get(lang)
        link = None
        if not r.phones and r.links:
            link = (r.links[0].url, self.link_label(r.links[0]))
        return Card(
            id=r.id,
            name=name,
            href=self.url("/resources/" + r.id, back=back),
            meta=f"{self.kind(r.kind)} · {self.regions(r.regions)}",
            badge=self.open_now(hit.open_now) if hit.open_now.known else None,
            summary=r.summary.get(lang),
            calls=self.calls(r.phones[:2]),
            link=link,
            flag=None if r.confidence == "official" else self.labels["confidence_short"][r.confidence],
            caveat=r.caveat.get(lang) if r.caveat else None,
            share_sms=self.share_sms(r),
            share_url=self.url(f"/resources/{r.id}/card"),
            why=hit.why.get(lang) if hit.why else None,
        )

    def link_label(self, link: Any) -> str:
        if link.label:
            return str(link.label.get(self.lang))
        return self.labels["channel"].get(link.type, link.type)


def _switch_url(request: Request, other: Lang) -> str:
    """This page in the other language, keeping the search and its filters."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "partial")]
    return f"{self_path(request.scope['path'])}?{urlencode([*pairs, ('lang', other)])}"


def self_path(path: str) -> str:
    """A link to this same path that cannot leave the site.

    One leading slash (``//evil.example`` is another host) and everything but plain path
    characters percent-encoded: browsers read ``/\\evil.example`` as ``//evil.example`` and drop
    tabs and newlines (``/%09/evil.example``), so those must never appear raw in an ``href``.
    """
    return quote("/" + path.lstrip("/\\\t\n\r "), safe="/-._~!$&'()*+,;=:@")


def _context(request: Request, lang: Lang, **extra: Any) -> dict[str, Any]:
    state = request.app.state
    other: Lang = "en" if lang == "ko" else "ko"
    return {
        "lang": lang,
        "other_lang": other,
        "t": strings(lang),
        "p": _with_base(extra.pop("p", None) or Presenter(lang, state.engine), request),
        "switch_url": _switch_url(request, other),
        "exit_url": state.settings.exit_url,
        "assets": state.assets,
        **extra,
    }


def _with_base(p: Presenter, request: Request) -> Presenter:
    p.base = p.base or public_base(request)
    return p


def _template(
    name: str, request: Request, lang: Lang, status_code: int = 200, headers: dict[str, str] | None = None,
    **extra: Any,
) -> Template:  # fmt: skip
    return Template(
        template_name=name,
        context=_context(request, lang, **extra),
        status_code=status_code,
        headers={"Vary": "Accept-Language", "Content-Language": lang, **(headers or {})},
        media_type=MediaType.HTML,
    )


def render_error(request: Request, status_code: int) -> Template:
    """The 404 (or other error) page, in the visitor's language, with the crisis numbers."""
    lang = _lang(request)
    name = "not_found.html" if status_code == 404 else "error.html"
    return _template(name, request, lang, status_code=status_code, headers={"Cache-Control": "no-store"})


# -- routes -------------------------------------------------------------------------------------


@get("/", sync_to_thread=False)
def home(request: Request) -> Template:
    lang = _lang(request)
    guides = request.app.state.guides
    return _template("home.html", request, lang, guides=guides, q="", region=None, needs=NEEDS)


def _page_query(request: Request, lang: Lang) -> tuple[Query, dict[str, Any]]:
    """The search a results page runs, and the parameters it was built from (for links)."""
    qp = request.query_params
    filters: dict[str, list[str]] = {f: qp.getall(f, []) for f in _FACETS}
    need = qp.get("need")
    for facet, values in NEEDS.get(need or "", {}).items():
        filters[facet] = [*filters[facet], *values]
    try:
        offset = max(0, min(int(qp.get("offset", "0")), 10_000))
    except ValueError:
        offset = 0
    query = build_query(
        request.app.state.vocab, strict=False, q=qp.get("q", ""), region=qp.get("region") or None,
        open_now=qp.get("open_now") in ("1", "true", "on"), lang=lang, limit=PAGE_SIZE, offset=offset,
        **filters,
    )  # fmt: skip
    params: dict[str, Any] = {
        "q": query.q,
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
        back=_url("", {**params, "offset": query.offset or None}).lstrip("?"),
    )


# Typed words cost a search each time: the one page under the rate limit (service/safety.py).
@get("/search", sync_to_thread=False, cache=CACHED_FOR, opt={UNLIMITED: False})
def search_page(request: Request) -> Template:
    lang = _lang(request)
    query, params = _page_query(request, lang)
    try:
        results: Results | None = run_search(request.app.state.engine, query)
    except EngineUnavailable:
        results = None
    partial = request.query_params.get("partial") == "1"
    p = Presenter(lang, request.app.state.engine)
    view = _results_view(p, query, params, results)
    return _template(
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
    lang = _lang(request)
    engine: Engine = request.app.state.engine
    resource = engine.get(resource_id) if len(resource_id) <= 64 else None
    if resource is None:
        raise NotFoundException()
    see_also = [r for r in (engine.get(i) for i in resource.see_also) if r is not None]
    name = resource.name.get(lang)
    page_url = public_base(request) + _url(f"/resources/{resource.id}", lang=lang)
    p = _with_base(Presenter(lang, engine), request)
    return _template(
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
    lang = _lang(request)
    return _template("safety.html", request, lang, sections=SAFETY_SECTIONS[lang])


def _region_param(request: Request) -> str:
    region = request.query_params.get("region") or "KR"
    return region if region in request.app.state.vocab.regions else "KR"


@get("/embed", sync_to_thread=False, cache_control=_SHORT_PUBLIC, cache=CACHED_FOR)
def embed(request: Request) -> Template:
    """The compact search box and key contacts a school puts in an iframe."""
    lang = _lang(request)
    region = _region_param(request)
    query = Query(region=None if region == "KR" else region, limit=6, lang=lang)
    try:
        hits: list[Hit] = run_search(request.app.state.engine, query).results
    except EngineUnavailable:
        hits = []
    return _template("embed.html", request, lang, region=region, hits=hits)


@get("/for-schools", sync_to_thread=False, cache_control=_SHORT_PUBLIC)
def for_schools(request: Request) -> Template:
    lang = _lang(request)
    region = _region_param(request)
    embed_lang = request.query_params.get("embed_lang")
    embed_lang = embed_lang if embed_lang in ("ko", "en") else lang
    settings = request.app.state.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    parts = urlsplit(base)
    embed_path = _url("/embed", region=region, lang=embed_lang)
    link_path = _url("/search", region=None if region == "KR" else region, lang=embed_lang)
    return _template(
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


class ApiDocs(OpenAPIRenderPlugin):
    """The API reference at /schema, rendered here from the OpenAPI document: no CDN, no script."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        lang = _lang(request)
        template = request.app.template_engine.get_template("api_docs.html")  # type: ignore[union-attr]
        operations = [
            {
                "id": f"op{i}",
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    (prm["name"], prm["in"], prm.get("required", False), prm.get("description", ""),
                     _schema_text(prm.get("schema", {})))
                    for prm in op.get("parameters", [])
                ],
                "responses": [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()],
            }
            for i, (path, item) in enumerate(openapi_schema.get("paths", {}).items())
            for method, op in item.items()
            if method == "get"
        ]  # fmt: skip
        context = _context(request, lang, info=openapi_schema.get("info", {}), operations=operations)
        return str(template.render(**context, request=request)).encode()


def _schema_text(schema: dict[str, Any]) -> str:
    """A JSON Schema in a few words: ``integer, 1–100, default 20``; ``ko | en``."""
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        return " or ".join(t for t in (_schema_text(o) for o in options) if t != "null")
    if "enum" in schema:
        text = " | ".join(str(v) for v in schema["enum"])
    elif schema.get("type") == "array":
        text = f"list of {_schema_text(schema.get('items', {}))}"
    else:
        text = str(schema.get("type", "any"))
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        text += f", {'' if low is None else low}–{'' if high is None else high}"
    if "pattern" in schema:
        text += f", {schema['pattern']}"
    if "default" in schema and schema["default"] not in (None, ""):
        text += f", default {json.dumps(schema['default'])}"
    return text


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
