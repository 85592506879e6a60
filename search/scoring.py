"""How candidates are ordered: field-weighted term scores, and the one sort key of every engine.

FTS5's bm25() gives a term found in more than half of the documents an IDF of almost zero. In a
directory where nearly every entry says 상담 (counselling), that makes field weights meaningless
for the words people type most. Here each term scores its IDF in Lucene's smoothed form (never
negative) times the weight of the best field it appears in: name > aliases, tags > summary > body.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping, Sequence
from itertools import repeat
from typing import Any, NamedTuple

from search.analyze import normalize
from search.index_schema import COLUMN_BREAK, FTS_WEIGHTS
from search.needs import Bands
from search.understand import Plan

__all__ = (
    "CONFIDENCE_FACTOR",
    "NATIONAL_WEIGHT",
    "Order",
    "ScoredTerm",
    "best_fields",
    "idf",
    "name_forms",
    "scored_term",
    "unit_key",
    "unit_tables",
)

#: Multipliers by confidence rank (official, secondary, dated, unconfirmed).
CONFIDENCE_FACTOR = (1.0, 0.95, 0.9, 0.75)
#: Words that end a family's name but name no family by themselves.
_BARE_FAMILY = frozenset({"상담소", "센터", "지원센터", "상담센터", "center", "centre"})
#: With no region known, a nationwide service can help the person; a regional one may not.
NATIONAL_WEIGHT = 2.0


def idf(total: int, df: int) -> float:
    """Smoothed inverse document frequency, as in Lucene's BM25."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


class ScoredTerm(NamedTuple):
    """A query term ready for scoring."""

    needles: tuple[str, ...]
    """What to look for in a column's padded text (`` 상담 ``, `` counsel``): any alternative."""
    weight: float
    """How much matching it counts towards covering the query (typos count less)."""
    whole: tuple[str, ...] = ()
    """The keys of the needles a unit table (:func:`unit_tables`) answers alone."""
    read: tuple[tuple[str, str], ...] = ()
    """The other needles, each with the unit a table must hold for it to be worth reading the
    text (a phrase's first unit; "" for a prefix)."""


#: The shortest start of a Latin or digit unit that the unit table holds (``insta*``).
_STARTS_FROM = 3
#: The lowest bit set in each mask of fields (one bit per ranked field).
_LOWEST_BIT = tuple((mask & -mask).bit_length() - 1 for mask in range(1 << len(FTS_WEIGHTS)))


def unit_key(unit: str, prefix: bool) -> str | None:
    """The key under which a unit table (:func:`unit_tables`) answers for one analysed ``unit``
    (any unit starting with it when ``prefix``); None when only a scan of the text can say."""
    if " " in unit:
        return None
    if not prefix:
        return unit
    if len(unit) == 2 and all("가" <= c <= "힣" for c in unit):
        # A Hangul unit is a bigram (or a lone syllable): one starting with two syllables is that
        # bigram (상담* is 상담).
        return unit
    if len(unit) >= _STARTS_FROM and unit.isascii():
        return unit + "*"  # a Latin or digit unit's start
    return None


def unit_tables(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """For a document's ``flat.text``: each unit and the first (best) field it is in, and each unit
    and the fields it is in (a bit per field); both also hold the starts of its Latin and digit
    units (``insta*``). A needle of one unit, or of one unit's start, is then a dictionary lookup,
    not a scan of the text (made once per document, when the index opens)."""
    fields: dict[str, int] = {}
    for field, column in enumerate(text.split(COLUMN_BREAK)):
        bit = 1 << field
        units = set(column.split())  # each once: a body repeats its words
        keys = units.copy()
        for unit in units:
            if len(unit) >= _STARTS_FROM and unit.isascii():
                # Its starts as well ("coun*" … "counselling*"): an English stem or a word still
                # being typed is then a lookup too.
                keys.update([unit[:end] + "*" for end in range(_STARTS_FROM, len(unit) + 1)])
        get = fields.get
        fields.update({key: get(key, 0) | bit for key in keys})
    # A unit's first field is the lowest bit of its fields.
    return {key: _LOWEST_BIT[mask] for key, mask in fields.items()}, fields


def name_forms(names: str) -> tuple[str, str, str]:
    """A row's `` | ``-joined ``names`` as :class:`Order` compares them: each word after a space
    (`` 해바라기센터 서울``), each name between `` | `` and each name without its spaces between
    ``|`` (``|해바라기센터서울|``). Made once per row of a small index, when it opens: building them
    for each candidate of each query was a tenth of a search."""
    return " " + names.replace(" | ", " "), f" | {names} | ", f"|{names.replace(' ', '')}|"


def _stem(unit: str) -> str:
    # FTS5's porter stemmer matched "counselling" to "counseling"; plain text cannot see that, so a
    # long Latin unit is compared by its first letters, roughly where English suffixes begin.
    return unit[: max(4, len(unit) - 4)] if unit.isascii() and unit.isalpha() and len(unit) >= 6 else unit


def scored_term(units: Sequence[str], prefix: bool, weight: float) -> ScoredTerm:
    """A term whose alternatives are analysed ``units``; ``prefix`` for search as you type."""
    needles = []
    for u in units:
        stem = _stem(u)
        needles.append(f" {stem}" if prefix or stem != u else f" {u} ")
    # Plain substrings, found by str.find in C: a regular expression compiled per query would cost
    # more than all the searches it makes (and the query's patterns overflow re's cache). A needle
    # holding another (" deep fake " holds " deep") is found wherever that one is not earlier, in
    # the same field: only the shortest are looked for.
    unique = sorted(dict.fromkeys(needles), key=len)
    kept: list[str] = []
    for n in unique:
        if not any(k in n for k in kept):
            kept.append(n)
    whole: list[str] = []
    read: list[tuple[str, str]] = []
    for n in kept:
        core, open_end = n.strip(), not n.endswith(" ")
        if " " in core and not open_end:  # a phrase: read where its first unit is
            read.append((n, core.split(" ", 1)[0]))
        elif (key := unit_key(core, open_end)) is not None:
            whole.append(key)
        else:  # a start no table holds: always read
            read.append((n, ""))
    return ScoredTerm(tuple(kept), weight, tuple(whole), tuple(read))


def best_fields(
    text: str, terms: Sequence[ScoredTerm], units: Mapping[str, int] | None = None
) -> list[float]:
    """For each term, the weight of the best field of one document that contains it (0 if none).

    Args:
        text: the document's analysed FTS columns in FTS_COLUMNS order, joined by COLUMN_BREAK
            and padded with spaces (``flat.text``). Columns come in falling weight order, so the
            first match of a term is in its best field.
        terms: the query's terms.
        units: the first of the document's :func:`unit_tables`, when made: the same answer, faster.
    """
    out = []
    last = len(FTS_WEIGHTS)
    for term in terms:
        if units is None:
            first = min((i for n in term.needles if (i := text.find(n)) >= 0), default=-1)
            out.append(FTS_WEIGHTS[text.count(COLUMN_BREAK, 0, first)] if first >= 0 else 0.0)
            continue
        # The lookups in C (map over the table's get), then the needles only the text answers.
        best = min(map(units.get, term.whole, repeat(last, len(term.whole))), default=last)
        for needle, unit in term.read:
            if best == 0:
                break
            if not unit or unit in units:  # a prefix, or a phrase whose first unit is there
                i = text.find(needle)
                if i >= 0:
                    best = min(best, text.count(COLUMN_BREAK, 0, i))
        out.append(FTS_WEIGHTS[best] if best < last else 0.0)
    return out


class Order:
    """The order of one query's candidates, for every engine: the band the needs give a result,
    whether the query names it, then (on the SQLite index) coverage, region and field scores.

    Args:
        plan: The query as understood.
        bands: The needs' bands for this query (search/needs.py).
        rows: The candidates, each with ``id``, ``kind``, ``national``, ``platform`` and ``names``
            (`` | ``-joined, normalised) and ``phone_digits`` (``|a|b|``); the SQLite engine's also
            with ``rowid``, ``score``, ``coverage`` and its flat columns.
        synonyms: Words that belong to a synonym group (the lexicon's).
        need_words: The words of every need (상담, 신고 …): they ask for help, not for one service.
        one_known: Whether the index has the query's one word (a clipped name such as 범피센터 is
            known by synonym only).
    """

    def __init__(
        self,
        plan: Plan,
        bands: Bands,
        rows: Sequence[Mapping[str, Any]],
        *,
        synonyms: Container[str],
        need_words: Container[str],
        one_known: bool = True,
    ) -> None:
        self.plan = plan
        self.bands = bands
        terms = plan.terms
        self._name_query = normalize(" ".join(t.surface for t in terms))
        self._numbers = [t.surface for t in terms if t.surface.isdigit()]
        self._heads = [tuple(dict.fromkeys(" " + normalize(a) for a in t.alternatives)) for t in terms]
        # One word the directory does not use, known through a synonym only (범피센터, 법구공).
        # (A clipped synonym the index knows only inside other words, as 범피센터 inside
        # 대전범피센터, is one too when no service's name word starts with it.)
        one = terms[0].surface if len(terms) == 1 and not terms[0].fuzzy else ""
        self._clipped = bool(one) and (
            not one_known or (one in synonyms and not any(f" {one}" in r["spaced"] for r in rows))
        )
        self._generic = [any(a in need_words for a in [t.surface, *t.alternatives]) for t in terms]
        typed = [
            normalize(t.surface)
            for t, generic in zip(terms, self._generic, strict=True)
            # The words of a need (중학생, revenge porn) ask for help, not for one service.
            if len(t.surface) >= 3 and not t.fuzzy and not t.surface.isdigit() and not generic
        ]
        # A service's own name (한사성, 방송통신심의위원회): a topic word that is also in a synonym
        # group counts only when a single result has it as a whole name (해바라기센터, not 디지털성범죄).
        self._typed_names = [
            n for n in typed if n not in synonyms or sum(f" | {n} | " in r["padded"] for r in rows) == 1
        ]
        # Typed words that name a family of services (해바라기센터, 스마일센터): near her, the branches
        # of the family she named come first, nearest first.
        self._families = [
            normalize(t.surface)
            for t in terms
            if len(t.surface) >= 3 and not t.fuzzy and normalize(t.surface) not in self._typed_names
            and normalize(t.surface) not in _BARE_FAMILY
            and any(a.endswith(("센터", "상담소", "center", "centre")) for a in [t.surface, *t.alternatives])
        ]  # fmt: skip
        # The typed words, less those of a need, run together: "wee클래스", "한사성".
        self._core = "".join(t.surface for t, g in zip(terms, self._generic, strict=True) if not g)
        self._core_named: set[str] = set()
        self._best_national = 0.0
        self.add(rows)

    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """More candidates (the lines the needs advise that the search itself did not find)."""
        if len(self._core) >= 3 and len(self.plan.terms) > 1:
            core = self._core
            self._core_named |= {r["id"] for r in rows if f"|{core}|" in r["compact"]}
        found = (r.get("coverage", 0.0) for r in rows if r["national"])
        self._best_national = max(self._best_national, *found, 0.0)

    def exact(self, row: Mapping[str, Any]) -> bool:
        """Whether the query names the service, or typed a number that is its own phone."""
        padded = row["padded"]
        plan = self.plan
        return (
            bool(self._name_query and f" | {self._name_query} | " in padded)
            or any(f"|{d}|" in row["phone_digits"] for d in self._numbers)
            # A clipped name (범피센터) whose synonym is the service's full name.
            or (self._clipped and any(f" | {a} | " in padded for a in plan.terms[0].alternatives[1:]))
            # A service named among other words (방송통신심의위원회 신고); a platform is named
            # through the needs instead, so that a victim still meets a human line first.
            or (
                row["kind"] != "platform-report"
                and (any(f" | {s} | " in padded for s in self._typed_names) or row["id"] in self._core_named)
            )
        )

    def band(self, row: Mapping[str, Any]) -> tuple[int, float]:
        """(band, place within the band's advice order) of a row; lower comes first."""
        names = row["names"]
        national = bool(row["national"])
        band, advice = self.bands.band(
            row,
            self.exact(row),
            answers_more=not national and row.get("coverage", 0.0) > self._best_national,
        )
        if self.plan.region and not national and any(n in names for n in self._typed_names):
            # A service named with a place (의정부 스마일센터): that place's own branch first.
            band, advice = 0, (-2 if any(w in names for w in self.bands.town) else -1)
        elif self.plan.region and not national and band > 0 and self._family(row["spaced"]):
            district = row.get("district") or ""
            km = self.bands.near(district, names)
            if km < 1 or not district:  # in her 시·군·구, or serving her whole region
                band, advice = 1, -10_000 + km
        return band, advice

    def _family(self, spaced: str) -> bool:
        """Whether a name word (``spaced``: each after a space) starts with a family the query named
        (해바라기센터(경기서부), not 디지털성범죄… for 성범죄)."""
        if not self._families:
            return False
        return any(f" {n}" in spaced for n in self._families)

    def key(self, row: Mapping[str, Any]) -> tuple[float, ...]:
        """The SQLite engine's sort key of a candidate."""
        plan = self.plan
        regional_first = 0 if (plan.region and not row["national"]) else 1
        if plan.phone:
            # Its own main number first, then one it lists; a service named by the number wins a tie.
            named = plan.phone.lstrip("#") in row["names"]
            own = plan.phone in row["phone_digits"]  # part of one of its own numbers: 8994
            return (regional_first, -row["score"], -own, -named, -row["national"], row["rowid"])
        band, advice = self.band(row)
        if not plan.terms:
            always = -row["always_open"] if plan.any_hour else 0
            # row ids follow the static quality order
            return (band, advice, regional_first, always, row["rowid"])
        return (
            band,
            advice,
            -row["coverage"],
            regional_first,
            -self.score(row),
            self.bands.table.rank(row["kind"]),
            row["rowid"],
        )

    def score(self, row: Mapping[str, Any]) -> float:
        """A candidate's field score weighed by its confidence, kind, reach and name."""
        plan = self.plan
        score: float = (
            row["score"] * CONFIDENCE_FACTOR[row["confidence_rank"]] * self.bands.table.weight(row["kind"])
        )
        if row["national"] and not plan.region:
            score *= NATIONAL_WEIGHT
        if not row["reachable"]:
            score *= 0.6  # no number or link to offer: a person can do little with it
        if plan.any_hour and row["always_open"]:
            score *= 1.6
        spaced = row["spaced"]
        for head, generic in zip(self._heads, self._generic, strict=True):
            # A name word that starts with the term is a closer match than the term found inside a
            # longer compound (범죄피해자 → 범죄피해자지원센터 before 디지털성범죄피해자지원센터).
            # Not for the words of a need (상담, 신고): every line's name has them.
            if not generic and any(h in spaced for h in head):
                score *= 1.5
        return score
