"""The lines above the first result: a calm sentence when the search senses danger, what the
search understood, and whether the district she named has what she asked for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.model import Results
from service.i18n import strings
from service.present import Presenter
from service.wording import english_place

__all__ = ("SummaryLines", "summary_lines")


def _field(obj: object, *names: str) -> Any:
    """The first of ``names`` that ``obj`` has, as an attribute or a key (None when absent)."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


@dataclass
class SummaryLines:
    """The lines above the first result: the calm sentence when the search senses danger, what
    the search understood, and whether the district she named has what she asked for."""

    danger: str | None = None
    understood: str | None = None
    locality: str | None = None


def summary_lines(p: Presenter, results: Results | None, data_dir: Path) -> SummaryLines:
    if results is None:
        return SummaryLines()
    t = strings(p.lang)
    lines = SummaryLines()
    # ``danger`` and ``locality`` are read as they may be missing (an engine of an older index).
    danger = getattr(results, "danger", None)
    if danger is None and "crisis" in (_field(results.understood or {}, "needs") or []):
        danger = "suicide"  # a query that speaks of ending one's life, whether or not the engine says so
    if danger in ("immediate", "medical", "suicide"):
        lines.danger = t["danger_" + str(danger)]
    understood = results.understood or {}
    need_names = p.labels["need"]
    # When the search senses danger, the calm sentence says what the first lines are for: the needs
    # read from her words ("taking images down") would only push the first two calls down.
    needs = (
        [] if lines.danger else [need_names[n] for n in _field(understood, "needs") or [] if n in need_names]
    )
    place = _field(understood, "place")
    where = None
    if place and results.region:
        where = t["understood_place"].format(
            place=f"{english_place(str(place), data_dir) if p.lang == 'en' else place} ({p.region(results.region)})"
        )
    elif results.region and results.region != "KR":
        where = t["understood_place"].format(place=p.region(results.region))
    parts = [" · ".join(needs)] if needs else []
    if where:
        parts.append(where)
    if parts:
        lines.understood = t["understood_need"].format(needs=" · ".join(parts))
    locality = getattr(results, "locality", None)
    if locality is not None:
        lines.locality = _locality_line(p, locality, data_dir)
    return lines


def _locality_line(p: Presenter, locality: object, data_dir: Path) -> str | None:
    t = strings(p.lang)
    district = _field(locality, "district", "name")
    if not district:
        return None
    district = english_place(str(district), data_dir) if p.lang == "en" else str(district)
    count = _field(locality, "in_district", "count")
    if not isinstance(count, int) or count > 0:
        return None  # the district has what she asked for: the results say it
    nearest_id = _field(locality, "nearest_id", "nearest")
    nearest = p.engine.get(str(nearest_id)) if isinstance(nearest_id, str) else None
    if nearest is None:
        return None
    name = nearest.name.get(p.lang)
    near_district = _field(locality, "nearest_district")
    if near_district:
        shown = english_place(str(near_district), data_dir) if p.lang == "en" else str(near_district)
        name = f"{name} ({shown})"
    return t["locality_none"].format(district=district, nearest=name)
