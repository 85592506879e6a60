"""The JSON Schema of data/resources.yaml, generated from the msgspec model (``haven schema``)."""

from __future__ import annotations

from typing import Any

import msgspec

from search.model import Directory

__all__ = ("resources_schema",)


def resources_schema() -> dict[str, Any]:
    """The JSON Schema of data/resources.yaml, generated from the msgspec model."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated from search/model.py by `haven schema --out schema/resources.schema.json`; "
        "do not edit by hand.",
        "title": "Haven resources.yaml",
        **msgspec.json.schema(Directory),
    }
