"""The site as a frightened person would use it, in a real browser (Debian's chromium)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, AXE, DESKTOP, MOBILE, Site, Watched

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _card_names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator(".card h2 a").all_inner_texts()]


# -- searching -------------------------------------------------------------------------------------


def test_search_in_korean(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.get_by_label("무엇을 도와드릴까요?").fill("상담")
    page.keyboard.press("Enter")
    page.locator("#results .card").first.wait_for()
    # The results come into this page: her words are in the box only, never in the address or title.
    assert "상담" not in unquote(page.url) and "상담" not in page.title()
    assert page.locator("#q").input_value() == "상담"
    assert page.locator(".card").count() >= 1
    assert page.locator('.card a[href^="tel:"]').count() >= 1


def test_search_in_english(make_context: Any, site: Site) -> None:
    page = make_context(viewport=DESKTOP, locale="en-US").new_page()
    page.goto(site.base + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("What do you need help with?").fill("deepfake removal")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#results .card").first.wait_for()
    assert "deepfake" not in page.url
    assert page.locator("#results h1").inner_text() == "Where you can get help"


def test_results_appear_as_you_type(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/")
    assert page.locator("#results").is_hidden()
    page.locator("#q").press_sequentially("해바라기", delay=60)
    page.locator("#results .card").first.wait_for()
    assert urlsplit(page.url).path == "/"  # no navigation, no new history entry
    assert page.locator(".needs").is_hidden()  # the results take the buttons' place
    assert page.locator("#live-status").inner_text().strip()  # announced to screen readers
    page.locator("#q").fill("")
    page.locator("#q").dispatch_event("input")
    page.locator(".needs").wait_for(state="visible")


def test_typing_on_the_results_page_keeps_the_url_honest(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/search?need=talk&lang=ko")
    url, before = page.url, page.evaluate("history.length")
    first = _card_names(page)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("법률", delay=60)
    page.wait_for_function(
        "n => document.querySelector('#results .card h2').textContent.trim() !== n", arg=first[0]
    )
    assert page.url == url  # the words never enter the address
    assert page.evaluate("history.length") == before  # nothing new to go Back through


def test_filter_by_region(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/")
    page.get_by_label("지역").select_option("KR-26")
    page.get_by_label("상담사용").check()  # the counsellor's view shows each card's region
    page.get_by_role("button", name="이야기할 사람 찾기").click()
    page.locator("#results .card").first.wait_for()
    metas = page.locator(".card .meta").all_inner_texts()
    assert metas
    assert all("부산광역시" in m or "전국" in m for m in metas)
    assert "부산광역시" in page.locator(".count").inner_text()
    # The filter it set is visible and can be removed.
    assert page.locator(".chips button").count() >= 1


def test_open_a_resource(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/")
    page.locator("#q").fill("1366")
    page.locator("#q").press("Enter")
    page.locator("#results .card").first.wait_for()
    names = _card_names(page)
    page.locator(".card h2 a").first.click()
    page.wait_for_url(re.compile(r"/resources/"))
    assert "q=" not in page.url and "back=" not in page.url
    assert page.locator("h1").inner_text().strip() == names[0]
    assert page.locator("#sources-h").is_visible()
    assert page.locator(".sources a").count() >= 1
    # The way back runs the same search again, without putting it in an address.
    page.get_by_role("link", name="찾은 결과로 돌아가기").click()
    page.wait_for_url(re.compile(r"/search\?lang=ko$"))
    # /search first lists everything, then the search runs again and its results replace them.
    page.wait_for_function(
        "names => JSON.stringify([...document.querySelectorAll('.card h2 a')].map(a => a.textContent.trim())) === JSON.stringify(names)",
        arg=names,
    )
    assert page.locator("#q").input_value() == "1366"


def test_language_switch_keeps_the_search(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/search?q=부산&region=KR-26")
    page.locator("a.lang").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert _query(page.url)["q"] == ["부산"] and _query(page.url)["region"] == ["KR-26"]
    assert page.locator("#q").input_value() == "부산"


# -- quick exit ------------------------------------------------------------------------------------


def test_quick_exit_button_and_back_does_not_return(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/")
    results = site.base + "/search?q=%EC%83%81%EB%8B%B4"
    page.goto(results)
    length = page.evaluate("history.length")
    page.get_by_role("link", name="빠른 나가기").click()
    page.wait_for_url(site.exit_url)
    assert page.evaluate("history.length") == length  # replaced, not added
    page.go_back()
    page.wait_for_load_state()
    assert page.url != results


def test_a_whole_visit_is_one_entry_that_quick_exit_replaces(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    before = site.other + "/before.html"
    page.goto(before)
    page.goto(site.base + "/")
    length = page.evaluate("history.length")  # ends with the page before, then this visit
    # Search by typing and Enter, open a result, switch language, follow the footer: all inside.
    page.locator("#q").fill("딥페이크")
    page.locator("#q").press("Enter")
    page.locator("#results .card").first.wait_for()
    assert page.locator("#q").input_value() == "딥페이크"
    page.locator(".card h2 a").first.click()
    page.wait_for_url(re.compile(r"/resources/"))
    page.locator("a.lang").click()
    page.wait_for_url(re.compile(r"lang=en"))
    page.locator(".foot a[href*='/safety']").click()
    page.wait_for_url(re.compile(r"/safety"))
    assert page.evaluate("history.length") == length  # the visit is still a single entry
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(site.exit_url)
    assert page.evaluate("history.length") == length
    # Back goes to where she was before, never to the search with her words in it.
    page.go_back()
    page.wait_for_url(before)
    assert page.locator("h1").inner_text() == "Where she was before"


def test_escape_in_the_search_box_does_not_exit(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/search?q=상담")
    page.locator("#q").fill("딥페잌")
    page.locator("#q").press("Escape")  # clearing a typo, not leaving
    # leave() marks the page at once, before it navigates: its absence means no exit was started.
    assert not page.evaluate("document.documentElement.classList.contains('leaving')")
    page.locator("#q").press_sequentially("딥페이크")
    assert page.locator("#q").input_value().endswith("딥페이크")
    assert page.url.startswith(site.base + "/search")
    # Out of the field, the same key leaves.
    page.locator("h1").first.click()
    page.keyboard.press("Escape")
    page.wait_for_url(site.exit_url)


def test_escape_on_the_page_exits(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/search?q=1366")
    page.locator(".card h2 a").first.click()
    page.wait_for_url(re.compile(r"/resources/"))
    resource = page.url
    page.keyboard.press("Escape")
    page.wait_for_url(site.exit_url)
    page.go_back()
    page.wait_for_load_state()
    assert page.url != resource


def test_quick_exit_without_javascript(make_context: Any, site: Site) -> None:
    watched = make_context(viewport=MOBILE, locale="ko-KR", java_script_enabled=False)
    page = watched.new_page()
    results = site.base + "/search?q=%EC%83%81%EB%8B%B4"
    page.goto(results)
    with page.expect_response(re.compile(r"/exit$")) as exit_response:
        page.get_by_role("link", name="빠른 나가기").click()
    page.wait_for_url(site.exit_url)
    headers = exit_response.value.all_headers()  # as received, with Clear-Site-Data
    assert exit_response.value.status == 303 and headers["clear-site-data"] == '"cache"'
    # As /safety says: without JavaScript the page seen stays in Back. The browser kept no copy of
    # it, so Back has to ask the server again.
    asked = watched.requests.count(results)
    page.go_back()
    page.wait_for_url(results)
    assert watched.requests.count(results) == asked + 1


# -- the embed ---------------------------------------------------------------------------------------


def test_embed_inside_a_school_page_on_another_origin(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.other + "/school.html")
    frame = page.frame_locator("#haven")
    frame.locator("h1").wait_for()
    assert "부산광역시" in frame.locator("h2").inner_text()
    assert frame.locator('.contacts a[href^="tel:"]').count() >= 1
    # A search from the embed opens the full site (with its quick exit) in a new tab.
    with watched.context.expect_page() as popup:
        frame.locator("#q").fill("상담")
        frame.locator("button.go").click()
    results = popup.value
    results.wait_for_load_state()
    assert results.url == site.base + "/search"  # posted: the words are not in the new tab's address
    assert results.locator("#region").input_value() == "KR-26"
    assert results.locator("#q").input_value() == "상담"
    # Quick exit inside the embed leaves the school's whole page, not just the frame.
    frame.locator("a.exit").click()
    page.wait_for_url(site.exit_url)


def test_other_pages_refuse_to_be_framed(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.other + "/framing-home.html")
    page.wait_for_selector("iframe", state="attached")
    framed = page.frames[1]
    # Until the frame has its answer: the site, or the browser's own page for a refused frame.
    framed.wait_for_load_state("load")
    # frame-ancestors 'none': the browser shows its own error page instead of the site.
    assert framed.url not in ("", "about:blank"), "the frame was never loaded"
    assert not framed.url.startswith(site.base), framed.url
    assert framed.locator(".bar").count() == 0


# -- without JavaScript ------------------------------------------------------------------------------


def test_everything_works_without_javascript(make_context: Any, site: Site) -> None:
    page = make_context(viewport=MOBILE, locale="ko-KR", java_script_enabled=False).new_page()
    page.goto(site.base + "/")
    page.locator("#region").select_option("KR-26")
    page.get_by_role("button", name="사진·영상 지우기").click()
    page.wait_for_url(site.base + "/search")  # a POST: nothing in the address
    assert page.locator(".card").count() >= 1
    assert page.locator("#region").input_value() == "KR-26"
    page.locator("#q").fill("상담")
    page.locator("#q").press("Enter")
    page.wait_for_load_state()
    assert page.url == site.base + "/search" and page.title() == "검색 결과 · Haven"
    page.locator("details.filters summary").click()
    page.get_by_label("지금 운영 중인 곳만").check()
    page.get_by_role("button", name="적용하기").click()
    page.wait_for_load_state()
    assert page.locator("input[name=open_now]").is_checked()
    page.locator(".card h2 a").first.click()
    page.wait_for_url(re.compile(r"/resources/"))
    assert page.locator("h1").is_visible()
    # Quick exit is a plain link.
    page.get_by_role("link", name="빠른 나가기").click()
    page.wait_for_url(site.exit_url)


_DEAD_CONTROLS = """() => [...document.querySelectorAll(
    'a, button, input[type=button], input[type=submit], input[type=reset], input[type=image], [role=button], [onclick]')]
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => {
    if (e.tagName === 'A') {
      const href = (e.getAttribute('href') || '').trim();
      return !href || href === '#' || /^javascript:/i.test(href);
    }
    if (e.tagName === 'BUTTON' || e.tagName === 'INPUT') {
      // Without a script a button does something only when it submits or resets its form.
      return !((e.type === 'submit' || e.type === 'reset' || e.type === 'image') && e.form);
    }
    return true;  // a role=button or onclick element is a script's
  })
  .map(e => e.outerHTML.slice(0, 120))"""


def test_every_visible_control_works_without_javascript(make_context: Any, site: Site) -> None:
    """No Copy, Copy-text or Print button (or any other script's control) shows without JavaScript."""
    with_js = make_context(viewport=MOBILE, locale="ko-KR").new_page()
    resource = _pages(site, with_js)["resource"]
    shown_with_js = 0
    pages = {
        "home": "/",
        "results": "/search?q=딥페이크",
        "resource": resource,
        "for-schools": "/for-schools?region=KR-26",
        "embed": "/embed?region=KR-26",
        "safety": "/safety",
        "card": resource + "/card",
        "region": "/regions/KR-26",
    }
    for path in pages.values():
        with_js.goto(site.base + path)
        shown_with_js += with_js.locator(
            "[data-copy]:visible, [data-copy-sms]:visible, [data-print]:visible"
        ).count()
    assert shown_with_js  # the script's buttons exist and show once it runs: the check below means something
    ARTIFACTS.mkdir(exist_ok=True)
    page = make_context(viewport=MOBILE, locale="ko-KR", java_script_enabled=False).new_page()
    dead: list[str] = []
    for name, path in pages.items():
        page.goto(site.base + path)
        # Open every <details> (share boxes, filters): the controls inside must work too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.screenshot(path=str(ARTIFACTS / f"nojs-{name}-mobile.png"), full_page=True)
        dead += [f"{name}: {html}" for html in page.evaluate(_DEAD_CONTROLS)]
    assert not dead, "\n".join(dead)


# -- nothing leaves the origin ---------------------------------------------------------------------


def test_no_request_leaves_the_origin(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    for path in ("/", "/search?q=상담", "/search?q=deepfake&lang=en", "/safety", "/for-schools?region=KR-26",
                 "/schema", "/resources/no-such-place"):  # fmt: skip
        page.goto(site.base + path)
        page.wait_for_load_state("networkidle")
    page.goto(site.base + "/search?q=1366")
    page.locator(".card h2 a").first.click()
    page.wait_for_load_state("networkidle")
    assert watched.requests
    assert all(u.startswith(site.base + "/") for u in watched.requests)
    # (the fixture fails the test if anything was requested from elsewhere)


# -- accessibility and screenshots -----------------------------------------------------------------

MAIN_PAGES = {
    "home": "/",
    "results": "/search?q=상담",
    "results-region": "/search?region=KR-26&need=removal",
    "resource": None,
    "safety": "/safety",
    "for-schools": "/for-schools?region=KR-26",
    "embed": "/embed?region=KR-26",
    "not-found": "/resources/no-such-place",
    "api-docs": "/schema",
}


def _pages(site: Site, browser_page: Any) -> dict[str, str]:
    browser_page.goto(site.base + "/search?q=1366")
    first = browser_page.locator(".card h2 a").first.get_attribute("href")
    return {**MAIN_PAGES, "resource": first.split("?")[0]}  # type: ignore[dict-item]


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        })"""
    )
    return list(result["violations"])


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_axe_finds_nothing_serious(make_context: Any, site: Site, lang: str, viewport: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run npm ci")
    # axe is injected as an inline script, which the site's CSP rightly forbids: bypass it here only.
    context = make_context(viewport=MOBILE if viewport == "mobile" else DESKTOP, bypass_csp=True)
    page = context.new_page()
    report: dict[str, list[str]] = {}
    serious: list[str] = []
    for name, path in _pages(site, page).items():
        sep = "&" if "?" in path else "?"
        page.goto(f"{site.base}{path}{sep}lang={lang}")
        for v in _axe(page):
            line = f"{name}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: {v['help']}"
            report.setdefault(name, []).append(line)
            if v["impact"] in ("serious", "critical"):
                serious.append(line + " " + json.dumps([n["target"] for n in v["nodes"][:3]]))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{viewport}-{lang}.txt").write_text(
        "\n".join(line for lines in report.values() for line in lines) or "no violations\n"
    )
    assert not serious, "\n".join(serious)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_screenshots_of_the_main_pages(make_context: Any, site: Site, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page = make_context(viewport=viewport, locale="ko-KR" if lang == "ko" else "en-US").new_page()
        for name, path in _pages(site, page).items():
            sep = "&" if "?" in path else "?"
            page.goto(f"{site.base}{path}{sep}lang={lang}")
            # Nothing may stick out sideways on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}-{lang}.png"), full_page=True)


def test_targets_are_at_least_44px(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    small: list[str] = []
    for path in ("/", "/search?q=상담", "/safety"):
        page.goto(site.base + path)
        small += page.evaluate(
            """() => [...document.querySelectorAll('button, select, input, .bar a, .call, .need, .chips a, .more a, .foot a')]
                .filter(e => e.offsetParent !== null && e.type !== 'hidden' && e.type !== 'checkbox')
                .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
                .filter(([_, h]) => h < 44)
                .map(([html, h]) => `${html} ${h}`)"""
        )
    assert not small, small
