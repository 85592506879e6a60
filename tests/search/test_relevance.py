"""The relevance set through the SQLite engine: recall@3 must stay at or above 0.95."""

from __future__ import annotations

from search.sqlite_engine import SqliteEngine
from tests.relevance.harness import check_relevance, load_cases


def test_relevance_set_has_enough_queries() -> None:
    assert len(load_cases()) >= 80


def test_relevance_recall_at_3(engine: SqliteEngine) -> None:
    check_relevance(engine, "sqlite")
