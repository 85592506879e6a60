"""Validation: every problem reported at once, each with its file, line, resource and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.catalog import CatalogError, load_catalog

GOOD = """\
resources:
  - id: line-one
    kind: hotline
    topics: [counselling]
    name: {ko: 상담전화, en: Helpline}
    summary: {ko: 상담합니다., en: Someone listens.}
    regions: [KR]
    phones:
      - {number: "1366", source: "https://example.org/a"}
    sources: [https://example.org/a]
    checked: 2026-01-02
    confidence: official
"""

BROKEN = """\
resources:
  - id: line-one
    kind: hotline
    topics: [counselling]
    name: {ko: 상담전화, en: Helpline}
    summary: {ko: 상담합니다., en: Someone listens.}
    regions: [KR]
    phones:
      - number: "02-735-89"
    sources: [https://example.org/a]
    checked: 2026-01-02
    confidence: official
  - id: line-one
    kind: hotline
    topics: [counselling]
    name: {ko: 두번째}
    summary: {ko: 상담합니다., en: Someone listens.}
    regions: [KR-99]
    links:
      - type: website
        url: http://insecure.example.org/
    sources: [https://example.org/a]
    checked: 2999-01-01
    confidence: official
"""


def write(data_copy: Path, text: str) -> Path:
    """``text`` as the only resource file (the real local files would refer to real entries)."""
    shutil.rmtree(data_copy / "local", ignore_errors=True)
    (data_copy / "resources.yaml").write_text(text, encoding="utf-8")
    return data_copy


def problems(data_dir: Path, **kw: bool) -> list[str]:
    """Every problem ``load_catalog`` reports (it must report some), as ``haven validate`` prints them."""
    with pytest.raises(CatalogError) as info:
        load_catalog(data_dir, **kw)
    return [str(p) for p in info.value.problems]


def test_good_file_loads(data_copy: Path) -> None:
    catalog = load_catalog(write(data_copy, GOOD))
    assert [r.id for r in catalog.resources] == ["line-one"]
    assert len(catalog.data_hash) == 16


def test_every_problem_is_reported_with_its_line(data_copy: Path) -> None:
    d = write(data_copy, BROKEN)
    found = problems(d)
    f = f"{d}/resources.yaml"
    assert (
        f"{f}:9: resources[line-one].phones[0].number: '02-735-89' is not a valid Korean phone number"
        in found[0]
    )
    assert any(p.startswith(f"{f}:16: resources[line-one].name") for p in found)
    assert any(
        p.startswith(f"{f}:21: resources[line-one].links[0].url: 'http://insecure.example.org/' is not https")
        for p in found
    )
    assert any("regions[0]: unknown region 'KR-99'" in p and p.startswith(f"{f}:18:") for p in found)
    assert any("checked: 2999-01-01 is in the future" in p and p.startswith(f"{f}:23:") for p in found)


def test_duplicate_id_is_reported_when_both_entries_are_valid(data_copy: Path) -> None:
    second = GOOD.split("resources:\n", 1)[1]
    d = write(data_copy, GOOD + second)
    assert problems(d) == [
        f"{d}/resources.yaml:13: resources[line-one].id: duplicate id (first used at {d}/resources.yaml:2)"
    ]


def test_local_files_are_read_and_checked_with_the_main_file(data_copy: Path) -> None:
    """data/local/*.yaml adds entries; an id used in two files is reported at the second."""
    d = write(data_copy, GOOD)
    (data_copy / "local").mkdir(exist_ok=True)
    (data_copy / "local" / "extra.yaml").write_text(GOOD, encoding="utf-8")
    assert problems(d) == [
        f"{d}/local/extra.yaml:2: resources[line-one].id: duplicate id (first used at {d}/resources.yaml:2)"
    ]
    other = GOOD.replace("id: line-one", "id: line-two")
    (data_copy / "local" / "extra.yaml").write_text(other, encoding="utf-8")
    assert {r.id for r in load_catalog(d).resources} >= {"line-one", "line-two"}


def test_a_number_names_a_source_of_its_own_entry(data_copy: Path) -> None:
    text = GOOD.replace('source: "https://example.org/a"', 'source: "https://elsewhere.example.org/"')
    assert text != GOOD
    d = write(data_copy, text)
    found = problems(d)
    assert (
        len(found) == 1 and "'https://elsewhere.example.org/' is not one of this entry's sources" in found[0]
    )


def test_missing_english_name(data_copy: Path) -> None:
    d = write(data_copy, GOOD.replace("{ko: 상담전화, en: Helpline}", "{ko: 상담전화}"))
    [p] = problems(d)
    assert p.startswith(f"{d}/resources.yaml:5: resources[line-one].name:") and "`en`" in p


def test_unknown_kind_topic_and_field(data_copy: Path) -> None:
    text = GOOD.replace("kind: hotline", "kind: hotlines").replace("[counselling]", "[counseling]")
    d = write(
        data_copy, text.replace("    confidence: official", "    confidence: official\n    colour: blue")
    )
    found = problems(d)
    assert (
        f"{d}/resources.yaml:3: resources[line-one].kind: unknown kind 'hotlines' (see data/taxonomy.yaml)"
        in found
    )
    assert (
        f"{d}/resources.yaml:4: resources[line-one].topics[0]: unknown topic 'counseling' (see data/taxonomy.yaml)"
        in found
    )
    assert f"{d}/resources.yaml:13: resources[line-one].colour: unknown field" in found


def test_yaml_syntax_error_has_a_line(data_copy: Path) -> None:
    d = write(data_copy, GOOD.replace("    regions: [KR]", "    regions: [KR"))
    [p] = problems(d)
    assert p.startswith(f"{d}/resources.yaml:") and "YAML syntax error" in p
    line = int(p.split(":")[1])
    assert 7 <= line <= 9


def test_an_alias_is_refused_where_it_stands(data_copy: Path) -> None:
    # Nested aliases expand to billions of nodes (800 bytes stalled validation for minutes).
    bomb = "x-a: &a [lol, lol, lol]\nx-b: &b [*a, *a, *a]\n"
    d = write(data_copy, GOOD + bomb)
    found = problems(d)
    assert any("aliases (*name) are not allowed" in p for p in found), found
    alias_line = (GOOD + bomb).splitlines().index("x-b: &b [*a, *a, *a]") + 1
    assert any(p.startswith(f"{d}/resources.yaml:{alias_line}:") for p in found), found
    (d / "places.yaml").write_text("towns: &t {}\nenglish: *t\n", encoding="utf-8")
    assert any("places.yaml" in p and "aliases" in p for p in problems(d))


def test_an_unclosed_quote_is_located_where_it_began(data_copy: Path) -> None:
    # The quote opened on line 5 runs on to the next quote mark; the parser fails lines later.
    d = write(
        data_copy, GOOD.replace("name: {ko: 상담전화, en: Helpline}", 'name: {ko: "상담전화, en: Helpline}')
    )
    [p] = problems(d)
    assert p.startswith(f"{d}/resources.yaml:5: YAML syntax error: ")
    assert "detected on line 9" in p and "a quoted text began here, at column 16" in p


def test_an_unclosed_list_names_its_start_and_where_it_was_noticed(data_copy: Path) -> None:
    d = write(data_copy, GOOD.replace("    topics: [counselling]", "    topics: [counselling"))
    [p] = problems(d)
    line = int(p.split(":")[1])
    assert line == 4 and "detected on line" in p and "flow sequence began here" in p


def test_dated_sources(data_copy: Path) -> None:
    dated = GOOD.replace(
        "    sources: [https://example.org/a]",
        "    sources:\n"
        "      - https://example.org/a\n"
        "      - {url: https://example.org/b, as_of: 2025-06-30, title: 해바라기센터 현황}\n"
        "      - {url: http://example.org/c, as_of: 2021}",
    )
    catalog = load_catalog(write(data_copy, dated))
    r = catalog.resources[0]
    assert r.source_urls == ["https://example.org/a", "https://example.org/b", "http://example.org/c"]
    assert r.as_of_year == 2025 and str(r.sources[1]) == "https://example.org/b"
    late = dated.replace("as_of: 2025-06-30", "as_of: 2026-03-01").replace("as_of: 2021}", "as_of: 2027}")
    found = problems(write(data_copy, late))
    f = f"{data_copy}/resources.yaml"
    assert (
        f"{f}:12: resources[line-one].sources[1].as_of: 2026-03-01 is after the day the source was read (checked)"
        in found
    )
    assert (
        f"{f}:13: resources[line-one].sources[2].as_of: 2027 is after the day the source was read (checked)"
        in found
    )
    bad = problems(write(data_copy, dated.replace("as_of: 2021}", "as_of: 2021, note: x}")))
    assert any("sources[2]" in p for p in bad)


def test_invalid_utf8_and_missing_file(national_data: Path) -> None:
    (national_data / "resources.yaml").write_bytes(GOOD.encode()[:40] + b"\xff\xfe" + GOOD.encode()[40:])
    assert problems(national_data) == [f"{national_data}/resources.yaml:3: is not valid UTF-8 text"]
    (national_data / "regions.yaml").unlink()
    assert f"{national_data}/regions.yaml: file not found" in problems(national_data)


def test_duplicate_yaml_key(data_copy: Path) -> None:
    d = write(
        data_copy, GOOD.replace("    confidence: official", "    confidence: official\n    kind: guide")
    )
    assert f"{d}/resources.yaml:13: key 'kind' appears twice" in problems(d)


def test_real_data_is_valid(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog.resources) > 0


CHANNELS = GOOD.replace(
    '      - {number: "1366", source: "https://example.org/a"}\n',
    '      - {number: "1366", source: "https://example.org/a"}\n'
    '      - {number: "1366", type: sms, source: "https://example.org/a"}\n'
    "@MORE@",
).replace("    sources: [https://example.org/a]\n", "@LANGUAGES@    sources: [https://example.org/a]\n")


def channels(more: str, languages: str) -> str:
    return CHANNELS.replace("@MORE@", more).replace("@LANGUAGES@", languages)


def test_a_call_and_a_text_to_one_number_and_a_kakaotalk_handle_load(data_copy: Path) -> None:
    text = channels(
        '    links:\n      - {type: kakaotalk, handle: women1366, source: "https://example.org/a"}\n',
        '    languages: [ko, en]\n    interpreting:\n      - {languages: [en], source: "https://example.org/a"}\n',
    )
    r = load_catalog(write(data_copy, text)).resources[0]
    assert [(p.number, p.type) for p in r.phones] == [("1366", "voice"), ("1366", "sms")]
    assert (r.links[0].url, r.links[0].handle) == (None, "women1366")
    assert r.interpreted == ["en"]


@pytest.mark.parametrize(
    ("more", "languages", "expected"),
    [
        ('      - {number: "1366", source: "https://example.org/a"}\n', "", "phones[2].number: '1366' is listed twice"),
        ('    links:\n      - {type: chat, handle: women1366, source: "https://example.org/a"}\n', "",
         "links[0]: give url (or, for a kakaotalk channel known by no address, handle)"),
        ('    links:\n      - {type: kakaotalk, source: "https://example.org/a"}\n', "",
         "links[0]: give url (or, for a kakaotalk channel known by no address, handle)"),
        ("", '    interpreting:\n      - {languages: [en], source: "https://example.org/a"}\n',
         "interpreting[0].languages: 'en' is not in this entry's languages"),
        ("", '    languages: [ko, en]\n    interpreting:\n      - {languages: [en], source: "https://example.org/b"}\n',
         "interpreting[0].source: 'https://example.org/b' is not one of this entry's sources"),
    ],
)  # fmt: skip
def test_channels_and_interpreting_are_checked(
    data_copy: Path, more: str, languages: str, expected: str
) -> None:
    found = problems(write(data_copy, channels(more, languages)))
    assert [p for p in found if expected in p], found
