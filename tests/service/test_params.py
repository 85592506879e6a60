"""Building a search from request parameters: strict for the API, lenient for the pages."""

from __future__ import annotations

from typing import Any

import pytest

from search.model import Query
from search.sqlite_engine import SqliteEngine
from service.params import (
    AUDIENCES,
    CHANNELS,
    COSTS,
    MAX_Q,
    BadParameter,
    EngineUnavailable,
    Vocabulary,
    build_query,
    run_search,
)

VOCAB = Vocabulary(
    regions=frozenset({"KR", "KR-11", "KR-26"}),
    kinds=frozenset({"helpline", "police"}),
    topics=frozenset({"takedown", "legal"}),
)


def strict(**params: Any) -> Query:
    return build_query(VOCAB, strict=True, **params)


def lenient(**params: Any) -> Query:
    return build_query(VOCAB, strict=False, **params)


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
        ({"topic": ["weather"]}, "topic"),
        ({"audience": ["aliens"]}, "audience"),
        ({"cost": ["cheap"]}, "cost"),
        ({"channel": ["pigeon"]}, "channel"),
        ({"language": ["Vietnamese"]}, "language"),
        ({"lang": "fr"}, "lang"),
        ({"q": "가" * (MAX_Q + 1)}, "q"),
    ],
)
def test_strict_names_the_parameter_it_cannot_use(params: dict[str, Any], parameter: str) -> None:
    with pytest.raises(BadParameter) as caught:
        strict(**params)
    assert caught.value.parameter == parameter
    assert caught.value.status_code == 400
    assert parameter in caught.value.detail


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


class _BrokenEngine:
    def search(self, query: Query) -> Any:
        raise OSError("disk gone")


def test_an_engine_failure_is_unavailable_not_a_crash(engine: SqliteEngine) -> None:
    assert run_search(engine, Query(q="1366")).total >= 1
    with pytest.raises(EngineUnavailable) as caught:
        run_search(_BrokenEngine(), Query(q="1366"))  # type: ignore[arg-type]
    assert caught.value.status_code == 503
    assert "disk gone" not in caught.value.detail
