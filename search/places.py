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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import yaml

from search.analyze import normalize
from search.yaml_file import load_data_yaml

__all__ = ("Gazetteer", "Place", "PlaceRow", "load_places", "place_rows", "place_words")


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
            name, region, level = row
            kind, _, parent = level.partition(":")
            yield Place(name, region, parent if kind == "town" else "")


def _stem(name: str) -> str | None:
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

    every = [*places, *(Place(t.name, t.region, t.district) for t in towns)]
    for place in every:
        add(place.name, place)
        stem = _stem(place.name) if not place.district else None
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
    for alias, found in readings.items():
        regions = {p.region for p in found}
        choice = prefer.get(alias) if len(regions) > 1 else next(iter(regions))
        for place in found:
            rows.append(PlaceRow(alias, place.region, place.name, place.district, place.region == choice))
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
    words = [place.name, _stem(place.name) or place.name]
    for part in place.district.split():
        words += [part, _stem(part) or part]
    return tuple(w for w in dict.fromkeys(words) if len(w) >= 2)
