"""Understand a query the way a person typed it, before any engine sees it.

``plan_query`` turns raw text into a :class:`Plan`, in this order:

1. a phone number is looked up as such (spaces, dots and hyphens between its digits dropped);
2. keyboard slips are undone: Latin text the directory does not know that types whole Hangul
   syllables on the 2-set layout (``tkdeka`` → 상담), and the reverse (search/keyboard.py);
3. a name typed in two Latin words is joined (``you tube`` → youtube, ``stop ncii`` → stopncii);
   regions, and places down to the town (해운대, 일산, Gangnam), are taken out of the text and
   give the region (search/places.py); a place word is never searched as text;
4. multi-word synonyms (``take it down``) are kept whole;
5. every other word becomes a term with the alternatives that may match it: the word, the word
   without its particle, its content words and lemmas from Korean morphology (search/morph.py:
   신고하고싶어요 → 신고, 뿌렸어요 → 뿌리), a slang or clipped head (중딩인데 → 중딩), corrections
   of typos at jamo level, words completed from a half-typed syllable or initial consonants,
   Hangul behind a romanised spelling, and synonyms in both languages.

Both engines build their requests from the same plan; ``Plan.understood`` says in data what was
understood, for the page and the API to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from search.analyze import clip_units, index_text, normalize, words
from search.hangul import is_choseong_query, jamo, strip_josa
from search.keyboard import as_hangul, as_latin
from search.lexicon import Lexicon
from search.morph import Morpheme, content_words
from search.place_reading import district_head, inside_city, place_of, region_of
from search.places import Place

__all__ = ("Plan", "Term", "plan_query")

#: Words that carry no search meaning on their own. Dropped unless nothing else is left.
STOPWORDS = frozenset(
    """
    a an the of to in on at for from by with about and or is are was were be been being am i i'm im me my
    mine we our you your it its this that there how do does did can could should would what where
    who which when why want need get got some someone please just really any find looking look
    어떻게 어디 어디서 어디에 어디로 무엇 뭐 뭘 왜 좀 제발 너무 정말 진짜 그냥 하고 싶어요 싶어 싶은데 싶습니다 해야 해야해요 해요 하나요 되나요 있나요 있어요 없어요
    싫어 싫어요 주세요 해주세요 도와주세요 도와줘 도와줘요 도와주 살려줘 살려주세요 알려주세요 했어요 됐어요 당했어요 어요 받고 받을 있는 있을까요 할까요 하면 되나 곳 나 내 제 저 저의 나의 제가 내가 우리 요 것 수 아는
    모르는 같은 이런 그런 저런 어떤 무슨 다른 많이 계속 자꾸 혹시 그리고 근데 그래서 하지만 있는데 없는데 했는데 해서 하는 되는 된 한 할 지금 바로 빨리 급해요 제발요
    """.split()
)
_PHONE = re.compile(r"^#?[0-9]{3,}$")
_ANY_HOUR = re.compile(
    r"24\s*시간|24\s*/\s*7|24\s*h(?:ours?)?\b|365일|밤에|새벽|한밤|at night|midnight|overnight|any time|anytime"
)
_PHONE_CHARS = re.compile(r"[\s\-.()+]")
MAX_TERMS = 12


@dataclass
class Term:
    """One thing the user asked for, and the forms that may match it (any one is enough)."""

    surface: str
    alternatives: list[str]
    #: The last term also matches as a prefix (search as you type).
    prefix: bool = False
    #: The alternatives are guesses (a typo fixed, a word completed): the term counts less.
    fuzzy: bool = False
    _units: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    def units(self) -> tuple[str, ...]:
        """Each alternative as index units ("" when it has none), analysed once per query: the FTS5
        groups, the field scores and the highlighting all read these (made when first asked, once
        the plan is complete)."""
        if self._units is None:
            self._units = tuple(index_text(a) for a in self.alternatives)
        return self._units


@dataclass
class Plan:
    terms: list[Term] = field(default_factory=list)
    region: str | None = None
    phone: str | None = None
    #: (typed, understood) pairs for corrections the user should be told about.
    corrections: list[tuple[str, str]] = field(default_factory=list)
    #: Words that matched nothing and were left out.
    dropped: list[str] = field(default_factory=list)
    #: Whether the text had any searchable content at all.
    had_text: bool = False
    #: The query asked for help at any hour ("24시간", "24/7", "at night").
    any_hour: bool = False
    #: The place named below the region (해운대구), and the other regions its name may mean.
    place: Place | None = None
    place_others: list[str] = field(default_factory=list)
    #: Typo lookups made for this query (search/lexicon.py), so none is made twice.
    typos: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: Morphological analyses made for this query (:meth:`morphemes`), so none is made twice.
    analysed: dict[str, list[Morpheme]] = field(default_factory=dict, repr=False)

    def morphemes(self, text: str) -> list[Morpheme]:
        """The content words of ``text`` (search/morph.py), analysed once per query: the terms and
        the needs both read them. Kept in the plan, which ends with the request."""
        found = self.analysed.get(text)
        if found is None:
            found = self.analysed[text] = content_words(text)
        return found

    def understood(self) -> dict[str, object]:
        """What the query was understood as, as data: the place and its region, corrections made
        (keyboard, typo), and the terms searched for."""
        return {
            "place": self.place.name if self.place else None,
            "district": (self.place.district or None) if self.place else None,
            "region": self.region,
            "other_regions": list(self.place_others),
            "corrections": [{"typed": a, "understood": b} for a, b in self.corrections],
            "terms": [t.alternatives[0] if t.alternatives else t.surface for t in self.terms],
        }


def _take_phrases(
    tokens: list[str], table: dict[str, str] | dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """Find multi-word keys of ``table`` in ``tokens`` (longest first); return (found, remaining)."""
    found: list[str] = []
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):  # a single token too: "n번방" must not be cut into "n" and "번방"
            if i + n <= len(tokens) and " ".join(tokens[i : i + n]) in table:
                found.append(" ".join(tokens[i : i + n]))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return found, out


def _unslip(raw: str, lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> str:
    """``raw`` with keyboard slips undone, each recorded as a correction (tkdeka → 상담)."""
    out = []
    for tok in raw.split():
        word = normalize(tok)
        if word.isascii() and word.isalpha() and not _known_latin(word, lex, exists):
            for cand in (as_hangul(tok), as_hangul(tok.lower())):
                if cand and _known_hangul_text(cand, lex, exists):
                    plan.corrections.append((tok, cand))
                    tok = cand
                    break
        elif re.fullmatch(r"[가-힣ㄱ-ㅣ]+", word) and not exists(strip_josa(word)) and word not in lex.places:
            latin = as_latin(word)
            if (
                latin
                and len(latin) >= 3
                and (latin in lex.latin and lex.latin[latin][1] or latin in lex.synonyms)
            ):
                plan.corrections.append((tok, latin))
                tok = latin
        out.append(tok)
    return " ".join(out)


def _known_latin(word: str, lex: Lexicon, exists: Callable[[str], bool]) -> bool:
    return (
        word in STOPWORDS
        or word in lex.latin
        or word in lex.synonyms
        or word in lex.places
        or word in lex.region_alias
        or bool(lex.roman.get(word))
        or exists(word)
    )


def _known_hangul_text(text: str, lex: Lexicon, exists: Callable[[str], bool]) -> bool:
    """Whether Hangul decoded from a keyboard slip means something here (a word, a place)."""
    word = strip_josa(text)
    if word in lex.places or word in lex.region_alias or word in lex.synonyms or word in lex.hangul:
        return True
    if exists(word):
        return True
    return any(exists(m.lemma) or m.surface in lex.synonyms for m in content_words(text))


def _typos(word: str, lex: Lexicon, plan: Plan) -> list[str]:
    """``lex.hangul_typo`` of a word, looked up once per query: the same word is asked about as a
    service's name and as a typo. Kept in the plan, which ends with the request. A word is never
    corrected into a place name (동기 is a classmate, not 동구)."""
    found = plan.typos.get(word)
    if found is None:
        fixes = lex.hangul_typo(jamo(word))
        found = plan.typos[word] = [f for f in fixes if f not in lex.places and f not in lex.region_alias]
    return found


def _named_slip(word: str, stripped: str, lex: Lexicon, plan: Plan) -> list[str]:
    """Words of a service's own vocabulary one key from ``stripped`` (recorded as a correction)."""
    if len(stripped) < 3:
        return []
    named = [f for f in _typos(stripped, lex, plan) if lex.hangul.get(f, (0, 0))[1]]
    if named:
        plan.corrections.append((word, named[0]))
    return named


def _hangul_terms(word: str, lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> list[list[str]]:
    """The alternatives of each term a Hangul word holds (a run-together sentence holds several)."""
    stripped = strip_josa(word)
    if word in lex.synonyms or stripped in lex.synonyms:
        return [[stripped if stripped in lex.synonyms else word]]
    if word in lex.hangul or exists(word):
        return [[word, stripped] if stripped != word and exists(stripped) else [word]]
    if stripped != word and exists(stripped):
        return [[stripped]]
    # A one-key slip in a service's own vocabulary (텔래그램 → 텔레그램) before any cutting.
    named = _named_slip(word, stripped, lex, plan)
    if named:
        return [named]
    # A slang or clipped word with an ending glued on: 중딩인데, 딥페당했어요, 에타에서.
    for n in range(len(word) - 1, 1, -1):
        head = word[:n]
        if head in lex.synonyms and not [m for m in plan.morphemes(word[n:]) if m.tag != "VV"]:
            return [[head]]
    # Korean morphology: the content words and their lemmas.
    found = [m for m in plan.morphemes(word) if len(m.lemma) >= 2 or m.tag == "VV"]
    if found:
        out: list[list[str]] = []
        for m in found:
            known = [f for f in dict.fromkeys([m.surface, m.lemma]) if f in lex.synonyms or exists(f)]
            if known:
                out.append(known)
            elif m.tag in ("NNG", "NNP") and len(m.surface) >= 2:
                fixed = _typo_term(m.surface, lex, exists, plan)
                if fixed:
                    out.append(fixed)
        if out:
            return out
    alts = _typo_term(word, lex, exists, plan)
    return [alts] if alts else []


def _typo_term(word: str, lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> list[str]:
    """A word the index does not know: a one-key slip, a cut ending, or a half-typed syllable."""
    stripped = strip_josa(word)
    named = _named_slip(word, stripped, lex, plan)  # 다누라 → 다누리
    if named:
        return named
    fixes = _typos(stripped, lex, plan) or lex.hangul_prefix(jamo(stripped))
    if len(stripped) <= 2:
        # Two syllables are one key from many everyday words: only correct to a service's vocabulary.
        fixes = [f for f in fixes if lex.hangul.get(f, (0, 0))[1]]
    if fixes:
        plan.corrections.append((word, fixes[0]))
    return fixes


def _latin_term(word: str, last: bool, lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> list[str]:
    alts: list[str] = []
    found = word in lex.latin or exists(word) or (last and len(word) >= 3 and exists(word + "*"))
    if found:
        alts.append(word)
    alts += lex.from_roman(word, prefix=last)
    if not alts:
        fixes = lex.latin_typo(word)
        if fixes:
            plan.corrections.append((word, fixes[0]))
        alts = fixes
    return alts


def _expand(alts: list[str], surface: str, lex: Lexicon) -> list[str]:
    """Add synonyms, leaving out those that already contain a form (``상담소`` for ``상담``).

    FTS5 adds up the score of every alternative a document matches; a synonym that merely
    extends a form would count the same word twice.
    """
    out = list(alts)
    for key in [surface, *alts]:
        for syn in lex.synonyms.get(key, []):
            if syn not in out and not any(a in syn for a in out if len(a) >= 2):
                out.append(syn)
    return out[:24]


def _join_split_names(tokens: list[str], lex: Lexicon, plan: Plan) -> list[str]:
    """Latin names typed in two words (``you tube``, ``stop ncii``, ``tik tok``) joined when the
    joined word is a name the directory uses or a synonym (recorded as a correction)."""
    out: list[str] = []
    for tok in tokens:
        prev = out[-1] if out else ""
        joined = prev + tok
        if (
            prev.isascii() and prev.isalpha() and tok.isascii() and tok.isalpha()
            and (lex.latin.get(joined, (0, 0))[1] or joined in lex.synonyms)
        ):  # fmt: skip
            plan.corrections.append((f"{prev} {tok}", joined))
            out[-1] = joined
        else:
            out.append(tok)
    return out


def _take_places(tokens: list[str], lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> list[str]:
    """Set the plan's region and place from the tokens that name them; the other tokens (and
    what is left of a token once its region is taken off) are returned."""
    # Regions named anywhere: "부산 상담", "상담 부산에서", "counselling in Incheon", "south jeolla".
    multi_regions, tokens = _take_phrases(tokens, lex.region_alias)
    found_regions = [lex.region_alias[m] for m in multi_regions]
    rest: list[str] = []
    places: list[str] = []

    def known(w: str) -> bool:
        return w in lex.synonyms or w in lex.hangul or exists(w)

    region_places = [(m, lex.region_alias[m]) for m in multi_regions if m in lex.places]
    for i, tok in enumerate(tokens):
        code, remainder = region_of(tok, lex, known)
        weak = lex.places.weak(strip_josa(tok), tokens[i + 1] if i + 1 < len(tokens) else None)
        if weak and not code:
            places.append(weak)
            continue
        if code:
            found_regions.append(code)
            # A city the regions list names (의정부, 수원) is also a place; 광주 may be another one,
            # glued to a word or not (김해시성폭력상담).
            head = tok[: len(tok) - len(remainder)] if remainder else tok
            name = strip_josa(head) if strip_josa(head) in lex.places else head
            if name in lex.places:
                region_places.append((name, code))
        elif tok in lex.places or strip_josa(tok) in lex.places or not known(strip_josa(tok)):
            alias, remainder = place_of(tok, lex, known)
            if alias:
                places.append(alias)
        else:
            alias, remainder = district_head(tok, lex, known)
            if alias:
                places.append(alias)
        if remainder:
            rest.append(remainder)
    explicit = next((c for c in found_regions if c != "KR"), None)
    for name, code in region_places:
        readings = lex.places.readings.get(name, [])
        same = [p for p in readings if p.region == code]
        if same and plan.place is None:
            plan.place = same[0]
        plan.place_others = sorted({p.region for p in readings} - {code})
    city = plan.place  # a city the regions list names (청주): a 구 of it named too is nearer her
    for alias in places:
        found = lex.places.lookup(alias, [c for c in (plan.region, explicit) if c])
        if found and city is not None and plan.place is city and inside_city(found[0], city):
            plan.place = None  # 청주 흥덕구: 흥덕구
        if found and plan.place is None:
            plan.place, others = found
            plan.place_others = others if not (explicit or plan.region) else plan.place_others
            explicit = explicit or plan.place.region
    if plan.region is None:
        plan.region = explicit
    return rest


def _add_word_terms(
    units: Sequence[tuple[str, str]], open_end: bool, lex: Lexicon, exists: Callable[[str], bool], plan: Plan
) -> None:
    """A term for each meaningful word (script, word); ``open_end``: the query may still be typed
    on, so its last word is also a prefix. Words that match nothing go to ``plan.dropped``."""
    for n, (script, w) in enumerate(units):
        last = n == len(units) - 1 and open_end
        if script == "hangul":
            groups = _hangul_terms(w, lex, exists, plan)
            if not groups:
                plan.dropped.append(w)
            for alts in groups:
                surface = w if len(groups) == 1 else alts[0]
                plan.terms.append(
                    Term(
                        surface=surface,
                        alternatives=_expand(alts, surface, lex),
                        fuzzy=any(typed in (w, surface) for typed, _ in plan.corrections),
                    )
                )
            continue
        if script == "jamo":
            alts = lex.choseong(w) if is_choseong_query(w) else []
        elif script == "latin":
            alts = _latin_term(w, last, lex, exists, plan)
        else:
            alts = [w] if exists(w) else []
        if not alts:
            plan.dropped.append(w)
            continue
        plan.terms.append(
            Term(
                surface=w,
                alternatives=_expand(alts, w, lex),
                # A finished word needs no prefix query (and prefix queries are the costly kind).
                prefix=last and script == "latin" and w in alts and w not in lex.latin,
                fuzzy=any(typed == w for typed, _ in plan.corrections),
            )
        )


def plan_query(q: str, lex: Lexicon, exists: Callable[[str], bool], region: str | None = None) -> Plan:
    """Understand ``q``. ``exists(form)`` says whether a form (or ``form*``) matches any document."""
    plan = Plan(region=region)
    text = clip_units(normalize(q)[:2000])
    compact = _PHONE_CHARS.sub("", text)
    if _PHONE.match(compact):
        plan.phone = compact
        plan.had_text = True
        return plan

    if _ANY_HOUR.search(text):
        plan.any_hour = True
        text = _ANY_HOUR.sub(" ", text)
    text = normalize(_unslip(text, lex, exists, plan))
    tokens = _join_split_names(text.split()[:64], lex, plan)
    rest = _take_places(tokens, lex, exists, plan)

    phrases, rest = _take_phrases(rest, lex.synonyms)
    for phrase in phrases:
        plan.terms.append(Term(surface=phrase, alternatives=_expand([phrase], phrase, lex)))

    units = [(script, w) for tok in rest for script, w in words(tok)]
    plan.had_text = bool(units or phrases)
    # Repeated words add nothing but work.
    meaningful = list(
        dict.fromkeys(
            (s, w)
            for s, w in units
            # One syllable is a word only when it is a known name or synonym (빙 = Bing).
            if w not in STOPWORDS and not (s == "hangul" and len(w) == 1 and w not in lex.synonyms)
        )
    )
    _add_word_terms(meaningful[:MAX_TERMS], not q.endswith(" "), lex, exists, plan)
    if plan.any_hour and not plan.terms:
        plan.had_text = True
    return plan
