"""Places down to the town: what a person names and the region Haven hears."""

from __future__ import annotations

import pytest

from search.model import Query
from search.places import Place, place_rows
from search.sqlite_engine import SqliteEngine


def understood(engine: SqliteEngine, q: str) -> dict[str, object]:
    return engine.understand(Query(q=q)).plan.understood()


@pytest.mark.parametrize(
    ("q", "region", "place"),
    [("해운대 상담", "KR-26", "해운대구"), ("강남구 변호사", "KR-11", "강남구"), ("유성구", "KR-30", "유성구"),
     ("송도 해바라기센터", "KR-28", "송도"), ("동탄 중학생 딥페이크", "KR-41", "동탄"), ("일산", "KR-41", "일산"),
     ("분당 무료 변호사", "KR-41", "분당구"), ("하남시에서 상담", "KR-41", "하남시"), ("경산", "KR-47", "경산시"),
     ("광양 성폭력", "KR-46", "광양시"), ("Haeundae counselling", "KR-26", "해운대구"), ("gangnam lawyer", "KR-11", "강남구"),
     ("서귀포 상담", "KR-49", "서귀포시"), ("미추홀구", "KR-28", "미추홀구"), ("군위군", "KR-27", "군위군")],
)  # fmt: skip
def test_a_district_or_town_gives_its_region(engine: SqliteEngine, q: str, region: str, place: str) -> None:
    u = understood(engine, q)
    assert (u["region"], u["place"]) == (region, place)


@pytest.mark.parametrize("q", ["일산", "해운대", "gangnam", "송도", "유성"])
def test_a_place_word_is_never_a_text_term(engine: SqliteEngine, q: str) -> None:
    p = engine.understand(Query(q=q + " 상담")).plan
    assert [t.surface for t in p.terms] == ["상담"]
    assert not p.corrections  # 일산 is never "corrected" to 울산


def test_a_place_never_shows_another_regions_services(engine: SqliteEngine) -> None:
    for q in ["일산 상담", "해운대 해바라기", "gangnam counselling", "유성구 변호사", "동탄 딥페이크"]:
        res = engine.search(Query(q=q, limit=10))
        assert res.region
        assert res.results, q
        assert all(set(h.resource.regions) & {"KR", res.region} for h in res.results), q


def test_a_shared_name_says_which_reading_it_took_and_offers_the_others(engine: SqliteEngine) -> None:
    u = understood(engine, "고성 상담")
    assert u["region"] == "KR-42" and u["other_regions"] == ["KR-48"]
    u = understood(engine, "광주 해바라기")
    assert u["region"] == "KR-29" and "KR-41" in u["other_regions"]  # 경기도 광주시 offered


def test_another_region_in_the_query_decides_a_shared_name(engine: SqliteEngine) -> None:
    u = understood(engine, "부산 중구 상담")
    assert u["region"] == "KR-26" and u["other_regions"] == []


def test_everyday_words_that_are_also_district_stems_stay_words(engine: SqliteEngine) -> None:
    for q in ["음성 녹음 증거", "교사 연수", "예산"]:
        assert understood(engine, q)["place"] is None, q


def test_the_named_town_comes_first_within_its_region(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="의정부 스마일센터", limit=3))
    assert res.results[0].resource.id == "smile-uijeongbu"


def test_rows_mark_one_preferred_reading_per_shared_alias() -> None:
    rows = place_rows(
        [Place("중구", "KR-11"), Place("중구", "KR-26"), Place("해운대구", "KR-26")], prefer={"중구": "KR-11"}
    )
    preferred = {(r.alias, r.region) for r in rows if r.preferred}
    assert ("중구", "KR-11") in preferred and ("중구", "KR-26") not in preferred
    assert ("해운대", "KR-26") in preferred  # the stem of a district names it too
