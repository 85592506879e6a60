"""Haven → Open Referral HSDS 3.1: compiled services (JSON) and the tabular data package (CSV).

One mapping, two shapes. :func:`resource_rows` turns one resource into HSDS rows (service,
location, phones, schedules …); the tabular package writes those rows as one CSV per object, and
:func:`compile_service` nests the same rows into a compiled service, so the two can never
disagree. The field mapping follows research/anchors_directory.md §(d):

- every resource is a ``service``, delivered at one ``location``: ``physical`` when the entry
  has an address (kept as the location's description: HSDS ``address`` rows need a city and a
  postal code we do not hold), otherwise ``virtual`` with the main link as its URL;
- ``organization`` is the entry's ``organization`` text, shared by every entry that names it, or
  the service itself when none is named;
- phones, opening hours (``schedule``, RRULE fields, ``timezone`` 9), regions (``service_area``
  with the ISO 3166-2 code), languages, extra links (``url``) and a zero-cost ``cost_option`` for
  free services hang off the service; kinds, topics, audiences and platforms are taxonomy terms
  linked by ``attribute`` rows.

HSDS has no translated text, so the feed is written in one language (``lang``) and carries
documented extra properties (HSDS allows them): ``translations`` ({"ko": {…}, "en": {…}}) on
services and organizations, ``haven_id``, ``confidence`` and ``sources`` on services, and
``timezone_name`` ("Asia/Seoul") on schedules. Ids are UUIDs derived with uuid5 from
:data:`NAMESPACE` and our own ids, so they stay the same from one export to the next.

Everything here is a pure function of a :class:`Feed`, built from a Catalog (the CLI) or from an
engine (the web routes), so ``haven export`` and ``/hsds/…`` serve the same data.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from search.catalog import Catalog
from search.engine import Engine
from search.links import main_web_link
from search.model import Region, Resource, TaxonomyTerm, Text
from search.wording import cost_label, hours_line

__all__ = (
    "HSDS_VERSION",
    "NAMESPACE",
    "TABLES",
    "ExportError",
    "Feed",
    "resource_rows",
    "service_id",
    "tables",
    "uid",
)

Lang = Literal["ko", "en"]
Row = dict[str, Any]

HSDS_VERSION = "3.1"
#: The project's uuid5 namespace. Fixed for ever: changing it changes every published id.
NAMESPACE = uuid.UUID("8b271614-0b77-4379-9a10-3c0ab4ce5128")

#: HSDS object → (CSV file, its columns in HSDS order, then our documented extras). The files
#: and columns are those of the HSDS 3.1 schemas (tests check them against the schemas).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": ("organizations.csv", (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
        "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id", "translations")),
    "service": ("services.csv", (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
        "status", "interpretation_services", "application_process", "fees_description", "wait_time",
        "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
        "assured_date", "assurer_email", "licenses", "alert", "last_modified",
        "haven_id", "confidence", "sources", "translations")),
    "attribute": ("attributes.csv", (
        "id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label")),
    "service_at_location": ("service_at_location.csv", ("id", "service_id", "location_id", "description")),
    "location": ("locations.csv", (
        "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
        "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type")),
    "phone": ("phones.csv", (
        "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
        "number", "extension", "type", "description")),
    "schedule": ("schedules.csv", (
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
        "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday",
        "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes",
        "timezone_name")),
    "service_area": ("service_areas.csv", (
        "id", "service_id", "service_at_location_id", "name", "description", "extent", "extent_type", "uri")),
    "language": ("languages.csv", ("id", "service_id", "location_id", "phone_id", "name", "code", "note")),
    "taxonomy_term": ("taxonomy_terms.csv", (
        "id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri")),
    "cost_option": ("cost_options.csv", (
        "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description")),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version")),
    "url": ("url.csv", ("id", "label", "url", "organization_id", "service_id")),
}  # fmt: skip

_ICAL_DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
#: Our taxonomy groups as HSDS taxonomies: (name ko, name en).
_TAXONOMIES = {
    "kind": ("종류", "Kind of service"),
    "topic": ("도움 분야", "Help with"),
    "audience": ("이용 대상", "Who it is for"),
    "platform": ("플랫폼", "Platform"),
}
_HOLIDAYS = {
    "closed": ("공휴일은 쉬어요.", "Closed on public holidays."),
    "open": ("공휴일에도 열어요.", "Open on public holidays."),
    "unknown": ("공휴일 운영 여부는 확인되지 않았어요.", "Not confirmed whether open on public holidays."),
}
_ORG_SERVICES = ("Haven에 실린 서비스: ", "Services listed in Haven: ")


class ExportError(Exception):
    """The export could not be written (nothing in the target folder was replaced)."""


# Both languages' views, and every export, name the same objects: each UUID is worked out once
# (from the data, never from a request). Bounded, so an index swapped in by a reload cannot grow it.
@functools.lru_cache(maxsize=1 << 16)
def uid(*parts: str) -> str:
    """A stable UUID for one HSDS object, e.g. ``uid("phone", "women-1366", "1366")``."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def service_id(resource_id: str) -> str:
    """The HSDS service id of a Haven resource."""
    return uid("service", resource_id)


@dataclass
class Feed:
    """What an HSDS feed is made of: the resources and the vocabularies that label them."""

    resources: Sequence[Resource]
    regions: Sequence[Region]
    #: Taxonomy terms by group: ``kind``, ``topic``, ``audience``, ``platform``.
    terms: Mapping[str, Sequence[TaxonomyTerm]]
    #: The language of the HSDS fields; the other one is in ``translations``.
    lang: Lang = "ko"
    #: Names languages (``("vi", "en")`` → ``"Vietnamese"``); without it languages carry codes only.
    language_name: Callable[[str, str], str] | None = None
    _by_key: dict[str, Resource] = field(init=False, repr=False)
    _orgs: dict[str, tuple[Text, list[Resource]]] = field(init=False, repr=False)
    _regions: dict[str, Region] = field(init=False, repr=False)
    _labels: dict[tuple[str, str], Text] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {}
        self._orgs = {}
        for r in self.resources:
            self._by_key[r.id] = self._by_key[service_id(r.id)] = r
            if r.organization:
                # Entries that name the same organization share one HSDS organization.
                self._orgs.setdefault(r.organization.ko.strip(), (r.organization, []))[1].append(r)
        self._regions = {g.code: g for g in self.regions}
        self._labels = {(group, t.key): t.label for group, ts in self.terms.items() for t in ts}

    @classmethod
    def from_catalog(cls, catalog: Catalog, lang: Lang = "ko", **kw: Any) -> Feed:
        t = catalog.taxonomy
        terms = {"kind": t.kinds, "topic": t.topics, "audience": t.audiences, "platform": t.platforms}
        return cls(catalog.resources, catalog.regions, terms, lang, **kw)

    @classmethod
    def from_engine(cls, engine: Engine, lang: Lang = "ko", **kw: Any) -> Feed:
        return cls(engine.resources(), engine.regions(), engine.taxonomy(), lang, **kw)

    def get(self, key: str) -> Resource | None:
        """A resource by its Haven id or its HSDS service id."""
        return self._by_key.get(key)

    def text(self, value: Text | None) -> str | None:
        return value.get(self.lang) if value else None

    def pick(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.lang == "en" else pair[0]

    @functools.cached_property
    def taxonomy_rows(self) -> dict[str, list[Row]]:
        """The taxonomy and taxonomy_term rows (the same for every service)."""
        return _taxonomy_rows(self)


# -- rows -------------------------------------------------------------------------------------


def _org_row(feed: Feed, r: Resource) -> Row:
    other: Lang = "ko" if feed.lang == "en" else "en"
    if r.organization is None:
        # No separate organization is named: the service is its own provider.
        return {
            "id": uid("organization", "resource", r.id),
            "name": r.name.get(feed.lang),
            "alternate_name": r.name.get(other),
            "description": r.summary.get(feed.lang),
            "website": main_web_link(r),
            "translations": {
                lang: {"name": r.name.get(lang), "description": r.summary.get(lang)} for lang in ("ko", "en")
            },
        }
    name, members = feed._orgs[r.organization.ko.strip()]

    def listed(lang: Lang) -> str:
        pair = _ORG_SERVICES
        return (pair[1] if lang == "en" else pair[0]) + ", ".join(m.name.get(lang) for m in members)

    return {
        "id": uid("organization", "name", r.organization.ko.strip()),
        "name": name.get(feed.lang),
        "alternate_name": name.get(other),
        "description": listed(feed.lang),
        "translations": {
            lang: {"name": name.get(lang), "description": listed(lang)} for lang in ("ko", "en")
        },
    }


def _clock(value: str) -> str:
    # HSDS times carry their UTC offset; 24:00 is not a clock time, 23:59 is HSDS's convention.
    return ("23:59" if value == "24:00" else value) + "+09:00"


def _schedules(feed: Feed, r: Resource, sid: str) -> list[Row]:
    hours = r.hours
    if hours is None:
        return []
    # The one wording of the site, the cards and the referrals (search.wording) describes each row.
    described = hours_line(hours, feed.lang) or feed.pick(_HOLIDAYS[hours.holidays])
    base = {
        "service_id": sid,
        "timezone": 9,
        "timezone_name": "Asia/Seoul",
        "freq": "WEEKLY",
        "wkst": "MO",
        "notes": feed.text(hours.note),
    }
    if hours.always:
        return [
            {
                "id": uid("schedule", r.id, "always"),
                **base,
                "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": _clock("00:00"),
                "closes_at": _clock("23:59"),
                "description": described,
            }
        ]
    return [
        {
            "id": uid("schedule", r.id, str(i)),
            **base,
            "byday": ",".join(_ICAL_DAYS[d] for d in span.days),
            "opens_at": _clock(span.open),
            "closes_at": _clock(span.close),
            "description": described,
        }
        for i, span in enumerate(hours.weekly)
    ]


def _attributes(feed: Feed, r: Resource, sid: str) -> list[Row]:
    keys = [("kind", r.kind), *(("topic", t) for t in r.topics), *(("audience", a) for a in r.audiences)]
    if r.platform:
        keys.append(("platform", r.platform))
    return [
        {
            "id": uid("attribute", r.id, group, key),
            "link_id": sid,
            "taxonomy_term_id": uid("taxonomy_term", group, key),
            "link_type": group,
            "link_entity": "service",
            "label": feed.text(feed._labels.get((group, key))) or key,
        }
        for group, key in keys
    ]


def _service_row(feed: Feed, r: Resource, org: Row, main: str | None) -> Row:
    """The ``service`` row, with our documented extras (translations, haven_id, confidence, sources)."""
    email = next((link.href[7:] for link in r.links if link.href.startswith("mailto:")), None)
    audiences = [feed.text(feed._labels.get(("audience", a))) or a for a in r.audiences]
    translations = {
        lang: {
            k: v.get(lang)
            for k, v in (
                ("name", r.name),
                ("description", r.summary),
                ("application_process", r.how_to),
                ("alert", r.caveat),
            )
            if v
        }
        for lang in ("ko", "en")
    }
    return {
        "id": service_id(r.id),
        "organization_id": org["id"],
        "name": r.name.get(feed.lang),
        "alternate_name": r.name.get("ko" if feed.lang == "en" else "en"),
        "description": r.summary.get(feed.lang),
        "url": main,
        "email": email,
        # Haven lists only services it believes to be running; doubts go in `alert`.
        "status": "active",
        "application_process": feed.text(r.how_to),
        "interpretation_services": ", ".join(r.interpreted) or None,  # language codes, as `language`
        "fees_description": cost_label(r.cost, feed.lang),  # the site's label (search/wording.py)
        "eligibility_description": ", ".join(x for x in audiences if x),
        "assured_date": r.checked.isoformat(),
        "alert": feed.text(r.caveat),
        "haven_id": r.id,
        "confidence": r.confidence,
        "sources": r.source_urls,
        "translations": translations,
    }


def _location_row(feed: Feed, r: Resource, org: Row, main: str | None) -> Row:
    """Where the service is delivered: its address, or its main link for a service online."""
    return {
        "id": uid("location", r.id),
        "location_type": "physical" if r.address else "virtual",
        "url": None if r.address else main,
        "organization_id": org["id"],
        "name": r.name.get(feed.lang),
        "description": feed.text(r.address),
        "latitude": r.geo.lat if r.geo else None,
        "longitude": r.geo.lng if r.geo else None,
    }


def resource_rows(feed: Feed, r: Resource) -> dict[str, list[Row]]:
    """The HSDS rows of one resource, by HSDS object (organization included, taxonomies not)."""
    sid, lid = service_id(r.id), uid("location", r.id)
    org = _org_row(feed, r)
    main = main_web_link(r)
    service = _service_row(feed, r, org, main)
    location = _location_row(feed, r, org, main)
    extra_links = [link for link in r.links if link.href.startswith("https://") and link.url != main]
    numbers = [p.number for p in r.phones]
    return {
        "organization": [org],
        "service": [service],
        "service_at_location": [
            {"id": uid("service_at_location", r.id), "service_id": sid, "location_id": lid}
        ],
        "location": [location],
        "phone": [
            {
                # A number listed again for texts (1388) adds its type: ids stay those of before.
                "id": uid("phone", r.id, p.number, *([p.type] if numbers.index(p.number) < i else [])),
                "service_id": sid,
                "number": p.number,
                "type": "text" if p.type == "sms" else "voice",
                "description": feed.text(p.label),
            }
            for i, p in enumerate(r.phones)
        ],
        "schedule": _schedules(feed, r, sid),
        "service_area": [
            {
                "id": uid("service_area", r.id, code),
                "service_id": sid,
                "name": feed.text(feed._regions[code].name) if code in feed._regions else code,
                "extent": code,
                "extent_type": "text",
                "uri": f"https://www.iso.org/obp/ui/#iso:code:3166:{code}",
            }
            for code in r.regions
        ],
        "language": [
            {
                "id": uid("language", r.id, code),
                "service_id": sid,
                "code": code,
                "name": feed.language_name(code, feed.lang) if feed.language_name else None,
                "note": feed.pick(("통역으로", "through an interpreter")) if code in r.interpreted else None,
            }
            for code in r.languages
        ],
        "url": [
            {
                "id": uid("url", r.id, link.href),
                "service_id": sid,
                "url": link.href,
                "label": feed.text(link.label) or link.type,
            }
            for link in extra_links
        ],
        "cost_option": (
            [
                {
                    "id": uid("cost_option", r.id),
                    "service_id": sid,
                    "option": cost_label("free", feed.lang),
                    "amount": 0,
                    "currency": "KRW",
                }
            ]
            if r.cost == "free"
            else []
        ),
        "attribute": _attributes(feed, r, sid),
    }


def _taxonomy_rows(feed: Feed) -> dict[str, list[Row]]:
    taxonomies, terms = [], []
    for group, names in _TAXONOMIES.items():
        tid = uid("taxonomy", group)
        taxonomies.append(
            {"id": tid, "name": feed.pick(names), "description": f"{names[0]} / {names[1]} (Haven)"}
        )
        for t in feed.terms.get(group, ()):
            terms.append(
                {
                    "id": uid("taxonomy_term", group, t.key),
                    "code": t.key,
                    "name": t.label.get(feed.lang),
                    "description": f"{t.label.ko} / {t.label.en}",
                    "taxonomy": f"Haven {group}",
                    "language": feed.lang,
                    "taxonomy_id": tid,
                }
            )
    return {"taxonomy": taxonomies, "taxonomy_term": terms}


def tables(feed: Feed, progress: Callable[[int], None] | None = None) -> dict[str, list[Row]]:
    """Every HSDS row of the feed, by HSDS object, each object's rows once."""
    out: dict[str, list[Row]] = {name: [] for name in TABLES}
    seen_orgs: set[str] = set()
    for r in feed.resources:
        for name, rows in resource_rows(feed, r).items():
            if name == "organization":
                rows = [o for o in rows if o["id"] not in seen_orgs]
                seen_orgs.update(o["id"] for o in rows)
            out[name].extend(rows)
        if progress:
            progress(1)
    out.update(feed.taxonomy_rows)
    return out
