"""search/documents.py: what of a resource is searched, for both engines."""

from __future__ import annotations

from search.analyze import normalize
from search.catalog import Catalog
from search.documents import channels_of, explained, names_key, phone_numbers, search_text, term_index


def test_the_searchable_text_of_an_entry(catalog: Catalog) -> None:
    r = catalog.by_id["d4u-central"]
    assert r.phones  # else the number checks below check nothing
    text = search_text(r, term_index(catalog.taxonomy))
    assert text.name == r.name and text.aliases == r.aliases and text.summary == r.summary
    assert [t.key for t in text.tags][:1] == [r.kind]  # the kind first, then topics, audiences …
    assert {t.key for t in text.tags} >= set(r.topics)
    assert [n for n, _ in text.numbers] == [p.number for p in r.phones]
    assert phone_numbers(r) == [d for _, d in text.numbers] and all(d.isdigit() for d in phone_numbers(r))


def test_everyone_is_not_a_searchable_audience(catalog: Catalog) -> None:
    terms = term_index(catalog.taxonomy)
    for r in catalog.resources:
        keys = {t.key for t in search_text(r, terms).tags}
        assert "everyone" not in keys
        assert {a for a in r.audiences if a != "everyone"} <= keys


def test_a_match_is_explained_by_field(catalog: Catalog) -> None:
    r = catalog.by_id["women-1366"]
    fields = explained(search_text(r, term_index(catalog.taxonomy)))
    assert list(fields) == ["name", "topics", "summary", "details"]
    assert r.name.ko in fields["name"] and r.summary.en in fields["summary"]


def test_names_and_channels(catalog: Catalog) -> None:
    r = catalog.by_id["women-1366"]
    names = names_key(r).split(" | ")
    assert normalize(r.name.ko) in names and normalize(r.name.en) in names
    assert r.aliases and all(normalize(a) in names for a in r.aliases)
    assert "phone" in channels_of(r) and channels_of(r) == sorted(channels_of(r))
    assert "guide" not in {c for x in catalog.resources for c in channels_of(x)}
