"""The relevance set through the SQLite engine: recall@3 must stay at or above 0.95."""

from __future__ import annotations

from search.sqlite_engine import SqliteEngine
from tests.relevance.harness import judge, load_cases, score

RECALL_FLOOR = 0.95


def test_relevance_set_has_enough_queries() -> None:
    assert len(load_cases()) >= 80


def test_relevance_recall_at_3(engine: SqliteEngine) -> None:
    outcomes = [judge(engine, case) for case in load_cases()]
    recall, mrr = score(outcomes)
    misses = [o for o in outcomes if o.rank is None]
    print(f"\nrelevance: {len(outcomes)} queries, recall@3 = {recall:.3f}, MRR = {mrr:.3f}")
    for o in misses:
        print(f"  miss: {o.case.q!r} -> top 3 {o.top}")
    assert recall >= RECALL_FLOOR, f"recall@3 {recall:.3f} < {RECALL_FLOOR}: {[o.case.q for o in misses]}"
