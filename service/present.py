"""How a page shows things: result cards, open-now and hours wording, phone links, and the frame
every page template gets (language, links that keep it, the crisis strip's settings).

:class:`Presenter` formats data for one page in one language; templates call it as ``p``. The
routes live in :mod:`service.pages` (search, resources, embed) and :mod:`service.cards` (printed
cards, region pages); both render through :func:`page_template`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

from litestar import MediaType, Request
from litestar.response import Template

from search.engine import Engine
from search.hours import SEOUL
from search.model import Hit, Hours, OpenState, Phone, Resource, Results
from service.channels import CHANNEL_LINKS, MAX_CHANNELS, SILENT_WORDS, STRIP_NUMBERS, Channel, Ways, tel_href
from service.i18n import Lang, format_date, labels, language_name, negotiate, strings
from service.live import live_of
from service.referral import FALLBACK_ID, Format
from service.share import public_base, referral_text, sms_href
from service.wording import cost_line, hours_line, open_badge, weekly_rows

__all__ = (
    "CHANNEL_LINKS",
    "Call",
    "Channel",
    "Presenter",
    "ResultCard",
    "first_sentence",
    "page_context",
    "page_template",
    "query_url",
    "request_lang",
    "self_path",
    "with_base",
)


def request_lang(request: Request) -> Lang:
    """The page's language: ``?lang=``, else the browser's ``Accept-Language``, else Korean."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def query_url(path: str, params: dict[str, Any] | None = None, **more: Any) -> str:
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
class ResultCard:
    """One card in a results list, every text in the page's language (see :meth:`Presenter.card`).

    Not a printed card: those are :mod:`service.cards`. The victim's view shows the name, one
    line, the buttons, open now and at most one trust line; the counsellor's adds the rest."""

    id: str
    name: str
    href: str
    #: What it does for her, in one sentence.
    line: str
    badge: tuple[str, str] | None
    channels: list[Channel]
    #: A web page to open when there is no other way to reach it.
    link: tuple[str, str] | None
    #: One short neutral line about where the number comes from, for entries not confirmed by
    #: the organisation ("번호 확인: 2023년 자료"), else None.
    trust: str | None
    #: The languages it answers in, when the page's language is not among them ("Korean only").
    languages: str | None
    # The counsellor's view only:
    meta: str
    summary: str
    flag: str | None
    caveat: str | None
    share_sms: str
    share_url: str
    #: Why it is here, in a few words ("24시간 · 삭제 지원"), when the search says.
    why: str | None = None
    #: When its only number is on the page already (a crisis strip's or an earlier card's), where.
    reach: str | None = None


_FIRST_SENTENCE = re.compile(r"^(.+?(?:[.!?](?=\s)|요\.|다\.))\s")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (all of it when it is one sentence)."""
    m = _FIRST_SENTENCE.match(text.strip() + " ")
    return m.group(1).strip() if m else text.strip()


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
        return query_url(path, {**(params or {}), **more, "lang": self.lang})

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
        # data/taxonomy.yaml's label: the HSDS feed's too (one table).
        return self._terms.get("audience", {}).get(key, key)

    def language(self, code: str) -> str:
        return language_name(code, self.lang)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def tel(self, number: str, kind: str = "voice") -> str:
        return tel_href(number, kind)

    def open_now(self, state: OpenState) -> tuple[str, str]:
        """``(css class, text)`` for an open-now badge (the wording is service/wording.py's)."""
        return open_badge(state, self.lang, self.now)

    def hours_line(self, hours: Hours | None) -> str | None:
        """The hours in the one wording of :mod:`search.wording` (None when not given)."""
        return hours_line(hours, self.lang)

    def cost_line(self, cost: str) -> str | None:
        return cost_line(cost, self.lang)

    def hours(self, hours: Hours) -> list[tuple[str, str]]:
        """Weekly spans as ``(days, times)`` rows, e.g. ``("월–금", "09:00–18:00")``."""
        return weekly_rows(hours, self.lang)

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
            return base + query_url(f"/resources/{r.id}", lang="en" if self.lang == "en" else None)

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

    def channels(self, r: Resource, *, skip: frozenset[str] | set[str] = frozenset(), silent_first: bool = False,
                 closed: bool = False, limit: int | None = MAX_CHANNELS,
                 state: OpenState | None = None) -> list[Channel]:  # fmt: skip
        """Every way to reach ``r`` as buttons, in the order that suits her now (service/channels.py)."""
        ways = Ways(self.lang, self.labels["channel"], self.now, silent_first, closed, state)
        return ways.of(r, skip)[:limit]

    channel_links = CHANNEL_LINKS

    def languages_line(self, r: Resource, counsellor: bool = False) -> str | None:
        """``Korean only``, ``English via interpreter``, ``Answers in …`` when the page's language
        is not one its people speak; a counsellor also sees the languages it interprets into."""
        if r.kind == "guide":
            return None  # a guide is the site's own page, in both languages
        t, interpreted = strings(self.lang), r.interpreted
        direct = [c for c in r.languages if c not in interpreted]
        via = t["via_interpreter"].format(langs=self._names(interpreted)) if interpreted else None
        if self.lang in direct:
            return via if counsellor else None
        if self.lang in interpreted and not counsellor:
            return t["via_interpreter"].format(langs=self.language(self.lang))
        head = t["korean_only"] if direct == ["ko"] else t["answers_in"].format(langs=self._names(direct))
        return f"{head} · {via}" if via else head

    def languages_fact(self, r: Resource) -> str:
        """Every language it answers in, those through an interpreter said so (a resource page)."""
        direct = [c for c in r.languages if c not in r.interpreted]
        via = strings(self.lang)["via_interpreter"].format(langs=self._names(r.interpreted))
        return " · ".join([self._names(direct), *([via] if r.interpreted else [])])

    def _names(self, codes: list[str]) -> str:
        return ", ".join(self.language(c) for c in codes)

    def trust_line(self, r: Resource) -> str | None:
        """One short neutral line on where an entry's number comes from, where it matters: a
        local number (not a national short code such as 109 or 1366) taken from a dated or
        unconfirmed source, ``번호 확인: 2023년 자료``. None otherwise (official and secondary
        entries, the site's own guides, well-known short codes)."""
        if r.confidence not in ("dated", "unconfirmed") or r.kind == "guide" or r.as_of_year is None:
            return None
        if r.phones:
            digits = sum(c.isdigit() for c in r.phones[0].number)
            if digits <= 4 or r.phones[0].number.startswith(("15", "16", "18")):
                return None  # 112, 1366, 1588-xxxx: national numbers that do not drift
            return strings(self.lang)["trust_number"].format(year=r.as_of_year)
        return strings(self.lang)["trust_info"].format(year=r.as_of_year)

    def cards(self, results: Results, *, counsellor: bool = False, needs: list[str] | None = None,
              q: str = "") -> list[ResultCard]:  # fmt: skip
        """The cards of a results page, in order. A number is shown once: not again in a later
        card, and the crisis strip's (112, 1366) only on the card of the line it names."""
        low = q.lower()
        silent = any(w in low for w in SILENT_WORDS)
        seen: set[str] = set()
        out = []
        for hit in results.results:
            name = hit.resource.name.get(self.lang)
            skip = seen | {n for n in STRIP_NUMBERS if n not in name}
            card = self.card(hit, skip=skip, silent_first=silent, counsellor=counsellor)
            seen.update(c.target for c in card.channels if c.kind in ("voice", "sms"))
            if not card.channels and not card.link and hit.resource.phones:  # its number is shown above
                card.reach = strings(self.lang)["reach_above"].format(number=hit.resource.phones[0].number)
            out.append(card)
        return out

    def card(self, hit: Hit, back: str = "", *, skip: frozenset[str] | set[str] = frozenset(),
             silent_first: bool = False, counsellor: bool = False) -> ResultCard:  # fmt: skip
        """Everything one result card shows, worked out here rather than in the template.

        A results page has ten cards, and in Jinja each call or lookup costs several times what
        the same step costs in Python: building the card here cut the cards' rendering by a fifth
        (BENCHMARKS.md). ``back`` is ignored (kept for callers of the old signature): a result's
        link never carries the search.
        """
        r, lang = hit.resource, self.lang
        name = r.name.get(lang)
        state = hit.open_now
        channels = self.channels(r, skip=skip, silent_first=silent_first, state=state)
        link = None
        if not channels and (urls := [x for x in r.links if x.url]):
            main = next((x for x in urls if x.type not in ("email", "guide")), urls[0])
            link = (main.href, self.link_label(main))
        summary = r.summary.get(lang)
        return ResultCard(
            id=r.id,
            name=name,
            href=self.url("/resources/" + r.id, view="counsellor" if counsellor else None),
            line=first_sentence(summary),
            badge=self.open_now(state) if state.known else None,
            channels=channels,
            link=link,
            trust=self.trust_line(r),
            languages=self.languages_line(r, counsellor),
            meta=f"{self.kind(r.kind)} · {self.regions(r.regions)}",
            summary=summary,
            flag=None if r.confidence == "official" else self.labels["confidence_short"][r.confidence],
            caveat=r.caveat.get(lang) if r.caveat else None,
            share_sms=self.share_sms(r) if counsellor else "",
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


def page_context(request: Request, lang: Lang, **extra: Any) -> dict[str, Any]:
    state = request.app.state
    other: Lang = "en" if lang == "ko" else "ko"
    return {
        "lang": lang,
        "other_lang": other,
        "t": strings(lang),
        # The index this request reads (service/live.py): the one its handler searched.
        "p": with_base(extra.pop("p", None) or Presenter(lang, live_of(request).engine), request),
        "switch_url": _switch_url(request, other),
        "exit_url": state.settings.exit_url,
        "assets": state.assets,
        **extra,
    }


def with_base(p: Presenter, request: Request) -> Presenter:
    p.base = p.base or public_base(request)
    return p


def page_template(
    name: str, request: Request, lang: Lang, status_code: int = 200, headers: dict[str, str] | None = None,
    **extra: Any,
) -> Template:  # fmt: skip
    return Template(
        template_name=name,
        context=page_context(request, lang, **extra),
        status_code=status_code,
        headers={"Vary": "Accept-Language", "Content-Language": lang, **(headers or {})},
        media_type=MediaType.HTML,
    )
