"""Validation of where a service is (its 시·군·구 and 읍·면·동) and of each number's own source."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.catalog import load_catalog
from tests.search.test_catalog import problems, write

LOCAL = """\
resources:
  - id: counselling-test
    kind: counselling-centre
    topics: [counselling]
    name: {ko: 시험상담소, en: Test Counselling Centre}
    summary: {ko: 상담해요., en: Someone listens.}
    regions: [KR-47]
    district: 포항시 북구
    town: 대흥동
    phones:
      - number: "054-000-0000"
        source: https://example.org/a
    links:
      - type: website
        url: https://example.org/home
        source: https://example.org/a
    sources: [https://example.org/a]
    checked: 2026-01-02
    confidence: official
"""


def test_a_district_and_town_of_the_list_pass(data_copy: Path) -> None:
    catalog = load_catalog(write(data_copy, LOCAL), require_item_sources=True)
    assert catalog.resources[0].district == "포항시 북구" and not catalog.unsourced


@pytest.mark.parametrize(
    ("before", "after", "line", "message"),
    [
        ("district: 포항시 북구", "district: 북구", 8, "'북구' is not a 시·군·구 of KR-47"),
        ("regions: [KR-47]", "regions: [KR-11]", 8, "'포항시 북구' is not a 시·군·구 of KR-11"),
        ("town: 대흥동", "town: 용암동", 9, "'용암동' is not a 읍·면·동 of 포항시 북구"),
        ("    district: 포항시 북구\n", "", 8, "a town needs its district"),
    ],
)
def test_a_district_or_town_not_in_the_list_is_reported(
    data_copy: Path, before: str, after: str, line: int, message: str
) -> None:
    text = LOCAL.replace(before, after)
    assert text != LOCAL
    d = write(data_copy, text)
    found = problems(d)
    assert len(found) == 1 and found[0].startswith(f"{d}/resources.yaml:{line}:") and message in found[0], (
        found
    )


def test_a_town_people_name_from_places_yaml_counts(data_copy: Path) -> None:
    # 동탄 is not a legal-dong name; data/places.yaml adds it to 화성시.
    text = LOCAL.replace("[KR-47]", "[KR-41]").replace("포항시 북구", "화성시").replace("대흥동", "동탄")
    assert load_catalog(write(data_copy, text)).resources[0].town == "동탄"


def test_a_number_or_link_without_its_own_source_is_listed_or_fails_when_required(data_copy: Path) -> None:
    text = LOCAL.replace('"054-000-0000"\n        source: https://example.org/a', '"054-000-0000"')
    assert text != LOCAL
    d = write(data_copy, text)
    listed = load_catalog(d, require_item_sources=False).unsourced
    assert [p.where for p in listed] == ["resources[counselling-test].phones[0]"]
    assert listed[0].line == 11 and "'054-000-0000' names no source" in listed[0].message
    found = problems(d)  # required by default
    assert (
        len(found) == 1 and found[0].startswith(f"{d}/resources.yaml:11:") and "names no source" in found[0]
    )


def test_districts_are_not_checked_without_a_coded_places_list(data_copy: Path) -> None:
    # A data directory from before codes and centres: the aliases still load, districts go unchecked.
    tsv = data_copy / "places.tsv"
    rows = [line.split("\t")[:3] for line in tsv.read_text(encoding="utf-8").splitlines()]
    tsv.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    text = LOCAL.replace("district: 포항시 북구", "district: 북구")
    assert load_catalog(write(data_copy, text)).resources[0].district == "북구"
