"""Every place a person may name, down to the town, and the region it lies in.

The official list of districts and towns is data/places.tsv (made by scripts/make_places.py);
data/places.yaml adds the towns people name that are not administrative names (일산, 동탄, 송도),
usual English spellings, the reading taken for a name found in several regions, and district
stems that are also everyday words. The index keeps the result as (alias, region, place,
district) rows; :class:`Gazetteer` answers from them at query time.

Rules that keep a place from doing harm: a place word is taken out of the query (never searched
as text, chopped or typo-corrected into another word); a name found in several regions gives the
preferred reading *and* the others, so a caller can say which it chose.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import msgspec
import yaml

from search.analyze import normalize
from search.yaml_file import load_data_yaml

__all__ = (
    "DistrictInfo",
    "Gazetteer",
    "Place",
    "PlaceRow",
    "PlaceTable",
    "distance_km",
    "district_stem",
    "district_info",
    "load_place_table",
    "load_places",
    "place_rows",
    "place_words",
    "town_info",
)


@dataclass(frozen=True)
class Place:
    """One reading of a place name."""

    name: str  # the name as the list writes it: 해운대구, 송도동, 동탄
    region: str  # ISO 3166-2:KR code of its province or metropolitan city
    district: str = ""  # the district it lies in, when it is a town: 연수구


class PlaceRow(msgspec.Struct, frozen=True):
    """What the index stores: an alias a person may type, and one place it names."""

    alias: str
    region: str
    name: str
    district: str
    preferred: bool
    #: A town of data/places.yaml: named on purpose, so kept even when the directory uses the word.
    curated: bool = False


class _Town(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    region: str
    district: str = ""


class _Curated(msgspec.Struct, forbid_unknown_fields=True):
    towns: list[_Town] = []
    english: dict[str, str] = {}
    prefer: dict[str, str] = {}
    needs_suffix: list[str] = []
    service_words: list[str] = []


#: Marks the alias of a district stem that is also an everyday word (see ``Gazetteer.weak``).
WEAK = "~"
#: Suffixes of districts and towns; a district's stem (해운대 for 해운대구) names it as well.
_DISTRICT_SUFFIXES = ("특별자치시", "시", "군", "구")


def _official(path: Path) -> Iterator[Place]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            name, region, level = row[:3]
            kind, _, parent = level.partition(":")
            yield Place(name, region, parent if kind == "town" else "")


def district_stem(name: str) -> str | None:
    """A district's name without its suffix (해운대 of 해운대구), or None when too short (중구)."""
    for suffix in _DISTRICT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def load_places(data_dir: Path | str) -> tuple[list[PlaceRow], bytes]:
    """The place rows of ``data_dir`` (and the bytes read, for the data hash).

    Raises:
        ValueError: a file is malformed (the message says which and where).
    """
    data_dir = Path(data_dir)
    tsv, extra = data_dir / "places.tsv", data_dir / "places.yaml"
    if not tsv.is_file():
        return [], b""
    raw = tsv.read_bytes()
    places = list(_official(tsv))
    curated = _Curated()
    if extra.is_file():
        raw += extra.read_bytes()
        try:
            curated = msgspec.convert(load_data_yaml(extra.read_text(encoding="utf-8")) or {}, _Curated)
        except (yaml.YAMLError, msgspec.ValidationError) as exc:
            raise ValueError(f"{extra}: {exc}") from exc
    rows = place_rows(places, curated.towns, curated.english, curated.prefer, curated.needs_suffix)
    # The service words travel as rows of their own (region ""), so the index needs no other table.
    rows += [PlaceRow(normalize(w), "", "", "", False) for w in curated.service_words]
    return rows, raw


def place_rows(
    places: Iterable[Place],
    towns: Iterable[_Town] = (),
    english: dict[str, str] | None = None,
    prefer: dict[str, str] | None = None,
    needs_suffix: Iterable[str] = (),
) -> list[PlaceRow]:
    """Every alias of every place, each reading marked preferred when it is the one to take."""
    prefer = {normalize(k): v for k, v in (prefer or {}).items()}
    keep_suffix = {normalize(s) for s in needs_suffix}
    readings: dict[str, dict[Place, None]] = {}

    def add(alias: str, place: Place) -> None:
        readings.setdefault(normalize(alias), {})[place] = None

    chosen = [Place(t.name, t.region, t.district) for t in towns]
    every = [*places, *chosen]
    for place in every:
        add(place.name, place)
        stem = district_stem(place.name) if not place.district else None
        if stem:
            # An everyday word (음성, 연수) names the place only before a service word: "음성~".
            add(stem + WEAK if normalize(stem) in keep_suffix else stem, place)
    by_name: dict[str, list[Place]] = {}
    for place in every:
        by_name.setdefault(place.name, []).append(place)
    for latin, name in (english or {}).items():
        for place in by_name.get(name, []):
            add(latin, place)
    rows = []
    curated = set(chosen)
    for alias, found in readings.items():
        regions = {p.region for p in found}
        choice = prefer.get(alias) if len(regions) > 1 else next(iter(regions))
        for place in found:
            rows.append(
                PlaceRow(
                    alias, place.region, place.name, place.district, place.region == choice, place in curated
                )
            )
    return rows


@dataclass
class Gazetteer:
    """Place names by alias, as the query layer reads them."""

    readings: dict[str, list[Place]] = field(default_factory=dict)
    preferred: dict[str, Place] = field(default_factory=dict)
    #: Words that name a kind of service (상담소, 법률구조, 해바라기): after one of them an everyday
    #: word that is also a district stem is read as the place (음성 성폭력상담소, 영광 법률구조공단).
    service_words: tuple[str, ...] = ()

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str, int]]) -> Gazetteer:
        gaz = cls()
        service: list[str] = []
        for alias, region, name, district, preferred in rows:
            if not region:
                service.append(alias)
                continue
            place = Place(name, region, district)
            gaz.readings.setdefault(alias, []).append(place)
            if preferred:
                gaz.preferred.setdefault(alias, place)
        gaz.service_words = tuple(service)
        return gaz

    def weak(self, word: str, following: str | None) -> str | None:
        """The alias of an everyday word that is a district stem, when the next word names a service."""
        alias = word + WEAK
        if alias in self.readings and following and any(w in following for w in self.service_words):
            return alias
        return None

    def __contains__(self, alias: str) -> bool:
        return alias in self.readings

    def lookup(self, alias: str, regions: Iterable[str] = ()) -> tuple[Place, list[str]] | None:
        """The reading of ``alias`` and the other regions it may mean.

        ``regions`` named elsewhere in the query decide between readings (부산 중구); otherwise the
        preferred one is taken, and failing that the first in the list's order.
        """
        found = self.readings.get(alias)
        if not found:
            return None
        hint = set(regions)
        place = next((p for p in found if p.region in hint), None) or self.preferred.get(alias) or found[0]
        others = sorted({p.region for p in found} - {place.region})
        return place, others


def place_words(place: Place) -> tuple[str, ...]:
    """How a service's name may mention ``place``: 의정부 for 의정부시, 연수 and 송도 for 송도 (연수구)."""
    words = [place.name, district_stem(place.name) or place.name]
    for part in place.district.split():
        words += [part, district_stem(part) or part]
    return tuple(w for w in dict.fromkeys(words) if len(w) >= 2)


class DistrictInfo(NamedTuple):
    """Where a 시·군·구 or 읍·면·동 is: its legal-dong code (법정동코드) and centre."""

    code: str  # 10 digits; a district's ends in 00000 (its first five are the 시군구 code)
    lat: float  # WGS84 degrees
    lng: float


@dataclass(frozen=True)
class PlaceTable:
    """Code and centre of every district and town in data/places.tsv, by (region, district[, town]).

    A district is written as resources write it: "강남구", "포항시 북구", "청주시 상당구", "김해시".
    """

    districts: dict[tuple[str, str], DistrictInfo]
    towns: dict[tuple[str, str, str], DistrictInfo]

    def district(self, region: str, district: str) -> DistrictInfo | None:
        return self.districts.get((region, district))

    def town(self, region: str, district: str, town: str) -> DistrictInfo | None:
        return self.towns.get((region, district, town))

    def districts_of(self, region: str) -> list[str]:
        """The districts of ``region`` a person lives in: a city's 구 rather than the city itself."""
        names = [d for r, d in self.districts if r == region]
        parents = {n.rsplit(" ", 1)[0] for n in names if " " in n}
        return [n for n in names if n not in parents]


def _read_table(path: Path) -> PlaceTable:
    districts: dict[tuple[str, str], DistrictInfo] = {}
    towns: dict[tuple[str, str, str], DistrictInfo] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            row = line.rstrip("\n").split("\t")
            if len(row) < 6:
                continue  # a file from before codes and centres were added
            name, region, level, code, lat, lng = row[:6]
            kind, _, parent = level.partition(":")
            info = DistrictInfo(code, float(lat), float(lng))
            if kind == "town":
                towns[(region, parent, name)] = info
            else:
                districts[(region, f"{parent} {name}" if parent else name)] = info
    return PlaceTable(districts, towns)


@lru_cache(maxsize=4)
def _cached_table(path: Path, mtime_ns: int) -> PlaceTable:
    return _read_table(path)


def load_place_table(data_dir: Path | str = "data") -> PlaceTable:
    """The codes and centres of ``data_dir``/places.tsv (read once per file version, about 10 ms).

    Raises:
        OSError: the file cannot be read.
        ValueError: a code or coordinate is malformed.
    """
    path = (Path(data_dir) / "places.tsv").resolve()
    if not path.is_file():
        return PlaceTable({}, {})
    return _cached_table(path, path.stat().st_mtime_ns)


def district_info(region: str, district: str, data_dir: Path | str = "data") -> DistrictInfo | None:
    """Code and centre of ``district`` ("포항시 북구") in ``region`` ("KR-47"), or None if unknown."""
    return load_place_table(data_dir).district(region, district)


def town_info(region: str, district: str, town: str, data_dir: Path | str = "data") -> DistrictInfo | None:
    """Code and centre of ``town`` ("용암동") in ``district`` of ``region``, or None if unknown."""
    return load_place_table(data_dir).town(region, district, town)


_EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


def distance_km(a: DistrictInfo | tuple[float, float], b: DistrictInfo | tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two centres or (lat, lng) pairs, in km.

    Written out rather than taken from a library: it is six lines of the standard formula, and
    nothing else of a geodesy package would be used.
    """
    lat1, lng1 = (a.lat, a.lng) if isinstance(a, DistrictInfo) else a
    lat2, lng2 = (b.lat, b.lng) if isinstance(b, DistrictInfo) else b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
