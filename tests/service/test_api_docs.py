"""The API reference page at /schema: every operation and parameter, in words, served locally."""

from __future__ import annotations

import html

import pytest
from litestar.testing import TestClient

from service.api_docs import schema_text


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "integer, 1–100, default 20"),
        ({"type": "integer", "minimum": 0}, "integer, 0–"),
        ({"type": "string", "enum": ["ko", "en"], "default": "ko"}, 'ko | en, default "ko"'),
        ({"type": "string", "default": ""}, "string"),
        ({"type": "array", "items": {"type": "string"}}, "list of string"),
        ({"oneOf": [{"type": "string", "pattern": "^KR$"}, {"type": "null"}]}, "string, ^KR$"),
        ({"anyOf": [{"type": "boolean"}, {"type": "integer"}]}, "boolean or integer"),
        ({}, "any"),
    ],
)
def test_a_schema_in_a_few_words(schema: dict[str, object], text: str) -> None:
    assert schema_text(schema) == text


def test_the_page_lists_every_operation_and_parameter(client: TestClient) -> None:
    spec = client.get("/schema/openapi.json").json()
    page = html.unescape(client.get("/schema").text)
    assert spec["paths"]
    for path, item in spec["paths"].items():
        assert f"GET {path}" in page
        for parameter in item["get"].get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in page
            assert f'<code class="small">{schema_text(parameter["schema"])}</code>' in page, parameter


def test_api_docs_are_served_locally(client: TestClient) -> None:
    response = client.get("/schema")
    assert response.status_code == 200
    html_text = response.text
    assert "/api/v1/search" in html_text
    assert "<script>" not in html_text  # nothing inline
    for attribute in ('src="http', "src='http", 'href="//', 'src="//'):
        assert attribute not in html_text
    assert "cdn" not in html_text.lower() and "unpkg" not in html_text.lower()
