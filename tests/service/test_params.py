"""The web side of a search: the API's query dependency and a failing engine."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from search.facets import FILTERS
from search.model import Query
from search.sqlite_engine import SqliteEngine
from service.params import EngineUnavailable, api_query, run_search


class _BrokenEngine:
    def search(self, query: Query) -> Any:
        raise OSError("disk gone")


def test_an_engine_failure_is_unavailable_not_a_crash(engine: SqliteEngine) -> None:
    assert run_search(engine, Query(q="1366")).total >= 1
    with pytest.raises(EngineUnavailable) as caught:
        run_search(_BrokenEngine(), Query(q="1366"))  # type: ignore[arg-type]
    assert caught.value.status_code == 503
    assert "disk gone" not in caught.value.detail


def test_the_api_declares_every_filter_of_the_registry() -> None:
    # Litestar reads the API's parameters from the dependency's signature: one per filter.
    declared = set(inspect.signature(api_query).parameters)
    assert set(FILTERS) <= declared
    assert declared - set(FILTERS) == {"live", "q", "region", "open_now", "lang", "limit", "offset"}


def test_the_first_name_given_again_is_the_one_named(client: Any) -> None:
    """In the address's order, in every process: names kept in a set come out in an order that
    changes with each process's string hashing, so each of six pairs would be right by chance
    once in two."""
    for first, second in [("q", "lang"), ("lang", "q"), ("limit", "offset"), ("offset", "limit"),
                          ("region", "lang"), ("x", "y")]:  # fmt: skip
        response = client.get(f"/api/v1/search?{first}=1&{second}=1&{second}=2&{first}=2")
        assert response.status_code == 400
        assert response.json()["parameter"] == second, (first, second)
