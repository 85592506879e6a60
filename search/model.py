"""The vocabulary of Haven: every station of the flow speaks in these Structs.

data/*.yaml is decoded into :class:`Resource`, :class:`Region`, :class:`Taxonomy` and
:class:`SynonymGroup`; the engines answer a :class:`Query` with :class:`Results`. The structs
are strict (unknown fields are rejected) so a typo in a maintainer's YAML is an error, not a
silently ignored key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

__all__ = (
    "Confidence",
    "Cost",
    "Directory",
    "Facets",
    "Geo",
    "Hit",
    "Hours",
    "Interpreting",
    "Link",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_Q",
    "MAX_VALUES",
    "Phone",
    "Query",
    "Region",
    "Resource",
    "Results",
    "Span",
    "Source",
    "SynonymGroup",
    "Taxonomy",
    "TaxonomyTerm",
    "Text",
)

#: Resource ids: lower-case words joined by hyphens, e.g. ``d4u-central``.
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: ``KR`` (nationwide) or an ISO 3166-2:KR first-level code such as ``KR-26``.
REGION_PATTERN = r"^KR(-[0-9]{2})?$"
#: Korean numbers as dialled in Korea, with hyphens: short codes (112, 1366), area code + short
#: code (051-1366), 15xx/16xx/18xx numbers, landlines and mobiles, SMS short codes (#0117), and
#: international numbers written with a leading ``+``.
PHONE_PATTERN = (
    r"^(?:"
    r"1[0-9]{2,3}"  # 112, 117, 1366, 1388 …
    r"|1[0-9]{2}-[0-9]{3}"  # 142-235 (a six-digit national number written as the operator does)
    r"|#[0-9]{4}"  # #0117 (SMS)
    r"|1[5-8][0-9]{2}-[0-9]{4}"  # 1577-1366, 1544-9112
    r"|0[2-8][0-9]?-1[0-9]{2,3}"  # 051-1366 (area code + short code)
    r"|02-[0-9]{3,4}-[0-9]{4}"  # Seoul landlines
    r"|0[3-6][0-9]-[0-9]{3,4}-[0-9]{4}"  # other landlines
    r"|01[016789]-[0-9]{3,4}-[0-9]{4}"  # mobiles
    r"|0[78]0-[0-9]{3,4}-[0-9]{4}"  # 070 internet phones, 080 free calls
    r"|\+[0-9][0-9 -]{6,18}[0-9]"  # international
    r")$"
)
LINK_URL = r"^(?:https://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+|tel:\+?[0-9#*-]+)$"
SOURCE_URL = r"^https?://[^\s/$.?#][^\s]*$"
CLOCK = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"

NonEmpty = Annotated[str, Meta(min_length=1, max_length=4000)]
ResourceId = Annotated[str, Meta(pattern=ID_PATTERN, min_length=2, max_length=64)]
RegionCode = Annotated[str, Meta(pattern=REGION_PATTERN)]
Key = Annotated[str, Meta(pattern=ID_PATTERN, max_length=64)]
Confidence = Literal["official", "secondary", "dated", "unconfirmed"]
Cost = Literal["free", "low-cost", "paid", "unknown"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Audience = Literal["adults", "minors", "parents", "teachers", "foreigners", "men", "disabled", "everyone"]

CONFIDENCE_ORDER: dict[str, int] = {"official": 0, "secondary": 1, "dated": 2, "unconfirmed": 3}


class Text(Struct, forbid_unknown_fields=True):
    """A text in both languages; both are required so no user meets a blank."""

    ko: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


SourceUrl = Annotated[str, Meta(pattern=SOURCE_URL, max_length=2000)]
#: The source that states a number or link: a URL from the entry's own ``sources`` (the newest
#: dated one that states it). One URL, not a list: a union of a string and a list of strings
#: makes msgspec 0.22 crash at interpreter exit.
StatedBy = SourceUrl


class Phone(Struct, forbid_unknown_fields=True, kw_only=True):
    """A number to call or text. The first phone of a resource is its main number."""

    number: Annotated[str, Meta(pattern=PHONE_PATTERN, description="As dialled in Korea, with hyphens")]
    label: Text | None = None
    type: Literal["voice", "sms"] = "voice"
    source: StatedBy | None = None


class Link(Struct, forbid_unknown_fields=True, kw_only=True):
    """A web page, form, chat or app; https only (or mailto:/tel:).

    A KakaoTalk channel that its sources name only by what to search for in the app (``women1366``,
    ``청소년상담1388``) has ``handle`` and no ``url``: a link address is never made up.
    """

    type: Literal["website", "form", "chat", "kakaotalk", "email", "app", "guide"]
    url: Annotated[str, Meta(pattern=LINK_URL, max_length=2000)] | None = None
    #: The name to search for in the app, for a KakaoTalk channel known by no address.
    handle: Annotated[str, Meta(min_length=1, max_length=40)] | None = None
    label: Text | None = None
    source: StatedBy | None = None

    @property
    def href(self) -> str:
        """The address to open ("" for a channel known only by its ``handle``)."""
        return self.url or ""


LanguageCode = Annotated[str, Meta(pattern=r"^[a-z]{2,3}$")]


class Interpreting(Struct, forbid_unknown_fields=True, kw_only=True):
    """Languages a line answers in through an interpreter (112's interpreting centre joins the
    call), not in its counsellors' own words, and the dated source that states it."""

    languages: Annotated[list[LanguageCode], Meta(min_length=1)]
    source: StatedBy


class Source(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """A page that states an entry's facts, with the date the page itself gives.

    ``as_of`` is the date the source states or was published (a year alone when that is all it
    gives), never the day we read it: that is the resource's ``checked``. A plain URL in the data
    is a source whose date is not known.
    """

    url: SourceUrl
    as_of: dt.date | Annotated[int, Meta(ge=1990, le=2100)] | None = None
    title: NonEmpty | None = None

    def __str__(self) -> str:
        return self.url

    @property
    def as_of_date(self) -> dt.date | None:
        """``as_of`` as a day; a bare year counts as its last day (the source was true that year)."""
        if isinstance(self.as_of, int):
            return dt.date(self.as_of, 12, 31)
        return self.as_of


class Span(Struct, forbid_unknown_fields=True, kw_only=True):
    """Opening hours on some weekdays. ``close`` earlier than ``open`` runs past midnight."""

    days: Annotated[list[Day], Meta(min_length=1)]
    open: Annotated[str, Meta(pattern=CLOCK)]
    close: Annotated[str, Meta(pattern=CLOCK)]


class Hours(Struct, forbid_unknown_fields=True, kw_only=True):
    """When a resource answers: ``always: true`` (24/7, 365 days) or weekly spans."""

    always: bool = False
    weekly: list[Span] = []
    #: On Korean public holidays: closed, open as on that weekday, or unknown.
    holidays: Literal["closed", "open", "unknown"] = "closed"
    note: Text | None = None


class Geo(Struct, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=33.0, le=39.0)]
    lng: Annotated[float, Meta(ge=124.0, le=132.0)]


class Resource(Struct, forbid_unknown_fields=True, kw_only=True):
    """One place to get help: a line, a centre, a reporting form or a guide."""

    id: ResourceId
    kind: Key
    topics: Annotated[list[Key], Meta(min_length=1)]
    name: Text
    summary: Text
    regions: Annotated[list[RegionCode], Meta(min_length=1)]
    #: The pages that state the facts: a URL, or ``{url, as_of, title}`` when the page is dated.
    sources: Annotated[list[SourceUrl | Source], Meta(min_length=1)]
    checked: dt.date
    confidence: Confidence
    aliases: list[NonEmpty] = []
    how_to: Text | None = None
    organization: Text | None = None
    phones: list[Phone] = []
    links: list[Link] = []
    hours: Hours | None = None
    address: Text | None = None
    #: Where a local service is: its 시·군·구 as data/places.tsv writes it ("청주시 상당구") and,
    #: when known, its 읍·면·동 ("용암동"). Search orders a region's services by nearness with it.
    district: Annotated[str, Meta(min_length=1, max_length=40)] | None = None
    town: Annotated[str, Meta(min_length=1, max_length=40)] | None = None
    geo: Geo | None = None
    audiences: list[Audience] = msgspec.field(default_factory=lambda: ["everyone"])
    #: Every language it can be reached in, directly or through an interpreter.
    languages: list[LanguageCode] = msgspec.field(default_factory=lambda: ["ko"])
    #: Of ``languages``, those reached through an interpreter, each group with its source.
    interpreting: list[Interpreting] = []
    cost: Cost = "unknown"
    anonymous: Literal["yes", "no", "partly", "unknown"] = "unknown"
    platform: Key | None = None
    #: What a counsellor should double-check: a dated number, a conflicting source …
    caveat: Text | None = None
    see_also: list[ResourceId] = []

    @property
    def source_urls(self) -> list[str]:
        """The sources' URLs, in the data's order."""
        return [s if isinstance(s, str) else s.url for s in self.sources]

    @property
    def interpreted(self) -> list[str]:
        """The languages it answers in through an interpreter only, in the data's order."""
        return [code for group in self.interpreting for code in group.languages]

    @property
    def as_of(self) -> dt.date | None:
        """The newest date any source states (None when no source is dated)."""
        dates = [d for s in self.sources if isinstance(s, Source) and (d := s.as_of_date)]
        return max(dates) if dates else None

    @property
    def as_of_year(self) -> int | None:
        """The year of :attr:`as_of`, as the site shows it ("정보 기준 2021년")."""
        dates = [s.as_of if isinstance(s.as_of, int) else s.as_of.year
                 for s in self.sources if isinstance(s, Source) and s.as_of is not None]  # fmt: skip
        return max(dates) if dates else None


class Directory(Struct, forbid_unknown_fields=True):
    """The top level of data/resources.yaml."""

    resources: list[Resource]


class Region(Struct, forbid_unknown_fields=True, kw_only=True):
    """A first-level division of Korea (or ``KR`` itself for nationwide)."""

    code: RegionCode
    name: Text
    area_code: Annotated[str, Meta(pattern=r"^0[0-9]{1,2}$")] | None = None
    aliases: list[NonEmpty] = []


class TaxonomyTerm(Struct, forbid_unknown_fields=True, kw_only=True):
    key: Key
    label: Text
    aliases: list[NonEmpty] = []


class Taxonomy(Struct, forbid_unknown_fields=True, kw_only=True):
    kinds: list[TaxonomyTerm]
    topics: list[TaxonomyTerm]
    platforms: list[TaxonomyTerm] = []
    audiences: list[TaxonomyTerm] = []


class SynonymGroup(Struct, forbid_unknown_fields=True, kw_only=True):
    """Words that mean the same thing to a searcher, in either language."""

    terms: Annotated[list[NonEmpty], Meta(min_length=2)]


# --------------------------------------------------------------------------------------------
# Search contract: what the engines take and give back.

#: The one set of limits on a search, whichever way it comes in (the API, a page, `haven search`):
#: service/query.py's ``build_query`` applies them and the API's OpenAPI document states them.
#: The longest ``q`` searched: the search box's own ``maxlength`` (service/templates). A query's
#: cost grows with its length, so this bounds what one request can cost; the API and the command
#: refuse a longer one, a page searches its first MAX_Q characters.
MAX_Q = 200
#: Results in one answer.
MAX_LIMIT = 100
#: How far a search may page (``offset``).
MAX_OFFSET = 10_000
#: Values of one filter that are used (``kind=a&kind=b`` …); past this they are dropped.
MAX_VALUES = 20


class Query(Struct, kw_only=True, forbid_unknown_fields=True):
    """A search as the user asked it. Empty ``q`` with filters lists matching resources."""

    q: Annotated[str, Meta(max_length=MAX_Q)] = ""
    region: RegionCode | None = None
    kind: list[Key] = []
    topic: list[Key] = []
    audience: list[str] = []
    language: list[str] = []
    cost: list[str] = []
    channel: list[Literal["phone", "sms", "website", "form", "chat", "kakaotalk", "email", "app"]] = []
    open_now: bool = False
    #: A need of data/needs.yaml chosen by a button (minor, police …): the results are ranked as
    #: if its words had been typed. An unknown key is ignored.
    need: Key | None = None
    lang: Literal["ko", "en"] = "ko"
    limit: Annotated[int, Meta(ge=1, le=MAX_LIMIT)] = 20
    offset: Annotated[int, Meta(ge=0, le=MAX_OFFSET)] = 0


class OpenState(Struct, kw_only=True, omit_defaults=True):
    """Open-now, computed at query time in Asia/Seoul."""

    known: bool
    open: bool = False
    always: bool = False
    closes_at: str | None = None
    opens_at: str | None = None


class Hit(Struct, kw_only=True):
    resource: Resource
    score: float
    matched: list[str]
    open_now: OpenState
    #: Why this result is here, in a few words ("24시간 · 삭제 지원", "부산 · 법률 지원").
    why: Text | None = None


class Facets(Struct, kw_only=True):
    kind: dict[str, int] = {}
    topic: dict[str, int] = {}
    audience: dict[str, int] = {}
    language: dict[str, int] = {}
    cost: dict[str, int] = {}
    channel: dict[str, int] = {}
    region: dict[str, int] = {}


class Locality(Struct, kw_only=True):
    """The 시·군·구 a query named, and what the results have there."""

    district: str
    region: str
    #: How many of the results are in that 시·군·구.
    in_district: int
    #: When none is, the nearest service of the kind asked for, and its 시·군·구.
    nearest_id: str | None = None
    nearest_district: str | None = None


class Results(Struct, kw_only=True):
    query: str
    total: int
    #: False when ``total`` is an estimate: a broad query on a very large catalog is not counted
    #: match by match (the results are still the best candidates).
    total_exact: bool = True
    results: list[Hit]
    facets: Facets
    region: str | None = None
    #: How the query was loosened: ``"any"`` (not every word could be matched), ``"general"`` (no
    #: word matched: these are lines that help with anything), or the corrections made
    #: (``"텔래그램 → 텔레그램"``).
    relaxed: str | None = None
    #: Why nothing could be searched (empty after analysis, …).
    reason: str | None = None
    engine: str = "sqlite"
    #: What the query was understood as: the place and its region, the other regions a place name
    #: may mean, corrections (keyboard, typo), the terms searched for and the needs found.
    understood: dict[str, object] | None = None
    #: The rung of the danger ladder (data/needs.yaml) the query reached: "immediate" (112),
    #: "medical" (119) or "suicide" (109); None when the query shows no danger.
    danger: Literal["immediate", "medical", "suicide"] | None = None
    #: Set when the query (or the region filter) named a 시·군·구.
    locality: Locality | None = None
