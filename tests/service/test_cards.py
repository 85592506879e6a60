"""Share links, printable referral cards, QR codes and region pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import zxingcpp
from litestar.testing import TestClient

from search.sqlite_engine import SqliteEngine
from service import i18n
from service.app import create_app
from service.cards import GROUPS, MAX_CARDS, group_of, region_groups
from service.referral import referral
from service.settings import Settings
from service.share import qr_svg, sms_href

PUBLIC = "https://haven.example.org"
EXIT = "https://exit.example/"
T_KO = i18n.strings("ko")
T_EN = i18n.strings("en")


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=None, exit_url=EXIT, public_url=PUBLIC)


@pytest.fixture(scope="module")
def local_client(db_path: Path) -> Iterator[TestClient]:
    """No HAVEN_PUBLIC_URL: QR codes point at the request's own address."""
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None, exit_url=EXIT))) as c:
        yield c


# -- QR codes: draw the SVG's modules into an image and decode it as a phone's camera would -------


def svgs(page: str) -> list[str]:
    return re.findall(r'<svg role="img".*?</svg>', page, flags=re.S)


def svg_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The side of an SVG's square (in modules) and the dark modules it draws, as (row, column).

    Read from the path's ``M x y`` moves and ``h n`` lines, each on the middle of its row of
    modules (y + 0.5).
    """
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    side = int(root.get("viewBox", "").split()[-1])
    (path,) = [el for el in root.iter() if el.tag.endswith("path")]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for cmd, a, b in re.findall(r"([Mmh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.get("d", "")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                dark.add((int(y - 0.5), col))
            x += float(a)
    return side, dark


def decoded(svg: str, scale: int = 4) -> zxingcpp.Barcode | None:
    """The QR code an SVG draws, read back from a grey image of it (``scale`` pixels a module)."""
    side, dark = svg_modules(svg)
    width = side * scale
    pixels = bytearray(b"\xff" * width * width)
    for row, col in dark:
        assert 0 <= row < side and 0 <= col < side, "a module outside the code's square"
        for dy in range(scale):
            start = (row * scale + dy) * width + col * scale
            pixels[start : start + scale] = b"\x00" * scale
    image = memoryview(bytes(pixels)).cast("B", (width, width))
    return zxingcpp.read_barcode(image, formats=zxingcpp.BarcodeFormat.QRCode)


def assert_qr_encodes(svg: str, url: str) -> None:
    code = decoded(svg)
    assert code is not None and code.valid, f"no QR code can be read from the SVG for {url}"
    assert code.text == url and code.ec_level == "M"
    side, dark = svg_modules(svg)
    quiet = {min(c for _, c in dark), min(r for r, _ in dark), side - 1 - max(c for _, c in dark)}
    assert quiet == {2}, "two light modules of quiet zone on each side"


def test_a_qr_code_that_is_damaged_or_another_address_is_caught() -> None:
    svg = qr_svg(f"{PUBLIC}/resources/women-1366?lang=ko", "QR")
    assert_qr_encodes(svg, f"{PUBLIC}/resources/women-1366?lang=ko")
    with pytest.raises(AssertionError):
        assert_qr_encodes(svg, f"{PUBLIC}/resources/women-1366?lang=en")
    # The top-left finder pattern (the runs at its left edge) wiped out: no reader finds a code.
    wiped = re.sub(r"M2 [2-8]\.5h\d+", "", svg)
    assert wiped != svg
    assert decoded(wiped) is None or not decoded(wiped).valid  # type: ignore[union-attr]


# -- share on the resource page and on results ----------------------------------------------------


def test_resource_page_shares_text_sms_and_qr(client: TestClient, engine: SqliteEngine) -> None:
    r = engine.get("women-1366")
    assert r is not None
    page = client.get("/resources/women-1366?lang=ko").text
    text = referral([r], "ko", "text")
    assert (
        f'<textarea id="share-text" class="code" readonly rows="5" spellcheck="false">{text}</textarea>'
        in page
    )
    sms = sms_href(referral([r], "ko", "sms")).replace("&", "&amp;")
    assert f'href="{sms}"' in page
    (svg,) = svgs(page)
    assert_qr_encodes(svg, f"{PUBLIC}/resources/women-1366?lang=ko")
    assert 'aria-label="QR 코드: ' in svg
    assert 'href="/resources/women-1366/card?lang=ko"' in page
    assert 'href="/resources/women-1366/card?size=wallet&amp;lang=ko"' in page


def test_sms_link_carries_the_carrier_safe_referral(engine: SqliteEngine) -> None:
    r = engine.get("d4u-central")
    assert r is not None
    href = sms_href(referral([r], "en", "sms"))
    assert href.startswith("sms:?&body=") and "\n" not in href and " " not in href
    assert unquote(href.removeprefix("sms:?&body=")) == referral([r], "en", "sms")


def test_qr_follows_the_request_without_a_public_url(local_client: TestClient) -> None:
    (svg,) = svgs(local_client.get("/resources/women-1366?lang=en").text)
    assert_qr_encodes(svg, "http://testserver.local/resources/women-1366?lang=en")


def test_every_result_card_can_be_shared_in_the_counsellors_view(client: TestClient) -> None:
    calm = client.post("/search", data={"q": "상담", "lang": "en"}).text
    assert calm.count('<article class="card">') >= 5
    assert '<details class="share">' not in calm and "sms:?&amp;body=" not in calm  # not on her page
    page = client.post("/search", data={"q": "상담", "lang": "en", "view": "counsellor"}).text
    cards = page.count('<article class="card">')
    assert cards >= 5
    assert page.count('<details class="share">') == cards
    assert page.count('href="sms:?&amp;body=') == cards
    assert page.count("data-copy-sms=") == cards
    assert len(page.encode()) < 50_000


# -- printable cards ------------------------------------------------------------------------------


def test_resource_card(client: TestClient, engine: SqliteEngine) -> None:
    r = engine.get("d4u-central")
    assert r is not None
    response = client.get("/resources/d4u-central/card?lang=en")
    assert response.status_code == 200
    page = response.text
    assert '<body class="print-a4">' in page
    assert r.name.en in page and r.phones[0].number in page
    (svg,) = svgs(page)
    assert_qr_encodes(svg, f"{PUBLIC}/resources/d4u-central?lang=en")
    assert T_EN["card_emergency"] in page
    wallet = client.get("/resources/d4u-central/card?size=wallet&lang=ko").text
    assert '<body class="print-wallet">' in wallet and r.name.ko in wallet


def test_several_cards_in_the_order_given(client: TestClient, engine: SqliteEngine) -> None:
    ids = ["sunflower-busan", "women-1366", "no-such-id", "d4u-central", "women-1366"]
    page = client.get("/card", params={"ids": ",".join(ids), "lang": "ko"}).text
    names = re.findall(r'<h2 id="pcard-\d+">([^<]+)</h2>', page)
    expected = [engine.get(i) for i in ("sunflower-busan", "women-1366", "d4u-central")]
    assert names == [r.name.ko for r in expected if r]
    for svg, rid in zip(svgs(page), ("sunflower-busan", "women-1366", "d4u-central"), strict=True):
        assert_qr_encodes(svg, f"{PUBLIC}/resources/{rid}?lang=ko")
    # The copyable referral covers all three.
    assert referral([r for r in expected if r], "ko") in page.replace("&#39;", "'")


def test_cards_are_capped(client: TestClient, engine: SqliteEngine) -> None:
    ids = [r.id for r in engine.resources()[: MAX_CARDS + 5]]
    page = client.get("/card", params={"ids": ",".join(ids)}).text
    assert page.count('<article class="pcard"') == MAX_CARDS


@pytest.mark.parametrize(
    "url", ["/card?ids=nope", "/card", "/resources/nope/card", "/regions/XX", "/regions/KR-99"]
)
def test_unknown_cards_and_regions_are_the_404_page(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert T_KO["nf_title"] in response.text and 'href="tel:1366"' in response.text


# -- region pages ---------------------------------------------------------------------------------


def test_groups_by_need() -> None:
    from search.catalog import load_catalog
    from tests.conftest import DATA

    by_id = {r.id: r for r in load_catalog(DATA).resources}
    expected = {
        "women-1366": "talk",
        "d4u-central": "removal",
        "stopncii": "removal",
        "police-112": "report",
        "klac-132": "legal",
        "sunflower-busan": "medical",
        "edu-busan-117": "schools",
        "teachers-1395": "schools",
        "kakao-clean-center": None,
        "guide-first-steps": None,
    }
    assert {k: group_of(by_id[k]) for k in expected} == expected


def test_region_lists_its_own_services_then_nationwide(engine: SqliteEngine) -> None:
    groups = region_groups(engine.resources(), "KR-26", engine.kinds)
    assert [g.key for g in groups] == [k for k in GROUPS if k in {g.key for g in groups}]
    local = [r for g in groups for r in g.local]
    national = [r for g in groups for r in g.national]
    assert local and all("KR-26" in r.regions for r in local)
    assert national and all(r.regions == ["KR"] for r in national)
    # Never another region's services.
    listed = {r.id for r in local + national}
    assert not [
        r.id
        for r in engine.resources()
        if r.id in listed and r.regions not in (["KR"],) and "KR-26" not in r.regions
    ]


@pytest.mark.parametrize(("lang", "t"), [("ko", T_KO), ("en", T_EN)])
def test_region_page(client: TestClient, engine: SqliteEngine, lang: str, t: dict[str, str]) -> None:
    response = client.get(f"/regions/KR-26?lang={lang}")
    assert response.status_code == 200
    page = response.text
    region = next(g for g in engine.regions() if g.code == "KR-26").name.get(lang)
    assert f'<html lang="{lang}">' in page and t["region_title"].format(region=region) in page
    assert '<body class="poster">' in page and "data-exit" in page
    for key in ("talk", "removal", "medical"):
        assert t[f"group_{key}"] in page
    # Busan's own Sunflower Centre is listed, with its number; the nationwide list of centres,
    # which has no number of its own, is not (it cannot be used on paper).
    busan = engine.get("sunflower-busan")
    national = engine.get("sunflower-centers")
    assert busan and national and busan.phones and not national.phones
    assert busan.name.get(lang) in page and busan.phones[0].number in page
    assert f">{national.name.get(lang)}<" not in page
    (svg,) = svgs(page)
    assert_qr_encodes(svg, f"{PUBLIC}/regions/KR-26?lang={lang}")
    assert f"{PUBLIC}/regions/KR-26?lang={lang}" in page  # printed under the code too
    assert len(response.content) < 50_000


def test_a_poster_lists_only_what_can_be_used_on_paper(client: TestClient, engine: SqliteEngine) -> None:
    """Every entry printed has a number or a short address; services abroad only when asked."""
    page = client.get("/regions/KR-26?lang=ko").text
    entries = re.findall(r'<li>\s*<a class="name" href="/resources/([^"?]+)[^"]*">', page)
    assert len(entries) >= 5
    for rid in entries:
        r = engine.get(rid)
        assert r is not None and (r.phones or (r.address and len(r.address.ko) <= 40)), rid
        assert not any(p.number.startswith("+") for p in r.phones), rid
    ncmec = engine.get("ncmec-cybertipline")
    assert ncmec is not None and ncmec.name.ko not in page and "+1-800" not in page
    asked = client.get("/regions/KR-26?lang=ko&abroad=1").text
    assert ncmec.phones[0].number in asked


def test_region_code_is_case_insensitive_and_kr_is_nationwide(client: TestClient) -> None:
    assert client.get("/regions/kr-11").status_code == 200
    page = client.get("/regions/KR?lang=en").text
    assert T_EN["region_national"] in page and "In Nationwide" not in page


def test_regions_index_links_every_region(client: TestClient, engine: SqliteEngine) -> None:
    page = client.get("/regions?lang=en").text
    for g in engine.regions():
        assert f'href="/regions/{g.code}?lang=en"' in page


def test_region_pages_are_linked_from_results_and_for_schools(client: TestClient) -> None:
    counsellor = {"view": "counsellor", "lang": "ko"}
    assert (
        'href="/regions/KR-26?lang=ko"'
        in client.post("/search", data={"region": "KR-26", "q": "상담", **counsellor}).text
    )
    assert (
        'href="/regions/KR-26?lang=ko"' in client.post("/search", data={"q": "부산 상담", **counsellor}).text
    )
    assert 'href="/regions/KR-26?lang=en"' in client.get("/for-schools?region=KR-26&lang=en").text
    assert 'href="/regions?lang=en"' in client.get("/for-schools?lang=en").text


# -- every new page keeps the site's properties ---------------------------------------------------

NEW_PAGES = [
    "/resources/women-1366",
    "/resources/women-1366/card",
    "/resources/women-1366/card?size=wallet",
    "/card?ids=women-1366,d4u-central,sunflower-busan",
    "/regions",
    "/regions/KR-11",
    "/regions/KR-26?lang=en",
    "/regions/KR",
]


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_pages_keep_privacy_and_weight(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    page = response.text
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert ' style="' not in page and "<style" not in page  # the CSP forbids inline styles
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script
    assert "data-exit" in page and 'href="tel:112"' in page and 'href="tel:1366"' in page
    assert not re.search(
        r'(?:src|href)="(?:https?:)?//(?!haven\.example\.org)[^"]*\.(?:js|css|png|svg|woff2?)', page
    )
    assert len(response.content) < 50_000, f"{url} weighs {len(response.content)} bytes"
