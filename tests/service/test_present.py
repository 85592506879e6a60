"""How pages word things: links, phone addresses, open-now badges, weekly hours, result cards."""

from __future__ import annotations

import datetime as dt

import pytest

from search.hours import SEOUL
from search.model import Hours, OpenState, Query, Span
from search.sqlite_engine import SqliteEngine
from service.present import Presenter, query_url, self_path

#: A Wednesday afternoon in Seoul.
NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=SEOUL)


@pytest.fixture
def ko(engine: SqliteEngine) -> Presenter:
    p = Presenter("ko", engine)
    p.now = NOW
    return p


@pytest.fixture
def en(engine: SqliteEngine) -> Presenter:
    p = Presenter("en", engine)
    p.now = NOW
    return p


def at(days: int, hour: int, minute: int = 0) -> str:
    day = NOW.date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL).isoformat()


def test_a_url_leaves_out_empty_values_and_repeats_lists() -> None:
    assert query_url("/search") == "/search"
    assert query_url("/search", {"q": "", "region": None, "open_now": False}) == "/search"
    assert query_url("/search", {"q": "딥페이크", "kind": ["police", "helpline"]}, open_now=True) == (
        "/search?q=%EB%94%A5%ED%8E%98%EC%9D%B4%ED%81%AC&kind=police&kind=helpline&open_now=1"
    )


def test_the_presenter_keeps_its_language_in_every_link(en: Presenter) -> None:
    assert en.url("/search", {"q": "x"}, offset=10) == "/search?q=x&offset=10&lang=en"


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/search", "/search"),
        ("//evil.example", "/evil.example"),
        ("/\\evil.example", "/evil.example"),
        ("/\t/evil.example", "/evil.example"),
        ("/a\tb\nc", "/a%09b%0Ac"),
        ("/검색", "/%EA%B2%80%EC%83%89"),
    ],
)
def test_a_link_to_this_path_cannot_leave_the_site(path: str, link: str) -> None:
    assert self_path(path) == link


def test_phone_links_keep_digits_plus_and_hash(ko: Presenter) -> None:
    assert ko.tel("02-1366 (무료)") == "tel:021366"
    assert ko.tel("+82 2-735-8994") == "tel:+8227358994"
    assert ko.tel("#1388") == "tel:%231388"
    assert ko.tel("010-1234-5678", "sms") == "sms:01012345678"


@pytest.mark.parametrize(
    ("state", "badge"),
    [
        (OpenState(known=False), ("is-unknown", "운영 시간 모름")),
        (OpenState(known=True, open=True, always=True), ("is-open", "24시간 운영")),
        (OpenState(known=True, open=True, closes_at=at(0, 18)), ("is-open", "지금 운영 중 · 18:00까지")),
        (OpenState(known=True, open=True, closes_at=at(1, 0)), ("is-open", "지금 운영 중 · 24:00까지")),
        (OpenState(known=True, open=True), ("is-open", "지금 운영 중")),
        (OpenState(known=True, opens_at=at(0, 19, 30)), ("is-closed", "지금은 닫힘 · 오늘 19:30에 열어요")),
        (OpenState(known=True, opens_at=at(1, 9)), ("is-closed", "지금은 닫힘 · 내일 09:00에 열어요")),
        (OpenState(known=True, opens_at=at(5, 9)), ("is-closed", "지금은 닫힘 · 월요일 09:00에 열어요")),
        (OpenState(known=True), ("is-closed", "지금은 닫힘")),
    ],
)
def test_open_now_badges(ko: Presenter, state: OpenState, badge: tuple[str, str]) -> None:
    assert ko.open_now(state) == badge


def test_open_now_in_english(en: Presenter) -> None:
    assert en.open_now(OpenState(known=True, opens_at=at(2, 10))) == (
        "is-closed",
        "Closed now · opens Friday at 10:00",
    )


def test_weekly_hours_as_rows(ko: Presenter, en: Presenter) -> None:
    hours = Hours(
        weekly=[
            Span(days=["fri", "mon", "tue", "wed", "thu"], open="09:00", close="18:00"),
            Span(days=["sat", "sun"], open="10:00", close="14:00"),
            Span(days=["mon", "wed", "thu"], open="19:00", close="21:00"),
        ]
    )
    assert ko.hours(hours) == [
        ("월–금", "09:00–18:00"),
        ("토·일", "10:00–14:00"),
        ("월·수·목", "19:00–21:00"),
    ]  # the same wording as referrals and the terminal (service/wording.py)
    assert en.hours(hours)[0] == ("Mon–Fri", "09:00–18:00")
    assert ko.hours(Hours(always=True)) == []


def test_a_result_card_says_what_the_resource_says(ko: Presenter, engine: SqliteEngine) -> None:
    hits = engine.search(Query(q="불법촬영 삭제", lang="ko", limit=10)).results
    assert hits
    for hit in hits:
        r = hit.resource
        card = ko.card(hit, counsellor=True)
        assert (card.id, card.name, card.summary) == (r.id, r.name.get("ko"), r.summary.get("ko"))
        assert card.href == f"/resources/{r.id}?view=counsellor&lang=ko"  # never the search
        assert r.summary.get("ko").startswith(card.line)
        for kind in ("voice", "sms"):
            numbers = [c.target for c in card.channels if c.kind == kind]
            assert numbers == [ph.number for ph in r.phones if ph.type == kind][: len(numbers)]
        assert all(c.href.startswith(("tel:", "sms:")) for c in card.channels if c.kind in ("voice", "sms"))
        written = [c.href for c in card.channels if c.kind in ("chat", "kakaotalk", "form", "app")]
        assert (
            written
            == [x.href for x in r.links if x.type in ("chat", "kakaotalk", "form", "app")][: len(written)]
        )
        assert len(card.channels) == min(4, len(r.phones) + len(written)) or len(card.channels) == 4
        # A web link is offered only when there is no button.
        assert (card.link is None) == bool(card.channels or not r.links)
        assert (card.flag is None) == (r.confidence == "official")
        assert card.badge == (ko.open_now(hit.open_now) if hit.open_now.known else None)
        assert card.share_sms.startswith("sms:?&body=")
        assert ko.card(hit).share_sms == ""  # her view has no sharing
