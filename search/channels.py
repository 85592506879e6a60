"""How a resource is reached, checked as data: a number once per way (a call and a text to 1388
are two), a link with an address (or, for a KakaoTalk channel its sources name by no address, the
handle to search for in the app), and interpreting only into languages the entry lists."""

from __future__ import annotations

from typing import Any

__all__ = ("check_channels",)


def check_channels(add: Any, r: dict[str, Any]) -> None:
    """Report each problem of ``r``'s phones, links and interpreting through ``add(path, message)``."""
    numbers = [(p.number, p.type) for p in r.get("phones", [])]
    for j, (n, kind) in enumerate(numbers):
        if (n, kind) in numbers[:j]:
            add(["phones", j, "number"], f"{n!r} is listed twice")
    for j, link in enumerate(r.get("links", [])):
        if (link.url is None) == (link.handle is None) or (link.handle and link.type != "kakaotalk"):
            add(["links", j], "give url (or, for a kakaotalk channel known by no address, handle)")
    for j, group in enumerate(r.get("interpreting", [])):
        for code in set(group.languages) - set(r.get("languages", ["ko"])):
            add(["interpreting", j, "languages"], f"{code!r} is not in this entry's languages")
