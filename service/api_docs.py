"""The API reference at /schema: the OpenAPI document rendered as an ordinary page of the site
(same frame, both languages), with no CDN and no script."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

from service.present import page_context, request_lang

__all__ = ("ApiDocs", "schema_text")


class ApiDocs(OpenAPIRenderPlugin):
    """The API reference at /schema, rendered here from the OpenAPI document: no CDN, no script."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        lang = request_lang(request)
        template = request.app.template_engine.get_template("api_docs.html")  # type: ignore[union-attr]
        operations = [
            {
                "id": f"op{i}",
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    (prm["name"], prm["in"], prm.get("required", False), prm.get("description", ""),
                     schema_text(prm.get("schema", {})))
                    for prm in op.get("parameters", [])
                ],
                "responses": [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()],
            }
            for i, (path, item) in enumerate(openapi_schema.get("paths", {}).items())
            for method, op in item.items()
            if method == "get"
        ]  # fmt: skip
        context = page_context(request, lang, info=openapi_schema.get("info", {}), operations=operations)
        return str(template.render(**context, request=request)).encode()


def schema_text(schema: dict[str, Any]) -> str:
    """A JSON Schema in a few words: ``integer, 1–100, default 20``; ``ko | en``."""
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        return " or ".join(t for t in (schema_text(o) for o in options) if t != "null")
    if "enum" in schema:
        text = " | ".join(str(v) for v in schema["enum"])
    elif schema.get("type") == "array":
        text = f"list of {schema_text(schema.get('items', {}))}"
    else:
        text = str(schema.get("type", "any"))
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        text += f", {'' if low is None else low}–{'' if high is None else high}"
    if "pattern" in schema:
        text += f", {schema['pattern']}"
    if "default" in schema and schema["default"] not in (None, ""):
        text += f", default {json.dumps(schema['default'])}"
    return text
