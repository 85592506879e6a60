"""The directory's coverage promises, asserted so they never regress."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from search.catalog import Catalog
from search.hours import SEOUL
from search.model import Source

#: National lines the directory must always carry, by the number people dial.
NATIONAL_LINES = {
    "1366": "women's emergency line (24/7), digital sex crime intake since April 2025",
    "02-735-8994": "Central Digital Sex Crime Victim Support Center",
    "112": "police",
    "182": "police civil complaints",
    "117": "school violence",
    "#0117": "school violence by text",
    "1377": "illegal-content reports to the content regulator",
    "132": "Korea Legal Aid Corporation",
    "1388": "youth counselling",
    "1577-1366": "Danuri (13 languages)",
    "1577-1295": "Crime Victim Support Centers",
    "109": "suicide prevention (one number since 2024-01-01)",
    "1577-0199": "mental health crisis line",
}
PLATFORMS = {
    "telegram", "google", "youtube", "meta", "x", "tiktok", "discord", "reddit", "snapchat", "kakao", "naver",
    "microsoft", "pornhub",
}  # fmt: skip
MISPRINTS = {"02-735-8894", "1577-1336", "02-1234-5678"}


def test_at_least_120_resources(catalog: Catalog) -> None:
    assert len(catalog.resources) >= 120


def test_every_region_has_three_region_specific_entries(catalog: Catalog) -> None:
    counts = Counter(code for r in catalog.resources for code in r.regions if code != "KR")
    regions = [g.code for g in catalog.regions if g.code != "KR"]
    assert len(regions) == 17
    thin = {code: counts[code] for code in regions if counts[code] < 3}
    assert not thin, f"regions below 3 region-specific entries: {thin}"


def test_national_lines_present(catalog: Catalog) -> None:
    numbers = {p.number for r in catalog.resources if "KR" in r.regions for p in r.phones}
    missing = {n: why for n, why in NATIONAL_LINES.items() if n not in numbers}
    assert not missing


def test_named_national_services_present(catalog: Catalog) -> None:
    for rid in ("police-ecrm", "victim-state-lawyer", "legal-home-doctor", "smile-centers", "hansasung",
                "tacteen-naeil", "wee-class-center", "teachers-1395", "sexual-exploitation-youth-centers",
                "sunflower-centers"):  # fmt: skip
        assert rid in catalog.by_id, rid


def test_the_bucheon_sunflower_center_is_listed(catalog: Catalog) -> None:
    r = catalog.by_id["sunflower-gyeonggi-central"]
    assert [p.number for p in r.phones] == ["032-651-1375"] and r.hours and r.hours.always
    assert r.regions == ["KR-41"]


def test_sources_are_mostly_dated(catalog: Catalog) -> None:
    """Most entries have a source that states its date, so the audit can tell what is stale."""
    dated = sum(1 for r in catalog.resources if r.as_of is not None)
    assert dated / len(catalog.resources) >= 0.8


def test_most_sources_state_their_date(catalog: Catalog) -> None:
    """Counted per source, not per entry: an entry's one dated source must not hide many undated ones."""
    sources = [s for r in catalog.resources for s in r.sources]
    dated = [s for s in sources if isinstance(s, Source) and s.as_of is not None]
    assert len(dated) / len(sources) >= 0.65


def test_male_victims_have_a_route(catalog: Catalog) -> None:
    """Men and boys find an entry meant for them, resting on dated sources."""
    for_men = [r for r in catalog.resources if "men" in r.audiences]
    assert for_men
    for r in for_men:
        assert any(isinstance(s, Source) and s.as_of is not None for s in r.sources), r.id


def test_platforms_covered(catalog: Catalog) -> None:
    covered = {r.platform for r in catalog.resources if r.kind == "platform-report"}
    assert covered >= PLATFORMS, PLATFORMS - covered
    for rid in ("stopncii", "take-it-down", "ncmec-cybertipline"):
        assert rid in catalog.by_id


def test_guides_present_and_linked(catalog: Catalog) -> None:
    guides = {"guide-first-steps", "guide-preserve-evidence", "guide-under-18"}
    assert guides <= catalog.by_id.keys()
    linked = {ref for r in catalog.resources for ref in r.see_also}
    assert guides <= linked, "every guide is linked from the entries it concerns"


def test_sources_were_dated_before_they_were_read(catalog: Catalog) -> None:
    """A source's own date comes before the day it was read, which is not in the future; an
    entry cites each page once."""
    today = dt.datetime.now(SEOUL).date()
    for r in catalog.resources:
        assert r.checked <= today, r.id
        for s in r.sources:
            if isinstance(s, Source) and isinstance(s.as_of, dt.date):
                assert s.as_of <= r.checked, (r.id, s.url)
            elif isinstance(s, Source) and isinstance(s.as_of, int):
                assert s.as_of <= r.checked.year, (r.id, s.url)
        assert len(set(r.source_urls)) == len(r.source_urls), r.id


def test_unconfirmed_entries_say_why(catalog: Catalog) -> None:
    # An entry marked unconfirmed tells the reader what to double-check.
    assert all(r.caveat for r in catalog.resources if r.confidence == "unconfirmed")


def test_known_misprints_never_appear(catalog: Catalog) -> None:
    numbers = {p.number for r in catalog.resources for p in r.phones}
    assert not numbers & MISPRINTS


def test_inferred_sejong_number_not_published(catalog: Catalog) -> None:
    # 044-1366 follows the area-code rule but no source states it.
    assert all(p.number != "044-1366" for r in catalog.resources for p in r.phones)


def test_current_official_names(catalog: Catalog) -> None:
    text = " ".join(f"{r.name.ko} {r.summary.ko}" for r in catalog.resources)
    # The old ministry name may appear only as "formerly": 성평등가족부(옛 여성가족부).
    assert "여성가족부" not in text.replace("성평등가족부", "").replace("옛 여성가족부", "")
    regions = {g.code: g.name.ko for g in catalog.regions}
    assert regions["KR-45"] == "전북특별자치도" and regions["KR-42"] == "강원특별자치도"


def test_needs_name_only_services_that_exist(catalog: Catalog) -> None:
    missing = [rid for rid in catalog.needs.ids() if rid not in catalog.by_id]
    unexpected = [rid for rid in missing if rid not in catalog.needs.pending]
    assert not unexpected, f"data/needs.yaml names ids no resource has (and not as pending): {unexpected}"
    assert catalog.needs.needs, "data/needs.yaml has no needs"


def test_every_first_line_is_a_phone_a_person_answers(catalog: Catalog) -> None:
    from search.needs import HUMAN_KINDS

    for key, need in catalog.needs.needs.items():
        for rid in need.first:
            r = catalog.by_id[rid]
            assert r.kind in HUMAN_KINDS and any(p.type != "sms" for p in r.phones), f"{key}: {rid}"
    for rung in catalog.needs.danger:
        for rid in rung.first:
            if rid in catalog.needs.pending and rid not in catalog.by_id:
                continue
            r = catalog.by_id[rid]
            assert r.kind in HUMAN_KINDS and any(p.type != "sms" for p in r.phones), f"{rung.key}: {rid}"
