"""Where a place is in a token a person typed: a region (부산, 부산에서, 부산상담), a district or
town (해운대구에서, 일산상담), a district glued to the words after it (김해시성폭력상담), and a 구 of
a city named with it (청주 흥덕구). search/understand.py takes the places out of a query with these.

A name is never guessed out of the middle of an unknown word: a place glued to a following word
counts only when that word is one the directory knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search.hangul import strip_josa
from search.lexicon import Lexicon
from search.places import Place

__all__ = ("district_head", "inside_city", "place_of", "region_of")


def region_of(token: str, lex: Lexicon, known: Callable[[str], bool]) -> tuple[str | None, str]:
    """(region code, rest of the token) when a token names a region: 부산, 부산에서, 부산상담.

    A region glued to a following word counts only when that word is one the directory knows
    (전남편이 is an ex-husband, not 전남 + 편이) and no longer word of the synonyms starts the token
    (전남친이 is an ex-boyfriend, not 전남 + 친이)."""
    for cand in (token, strip_josa(token)):
        if cand in lex.region_alias:
            return lex.region_alias[cand], ""
    if re.fullmatch(r"[가-힣]{4,}", token):
        for n in (5, 4, 3, 2):
            head = token[:n]
            # A word the synonyms know that starts the token is read first: 전남친이 is an ex-boyfriend.
            longer = any(token[:m] in lex.synonyms for m in range(n + 1, len(token) + 1))
            if (
                head in lex.region_alias
                and len(token) - n >= 2
                and not longer
                and known(strip_josa(token[n:]))
            ):
                return lex.region_alias[head], token[n:]
    return None, token


def place_of(token: str, lex: Lexicon, known: Callable[[str], bool]) -> tuple[str | None, str]:
    """(place alias, rest of the token) when a token names a place: 해운대, 해운대구에서, 일산상담.

    A place glued to a following word counts only when that word is one the directory knows:
    a name is never guessed out of the middle of an unknown word.
    """
    for cand in (token, strip_josa(token), re.sub(r"(?:에\s*사는|사는|쪽|근처|인데|인데요)$", "", token)):
        if cand in lex.places:
            return cand, ""
    if re.fullmatch(r"[가-힣]{4,}", token):
        for n in range(min(len(token) - 2, 6), 1, -1):
            head, rest = token[:n], token[n:]
            if head in lex.places and known(strip_josa(rest)):
                return head, rest
    return None, token


def district_head(token: str, lex: Lexicon, known: Callable[[str], bool]) -> tuple[str | None, str]:
    """(district, rest) when a run-together token starts with a district's full name, suffix and
    all, and goes on with words the directory knows: 부평구성폭력상담소, 김해시성폭력상담. The token
    may match the index as a whole (its syllable pairs are in some entry) and still name a place."""
    if re.fullmatch(r"[가-힣]{5,}", token):
        for n in range(min(len(token) - 2, 6), 2, -1):
            head, rest = token[:n], token[n:]
            if head[-1] in "시군구" and head in lex.places and known(strip_josa(rest)):
                return head, rest
    return None, token


def inside_city(place: Place, city: Place) -> bool:
    """Whether ``place`` is a 구 of the city ``city`` (흥덕구 of 청주시): same region, a 구 name."""
    return place.region == city.region and place.name.endswith("구") and not place.district and place != city
