"""Terminal text: widths in columns (Hangul takes two), cutting, wrapping, the results table."""

from __future__ import annotations

import unicodedata

import msgspec
import pytest

from search.model import Query
from search.sqlite_engine import SqliteEngine
from service.cli_text import audit_lines, fit, resource_lines, results_lines, width, wrap


def columns(text: str) -> int:
    """An independent count: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.mark.parametrize("text", ["", "1366", "부산해바라기센터", "Women's 1366 여성긴급전화", "ＡＢＣ"])
def test_width_counts_columns(text: str) -> None:
    assert width(text) == columns(text)


@pytest.mark.parametrize(
    "text", ["1366", "부산해바라기센터", "중앙디지털성범죄피해자지원센터 (D4U)", "a" * 30]
)
@pytest.mark.parametrize("size", [5, 10, 16])
def test_fit_gives_exactly_the_columns_asked(text: str, size: int) -> None:
    out = fit(text, size)
    assert columns(out) == size
    if columns(text) > size:
        assert out.rstrip().endswith("…")
    else:
        assert out.rstrip() == text


def test_wrap_keeps_to_the_margin_and_urls_whole() -> None:
    text = (
        "디지털성범죄 피해를 상담하고 삭제를 지원해요. " * 5 + "https://d4u.stop.or.kr/a/very/long/path/" * 2
    )
    lines = wrap(text, 30)
    url_lines = [line for line in lines if "://" in line]
    assert all(columns(line) <= 30 for line in lines if line not in url_lines)
    assert "https://d4u.stop.or.kr/a/very/long/path/https://d4u.stop.or.kr/a/very/long/path/" in url_lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_an_overlong_word_is_split() -> None:
    assert wrap("가" * 25, 10) == ["가" * 5] * 5


def test_results_fit_80_columns(engine: SqliteEngine) -> None:
    results = engine.search(Query(q="부산 상담", lang="ko", limit=10))
    regions = {g.code: g.name.get("ko") for g in engine.regions()}
    lines = results_lines(results, "ko", regions)
    assert len(lines) >= 3 and lines[-1].endswith("지금 운영 중")
    assert all(columns(line) <= 80 for line in lines)


def test_no_results_give_the_24_hour_line(engine: SqliteEngine) -> None:
    some = engine.search(Query(q="1366", lang="en", limit=1))
    none = msgspec.structs.replace(some, results=[], total=0, relaxed=None)
    assert results_lines(none, "en", {}) == ["No results. 24/7 help: 1366"]
    assert results_lines(none, "ko", {}) == ["결과가 없어요. 24시간 상담: 1366"]


def test_a_resource_in_full(engine: SqliteEngine) -> None:
    r = engine.get("women-1366")
    assert r is not None
    lines = resource_lines(r, "en", {}, {})
    assert any(line.startswith("☎ 1366") for line in lines)
    assert any(line.startswith("Hours") for line in lines)
    assert all(columns(line) <= 80 for line in lines if "://" not in line)


def test_audit_lines_count_what_to_look_at_and_what_is_expected() -> None:
    import datetime as dt

    from search.audit import Finding, Report

    findings = [
        Finding(check="stale", subject="a", message="sources from 2019"),
        Finding(check="shared_phone", subject="1366", message="on 2 entries", resources=["x", "y"]),
        Finding(
            check="shared_phone", subject="041-1366", message="on 2 entries", expected=True, reason="regional"
        ),
    ]
    report = Report(
        date=dt.date(2026, 3, 4), resources=5, counts={"stale": 1, "shared_phone": 1}, findings=findings
    )
    assert audit_lines(report) == [
        "stale: 1 to look at",
        "  a: sources from 2019",
        "shared_phone: 1 to look at, 1 expected",
        "  1366: on 2 entries [x, y]",
        "  041-1366: on 2 entries (expected: regional)",
        "5 resources audited on 2026-03-04: 2 to look at, 1 expected",
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Korean · English, Chinese via interpreter"), ("ko", "한국어 · 통역으로 영어, 중국어")],
)
def test_the_languages_row_says_which_come_through_an_interpreter(
    engine: SqliteEngine, lang: str, expected: str
) -> None:
    r = engine.get("police-112")
    assert r is not None and r.interpreted == ["en", "zh"]
    text = "\n".join(resource_lines(r, lang, {}, {}))  # type: ignore[arg-type]
    assert expected in text
    women = engine.get("women-1366")
    assert women is not None
    assert "KakaoTalk: women1366" in "\n".join(resource_lines(women, lang, {}, {}))  # type: ignore[arg-type]
