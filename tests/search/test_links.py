"""The main link of a resource: the service itself before a guide, https before email."""

from __future__ import annotations

import msgspec

from search.catalog import Catalog
from search.links import main_link, main_web_link
from search.model import Link, Resource


def with_links(base: Resource, *links: tuple[str, str]) -> Resource:
    return msgspec.structs.replace(
        base, links=[msgspec.convert({"type": t, "url": u}, Link) for t, u in links]
    )


def test_the_service_comes_before_a_guide(catalog: Catalog) -> None:
    r = with_links(
        catalog.resources[0], ("guide", "https://guide.example/about"), ("form", "https://form.example/")
    )
    assert main_web_link(r) == "https://form.example/"
    assert main_link(r) == "https://form.example"  # a bare domain's slash costs a byte in an SMS


def test_a_guide_when_nothing_else(catalog: Catalog) -> None:
    r = with_links(catalog.resources[0], ("guide", "https://guide.example/about/"))
    assert main_link(r) == main_web_link(r) == "https://guide.example/about/"


def test_email_only_for_a_person_not_for_the_feed(catalog: Catalog) -> None:
    r = with_links(catalog.resources[0], ("email", "mailto:help@example.org"))
    assert main_web_link(r) is None
    assert main_link(r) == "help@example.org"
    assert main_link(with_links(catalog.resources[0])) is None
