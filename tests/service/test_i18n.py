"""Choosing the visitor's language, and strings the terminal and referrals share with the site."""

from __future__ import annotations

from service import i18n
from service.i18n import negotiate


def test_language_negotiation_is_total() -> None:
    assert negotiate(None, None) == "ko"
    assert negotiate("en", "ko") == "en"
    assert negotiate(None, "en-GB;q=0.8, ko;q=0.9") == "ko"
    assert negotiate(None, "x" * 10_000) == "ko"


def test_every_show_label_in_both_languages() -> None:
    ko, en = i18n.labels("ko")["show"], i18n.labels("en")["show"]
    assert ko.keys() == en.keys()
    assert all(v.strip() for v in [*ko.values(), *en.values()])
    assert ko["hours"] == "운영 시간" and en["hours"] == "Hours"
