"""Nearness to the place a person names (search/nearby.py)."""

from __future__ import annotations

from search.nearby import REGION_WIDE_KM, Nearby, centres, locality
from search.places import Place

TABLE = {
    "KR-48|김해시": [35.2285, 128.8894],
    "KR-48|창원시 의창구": [35.2540, 128.6394],
    "KR-48|진주시": [35.1800, 128.1076],
    "KR-47|포항시 북구": [36.0755, 129.3415],
}


def test_her_own_district_is_nearest_then_by_distance() -> None:
    near = Nearby(Place("김해시", "KR-48"), centres(TABLE))
    assert near.km("김해시") == 0
    assert 15 < near.km("창원시 의창구") < 30 < near.km("진주시")
    # A service that serves the whole region from one office sits between them.
    assert near.km("") == REGION_WIDE_KM


def test_a_town_is_in_its_district_and_a_gu_in_its_city() -> None:
    near = Nearby(Place("용암동", "KR-43", "청주시 상당구"))
    assert near.same_district("청주시 상당구") and near.same_district("청주시")
    assert not near.same_district("충주시")
    # A 구 named without its city is found when it is unique in the region.
    assert centres(TABLE)("KR-47", "북구") == (36.0755, 129.3415)


def test_locality_says_how_many_are_there_or_the_nearest() -> None:
    class Bands:
        nearby = Nearby(Place("진주시", "KR-48"), centres(TABLE))
        kinds = {"counselling-centre"}

        def serves(self, kind: str, topics: str, audiences: str = "") -> bool:
            return kind in self.kinds

    rows = [
        {"id": "a", "national": 0, "district": "김해시", "kind": "counselling-centre"},
        {"id": "b", "national": 0, "district": "창원시 의창구", "kind": "counselling-centre"},
        {"id": "c", "national": 1, "district": "", "kind": "hotline"},
    ]
    found = locality(rows, Bands())
    assert found is not None and found.in_district == 0
    assert (found.nearest_id, found.nearest_district) == ("b", "창원시 의창구")
    rows.append({"id": "d", "national": 0, "district": "진주시", "kind": "counselling-centre"})
    found = locality(rows, Bands())
    assert found is not None and found.in_district == 1 and found.nearest_id is None
