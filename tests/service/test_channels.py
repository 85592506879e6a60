"""The buttons within one card, in the order the hour suits, on a fixed Seoul clock; and the
languages line ("Korean only", "English via interpreter")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import msgspec
import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.testing import TestClient

from search.hours import SEOUL, open_state
from search.model import Hit, Resource
from search.sqlite_engine import SqliteEngine
from service.channels import is_night
from service.i18n import strings
from service.present import Presenter

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "templates"

#: A Wednesday in Seoul, at 14:00 (office hours) and 23:30 (night).
DAY = dt.datetime(2026, 12, 2, 14, 0, tzinfo=SEOUL)
NIGHT = dt.datetime(2026, 12, 2, 23, 30, tzinfo=SEOUL)
EARLY = dt.datetime(2026, 12, 3, 7, 59, tzinfo=SEOUL)


def _resource(hours: dict | None) -> Resource:
    """A weekday office line with a phone, a text number and a KakaoTalk channel."""
    data = {
        "id": "office-line", "kind": "counselling-centre", "topics": ["counselling"],
        "name": {"ko": "상담소", "en": "Counselling office"},
        "summary": {"ko": "상담해요.", "en": "They listen."}, "regions": ["KR"],
        "phones": [{"number": "02-123-4567"}, {"number": "010-1234-5678", "type": "sms"}],
        "links": [{"type": "kakaotalk", "url": "https://pf.kakao.com/_example/chat"}],
        "sources": ["https://example.org/a"], "checked": "2026-12-01", "confidence": "official",
        **({"hours": hours} if hours else {}),
    }  # fmt: skip
    return msgspec.convert(data, Resource)


WEEKDAYS = {"weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "18:00"}]}


def _card_kinds(
    engine: SqliteEngine, r: Resource, now: dt.datetime, lang: str = "ko"
) -> list[tuple[str, bool]]:
    p = Presenter(lang, engine)  # type: ignore[arg-type]
    p.now = now
    hit = Hit(resource=r, score=1.0, matched=[], open_now=open_state(r.hours, now))
    return [(c.kind, c.closed) for c in p.card(hit).channels]


def test_night_is_22_to_8_in_seoul() -> None:
    assert is_night(NIGHT) and is_night(EARLY)
    assert (
        not is_night(DAY)
        and not is_night(DAY.replace(hour=21, minute=59))
        and not is_night(DAY.replace(hour=8))
    )


def test_an_office_line_open_now_offers_its_call_first(engine: SqliteEngine) -> None:
    assert _card_kinds(engine, _resource(WEEKDAYS), DAY) == [
        ("voice", False),
        ("sms", False),
        ("kakaotalk", False),
    ]


def test_at_night_an_office_line_offers_text_and_kakaotalk_first_and_its_call_says_closed(
    engine: SqliteEngine,
) -> None:
    kinds = _card_kinds(engine, _resource(WEEKDAYS), NIGHT)
    assert kinds == [("sms", False), ("kakaotalk", False), ("voice", True)]
    p = Presenter("ko", engine)
    p.now = NIGHT
    r = _resource(WEEKDAYS)
    hit = Hit(resource=r, score=1.0, matched=[], open_now=open_state(r.hours, NIGHT))
    assert p.card(hit).badge is not None  # the card's open-now badge says closed as well


def test_a_line_of_unknown_hours_is_taken_as_closed_only_at_night(engine: SqliteEngine) -> None:
    r = _resource(None)
    assert _card_kinds(engine, r, DAY)[0] == ("voice", False)
    assert _card_kinds(engine, r, NIGHT)[0] == ("sms", False)
    assert _card_kinds(engine, r, EARLY)[-1] == ("voice", False)  # last, but not said to be closed


def test_a_24_hour_line_keeps_its_call_first_at_night(engine: SqliteEngine) -> None:
    kinds = _card_kinds(engine, _resource({"always": True}), NIGHT)
    assert kinds[0] == ("voice", False)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_card_at_night_says_the_call_is_closed_and_shows_a_kakaotalk_handle(
    engine: SqliteEngine, lang: str
) -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    template = env.from_string('{% from "_card.html" import card with context %}{{ card(c) }}')
    p = Presenter(lang, engine)  # type: ignore[arg-type]
    p.now = NIGHT
    t = strings(lang)  # type: ignore[arg-type]
    office = _resource(WEEKDAYS)
    html = template.render(
        c=p.card(Hit(resource=office, score=1.0, matched=[], open_now=open_state(office.hours, NIGHT))),
        p=p,
        t=t,
    )
    assert f"({t['closed_now']})" in html and 'class="call ch-voice shut"' in html
    women = engine.get("women-1366")
    assert women is not None
    html = template.render(
        c=p.card(Hit(resource=women, score=1.0, matched=[], open_now=open_state(women.hours, NIGHT))),
        p=p,
        t=t,
    )
    assert t["closed_now"] not in html  # 24 hours
    assert "<b>women1366</b>" in html and t["kakao_search"] in html
    assert 'href=""' not in html


@pytest.mark.parametrize(
    ("rid", "lang", "counsellor", "expected"),
    [
        ("police-112", "en", False, "English via interpreter"),
        ("police-112", "en", True, "Korean only · English, Chinese via interpreter"),
        ("police-112", "ko", False, None),
        ("police-112", "ko", True, "통역으로 영어, 중국어"),
        ("youth-1388", "en", False, "Korean only"),
        ("youth-1388", "ko", True, None),
        ("danuri-1577-1366", "en", False, None),  # its counsellors speak English
    ],
)
def test_the_languages_line(
    engine: SqliteEngine, rid: str, lang: str, counsellor: bool, expected: str | None
) -> None:
    r = engine.get(rid)
    assert r is not None
    assert Presenter(lang, engine).languages_line(r, counsellor) == expected  # type: ignore[arg-type]


def test_the_resource_page_lists_languages_and_those_through_an_interpreter(engine: SqliteEngine) -> None:
    r = engine.get("police-112")
    assert r is not None
    assert Presenter("en", engine).languages_fact(r) == "Korean · English, Chinese via interpreter"
    assert Presenter("ko", engine).languages_fact(r) == "한국어 · 통역으로 영어, 중국어"


def _trust_lines(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<p class="trust">(.*?)</p>', page)]


def test_english_results_say_which_lines_answer_through_an_interpreter(client: TestClient) -> None:
    page = client.post("/search", data={"q": "police, I only speak English", "lang": "en"}).text
    cards = re.findall(r'<article class="card">(.*?)</article>', page, re.S)
    police = next(c for c in cards if "/resources/police-112?" in c)
    assert _trust_lines(police) == ["English via interpreter"]
    assert any(_trust_lines(c) == ["Korean only"] for c in cards)  # a line that speaks Korean only


def test_a_resource_page_says_english_through_an_interpreter(client: TestClient) -> None:
    en = client.get("/resources/police-112?lang=en").text
    assert "English via interpreter" in en and "Korean · English, Chinese via interpreter" in en
    ko = client.get("/resources/police-112?lang=ko").text
    assert "한국어 · 통역으로 영어, 중국어" in ko


def test_the_1388_card_offers_text_and_kakaotalk_besides_the_call(client: TestClient) -> None:
    page = client.post("/search", data={"q": "1388", "lang": "ko"}).text
    card = re.findall(r'<article class="card">(.*?)</article>', page, re.S)[0]
    assert "/resources/youth-1388?" in card
    assert 'href="tel:1388"' in card and 'href="sms:1388"' in card
    assert "<b>청소년상담1388</b>" in card
