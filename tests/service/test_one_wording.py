"""Hours and cost say the same thing everywhere: the resource page, the referral text and SMS,
the printed card, the terminal and the HSDS feed, for every entry in both languages. (The page is
read in tests/service/test_pages.py's every-field test, which fetches every resource page in both
languages already and checks the same two lines there.)

Each rendering is read back from what a person gets (the page's HTML, the text, the terminal's
lines, the HSDS rows), not from the helper that makes it; the wording itself comes from
search.wording, and an entry whose data gives no hours or cost says nothing about them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from search.catalog import Catalog
from search.hsds import Feed, resource_rows
from search.sqlite_engine import SqliteEngine
from search.wording import cost_line, hours_line
from service.app import create_app
from service.cli_text import resource_lines
from service.present import Presenter
from service.referral import referral
from service.settings import Settings

DOUBTS = ("미확인", "확인되지 않았", "not confirmed")


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None)), base_url="http://127.0.0.1") as c:
        yield c


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _squeeze(text: str) -> str:
    """Without whitespace: the terminal wraps a row over several indented lines."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_hours_and_cost_read_the_same_everywhere(client: TestClient, catalog: Catalog, lang: str) -> None:
    feed = Feed.from_catalog(catalog, lang)  # type: ignore[arg-type]
    fallback = catalog.by_id["women-1366"]
    checked = 0
    for r in catalog.resources:
        hours, cost = hours_line(r.hours, lang), cost_line(r.cost, lang)
        printed = client.get(f"/resources/{r.id}/card", params={"lang": lang})
        assert printed.status_code == 200, r.id
        printed_text = _text(printed.text)
        text = referral([r], lang, "text", fallback=fallback)  # type: ignore[arg-type]
        sms = referral([r], lang, "sms", fallback=fallback)  # type: ignore[arg-type]
        terminal = _squeeze("\n".join(resource_lines(r, lang, {}, {})))  # type: ignore[arg-type]
        schedules = {row["description"] for row in resource_rows(feed, r)["schedule"]}
        service = resource_rows(feed, r)["service"][0]
        if hours is not None:
            assert hours in printed_text, (r.id, "printed card")
            assert hours in text, (r.id, "referral")
            assert hours_line(r.hours, lang, dash="-") in sms, (r.id, "sms")
            assert _squeeze(hours) in terminal, (r.id, "terminal")
            assert schedules == {hours}, (r.id, "hsds")
            checked += 1
        if cost is not None:
            assert _squeeze(cost) in terminal, (r.id, "terminal cost")
            assert service["fees_description"] == cost, (r.id, "hsds cost")
        # Nothing the data leaves open is told to a person as a doubt, on a card or in a message.
        for shown in (printed_text.split("·")[0], text, sms):
            for doubt in DOUBTS:
                assert doubt not in shown.replace(r.caveat.get(lang) if r.caveat else "\0", ""), (r.id, doubt)
    assert checked > 50  # most entries give their hours


def test_the_first_result_no_longer_contradicts_itself(client: TestClient, catalog: Catalog) -> None:
    """02-735-8994: a card, its page, the SMS and the printed card agree on its hours."""
    d4u = catalog.by_id["d4u-central"]
    hours = hours_line(d4u.hours, "ko")
    page = _text(client.get("/resources/d4u-central?lang=ko").text)
    printed = _text(client.get("/resources/d4u-central/card?lang=ko").text)
    sms = referral([d4u], "ko", "sms")
    for shown in (page, printed, sms):
        assert "운영시간 미확인" not in shown and "운영 시간 정보가 없어요" not in shown
        if hours:
            assert hours in shown


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_costs_and_audiences_have_one_label_on_the_site_the_terminal_and_the_feed(
    engine: SqliteEngine, catalog: Catalog, lang: str
) -> None:
    p = Presenter(lang, engine)  # type: ignore[arg-type]
    feed = Feed.from_catalog(catalog, lang)  # type: ignore[arg-type]
    audiences = {t.key: t.label.get(lang) for t in catalog.taxonomy.audiences}
    costs, seen = {r.cost for r in catalog.resources}, set()
    assert len(costs) >= 2 and "unknown" in costs
    for r in catalog.resources:
        service = resource_rows(feed, r)["service"][0]
        assert service["fees_description"] == p.facet("cost", r.cost), r.id
        shown = [p.facet("audience", a) for a in r.audiences]
        assert service["eligibility_description"] == ", ".join(shown), r.id
        terminal = _squeeze("\n".join(resource_lines(r, lang, {}, {}, audiences)))  # type: ignore[arg-type]
        assert all(_squeeze(label) in terminal for label in shown), r.id
        seen |= set(r.audiences)
    assert seen and all(p.facet("audience", a) != a for a in seen)  # every one has a label
