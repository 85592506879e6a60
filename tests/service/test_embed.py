"""The school snippets on /for-schools: the site's address, the resize line's checks, the sandbox."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.pages import EMBED_HEIGHTS, EMBED_SANDBOX
from service.settings import Settings


def _codes(page: str) -> dict[str, str]:
    return {
        k: html.unescape(v)
        for k, v in re.findall(r'<textarea id="code-([a-z]+)"[^>]*>(.*?)</textarea>', page, re.S)
    }


@pytest.mark.parametrize(
    ("public_url", "origin"),
    [
        ("https://haven.example.org/", "https://haven.example.org"),
        ("https://example.org/haven", "https://example.org"),
    ],
)
def test_the_snippets_name_the_public_address(db_path: Path, public_url: str, origin: str) -> None:
    app = create_app(Settings(db_path=db_path, rate_limit=None, public_url=public_url))
    with TestClient(app) as c:
        codes = _codes(c.get("/for-schools?region=KR-26&embed_lang=en").text)
    assert f'src="{public_url.rstrip("/")}/embed?region=KR-26&amp;lang=en"' in codes["iframe"]
    # The resize line trusts the embed's origin only: scheme and host, never a path.
    assert f'e.origin==="{origin}"' in codes["resize"]
    assert "e.source===f.contentWindow" in codes["resize"] and 'd.type==="haven:height"' in codes["resize"]


def test_without_a_public_address_the_request_origin_is_baked_in(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None))) as c:
        codes = _codes(c.get("/for-schools?lang=ko").text)
    assert 'src="http://testserver.local/embed?region=KR' in codes["iframe"]
    assert 'e.origin==="http://testserver.local"' in codes["resize"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_iframe_has_no_border_and_a_fixed_height(db_path: Path, lang: str) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None))) as c:
        codes = _codes(c.get(f"/for-schools?embed_lang={lang}").text)
    iframe = codes["iframe"]
    assert iframe.startswith('<iframe id="haven-embed" ') and iframe.endswith("></iframe>")
    assert "border:0" in iframe and "width:100%" in iframe and "max-width:" in iframe
    assert f'height="{EMBED_HEIGHTS[lang]}"' in iframe  # type: ignore[index]
    assert codes["sandbox"] == f'sandbox="{EMBED_SANDBOX}"'
    assert "allow-top-navigation-by-user-activation" in EMBED_SANDBOX
    assert "<script>" in codes["resize"] and codes["resize"].count("\n") == 0  # one line
