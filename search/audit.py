"""What a data maintainer should look at next: stale, weak, half-translated or tangled entries.

``haven validate`` rejects data that cannot be used; the audit reads data that *can* be used and
lists what makes it less trustworthy than it should be. Each :class:`Finding` names its check,
its subject (a resource id, a phone number or a region code) and, where a repetition is
deliberate, why it is expected. Expected findings are reported but never fail ``--strict``.

Checks:

- ``stale``: the newest date any source states (``as_of``) is more than :data:`STALE_YEARS` years
  old: what the entry says may no longer be true, whenever we last read it.
- ``undated``: no source states a date, so staleness cannot be judged.
- ``reread``: ``checked`` (when we last read the sources) more than :data:`REREAD_MONTHS` months ago.
- ``confidence``: confidence below ``official``.
- ``text``: a ko/en pair where one side is blank, a copy of the other, or in the wrong language.
- ``link``: a link or source URL that passes the schema but is still broken in an obvious way.
- ``shared-phone``: one number on several entries.
- ``coverage``: a region with fewer region-specific entries than :data:`COVERAGE_TARGET`.
- ``number``: a phone number that no dated source has stated since :data:`CONFIRMED_SINCE`: the
  maintainers' work list. Each number is judged by the source it names (``source:``), or, when it
  names none, by the entry's newest dated source. A page that prints no date confirms nothing here,
  however official: it may be years old.

This replaces the old target of a share of dated sources (official pages that print no date made
it unreachable, and a dated source says nothing about a number it does not state).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from search.catalog import Catalog
from search.hours import SEOUL
from search.model import Phone, Resource, Source, Text

__all__ = (
    "CONFIRMED_SINCE",
    "COVERAGE_TARGET",
    "REREAD_MONTHS",
    "SHARED_LINES",
    "STALE_YEARS",
    "Finding",
    "NumberStatus",
    "Report",
    "audit",
    "number_status",
    "stale_before",
)

Check = Literal[
    "stale", "undated", "reread", "confidence", "text", "link", "shared-phone", "coverage", "number"
]
CHECKS: tuple[Check, ...] = (
    "stale", "undated", "reread", "confidence", "text", "link", "shared-phone", "coverage", "number",
)  # fmt: skip

#: A number no dated source has stated in this year or later is on the work list.
CONFIRMED_SINCE = 2023

#: An entry whose newest source is older than this many years is stale.
STALE_YEARS = 3
#: An entry whose sources were not re-read for this long should be read again.
REREAD_MONTHS = 12
#: Every region should have at least this many entries of its own (not only nationwide ones), so a
#: person who searches their region finds a local door as well as the national lines.
COVERAGE_TARGET = 3
#: National lines that many entries give on purpose, as their route in or as the fallback.
SHARED_LINES: dict[str, str] = {
    "1366": "Women's Emergency Line: the 24-hour fallback and, since 2025, the single digital sex crime line",
    "112": "police emergency number, given wherever someone may be in danger",
    "117": "school violence report line, shared by the education offices that route to it",
    "#0117": "117 by text message",
    "132": "Korea Legal Aid Corporation's national number; its branches are reached through it",
    "1388": "youth counselling line, given wherever the person may be under 18",
    "1577-1295": "crime victim support centres' national number, which connects to the nearest centre",
}
#: Area code + 1366 reaches that area's 1366 centre, which other regional services route to.
_AREA_1366 = re.compile(r"^0[0-9]{1,2}-1366$")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")
# Characters a URL picks up when it is copied out of a sentence.
_TRAILING_JUNK = tuple(").,;:'\"]>}。、")


class Finding(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One thing for a maintainer to look at."""

    check: Check
    #: A resource id, a phone number or a region code.
    subject: str
    message: str
    #: The entries involved, when there are several.
    resources: list[str] = []
    #: A deliberate repetition: reported, but not a reason to fail ``--strict``.
    expected: bool = False
    reason: str | None = None


class NumberStatus(msgspec.Struct, kw_only=True, omit_defaults=True):
    """When a phone number of an entry was last stated by a dated source."""

    resource: str
    number: str
    #: The year of the dated source that states it (None: no dated source does).
    year: int | None = None
    #: That source, or the undated page the number names as its own.
    source: str | None = None
    #: own: the source the number names (``source:``); entry: it names none, so the entry's newest
    #: dated source stands in; none: it names none and no source of the entry is dated.
    basis: Literal["own", "entry", "none"]


class Report(msgspec.Struct, kw_only=True):
    """The audit of one catalog on one day."""

    date: dt.date
    resources: int
    counts: dict[str, int]
    findings: list[Finding]
    #: Every phone number of every entry, with the year a dated source last stated it.
    numbers: list[NumberStatus] = []

    @property
    def problems(self) -> list[Finding]:
        """The findings that are not expected (what ``--strict`` fails on)."""
        return [f for f in self.findings if not f.expected]


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    # 29-31 March minus one month is the end of February, not an error.
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_before(today: dt.date, years: int = STALE_YEARS) -> dt.date:
    """The day before which a source's date makes an entry stale."""
    return _months_before(today, years * 12)


def _texts(r: Resource) -> Iterator[tuple[str, Text]]:
    """Every ko/en pair of a resource with its field path."""
    for name in ("name", "summary", "how_to", "organization", "address", "caveat"):
        value = getattr(r, name)
        if value is not None:
            yield name, value
    if r.hours and r.hours.note:
        yield "hours.note", r.hours.note
    for i, phone in enumerate(r.phones):
        if phone.label:
            yield f"phones[{i}].label", phone.label
    for i, link in enumerate(r.links):
        if link.label:
            yield f"links[{i}].label", link.label


def _text_problem(text: Text) -> str | None:
    ko, en = text.ko.strip(), text.en.strip()
    if not ko:
        return "the Korean text is blank"
    if not en:
        return "the English text is blank"
    hangul_ko, hangul_en = len(_HANGUL.findall(ko)), len(_HANGUL.findall(en))
    if ko == en:
        # Identical short Latin names (StopNCII, ECRM) are the same in both languages.
        if hangul_ko:
            return "the English text is the Korean text"
        if len(ko.split()) >= 3:
            return "the Korean text is the English text"
        return None
    if hangul_en > len(_LATIN.findall(en)):
        return "the English text is mostly Korean"
    if not hangul_ko and len(ko.split()) >= 3:
        return "the Korean text has no Korean in it"
    return None


def _url_problem(url: str) -> str | None:
    """What is visibly wrong with a URL that the schema's pattern let through."""
    if url.startswith("mailto:"):
        local, _, domain = url[7:].partition("@")
        return None if local and "." in domain.strip(".") else "is not a usable email address"
    if url.startswith("tel:"):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"cannot be parsed ({exc})"
    host = parts.hostname or ""
    if port == 0 or not host or "." not in host.strip(".") or host.endswith("."):
        return "has no valid host name"
    if re.search(r"[^a-z0-9.\-]", host):
        try:
            host.encode("idna")
        except UnicodeError:
            return "has characters that cannot be in a host name"
    if url.endswith(_TRAILING_JUNK):
        return f"ends with {url[-1]!r} (picked up when copied?)"
    if url.endswith(("?", "#")):
        return f"ends with an empty {'query' if url.endswith('?') else 'fragment'} (cut short when copied?)"
    return None


def _year(source: Source) -> int | None:
    if source.as_of is None:
        return None
    return source.as_of if isinstance(source.as_of, int) else source.as_of.year


def number_status(r: Resource, phone: Phone) -> NumberStatus:
    """When ``phone`` of ``r`` was last stated by a dated source, and which source that is."""
    if phone.source is not None:
        own = next((s for s in r.sources if isinstance(s, Source) and s.url == phone.source), None)
        year = _year(own) if own else None
        return NumberStatus(resource=r.id, number=phone.number, year=year, source=phone.source, basis="own")
    dated = [(y, s.url) for s in r.sources if isinstance(s, Source) and (y := _year(s)) is not None]
    if not dated:
        return NumberStatus(resource=r.id, number=phone.number, basis="none")
    year, url = max(dated, key=lambda d: d[0])
    return NumberStatus(resource=r.id, number=phone.number, year=year, source=url, basis="entry")


def _number_finding(n: NumberStatus) -> Finding | None:
    if n.year is not None and n.year >= CONFIRMED_SINCE:
        return None
    if n.basis == "own" and n.year is None:
        message = f"its source prints no date ({n.source})"
    elif n.basis == "own":
        message = f"last stated in {n.year} ({n.source})"
    elif n.basis == "entry":
        message = f"names no source of its own; the entry's newest dated source is of {n.year} ({n.source})"
    else:
        message = "names no source of its own, and no source of the entry is dated"
    return Finding(check="number", subject=n.number, message=message, resources=[n.resource])


def _shared_reason(number: str, users: list[Resource]) -> str | None:
    """Why one number on several entries is deliberate, or None when it needs a look."""
    if number in SHARED_LINES:
        return SHARED_LINES[number]
    if _AREA_1366.match(number):
        return "area code + 1366 reaches the region's 1366 centre, which other regional services route to"
    ids = {r.id for r in users}
    # A guide repeats the numbers it sends you to; an entry naming another sharer in see_also
    # points at that service on purpose. If all but one entry do so, the repetition is explained.
    pointers = [r for r in users if r.kind == "guide" or ids & set(r.see_also)]
    if len(pointers) >= len(users) - 1:
        return "the other entries are guides or refer to the number's own entry (see_also)"
    return None


def _content_findings(r: Resource) -> list[Finding]:
    """The ``text`` and ``link`` findings of one resource."""
    found: list[Finding] = []
    for path, text in _texts(r):
        problem = _text_problem(text)
        if problem:
            found.append(Finding(check="text", subject=r.id, message=f"{path}: {problem}"))
    urls = [(f"links[{i}].url", link.url) for i, link in enumerate(r.links) if link.url]
    urls += [(f"sources[{i}]", url) for i, url in enumerate(r.source_urls)]
    seen: set[str] = set()
    for path, url in urls:
        problem = _url_problem(url)
        if problem is None and path.startswith("links") and url in seen:
            problem = "is listed twice"
        seen.add(url)
        if problem:
            found.append(Finding(check="link", subject=r.id, message=f"{path}: {url} {problem}"))
    return found


def audit(
    catalog: Catalog,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    stale_years: int = STALE_YEARS,
) -> Report:
    """Audit every resource of ``catalog`` as of ``today`` (default: today in Seoul).

    Args:
        catalog: the validated directory.
        today: the day to measure staleness from.
        progress: called with the number of resources done since the last call.
        stale_years: how old the newest source may be before the entry is stale.
    """
    today = today or dt.datetime.now(SEOUL).date()
    old_before = stale_before(today, stale_years)
    reread_before = _months_before(today, REREAD_MONTHS)
    findings: list[Finding] = []
    numbers: list[NumberStatus] = []
    phones: dict[str, list[Resource]] = defaultdict(list)
    local: dict[str, int] = defaultdict(int)
    for done, r in enumerate(catalog.resources, 1):
        as_of = r.as_of
        if as_of is None:
            findings.append(Finding(check="undated", subject=r.id, message="no source states a date (as_of)"))
        elif as_of < old_before:
            findings.append(Finding(check="stale", subject=r.id,
                                    message=f"newest source dated {r.as_of_year}, over {stale_years} years ago"))  # fmt: skip
        if r.checked < reread_before:
            findings.append(Finding(check="reread", subject=r.id,
                                    message=f"checked {r.checked.isoformat()}, over {REREAD_MONTHS} months ago"))  # fmt: skip
        if r.confidence != "official":
            findings.append(Finding(check="confidence", subject=r.id,
                                    message=f"confidence is {r.confidence}, below official"))  # fmt: skip
        findings += _content_findings(r)
        for number in dict.fromkeys(p.number for p in r.phones):
            phones[number].append(r)
        for phone in r.phones:
            status = number_status(r, phone)
            numbers.append(status)
            if finding := _number_finding(status):
                findings.append(finding)
        for code in r.regions:
            if code != "KR":
                local[code] += 1
        if progress and (done % 100 == 0 or done == len(catalog.resources)):
            progress(done % 100 or 100)
    for number, users in phones.items():
        if len(users) < 2:
            continue
        reason = _shared_reason(number, users)
        findings.append(
            Finding(
                check="shared-phone",
                subject=number,
                message=f"on {len(users)} entries",
                resources=[r.id for r in users],
                expected=reason is not None,
                reason=reason,
            )
        )
    for region in catalog.regions:
        if region.code != "KR" and local[region.code] < COVERAGE_TARGET:
            findings.append(
                Finding(
                    check="coverage",
                    subject=region.code,
                    message=f"{region.name.en} ({region.name.ko}) has {local[region.code]} "
                    f"region-specific entries (target {COVERAGE_TARGET})",
                )
            )
    counts: dict[str, int] = {c: sum(1 for f in findings if f.check == c and not f.expected) for c in CHECKS}
    return Report(
        date=today, resources=len(catalog.resources), counts=counts, findings=findings, numbers=numbers
    )
