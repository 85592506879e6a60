from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from search.model import Hours, Link, Phone, Query, Resource

BASE = {
    "id": "sample-line",
    "kind": "hotline",
    "topics": ["counselling"],
    "name": {"ko": "상담전화", "en": "Helpline"},
    "summary": {"ko": "상담합니다.", "en": "Someone listens."},
    "regions": ["KR"],
    "sources": ["https://example.org/page"],
    "checked": "2026-11-01",
    "confidence": "official",
}


def test_minimal_resource_decodes_with_defaults() -> None:
    r = msgspec.convert(BASE, Resource)
    assert r.checked == dt.date(2026, 11, 1)
    assert r.audiences == ["everyone"] and r.cost == "unknown" and r.anonymous == "unknown"


@pytest.mark.parametrize("field", ["nickname", "phone_numbers"])
def test_unknown_fields_are_rejected(field: str) -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.convert({**BASE, field: "x"}, Resource)


@pytest.mark.parametrize(
    "number",
    [
        "112",
        "1366",
        "142-235",
        "051-1366",
        "1577-1366",
        "02-735-8994",
        "031-729-2923",
        "010-1234-5678",
        "#0117",
        "+1-800-843-5678",
    ],
)
def test_phone_pattern_accepts_korean_dial_forms(number: str) -> None:
    assert msgspec.convert({"number": number}, Phone).number == number


@pytest.mark.parametrize("number", ["02-735-89", "027358994", "12", "call us", "02 735 8994", "1366-"])
def test_phone_pattern_rejects_malformed_numbers(number: str) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"number": number}, Phone)


@pytest.mark.parametrize("url", ["http://d4u.stop.or.kr/", "javascript:alert(1)", "ftp://x.org", "https://"])
def test_links_must_be_https(url: str) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"type": "website", "url": url}, Link)


def test_links_accept_mailto_and_tel() -> None:
    assert msgspec.convert({"type": "email", "url": "mailto:abuse@telegram.org"}, Link)
    assert msgspec.convert({"type": "website", "url": "tel:1366"}, Link)


@pytest.mark.parametrize(
    "bad", [{"id": "Bad_ID"}, {"regions": ["KR-99x"]}, {"confidence": "sure"}, {"checked": "soon"}]
)
def test_constraints(bad: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**BASE, **bad}, Resource)


def test_hours_clock_format() -> None:
    ok = msgspec.convert({"weekly": [{"days": ["mon"], "open": "09:00", "close": "24:00"}]}, Hours)
    assert ok.weekly[0].close == "24:00"
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"weekly": [{"days": ["mon"], "open": "9am", "close": "18:00"}]}, Hours)


def test_query_limits() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"limit": 1000}, Query)
    assert msgspec.convert({"q": "상담"}, Query).lang == "ko"
