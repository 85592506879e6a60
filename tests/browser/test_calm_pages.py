"""A results page on a phone puts the first call button on the first screen; caveats are one line
with the text behind "자세히"; a counsellor ticks results and gets one referral, with or without
JavaScript."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, MOBILE, Site, Watched

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

#: Searches a frightened person types, and a need button's listing.
FIRST_SCREENS = {
    "deepfake": "/search?q=딥페이크&lang=ko",
    "talk": "/search?q=상담&lang=ko",
    "minor": "/search?q=중학생인데 사진이 퍼졌어요&lang=ko",
    "removal-busan": "/search?need=removal&region=KR-26&lang=ko",
    "english": "/search?q=deepfake removal&lang=en",
}


@pytest.mark.parametrize("name", list(FIRST_SCREENS))
def test_the_first_call_button_is_on_the_first_screen(watched: Watched, site: Site, name: str) -> None:
    page = watched.new_page()
    assert page.viewport_size == MOBILE
    page.goto(site.base + FIRST_SCREENS[name])
    first = page.locator(".hits > li").first.locator('a[href^="tel:"]').first
    first.wait_for()
    box = first.bounding_box()
    # Wholly inside the 390 × 844 viewport, without scrolling.
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= MOBILE["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-screen-{name}.png"))


def test_a_caveat_is_one_line_until_asked(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/resources/victim-state-lawyer?lang=ko")
    caveat = page.locator("details.caveat")
    summary = caveat.locator("summary")
    assert summary.inner_text().strip().endswith("자세히")
    # One line: its height is one line of text (within a 44 px target), and the long text is hidden.
    assert summary.bounding_box()["height"] <= 48
    text = caveat.locator("p").last
    assert text.is_hidden()
    # No number of its own: 1366 is offered instead, labelled, on the first screen.
    instead = page.locator('section a.call[href="tel:1366"]')
    assert "번호가 없어 대신 안내해요" in page.locator("p.instead").inner_text()
    box = instead.bounding_box()
    assert box["y"] + box["height"] <= MOBILE["height"], box
    page.screenshot(path=str(ARTIFACTS / "resource-first-screen-mobile-ko.png"))
    summary.click()
    assert text.is_visible() and "확인되지 않았어요" in text.inner_text()
    page.screenshot(path=str(ARTIFACTS / "caveat-open-mobile-ko.png"))
    # On a results card too.
    page.goto(site.base + "/search?q=국선변호사&lang=ko")
    assert page.locator(".card").count() >= 1
    assert page.locator(".card details.caveat, .card .flag").count() == 0  # her view: no caveat boxes
    page.goto(site.base + "/search?q=국선변호사&lang=ko&view=counsellor")
    card = page.locator(".card", has=page.locator("details.caveat")).first
    assert card.locator("details.caveat p").is_hidden()
    assert card.locator("details.caveat summary").bounding_box()["height"] <= 48


def _pick_and_send(page: Any, site: Site, count: int, js: bool) -> tuple[list[str], Any]:
    """Ticks ``count`` results of a typed search in the counsellor's view and sends them: from the
    home page's live results with JavaScript, from the results page without."""
    page.goto(site.base + "/?lang=ko&view=counsellor")
    assert page.get_by_label("상담사용").is_checked()
    page.locator("#q").fill("법률")
    page.locator("#q").press("Enter")
    page.locator(".hits > li").first.wait_for()
    assert urlsplit(page.url).path == ("/" if js else "/search")
    cards = page.locator(".hits > li")
    ids = []
    for i in range(count):
        box = cards.nth(i).get_by_role("checkbox")
        box.check()
        ids.append(box.get_attribute("value"))
    page.get_by_role("button", name="고른 곳으로 안내문 만들기").click()
    page.wait_for_url(re.compile(r"/card\?"))
    return ids, page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_ticked_results_become_one_referral(make_context: Any, site: Site, js: bool) -> None:
    page = make_context(viewport=MOBILE, locale="ko-KR", java_script_enabled=js).new_page()
    page.set_default_timeout(15_000)
    ids, page = _pick_and_send(page, site, 3, js)
    assert parse_qs(urlsplit(page.url).query)["ids"] == ids  # the URL is the whole state
    names = page.locator(".pcard h2").all_inner_texts()
    assert len(names) == 3
    text = page.locator("#share-text").input_value()
    sms = page.locator("#sms-text").input_value()
    for referral in (text, sms):
        blocks = referral.split("\n\n")
        assert [b.splitlines()[0] for b in blocks] == names
        for block in blocks:
            assert re.search(r"\d{3,4}(-\d{3,4})*", "\n".join(block.splitlines()[1:])), block
            assert re.search(r"https?://|@", block), block
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]  # nothing sideways
    href = page.get_by_role("link", name="문자로 보내기").get_attribute("href") or ""
    assert unquote(href.removeprefix("sms:?&body=")) == sms
    page.screenshot(path=str(ARTIFACTS / f"referral-picked-{'js' if js else 'nojs'}.png"), full_page=True)


def test_nothing_ticked_says_what_to_do(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/search?need=legal&lang=ko&view=counsellor")
    page.get_by_role("button", name="고른 곳으로 안내문 만들기").click()
    page.wait_for_url(re.compile(r"/card\?"))
    assert "고른 곳이 없어요" in page.locator("[role=alert]").inner_text()
    assert page.locator('.bar a[href="tel:1366"]').is_visible()


def test_ticking_survives_search_as_you_type(make_context: Any, site: Site) -> None:
    """The results swapped in while typing carry their own checkboxes and form."""
    page = make_context(viewport=DESKTOP, locale="ko-KR").new_page()
    page.goto(site.base + "/search?need=talk&lang=ko&view=counsellor")
    first = page.locator(".card h2").first.inner_text()
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("법률", delay=60)
    page.wait_for_function(
        "n => document.querySelector('.card h2').textContent.trim() !== n", arg=first.strip()
    )
    page.locator(".hits > li").first.get_by_role("checkbox").check()
    page.get_by_role("button", name="고른 곳으로 안내문 만들기").click()
    page.wait_for_url(re.compile(r"/card\?"))
    assert page.locator(".pcard").count() == 1
    # The referral's form never mixed with the search: the next search from home has no pick=1.
    assert "pick=1" in page.url
    page.goto(site.base + "/?lang=ko")
    assert page.locator("form#search [name=pick], form#search [name=ids]").count() == 0


def test_english_cards_say_korean_only_or_english_via_interpreter(watched: Watched, site: Site) -> None:
    """On a phone, in English: 112's card says its English comes through an interpreter, a line that
    speaks only Korean says so, and Danuri (whose counsellors speak English) says nothing."""
    page = watched.new_page()
    page.goto(site.base + "/?lang=en")
    page.fill("input[name=q]", "police, I only speak English")
    page.keyboard.press("Enter")
    page.locator('.card a[href^="/resources/police-112"]').first.wait_for()
    police = page.locator(".card", has=page.locator('a[href^="/resources/police-112"]')).first
    assert police.locator(".trust").inner_text().strip() == "English via interpreter"
    assert police.locator(".trust").is_visible()
    korean_only = page.locator(".card .trust", has_text="Korean only")
    assert korean_only.count() >= 1
    danuri = page.locator(".card", has=page.locator('a[href^="/resources/danuri-1577-1366"]'))
    if danuri.count():
        assert danuri.first.locator(".trust").count() == 0
    assert "police" not in page.url and "English" not in page.url  # her words stay out of the address
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "english-via-interpreter-mobile.png"), full_page=True)


#: Three frightened searches, each read on a Korean and an English page.
FRIGHTENED = [
    "딥페이크 사진 퍼졌어요 도와주세요",
    "my classmate made fake nudes of me",
    "죽고싶어요 사진 유포",
]
#: What the victim's first screen is measured on: the first call, warnings, written ways.
_MEASURE = """() => {
  const H = innerHeight, main = document.querySelector('main');
  const top = e => e.getBoundingClientRect().top + scrollY;
  const onFirst = e => { const r = e.getBoundingClientRect(); return r.height > 0 && top(e) + r.height <= H; };
  const cards = [...main.querySelectorAll('.card')];
  const calls = [...main.querySelectorAll('.card a[href^="tel:"]')];
  const written = [...main.querySelectorAll('.card .channels .call:not(.ch-voice)')];
  const warnings = [...main.querySelectorAll('.flag, details.caveat, .caveat, .warn')].filter(onFirst);
  return {cards: cards.length, firstCall: calls.length ? top(calls[0]) : null,
          callsOnFirst: calls.filter(onFirst).length, warningsOnFirst: warnings.length,
          tenPx: cards.length ? cards[cards.length - 1].getBoundingClientRect().bottom + scrollY - top(cards[0]) : 0,
          written: written.length, writtenOnFirst: written.filter(onFirst).length};
}"""


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("q", FRIGHTENED, ids=["deepfake-spread", "classmate-fakes", "suicidal"])
def test_a_frightened_search_on_a_phone(make_context: Any, site: Site, q: str, lang: str, js: bool) -> None:
    """On a 390 px phone the first two calls are on the first screen with no warning beside them,
    a way to write (text, chat, KakaoTalk, a form) is there too, and ten results fit in three
    screens. The figures are printed (pytest -s) and the pages kept in test-artifacts/."""
    page = make_context(viewport=MOBILE, java_script_enabled=js).new_page()
    page.goto(f"{site.base}/?lang={lang}")
    page.fill("input[name=q]", q)
    page.keyboard.press("Enter")
    page.locator(".card").nth(9).wait_for()
    page.wait_for_load_state("networkidle")
    m = page.evaluate(_MEASURE)
    screens = m["tenPx"] / MOBILE["height"]
    print(f"\n{lang} {'js' if js else 'no-js'} {q!r}: first call at {m['firstCall']:.0f} px (screen "
          f"{int(m['firstCall'] // MOBILE['height']) + 1}), {m['callsOnFirst']} calls and {m['writtenOnFirst']} "
          f"written ways on the first screen, {m['warningsOnFirst']} warnings there; ten results "
          f"{m['tenPx']:.0f} px = {screens:.2f} screens, {m['written']} buttons usable without speaking")  # fmt: skip
    assert m["cards"] == 10
    assert m["callsOnFirst"] >= 1 and m["firstCall"] < MOBILE["height"]
    assert m["warningsOnFirst"] == 0
    assert m["writtenOnFirst"] >= 1
    assert screens <= 3.0
    if q == FRIGHTENED[2]:  # the danger ladder: a calm sentence, then 109 first
        assert "109" in page.locator(".card").first.locator("h2").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"frightened-{FRIGHTENED.index(q)}-{lang}-{'js' if js else 'nojs'}"
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_kakaotalk_channel_known_by_name_can_be_copied(make_context: Any, site: Site) -> None:
    """1366's KakaoTalk has no address in its sources: the card shows the name to search for, and
    with JavaScript a button copies it to paste into the app."""
    watched = make_context(viewport=MOBILE, permissions=["clipboard-read", "clipboard-write"])
    page = watched.new_page()
    page.goto(site.base + "/search?q=1366&lang=ko")
    chip = page.locator(".card .call.handle", has_text="women1366").first
    assert chip.is_visible() and chip.locator("a").count() == 0  # not a link: no address is made up
    button = chip.locator("button[data-copy-text]")
    button.click()
    # The label changes once the clipboard has taken the text (a promise): wait for it.
    expect(button).to_have_text("복사했어요", timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == "women1366"
    # Without JavaScript the name is there and the button is not.
    plain = make_context(viewport=MOBILE, java_script_enabled=False).new_page()
    plain.goto(site.base + "/search?q=1366&lang=ko")
    chip = plain.locator(".card .call.handle", has_text="women1366").first
    assert chip.is_visible() and chip.locator("button").is_hidden()
