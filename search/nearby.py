"""How near a service is to the place a person named: her own 시·군·구 first, then by distance.

A resource says where it is with ``district`` (its 시·군·구 as data/places.tsv writes it: "김해시",
"청주시 상당구"). A query's place (search/places.py) is a 시·군·구 or a town inside one. Nearness
is measured in kilometres between the centres of the two 시·군·구 when the gazetteer gives them
(``centre``); without them, the same city counts as near and anything else as far.

A service that serves the whole region from one office states no district: it counts as
:data:`REGION_WIDE_KM` away, so a centre in the next town comes before it and one at the far end
of the province after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from search.model import Locality
from search.places import Place, district_stem

__all__ = (
    "REGION_WIDE_KM",
    "Centre",
    "Centres",
    "Nearby",
    "centres",
    "district_of",
    "locality",
    "town_service",
)

#: Where a region-wide service (no district of its own) stands in the order by distance: about
#: an hour's trip, the distance a person is still asked to travel to a province's one centre.
REGION_WIDE_KM = 40.0
#: Same city, other 구, when the gazetteer gives no coordinates.
_SAME_CITY_KM = 10.0
#: Another 시·군·구 of the region whose distance is not known.
_UNKNOWN_KM = 80.0

#: The centre (lat, lng) of a 시·군·구 of a region, or None when the gazetteer does not know it.
Centre = Callable[[str, str], "tuple[float, float] | None"]


class Centres:
    """The centres of an index's ``"region|district"`` table; a 구 named without its city ("북구"
    for "포항시 북구") is found when its name is unique in the region."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        found = {k: (float(v[0]), float(v[1])) for k, v in table.items()}
        self._full = dict(found)
        short: dict[str, list[tuple[float, float]]] = {}
        for key, centre in found.items():
            region, _, district = key.partition("|")
            if " " in district:
                short.setdefault(f"{region}|{district.rsplit(' ', 1)[1]}", []).append(centre)
        for key, options in short.items():
            if len(options) == 1 and key not in found:
                found[key] = options[0]
        self._found = found

    def __call__(self, region: str, district: str) -> tuple[float, float] | None:
        return self._found.get(f"{region}|{district}")

    def nearest(self, region: str, here: tuple[float, float], n: int) -> list[str]:
        """The ``n`` 시·군·구 of ``region`` nearest to ``here``, as resources write them."""
        inside = [(k.partition("|")[2], c) for k, c in self._full.items() if k.startswith(region + "|")]
        inside.sort(key=lambda kc: _km(here, kc[1]))
        return [k for k, _ in inside[:n]]


def centres(table: dict[str, list[float]]) -> Centres:
    return Centres(table)


def district_of(place: Place) -> str:
    """The 시·군·구 a place is or lies in, as data/places.tsv writes it (송도 → 연수구)."""
    return place.district or place.name


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass
class Nearby:
    """Distances from one named place to the 시·군·구 of services in its region."""

    place: Place
    centre: Centre | None = None
    _cache: dict[str, float] = field(default_factory=dict)

    @property
    def district(self) -> str:
        return district_of(self.place)

    def around(self, n: int = 8) -> list[str]:
        """Her 시·군·구 and the ``n`` - 1 nearest others of her region, as resources write them
        (empty when the gazetteer gives no centres)."""
        here = self.centre(self.place.region, self.district) if self.centre else None
        if here is None or not isinstance(self.centre, Centres):
            return []
        return self.centre.nearest(self.place.region, here, n)

    def same_district(self, district: str) -> bool:
        """Whether a service's ``district`` is (or holds, or lies in) the named 시·군·구.

        "청주시 상당구" is in 청주시 and 상당구; a service written "청주시" serves a person in 상당구."""
        if not district:
            return False
        mine, theirs = self.district.split(), district.split()
        return mine[-1] in theirs or theirs[-1] in mine

    def km(self, district: str) -> float:
        """How far a service in ``district`` is (0 in her own); region-wide services count as
        :data:`REGION_WIDE_KM`."""
        if not district:
            return REGION_WIDE_KM
        found = self._cache.get(district)
        if found is None:
            found = self._cache[district] = self._measure(district)
        return found

    def _measure(self, district: str) -> float:
        if self.same_district(district):
            return 0.0
        here = self.centre(self.place.region, self.district) if self.centre else None
        there = self.centre(self.place.region, district) if self.centre else None
        if here and there:
            return _km(here, there)
        if district.split()[0] == self.district.split()[0]:
            return _SAME_CITY_KM
        return _UNKNOWN_KM


#: The short names of the 17 regions: a district stem that is also one (제주 of 제주시, 광주 of
#: 경기 광주시) in a service's name names the region, not the town.
_REGION_NAMES = frozenset(
    "서울 부산 대구 인천 광주 대전 울산 세종 경기 강원 충북 충남 전북 전남 경북 경남 제주".split()
)


def town_service(district: str, names: str) -> bool:
    """Whether a service's Korean name (the first of ``names``) names its own 시·군·구: a city's or
    county's centre (성남시 디지털성범죄피해자 통합지원센터, 원주가정폭력성폭력통합상담소), not the
    region's one centre that happens to have its office there (강원디지털성범죄피해자지원센터)."""
    name = names.split(" | ", 1)[0]
    words = {w for part in district.split() for w in (part, district_stem(part)) if w and len(w) >= 2}
    return any(w in name for w in words - _REGION_NAMES)


class _Placed(Protocol):
    nearby: Nearby | None
    kinds: set[str]

    def serves(self, kind: str, topics: str, audiences: str = "") -> bool: ...


def locality(rows: Sequence[Mapping[str, Any]], bands: _Placed) -> Locality | None:
    """What the ranked ``rows`` have in the 시·군·구 the query named: how many are there and, when
    none is, the nearest that serves her need (any service when the query asked for none)."""
    near = bands.nearby
    if near is None:
        return None
    local = [r for r in rows if not r["national"] and r.get("district")]
    inside = sum(near.same_district(r["district"]) for r in local)
    out = Locality(district=near.district, region=near.place.region, in_district=inside)
    if not inside:
        fitting = [
            r for r in local if bands.serves(r["kind"], r.get("topics") or "", r.get("audiences") or "")
        ] or local
        if fitting:
            best = min(fitting, key=lambda r: near.km(r["district"]))
            out.nearest_id, out.nearest_district = best["id"], best["district"]
    return out
