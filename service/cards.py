"""Printable referral cards and region pages (a notice-board poster with a QR code back to it).

``/resources/{id}/card`` and ``/card?ids=a,b,c`` print on A4 (``?size=wallet`` for cut-out cards
of 85.6 × 54 mm, the size of a bank card). ``/regions/{code}`` lists a region's own services, then
the nationwide lines, grouped by what a person needs; printed, it is a one-page poster.
All of them are ordinary pages: crisis strip, quick exit, both languages, no store in any cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from search.engine import Engine
from search.hours import open_state
from search.kinds import KindTable
from search.links import main_link
from search.model import Resource
from service.i18n import Lang, strings
from service.live import LiveIndex
from service.present import Presenter, page_template, query_url, request_lang, with_base
from service.rate_limit import UNLIMITED
from service.referral import FALLBACK_ID, MAX_ENTRIES, prepare_text
from service.share import public_base, qr_svg, sms_href
from service.wording import hours_text

__all__ = (
    "GROUPS",
    "MAX_CARDS",
    "RegionGroup",
    "abroad",
    "group_of",
    "make_cards_router",
    "on_paper",
    "region_groups",
)

#: At most this many cards on one ``/card`` page (a counsellor prints a handful, not the catalog).
MAX_CARDS = MAX_ENTRIES
#: The needs a region page is grouped by, in the order a frightened person reads them.
GROUPS = ("talk", "removal", "report", "legal", "medical", "schools")
_ID_MAX = 64


def group_of(r: Resource) -> str | None:
    """The one need a resource is listed under on a region page, or None (guides, platform forms).

    Decided by kind first, so every entry appears once: one-stop centres are medical, takedown
    and regulators are removal, police is report, legal aid is legal, school services and youth
    or teacher lines are schools, and the rest (helplines, counselling, victim support) is talk.
    """
    topics = set(r.topics)
    if r.kind in ("guide", "platform-report"):
        return None  # guides have their own links; 15 platform forms would swamp a poster
    if r.kind == "crisis-centre" or "medical" in topics:
        return "medical"
    if r.kind in ("takedown-support", "removal-tool", "regulator"):
        return "removal"
    if r.kind == "school" or topics & {"youth", "teachers", "school-violence"}:
        return "schools"
    if r.kind == "police" or ("reporting" in topics and "counselling" not in topics):
        return "report"
    if r.kind == "legal-aid":
        return "legal"
    return "talk"


@dataclass
class RegionGroup:
    """One need on a region page: the region's own services, then nationwide ones."""

    key: str
    local: list[Resource]
    national: list[Resource]


#: A printed poster lists this many of a group's local services (kinds that answer at once
#: first); the page on screen, which its QR code opens, lists them all.
PRINT_LOCAL = 3
#: An address short enough to be useful on a printed poster (a street and a number, not a paragraph).
SHORT_ADDRESS = 40


def abroad(r: Resource) -> bool:
    """A service reached only through a number abroad (NCMEC's +1-800 …)."""
    return bool(r.phones) and all(
        p.number.startswith("+") and not p.number.startswith("+82") for p in r.phones
    )


def on_paper(r: Resource, with_abroad: bool = False) -> bool:
    """Whether ``r`` is of use printed: a number to call or text, or a short address to go to;
    services abroad only when asked for."""
    if abroad(r):
        return with_abroad
    return bool(r.phones) or (r.address is not None and len(r.address.ko) <= SHORT_ADDRESS)


def region_groups(
    resources: list[Resource], code: str, kinds: KindTable, with_abroad: bool = False
) -> list[RegionGroup]:
    """``resources`` for region ``code`` grouped by :data:`GROUPS`, empty groups left out. Only
    what can be used on paper is listed (:func:`on_paper`)."""
    groups = {key: RegionGroup(key, [], []) for key in GROUPS}
    for r in resources:
        key = group_of(r)
        if key is None or not on_paper(r, with_abroad):
            continue
        if code != "KR" and code in r.regions:
            groups[key].local.append(r)
        elif r.regions == ["KR"]:
            groups[key].national.append(r)
    for g in groups.values():  # the lines that answer at once first (stable: the data's order within a kind)
        g.local.sort(key=lambda r: kinds.rank(r.kind))
    return [g for g in groups.values() if g.local or g.national]


@dataclass
class CardView:
    """What a printed card shows about one resource."""

    r: Resource
    #: The hours in the one wording (search.wording), None when the data gives none.
    hours: str | None
    prepare: str | None
    link: str | None
    page_url: str
    qr: object
    #: The line to call instead when the entry has no number (1366), else None.
    instead: Resource | None = None


def _card_view(request: Request, r: Resource, lang: Lang, fallback: Resource | None = None) -> CardView:
    url = public_base(request) + query_url(f"/resources/{r.id}", lang=lang)
    label = strings(lang)["qr_label"].format(name=r.name.get(lang))
    return CardView(
        r=r,
        hours=hours_text(r.hours, lang),
        prepare=prepare_text(r, lang),
        link=main_link(r) or url,
        page_url=url,
        qr=qr_svg(url, label),
        instead=fallback if not r.phones and fallback is not None and fallback.phones else None,
    )


def _size(request: Request) -> str:
    return "wallet" if request.query_params.get("size") == "wallet" else "a4"


def _cards(
    request: Request, engine: Engine, resources: list[Resource], ids: list[str], dropped: int = 0
) -> Template:
    lang = request_lang(request)
    fallback = engine.get(FALLBACK_ID)
    views = [_card_view(request, r, lang, fallback) for r in resources]
    p = with_base(Presenter(lang, engine), request)
    sms = p.referral(resources, "sms")
    return page_template(
        "cards.html",
        request,
        lang,
        p=p,
        views=views,
        size=_size(request),
        ids=",".join(ids),
        referral=p.referral(resources),
        sms_text=sms,
        sms_href=sms_href(sms),
        dropped=dropped,
        notice=None,
        q="",
        region=None,
    )


@get("/resources/{resource_id:str}/card", sync_to_thread=False)
def resource_card(request: Request, live: LiveIndex, resource_id: FromPath[str]) -> Template:
    engine = live.engine
    resource = engine.get(resource_id) if len(resource_id) <= _ID_MAX else None
    if resource is None:
        raise NotFoundException()
    return _cards(request, engine, [resource], [resource.id])


@get("/card", sync_to_thread=False)
def cards(request: Request, live: LiveIndex) -> Template:
    """Cards and one referral for several resources: ``?ids=a,b,c`` (also ``ids=a&ids=b``, as the
    results page's checkboxes send them). Unknown ids are skipped; past :data:`MAX_CARDS` the rest
    are left out and the page says so. Nothing is stored: the ids are the whole state."""
    engine = live.engine
    wanted: list[str] = []
    for value in request.query_params.getall("ids", [])[:100]:
        for rid in value[:2000].split(","):
            rid = rid.strip()
            if rid and len(rid) <= _ID_MAX and rid not in wanted:
                wanted.append(rid)
    found = [r for r in (engine.get(i) for i in wanted[:200]) if r is not None]
    resources = found[:MAX_CARDS]
    if not resources:
        if request.query_params.get("pick") == "1":
            # The results page's button with nothing ticked: say what to do, not "not found".
            lang = request_lang(request)
            return page_template(
                "cards.html", request, lang, status_code=400, views=[], size="a4", ids="",
                notice=strings(lang)["pick_none"], dropped=0, q="", region=None,
            )  # fmt: skip
        raise NotFoundException()
    return _cards(request, engine, resources, [r.id for r in resources], dropped=len(found) - len(resources))


@get("/regions/{code:str}", sync_to_thread=False)
def region_page(request: Request, live: LiveIndex, code: FromPath[str]) -> Template:
    engine = live.engine
    code = code.upper()
    if code not in live.vocab.regions:
        raise NotFoundException()
    lang = request_lang(request)
    url = public_base(request) + query_url(f"/regions/{code}", lang=lang)
    resources = engine.resources(regions=[code, "KR"])
    states = {r.id: open_state(r.hours) for r in resources}
    t = strings(lang)
    p = Presenter(lang, engine)
    title = t["region_title"].format(region=p.region(code))
    return page_template(
        "region.html",
        request,
        lang,
        p=p,
        code=code,
        title=title,
        groups=region_groups(
            resources, code, engine.kinds, with_abroad=request.query_params.get("abroad") == "1"
        ),
        states=states,
        page_url=url,
        qr=qr_svg(url, t["qr_label"].format(name=title)),
        guides=[r for r in resources if r.kind == "guide"],
        print_local=PRINT_LOCAL,
        q="",
        region=None if code == "KR" else code,
    )


@get("/regions", sync_to_thread=False)
def regions_index(request: Request) -> Template:
    """Every region, linking to its page (the region page's "other regions")."""
    return page_template("regions.html", request, request_lang(request), q="", region=None)


def make_cards_router() -> Router:
    """Cards and region pages. Victims may open them, so nothing is kept in any cache."""
    return Router(
        path="/",
        route_handlers=[resource_card, cards, regions_index, region_page],
        include_in_schema=False,
        cache_control=CacheControlHeader(no_store=True),
        opt={UNLIMITED: True},
    )
