"""Opening hours and open-now in words, as the site, the cards, referrals and the CLI say them."""

from __future__ import annotations

import datetime as dt

import pytest

from search.hours import SEOUL
from search.model import Hours, OpenState, Span
from service.wording import day_range, hours_text, open_badge, open_line, weekly_rows

# A Wednesday afternoon in Seoul.
NOW = dt.datetime(2026, 3, 4, 15, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("days", "ko", "en"),
    [
        (["mon", "tue", "wed", "thu", "fri"], "월–금", "Mon–Fri"),
        (["sat", "sun"], "토·일", "Sat/Sun"),
        (["mon", "tue", "wed", "fri"], "월–수·금", "Mon–Wed/Fri"),
        (["fri", "mon", "wed"], "월·수·금", "Mon/Wed/Fri"),
        (["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "매일", "Daily"),
    ],
)
def test_day_ranges(days: list[str], ko: str, en: str) -> None:
    assert day_range(days, "ko") == ko
    assert day_range(days, "en") == en


def test_an_sms_gets_an_ascii_dash() -> None:
    assert day_range(["mon", "tue", "wed"], "ko", dash="-") == "월-수"


def test_hours_on_one_line_and_as_rows() -> None:
    hours = Hours(weekly=[Span(days=["mon", "tue", "wed", "thu", "fri"], open="09:00", close="18:00")])
    assert weekly_rows(hours, "ko") == [("월–금", "09:00–18:00")]
    assert hours_text(hours, "ko") == "월–금 09:00–18:00 (공휴일 휴무)"
    assert hours_text(hours, "en", dash="-") == "Mon-Fri 09:00-18:00 (closed on public holidays)"
    assert hours_text(Hours(weekly=hours.weekly, holidays="unknown"), "en") == "Mon–Fri 09:00–18:00"
    assert hours_text(Hours(always=True), "ko") == "24시간 365일"
    assert hours_text(Hours(always=True), "en") == "24 hours, every day"
    assert hours_text(None, "ko") is None  # what the data does not say is not said (no doubt)


def test_open_until_midnight_reads_24_00() -> None:
    state = OpenState(known=True, open=True, closes_at="2026-03-05T00:00:00+09:00")
    assert open_badge(state, "ko", NOW) == ("is-open", "지금 운영 중 · 24:00까지")
    assert open_line(state, "en", NOW) == "● Open now · until 24:00"


@pytest.mark.parametrize(
    ("opens_at", "ko"),
    [
        ("2026-03-04T18:00:00+09:00", "○ 지금은 닫힘 · 오늘 18:00에 열어요"),
        ("2026-03-05T09:00:00+09:00", "○ 지금은 닫힘 · 내일 09:00에 열어요"),
        ("2026-03-09T09:00:00+09:00", "○ 지금은 닫힘 · 월요일 09:00에 열어요"),
    ],
)
def test_when_a_closed_place_opens(opens_at: str, ko: str) -> None:
    assert open_line(OpenState(known=True, opens_at=opens_at), "ko", NOW) == ko


def test_unknown_always_and_closed() -> None:
    assert open_badge(OpenState(known=False), "en", NOW) == ("is-unknown", "Hours not known")
    assert open_line(OpenState(known=False), "ko", NOW) == "운영 시간 모름"
    assert open_line(OpenState(known=True, open=True, always=True), "ko", NOW) == "● 24시간 운영"
    assert open_line(OpenState(known=True), "en", NOW) == "○ Closed now"
