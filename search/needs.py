"""What a query asks for, and the order that serves a frightened person best.

The words, kinds and first lines of each need live in data/needs.yaml (through the index); this
module only applies them. Ranking goes by bands, and word coverage orders results only within a
band:

0. the service named, or whose number was typed;
1. the callable human lines that serve the query's needs (the first two of data's ``first``),
   and the named platform's own route;
2. services of the matching kind in the person's region, the named town's own first;
3. services the need lists next (``also``);
4. the region's other services;
5. nationwide services of the matching kind (the other ``first`` lines before them);
6. everything else;
7. last: a platform's form when the query names no platform, a service abroad the query did not
   ask for, and regional services when no region is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from search.analyze import normalize
from search.model import Text

__all__ = ("HUMAN_KINDS", "Bands", "NeedRules", "Needs", "detect", "other_language")

#: Kinds of service where a person answers the phone.
HUMAN_KINDS = frozenset(
    {
        "hotline",
        "takedown-support",
        "police",
        "crisis-centre",
        "counselling-centre",
        "victim-support",
        "legal-aid",
    }
)
_AGE = re.compile(
    r"(?<![0-9])(1[0-7]|[7-9])\s*(?:살|세|yo\b|years? old|y/o)|\bi'?m\s*(1[0-7])\b|만\s*(1[0-7])\s*세"
)


_ENDING = re.compile(r"(?:ing|ed|es|s)$")
#: Scripts of languages people in Korea speak that Haven's data is not written in: Chinese and
#: Japanese (Han, kana), Russian and Mongolian (Cyrillic), Thai, Lao, Khmer, Nepali (Devanagari),
#: and Vietnamese letters (ă â đ ê ô ơ ư and the tone marks). Such a query is a migrant's.
_OTHER_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u4e00-\u9fff\u0400-\u04ff\u0e00-\u0eff\u1780-\u17ff\u0900-\u097f"
    r"ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"
)


def other_language(text: str) -> bool:
    """Whether ``text`` is written (partly) in a language the directory is not written in."""
    return bool(_OTHER_SCRIPT.search(text))


class Need(msgspec.Struct, forbid_unknown_fields=True):
    words: list[str]
    kinds: list[str] = []
    first: list[str] = []
    also: list[str] = []
    #: Needs this one rules out when both are found (a teacher's 학생이 is not the victim's age).
    rules_out: list[str] = []
    reason: Text | None = None


class NeedRules(msgspec.Struct, forbid_unknown_fields=True):
    """data/needs.yaml, as the index keeps it."""

    needs: dict[str, Need] = {}
    victim: list[str] = []
    abroad: list[str] = []
    abroad_words: list[str] = []
    abroad_reason: Text | None = None
    adult_only: list[str] = []

    def normalized(self) -> NeedRules:
        """The rules with every word normalised as queries are (done once, not per search)."""

        def norm(words: list[str]) -> list[str]:
            return [normalize(w) for w in words]

        return NeedRules(
            needs={k: msgspec.structs.replace(n, words=norm(n.words)) for k, n in self.needs.items()},
            victim=norm(self.victim),
            abroad=self.abroad,
            abroad_words=norm(self.abroad_words),
            abroad_reason=self.abroad_reason,
            adult_only=self.adult_only,
        )

    def ids(self) -> Iterable[str]:
        """Every resource id the rules name (for the data checks)."""
        for need in self.needs.values():
            yield from need.first
            yield from need.also
        yield from self.abroad
        yield from self.adult_only


@dataclass
class Needs:
    """The needs one query expresses."""

    found: list[str] = field(default_factory=list)  # in data order
    victim: bool = False
    minor: bool = False
    abroad_asked: bool = False
    platforms: set[str] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(self.found) or self.victim


def _has(words: Iterable[str], forms: set[str], text: str) -> bool:
    """Whether one of the (normalised) ``words`` is a form of the query, or a phrase in its text.

    Words in scripts the analyser does not cut into words (Cyrillic, Thai …) are looked for in
    the text itself."""
    return any(
        w in forms or (" " in w and f" {w} " in text) or (_OTHER_SCRIPT.search(w) is not None and w in text)
        for w in words
    )


def detect(rules: NeedRules, text: str, forms: Iterable[str], platforms: dict[str, list[str]]) -> Needs:
    """The needs of a query: ``rules`` as :meth:`NeedRules.normalized` gives them, ``text`` the
    query's normalised text, ``forms`` every form of its terms (surfaces, lemmas, synonyms), and
    ``platforms`` each platform key's normalised aliases."""
    forms = {normalize(f) for f in forms}
    # English words by their stem as well: blackmailed, threatening, photos.
    forms |= {_ENDING.sub("", f) for f in forms if f.isascii() and len(f) > 5}
    padded = f" {text} "
    out = Needs()
    for key, need in rules.needs.items():
        if _has(need.words, forms, padded):
            out.found.append(key)
    for key in list(out.found):
        for other in rules.needs[key].rules_out:
            if other in out.found:
                out.found.remove(other)
    if _AGE.search(text) and "minor" not in out.found:
        out.found.insert(0, "minor")
    if other_language(text) and "migrant" not in out.found:
        out.found.append("migrant")
    out.minor = "minor" in out.found
    out.victim = _has(rules.victim, forms, padded) or any(
        n in out.found for n in ("threat", "removal", "minor", "male", "talk", "police")
    )
    out.abroad_asked = _has(rules.abroad_words, forms, padded)
    out.platforms = {k for k, aliases in platforms.items() if _has(aliases, forms, padded)}
    return out


@dataclass
class Bands:
    """Where each result of one query belongs (see the module docstring)."""

    rules: NeedRules
    needs: Needs
    region: str | None
    town: tuple[str, ...] = ()
    first: dict[str, int] = field(default_factory=dict)  # id -> place among the first two
    later: dict[str, int] = field(default_factory=dict)  # the other first lines, in order
    also: dict[str, int] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, rules: NeedRules, needs: Needs, region: str | None, town: tuple[str, ...] = ()) -> Bands:
        b = cls(rules, needs, region, town)
        found = [rules.needs[k] for k in needs.found if k in rules.needs]
        # The first lines of every need, taken in turns: a minor's deepfake gets 1388, then the
        # takedown centre, then 117 …
        order: list[str] = []
        for i in range(max((len(n.first) for n in found), default=0)):
            for n in found:
                if i < len(n.first) and n.first[i] not in order:
                    order.append(n.first[i])
        head = order[:2]
        for i, rid in enumerate(head):
            b.first[rid] = i
        for i, rid in enumerate(order[2:]):
            b.later[rid] = i
        for n in found:
            for rid in n.also:
                b.also.setdefault(rid, len(b.also))
            b.kinds.update(n.kinds)
        return b

    def band(
        self,
        rid: str,
        kind: str,
        national: bool,
        platform: str,
        names: str,
        exact: bool,
        answers_more: bool = False,
    ) -> tuple[int, int]:
        """(band, place within the band's advice order); lower comes first.

        ``answers_more``: the row answers more of the query than any nationwide one (법구공 보은지소),
        so a regional service is not sent last for want of a region."""
        if exact:
            return 0, 0
        needs = self.needs
        if platform and platform in needs.platforms:
            # The named platform's own route: right after the first human line of a victim's
            # query, first of all otherwise.
            return 1, (1 if needs.victim and self.first else -1)
        if rid in self.first:
            return 1, self.first[rid] * 2
        if self.region and not national and kind in self.kinds:
            # The person said where they are: that region's services of the kind the need asks for
            # come before the further national advice (청도 법률구조 → its own legal-aid office).
            return 2, (0 if self._in_town(names) else 1)
        if rid in self.also:
            return 3, self.also[rid]
        abroad = rid in self.rules.abroad and not needs.abroad_asked
        if (platform and kind == "platform-report") or abroad:
            return 7, 0
        if self.region is None and not national and not answers_more:
            return 7, 1
        if not national:  # a region is known (or it answers more of the query than any national one)
            return 4, (0 if self._in_town(names) else 1)
        if rid in self.later:
            return 5, self.later[rid]
        if kind in self.kinds:
            return 5, 100
        return 6, 0

    def _in_town(self, names: str) -> bool:
        return any(w in names for w in self.town)

    def reason_for(self, rid: str, kind: str, platform: str) -> Text | None:
        """The need this result serves, as the short line to show (None when it serves none)."""
        if rid in self.rules.abroad:
            return self.rules.abroad_reason
        for key in self.needs.found:
            need = self.rules.needs.get(key)
            if need and (rid in need.first or rid in need.also or kind in need.kinds) and need.reason:
                if kind == "platform-report" and platform not in self.needs.platforms:
                    continue
                return need.reason
        return None
