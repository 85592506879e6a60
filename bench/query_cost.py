"""What one query can cost: the worst of many adversarial queries against a normal one.

    python -m bench.query_cost [--db var/haven.db] [--rounds 5]

Every query goes through what the server does with a ``q`` (service.query.build_query: the
search box's 200-character limit, then the engine's own caps) and is searched in this process
on the real index. "Normal" is the median of the relevance mix (bench.search_bench.query_mix:
real people's queries, sentences included); each adversarial query's cost is its median over
``--rounds`` runs, as a multiple of that. Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bench.search_bench import query_mix
from search.model import Query
from search.sqlite_engine import SqliteEngine
from service.query import Vocabulary, build_query

ROOT = Path(__file__).resolve().parent.parent


def adversarial(words: list[str]) -> dict[str, str]:
    """Long queries of every shape: no spaces, one script, many words, repeated words."""
    rng = random.Random(30)
    syllables = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(900))
    latin = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(900))
    common = " ".join(rng.choice(words) for _ in range(300))
    return {
        "900 Hangul syllables, no space": syllables,
        "900 Latin letters, no space": latin,
        "900 digits": "".join(rng.choice("0123456789") for _ in range(900)),
        "딥페이크 × 225, no space": "딥페이크" * 225,
        "index words, 900 chars": common[:900],
        "index words, no space": common.replace(" ", "")[:900],
        "initials ㄷㅍㅇㅋ × 225": "ㄷㅍㅇㅋ" * 225,
        "Hangul and Latin mixed": "".join(a + b for a, b in zip(syllables[:450], latin[:450], strict=True)),
        "romanised words": " ".join(["haebaragi", "sangdam", "dipeuheikeu", "bulbeopchwalyeong"] * 60)[:900],
        "punctuation between syllables": ".".join(syllables[:450]),
    }


def cost_ms(engine: SqliteEngine, query: Query, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        engine.search(query)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "haven.db")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine = SqliteEngine(args.db)
    vocab = Vocabulary.from_engine(engine)
    mix = [q for q in query_mix() if q.q.strip()]
    for q in mix[:20]:
        engine.search(q)  # warm the process (imports, first statements), not any answer
    normal = statistics.median(cost_ms(engine, q, args.rounds) for q in mix)
    words = sorted(w for w, (df, _) in engine.index.lexicon.hangul.items() if df >= 2 and len(w) >= 2)
    print(f"normal query (median of {len(mix)} from the relevance mix): {normal:.1f} ms")
    print(f"{'query':<34} {'typed':>6} {'searched':>8} {'ms':>8} {'× normal':>9}")
    worst = 0.0
    for name, text in adversarial(words).items():
        query = build_query(vocab, strict=False, q=text)  # what a results page searches
        ms = cost_ms(engine, query, args.rounds)
        worst = max(worst, ms / normal)
        print(f"{name:<34} {len(text):>6} {len(query.q):>8} {ms:>8.1f} {ms / normal:>9.1f}")
    print(f"worst query: {worst:.1f} × a normal one")


if __name__ == "__main__":
    main()
