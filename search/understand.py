"""Understand a query the way a person typed it, before any engine sees it.

``plan_query`` turns raw text into a :class:`Plan`: the region it names (removed from the text),
a phone number, and terms, each with the alternatives that may match it — the word itself, the
word without its particle or ending, corrections of typos at jamo level, words completed from a
half-typed syllable or from initial consonants, Hangul words behind a romanised spelling, and
synonyms in both languages. Both engines build their requests from the same plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from search.analyze import normalize, words
from search.hangul import is_choseong_query, jamo, strip_josa
from search.lexicon import Lexicon

__all__ = ("Plan", "Term", "plan_query")

#: Words that carry no search meaning on their own. Dropped unless nothing else is left.
STOPWORDS = frozenset(
    """
    a an the of to in on at for from by with about and or is are was were be been am i i'm im me my
    mine we our you your it its this that there how do does did can could should would what where
    who which when why want need get got some someone please just really any find looking look
    어떻게 어디 어디서 어디에 어디로 무엇 뭐 뭘 왜 좀 제발 너무 정말 진짜 그냥 하고 싶어요 싶어 싶은데 싶습니다 해야 해야해요 해요 하나요 되나요 있나요 있어요 없어요
    주세요 해주세요 도와주세요 알려주세요 했어요 됐어요 당했어요 어요 받고 받을 있는 있을까요 할까요 하면 되나 곳 나 내 제 저 저의 나의 제가 내가 우리 요 것 수 아는
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


def _region_of(token: str, lex: Lexicon) -> tuple[str | None, str]:
    """(region code, rest of the token) when a token names a region: 부산, 부산에서, 부산상담."""
    for cand in (token, strip_josa(token)):
        if cand in lex.region_alias:
            return lex.region_alias[cand], ""
    if re.fullmatch(r"[가-힣]{4,}", token):
        for n in (5, 4, 3, 2):
            head = token[:n]
            if head in lex.region_alias and len(token) - n >= 2:
                return lex.region_alias[head], token[n:]
    return None, token


def _hangul_term(word: str, lex: Lexicon, exists: Callable[[str], bool], plan: Plan) -> list[str]:
    stripped = strip_josa(word)
    if word in lex.hangul or exists(word):
        return [word, stripped] if stripped != word and exists(stripped) else [word]
    if stripped != word and exists(stripped):
        return [stripped]
    # A one-key slip in a service's own vocabulary (다누라 → 다누리) before cutting endings off.
    named = (
        [f for f in lex.hangul_typo(jamo(stripped)) if lex.hangul.get(f, (0, 0))[1]]
        if len(stripped) >= 3
        else []
    )
    if named:
        plan.corrections.append((word, named[0]))
        return named
    for n in range(len(stripped) - 1, 1, -1):  # verb endings: 합성됐어요 → 합성
        if exists(stripped[:n]):
            return [stripped[:n]]
    fixes = lex.hangul_typo(jamo(stripped)) or lex.hangul_prefix(jamo(stripped))
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


def plan_query(q: str, lex: Lexicon, exists: Callable[[str], bool], region: str | None = None) -> Plan:
    """Understand ``q``. ``exists(form)`` says whether a form (or ``form*``) matches any document."""
    plan = Plan(region=region)
    text = normalize(q)[:2000]
    compact = _PHONE_CHARS.sub("", text)
    if _PHONE.match(compact):
        plan.phone = compact
        plan.had_text = True
        return plan

    if _ANY_HOUR.search(text):
        plan.any_hour = True
        text = _ANY_HOUR.sub(" ", text)
    tokens = text.split()[:64]
    # Regions named anywhere: "부산 상담", "상담 부산에서", "counselling in Incheon", "south jeolla".
    multi_regions, tokens = _take_phrases(tokens, lex.region_alias)
    found_regions = [lex.region_alias[m] for m in multi_regions]
    rest: list[str] = []
    for tok in tokens:
        code, remainder = _region_of(tok, lex)
        if code:
            found_regions.append(code)
        if remainder:
            rest.append(remainder)
    if plan.region is None:
        plan.region = next((c for c in found_regions if c != "KR"), None)

    phrases, rest = _take_phrases(rest, lex.synonyms)
    for phrase in phrases:
        plan.terms.append(Term(surface=phrase, alternatives=_expand([phrase], phrase, lex)))

    units = [(script, w) for tok in rest for script, w in words(tok)]
    plan.had_text = bool(units or phrases)
    # Repeated words add nothing but work.
    meaningful = list(
        dict.fromkeys((s, w) for s, w in units if w not in STOPWORDS and not (s == "hangul" and len(w) == 1))
    )
    for n, (script, w) in enumerate(meaningful[:MAX_TERMS]):
        last = n == len(meaningful) - 1 and not q.endswith(" ")
        if script == "hangul":
            alts = _hangul_term(w, lex, exists, plan)
        elif script == "jamo":
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
    if plan.any_hour and not plan.terms:
        plan.had_text = True
    return plan
