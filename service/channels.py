"""The ways to reach a service as buttons, and their order at this hour.

A card or a resource page shows each of a service's ways as a button: calls and texts from its
phones; chat, KakaoTalk, forms and apps from its links. Calls come first, unless she said she
cannot speak aloud, or no one answers the phone now: the line is closed (the call buttons then say
so), or it is night in Seoul (22:00 to 08:00) and the line's hours are not known. Then the written
ways come first: at night a 24-hour chat before a weekday office line. Cards are not reordered
here (ranking belongs to search): only the buttons within one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from search.model import OpenState, Resource
from service.i18n import Lang, strings

__all__ = (
    "CHANNEL_LINKS",
    "MAX_CHANNELS",
    "SILENT_WORDS",
    "STRIP_NUMBERS",
    "Channel",
    "Ways",
    "is_night",
    "tel_href",
)


class Channel(NamedTuple):
    """One way to reach a service, as a button: ``tel:``, ``sms:``, a chat, KakaoTalk, a form.

    ``kind`` is ``voice``, ``sms``, ``chat``, ``kakaotalk``, ``form`` or ``app``; ``silent``
    says it can be used without speaking (everything but a call). ``href`` is empty for a
    KakaoTalk channel known only by the name to search for (``target``). ``closed``: a call to a
    line that is closed now (the button says so)."""

    href: str
    verb: str
    target: str
    label: str | None
    kind: str
    closed: bool = False

    @property
    def silent(self) -> bool:
        return self.kind != "voice"

    @property
    def external(self) -> bool:
        return self.href.startswith("https:")


#: Link types that are a way to reach a person or report, shown as buttons next to the calls.
CHANNEL_LINKS = ("chat", "kakaotalk", "form", "app")
#: The numbers the crisis strip at the top of every page already shows: a card repeats them only
#: as its own main number.
STRIP_NUMBERS = frozenset({"112", "1366"})
#: At most this many buttons on a card (two rows on a phone).
MAX_CHANNELS = 4
#: Night in Seoul, 22:00 to 08:00: a line whose hours are not known is taken to be closed then.
NIGHT_STARTS, NIGHT_ENDS = 22, 8
#: Words that say she cannot speak aloud: written channels go first.
SILENT_WORDS = ("문자", "채팅", "카톡", "카카오", "말 못", "말을 못", "말하기 힘", "소리", "text", "chat", "kakao",
                "can't talk", "cannot talk", "can't speak", "cannot speak")  # fmt: skip


def is_night(now: dt.datetime) -> bool:
    """Whether ``now`` (a Seoul time) is between 22:00 and 08:00."""
    return now.hour >= NIGHT_STARTS or now.hour < NIGHT_ENDS


def tel_href(number: str, kind: str = "voice") -> str:
    """``tel:`` (or ``sms:``) and the digits of ``number``; ``#`` escaped (``sms:%230117``)."""
    digits = "".join(c for c in number if c.isdigit() or c in "+#").replace("#", "%23")
    return f"sms:{digits}" if kind == "sms" else f"tel:{digits}"


@dataclass(frozen=True, slots=True)
class Ways:
    """How one page orders a service's ways: its language, the channel labels, the Seoul time, and
    whether she cannot speak (``silent_first``) or the line is closed (``closed``, or from
    ``state``, its open-now; only then do call buttons say closed)."""

    lang: Lang
    labels: dict[str, str]
    now: dt.datetime
    silent_first: bool = False
    closed: bool = False
    state: OpenState | None = None

    def written_first(self) -> bool:
        state = self.state
        unknown = state is None or not state.known
        shut = self.closed or (state is not None and state.known and not state.open)
        return self.silent_first or shut or (unknown and is_night(self.now))

    def of(self, r: Resource, skip: frozenset[str] | set[str] = frozenset()) -> list[Channel]:
        """Every way to reach ``r`` but the numbers in ``skip``, in the order that suits her now."""
        t = strings(self.lang)
        state = self.state
        shut = state is not None and (self.closed or (state.known and not state.open))
        spoken: list[Channel] = []
        written: list[Channel] = []
        for ph in r.phones:
            if ph.number in skip:
                continue
            label = ph.label.get(self.lang) if ph.label else None
            if ph.type == "sms":
                written.append(Channel(tel_href(ph.number, "sms"), t["text_sms"], ph.number, label, "sms"))
            else:
                spoken.append(Channel(tel_href(ph.number), t["call"], ph.number, label, "voice", shut))
        for link in r.links:
            if link.type in CHANNEL_LINKS:
                verb = self.labels[link.type]
                label = link.label.get(self.lang) if link.label else None
                if link.url is None:  # a KakaoTalk channel known by the name to search for
                    written.append(Channel("", verb, link.handle or verb, label, link.type))
                else:
                    written.append(Channel(link.url, verb, label or verb, None, link.type))
        if self.written_first() and written:
            return [*written, *spoken]
        return [*spoken, *written]
