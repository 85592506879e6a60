"""search/index.py and search/index_schema.py: the Catalog written to SQLite, as the engine reads it."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.analyze import phone_digits
from search.catalog import Catalog
from search.documents import channels_of, names_key, search_text, term_index
from search.index import BuildError, build_index
from search.index_schema import FILTER_COLUMN, SCHEMA_VERSION, filter_token


@pytest.fixture(scope="module")
def db(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_filter_tokens_are_one_ascii_word_ending_in_a_digit() -> None:
    assert filter_token("region", "KR-26") == "rkr260"
    assert filter_token("kind", "takedown-support") == "ktakedownsupport0"
    assert filter_token("region", "KR-26") != filter_token("kind", "KR-26")


def test_every_resource_is_written_once_with_its_record(db: sqlite3.Connection, catalog: Catalog) -> None:
    rows = {r["id"]: r for r in db.execute("SELECT id, position, record FROM resources")}
    assert len(rows) == len(catalog.resources)
    for position, r in enumerate(catalog.resources):
        assert rows[r.id]["position"] == position
        assert json.loads(rows[r.id]["record"])["name"] == {"ko": r.name.ko, "en": r.name.en}


def test_row_ids_put_nationwide_services_first(db: sqlite3.Connection, catalog: Catalog) -> None:
    meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    national = meta["national"]
    assert national == sum("KR" in r.regions for r in catalog.resources) > 0
    flags = [row[0] for row in db.execute("SELECT national FROM flat ORDER BY rowid")]
    assert flags == [1] * national + [0] * (len(flags) - national)
    assert meta["schema_version"] == SCHEMA_VERSION and meta["data_hash"] == catalog.data_hash


def test_the_flat_row_is_the_resource_s(db: sqlite3.Connection, catalog: Catalog) -> None:
    for row in db.execute("SELECT * FROM flat"):
        r = catalog.by_id[row["id"]]
        assert row["names"] == names_key(r)
        assert row["regions"] == "|" + "|".join(r.regions) + "|"
        assert row["channels"] == "|" + "|".join(channels_of(r)) + "|"
        assert row["phone_digits"] == "|" + "|".join(phone_digits(p.number) for p in r.phones) + "|"


def test_filters_are_matched_by_fts5(db: sqlite3.Connection, catalog: Catalog) -> None:
    busan = {r.id for r in catalog.resources if "KR-26" in r.regions}
    found = {
        row[0]
        for row in db.execute(
            "SELECT f.id FROM resources_fts JOIN flat f ON f.rowid = resources_fts.rowid WHERE resources_fts MATCH ?",
            [f'{FILTER_COLUMN} : "{filter_token("region", "KR-26")}"'],
        )
    }
    assert found == busan


def test_every_ending_of_a_number_is_indexed(db: sqlite3.Connection, catalog: Catalog) -> None:
    r = catalog.by_id["d4u-central"]
    digits = phone_digits(r.phones[0].number)
    rid = db.execute("SELECT rowid FROM resources WHERE id = ?", [r.id]).fetchone()[0]
    tails = {row[0] for row in db.execute("SELECT tail FROM phone_tails WHERE rid = ?", [rid])}
    assert {digits[k:] for k in range(1, len(digits) - 2)} <= tails


def test_searchable_text_includes_the_audiences_labels(catalog: Catalog) -> None:
    # One definition for both engines: a service for minors is found by the audience's words.
    r = next(r for r in catalog.resources if "minors" in r.audiences)
    words = search_text(r, term_index(catalog.taxonomy)).tag_words()
    label = next(t.label for t in catalog.taxonomy.audiences if t.key == "minors")
    assert label.ko in words and label.en in words


def test_the_lexicon_knows_the_names_and_how_to_reach_them(db: sqlite3.Connection) -> None:
    row = db.execute("SELECT * FROM lexicon WHERE word = '해바라기'").fetchone()
    assert row["named"] == 1 and row["cho"] == "ㅎㅂㄹㄱ" and "haebaragi" in row["rom"].split()


def test_a_failed_build_leaves_the_previous_index(tmp_path: Path, catalog: Catalog) -> None:
    out = build_index(catalog, tmp_path / "haven.db")
    before = out.read_bytes()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BuildError, match="cannot write"):
        build_index(catalog, blocker / "haven.db")
    broken = dataclasses.replace(catalog, resources=[*catalog.resources, catalog.resources[0]])
    with pytest.raises(BuildError):  # the same id twice: the unique index refuses it
        build_index(broken, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
