"""Which of a resource's links is its main one: the one a referral, a card and the HSDS feed give."""

from __future__ import annotations

from search.model import Resource

__all__ = ("MAIN_LINK_TYPES", "main_link", "main_web_link")

#: Links that lead to the service itself; a guide (a page about it) is given only when nothing else is.
MAIN_LINK_TYPES = ("website", "form", "chat", "kakaotalk", "app")


def main_web_link(r: Resource) -> str | None:
    """The first https link to the service itself (website, form, chat, app), else any https link."""
    https = [link for link in r.links if link.href.startswith("https://")]
    main = [link for link in https if link.type in MAIN_LINK_TYPES] or https
    return main[0].href if main else None


def main_link(r: Resource) -> str | None:
    """The link to give a person: :func:`main_web_link`, else an email address.

    A bare domain loses its trailing slash: it costs a byte in a text message and says nothing.
    """
    url = main_web_link(r)
    if url:
        return url[:-1] if url.endswith("/") and url.count("/") == 3 else url
    mail = next((link.href for link in r.links if link.href.startswith("mailto:")), None)
    return mail[7:] if mail else None
