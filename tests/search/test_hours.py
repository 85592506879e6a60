from __future__ import annotations

import datetime as dt

import msgspec

from search.hours import SEOUL, is_holiday, open_state
from search.model import Hours

WEEKDAYS = msgspec.convert(
    {"weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "18:00"}]}, Hours
)
NIGHT = msgspec.convert({"weekly": [{"days": ["fri"], "open": "22:00", "close": "02:00"}]}, Hours)


def at(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SEOUL)


def test_always_and_unknown() -> None:
    assert open_state(Hours(always=True)).open
    assert not open_state(None).known


def test_weekday_hours() -> None:
    wed = at(2026, 11, 25, 10)
    state = open_state(WEEKDAYS, wed)
    assert state.open and state.closes_at == "2026-11-25T18:00+09:00"
    evening = open_state(WEEKDAYS, at(2026, 11, 25, 19))
    assert not evening.open and evening.opens_at == "2026-11-26T09:00+09:00"


def test_span_past_midnight() -> None:
    assert open_state(NIGHT, at(2026, 11, 27, 23)).open  # Friday 23:00
    assert open_state(NIGHT, at(2026, 11, 28, 1, 30)).open  # Saturday 01:30, still Friday's span
    assert not open_state(NIGHT, at(2026, 11, 28, 3)).open


def test_public_holiday_closes_unless_open() -> None:
    chuseok = at(2026, 9, 25, 10)  # 추석, a Friday
    assert is_holiday(chuseok.date())
    assert not open_state(WEEKDAYS, chuseok).open
    open_on_holidays = msgspec.structs.replace(WEEKDAYS, holidays="open")
    assert open_state(open_on_holidays, chuseok).open


def test_other_timezones_are_converted_to_seoul() -> None:
    utc = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul
    assert open_state(WEEKDAYS, utc).open
