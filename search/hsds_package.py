"""The HSDS tabular data package on disk: one CSV per HSDS object, ``services.json`` and
``datapackage.json``, written whole or not at all (search/atomic.py).

The rows are those of search/hsds.py, so the package and the compiled services never disagree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from search.atomic import write_texts
from search.hsds import HSDS_VERSION, TABLES, ExportError, Feed, Lang, Row, tables
from search.hsds_api import compile_services

__all__ = ("EXTRAS", "datapackage", "write_hsds")

#: Our extra properties, as documented in the data package.
EXTRAS: dict[str, str] = {
    "translations": 'The texts in both languages: {"ko": {...}, "en": {...}} (HSDS has no translated text).',
    "haven_id": "The entry's id in Haven's data/resources.yaml.",
    "confidence": "How far the entry can be trusted: official, secondary, dated or unconfirmed.",
    "sources": "The pages that state the entry's facts (read on assured_date).",
    "timezone_name": "The IANA time zone of opens_at/closes_at (Korea has no daylight saving time).",
}
_NUMBERS = {"year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude", "extension",
            "timezone", "count", "interval", "amount"}  # fmt: skip
_DATES = {"assured_date", "valid_from", "valid_to", "dtstart", "until"}
_REFS = {
    ("service", "organization_id"): "organization",
    ("location", "organization_id"): "organization",
    ("service_at_location", "service_id"): "service",
    ("service_at_location", "location_id"): "location",
    ("phone", "service_id"): "service",
    ("schedule", "service_id"): "service",
    ("service_area", "service_id"): "service",
    ("language", "service_id"): "service",
    ("url", "service_id"): "service",
    ("cost_option", "service_id"): "service",
    ("attribute", "taxonomy_term_id"): "taxonomy_term",
    ("taxonomy_term", "taxonomy_id"): "taxonomy",
}


def _field(table: str, column: str) -> Row:
    spec: Row = {"name": column, "type": "string"}
    if column in EXTRAS:
        spec["type"] = (
            "array" if column == "sources" else ("object" if column == "translations" else "string")
        )
        spec["description"] = EXTRAS[column]
    elif column == "id" or column.endswith("_id"):
        spec["format"] = "uuid"
    elif column in _NUMBERS:
        spec["type"] = "number"
    elif column in _DATES:
        spec["type"] = "date"
    elif column in ("opens_at", "closes_at"):
        spec["type"], spec["format"] = "time", "any"  # HH:MM+09:00
    elif column == "last_modified":
        spec["type"] = "datetime"
    elif column in ("url", "website", "uri", "term_uri", "schedule_link"):
        spec["format"] = "uri"
    elif column in ("email", "assurer_email"):
        spec["format"] = "email"
    return spec


def datapackage(name: str = "haven-hsds", lang: Lang = "ko") -> Row:
    """The Frictionless ``datapackage.json`` describing the CSV files."""
    resources = []
    for table, (path, columns) in TABLES.items():
        schema: Row = {"fields": [_field(table, c) for c in columns], "primaryKey": "id"}
        refs = [
            {"fields": column, "reference": {"resource": TABLES[target][0][:-4], "fields": "id"}}
            for (t, column), target in _REFS.items()
            if t == table
        ]
        if refs:
            schema["foreignKeys"] = refs
        resources.append(
            {
                "name": path[:-4],
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": name,
        "title": "Haven: help after deepfake and digital sex crimes in South Korea (Open Referral HSDS 3.1)",
        "profile": "tabular-data-package",
        "language": lang,
        "hsds_version": HSDS_VERSION,
        "resources": resources,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv(columns: Iterable[str], rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180, as Frictionless expects by default
    cols = list(columns)
    writer.writerow(cols)
    writer.writerows([_cell(row.get(c)) for c in cols] for row in rows)
    return buf.getvalue()


def write_hsds(feed: Feed, out_dir: Path | str, progress: Callable[[int], None] | None = None) -> list[Path]:
    """Write ``services.json``, one CSV per HSDS object and ``datapackage.json`` into ``out_dir``.

    Every file is written beside its target and renamed over it only when all are ready, so a
    failed export leaves the previous one as it was.

    Raises:
        ExportError: the folder cannot be created or written.
    """
    out_dir = Path(out_dir)
    services = compile_services(feed, progress)
    rows = tables(feed)
    # Compact: the compiled services are for machines (1.5 MB for 171 services), the package for people.
    files = {"services.json": json.dumps(services, ensure_ascii=False, separators=(",", ":")) + "\n"}
    files.update({path: _csv(columns, rows[table]) for table, (path, columns) in TABLES.items()})
    files["datapackage.json"] = json.dumps(datapackage(lang=feed.lang), ensure_ascii=False, indent=2) + "\n"
    try:
        write_texts({out_dir / name: text for name, text in files.items()})
    except OSError as exc:
        raise ExportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    return [out_dir / name for name in files]
