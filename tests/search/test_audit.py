"""The audit: what a maintainer should look at next, and what is repeated on purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from search.audit import CONFIRMED_SINCE, COVERAGE_TARGET, SHARED_LINES, Finding, _months_before, audit
from search.catalog import Catalog
from search.model import Resource

TODAY = dt.date(2026, 11, 25)


def resource(rid: str, **fields: Any) -> Resource:
    base: dict[str, Any] = {
        "id": rid,
        "kind": "hotline",
        "topics": ["counselling"],
        "name": {"ko": f"상담전화 {rid}", "en": f"Helpline {rid}"},
        "summary": {"ko": "상담해 줘요.", "en": "Someone listens."},
        "regions": ["KR"],
        "sources": [{"url": "https://example.org/a", "as_of": "2026-01-01"}],
        "checked": TODAY.isoformat(),
        "confidence": "official",
    }
    return msgspec.convert({**base, **fields}, Resource)


def catalog_of(real: Catalog, *resources: Resource) -> Catalog:
    return Catalog(list(resources), real.regions, real.taxonomy, real.synonyms, "test")


def findings(real: Catalog, *resources: Resource, check: str | None = None) -> list[Finding]:
    report = audit(catalog_of(real, *resources), today=TODAY)
    return [f for f in report.findings if check is None or f.check == check]


def test_the_real_data_audits_and_1366_is_an_expected_shared_line(catalog: Catalog) -> None:
    report = audit(catalog)
    assert report.resources == len(catalog.resources)
    assert set(report.counts) == {
        "stale", "undated", "reread", "confidence", "text", "link", "shared-phone", "coverage", "number",
    }  # fmt: skip
    assert len(report.numbers) == sum(len(r.phones) for r in catalog.resources)
    shared = {f.subject: f for f in report.findings if f.check == "shared-phone"}
    assert shared["1366"].expected and shared["1366"].reason == SHARED_LINES["1366"]
    assert "women-1366" in shared["1366"].resources
    assert report.problems == [f for f in report.findings if not f.expected]
    msgspec.json.encode(report)  # --json needs it to encode


def test_a_clean_entry_has_no_findings(catalog: Catalog) -> None:
    # Alone in the catalog it leaves every region uncovered, and that is all.
    assert {f.check for f in findings(catalog, resource("clean-line"))} == {"coverage"}


def test_reread_after_twelve_months_not_before(catalog: Catalog) -> None:
    old = resource("old-line", checked="2025-11-24")
    edge = resource("edge-line", checked="2025-11-25")
    reread = findings(catalog, old, edge, check="reread")
    assert [f.subject for f in reread] == ["old-line"]
    assert "2025-11-24" in reread[0].message


def test_stale_when_the_newest_source_is_over_three_years_old(catalog: Catalog) -> None:
    def dated(rid: str, *as_of: object) -> Resource:
        return resource(rid, sources=["https://example.org/x", *({"url": f"https://example.org/{i}", "as_of": a}
                                                                  for i, a in enumerate(as_of))])  # fmt: skip

    old = dated("old-line", "2020-05-01", "2023-11-24")  # the newest counts
    edge = dated("edge-line", "2023-11-25")
    year = dated("year-line", 2022)  # a bare year: true until its end, so stale by late 2026
    recent_year = dated("recent-line", 2023)
    undated = resource("undated-line", sources=["https://example.org/x"])
    found = findings(catalog, old, edge, year, recent_year, undated)
    stale = [f for f in found if f.check == "stale"]
    assert [f.subject for f in stale] == ["old-line", "year-line"]
    assert stale[0].message == "newest source dated 2023, over 3 years ago"
    assert [f.subject for f in found if f.check == "undated"] == ["undated-line"]
    report = audit(catalog_of(catalog, old, edge, year), today=TODAY, stale_years=5)
    assert not [f for f in report.findings if f.check == "stale"]


def test_real_data_stale_entries_are_real(catalog: Catalog) -> None:
    report = audit(catalog)
    stale = {f.subject for f in report.findings if f.check == "stale"}
    for rid in stale:
        as_of = catalog.by_id[rid].as_of
        assert as_of is not None and as_of < dt.date.today() - dt.timedelta(days=3 * 365 - 2)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 25), 12, dt.date(2025, 11, 25)),
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 15), 1, dt.date(2025, 12, 15)),
    ],
)
def test_months_before(day: dt.date, months: int, expected: dt.date) -> None:
    assert _months_before(day, months) == expected


def test_confidence_below_official(catalog: Catalog) -> None:
    found = findings(catalog, resource("a-line", confidence="dated"), resource("b-line"), check="confidence")
    assert [(f.subject, f.message) for f in found] == [("a-line", "confidence is dated, below official")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ({"ko": "상담전화", "en": "상담전화"}, "the English text is the Korean text"),
        (
            {"ko": "Call us any time of day", "en": "Call us any time of day"},
            "the Korean text is the English text",
        ),
        ({"ko": "상담전화", "en": "   "}, "the English text is blank"),
        ({"ko": " ", "en": "Helpline"}, "the Korean text is blank"),
        ({"ko": "상담전화", "en": "상담전화로 거세요 (call)"}, "the English text is mostly Korean"),
        (
            {"ko": "Someone will listen to you", "en": "Someone listens."},
            "the Korean text has no Korean in it",
        ),
    ],
)
def test_half_translated_text(catalog: Catalog, text: dict[str, str], problem: str) -> None:
    found = findings(catalog, resource("a-line", caveat=text), check="text")
    assert [f.message for f in found] == [f"caveat: {problem}"]


def test_identical_short_latin_names_and_labels_are_fine(catalog: Catalog) -> None:
    r = resource(
        "stop-ncii",
        name={"ko": "StopNCII", "en": "StopNCII"},
        phones=[{"number": "1366", "label": {"ko": "ECRM", "en": "ECRM"}}],
    )
    assert findings(catalog, r, check="text") == []


def test_empty_phone_label_is_found(catalog: Catalog) -> None:
    r = resource("a-line", phones=[{"number": "1366", "label": {"ko": " ", "en": "Call"}}])
    assert [f.message for f in findings(catalog, r, check="text")] == [
        "phones[0].label: the Korean text is blank"
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/page)", "ends with ')'"),
        ("https://example.org/board.do?", "ends with an empty query"),
        ("https://localhost/page", "has no valid host name"),
        ("https://example.org:99999/", "cannot be parsed"),
        ("mailto:help@localhost", "is not a usable email address"),
    ],
)
def test_malformed_links(catalog: Catalog, url: str, problem: str) -> None:
    r = resource("a-line", links=[{"type": "email" if url.startswith("mailto") else "website", "url": url}])
    found = findings(catalog, r, check="link")
    assert len(found) == 1 and problem in found[0].message and found[0].message.startswith("links[0].url")


def test_a_link_listed_twice_and_a_cut_source(catalog: Catalog) -> None:
    link = {"type": "website", "url": "https://example.org/"}
    r = resource("a-line", links=[link, link], sources=["http://example.org/news?"])
    messages = [f.message for f in findings(catalog, r, check="link")]
    assert messages == [
        "links[1].url: https://example.org/ is listed twice",
        "sources[0]: http://example.org/news? ends with an empty query (cut short when copied?)",
    ]


def test_good_links_pass(catalog: Catalog) -> None:
    r = resource(
        "a-line",
        links=[
            {"type": "website", "url": "https://d4u.stop.or.kr/"},
            {"type": "form", "url": "https://ecrm.police.go.kr/minwon/main?x=1#top"},
            {"type": "email", "url": "mailto:help@example.org"},
            {"type": "website", "url": "https://한국.kr/"},
        ],
        sources=["http://news.example.co.kr/view.php?id=1"],
    )
    assert findings(catalog, r, check="link") == []


def test_one_number_on_unrelated_entries_is_a_problem(catalog: Catalog) -> None:
    phones = [{"number": "02-123-4567"}]
    found = findings(
        catalog, resource("a-line", phones=phones), resource("b-line", phones=phones), check="shared-phone"
    )
    assert len(found) == 1
    assert (found[0].subject, found[0].resources, found[0].expected) == (
        "02-123-4567",
        ["a-line", "b-line"],
        False,
    )


def test_shared_national_lines_and_pointers_are_expected(catalog: Catalog) -> None:
    hotline = [{"number": "1366"}]
    own = [{"number": "02-123-4567"}]
    entries = [
        resource("a-line", phones=hotline + own),
        resource("b-line", phones=hotline),
        # A guide repeats the numbers it sends you to; c-line names a-line in see_also.
        resource("guide-x", kind="guide", phones=own),
        resource("c-line", phones=own, see_also=["a-line"]),
        resource("d-line", phones=[{"number": "051-1366"}]),
        resource("e-line", phones=[{"number": "051-1366"}]),
    ]
    found = {f.subject: f for f in findings(catalog, *entries, check="shared-phone")}
    assert set(found) == {"1366", "02-123-4567", "051-1366"}
    assert all(f.expected and f.reason for f in found.values())


def test_regions_below_the_coverage_target(catalog: Catalog) -> None:
    busan = [resource(f"busan-{i}", regions=["KR-26"]) for i in range(COVERAGE_TARGET)]
    found = {
        f.subject: f
        for f in findings(catalog, *busan, resource("seoul-1", regions=["KR-11"]), check="coverage")
    }
    assert "KR-26" not in found
    assert "has 1 region-specific entries (target 3)" in found["KR-11"].message
    assert "KR" not in found  # nationwide is not a region to cover
    assert len(found) == len(catalog.regions) - 2  # every other region has none


def test_strict_counts_ignore_expected_findings(catalog: Catalog) -> None:
    entries = [
        resource("a-line", phones=[{"number": "1366"}]),
        resource("b-line", phones=[{"number": "1366"}]),
    ]
    report = audit(catalog_of(catalog, *entries), today=TODAY)
    shared = [f for f in report.findings if f.check == "shared-phone"]
    assert shared and report.counts["shared-phone"] == 0
    assert report.problems and all(f.check == "coverage" for f in report.problems)


def test_progress_reports_every_resource(catalog: Catalog) -> None:
    done: list[int] = []
    audit(catalog, progress=done.append)
    assert sum(done) == len(catalog.resources)


def test_each_number_is_judged_by_the_source_it_names(catalog: Catalog) -> None:
    def line(rid: str, own: str | None, *sources: dict[str, Any]) -> Resource:
        phone: dict[str, Any] = {"number": "02-000-0000"}
        if own:
            phone["source"] = own
        return resource(rid, phones=[phone], sources=list(sources))

    new = {"url": "https://example.org/new", "as_of": "2025-03-01"}
    old = {"url": "https://example.org/old", "as_of": 2019}
    undated = {"url": "https://example.org/undated"}
    entries = [
        line("own-new", "https://example.org/new", new, old),
        line("own-old", "https://example.org/old", new, old),  # the entry's 2025 source does not state it
        line("own-undated", "https://example.org/undated", new, undated),
        line("entry-new", None, old, new),
        line("entry-old", None, old, undated),
        line("nothing-dated", None, undated),
    ]
    report = audit(catalog_of(catalog, *entries), today=TODAY)
    status = {n.resource: (n.year, n.basis, n.source) for n in report.numbers}
    assert status == {
        "own-new": (2025, "own", "https://example.org/new"),
        "own-old": (2019, "own", "https://example.org/old"),
        "own-undated": (None, "own", "https://example.org/undated"),
        "entry-new": (2025, "entry", "https://example.org/new"),
        "entry-old": (2019, "entry", "https://example.org/old"),
        "nothing-dated": (None, "none", None),
    }
    work = {f.resources[0]: f.message for f in report.findings if f.check == "number"}
    assert set(work) == {"own-old", "own-undated", "entry-old", "nothing-dated"}
    assert "last stated in 2019" in work["own-old"] and "prints no date" in work["own-undated"]
    assert report.counts["number"] == 4


def test_a_number_stated_in_the_first_year_counted_is_confirmed(catalog: Catalog) -> None:
    edge = resource("edge-line", phones=[{"number": "1366", "source": "https://example.org/a"}],
                    sources=[{"url": "https://example.org/a", "as_of": CONFIRMED_SINCE}])  # fmt: skip
    before = resource("before-line", phones=[{"number": "1388", "source": "https://example.org/a"}],
                      sources=[{"url": "https://example.org/a", "as_of": f"{CONFIRMED_SINCE - 1}-12-31"}])  # fmt: skip
    assert [f.resources for f in findings(catalog, edge, before, check="number")] == [["before-line"]]
