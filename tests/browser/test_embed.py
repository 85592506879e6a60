"""The school embed as a school's IT teacher pastes it: the snippets from /for-schools, on a page
served from another local port, in Chromium on a 390 px phone and on a desktop."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, DESKTOP, MOBILE, Site, Watched, _OtherOrigin

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

#: A 360 px phone is the narrowest common one (a school page's margins leave the frame ~344 px).
VIEWPORTS = {"phone": MOBILE, "small-phone": {"width": 360, "height": 740}, "desktop": DESKTOP}


def _snippets(page: Any, site: Site, lang: str = "ko") -> dict[str, str]:
    """The code /for-schools gives for Busan: the iframe, the resize line and the sandbox tokens."""
    page.goto(f"{site.base}/for-schools?region=KR-26&embed_lang={lang}&lang=ko")
    return {name: page.locator(f"#code-{name}").input_value() for name in ("iframe", "resize", "sandbox")}


def _school_page(name: str, *parts: str) -> str:
    """A school's page on the other origin with ``parts`` pasted in, as the teacher would."""
    body = "".join(parts)
    _OtherOrigin.pages[f"/{name}.html"] = (
        "<!doctype html><html lang=ko><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>School</title></head>'
        f"<body><h1>Our school</h1><p>News and notices</p>{body}<p>Footer</p></body></html>"
    )
    return f"/{name}.html"


def _fixed_height(iframe: str) -> int:
    """The fallback height the iframe snippet sets."""
    found = re.search(r'height="(\d+)"', iframe)
    assert found, iframe
    return int(found.group(1))


def _frame_of(page: Any) -> Any:
    frame = page.frame_locator("#haven-embed")
    frame.locator(".contacts li").last.wait_for()
    return next(f for f in page.frames if "/embed?" in f.url)


def _fits(page: Any, frame: Any) -> None:
    """Everything in the frame shows: no inner scroll, the last contact's row is inside the frame,
    and neither the frame nor the school's page sticks out sideways."""
    box = page.locator("#haven-embed").bounding_box()
    inner = frame.evaluate(
        """() => ({
            scroll: document.documentElement.scrollHeight, client: document.documentElement.clientHeight,
            wide: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
            last: document.querySelector('.contacts li:last-child').getBoundingClientRect().bottom,
            more: document.querySelector('main .btn').getBoundingClientRect().bottom,
        })"""
    )
    assert inner["scroll"] <= inner["client"], inner  # nothing cut, no scrollbar inside the frame
    assert inner["last"] <= box["height"] and inner["more"] <= box["height"], (inner, box)
    assert inner["wide"] <= inner["width"], inner
    viewport = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport
    style = page.locator("#haven-embed").evaluate("f => getComputedStyle(f).borderTopWidth")
    assert style == "0px"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_resize_line_fits_the_frame_to_its_content(make_context: Any, site: Site, viewport: str) -> None:
    page = make_context(viewport=VIEWPORTS[viewport], locale="ko-KR").new_page()
    code = _snippets(page, site)
    page.goto(site.other + _school_page("resize", code["iframe"], code["resize"]))
    frame = _frame_of(page)
    fixed = _fixed_height(code["iframe"])
    # The frame takes the content's own height (not the fixed fallback) once the message arrives.
    # The content can still grow while its fonts and styles settle, so both are read again until
    # they agree (the frame's document is another origin: it is read through its own handle).
    deadline = time.monotonic() + 20
    while True:
        content = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        outer = page.evaluate("document.getElementById('haven-embed').getBoundingClientRect().height")
        if abs(outer - content) <= 1:
            break
        assert time.monotonic() < deadline, f"the frame stayed {outer} px for content of {content} px"
        page.wait_for_timeout(100)
    assert content != fixed
    _fits(page, frame)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-resized-{viewport}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("viewport", ["phone", "small-phone", "desktop"])
def test_without_the_script_the_fixed_height_still_fits(
    make_context: Any, site: Site, viewport: str, lang: str
) -> None:
    page = make_context(viewport=VIEWPORTS[viewport], locale="ko-KR").new_page()
    code = _snippets(page, site, lang)
    page.goto(site.other + _school_page(f"fixed-{lang}", code["iframe"]))
    frame = _frame_of(page)
    _fits(page, frame)
    page.screenshot(path=str(ARTIFACTS / f"embed-fixed-{viewport}-{lang}.png"), full_page=True)


def test_the_resize_line_ignores_every_other_message(make_context: Any, site: Site) -> None:
    page = make_context(viewport=MOBILE, locale="ko-KR").new_page()
    code = _snippets(page, site)
    page.goto(site.other + _school_page("forged", code["iframe"], code["resize"]))
    frame = _frame_of(page)
    height = "() => document.getElementById('haven-embed').getBoundingClientRect().height"
    fixed = _fixed_height(code["iframe"])
    page.wait_for_function(f"({height})() !== {fixed}", timeout=10_000)
    settled = page.evaluate(height)
    # From the school's own page (or anything else that is not Haven's frame): ignored.
    page.evaluate("window.postMessage({type: 'haven:height', height: 300}, '*')")
    # From Haven's frame, but not a height message of the right shape: ignored.
    for bad in ("{type: 'haven:height', height: '300'}", "{type: 'other', height: 300}",
                "{type: 'haven:height', height: 90000}", "'haven:height 300'"):  # fmt: skip
        frame.evaluate(f"parent.postMessage({bad}, '*')")
    # A good message last, so the bad ones have surely been handled when it lands.
    frame.evaluate("parent.postMessage({type: 'haven:height', height: 1234}, '*')")
    page.wait_for_function(f"({height})() === 1234", timeout=10_000)
    assert settled != 1234
    # The same line naming another origin never resizes, even for Haven's real messages.
    wrong = code["resize"].replace(site.base, "http://127.0.0.1:9")
    assert wrong != code["resize"]
    page.goto(site.other + _school_page("wrong-origin", code["iframe"], wrong))
    frame = _frame_of(page)
    frame.evaluate("parent.postMessage({type: 'haven:height', height: 1234}, '*')")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate(height) == fixed


def test_quick_exit_with_the_recommended_sandbox_leaves_the_whole_page(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    code = _snippets(page, site)
    assert "allow-top-navigation-by-user-activation" in code["sandbox"]
    sandboxed = code["iframe"].replace("<iframe ", f"<iframe {code['sandbox']} ", 1)
    page.goto(site.other + _school_page("sandboxed", sandboxed, code["resize"]))
    frame = _frame_of(page)
    assert frame.evaluate("location.origin") == site.base  # allow-same-origin: the height can be checked
    page.frame_locator("#haven-embed").locator("a.exit").click()
    page.wait_for_url(site.exit_url)


def test_quick_exit_without_top_navigation_clears_the_frame(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    code = _snippets(page, site)
    strict = code["iframe"].replace(
        "<iframe ", '<iframe sandbox="allow-scripts allow-same-origin allow-popups" ', 1
    )
    school = site.other + _school_page("strict", strict)
    page.goto(school)
    _frame_of(page)
    # The school's page may not be replaced: the next best thing, the neutral site in the frame.
    with page.expect_event("framenavigated", lambda f: f.url == site.exit_url, timeout=10_000) as navigated:
        page.frame_locator("#haven-embed").locator("a.exit").click()
    assert navigated.value.parent_frame is not None  # the frame, not the page
    assert page.url == school
    assert not any("/embed?" in f.url for f in page.frames)


def test_embed_contacts_are_calm(watched: Watched, site: Site) -> None:
    """A student's key contacts: a name and a number each, no doubt printed beside them (the
    resource page a name links to keeps the sources and caveats)."""
    page = watched.new_page()
    page.goto(site.base + "/embed?region=KR-26&lang=ko")
    rows = page.locator(".contacts li")
    assert rows.count() >= 1
    assert page.locator(".contacts .flag, .contacts .caveat").count() == 0
    for i in range(rows.count()):
        row = rows.nth(i)
        assert row.locator("a.name").inner_text().strip()
        assert row.locator('a.call[href^="tel:"], a.call[href^="sms:"]').count() <= 1
