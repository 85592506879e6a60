"""What the index knows about words: used to understand queries as people really type them.

Loaded once from the index's ``lexicon``, ``regions`` and ``synonyms`` tables, so the query layer
never reads YAML and every engine (SQLite or Meilisearch) understands a query the same way.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.analyze import normalize
from search.places import Gazetteer

__all__ = ("Lexicon", "load_lexicon")


@dataclass
class Lexicon:
    """Word knowledge: frequencies, jamo and initial-consonant forms, romanisations, regions, synonyms."""

    hangul: dict[str, tuple[int, int]] = field(default_factory=dict)  # word -> (df, named)
    latin: dict[str, tuple[int, int]] = field(default_factory=dict)
    jamo_of: dict[str, str] = field(default_factory=dict)  # word -> jamo
    cho_of: dict[str, str] = field(default_factory=dict)  # named word -> initial consonants
    roman: dict[str, set[str]] = field(default_factory=dict)  # romanised form -> Hangul words
    region_alias: dict[str, str] = field(default_factory=dict)  # normalised alias -> region code
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # normalised term -> its group
    places: Gazetteer = field(default_factory=Gazetteer)  # districts and towns -> their regions
    _jamo_sorted: list[tuple[str, str]] = field(default_factory=list)
    _jamo_keys: list[str] = field(default_factory=list)
    _latin_list: list[str] = field(default_factory=list)
    _roman_sorted: list[str] = field(default_factory=list)
    #: Jamo keys by length, with their place in ``_jamo_sorted``: an edit distance of k can only
    #: join words whose lengths differ by k or less, so a typo is looked for among those only.
    _jamo_by_len: dict[int, tuple[list[str], list[int]]] = field(default_factory=dict)

    def finish(self) -> Lexicon:
        self._jamo_sorted = sorted((j, w) for w, j in self.jamo_of.items())
        self._jamo_keys = [j for j, _ in self._jamo_sorted]
        by_len: dict[int, tuple[list[str], list[int]]] = {}
        for i, j in enumerate(self._jamo_keys):
            keys, places = by_len.setdefault(len(j), ([], []))
            keys.append(j)
            places.append(i)
        self._jamo_by_len = by_len
        self._latin_list = list(self.latin)
        self._roman_sorted = sorted(self.roman)
        return self

    def _rank(self, words: set[str] | list[str], table: dict[str, tuple[int, int]], limit: int) -> list[str]:
        """Named words first (they are what people look for), then the more frequent."""
        return sorted(words, key=lambda w: (-table.get(w, (0, 0))[1], -table.get(w, (0, 0))[0], len(w), w))[
            :limit
        ]

    def hangul_typo(self, jamo: str, limit: int = 3) -> list[str]:
        """Hangul words one key away (two for long words), compared letter by letter.

        Optimal string alignment counts a swap of two neighbouring letters as one edit.
        """
        max_edits = 1 if len(jamo) <= 9 else 2
        words: set[str] = set()
        for n in range(len(jamo) - max_edits, len(jamo) + max_edits + 1):
            keys, places = self._jamo_by_len.get(n, ([], []))
            found = process.extract(jamo, keys, scorer=OSA.distance, score_cutoff=max_edits, limit=50)
            words |= {self._jamo_sorted[places[i]][1] for _, _, i in found}
        return self._rank(words, self.hangul, limit)

    def hangul_prefix(self, jamo: str, limit: int = 3) -> list[str]:
        """Words the user was still typing: ``상다`` (ㅅㅏㅇㄷㅏ) → ``상담``, ``상담소``."""
        start = bisect.bisect_left(self._jamo_keys, jamo)
        words: set[str] = set()
        for j, w in self._jamo_sorted[start : start + 200]:
            if not j.startswith(jamo):
                break
            words.add(w)
        return self._rank(words, self.hangul, limit)

    def choseong(self, consonants: str, limit: int = 5) -> list[str]:
        """Named words whose initial consonants are ``consonants`` (exact first, then prefix, then inside)."""
        exact = {w for w, c in self.cho_of.items() if c == consonants}
        if exact:
            return self._rank(exact, self.hangul, limit)
        starts = {w for w, c in self.cho_of.items() if c.startswith(consonants)}
        if starts or len(consonants) < 3:
            return self._rank(starts, self.hangul, limit)
        return self._rank({w for w, c in self.cho_of.items() if consonants in c}, self.hangul, limit)

    def from_roman(self, latin: str, prefix: bool = False, limit: int = 3) -> list[str]:
        """Hangul words written in Latin letters (``haebaragi`` → ``해바라기``)."""
        words = set(self.roman.get(latin, ()))
        if not words and prefix and len(latin) >= 4:
            start = bisect.bisect_left(self._roman_sorted, latin)
            for key in self._roman_sorted[start : start + 50]:
                if not key.startswith(latin):
                    break
                words |= self.roman[key]
        if not words and len(latin) >= 5:
            found = process.extract(
                latin,
                self._roman_sorted,
                scorer=OSA.distance,
                score_cutoff=1 if len(latin) < 9 else 2,
                limit=10,
            )
            for key, _, _ in found:
                words |= self.roman[key]
        return self._rank(words, self.hangul, limit)

    def latin_typo(self, word: str, limit: int = 3) -> list[str]:
        """English words within one edit (5+ letters) or two (9+ letters)."""
        if len(word) < 5:
            return []
        found = process.extract(
            word,
            self._latin_list,
            scorer=OSA.distance,
            score_cutoff=1 if len(word) < 9 else 2,
            limit=20,
        )
        return self._rank({w for w, _, _ in found}, self.latin, limit)


def load_lexicon(conn: sqlite3.Connection) -> Lexicon:
    """Read the lexicon tables of an index."""
    lex = Lexicon()
    for word, script, df, named, jamo, cho, rom in conn.execute(
        "SELECT word, script, df, named, jamo, cho, rom FROM lexicon"
    ):
        if script == "hangul":
            lex.hangul[word] = (df, named)
            lex.jamo_of[word] = jamo
            if named and len(word) >= 2:
                lex.cho_of[word] = cho
            for form in (rom or "").split():
                lex.roman.setdefault(form, set()).add(word)
        else:
            lex.latin[word] = (df, named)
    for code, aliases, name_ko, name_en in conn.execute(
        "SELECT code, aliases, name_ko, name_en FROM regions"
    ):
        for alias in [*json.loads(aliases), name_ko, name_en]:
            lex.region_alias[normalize(alias)] = code
    groups: dict[int, list[str]] = {}
    for grp, term in conn.execute("SELECT grp, term FROM synonyms"):
        groups.setdefault(grp, []).append(term)
    for terms in groups.values():
        for term in terms:
            lex.synonyms.setdefault(term, [])
            lex.synonyms[term] = list(dict.fromkeys([*lex.synonyms[term], *terms]))
    has_places = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'places'").fetchone()
    if has_places:
        lex.places = Gazetteer.from_rows(
            conn.execute("SELECT alias, region, name, district, preferred FROM places ORDER BY rowid")
        )
    return lex.finish()
