"""Validation: every problem reported at once, each with its file, line, resource and field."""

from __future__ import annotations

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
      - number: "1366"
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
    (data_copy / "resources.yaml").write_text(text, encoding="utf-8")
    return data_copy


def problems(data_dir: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(data_dir)
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
        f"{d}/resources.yaml:13: resources[line-one].id: duplicate id (first used on line 2)"
    ]


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


def test_invalid_utf8_and_missing_file(data_copy: Path) -> None:
    (data_copy / "resources.yaml").write_bytes(GOOD.encode()[:40] + b"\xff\xfe" + GOOD.encode()[40:])
    assert problems(data_copy) == [f"{data_copy}/resources.yaml:3: is not valid UTF-8 text"]
    (data_copy / "regions.yaml").unlink()
    assert f"{data_copy}/regions.yaml: file not found" in problems(data_copy)


def test_duplicate_yaml_key(data_copy: Path) -> None:
    d = write(
        data_copy, GOOD.replace("    confidence: official", "    confidence: official\n    kind: guide")
    )
    assert f"{d}/resources.yaml:13: key 'kind' appears twice" in problems(d)


def test_real_data_is_valid(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog.resources) > 0
