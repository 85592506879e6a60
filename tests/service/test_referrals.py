"""Every referral carries a number to call and a link, from `haven referral` and from the site.

An entry without a number gets the fallback line's (1366, labelled as given instead); one without
a link gets its page on the site, or the fallback line's link. The site turns several ticked results
into one referral on /card with nothing stored: the ids are the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from search.catalog import Catalog
from search.links import main_link
from search.model import Resource
from service.referral import FALLBACK_ID, MAX_ENTRIES, referral
from tests.conftest import run_haven, serve

PUBLIC = "https://haven.example.org"
_NUMBER = re.compile(r"\b\d{3,4}(?:-\d{3,4}){0,2}\b")
_LINK = re.compile(r"https?://\S+|\S+@\S+\.\w+")  # a web address, or an email address


def _blocks(text: str) -> list[str]:
    return text.split("\n\n")


def _assert_helps(block: str, r: Resource, fallback: Resource) -> None:
    """One referral block: a number to call (its own or the fallback's, labelled) and a link."""
    number = r.phones[0].number if r.phones else fallback.phones[0].number
    assert number in block, block
    if not r.phones:
        assert "번호가 없어 대신 안내해요" in block or "No number listed, so instead" in block, block
    assert _LINK.search(block), block


# -- the command -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_an_entry_without_a_number_gets_1366_labelled(db_path: Path, catalog: Catalog, lang: str) -> None:
    lawyer, fallback = catalog.by_id["victim-state-lawyer"], catalog.by_id[FALLBACK_ID]
    assert not lawyer.phones and main_link(lawyer) is None  # the case this test is about
    proc = run_haven(
        "referral",
        lawyer.id,
        "--format",
        "sms",
        "--lang",
        lang,
        "--db",
        str(db_path),
        env={"HAVEN_PUBLIC_URL": ""},
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == lawyer.name.get(lang)
    label = "번호가 없어 대신 안내해요: " if lang == "ko" else "No number listed, so instead: "
    assert lines[1] == label + fallback.name.get(lang)
    assert lines[2].startswith("1366 (")
    # No link of its own and no site address: the fallback line's link, named as the fallback's.
    assert lines[3] == f"{fallback.name.get(lang)}: {main_link(fallback)}"
    proc.stdout.encode("euc_kr")  # still only characters carriers deliver


def test_the_site_address_gives_the_entry_its_own_page(db_path: Path) -> None:
    proc = run_haven(
        "referral", "victim-state-lawyer", "smile-centers", "--lang", "en", "--db", str(db_path),
        env={"HAVEN_PUBLIC_URL": PUBLIC + "/"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lawyer, smile = _blocks(proc.stdout.strip())
    assert lawyer.splitlines()[-1] == f"{PUBLIC}/resources/victim-state-lawyer?lang=en"
    assert "☎ 1366 (24 hours, every day)" in smile and "https://resmile.or.kr" in smile  # its own link stays
    flag = run_haven("referral", "smile-centers", "--public-url", PUBLIC, "--db", str(db_path))
    assert flag.returncode == 0 and "☎ 1366 (24시간 365일)" in flag.stdout


def test_a_bad_site_address_is_one_line(db_path: Path) -> None:
    proc = run_haven("referral", "women-1366", "--public-url", "haven.example.org", "--db", str(db_path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("haven: ") and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["text", "sms"])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_entry_has_a_number_and_a_link(catalog: Catalog, fmt: str, lang: str) -> None:
    fallback = catalog.by_id[FALLBACK_ID]
    for r in catalog.resources:
        text = referral([r], lang, fmt, fallback=fallback)  # type: ignore[arg-type]
        _assert_helps(text, r, fallback)
        with_page = referral(
            [r], lang, fmt, fallback=fallback, page_url=lambda r: f"{PUBLIC}/resources/{r.id}"
        )  # type: ignore[arg-type]
        if main_link(r) is None:
            assert with_page.endswith(f"{PUBLIC}/resources/{r.id}")


# -- the site: tick results, get one referral ------------------------------------------------------------


@pytest.fixture(scope="module")
def site(db_path: Path) -> Iterator[str]:
    with serve(db_path, env={"HAVEN_PUBLIC_URL": PUBLIC}) as (base, _process):
        yield base


def _get(base: str, path: str, **params: object) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=10)  # type: ignore[arg-type]


def _textareas(page: str) -> dict[str, str]:
    return {
        k: unescape(v) for k, v in re.findall(r'<textarea id="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S)
    }


def test_results_carry_a_checkbox_per_card_and_one_form(site: str) -> None:
    assert 'name="ids"' not in _get(site, "/search", need="talk", lang="ko").text  # her view: no ticks
    page = _get(site, "/search", need="talk", lang="ko", view="counsellor").text
    boxes = re.findall(r'<input type="checkbox" name="ids" value="([^"]+)" form="pick">', page)
    cards = re.findall(r'<article class="card">', page)
    assert boxes and len(boxes) == len(cards)
    assert re.search(r'<form class="pick" id="pick" action="/card" method="get">', page)


def test_ticked_results_become_one_referral(site: str, catalog: Catalog) -> None:
    ids = ["victim-state-lawyer", "d4u-central", "smile-centers"]
    # What the form sends: one ids= per ticked box.
    response = httpx.get(
        site + "/card", params=[("lang", "ko"), ("pick", "1"), *(("ids", i) for i in ids)], timeout=10
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    page = response.text
    areas = _textareas(page)
    fallback = catalog.by_id[FALLBACK_ID]
    for area in ("share-text", "sms-text"):
        blocks = _blocks(areas[area])
        assert len(blocks) == 3
        for block, rid in zip(blocks, ids, strict=True):
            _assert_helps(block, catalog.by_id[rid], fallback)
    # The lawyer has no link of its own: its page on the site, at the public address.
    assert f"{PUBLIC}/resources/victim-state-lawyer" in areas["sms-text"]
    areas["sms-text"].encode("euc_kr")
    sms = re.search(r'<a class="btn" href="(sms:\?&amp;body=[^"]+)"', page)
    assert sms and unquote(unescape(sms.group(1)).removeprefix("sms:?&body=")) == areas["sms-text"]
    assert page.count('<article class="pcard"') == 3  # the printable card
    # The printed card of the entry without a number or link gives 1366 and its page.
    lawyer_card = page.split('<article class="pcard"')[1]
    assert "번호가 없어 대신 안내해요" in lawyer_card and 'href="tel:1366"' in lawyer_card
    assert f'href="{PUBLIC}/resources/victim-state-lawyer?lang=ko"' in lawyer_card


def test_nothing_ticked_says_what_to_do(site: str) -> None:
    response = _get(site, "/card", pick="1", lang="ko")
    assert response.status_code == 400
    assert "고른 곳이 없어요" in response.text and 'href="tel:1366"' in response.text
    english = _get(site, "/card", pick="1", lang="en")
    assert english.status_code == 400 and "Nothing was ticked" in english.text


def test_the_count_is_bounded_and_bad_ids_are_skipped(site: str, catalog: Catalog) -> None:
    ids = [r.id for r in catalog.resources[: MAX_ENTRIES + 3]]
    params = [("pick", "1"), ("ids", "x" * 500), ("ids", "<script>"), *(("ids", i) for i in ids)]
    page = httpx.get(site + "/card", params=params, timeout=10).text
    assert page.count('<article class="pcard"') == MAX_ENTRIES
    assert f"처음 {MAX_ENTRIES}곳만 넣었어요" in page
    assert "<script>" not in page.split("<body", 1)[1].replace('<script src="/static/', "")
