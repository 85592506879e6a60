"""How much of each family of local services the directory holds, and where people are far from one.

``data/coverage.yaml`` says how an entry is counted in a family (id prefix, kind, topics) and the
real number of services with its source. :func:`coverage` counts the directory's entries per family
and 시·도 against those numbers, and for every 시·군·구 finds the nearest in-person service of each
family (an entry with a ``district``), by the centres of data/places.tsv. ``haven audit
--coverage`` prints it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import msgspec
import yaml
from msgspec import Meta

from search.catalog import Catalog
from search.model import Key, Resource, Text
from search.places import DistrictInfo, PlaceTable, distance_km, load_place_table
from search.yaml_file import load_data_yaml

__all__ = (
    "CoverageError",
    "CoverageReport",
    "Family",
    "FamilyCoverage",
    "coverage",
    "family_of",
    "load_families",
)


class CoverageError(Exception):
    """data/coverage.yaml cannot be read (the message says where)."""


class _Source(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    url: str
    as_of: dt.date | int | None = None
    title: str | None = None


class _Real(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    count: int
    source: _Source
    note: str | None = None


class _ByRegion(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    counts: dict[str, int]
    source: _Source
    note: str | None = None


class Family(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A family of local services and how an entry is counted in it."""

    key: Key
    short: Annotated[str, Meta(pattern=r"^[a-z0-9-]{1,14}$")]  # the report's column heading
    name: Text
    ids: list[str]
    kinds: list[Key] = []
    topics: list[Key] = []
    real: _Real
    by_region: _ByRegion | None = None

    def holds(self, r: Resource) -> bool:
        """Whether ``r`` is a local service of this family."""
        return (
            any(r.id.startswith(p) for p in self.ids)
            and (not self.kinds or r.kind in self.kinds)
            and set(self.topics) <= set(r.topics)
            and any(code != "KR" for code in r.regions)
        )


class _File(msgspec.Struct, forbid_unknown_fields=True):
    families: list[Family]


class Far(msgspec.Struct, kw_only=True):
    """A 시·군·구 without a service of the family: the nearest one and how far its centre is."""

    region: str
    district: str
    nearest: str | None  # the entry's id; None when the family has no located service at all
    nearest_district: str | None = None
    km: float | None = None


class FamilyCoverage(msgspec.Struct, kw_only=True):
    key: str
    short: str
    name: Text
    real: int
    real_note: str | None
    real_source: str
    real_as_of: str | None
    have: int
    by_region: dict[str, int]
    real_by_region: dict[str, int]
    real_by_region_source: str | None
    located: int  # entries with a district
    districts: int  # 시·군·구 in all
    districts_with_own: int
    far: list[Far]


class CoverageReport(msgspec.Struct, kw_only=True):
    regions: list[str]
    families: list[FamilyCoverage]


def load_families(data_dir: Path | str) -> list[Family]:
    """The families of ``data_dir``/coverage.yaml.

    Raises:
        CoverageError: the file is missing or malformed.
    """
    path = Path(data_dir) / "coverage.yaml"
    try:
        raw = load_data_yaml(path.read_text(encoding="utf-8"))
        return msgspec.convert(raw, _File).families
    except FileNotFoundError as exc:
        raise CoverageError(f"{path}: no such file (the families and their real counts)") from exc
    except (OSError, yaml.YAMLError, msgspec.ValidationError, ValueError) as exc:
        raise CoverageError(f"{path}: {exc}") from exc


def family_of(r: Resource, families: list[Family]) -> Family | None:
    """The first family that holds ``r``."""
    return next((f for f in families if f.holds(r)), None)


def _where(r: Resource, places: PlaceTable) -> tuple[str, str, DistrictInfo] | None:
    """(region, district, centre) of a located entry: its town's centre when known."""
    if not r.district:
        return None
    for code in r.regions:
        info = places.district(code, r.district)
        if info is not None:
            town = places.town(code, r.district, r.town) if r.town else None
            return code, r.district, town or info
    return None


def coverage(catalog: Catalog, data_dir: Path | str, families: list[Family] | None = None) -> CoverageReport:
    """Count every family per 시·도 and find, for each 시·군·구, its nearest service of each family."""
    families = families if families is not None else load_families(data_dir)
    places = load_place_table(data_dir)
    regions = [g.code for g in catalog.regions if g.code != "KR"]
    everywhere = [(code, d) for code in regions for d in places.districts_of(code)]
    out: list[FamilyCoverage] = []
    for fam in families:
        members = [r for r in catalog.resources if fam.holds(r)]
        by_region = {code: sum(1 for r in members if code in r.regions) for code in regions}
        located = [(r.id, *w) for r in members if (w := _where(r, places))]
        far: list[Far] = []
        own = 0
        for code, district in everywhere:
            parent = district.rsplit(" ", 1)[0] if " " in district else None
            if any(c == code and d in (district, parent) for _, c, d, _ in located):
                own += 1
                continue
            centre = places.district(code, district)
            assert centre is not None
            best = min(located, key=lambda loc: distance_km(centre, loc[3]), default=None)
            if best is None:
                far.append(Far(region=code, district=district, nearest=None))
            else:
                km = round(distance_km(centre, best[3]), 1)
                far.append(
                    Far(region=code, district=district, nearest=best[0], nearest_district=best[2], km=km)
                )
        src = fam.real.source
        out.append(
            FamilyCoverage(
                key=fam.key,
                short=fam.short,
                name=fam.name,
                real=fam.real.count,
                real_note=fam.real.note,
                real_source=src.url,
                real_as_of=str(src.as_of) if src.as_of is not None else None,
                have=len(members),
                by_region=by_region,
                real_by_region=dict(fam.by_region.counts) if fam.by_region else {},
                real_by_region_source=fam.by_region.source.url if fam.by_region else None,
                located=len(located),
                districts=len(everywhere),
                districts_with_own=own,
                far=far,
            )
        )
    return CoverageReport(regions=regions, families=out)
