"""Compare Korean analysers for the query layer: load time, time per query, and relevance.

    python -m bench.analyser_bench [--db var/haven.db]

mecab-ko (the one Haven uses) is always measured. Kiwi is measured too when ``kiwipiepy`` is
installed (it is not a dependency: ``pip install kiwipiepy`` in a scratch environment); its
content words are fed to the same query layer, so the relevance figures compare the analysers
and nothing else.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from search import morph
from search.morph import Morpheme

SENTENCES = [
    "신고하고싶어요", "지워주세요", "상담받고싶어요", "뿌렸어요", "신고하는법", "삭제요청", "도와줘",
    "텔레그램에 내 합성사진", "중딩인데 사진 합성됐어요", "에타에 올라왔어요", "없애고싶어", "퍼졌어요",
    "협박당하고있어요", "누가 제 얼굴로 합성 사진을 만들었어요", "친구들이 내 사진 합성해서 뿌렸어",
]  # fmt: skip
_KIWI_CONTENT = {"NNG": "NNG", "NNP": "NNP", "VV": "VV", "VA": "VA", "XR": "XR", "SL": "SL", "SN": "SN"}


def _load_seconds(code: str) -> float:
    """Seconds a fresh interpreter takes to import an analyser and analyse one word."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start - _load_seconds_baseline()


_BASE: list[float] = []


def _load_seconds_baseline() -> float:
    if not _BASE:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        _BASE.append(time.perf_counter() - start)
    return _BASE[0]


def _per_query_ms(fn: Callable[[str], object], rounds: int = 200) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        for s in SENTENCES:
            t = time.perf_counter()
            fn(s)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def _kiwi_words() -> Callable[[str], list[Morpheme]] | None:
    try:
        from kiwipiepy import Kiwi  # type: ignore[import-not-found]
    except ImportError:
        return None
    kiwi = Kiwi()

    def content(text: str) -> list[Morpheme]:
        out = []
        for tok in kiwi.tokenize(text):
            tag = _KIWI_CONTENT.get(tok.tag)
            if tag:
                out.append(Morpheme(tok.form, tok.form, tag))
        return out

    return content


def _relevance(db: Path) -> str:
    from search.sqlite_engine import SqliteEngine
    from tests.relevance.harness import report, score

    outcomes, _ = report(SqliteEngine(db), "")
    recall, mrr = score(outcomes)
    return f"{len(outcomes)} queries, recall@3 = {recall:.3f}, MRR = {mrr:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("var/haven.db"))
    args = parser.parse_args()
    load = _load_seconds("import mecab; mecab.MeCab().parse('상담')")
    p50, p99 = _per_query_ms(morph.content_words)
    print(f"mecab-ko: load {load:.3f} s, per sentence p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    print(f"  relevance with mecab-ko: {_relevance(args.db)}")
    kiwi = _kiwi_words()
    if kiwi is None:
        print("kiwipiepy is not installed: Kiwi not measured")
        return
    load = _load_seconds("from kiwipiepy import Kiwi; Kiwi().tokenize('상담')")
    p50, p99 = _per_query_ms(kiwi)
    print(f"Kiwi: load {load:.3f} s, per sentence p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    morph.content_words = kiwi  # type: ignore[assignment]
    import search.understand as understand

    understand.content_words = kiwi  # type: ignore[assignment]
    print(f"  relevance with Kiwi: {_relevance(args.db)}")


if __name__ == "__main__":
    main()
