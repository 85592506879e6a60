"""Building a search from request parameters: strict for the API and the command, lenient for the pages."""

from __future__ import annotations

from typing import Any

import pytest

from search.facets import FILTERS
from search.model import MAX_LIMIT, MAX_OFFSET, MAX_Q, Query
from search.sqlite_engine import SqliteEngine
from service.query import AUDIENCES, CHANNELS, COSTS, QueryError, Vocabulary, build_query

VOCAB = Vocabulary(
    regions=frozenset({"KR", "KR-11", "KR-26"}),
    kinds=frozenset({"helpline", "police"}),
    topics=frozenset({"takedown", "legal"}),
)


def _split(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    filters = {k: v for k, v in params.items() if k in FILTERS}
    return filters, {k: v for k, v in params.items() if k not in FILTERS}


def strict(**params: Any) -> Query:
    filters, rest = _split(params)
    return build_query(VOCAB, strict=True, filters=filters, **rest)


def lenient(**params: Any) -> Query:
    filters, rest = _split(params)
    return build_query(VOCAB, strict=False, filters=filters, **rest)


def test_the_vocabulary_is_read_from_the_index(engine: SqliteEngine) -> None:
    vocab = Vocabulary.from_engine(engine)
    assert vocab.regions == {r.code for r in engine.regions()}
    assert "KR" in vocab.regions and "KR-26" in vocab.regions
    taxonomy = engine.taxonomy()
    assert vocab.kinds == {t.key for t in taxonomy["kind"]}
    assert vocab.topics == {t.key for t in taxonomy["topic"]}


def test_the_fixed_lists_come_from_the_model() -> None:
    assert "minors" in AUDIENCES and "free" in COSTS and "phone" in CHANNELS
    assert Query(channel=list(CHANNELS)).channel == list(CHANNELS)  # every one is a valid channel


def test_known_values_pass_through() -> None:
    query = strict(q="딥페이크", region="KR-26", kind=["police"], topic=["legal"], audience=["minors"],
                   cost=["free"], channel=["phone"], language=["vi"], open_now=True, lang="en",
                   limit=5, offset=10)  # fmt: skip
    assert (query.q, query.region, query.kind, query.topic) == ("딥페이크", "KR-26", ["police"], ["legal"])
    assert (query.audience, query.cost, query.channel, query.language) == (
        ["minors"],
        ["free"],
        ["phone"],
        ["vi"],
    )
    assert (query.open_now, query.lang, query.limit, query.offset) == (True, "en", 5, 10)


def test_repeated_and_comma_separated_values_are_one_list() -> None:
    query = strict(kind=["helpline,police", " police ", ""], topic=["takedown", "takedown"])
    assert query.kind == ["helpline", "police"]
    assert query.topic == ["takedown"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"region": "KR-99"}, "region"),
        ({"kind": ["helpline", "spaceship"]}, "kind"),
        # Spaces or control characters alone are a value, not the empty "any" a form sends.
        ({"kind": ["\x1f"]}, "kind"),
        ({"topic": ["  "]}, "topic"),
        ({"language": ["\t"]}, "language"),
        ({"topic": ["weather"]}, "topic"),
        ({"audience": ["aliens"]}, "audience"),
        ({"cost": ["cheap"]}, "cost"),
        ({"channel": ["pigeon"]}, "channel"),
        ({"language": ["Vietnamese"]}, "language"),
        ({"lang": "fr"}, "lang"),
        ({"q": "가" * (MAX_Q + 1)}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
    ],
)
def test_strict_names_the_parameter_it_cannot_use(params: dict[str, Any], parameter: str) -> None:
    with pytest.raises(QueryError) as caught:
        strict(**params)
    assert caught.value.parameter == parameter
    assert parameter in caught.value.detail


def test_the_limits_are_the_models_and_lenient_brings_values_within_them() -> None:
    assert strict(q="가" * MAX_Q, limit=MAX_LIMIT, offset=MAX_OFFSET).limit == MAX_LIMIT
    assert (lenient(limit=0).limit, lenient(limit=10**6).limit) == (1, MAX_LIMIT)
    assert (lenient(offset=-5).offset, lenient(offset=10**9).offset) == (0, MAX_OFFSET)


def test_a_name_outside_the_registry_is_refused_even_leniently() -> None:
    with pytest.raises(QueryError, match="platform"):
        build_query(VOCAB, strict=False, filters={"platform": ["x"]})


def test_lenient_drops_what_it_cannot_use_and_keeps_the_rest() -> None:
    query = lenient(q="가" * (MAX_Q + 5), region="KR-99", kind=["helpline", "spaceship"],
                    language=["vi", "Vietnamese"], lang="fr")  # fmt: skip
    assert query.q == "가" * MAX_Q
    assert query.region is None
    assert query.kind == ["helpline"]
    assert query.language == ["vi"]
    assert query.lang == "ko"


def test_a_nul_in_the_text_is_a_space() -> None:
    assert strict(q="불법\x00촬영").q == "불법 촬영"


def test_a_list_holds_at_most_twenty_values() -> None:
    codes = [f"l{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(30)]
    assert strict(language=codes).language == codes[:20]
