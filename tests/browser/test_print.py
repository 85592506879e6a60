"""Referral cards and region posters as printed: print media, one A4 page, and axe on the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import zxingcpp

from tests.browser.conftest import ARTIFACTS, AXE, DESKTOP, MOBILE, Site
from tests.browser.test_site import _axe

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 dpi
PRINTED = {
    "card-a4": "/resources/d4u-central/card",
    "cards-wallet": "/card?ids=women-1366,d4u-central,sunflower-busan,police-112&size=wallet",
    "poster": "/regions/KR-26",
}


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_cards_and_poster_print(make_context: Any, site: Site, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = make_context(viewport=A4, locale="ko-KR" if lang == "ko" else "en-US").new_page()
    for name, path in PRINTED.items():
        sep = "&" if "?" in path else "?"
        page.goto(f"{site.base}{path}{sep}lang={lang}")
        page.emulate_media(media="print")
        # Printed: no crisis bar, header, buttons or footer; the QR code and the cards are there.
        assert page.locator(".bar").is_hidden() and page.locator(".foot").is_hidden()
        assert page.locator("svg.qr").first.is_visible()
        box = page.locator("svg.qr").first.bounding_box()
        assert box and box["width"] >= 80 and abs(box["width"] - box["height"]) < 1  # ≥ 21 mm, square
        page.screenshot(path=str(ARTIFACTS / f"print-{name}-{lang}.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (ARTIFACTS / f"print-{name}-{lang}.pdf").write_bytes(pdf)
        if name == "cards-wallet":
            card = page.locator(".pcard").first.bounding_box()  # 85.6 × 54 mm at 96 dpi
            assert (
                card
                and abs(card["width"] - 85.6 / 25.4 * 96) < 2
                and abs(card["height"] - 54 / 25.4 * 96) < 2
            )
        else:
            assert _pdf_pages(pdf) == 1, f"{name} prints on {_pdf_pages(pdf)} pages"
        page.emulate_media(media="screen")


# The QR code as chromium draws it, into a canvas of ``size`` pixels: its grey levels, row by row.
_QR_PIXELS = """async (el, size) => {
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(el));
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size, size);
  context.drawImage(image, 0, 0, size, size);
  const rgba = context.getImageData(0, 0, size, size).data;
  return Array.from({length: size * size}, (_, i) => rgba[4 * i]);
}"""


def test_a_phone_reads_each_qr_code_the_browser_draws(make_context: Any, site: Site) -> None:
    """Every QR code of a resource page, a card, a region poster and several cards, as chromium
    renders it, decodes to the page it names (a stranger's reader, not the code that made it)."""
    page = make_context(viewport=MOBILE, bypass_csp=True).new_page()
    size = 300
    for path, target in (
        ("/resources/women-1366?lang=ko", "/resources/women-1366?lang=ko"),
        ("/resources/d4u-central/card?lang=en", "/resources/d4u-central?lang=en"),
        ("/regions/KR-26?lang=ko", "/regions/KR-26?lang=ko"),
        ("/card?ids=women-1366,police-112&lang=en", "/resources/police-112?lang=en"),
    ):
        page.goto(site.base + path)
        codes = page.locator("svg.qr")
        assert codes.count() >= 1, path
        read = []
        for i in range(codes.count()):
            grey = bytes(codes.nth(i).evaluate(_QR_PIXELS, size))
            found = zxingcpp.read_barcode(
                memoryview(grey).cast("B", (size, size)), formats=zxingcpp.BarcodeFormat.QRCode
            )
            assert found is not None and found.valid and found.ec_level == "M", (path, i)
            read.append(found.text)
        assert site.base + target in read, (path, read)


def test_every_region_poster_fits_one_a4_page(make_context: Any, site: Site) -> None:
    page = make_context(viewport=A4).new_page()
    page.goto(site.base + "/regions?lang=en")
    paths = [
        h for h in page.locator(".regions a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    ]
    assert len(paths) == 18
    pages: dict[str, int] = {}
    for path in paths:
        for lang in ("ko", "en"):
            page.goto(site.base + path.replace("lang=en", f"lang={lang}"))
            pages[f"{path} {lang}"] = _pdf_pages(page.pdf(format="A4", print_background=True))
    assert {k: v for k, v in pages.items() if v != 1} == {}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_screen_views_of_share_card_and_region(make_context: Any, site: Site, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page = make_context(viewport=viewport).new_page()
        for name, path in {"region": "/regions/KR-26", "card": "/resources/women-1366/card",
                           "resource-share": "/resources/women-1366"}.items():  # fmt: skip
            page.goto(f"{site.base}{path}?lang={lang}")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
            assert page.locator("[data-exit]").is_visible()
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_axe_on_region_and_card_pages(make_context: Any, site: Site, lang: str, viewport: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run npm ci")
    context = make_context(viewport=MOBILE if viewport == "mobile" else DESKTOP, bypass_csp=True)
    page = context.new_page()
    serious: list[str] = []
    lines: list[str] = []
    for path in ("/regions/KR-26", "/regions", "/resources/women-1366/card", "/resources/women-1366"):
        page.goto(f"{site.base}{path}?lang={lang}")
        for v in _axe(page):
            line = f"{path}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: {v['help']}"
            lines.append(line)
            if v["impact"] in ("serious", "critical"):
                serious.append(line + " " + json.dumps([n["target"] for n in v["nodes"][:3]]))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-print-pages-{viewport}-{lang}.txt").write_text("\n".join(lines) or "no violations\n")
    assert not serious, "\n".join(serious)
