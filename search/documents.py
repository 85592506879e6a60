"""What of a resource is searched: the one definition the SQLite index and Meilisearch both lay out.

A resource is found by its names and aliases, the labels of the taxonomy terms it carries (its
kind, topics, audiences and platform), its summary, the texts of its body (how to use it, who
runs it, where it is, caveats, phone and link labels) and its phone numbers. Each engine lays
these out in its own fields (FTS5 columns, Meilisearch attributes); neither picks texts itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from search.analyze import normalize, phone_digits
from search.model import Resource, Taxonomy, TaxonomyTerm, Text

__all__ = (
    "SearchText",
    "TermIndex",
    "channels_of",
    "explained",
    "names_key",
    "phone_numbers",
    "search_text",
    "term_index",
)

#: Taxonomy terms by (group, key): ``("kind", "hotline")``, ``("topic", "deepfake")`` …
TermIndex = dict[tuple[str, str], TaxonomyTerm]


def term_index(taxonomy: Taxonomy | Mapping[str, Sequence[TaxonomyTerm]]) -> TermIndex:
    """The terms of a catalog's taxonomy, or of an engine's (grouped by ``kind``, ``topic`` …)."""
    if isinstance(taxonomy, Taxonomy):
        groups: Mapping[str, Sequence[TaxonomyTerm]] = {
            "kind": taxonomy.kinds,
            "topic": taxonomy.topics,
            "audience": taxonomy.audiences,
            "platform": taxonomy.platforms,
        }
    else:
        groups = taxonomy
    return {(group, t.key): t for group, terms in groups.items() for t in terms}


def channels_of(r: Resource) -> list[str]:
    """How a person can reach a resource: phone, sms and the link types."""
    out = {"sms" if p.type == "sms" else "phone" for p in r.phones}
    out.update(link.type for link in r.links if link.type != "guide")
    return sorted(out)


def phone_numbers(r: Resource) -> list[str]:
    """Each of its numbers as digits only, as the query layer reads a typed number."""
    return [phone_digits(p.number) for p in r.phones]


def names_key(r: Resource) -> str:
    """Its names and aliases, normalised and joined by `` | ``: what the exact-name test reads."""
    return normalize(" | ".join([r.name.ko, r.name.en, *r.aliases]))


class SearchText(NamedTuple):
    """Every searchable text of one resource, by field, in falling weight order."""

    name: Text
    aliases: list[str]
    tags: list[TaxonomyTerm]
    """The taxonomy terms it carries: kind, topics, audiences (but ``everyone``), platform."""
    summary: Text
    body: list[Text]
    """How to use it, who runs it, where it is, its caveat, then phone and link labels."""
    numbers: list[tuple[str, str]]
    """Its phone numbers as written and as digits."""

    def tag_words(self) -> list[str]:
        """Each tag's Korean and English labels and its aliases."""
        return [w for t in self.tags for w in (t.label.ko, t.label.en, *t.aliases)]


def search_text(r: Resource, terms: TermIndex) -> SearchText:
    """What of ``r`` is searched, with its taxonomy terms looked up in ``terms``."""
    keys = [("kind", r.kind), *(("topic", t) for t in r.topics)]
    keys += [("audience", a) for a in r.audiences if a != "everyone"]
    keys += [("platform", r.platform)] if r.platform else []
    body = [x for x in (r.how_to, r.organization, r.address, r.caveat) if x]
    body += [p.label for p in r.phones if p.label] + [link.label for link in r.links if link.label]
    return SearchText(
        name=r.name,
        aliases=r.aliases,
        tags=[terms[k] for k in keys if k in terms],
        summary=r.summary,
        body=body,
        numbers=[(p.number, phone_digits(p.number)) for p in r.phones],
    )


def explained(text: SearchText) -> dict[str, list[str]]:
    """The texts grouped as a match is explained to a user: name, topics, summary, details."""
    return {
        "name": [text.name.ko, text.name.en, *text.aliases],
        "topics": text.tag_words(),
        "summary": [text.summary.ko, text.summary.en],
        "details": [x for t in text.body for x in (t.ko, t.en)],
    }
