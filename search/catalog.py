"""Read data/*.yaml, check everything a maintainer can get wrong, and hand back a Catalog.

Every problem is reported in one run, each as one line naming the file, the line, the resource
and the field, e.g. ``data/resources.yaml:142: resources[d4u-central].phones[0].number: '02-735-89'
is not a valid Korean phone number``. msgspec reports paths, not lines, so the YAML is composed
once into PyYAML nodes (which carry their line marks) and each path is walked back to its node.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import msgspec

from search.hours import SEOUL
from search.kinds import KindTable
from search.model import PHONE_PATTERN, Region, Resource, Source, SynonymGroup, Taxonomy
from search.needs import NeedRules
from search.places import PlaceRow, PlaceTable, load_place_table, load_places
from search.rule_files import read_kinds, read_needs
from search.yaml_file import Problem, YamlFile

__all__ = ("REQUIRE_ITEM_SOURCES", "Catalog", "CatalogError", "Problem", "load_catalog")

#: Whether a phone or link that names no ``source:`` of its own makes the data invalid. On since
#: every phone and link of the data names one; off (``load_catalog(..., require_item_sources=
#: False)``), the catalog lists them in ``Catalog.unsourced`` instead.
REQUIRE_ITEM_SOURCES = True

_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_FIELDS = {f.name: f for f in msgspec.structs.fields(Resource)}


class CatalogError(Exception):
    """The data cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the data")
        self.problems = problems


@dataclass
class Catalog:
    """The validated directory: what the index is built from."""

    resources: list[Resource]
    regions: list[Region]
    taxonomy: Taxonomy
    synonyms: list[SynonymGroup]
    data_hash: str
    #: Districts and towns by every alias people type (data/places.tsv and data/places.yaml).
    places: list[PlaceRow] = field(default_factory=list)
    #: What queries ask for and who answers first (data/needs.yaml).
    needs: NeedRules = field(default_factory=NeedRules)
    #: Each kind's place in the tie order, weight, and whether a person answers (data/kinds.yaml).
    kinds: KindTable = field(default_factory=KindTable)
    #: Phones and links that name no source of their own (empty when that is required).
    unsourced: list[Problem] = field(default_factory=list)
    #: The centre (lat, lng) of each 시·군·구 by "region|district" (data/places.tsv), for search to
    #: order a region's services by distance.
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    by_id: dict[str, Resource] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.resources}


def _split_path(path: str) -> list[str | int]:
    """``$.resources[0].phones[1]`` → ``['resources', 0, 'phones', 1]``."""
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(path)]


def _fmt_path(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _value_at(data: Any, parts: list[str | int]) -> Any:
    for p in parts:
        try:
            data = data[p]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _explain(message: str, value: Any) -> str:
    """Turn msgspec's wording into what a maintainer needs to hear."""
    text = message.split(" - at `")[0]
    if PHONE_PATTERN in text.replace("\\\\", "\\"):
        return (
            f"{value!r} is not a valid Korean phone number (dial form with hyphens, e.g. 02-735-8994, 1366)"
        )
    if "https://" in text and "matching regex" in text:
        if isinstance(value, str) and value.startswith("http://"):
            return f"{value!r} is not https (links must use https://, mailto: or tel:)"
        return f"{value!r} is not a valid link (https://, mailto: or tel:)"
    if "matching regex" in text and isinstance(value, str):
        return f"{value!r} has the wrong form ({text})"
    if text.startswith(("Invalid enum value", "Invalid value")):
        return f"{value!r} is not one of the allowed values"
    if value is not None and not isinstance(value, dict | list):
        return f"{text} (got {value!r})"
    return text


def _check_structs(file: YamlFile, kind: type, top: str, problems: list[Problem]) -> Any:
    """Decode a whole small file (regions, taxonomy, synonyms) or report its first problem."""
    if file.data is None:  # nothing but comments or blank lines: a file cut short, or emptied
        problems.append(Problem(file.display, 1, top, f"the file is empty (expected a top-level '{top}:')"))
        return None
    try:
        return msgspec.convert(file.data, type=kind)
    except msgspec.ValidationError as exc:
        parts = _split_path(str(exc).rpartition(" - at `")[2].rstrip("`"))
        value = _value_at(file.data, parts)
        problems.append(
            Problem(file.display, file.line(parts), _fmt_path(parts) or top, _explain(str(exc), value))
        )
        return None


class _Regions(msgspec.Struct, forbid_unknown_fields=True):
    regions: list[Region]


class _Synonyms(msgspec.Struct, forbid_unknown_fields=True):
    groups: list[SynonymGroup]


def _check_resource(
    file: YamlFile, index: int, raw: Any, problems: list[Problem]
) -> tuple[dict[str, Any], str, bool]:
    """Check one resource field by field, so every bad field is reported, not only the first.

    Returns the fields that are valid on their own (for the cross-file checks), the label used
    in messages, and whether the whole resource is valid.
    """
    base: list[str | int] = ["resources", index]
    rid = raw.get("id") if isinstance(raw, dict) else None
    label = f"resources[{rid}]" if isinstance(rid, str) and rid else f"resources[{index}]"
    if not isinstance(raw, dict):
        problems.append(
            Problem(file.display, file.line(base), label, "each resource must be a mapping of fields")
        )
        return {}, label, False
    ok = True
    valid: dict[str, Any] = {}
    for key in raw:
        if key not in _FIELDS:
            problems.append(Problem(file.display, file.line([*base, key]), f"{label}.{key}", "unknown field"))
            ok = False
    for name, info in _FIELDS.items():
        if name not in raw:
            if info.required:
                problems.append(
                    Problem(file.display, file.line(base), f"{label}.{name}", "required field is missing")
                )
                ok = False
            continue
        try:
            valid[name] = msgspec.convert(raw[name], type=info.type)
        except msgspec.ValidationError as exc:
            sub = _split_path(str(exc).rpartition(" - at `")[2].rstrip("`"))
            parts = [*base, name, *sub]
            value = _value_at(raw, [name, *sub])
            where = f"{label}.{_fmt_path([name, *sub])}"
            problems.append(Problem(file.display, file.line(parts), where, _explain(str(exc), value)))
            ok = False
    return valid, label, ok


def _add_problem(
    problems: list[Problem], file: YamlFile, i: int, label: str, path: list[str | int], msg: str
) -> None:
    """Report a problem of the ``i``-th entry of ``file`` at the line of ``path`` within it."""
    where = _fmt_path([label, *path]) if path else label
    problems.append(Problem(file.display, file.line(["resources", i, *path]), where, msg))


@dataclass
class _Where:
    """What the district and town of an entry are checked against, and where missing sources go."""

    places: PlaceTable | None = None  # None: no places.tsv with codes; districts are not checked
    curated_towns: set[tuple[str, str, str]] = field(default_factory=set)  # data/places.yaml
    unsourced: list[Problem] | None = None  # None: a phone or link without a source is a problem


def _check_place(add: Any, r: dict[str, Any], where: _Where) -> None:
    district, town = r.get("district"), r.get("town")
    if where.places is None or not where.places.districts:
        return
    regions = r.get("regions", [])
    if town and not district:
        add(["town"], "a town needs its district (the 시·군·구 it lies in)")
    if not district:
        return
    found = [code for code in regions if where.places.district(code, district)]
    if not found:
        shown = ", ".join(regions) or "no region"
        add(
            ["district"],
            f"{district!r} is not a 시·군·구 of {shown} in data/places.tsv "
            "(write a city's 구 as '포항시 북구', a city without 구 as '김해시')",
        )
        return
    if town and not any(
        where.places.town(code, district, town) or (code, district, town) in where.curated_towns
        for code in found
    ):
        add(["town"], f"{town!r} is not a 읍·면·동 of {district} in data/places.tsv or data/places.yaml")


def _check_source_dates(add: Any, sources: list[Any], checked: dt.date | None, today: dt.date) -> None:
    """A source's own date can be neither after the day it was read nor in the future."""
    for j, src in enumerate(sources):
        if not isinstance(src, Source) or src.as_of is None:
            continue
        year_only = isinstance(src.as_of, int)
        day = dt.date(src.as_of, 1, 1) if isinstance(src.as_of, int) else src.as_of
        shown = str(src.as_of) if year_only else day.isoformat()
        if checked and (day.year > checked.year if year_only else day > checked):
            add(["sources", j, "as_of"], f"{shown} is after the day the source was read (checked)")
        elif day > today:
            add(["sources", j, "as_of"], f"{shown} is in the future")


def _cross_checks(
    resources: list[tuple[YamlFile, int, str, dict[str, Any]]],
    regions: set[str],
    taxonomy: Taxonomy | None,
    problems: list[Problem],
    where: _Where | None = None,
    all_read: bool = True,
) -> None:
    """Checks across fields and files: ids, taxonomy keys, regions, dates, references, places."""
    where = where or _Where()
    kinds = {t.key for t in taxonomy.kinds} if taxonomy else None
    topics = {t.key for t in taxonomy.topics} if taxonomy else None
    platforms = {t.key for t in taxonomy.platforms} if taxonomy else None
    today = dt.datetime.now(SEOUL).date()
    first_seen: dict[str, str] = {}
    ids = {r["id"] for _, _, _, r in resources if "id" in r}

    for file, i, label, r in resources:
        add = partial(_add_problem, problems, file, i, label)

        rid = r.get("id")
        if rid in first_seen:
            add(["id"], f"duplicate id (first used at {first_seen[rid]})")
        elif rid:
            line = file.line(["resources", i, "id"])
            first_seen[rid] = f"{file.display}:{line}" if line else file.display
        kind = r.get("kind")
        if kind and kinds is not None and kind not in kinds:
            add(["kind"], f"unknown kind {kind!r} (see data/taxonomy.yaml)")
        for j, t in enumerate(r.get("topics", [])):
            if topics is not None and t not in topics:
                add(["topics", j], f"unknown topic {t!r} (see data/taxonomy.yaml)")
        for j, code in enumerate(r.get("regions", [])):
            if code not in regions:
                add(["regions", j], f"unknown region {code!r} (see data/regions.yaml)")
        platform = r.get("platform")
        if kind == "platform-report" and not platform:
            add(["kind"], "a platform-report needs a platform")
        if platform and platforms is not None and platform not in platforms:
            add(["platform"], f"unknown platform {platform!r} (see data/taxonomy.yaml)")
        checked = r.get("checked")
        if checked and checked > today:
            add(["checked"], f"{checked.isoformat()} is in the future")
        _check_source_dates(add, r.get("sources", []), checked, today)
        hours = r.get("hours")
        if hours is not None and hours.always == bool(hours.weekly):
            add(["hours"], "give either always: true or weekly spans, not both or neither")
        for j, ref in enumerate(r.get("see_also", [])):
            if ref not in ids and all_read:
                add(["see_also", j], f"no resource has the id {ref!r}")
            elif ref == rid:
                add(["see_also", j], "a resource cannot refer to itself")
        urls = {s if isinstance(s, str) else s.url for s in r.get("sources", [])}
        for field_name in ("phones", "links"):
            for j, item in enumerate(r.get(field_name, [])):
                if item.source is not None and item.source not in urls:
                    add([field_name, j, "source"], f"{item.source!r} is not one of this entry's sources")
                elif item.source is None:
                    shown = item.number if field_name == "phones" else item.url
                    msg = f"{shown!r} names no source (add source: with the URL of the source that states it)"
                    if where.unsourced is None:
                        add([field_name, j], msg)
                    else:
                        _add_problem(where.unsourced, file, i, label, [field_name, j], msg)
        _check_place(add, r, where)
        numbers = [p.number for p in r.get("phones", [])]
        for j, n in enumerate(numbers):
            if n in numbers[:j]:
                add(["phones", j, "number"], f"{n!r} is listed twice")


def _read_resources(
    res_files: list[YamlFile],
    region_codes: set[str],
    taxonomy: Taxonomy | None,
    problems: list[Problem],
    where: _Where | None = None,
) -> list[Resource]:
    """The valid resources of every resource file, in order; every problem found goes to ``problems``.

    Ids are unique and ``see_also`` refers across all the files, so the cross checks run once over
    the entries of every file together.
    """
    checked: list[tuple[YamlFile, int, str, dict[str, Any]]] = []
    valid: list[Resource] = []
    for res_file in res_files:
        _read_resource_file(res_file, checked, valid, problems)
    # A file that could not be read hides its ids: references to them are not checked then.
    _cross_checks(checked, region_codes or {"KR"}, taxonomy, problems, where, all(f.ok for f in res_files))
    return valid


def _read_resource_file(
    res_file: YamlFile,
    checked: list[tuple[YamlFile, int, str, dict[str, Any]]],
    valid: list[Resource],
    problems: list[Problem],
) -> None:
    data = res_file.data
    if res_file.ok:
        if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
            problems.append(Problem(res_file.display, 1, "", "expected a top-level 'resources:' list"))
        else:
            if not data["resources"]:
                problems.append(
                    Problem(res_file.display, res_file.line(["resources"]), "resources", "the list is empty")
                )
            for key in data:
                if key != "resources":
                    problems.append(
                        Problem(res_file.display, res_file.line([key]), key, "unknown top-level key")
                    )
            for i, raw in enumerate(data["resources"]):
                fields, label, ok = _check_resource(res_file, i, raw, problems)
                checked.append((res_file, i, label, fields))
                if ok:
                    valid.append(msgspec.convert(raw, type=Resource))


def _read_places(data_dir: Path, problems: list[Problem]) -> tuple[list[PlaceRow], bytes, _Where]:
    """The place aliases (and the bytes read), and the districts and towns entries are checked against."""
    places: list[PlaceRow] = []
    places_raw = b""
    # places.yaml is read as a YamlFile first, so that its problems name their line.
    places_yaml = data_dir / "places.yaml"
    curated = YamlFile(places_yaml, str(places_yaml), problems) if places_yaml.is_file() else None
    try:
        if curated is None or curated.ok:
            places, places_raw = load_places(data_dir)
    except (OSError, ValueError) as exc:
        cause = exc.__cause__
        if curated is not None and isinstance(cause, msgspec.ValidationError):
            problems.append(curated.conversion_problem(cause))
        else:
            problems.append(Problem(str(data_dir / "places.tsv"), None, "", str(exc).splitlines()[0]))
    where = _Where()
    try:
        where.places = load_place_table(data_dir)
    except (OSError, ValueError) as exc:
        problems.append(Problem(str(data_dir / "places.tsv"), None, "", f"codes and centres: {exc}"))
    where.curated_towns = {(p.region, p.district, p.name) for p in places if p.district}
    return places, places_raw, where


def load_catalog(data_dir: Path | str, *, require_item_sources: bool | None = None) -> Catalog:
    """Read and validate ``data_dir``; raise :class:`CatalogError` listing every problem found.

    ``require_item_sources`` (default :data:`REQUIRE_ITEM_SOURCES`): a phone or link that names
    no source of its own is a problem; otherwise it is listed in ``Catalog.unsourced``.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    strict = REQUIRE_ITEM_SOURCES if require_item_sources is None else require_item_sources

    def open_file(name: str) -> YamlFile:
        return YamlFile(data_dir / name, str(data_dir / name), problems)

    # data/resources.yaml: national lines, platforms, guides; data/local/*.yaml: local services, one
    # file per family, so that maintainers of different families edit different files.
    res_files = [open_file("resources.yaml")]
    res_files += [open_file(f"local/{p.name}") for p in sorted((data_dir / "local").glob("*.yaml"))]
    reg_file = open_file("regions.yaml")
    tax_file = open_file("taxonomy.yaml")
    syn_file = open_file("synonyms.yaml")

    regions_doc = _check_structs(reg_file, _Regions, "regions", problems) if reg_file.ok else None
    taxonomy = _check_structs(tax_file, Taxonomy, "taxonomy", problems) if tax_file.ok else None
    synonyms_doc = _check_structs(syn_file, _Synonyms, "groups", problems) if syn_file.ok else None
    region_codes = {r.code for r in regions_doc.regions} if regions_doc else set()
    kinds, kinds_raw = read_kinds(data_dir / "kinds.yaml", taxonomy, problems)
    needs, needs_raw = read_needs(data_dir / "needs.yaml", problems)

    places, places_raw, where = _read_places(data_dir, problems)
    where.unsourced = None if strict else []
    valid = _read_resources(res_files, region_codes, taxonomy, problems, where)
    unknown = next((r for r in places if region_codes and r.region and r.region not in region_codes), None)
    if unknown is not None:  # named at its first line in places.tsv (a region regions.yaml lost)
        tab = f"\t{unknown.region}\t".encode()
        line = next((n for n, text in enumerate(places_raw.splitlines(), 1) if tab in text), None)
        msg = f"unknown region {unknown.region!r} (data/regions.yaml has no such code)"
        problems.append(Problem(str(data_dir / "places.tsv"), line, unknown.name, msg))

    if problems:
        raise CatalogError(problems)
    assert regions_doc is not None and taxonomy is not None and synonyms_doc is not None
    digest = hashlib.sha256()
    for f in (*res_files, reg_file, tax_file, syn_file):
        digest.update(f.raw)
    digest.update(places_raw)
    digest.update(needs_raw)
    digest.update(kinds_raw)
    return Catalog(
        resources=valid,
        regions=regions_doc.regions,
        taxonomy=taxonomy,
        synonyms=synonyms_doc.groups,
        data_hash=digest.hexdigest()[:16],
        places=places,
        needs=needs,
        kinds=kinds,
        unsourced=where.unsourced or [],
        centres=_centres(where.places),
    )


def _centres(places: PlaceTable | None) -> dict[str, tuple[float, float]]:
    """The centre of each 시·군·구 by "region|district", for the index (search/nearby.py)."""
    found = places.districts if places else {}
    return {f"{region}|{name}": (info.lat, info.lng) for (region, name), info in found.items()}
