"""Why a result is here, in a few words the page shows under its name: "24시간 · 삭제 지원".

Its region (when the person named one and the service is regional), whether it answers at any
hour, and the need it serves or the platform's own route. Both engines explain their results
with this one function, from the same row fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search.model import Region, TaxonomyTerm, Text
from search.needs import Bands

__all__ = ("short_region", "why")


def short_region(region: Region) -> Text:
    """A region's name without its administrative suffix: 부산, Busan; 경기, Gyeonggi."""
    ko = region.name.ko.removesuffix("특별자치도").removesuffix("광역시").removesuffix("특별시")
    return Text(ko, region.name.en.removesuffix(" Province"))


def why(
    row: Mapping[str, Any], bands: Bands, regions: Sequence[Region], platforms: Sequence[TaxonomyTerm]
) -> Text | None:
    """Why the result of ``row`` (``id``, ``kind``, ``national``, ``platform``, ``always_open``)
    is here for a query with ``bands``; None when nothing is worth saying."""
    ko: list[str] = []
    en: list[str] = []
    if not row["national"] and bands.region:
        region = next((g for g in regions if g.code == bands.region), None)
        if region:
            short = short_region(region)
            ko.append(short.ko)
            en.append(short.en)
    if row["always_open"]:
        ko.append("24시간")
        en.append("24 hours")
    platform = row["platform"]
    if platform and platform in bands.needs.platforms:
        label = next((t.label for t in platforms if t.key == platform), None)
        if label:
            ko.append(f"{label.ko} 공식 신고")
            en.append(f"{label.en}'s own reporting route")
    else:
        reason = bands.reason_for(row["id"], row["kind"], platform)
        if reason:
            ko.append(reason.ko)
            en.append(reason.en)
    return Text(" · ".join(ko), " · ".join(en)) if ko else None
