"""What a query asks for, and the order that serves a frightened person best.

The words, kinds and first lines of each need live in data/needs.yaml (through the index); this
module only applies them. Ranking goes by bands, and word coverage orders results only within a
band:

0. the lines of the danger ladder the query reached (112, 119, 109 …), then lines that speak
   the query's language (when it is not Korean or English), then the service named, or whose
   number was typed;
1. when the person named a place (or set the region), callable services of the matching kind
   there, nearest first (search/nearby.py): her 시·군·구, then by distance, then the region's;
2. the callable human lines that serve the query's needs (the first two of data's ``first``),
   and the named platform's own route;
3. services the need lists next (``also``);
4. the region's other services;
5. nationwide services of the matching kind (the other ``first`` lines before them);
6. everything else;
7. last: a platform's form when the query names no platform, a service abroad the query did not
   ask for, and regional services when no region is known.

Every ranking rule of the search is here or in search/scoring.py, which applies these bands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from search.analyze import normalize
from search.keyboard import as_hangul
from search.kinds import KindTable
from search.language import OTHER_SCRIPT, other_language
from search.model import Text
from search.nearby import REGION_WIDE_KM, Nearby, town_service

__all__ = ("Bands", "NeedRules", "Needs", "Rung", "detect", "other_language")

_AGE = re.compile(
    r"(?<![0-9])(1[0-7]|[7-9])\s*(?:살|세|yo\b|years? old|y/o)|\bi'?m\s*(1[0-7])\b|만\s*(1[0-7])\s*세"
)


_ENDING = re.compile(r"(?:ing|ed|es|s)$")
_HANGUL = re.compile(r"[가-힣ㄱ-ㅣ]")
_SPACES = re.compile(r"\s+")


def _compact(text: str) -> str:
    return _SPACES.sub("", normalize(text))


class Need(msgspec.Struct, forbid_unknown_fields=True):
    words: list[str]
    kinds: list[str] = []
    topics: list[str] = []
    first: list[str] = []
    also: list[str] = []
    #: Needs this one rules out when both are found (a teacher's 학생이 is not the victim's age).
    rules_out: list[str] = []
    #: Goes with every other need (상담, help): its kinds count only when no other need is found.
    generic: bool = False
    #: Saying it says the person is being harmed (a threat, a leak, her age): the query is a
    #: victim's, and a callable human line answers in its first two results.
    victim: bool = False
    #: Words that turn the need's word around (학교에 알리기 싫어: she does not want the school told);
    #: looked for as the danger ladder's are, in the text with its spaces taken out.
    unless: list[str] = []
    #: The need taken in its place when an ``unless`` word turns it around (she is still at school).
    instead: str | None = None
    reason: Text | None = None


class Rung(msgspec.Struct, forbid_unknown_fields=True):
    """One rung of the danger ladder: the words that reach it and the lines that answer first."""

    key: Literal["immediate", "medical", "suicide"]
    words: list[str]
    first: list[str]
    unless: list[str] = []
    reason: Text | None = None


class NeedRules(msgspec.Struct, forbid_unknown_fields=True):
    """data/needs.yaml, as the index keeps it."""

    needs: dict[str, Need] = {}
    danger: list[Rung] = []
    victim: list[str] = []
    abroad: list[str] = []
    abroad_words: list[str] = []
    abroad_reason: Text | None = None
    adult_only: list[str] = []
    #: Ids the rules name before the directory has them (the data is adding them); until then
    #: search skips them like any id it cannot find.
    pending: list[str] = []

    def normalized(self) -> NeedRules:
        """The rules with every word normalised as queries are (done once, not per search)."""

        def norm(words: list[str]) -> list[str]:
            return [normalize(w) for w in words]

        def compact(words: list[str]) -> list[str]:
            # Hangul is looked for in the query with its spaces taken out: 죽고 싶어 → 죽고싶어.
            return [_compact(w) if _HANGUL.search(w) else normalize(w) for w in words]

        return NeedRules(
            needs={
                k: msgspec.structs.replace(n, words=norm(n.words), unless=[_compact(u) for u in n.unless])
                for k, n in self.needs.items()
            },
            danger=[
                msgspec.structs.replace(r, words=compact(r.words), unless=compact(r.unless))
                for r in self.danger
            ],  # fmt: skip
            victim=norm(self.victim),
            abroad=self.abroad,
            abroad_words=norm(self.abroad_words),
            abroad_reason=self.abroad_reason,
            adult_only=self.adult_only,
            pending=self.pending,
        )

    def ids(self) -> Iterable[str]:
        """Every resource id the rules name (for the data checks)."""
        for need in self.needs.values():
            yield from need.first
            yield from need.also
        for rung in self.danger:
            yield from rung.first
        yield from self.abroad
        yield from self.adult_only


@dataclass
class Needs:
    """The needs one query expresses."""

    found: list[str] = field(default_factory=list)  # in data order
    #: The rungs of the danger ladder reached, most urgent first.
    danger: list[Rung] = field(default_factory=list)
    #: The language the query is written in, when it is neither Korean nor unknown (search/language.py).
    language: str | None = None
    victim: bool = False
    minor: bool = False
    abroad_asked: bool = False
    platforms: set[str] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(self.found) or self.victim or bool(self.danger)

    @property
    def rung(self) -> Literal["immediate", "medical", "suicide"] | None:
        """The most urgent rung reached (None: no danger shown)."""
        return self.danger[0].key if self.danger else None


@functools.lru_cache(maxsize=64)
def _patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A rung's words as three patterns, compiled once: Hangul of three syllables or more anywhere
    in the text run together, Hangul of two at the start of a word, Latin at the start of a word
    (a number only whole: 119, not 1190)."""
    never = "(?!)"
    long = [re.escape(w) for w in words if _HANGUL.search(w) and len(w) >= 3]
    short = [re.escape(w) for w in words if _HANGUL.search(w) and len(w) < 3]
    latin = [re.escape(w) + (r"(?![0-9])" if w.isdigit() else "") for w in words if not _HANGUL.search(w)]
    return (
        re.compile("|".join(long) or never),
        re.compile(r"(?<!\S)(?:" + ("|".join(short) or never) + ")"),
        re.compile(r"(?<![a-z0-9])(?:" + ("|".join(latin) or never) + ")"),
    )


def danger_of(rules: NeedRules, text: str) -> list[Rung]:
    """The rungs of the danger ladder ``text`` (normalised) reaches, in the ladder's order.

    A word of two syllables counts only at the start of a word (유서 is not in 스쿨위드유 서울, 자해
    not in 피해자 해바라기); longer ones anywhere in the text run together (그냥죽고싶다)."""
    # Latin typed with the keyboard in the wrong mode is read as the Hangul it types as well.
    slips = [h for tok in text.split() if tok.isascii() and tok.isalpha() and (h := as_hangul(tok))]
    spaced = " ".join([text, *slips])
    hangul = _compact(spaced)
    found = []
    for rung in rules.danger:
        if any(u in hangul for u in rung.unless):
            continue
        long, short, latin = _patterns(tuple(rung.words))
        if long.search(hangul) or short.search(spaced) or latin.search(text):
            found.append(rung)
    return found


@functools.lru_cache(maxsize=512)
def _classes(words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    # A rule's words (data, never a query's): a set, its phrases padded, those in a script the
    # analyser does not cut into words (Cyrillic, Thai …: looked for in the text itself).
    phrases = tuple(f" {w} " for w in words if " " in w)
    return frozenset(words), phrases, tuple(w for w in words if OTHER_SCRIPT.search(w) is not None)


def _has(words: Iterable[str], forms: set[str], text: str) -> bool:
    """Whether one of the (normalised) ``words`` is a form of the query, or a phrase in its text."""
    plain, phrases, other = _classes(tuple(words))
    return not forms.isdisjoint(plain) or any(p in text for p in phrases) or any(w in text for w in other)


def detect(
    rules: NeedRules,
    text: str,
    forms: Iterable[str],
    platforms: dict[str, list[str]],
    *,
    asked: str | None = None,
    language: str | None = None,
) -> Needs:
    """The needs of a query: ``rules`` as :meth:`NeedRules.normalized` gives them, ``text`` the
    query's normalised text, ``forms`` every form of its terms (surfaces, lemmas, synonyms),
    ``platforms`` each platform key's normalised aliases, ``asked`` a need chosen by a button
    (it counts as if its words were typed) and ``language`` the query's language when it is not
    Korean (search/language.py)."""
    forms = {normalize(f) for f in forms}
    # English words by their stem as well: blackmailed, threatening, photos.
    forms |= {_ENDING.sub("", f) for f in forms if f.isascii() and len(f) > 5}
    padded = f" {text} "
    hangul = _compact(text)
    out = Needs()
    for key, need in rules.needs.items():
        if key == asked or (_has(need.words, forms, padded) and not any(u in hangul for u in need.unless)):
            out.found.append(key)
        elif need.instead in rules.needs and _has(need.words, forms, padded):
            out.found.append(need.instead)
    out.found = [k for k in rules.needs if k in out.found]  # data order, once each
    for key in list(out.found):
        for other in rules.needs[key].rules_out:
            if other in out.found:
                out.found.remove(other)
    if _AGE.search(text) and "minor" not in out.found:
        out.found.insert(0, "minor")
    out.danger = danger_of(rules, text)
    out.language = language
    if (other_language(text) or language not in (None, "en")) and "migrant" not in out.found:
        out.found.append("migrant")
    out.minor = "minor" in out.found
    out.victim = (
        bool(out.danger)
        or _has(rules.victim, forms, padded)
        or any(rules.needs[n].victim for n in out.found if n in rules.needs)
    )
    out.abroad_asked = _has(rules.abroad_words, forms, padded)
    out.platforms = {k for k, aliases in platforms.items() if _has(aliases, forms, padded)}
    return out


#: How many km nearer a service counts for each of the need's topics it serves.
_TOPIC_KM = 12.0


@dataclass
class Bands:
    """Where each result of one query belongs (see the module docstring)."""

    rules: NeedRules
    needs: Needs
    region: str | None
    town: tuple[str, ...] = ()
    #: Distances from the place named below the region (None: only a region, or none, is known).
    nearby: Nearby | None = None
    danger: dict[str, int] = field(default_factory=dict)  # the danger ladder's lines, in order
    first: dict[str, int] = field(default_factory=dict)  # id -> place among the first two
    later: dict[str, int] = field(default_factory=dict)  # the other first lines, in order
    also: dict[str, int] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    #: What the ranking knows of each kind (data/kinds.yaml, through the index).
    table: KindTable = field(default_factory=KindTable)

    @classmethod
    def of(
        cls,
        rules: NeedRules,
        needs: Needs,
        region: str | None,
        town: tuple[str, ...] = (),
        nearby: Nearby | None = None,
        *,
        table: KindTable,
    ) -> Bands:
        b = cls(rules, needs, region, town, nearby, table=table)
        for rung in needs.danger:
            for rid in rung.first:
                b.danger.setdefault(rid, len(b.danger))
        found = [rules.needs[k] for k in needs.found if k in rules.needs]
        # The first lines of every need, taken in turns: a minor's deepfake gets 1388, then the
        # takedown centre, then 117 …
        order: list[str] = []
        for i in range(max((len(n.first) for n in found), default=0)):
            for n in found:
                if i < len(n.first) and n.first[i] not in order and n.first[i] not in b.danger:
                    order.append(n.first[i])
        head = order[:2]
        for i, rid in enumerate(head):
            b.first[rid] = i
        for i, rid in enumerate(order[2:]):
            b.later[rid] = i
        specific = [n for n in found if not n.generic] or found
        for n in found:
            for rid in n.also:
                b.also.setdefault(rid, len(b.also))
        for n in specific:
            b.kinds.update(n.kinds)
            b.topics.update(n.topics)
        if needs.danger:
            b.kinds.add("hotline")
        return b

    @property
    def advised(self) -> list[str]:
        """The lines to answer with even when their text has none of the words typed."""
        return [*self.danger, *self.first, *self.also]

    def speaks(self, languages: str) -> bool:
        """Whether a row's ``|ko|en|``-joined languages hold the query's, when that is not Korean.
        English counts only when the query says she is foreign or asks for English: most lines
        abroad and most platforms' forms speak it, and they are not a first call."""
        lang = self.needs.language
        if lang == "en" and "migrant" not in self.needs.found:
            return False  # English counts when she says she is foreign or asks for it
        return lang not in (None, "ko") and f"|{lang}|" in languages

    def band(self, row: Mapping[str, Any], exact: bool, answers_more: bool = False) -> tuple[int, float]:
        """(band, place within the band's advice order) of a candidate ``row`` (search/engine.py
        ``Candidate``: its id, kind, national, platform, names, district, and its languages,
        topics and audiences joined as ``|ko|vi|``); lower comes first.

        ``exact``: the query names the service. ``answers_more``: the row answers more of the
        query than any nationwide one (법구공 보은지소), so a regional service is not sent last for
        want of a region."""
        rid, kind, national, platform = row["id"], row["kind"], bool(row["national"]), row["platform"]
        if rid in self.danger:
            return 0, -200 + self.danger[rid]
        if exact and national and self.region:
            # A nationwide service named by what it does (성폭력 상담), by someone who said where she
            # is: the services of that kind near her first, then it.
            return 1, 1e9
        if exact:
            return 0, 0
        languages = row.get("languages") or ""
        if (
            self.speaks(languages)
            and row.get("has_phone", 1)  # a number to call
            and kind in self.table.human
            and rid not in self.rules.abroad
        ):
            # A line in Korea that speaks her language, right after a service she named: the one
            # her need puts first among them (112 for a threat), then the one that speaks the most
            # languages (an interpreter line before a one-language one).
            return 0, 100 - languages.count("|") - (50 - 20 * self.first[rid] if rid in self.first else 0)
        needs = self.needs
        names, district, topics = row["names"], row.get("district") or "", row.get("topics") or ""
        if self.region and not national and self.serves(kind, topics, row.get("audiences") or ""):
            # She said where she is: the services of the kind she needs in her 시·군·구 (with only a
            # region named, none is), those for her whole region (no district of their own) and
            # those that serve several of her need's topics (the province's digital sex crime
            # centre, wherever its office is; not a city's own centre, whose name names its town:
            # 성남시 디지털성범죄피해자 통합지원센터 is for Seongnam) come before the national lines
            # (which the crisis bar shows on every page anyway), nearest first, each topic counting
            # as _TOPIC_KM nearer; the other services of her region after those lines, nearest first.
            km = self.near(district, names)
            special = sum(f"|{t}|" in topics for t in self.topics)
            if km < 1 or not district or (special >= 2 and not town_service(district, names)):
                return 1, km - _TOPIC_KM * special
            return 2, 100 + km
        if platform and platform in needs.platforms:
            # The named platform's own route: right after the first human line of a victim's
            # query, first of all otherwise.
            return 2, (1 if needs.victim and self.first else -1)
        if rid in self.first:
            return 2, self.first[rid] * 2
        if rid in self.also:
            return 3, self.also[rid]
        abroad = rid in self.rules.abroad and not needs.abroad_asked
        if (platform and kind == "platform-report") or abroad:
            return 7, 0
        if self.region is None and not national and not answers_more:
            return 7, 1
        if not national:  # a region is known (or it answers more of the query than any national one)
            return 4, self.near(district, names)
        if rid in self.later:
            return 5, self.later[rid]
        if kind in self.kinds:
            return 5, 100
        return 6, 0

    def serves(self, kind: str, topics: str, audiences: str = "") -> bool:
        """Whether a service of ``kind`` with ``topics`` and ``audiences`` (``|a|b|``) serves the
        query's needs; one for young people only serves a query that says the person is young."""
        if (
            audiences
            and not self.needs.minor
            and "|minors|" in audiences
            and not ("|adults|" in audiences or "|everyone|" in audiences)
        ):
            return False
        return kind in self.kinds or any(f"|{t}|" in topics for t in self.topics)

    def near(self, district: str, names: str) -> float:
        """Kilometres from the named place (0: in her 시·군·구, or a service named after her town).
        With only her region known, a service for the whole region is nearer than one in a town
        of it she did not name."""
        if self.nearby is None:
            if self.region is None or not district or self._in_town(names):
                return 0.0
            return REGION_WIDE_KM / 2  # in some town of her region: nearer than nowhere in it
        if not district and self._in_town(names):
            return 0.5  # named after her town: there, but a service whose data says so comes first
        return self.nearby.km(district)

    def _in_town(self, names: str) -> bool:
        return any(w in names for w in self.town)

    def reason_for(self, rid: str, kind: str, platform: str) -> Text | None:
        """The need this result serves, as the short line to show (None when it serves none)."""
        for rung in self.needs.danger:
            if rid in rung.first and rung.reason:
                return rung.reason
        if rid in self.rules.abroad:
            return self.rules.abroad_reason
        for key in self.needs.found:
            need = self.rules.needs.get(key)
            if need and (rid in need.first or rid in need.also or kind in need.kinds) and need.reason:
                if kind == "platform-report" and platform not in self.needs.platforms:
                    continue
                return need.reason
        return None
