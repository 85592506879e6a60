"""Run the relevance set against any engine and score it (recall@3 and MRR)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
import yaml

from search.engine import Engine
from search.model import Query

QUERIES = Path(__file__).with_name("queries.yaml")


@dataclass
class Case:
    q: str
    params: dict[str, object]
    expect_any: list[str]
    expect_region: str | None


@dataclass
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first satisfying result in the top 3, or None
    top: list[str]


def load_cases(path: Path = QUERIES) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [
        Case(
            str(c["q"]),
            c.get("params", {}),
            [str(x) for x in c.get("expect_any", [])],
            c.get("expect_region"),
        )
        for c in raw
    ]


def judge(engine: Engine, case: Case) -> Outcome:
    results = engine.search(msgspec.convert({"q": case.q, "limit": 10, **case.params}, Query))
    hits = results.results[:3]
    top = [h.resource.id for h in hits]
    rank = None
    if case.expect_region:
        if hits and case.expect_region in hits[0].resource.regions:
            rank = 1
    else:
        wanted = [w.casefold() for w in case.expect_any]
        for i, hit in enumerate(hits, start=1):
            text = msgspec.json.encode(hit.resource).decode().casefold()
            if any(w in text for w in wanted):
                rank = i
                break
    return Outcome(case, rank, top)


def score(outcomes: list[Outcome]) -> tuple[float, float]:
    """(recall@3, mean reciprocal rank over the top 3)."""
    n = len(outcomes)
    recall = sum(o.rank is not None for o in outcomes) / n
    mrr = sum(1 / o.rank for o in outcomes if o.rank) / n
    return recall, mrr


RECALL_FLOOR = 0.95


def check_relevance(engine: Engine, label: str) -> None:
    """Run the whole set through ``engine``, print recall@3, MRR and misses, fail below the floor."""
    outcomes = [judge(engine, case) for case in load_cases()]
    recall, mrr = score(outcomes)
    misses = [o for o in outcomes if o.rank is None]
    print(f"\n{label} relevance: {len(outcomes)} queries, recall@3 = {recall:.3f}, MRR = {mrr:.3f}")
    for o in misses:
        print(f"  miss: {o.case.q!r} -> top 3 {o.top}")
    assert recall >= RECALL_FLOOR, f"recall@3 {recall:.3f} < {RECALL_FLOOR}: {[o.case.q for o in misses]}"
