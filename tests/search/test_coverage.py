"""Coverage: each family of local services per 시·도 against its real count, and who is far from one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from search.catalog import Catalog
from search.coverage import CoverageError, Family, coverage, family_of, load_families
from search.model import Resource
from search.places import distance_km, district_info

DATA = Path(__file__).resolve().parents[2] / "data"


def entry(rid: str, **fields: Any) -> Resource:
    base: dict[str, Any] = {
        "id": rid,
        "kind": "counselling-centre",
        "topics": ["counselling", "sexual-violence"],
        "name": {"ko": f"상담소 {rid}", "en": f"Centre {rid}"},
        "summary": {"ko": "상담해 줘요.", "en": "Someone listens."},
        "regions": ["KR-42"],
        "sources": ["https://example.org/a"],
        "checked": "2026-12-04",
        "confidence": "dated",
    }
    return msgspec.convert({**base, **fields}, Resource)


def catalog_of(real: Catalog, *resources: Resource) -> Catalog:
    return Catalog(list(resources), real.regions, real.taxonomy, real.synonyms, "test")


@pytest.fixture(scope="module")
def families() -> list[Family]:
    return load_families(DATA)


def test_the_families_file_names_real_counts_with_dated_or_marked_sources(
    families: list[Family], catalog: Catalog
) -> None:
    keys = [f.key for f in families]
    assert len(keys) == len(set(keys)) and len({f.short for f in families}) == len(keys)
    regions = {g.code for g in catalog.regions} - {"KR"}
    kinds = {k.key for k in catalog.taxonomy.kinds}
    topics = {t.key for t in catalog.taxonomy.topics}
    for fam in families:
        assert fam.real.count > 0 and fam.real.source.url.startswith(("https://", "http://")), fam.key
        assert set(fam.kinds) <= kinds and set(fam.topics) <= topics, fam.key
        if fam.by_region:
            assert set(fam.by_region.counts) <= regions, fam.key
            # A list of the real services cannot hold more of them than the real count.
            assert sum(fam.by_region.counts.values()) <= fam.real.count, fam.key


def test_an_entry_belongs_to_a_family_by_id_kind_and_topics(families: list[Family]) -> None:
    by_key = {f.key: f for f in families}
    assert family_of(entry("counselling-wonju"), families) is by_key["sexual-violence-counselling"]
    # Wrong topics, a nationwide umbrella, or another prefix: not a local 성폭력피해상담소.
    assert family_of(entry("counselling-wonju", topics=["counselling"]), families) is None
    assert family_of(entry("counselling-all", regions=["KR"]), families) is None
    assert family_of(entry("hansasung-wonju"), families) is None
    smile = entry("smile-wonju", kind="victim-support", topics=["trauma"])
    assert family_of(smile, families) is by_key["smile"]
    assert family_of(entry("smile-centers", kind="victim-support", regions=["KR"]), families) is None


def test_counts_per_region_and_the_districts_far_from_a_service(
    catalog: Catalog, families: list[Family]
) -> None:
    wonju = entry("counselling-wonju", district="원주시", town="학성동")
    chuncheon = entry("counselling-chuncheon", district="춘천시")
    unlocated = entry("counselling-somewhere")
    both = entry("counselling-two-regions", regions=["KR-42", "KR-43"])
    report = coverage(catalog_of(catalog, wonju, chuncheon, unlocated, both), DATA, families)
    sv = next(f for f in report.families if f.key == "sexual-violence-counselling")
    assert sv.have == 4 and sv.by_region["KR-42"] == 4 and sv.by_region["KR-43"] == 1
    assert sv.by_region["KR-11"] == 0 and sv.real_by_region["KR-11"] > 0
    assert sv.located == 2 and sv.districts_with_own == 2
    far = {(f.region, f.district): f for f in sv.far}
    assert ("KR-42", "원주시") not in far and ("KR-42", "춘천시") not in far
    assert len(far) == sv.districts - 2
    # 횡성군 is next to 원주시; the distance is from its centre to 원주시's town 학성동.
    hoengseong = far[("KR-42", "횡성군")]
    assert hoengseong.nearest == "counselling-wonju" and hoengseong.nearest_district == "원주시"
    a, b = district_info("KR-42", "횡성군", DATA), district_info("KR-42", "원주시", DATA)
    assert a and b and 5 < hoengseong.km < 40 and abs(hoengseong.km - distance_km(a, b)) < 10
    assert far[("KR-42", "화천군")].nearest == "counselling-chuncheon"
    assert far[("KR-49", "서귀포시")].km > 400  # from Jeju the nearest is across the sea
    smile = next(f for f in report.families if f.key == "smile")
    assert smile.have == 0 and smile.located == 0 and smile.far and all(f.nearest is None for f in smile.far)


def test_a_city_with_gu_covers_its_gu_when_the_entry_names_only_the_city(
    catalog: Catalog, families: list[Family]
) -> None:
    city = entry("counselling-cheongju", regions=["KR-43"], district="청주시")
    sv = next(
        f for f in coverage(catalog_of(catalog, city), DATA, families).families if f.key.startswith("sexual")
    )
    covered = {"청주시 상당구", "청주시 서원구", "청주시 흥덕구", "청주시 청원구"}
    assert not covered & {f.district for f in sv.far if f.region == "KR-43"}
    assert sv.districts_with_own == 4


def test_a_broken_families_file_says_where(tmp_path: Path) -> None:
    with pytest.raises(CoverageError, match="no such file"):
        load_families(tmp_path)
    (tmp_path / "coverage.yaml").write_text("families:\n  - key: x\n", encoding="utf-8")
    with pytest.raises(CoverageError, match="coverage.yaml"):
        load_families(tmp_path)
    (tmp_path / "coverage.yaml").write_text("families: [\n", encoding="utf-8")
    with pytest.raises(CoverageError, match="coverage.yaml"):
        load_families(tmp_path)


def test_the_real_data_reports_every_family(catalog: Catalog, families: list[Family]) -> None:
    report = coverage(catalog, DATA)
    assert [f.key for f in report.families] == [f.key for f in families]
    for fam in report.families:
        # Every member counts in at least one of its regions; none is nationwide only.
        assert sum(fam.by_region.values()) >= fam.have
        assert fam.districts_with_own + len(fam.far) == fam.districts > 250
        assert all(f.km is None or f.km > 0 for f in fam.far)
