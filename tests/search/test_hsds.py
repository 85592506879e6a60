"""The HSDS 3.1 export validates against the HSDS JSON Schemas (kept in tests/data/hsds/)."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import search.hsds as hsds
import search.hsds_api as hsds_api
from search import atomic
from search.catalog import Catalog
from search.hsds import NAMESPACE, TABLES, ExportError, Feed, service_id
from search.hsds_api import compile_services
from search.hsds_package import EXTRAS, write_hsds
from search.sqlite_engine import SqliteEngine
from service.i18n import language_name

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "hsds"


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}


@pytest.fixture(scope="module")
def validators(schemas: dict[str, dict[str, Any]]) -> dict[str, Draft202012Validator]:
    # The schemas refer to each other by bare file name ("phone.json"): register each under that
    # name so every $ref resolves from this folder and nothing is fetched.
    registry: Registry = Registry().with_resources(
        (f"{name}.json", DRAFT202012.create_resource(s)) for name, s in schemas.items()
    )
    return {
        name: Draft202012Validator(s, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        for name, s in schemas.items()
    }


@pytest.fixture(scope="module")
def feed(catalog: Catalog) -> Feed:
    return Feed.from_catalog(catalog, language_name=language_name)


@pytest.fixture(scope="module")
def services(feed: Feed) -> list[dict[str, Any]]:
    return compile_services(feed)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, feed: Feed) -> Path:
    out = tmp_path_factory.mktemp("hsds")
    write_hsds(feed, out)
    return out


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(instance)]


# -- compiled services --------------------------------------------------------------------------


def test_every_compiled_service_validates(services: list[dict[str, Any]], validators: Any) -> None:
    assert services
    problems = {s["haven_id"]: errors(validators["service"], s) for s in services}
    assert {k: v for k, v in problems.items() if v} == {}


def walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in nested JSON."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)
    else:
        yield key, value


def test_every_uri_is_absolute(services: list[dict[str, Any]]) -> None:
    # jsonschema checks "uri" only with an optional package, so check the URLs ourselves.
    uris = [v for k, v in walk(services) if k in ("url", "website", "uri", "term_uri", "schedule_link")]
    assert uris and all(isinstance(u, str) and u.startswith(("https://", "http://")) for u in uris)


def test_compiled_services_nest_what_hsds_expects(services: list[dict[str, Any]], catalog: Catalog) -> None:
    assert [s["haven_id"] for s in services] == [r.id for r in catalog.resources]
    women = next(s for s in services if s["haven_id"] == "women-1366")
    assert women["organization"]["id"] == women["organization_id"]
    (sal,) = women["service_at_locations"]
    assert sal["location"]["id"] == sal["location_id"] and sal["service_id"] == women["id"]
    assert [p["number"] for p in women["phones"]] == ["1366"]
    (always,) = women["schedules"]
    assert (always["byday"], always["opens_at"], always["closes_at"], always["timezone"]) == (
        "MO,TU,WE,TH,FR,SA,SU",
        "00:00+09:00",
        "23:59+09:00",
        9,
    )
    assert [a["extent"] for a in women["service_areas"]] == ["KR"]
    assert women["languages"] == [
        {
            "id": hsds.uid("language", "women-1366", "ko"),
            "service_id": women["id"],
            "code": "ko",
            "name": "한국어",
        }
    ]
    kinds = [a for a in women["attributes"] if a["link_type"] == "kind"]
    assert kinds[0]["taxonomy_term"]["code"] == "hotline"


def test_weekly_hours_become_weekly_schedules(services: list[dict[str, Any]], catalog: Catalog) -> None:
    weekly = next(r for r in catalog.resources if r.hours and r.hours.weekly)
    service = next(s for s in services if s["haven_id"] == weekly.id)
    span = weekly.hours.weekly[0] if weekly.hours else None
    assert span is not None
    first = service["schedules"][0]
    assert first["freq"] == "WEEKLY" and first["opens_at"] == f"{span.open}+09:00"
    assert first["byday"].split(",")[0] == span.days[0][:2].upper()
    assert first["timezone_name"] == "Asia/Seoul"


def test_translations_carry_both_languages_and_lang_picks_the_fields(catalog: Catalog) -> None:
    r = catalog.by_id["d4u-central"]
    ko = hsds_api.compile_service(Feed.from_catalog(catalog), r)
    en = hsds_api.compile_service(Feed.from_catalog(catalog, "en"), r)
    assert ko["name"] == r.name.ko and en["name"] == r.name.en
    assert ko["alternate_name"] == r.name.en
    assert ko["translations"] == en["translations"]
    assert ko["translations"]["en"]["application_process"] == r.how_to.en if r.how_to else False
    assert ko["id"] == en["id"]  # one id per service, whatever the language


def test_ids_are_deterministic_uuid5(feed: Feed, catalog: Catalog) -> None:
    assert service_id("women-1366") == str(uuid.uuid5(NAMESPACE, "service/women-1366"))
    again = compile_services(Feed.from_catalog(catalog, language_name=language_name))
    assert again == compile_services(feed)
    tables = hsds.tables(feed)
    for name, rows in tables.items():
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
        assert all(uuid.UUID(i).version == 5 for i in ids)


def test_an_engine_feed_equals_a_catalog_feed(db_path: Path, feed: Feed, catalog: Catalog) -> None:
    # The web routes build their feed from the engine; it must publish the same services.
    engine = SqliteEngine(db_path)
    from_engine = Feed.from_engine(engine, language_name=language_name)
    assert compile_services(from_engine) == compile_services(feed)
    assert from_engine.get(service_id("d4u-central")) == catalog.by_id["d4u-central"]
    assert from_engine.get("d4u-central") == catalog.by_id["d4u-central"]


def test_page_envelope() -> None:
    items = list(range(5))
    first = hsds_api.page(items, 1, 2)
    assert first == {"total_items": 5, "total_pages": 3, "page_number": 1, "size": 2, "first_page": True,
                     "last_page": False, "empty": False, "contents": [0, 1]}  # fmt: skip
    last = hsds_api.page(items, 3, 2)
    assert (last["contents"], last["last_page"], last["first_page"]) == ([4], True, False)
    beyond = hsds_api.page(items, 9, 2)
    assert beyond["empty"] and beyond["size"] == 0
    assert hsds_api.page([], 1, 10)["total_pages"] == 1
    assert hsds_api.api_root()["version"] == "3.1"


# -- the tabular data package -------------------------------------------------------------------


def test_tables_match_the_hsds_schemas(schemas: dict[str, dict[str, Any]]) -> None:
    for name, (path, columns) in TABLES.items():
        schema = schemas[name]
        assert path == schema["path"]
        scalar = [
            k
            for k, v in schema["properties"].items()
            if "$ref" not in v and v.get("type") not in ("array", "object")
        ]
        assert [c for c in columns if c not in EXTRAS] == scalar, name


def test_the_export_writes_every_file(export: Path, services: list[dict[str, Any]]) -> None:
    names = {p.name for p in export.iterdir()}
    assert names == {"services.json", "datapackage.json", *(path for path, _ in TABLES.values())}
    assert json.loads((export / "services.json").read_text(encoding="utf-8")) == services
    assert not [p for p in export.iterdir() if p.name.startswith(".")]  # no temporary files left


def typed(row: dict[str, str], schema: dict[str, Any]) -> dict[str, Any]:
    """A CSV row as the JSON its schema describes: empty cells absent, numbers as numbers."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            continue
        if key in EXTRAS and value[:1] in "[{":
            out[key] = json.loads(value)
        elif schema["properties"].get(key, {}).get("type") == "number":
            out[key] = float(value)
        else:
            out[key] = value
    return out


def test_every_csv_row_validates(export: Path, schemas: dict[str, dict[str, Any]], validators: Any) -> None:
    for name, (path, columns) in TABLES.items():
        header, rows = read_csv(export / path)
        assert header == list(columns), path
        for row in rows:
            instance = typed(row, schemas[name])
            assert errors(validators[name], instance) == [], (path, row["id"])
            for field in schemas[name].get("tabular_required", []):
                assert instance.get(field), (path, field)


def test_datapackage_describes_the_csvs(export: Path, schemas: dict[str, dict[str, Any]]) -> None:
    package = json.loads((export / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    ids: dict[str, set[str]] = {}
    for resource in package["resources"]:
        _, rows = read_csv(export / resource["path"])
        ids[resource["name"]] = {r["id"] for r in rows}
    for resource in package["resources"]:
        header, rows = read_csv(export / resource["path"])
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        table = next(n for n, (p, _) in TABLES.items() if p == resource["path"])
        for f in fields:
            spec = schemas[table]["properties"].get(f["name"])
            if spec is None:
                assert f["name"] in EXTRAS and f.get("description")
                continue
            expected = spec.get("datapackage_type") or spec["type"]
            assert f["type"] == expected, (table, f["name"])
        for fk in resource["schema"].get("foreignKeys", []):
            target = ids[fk["reference"]["resource"]]
            values = {r[fk["fields"]] for r in rows if r[fk["fields"]]}
            assert values <= target, (resource["name"], fk["fields"])


def test_organizations_are_shared_by_name(export: Path, catalog: Catalog) -> None:
    _, orgs = read_csv(export / "organizations.csv")
    named = {r.organization.ko.strip() for r in catalog.resources if r.organization}
    own = [r for r in catalog.resources if r.organization is None]
    assert len(orgs) == len(named) + len(own)


def test_a_failed_export_leaves_the_previous_one(
    tmp_path: Path, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_hsds(feed, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = 0

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError(28, "No space left on device")
        return open(*args, **kwargs)

    # The fifth file of the export cannot be written.
    monkeypatch.setattr(atomic, "open", disk_full, raising=False)
    with pytest.raises(ExportError, match="No space left"):
        write_hsds(feed, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_an_unwritable_folder_is_an_export_error(tmp_path: Path, feed: Feed) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write"):
        write_hsds(feed, blocker / "hsds")
