"""Opening hours and open-now in words: one wording for the site, the cards, referrals and the CLI.

``open_badge`` says whether a place is open at this moment in Seoul (``지금 운영 중 · 18:00까지``);
``day_range`` and ``weekly_rows`` turn a schedule's days into ``월–금`` or ``토·일``; ``hours_text``
puts a whole schedule on one line (``월–금 09:00–18:00 (공휴일 휴무)``). Strings come from
:mod:`service.i18n`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from search.hours import SEOUL
from search.model import Hours, OpenState
from service.i18n import Lang, labels, strings, weekday_name

__all__ = ("DAYS", "clock", "day_range", "hours_text", "open_badge", "open_line", "weekly_rows")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock(iso: str, now: dt.datetime) -> str:
    """``HH:MM`` of an ISO time; a close at midnight after today reads ``24:00``, not ``00:00``."""
    when = dt.datetime.fromisoformat(iso)
    if when.time() == dt.time(0, 0) and when.date() > now.date():
        return "24:00"
    return when.strftime("%H:%M")


def open_badge(state: OpenState, lang: Lang, now: dt.datetime | None = None) -> tuple[str, str]:
    """``(css class, text)`` for an open-now badge: ``is-open``, ``is-closed`` or ``is-unknown``."""
    now = now or dt.datetime.now(SEOUL)
    t = strings(lang)
    if not state.known:
        return "is-unknown", t["hours_not_known"]
    if state.always:
        return "is-open", t["open_always"]
    if state.open:
        if state.closes_at:
            return "is-open", t["open_until"].format(time=clock(state.closes_at, now))
        return "is-open", t["open_now"]
    if state.opens_at:
        when = dt.datetime.fromisoformat(state.opens_at)
        days = (when.date() - now.date()).days
        if days == 0:
            text = t["closed_opens_today"]
        elif days == 1:
            text = t["closed_opens_tomorrow"]
        else:
            text = t["closed_opens_day"].replace("{day}", weekday_name(when.date(), lang))
        return "is-closed", text.format(time=when.strftime("%H:%M"))
    return "is-closed", t["closed"]


_MARKS = {"is-open": "● ", "is-closed": "○ ", "is-unknown": ""}


def open_line(state: OpenState, lang: Lang, now: dt.datetime | None = None) -> str:
    """The badge as a line of text: ``● 지금 운영 중 · 18:00까지``, ``○ 지금은 닫힘`` …"""
    css, text = open_badge(state, lang, now)
    return _MARKS[css] + text


def day_range(days: Sequence[str], lang: Lang, dash: str = "–") -> str:
    """``[mon … fri]`` → ``월–금``; one or two days in a row are listed (``토·일``); all seven: ``매일``."""
    names = labels(lang)["day"]
    idx = sorted({DAYS.index(d) for d in days})
    if len(idx) == 7:
        return strings(lang)["referral_daily"]
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(names[DAYS[run[0]]] + dash + names[DAYS[run[-1]]])
        else:
            parts += [names[DAYS[i]] for i in run]
    return ("·" if lang == "ko" else "/").join(parts)


def weekly_rows(hours: Hours, lang: Lang, dash: str = "–") -> list[tuple[str, str]]:
    """Weekly spans as ``(days, times)`` rows, e.g. ``("월–금", "09:00–18:00")``."""
    return [(day_range(s.days, lang, dash), f"{s.open}{dash}{s.close}") for s in hours.weekly]


def hours_text(hours: Hours | None, lang: Lang = "ko", short: bool = False, dash: str = "–") -> str:
    """Opening hours in words: ``월–금 09:00–18:00 (공휴일 휴무)``, ``24시간 365일`` …

    Args:
        hours: the entry's hours (None when unknown).
        lang: ``ko`` or ``en``.
        short: leave out the public-holiday rule (for referrals).
        dash: the range dash (``-`` for SMS).
    """
    t = strings(lang)
    if hours is None:
        return t["referral_hours_unknown"]
    if hours.always:
        return t["referral_always_short" if short else "referral_always"]
    spans = ", ".join(f"{days} {times}" for days, times in weekly_rows(hours, lang, dash))
    if short:
        return spans
    return f"{spans} ({t['referral_holidays_' + hours.holidays]})"
