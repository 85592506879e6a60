"""A compact referral: what a counsellor sends a person, in one text message or KakaoTalk message.

Each resource becomes a short block: its name, main number and hours (when the data gives them,
in the one wording of :mod:`search.wording`), what to prepare (when the entry says) and its main
link. Nothing the data leaves open is printed as a doubt. ``haven referral`` prints it; the web Share button reuses it.

Every block has a number to call and a link, so a referral never leaves a person with a name
alone. An entry without a phone number gets the fallback line's (Women's Emergency Hotline 1366,
24 hours: :data:`FALLBACK_ID`), labelled as given instead; an entry without a link of its own
gets its page on the site (when the site's address is known), else the fallback line's link,
named as the fallback's. Numbers and links always come from the data, never made up.

Length. Korean carriers count a message in KS X 1001 (EUC-KR) bytes: 1 byte per ASCII character,
2 per Hangul syllable or other character. Up to 90 bytes is one SMS; up to 2,000 bytes is one
LMS (long message), which phones switch to by themselves. A referral never exceeds one LMS
(:data:`LMS_BYTES`): when it would, the "prepare" lines go first, then the links, and if the
names and numbers alone are too long, :class:`ReferralTooLong` says to send fewer. The same limit
keeps a KakaoTalk message short enough to read on one screen.

Formats. ``text`` is for copying into KakaoTalk or a chat (☎ and en dashes are fine there).
``sms`` keeps to characters Korean carriers deliver (Twilio's Korea guidelines: "Only EUC-KR
characters are supported by the South Korean mobile operators"): typographic dashes and quotes
become ASCII and no symbols are added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from search.links import main_link
from search.model import Resource
from service.i18n import Lang, strings
from service.wording import hours_text

__all__ = (
    "FALLBACK_ID",
    "LMS_BYTES",
    "MAX_ENTRIES",
    "SMS_BYTES",
    "Format",
    "ReferralTooLong",
    "message_kind",
    "prepare_text",
    "referral",
    "sms_bytes",
)

Format = Literal["text", "sms"]

#: One SMS and one LMS, in bytes as Korean carriers count them.
SMS_BYTES = 90
LMS_BYTES = 2000
#: At most this many entries in one referral from the site (a handful, not the catalog).
MAX_ENTRIES = 12
#: The entry whose number and link stand in when an entry has none: 24 hours, every day, nationwide.
FALLBACK_ID = "women-1366"
#: A "what to prepare" sentence longer than this is left out rather than cut mid-sentence.
PREPARE_MAX = 120

_MARKER = re.compile(r"^\s*(?:준비할\s*것|what to prepare)\s*:\s*", re.IGNORECASE)
# Without a "What to prepare:" line, a sentence about an ID document is the thing to prepare.
_DOCUMENT = {
    "ko": re.compile(r"서류|신분증|신분을 증명"),
    "en": re.compile(r"\bID\b|document|proof of identity", re.IGNORECASE),
}
_DOUBT = re.compile(r"확인되지|확인 필요|unconfirmed|not confirmed", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TO_ASCII = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


class ReferralTooLong(ValueError):
    """Even names and numbers alone do not fit one LMS."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the referral needs {size} bytes, more than one message ({LMS_BYTES}); send fewer")
        self.size = size


def _word(key: str, lang: Lang) -> str:
    return strings(lang)["referral_" + key]


def sms_bytes(text: str) -> int:
    """Length as Korean carriers count it: ASCII 1 byte, anything else 2."""
    ascii_chars = len(text.encode("ascii", "ignore"))  # counted in C: every result card asks
    return ascii_chars + 2 * (len(text) - ascii_chars)


def message_kind(text: str) -> Literal["SMS", "LMS"] | None:
    """``SMS`` (≤ 90 bytes), ``LMS`` (≤ 2,000 bytes), or None when it needs more than one."""
    size = sms_bytes(text)
    return "SMS" if size <= SMS_BYTES else "LMS" if size <= LMS_BYTES else None


def _sentences(text: str) -> list[str]:
    return [s.strip() for line in text.splitlines() for s in _SENTENCE_END.split(line) if s.strip()]


def prepare_text(r: Resource, lang: Lang = "ko") -> str | None:
    """What to have ready, quoted from the entry's how_to (never made up), or None."""
    if r.how_to is None:
        return None
    sentences = _sentences(r.how_to.get(lang))
    marked = [_MARKER.sub("", s) for s in sentences if _MARKER.match(s)]
    documents = [s for s in sentences if _DOCUMENT[lang].search(s) and not _DOUBT.search(s)]
    for s in marked or documents:
        if s and len(s) <= PREPARE_MAX:
            return s
    return None


def _block(
    r: Resource, lang: Lang, fmt: Format, with_prepare: bool, with_link: bool,
    fallback: Resource | None = None, page_url: Callable[[Resource], str] | None = None,
) -> list[str]:  # fmt: skip
    dash = "-" if fmt == "sms" else "–"
    lines = [r.name.get(lang)]
    hours = hours_text(r.hours, lang, dash=dash)
    if r.phones:
        lines.append(_phone_line(r, lang, fmt, dash))
    else:
        if hours:
            lines.append(hours)
        if fallback is not None and fallback.phones and fallback.id != r.id:
            lines.append(_word("instead", lang) + fallback.name.get(lang))
            lines.append(_phone_line(fallback, lang, fmt, dash))
    prepare = prepare_text(r, lang) if with_prepare else None
    if prepare:
        lines.append(_word("prepare", lang) + prepare)
    if with_link:
        lines += _link_line(r, lang, fallback, page_url)
    if fmt == "sms":
        lines = [line.translate(_TO_ASCII) for line in lines]
    return lines


def _phone_line(r: Resource, lang: Lang, fmt: Format, dash: str) -> str:
    phone = r.phones[0]
    number = (_word("text", lang) if phone.type == "sms" else "") + phone.number
    hours = hours_text(r.hours, lang, dash=dash)
    return ("☎ " if fmt == "text" else "") + (f"{number} ({hours})" if hours else number)


def _link_line(
    r: Resource, lang: Lang, fallback: Resource | None, page_url: Callable[[Resource], str] | None
) -> list[str]:
    """The entry's own link, else its page on the site, else the fallback line's (named)."""
    link = main_link(r)
    if link:
        return [link]
    if page_url is not None:
        return [page_url(r)]
    spare = main_link(fallback) if fallback is not None else None
    return [f"{fallback.name.get(lang)}: {spare}"] if fallback is not None and spare else []


def referral(
    resources: Sequence[Resource], lang: Lang = "ko", fmt: Format = "text", *,
    fallback: Resource | None = None, page_url: Callable[[Resource], str] | None = None,
) -> str:  # fmt: skip
    """The referral for ``resources``, in order, fitting one message (see the module docstring).

    Args:
        fallback: the entry whose number (and link) stands in for an entry without one
            (the :data:`FALLBACK_ID` entry; callers look it up).
        page_url: an entry's page on the site, the link for an entry without one.

    Raises:
        ReferralTooLong: even without links and "prepare" lines it needs more than one LMS.
    """
    text = ""
    for with_prepare, with_link in ((True, True), (False, True), (False, False)):
        blocks = [
            "\n".join(_block(r, lang, fmt, with_prepare, with_link, fallback, page_url)) for r in resources
        ]
        text = "\n\n".join(blocks)
        if sms_bytes(text) <= LMS_BYTES:
            return text
    raise ReferralTooLong(sms_bytes(text))
