"""What she sees after typing: nothing she typed in any address, title or history entry, Back
that works, a calm first screen, every way to reach a line as a button, and quick exit by keys.

History is read from the browser profile's own SQLite file after the visit (Chromium's
``Default/History``), as someone holding the phone would see it in the History list. Those
contexts are not routed through the request watcher: Playwright turns the HTTP cache off for a
routed context, and Back to a results page relies on the copy the browser kept.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.browser.conftest import ARTIFACTS, MOBILE, Site, Watched
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

#: Words nobody else searches: if any reaches the history, it came from this test.
SECRET = "딥페이크 단톡방 졸업앨범"
#: Three frightened searches, as typed, in Korean and English.
FRIGHTENED = {
    "ko-deepfake": ("ko", "친구가 내 얼굴로 딥페이크 만들어서 단톡방에 올렸어요"),
    "ko-suicide": ("ko", "죽고싶어"),
    "en-fake-nudes": ("en", "someone posted fake nude photos of me"),
}


def _history(profile: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(profile / "Default" / "History")
    try:
        rows = [(unquote(u), t or "") for u, t in con.execute("SELECT url, title FROM urls")]
        rows += [(unquote(t), "") for (t,) in con.execute("SELECT term FROM keyword_search_terms")]
        return rows
    finally:
        con.close()


def _search_from_home(page: Any, site: Site, text: str, lang: str = "ko") -> None:
    page.goto(f"{site.base}/?lang={lang}")
    page.locator("#q").fill(text)
    page.locator("#q").press("Enter")
    page.locator(".hits .card").first.wait_for()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_no_typed_word_in_any_address_title_or_history(
    browser: Any, site: Site, tmp_path: Path, js: bool
) -> None:
    profile = tmp_path / "profile"
    # A profile on disk, as a phone's browser keeps one (the session's browser keeps none).
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, java_script_enabled=js,
        viewport=MOBILE, locale="ko-KR",
    )  # fmt: skip
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _search_from_home(page, site, SECRET)
        names = [n.strip() for n in page.locator(".card h2 a").all_inner_texts()]
        page.locator(".card h2 a").first.click()
        page.wait_for_url(re.compile(r"/resources/"))
        assert "back=" not in page.url
        if js:
            # One entry per visit: the way back is the page's own link, which runs the search again.
            page.get_by_role("link", name="찾은 결과로 돌아가기").click()
            page.wait_for_url(site.base + "/search?lang=ko")
            # /search first lists everything, then the search runs again and its results replace them.
            page.wait_for_function(
                "names => JSON.stringify([...document.querySelectorAll('.card h2 a')].map(a => a.textContent.trim())) === JSON.stringify(names)",
                arg=names,
            )
        else:
            # Back returns to the results the browser kept: no "resubmit the form?", no error page.
            page.go_back()
            page.wait_for_load_state()
            assert page.url == site.base + "/search" and page.title() == "검색 결과 · Haven"
            page.reload()
            page.wait_for_load_state()
        assert [n.strip() for n in page.locator(".card h2 a").all_inner_texts()] == names
        assert page.locator("#q").input_value() == SECRET
        seen_urls = [page.url]
    finally:
        context.close()
    history = _history(profile)
    assert any(
        "/resources/" in url for url, _ in history
    )  # the visit was recorded: the check reads something
    for url, title in history + [(u, "") for u in seen_urls]:
        for word in SECRET.split():
            assert word not in url and word not in title, (url, title)
        assert "q=" not in url and "back=" not in url, url


def test_shift_three_times_leaves_even_while_typing(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    page.goto(site.base + "/?lang=ko")
    page.locator("#q").click()
    # Capitals typed with Shift held are not the signal: each Shift is followed by a letter.
    page.keyboard.press("Shift+A")
    page.keyboard.press("Shift+B")
    page.keyboard.press("Shift+C")
    assert page.locator("#q").input_value() == "ABC"
    assert not page.evaluate("document.documentElement.classList.contains('leaving')")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(site.exit_url)


@pytest.mark.parametrize("name", list(FRIGHTENED))
def test_a_calm_short_first_screen(watched: Watched, site: Site, name: str) -> None:
    lang, text = FRIGHTENED[name]
    page = watched.new_page()
    _search_from_home(page, site, text, lang)
    page.evaluate("window.scrollTo(0, 0)")
    height = MOBILE["height"]
    # The understood line (or, when the search senses danger, the calm sentence that stands in
    # its place) and the first two ways to call are on the first screen.
    understood = page.locator("[data-understood], [data-danger]").first
    assert understood.is_visible()
    assert understood.bounding_box()["y"] + understood.bounding_box()["height"] <= height
    calls = page.locator(".hits a.call")
    assert calls.count() >= 2
    for i in (0, 1):
        box = calls.nth(i).bounding_box()
        assert box["y"] + box["height"] <= height, (i, box)
    # No warning box or doubt anywhere on her results.
    assert page.locator(".hits .flag, .hits .caveat, .hits details").count() == 0
    page_text = page.locator("#results").inner_text()
    for doubt in (
        "공식 자료가 아니에요",
        "확인되지 않았어요",
        "오래됐을 수 있어요",
        "Not confirmed",
        "May be out of date",
    ):
        assert doubt not in page_text
    # Ten results in about three screens of a 390 px phone.
    cards = page.locator(".hits .card")
    last = cards.nth(min(9, cards.count() - 1)).bounding_box()
    screens = (last["y"] + last["height"]) / height
    if cards.count() >= 10:
        assert screens <= 3.3, screens
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"frightened-{name}-390.png"))
    page.screenshot(path=str(ARTIFACTS / f"frightened-{name}-390-full.png"), full_page=True)


def test_a_crisis_search_gets_one_calm_sentence_above_the_first_line(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    _search_from_home(page, site, "죽고싶어")
    sentence = page.locator("[data-danger]")
    assert sentence.count() == 1 and "혼자 견디지 않아도 돼요" in sentence.inner_text()
    first = page.locator(".hits .card").first
    assert sentence.bounding_box()["y"] < first.bounding_box()["y"]
    assert "109" in first.inner_text()
    _search_from_home(page, site, "상담")
    assert page.locator("[data-danger]").count() == 0


def test_text_chat_and_forms_are_buttons_beside_the_calls(watched: Watched, site: Site) -> None:
    page = watched.new_page()
    _search_from_home(page, site, "청소년 상담")
    youth = page.locator(".hits .card", has_text="1388").first
    chat = youth.locator("a.call.ch-chat")
    assert chat.count() == 1 and chat.get_attribute("href").startswith("https://")
    _search_from_home(page, site, "학교폭력 117")
    school = page.locator(".hits .card", has_text="117").first
    assert school.locator('a.call.ch-sms[href^="sms:"]').count() == 1
    # Ways that need no speaking are as big as a call.
    call = school.locator("a.call.ch-voice").first.bounding_box()
    text = school.locator("a.call.ch-sms").first.bounding_box()
    assert text["height"] >= 44 and abs(text["height"] - call["height"]) <= 2


def test_english_results_say_which_lines_answer_only_in_korean(make_context: Any, site: Site) -> None:
    page = make_context(viewport=MOBILE, locale="en-US").new_page()
    _search_from_home(page, site, "deepfake help", "en")
    trust = page.locator(".hits .card .trust").all_inner_texts()
    assert any("Korean only" in line for line in trust)
    assert not re.search(r"[가-힣]", page.locator("[data-understood]").inner_text())
