"""The HTML pages: languages, every field of a resource, errors, the embed, and page weight."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from search.hours import SEOUL
from search.model import Facets, Query, Resource, Results
from search.sqlite_engine import SqliteEngine
from search.wording import cost_line, hours_line
from service import i18n
from service.app import create_app
from service.live import LiveState
from service.pages import NEEDS, PAGE_SIZE
from service.settings import Settings
from tests.service.conftest import serve_engine

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "templates"
EXIT = "https://exit.example/"
PAGES = ["/", "/search?q=상담", "/safety", "/for-schools", "/schema", "/no/such/page"]


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=None, exit_url=EXIT)


@pytest.fixture(scope="module")
def some_resource(engine: SqliteEngine) -> Resource:
    """A resource with as many optional fields as the data offers."""
    return max(
        engine.resources(), key=lambda r: (bool(r.caveat), len(r.phones), bool(r.how_to), len(r.links))
    )


def texts(page: str) -> str:
    """The page's text with tags removed and entities decoded, for 'is this shown' checks."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# -- language ------------------------------------------------------------------------------------


def test_korean_is_the_default(client: TestClient) -> None:
    page = client.get("/").text
    assert '<html lang="ko">' in page
    assert i18n.STRINGS["home_title"][0] in page


@pytest.mark.parametrize(
    ("url", "accept", "lang"),
    [
        ("/?lang=en", None, "en"),
        ("/", "en-US,en;q=0.9", "en"),
        ("/", "fr-FR,en;q=0.5,ko;q=0.4", "en"),
        ("/", "ko-KR,ko;q=0.9,en;q=0.8", "ko"),
        ("/?lang=ko", "en", "ko"),
        ("/?lang=xx", "en", "en"),
        ("/", "de", "ko"),
        ("/", "en;q=0,ko", "ko"),
        ("/", ";;;,q=oops", "ko"),
    ],
)
def test_language_from_lang_then_accept_language(
    client: TestClient, url: str, accept: str | None, lang: str
) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert f'<html lang="{lang}">' in response.text
    assert response.headers["content-language"] == lang
    assert "Accept-Language" in response.headers["vary"]


def test_every_ui_string_exists_in_both_languages() -> None:
    for key, (ko, en) in i18n.STRINGS.items():
        assert ko.strip() and en.strip(), key
        assert re.findall(r"{\w+}", ko) == re.findall(r"{\w+}", en) or set(re.findall(r"{\w+}", ko)) == set(
            re.findall(r"{\w+}", en)
        ), key
    for lang in i18n.LANGS:
        assert i18n.SAFETY_SECTIONS[lang]
        for group in i18n.labels(lang).values():
            assert all(v.strip() for v in group.values())
    assert [len(s[1]) for s in i18n.SAFETY_SECTIONS["ko"]] == [len(s[1]) for s in i18n.SAFETY_SECTIONS["en"]]


def test_templates_only_use_strings_that_exist() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        used |= set(re.findall(r"\bt\.(\w+)", source))
        used |= set(re.findall(r"\bt\[['\"](\w+)['\"]\]", source))
    dynamic = {f"need_{k}" for k in NEEDS} | {f"facet_{f}" for f in ("kind", "topic", "audience", "cost",
               "channel", "language")} | {f"holidays_{h}" for h in ("closed", "open", "unknown")}  # fmt: skip
    missing = (used | dynamic) - set(i18n.STRINGS) - {"format", "get"}
    assert not missing


def test_language_switch_keeps_the_query(client: TestClient) -> None:
    page = client.get("/search", params=[("q", "부산 상담"), ("region", "KR-26"), ("topic", "legal")]).text
    switch = re.search(r'<a class="lang" href="([^"]+)" lang="en"', page)
    assert switch
    href = html.unescape(switch.group(1))
    assert href.startswith("/search?")
    for part in ("q=%EB%B6%80%EC%82%B0+%EC%83%81%EB%8B%B4", "region=KR-26", "topic=legal", "lang=en"):
        assert part in href
    english = client.get(href).text
    assert '<html lang="en">' in english and 'value="부산 상담"' in english


def test_language_switch_never_leaves_the_site(client: TestClient) -> None:
    page = client.get(httpx.URL("http://testserver.local//evil.example/x")).text
    assert "evil.example" in page  # the request really had that path
    switch = re.search(r'<a class="lang" href="([^"]+)"', page)
    assert switch and switch.group(1).startswith("/") and not switch.group(1).startswith("//")


# -- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PAGES, "/embed?region=KR-26"])
def test_crisis_numbers_and_quick_exit_on_every_page(client: TestClient, url: str) -> None:
    page = client.get(url).text
    assert 'href="tel:112"' in page and 'href="tel:1366"' in page
    exit_link = re.search(r'<a class="exit" href="([^"]+)"[^>]*data-exit="([^"]+)"', page)
    assert exit_link and exit_link.groups() == ("/exit", EXIT)
    assert 'src="/static/haven.js?v=' in page


def test_exit_without_javascript_goes_on_and_drops_the_cached_copies(client: TestClient) -> None:
    response = client.get("/exit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == EXIT
    assert response.headers["clear-site-data"] == '"cache"'
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]
    assert "Disallow: /exit" in client.get("/robots.txt").text


@pytest.mark.parametrize("url", [*PAGES, "/embed", "/resources/x", "/search?q=1366&partial=1"])
def test_no_inline_script_or_style_and_nothing_third_party(client: TestClient, url: str) -> None:
    # A textarea's content is inert text (the school snippets quote an iframe and a script).
    page = re.sub(r"(<textarea\b[^>]*>).*?(</textarea>)", r"\1\2", client.get(url).text, flags=re.S)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"\sstyle=", page), "inline style"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    for match in re.finditer(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"', page):
        assert match.group(1).startswith("/"), f"{match.group(1)} is loaded from elsewhere"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_home_has_one_search_box_region_picker_and_needs(
    client: TestClient, engine: SqliteEngine, lang: str
) -> None:
    page = client.get(f"/?lang={lang}").text
    assert page.count('type="search"') == 1
    assert '<label class="big" for="q">' in page
    for region in engine.regions():
        if region.code != "KR":
            assert f'<option value="{region.code}">{region.name.get(lang)}</option>' in page
    for need in NEEDS:
        assert f'name="need" value="{need}"' in page
        assert i18n.STRINGS[f"need_{need}"][lang == "en"] in page


# -- results --------------------------------------------------------------------------------------


def cards(page: str) -> dict[str, str]:
    """Each result card's HTML by the name in its heading."""
    out = {}
    for part in page.split("<h2>")[1:]:
        heading, _, rest = part.partition("</h2>")
        out[html.unescape(re.sub(r"<[^>]+>", "", heading))] = rest.split("<h2>")[0]
    return out


def phone_href(number: str, kind: str) -> str:
    digits = "".join(c for c in number if c.isdigit() or c in "+#").replace("#", "%23")
    return f"{'sms' if kind == 'sms' else 'tel'}:{digits}"


@pytest.mark.parametrize("q", ["1366", "상담"])
def test_results_show_names_phones_and_open_state(client: TestClient, engine: SqliteEngine, q: str) -> None:
    expected = engine.search(Query(q=q))
    shown = cards(client.post("/search", data={"q": q}).text)
    assert expected.results
    before: set[str] = set()  # numbers already on the page: a card does not repeat them
    for hit in expected.results[:PAGE_SIZE]:
        r = hit.resource
        assert r.name.ko in shown, r.id
        strip = {"112", "1366"} - {n for n in ("112", "1366") if n in r.name.ko}
        new = [p for p in r.phones if p.number not in before | strip]
        # The card offers each of the service's own numbers not shown above it (nor in the
        # crisis strip, unless it is this line's own), and no number shown before.
        for ph in new[:2]:
            assert f'href="{phone_href(ph.number, ph.type)}"' in shown[r.name.ko], (r.id, ph.number)
        for number in before:
            assert f'href="{phone_href(number, "voice")}"' not in shown[r.name.ko], (r.id, number)
        before |= {p.number for p in new[:4]}


def pager(page: str) -> dict[str, str]:
    """The previous/next buttons of a results page (``offset`` they send), by their label."""
    return {
        label: f"offset={value}"
        for value, label in re.findall(
            r'<button class="btn" type="submit" form="search" name="offset" value="(\d+)">([^<]+)</button>',
            page,
        )
    }


def test_results_page_through(client: TestClient, engine: SqliteEngine) -> None:
    t = i18n.STRINGS
    prev_label, next_label = t["page_prev"][0], t["page_next"][0]
    assert engine.search(Query()).total > 2 * PAGE_SIZE
    first, second = client.get("/search").text, client.get(f"/search?offset={PAGE_SIZE}").text
    assert prev_label not in pager(first)
    assert f"offset={PAGE_SIZE}" in pager(first)[next_label]
    # The second page goes back to the first and on to the third.
    assert pager(second)[prev_label] == "offset=0"
    assert f"offset={2 * PAGE_SIZE}" in pager(second)[next_label]
    # It shows the next results in order, none of the first page's.
    page_one = [h.resource.name.ko for h in engine.search(Query(limit=PAGE_SIZE)).results]
    page_two = [h.resource.name.ko for h in engine.search(Query(limit=PAGE_SIZE, offset=PAGE_SIZE)).results]
    assert list(cards(second)) == page_two and list(cards(first)) == page_one


def test_need_buttons_become_filters(client: TestClient, engine: SqliteEngine) -> None:
    page = client.get("/search?need=minor&region=KR-26").text
    # the filter is visible as a chip that removes it, and ticked in the filters
    assert 'name="audience" value="minors" checked' in page
    assert html.escape(i18n.STRINGS["filters_active"][0]) in page


def test_user_input_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = client.get("/search", params={"q": evil}).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_unknown_filters_are_ignored_on_pages(client: TestClient) -> None:
    response = client.get("/search?region=Mars&kind=nope&limit=9999&offset=-5&open_now=maybe")
    assert response.status_code == 200


@contextlib.contextmanager
def serving(client: TestClient, engine: object) -> Iterator[TestClient]:
    """The module's client, its app serving ``engine`` for the block (:func:`serve_engine`, as
    a reload swaps it), then the index it served before, whatever the block did."""
    state = client.app.state
    assert isinstance(state, LiveState)
    before = state.live
    serve_engine(client.app, engine)
    try:
        yield client
    finally:
        state["live"] = before


class _Stub:
    """The real engine, but its answers carry the notes the page must show."""

    def __init__(self, engine: SqliteEngine, **notes: object) -> None:
        self._engine, self._notes = engine, notes
        self.data_hash = engine.data_hash

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)

    def search(self, query: object) -> Results:
        results = self._engine.search(query)
        for key, value in self._notes.items():
            setattr(results, key, value)
        return results


@pytest.mark.parametrize(
    ("notes", "shown"),
    [
        ({"relaxed": "상단 → 상담"}, "다음 검색어로 찾은 결과예요: 상단 → 상담"),
        ({"region": "KR-26"}, "부산광역시 근처"),
    ],
)
def test_results_say_how_the_query_was_understood(
    client: TestClient, engine: SqliteEngine, notes: dict[str, object], shown: str
) -> None:
    with serving(client, _Stub(engine, **notes)) as c:
        assert shown in texts(c.get("/search?q=상단").text)


@pytest.mark.parametrize(
    ("reason", "message"), [("no-match", "no_results"), ("nothing-searchable", "nothing_searchable")]
)
def test_no_results_still_offers_1366(
    client: TestClient, engine: SqliteEngine, reason: str, message: str
) -> None:
    class Nothing(_Stub):
        def search(self, query: object) -> Results:
            return Results(query="", total=0, results=[], facets=Facets(), reason=reason)

    with serving(client, Nothing(engine)) as c:
        page = c.get("/search?q=qqqzzzxxyy").text
    assert i18n.STRINGS[message][0] in page
    assert page.count('href="tel:1366"') >= 2


def test_engine_failure_shows_a_calm_page_with_the_numbers(client: TestClient, engine: SqliteEngine) -> None:
    class Broken(_Stub):
        def search(self, query: object) -> Results:
            raise RuntimeError("disk on fire")

    with serving(client, Broken(engine)) as c:
        response = c.get("/search?q=상담")
        assert response.status_code == 503
        assert i18n.STRINGS["unavailable"][0] in response.text and 'href="tel:1366"' in response.text
        assert c.get("/api/v1/search?q=상담").status_code == 503


class _Counted(_Stub):
    """The real engine, counting every read of it; its search may run a callback first."""

    def __init__(self, engine: SqliteEngine, during_search: Callable[[], None] | None = None) -> None:
        super().__init__(engine)
        self.reads = 0
        self._during = during_search

    def __getattr__(self, name: str) -> object:
        self.reads += 1
        return getattr(self._engine, name)

    def search(self, query: object) -> Results:
        self.reads += 1
        if self._during:
            self._during()
        return self._engine.search(query)


def test_a_page_reads_one_index_even_when_a_reload_lands_midway(
    client: TestClient, engine: SqliteEngine
) -> None:
    """A reload that swaps the index while a results page is being made (here: during its search)
    changes nothing in that page: its cards, labels and lines all come from the index it searched."""
    app = client.app
    form = {"q": "강남 상담", "lang": "ko"}
    with serving(client, engine) as c:
        for method in ("GET", "POST"):
            later = _Counted(engine)
            first = _Counted(engine, during_search=lambda later=later: serve_engine(app, later))
            serve_engine(app, first)
            page = c.get("/search", params=form) if method == "GET" else c.post("/search", data=form)
            assert page.status_code == 200 and "/resources/" in page.text, method
            assert first.reads > 1, method  # the search, then the page's other reads
            assert later.reads == 0, f"{method}: the page read the new index after searching the old one"
            assert c.get("/search", params=form).status_code == 200
            assert later.reads > 0, method  # the next request reads the new one


def test_partial_results_are_a_fragment(client: TestClient) -> None:
    fragment = client.get("/search?q=상담&partial=1").text
    assert "<html" not in fragment and 'class="hits"' in fragment and "data-count" in fragment


# -- a resource ------------------------------------------------------------------------------------


def _resource_shows_every_field(page: str, r: Resource, lang: str, p_regions: dict[str, str]) -> None:
    text = texts(page)
    shown = " ".join(text.split())

    def has(value: str) -> None:
        assert " ".join(value.split()) in shown, f"{r.id}: {value[:60]!r} not shown"

    has(r.name.get(lang))
    has(r.summary.get(lang))
    # Hours and cost in the one wording of search.wording, as on the card, in the referral, the
    # terminal and the HSDS feed (test_one_wording.py checks those against the same lines).
    for line in (hours_line(r.hours, lang), cost_line(r.cost, lang)):
        if line is not None:
            has(line)
    if r.how_to:
        for line in r.how_to.get(lang).splitlines():
            if line.strip():
                has(line.strip())
    if r.caveat:
        has(r.caveat.get(lang))
        assert '<details class="caveat note-caveat">' in page  # one line; the text behind 자세히
    if r.organization:
        has(r.organization.get(lang))
    if r.address:
        has(r.address.get(lang))
    for phone in r.phones:
        has(phone.number)
        digits = "".join(c for c in phone.number if c.isdigit() or c in "+").replace("#", "%23")
        assert f"{'sms' if phone.type == 'sms' else 'tel'}:" in page and digits.lstrip("+") in page
    for link in r.links:
        if link.url is None:  # a KakaoTalk channel known by the name to search for in the app
            has(f"{i18n.labels(lang)['channel']['kakaotalk']} {link.handle}")  # type: ignore[arg-type]
        else:
            assert f'href="{html.escape(link.url)}"' in page, f"{r.id}: link {link.url}"
    if r.interpreting:  # the languages it answers in through an interpreter, said so
        via = i18n.strings(lang)["via_interpreter"]  # type: ignore[arg-type]
        names = ", ".join(i18n.language_name(c, lang) for c in r.interpreted)  # type: ignore[arg-type]
        has(via.format(langs=names))
    for source in r.source_urls:
        assert f'href="{html.escape(source)}"' in page, f"{r.id}: source {source}"
    for code in r.regions:
        has(p_regions[code])
    has(i18n.format_date(r.checked, lang))  # type: ignore[arg-type]
    labels = i18n.labels(lang)  # type: ignore[arg-type]
    # Cost and anonymity as the data gives them; what it leaves open is not shown as a doubt.
    for value, known, word in (
        (r.cost, r.cost != "unknown", labels["cost"]),
        (r.anonymous, r.anonymous != "unknown", labels["anonymous"]),
    ):
        if known:
            has(word[value])
        else:
            assert " ".join(word[value].split()) not in shown, (r.id, value)
    for code in r.languages:
        has(i18n.language_name(code, lang))  # type: ignore[arg-type]
    flag = labels["confidence"][r.confidence]
    if r.confidence != "official":
        assert 'class="flag"' in page
        has(flag)
    else:
        assert 'class="flag"' not in page


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_resource_page_shows_every_field(client: TestClient, engine: SqliteEngine, lang: str) -> None:
    regions = {r.code: r.name.get(lang) for r in engine.regions()}
    for resource in engine.resources():
        response = client.get(f"/resources/{resource.id}?lang={lang}")
        assert response.status_code == 200
        assert len(response.content) < 50_000, f"{resource.id}: {len(response.content)} bytes"  # light
        _resource_shows_every_field(response.text, resource, lang, regions)


def test_resource_links_do_not_send_a_referrer(client: TestClient, some_resource: Resource) -> None:
    page = client.get(f"/resources/{some_resource.id}").text
    for anchor in re.findall(r'<a [^>]*href="https?://[^"]+"[^>]*>', page):
        assert "noreferrer" in anchor


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "lang"), [("ko", "ko"), ("en", "en")])
def test_unknown_resource_is_a_404_page_in_the_users_language(
    client: TestClient, accept: str, lang: str
) -> None:
    response = client.get("/resources/no-such-place", headers={"Accept-Language": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'<html lang="{lang}">' in page
    assert i18n.STRINGS["nf_title"][lang == "en"] in page
    assert page.count('href="tel:112"') >= 2 and page.count('href="tel:1366"') >= 2
    assert 'action="/search"' in page


@pytest.mark.parametrize(
    "url", ["/nope", "/resources/", "/static/nope.css", "/resources/%00", "/resources/" + "x" * 500]
)
def test_any_unknown_page_is_the_same_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert 'href="tel:1366"' in response.text


# -- embed and schools ---------------------------------------------------------------------------


def test_embed_shows_the_regions_key_contacts(client: TestClient, engine: SqliteEngine) -> None:
    busan = next(r for r in engine.regions() if r.code == "KR-26")
    page = client.get("/embed?region=KR-26&lang=ko").text
    assert busan.name.ko in page
    assert 'target="_blank"' in page and 'name="region" value="KR-26"' in page
    assert 'target="_top"' in page  # quick exit leaves the school's whole page
    assert page.count("tel:") >= 3


@pytest.mark.parametrize("region", ["", "KR", "XX", "KR-99", "<b>"])
def test_embed_falls_back_to_nationwide(client: TestClient, engine: SqliteEngine, region: str) -> None:
    response = client.get("/embed", params={"region": region, "lang": "en"})
    assert response.status_code == 200
    assert next(r.name.en for r in engine.regions() if r.code == "KR") in response.text


def test_for_schools_gives_snippets_and_a_live_preview(client: TestClient) -> None:
    page = client.get("/for-schools?region=KR-26&embed_lang=en&lang=ko").text
    assert "/embed?region=KR-26&amp;amp;lang=en" in page  # escaped inside the textarea
    assert "/search?region=KR-26&amp;amp;lang=en" in page
    assert '<iframe class="preview" src="/embed?region=KR-26&amp;lang=en"' in page
    assert "&lt;iframe" in page and 'referrerpolicy="no-referrer"' in html.unescape(page)


def test_for_schools_uses_the_public_url(db_path: Path) -> None:
    app = create_app(Settings(db_path=db_path, rate_limit=None, public_url="https://haven.example.org/"))
    with TestClient(app) as c:
        assert "https://haven.example.org/embed?region=KR" in html.unescape(c.get("/for-schools").text)


def test_safety_page_in_both_languages(client: TestClient) -> None:
    for lang in ("ko", "en"):
        page = texts(client.get(f"/safety?lang={lang}").text)
        for heading, paragraphs in i18n.SAFETY_SECTIONS[lang]:  # type: ignore[index]
            assert heading in page
            assert all(p in page for p in paragraphs)


# -- weight ----------------------------------------------------------------------------------------


def test_results_pages_are_under_50_kb(client: TestClient, engine: SqliteEngine) -> None:
    urls = ["/search", "/search?q=상담", "/search?q=deepfake&lang=en", "/search?q=부산 상담"]
    urls += [f"/search?need={n}" for n in NEEDS]
    urls += [f"/search?region={r.code}&lang=en" for r in engine.regions()]
    for url in urls:
        size = len(client.get(url).content)
        assert size < 50_000, f"{url}: {size} bytes"


def test_the_home_page_is_light(client: TestClient) -> None:
    # Every resource page is held under 50 KB by test_every_resource_page_shows_every_field.
    assert len(client.get("/").content) < 20_000


def test_an_entry_on_old_sources_says_so_calmly(client: TestClient, engine: SqliteEngine) -> None:
    from search.audit import stale_before

    old_before = stale_before(dt.datetime.now(SEOUL).date())
    stale = [r for r in engine.resources() if r.as_of is not None and r.as_of < old_before]
    fresh = next(r for r in engine.resources() if r.as_of is not None and r.as_of >= old_before)
    assert stale
    r = stale[0]
    assert (
        f"정보 기준 {r.as_of_year}년 — 전화 전에 1366에서 확인할 수 있어요."
        in client.get(f"/resources/{r.id}").text
    )
    en = client.get(f"/resources/{r.id}?lang=en").text
    assert f"Information as of {r.as_of_year}: you can check it with 1366 before you call." in en
    assert "정보 기준" not in client.get(f"/resources/{fresh.id}").text


# -- compression -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/search?q=부산 상담", "/resources/women-1366", "/static/haven.css", "/static/haven.js",
            "/api/v1/search?q=상담", "/regions/KR-26"],
)  # fmt: skip
def test_text_is_compressed_as_the_client_accepts(client: TestClient, url: str) -> None:
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for asked, sent in [
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("identity", None),
    ]:
        for _ in range(3):  # the same answer each time: nothing is kept between requests
            response = client.get(url, headers={"Accept-Encoding": asked})
            assert response.headers.get("content-encoding") == sent, (asked, response.headers)
            assert response.content == plain.content  # httpx decodes both
            if sent:
                assert int(response.headers["content-length"]) < len(plain.content) / 2
                assert "Accept-Encoding" in response.headers["vary"]


def test_a_results_page_is_under_10_kb_on_the_wire(client: TestClient) -> None:
    for url in ["/search?q=상담", "/search?q=부산 상담", "/search?q=deepfake&lang=en"]:
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert int(response.headers["content-length"]) < 10_000, url
