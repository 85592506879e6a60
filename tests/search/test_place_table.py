"""Where each district and town is: legal-dong codes and centres from data/places.tsv."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.places import DistrictInfo, PlaceTable, distance_km, district_info, load_place_table, town_info

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def table() -> PlaceTable:
    return load_place_table(DATA)


def test_every_district_and_town_has_a_code_and_a_centre_in_korea(table: PlaceTable) -> None:
    assert len(table.districts) > 250 and len(table.towns) > 5000
    for info in [*table.districts.values(), *table.towns.values()]:
        assert len(info.code) == 10 and info.code.isdigit(), info
        # Korea's extreme points: Marado 33.1 N, Dokdo 131.9 E, Baengnyeongdo 124.6 E, Goseong 38.6 N.
        assert 33.0 < info.lat < 38.7 and 124.5 < info.lng < 132.0, info
    assert all(info.code.endswith("00000") for info in table.districts.values())


def test_a_towns_code_begins_with_its_districts(table: PlaceTable) -> None:
    for (region, district, town), info in table.towns.items():
        parent = table.district(region, district)
        assert parent is not None, (region, district, town)
        assert info.code[:5] == parent.code[:5], (region, district, town)


def test_a_city_with_gu_is_written_as_resources_write_it() -> None:
    north = district_info("KR-47", "포항시 북구", DATA)
    city = district_info("KR-47", "포항시", DATA)
    assert north is not None and city is not None
    assert north.code[:4] == city.code[:4] and north.code != city.code
    assert district_info("KR-47", "북구", DATA) is None  # a bare 구 is ambiguous: not how entries write it
    assert district_info("KR-11", "포항시 북구", DATA) is None  # the region must match


def test_towns_are_found_in_their_district() -> None:
    yongam = town_info("KR-43", "청주시 상당구", "용암동", DATA)
    assert yongam is not None and yongam.code.startswith("43111")
    assert town_info("KR-43", "청주시 흥덕구", "용암동", DATA) is None


def test_the_table_ignores_a_file_without_codes(tmp_path: Path) -> None:
    (tmp_path / "places.tsv").write_text("강남구\tKR-11\tdistrict:\n", encoding="utf-8")
    assert load_place_table(tmp_path).districts == {}
    assert load_place_table(tmp_path / "none").districts == {}


def test_distance_is_the_great_circle_one() -> None:
    a = DistrictInfo("0", 37.5665, 126.9780)  # Seoul City Hall
    b = (35.1796, 129.0756)  # Busan City Hall
    d = distance_km(a, b)
    assert 320 < d < 330  # about 325 km as the crow flies
    assert distance_km(b, a) == pytest.approx(d)
    assert distance_km(a, a) == 0
    # One degree of latitude is 111.2 km on a sphere of the mean radius.
    assert distance_km((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111.19, abs=0.01)


def test_neighbouring_district_centres_are_near_and_distant_ones_far() -> None:
    gangnam, seocho = district_info("KR-11", "강남구", DATA), district_info("KR-11", "서초구", DATA)
    jeju = district_info("KR-49", "제주시", DATA)
    assert gangnam and seocho and jeju
    assert distance_km(gangnam, seocho) < 10
    assert 400 < distance_km(gangnam, jeju) < 500


def test_districts_of_a_region_are_the_ones_people_live_in(table: PlaceTable) -> None:
    gyeongbuk = table.districts_of("KR-47")
    assert "포항시 북구" in gyeongbuk and "포항시" not in gyeongbuk and "경주시" in gyeongbuk
    assert table.districts_of("KR-50") == ["세종시"]
    assert len(table.districts_of("KR-11")) == 25
