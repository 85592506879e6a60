"""Opening hours and open-now in words: one wording for the site, the cards, referrals and the CLI.

``open_badge`` says whether a place is open at this moment in Seoul (``지금 운영 중 · 18:00까지``);
``day_range`` and ``weekly_rows`` turn a schedule's days into ``월–금`` or ``토·일``; ``hours_text``
puts a whole schedule on one line (``월–금 09:00–18:00 (공휴일 휴무)``) and ``cost_line`` says the
cost: both come from :mod:`search.wording`, shared with the HSDS feed. Open-now strings come from
:mod:`service.i18n`.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from search.hours import SEOUL
from search.model import Hours, OpenState
from search.wording import DAYS, cost_line, day_range, hours_line, weekly_rows
from search.yaml_file import load_data_yaml
from service.i18n import Lang, strings, weekday_name

__all__ = (
    "DAYS",
    "clock",
    "cost_line",
    "day_range",
    "english_place",
    "hours_line",
    "hours_text",
    "open_badge",
    "open_line",
    "weekly_rows",
)


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


def hours_text(hours: Hours | None, lang: Lang = "ko", dash: str = "–") -> str | None:
    """Opening hours in words, the one wording every page, card and message uses
    (:func:`search.wording.hours_line`): ``월–금 09:00–18:00 (공휴일 휴무)``, ``24시간 365일``;
    None when the data gives none."""
    return hours_line(hours, lang, dash)


@functools.cache
def _english_places(data_dir: Path) -> dict[str, str]:
    """Korean district and town names → their usual English spelling (data/places.yaml's
    ``english``: ``haeundae: 해운대구`` gives ``해운대구`` → ``Haeundae-gu``)."""
    try:
        doc = load_data_yaml((data_dir / "places.yaml").read_bytes()) or {}
    except (OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    for latin, name in (doc.get("english") or {}).items():
        name = str(name)
        word = "-".join(part.capitalize() for part in str(latin).split("-"))
        suffix = {"구": "-gu", "군": "-gun"}.get(name[-1:], "")
        out.setdefault(name, word + suffix)
    return out


def english_place(name: str, data_dir: Path) -> str:
    """``해운대구`` → ``Haeundae-gu`` where data/places.yaml gives an English name, else ``name``."""
    return _english_places(Path(data_dir)).get(name, name)
