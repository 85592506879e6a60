"""Opening hours and cost in words, derived once from the data, for every place that says them.

The results card, the resource page, the referral text and SMS, the printed card, the terminal
and the HSDS feed all call :func:`hours_line` and :func:`cost_line`, so 02-735-8994 cannot be
"365일" on one and "운영시간 미확인" on another. What the data does not say is left unsaid (None):
a doubt is not printed to a person looking for help; the counsellor's view shows the caveat.

Here rather than in ``service/`` because the HSDS mapping (:mod:`search.hsds`) uses it too, and
imports flow from ``service`` into ``search``, never back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from search.model import Hours

__all__ = ("COST_LABELS", "DAYS", "cost_label", "cost_line", "day_range", "hours_line", "weekly_rows")

Lang = Literal["ko", "en"]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    "ko": dict(zip(DAYS, "월화수목금토일", strict=True)),
    "en": dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True)),
}
_ALWAYS = {"ko": "24시간 365일", "en": "24 hours, every day"}
_DAILY = {"ko": "매일", "en": "Daily"}
#: What the data says about public holidays; "unknown" says nothing.
_HOLIDAYS = {
    "closed": {"ko": "공휴일 휴무", "en": "closed on public holidays"},
    "open": {"ko": "공휴일에도 운영", "en": "open on public holidays"},
}
#: The one label of each cost, for the site (lines, filters), the terminal and the HSDS feed.
COST_LABELS = {
    "free": {"ko": "무료", "en": "Free"},
    "low-cost": {"ko": "적은 비용", "en": "Low cost"},
    "paid": {"ko": "유료", "en": "Paid"},
    "unknown": {"ko": "비용 미확인", "en": "Cost not confirmed"},
}


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "ko"


def day_range(days: Sequence[str], lang: str, dash: str = "–") -> str:
    """``[mon … fri]`` → ``월–금``; one or two days in a row are listed (``토·일``); all seven: ``매일``."""
    names = _DAY_NAMES[_lang(lang)]
    idx = sorted({DAYS.index(d) for d in days})
    if len(idx) == 7:
        return _DAILY[_lang(lang)]
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
    return ("·" if _lang(lang) == "ko" else "/").join(parts)


def weekly_rows(hours: Hours, lang: str, dash: str = "–") -> list[tuple[str, str]]:
    """Weekly spans as ``(days, times)`` rows, e.g. ``("월–금", "09:00–18:00")``."""
    return [(day_range(s.days, lang, dash), f"{s.open}{dash}{s.close}") for s in hours.weekly]


def hours_line(hours: Hours | None, lang: str = "ko", dash: str = "–") -> str | None:
    """The hours on one line: ``24시간 365일``, ``월–금 09:00–18:00 (공휴일 휴무)`` …; None when
    the data gives none. ``dash`` is ``-`` where only ASCII may go (an SMS)."""
    if hours is None:
        return None
    if hours.always:
        return _ALWAYS[_lang(lang)]
    if not hours.weekly:
        return None
    spans = ", ".join(f"{days} {times}" for days, times in weekly_rows(hours, lang, dash))
    holidays = _HOLIDAYS.get(hours.holidays)
    return f"{spans} ({holidays[_lang(lang)]})" if holidays else spans


def cost_label(cost: str, lang: str = "ko") -> str:
    """The label of a cost, ``unknown`` included (a filter, the HSDS feed's fees)."""
    words = COST_LABELS.get(cost)
    return words[_lang(lang)] if words else cost


def cost_line(cost: str, lang: str = "ko") -> str | None:
    """``무료`` / ``Free`` …; None when the data does not say (a line about a service says nothing)."""
    return cost_label(cost, lang) if cost in COST_LABELS and cost != "unknown" else None
