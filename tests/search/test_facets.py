"""search/facets.py: one counting rule for both engines' rows."""

from __future__ import annotations

from typing import get_type_hints

from search.facets import FACET_FIELDS, FILTERS, count_facets, ordered_facets
from search.model import Facets, Query


def test_pipe_lists_plain_lists_and_strings_count_alike() -> None:
    flat = [{"kind": "hotline", "topics": "|deepfake|stalking|", "regions": "|KR|"},
            {"kind": "police", "topics": "|deepfake|", "regions": "|KR-26|"}]  # fmt: skip
    docs = [{"kind": "hotline", "topics": ["deepfake", "stalking"], "regions": ["KR"]},
            {"kind": "police", "topics": ["deepfake"], "regions": ["KR-26"]}]  # fmt: skip
    assert count_facets(flat) == count_facets(docs)
    facets = count_facets(docs)
    assert facets.topic == {"deepfake": 2, "stalking": 1}
    assert facets.region == {"KR": 1, "KR-26": 1} and facets.channel == {}


def test_counts_fall_and_ties_go_in_key_order() -> None:
    rows = [{"kind": k} for k in ["police", "hotline", "guide", "hotline"]]
    assert list(count_facets(rows).kind.items()) == [("hotline", 2), ("guide", 1), ("police", 1)]
    distribution = {"kind": {"b": 1, "a": 1, "c": 3}}
    assert list(ordered_facets(distribution).kind) == ["c", "a", "b"]


def test_every_query_facet_has_a_field() -> None:
    assert set(FACET_FIELDS) == {"kind", "topic", "audience", "language", "cost", "channel", "region"}
    assert count_facets([]).kind == {}


def test_the_registry_is_the_facets_and_the_query_filters() -> None:
    # One list of facet names: what is counted (Facets), what is filtered (Query's list fields).
    assert list(FACET_FIELDS) == [*FILTERS, "region"]
    assert set(FACET_FIELDS) == set(Facets.__struct_fields__)
    hints = get_type_hints(Query)
    lists = {name for name in Query.__struct_fields__ if str(hints[name]).startswith("list[")}
    assert lists and set(FILTERS) == lists
