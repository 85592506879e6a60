"""The directory's coverage promises, asserted so they never regress."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from search.audit import CONFIRMED_SINCE, number_status
from search.catalog import Catalog
from search.coverage import load_families
from search.hours import SEOUL
from search.model import Source

DATA = Path(__file__).resolve().parents[2] / "data"

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
#: Per family of data/coverage.yaml: (entries, entries with a 시·군·구), as the data holds them.
FAMILY_FLOORS = {
    "sexual-violence-counselling": (176, 171),
    "victim-support": (51, 39),
    "smile": (16, 15),
    "youth-exploitation": (17, 5),
    "youth-counselling": (55, 43),
    "sunflower": (41, 41),
    "women1366": (18, 1),
}


def test_at_least_475_resources(catalog: Catalog) -> None:
    assert len(catalog.resources) >= 475


def test_every_region_has_seven_region_specific_entries(catalog: Catalog) -> None:
    # Sejong has the fewest (7: its 1366 centre, two counselling centres, …); most have dozens.
    counts = Counter(code for r in catalog.resources for code in r.regions if code != "KR")
    regions = [g.code for g in catalog.regions if g.code != "KR"]
    assert len(regions) == 17
    thin = {code: counts[code] for code in regions if counts[code] < 7}
    assert not thin, f"regions below 7 region-specific entries: {thin}"


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


def test_every_number_and_link_names_the_source_that_states_it(catalog: Catalog) -> None:
    for r in catalog.resources:
        urls = set(r.source_urls)
        for item in [*r.phones, *r.links]:
            assert item.source in urls, (r.id, item)


def test_a_number_resting_on_an_old_list_says_so(catalog: Catalog) -> None:
    """The target that replaced "most sources dated": each number is judged by the source that
    states it, and one that no dated source has stated since 2023 is on the audit's work list;
    its entry must not claim to be current (confidence official) and must say what to check."""
    for r in catalog.resources:
        for phone in r.phones:
            status = number_status(r, phone)
            if status.basis == "own" and status.year is not None and status.year < CONFIRMED_SINCE:
                assert r.confidence != "official" and r.caveat, (r.id, phone.number, status.year)


def test_each_family_of_local_services_holds_at_least_what_it_holds_now(catalog: Catalog) -> None:
    """Floors at the counts of data/local (a floor far below the data would catch nothing)."""
    families = {f.key: f for f in load_families(DATA)}
    assert set(FAMILY_FLOORS) == set(families)
    for key, (members, located) in FAMILY_FLOORS.items():
        found = [r for r in catalog.resources if families[key].holds(r)]
        assert len(found) >= members, (key, len(found))
        assert sum(1 for r in found if r.district) >= located, key


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
    human = catalog.kinds.human  # data/kinds.yaml: the kinds where a person answers
    assert human, "data/kinds.yaml names no kind where a person answers"
    for key, need in catalog.needs.needs.items():
        for rid in need.first:
            r = catalog.by_id[rid]
            assert r.kind in human and any(p.type != "sms" for p in r.phones), f"{key}: {rid}"
    for rung in catalog.needs.danger:
        for rid in rung.first:
            if rid in catalog.needs.pending and rid not in catalog.by_id:
                continue
            r = catalog.by_id[rid]
            assert r.kind in human and any(p.type != "sms" for p in r.phones), f"{rung.key}: {rid}"
