"""Open-now and closes-at, computed at query time in Asia/Seoul with Korean public holidays.

Nothing here is stored in the index: whether a line is open depends on the moment of the search.
Spans whose close is earlier than their open run past midnight into the next day.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import holidays

from search.model import Hours, OpenState

__all__ = ("SEOUL", "is_holiday", "open_state")

#: Every clock in the directory is Seoul's: hours, holidays, the dates sources were checked.
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.lru_cache(maxsize=8)
def _korean_holidays(year: int) -> holidays.HolidayBase:
    # The `holidays` package tracks Korea's public and substitute holidays, including the lunar ones.
    return holidays.country_holidays("KR", years=year)


def is_holiday(day: dt.date) -> bool:
    return day in _korean_holidays(day.year)


def _minutes(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def _intervals(hours: Hours, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The open intervals that start on ``day`` (a holiday closes the day unless hours say otherwise)."""
    if hours.holidays == "closed" and is_holiday(day):
        return []
    name = _DAYS[day.weekday()]
    start_of_day = dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)
    out = []
    for span in hours.weekly:
        if name not in span.days:
            continue
        start, end = _minutes(span.open), _minutes(span.close)
        if end <= start:  # runs past midnight
            end += 24 * 60
        out.append((start_of_day + dt.timedelta(minutes=start), start_of_day + dt.timedelta(minutes=end)))
    return sorted(out)


def open_state(hours: Hours | None, now: dt.datetime | None = None) -> OpenState:
    """Whether a resource with ``hours`` is open at ``now`` (default: the current time in Seoul)."""
    if hours is None:
        return OpenState(known=False)
    if hours.always:
        return OpenState(known=True, open=True, always=True)
    now = (now or dt.datetime.now(SEOUL)).astimezone(SEOUL)
    if hours.holidays == "unknown" and is_holiday(now.date()):
        return OpenState(known=False)
    today = now.date()
    # Yesterday's spans may still be running past midnight.
    spans = _intervals(hours, today - dt.timedelta(days=1)) + _intervals(hours, today)
    for start, end in spans:
        if start <= now < end:
            return OpenState(known=True, open=True, closes_at=end.isoformat(timespec="minutes"))
    for offset in range(8):
        for start, _ in _intervals(hours, today + dt.timedelta(days=offset)):
            if start > now:
                return OpenState(known=True, open=False, opens_at=start.isoformat(timespec="minutes"))
    return OpenState(known=True, open=False)
