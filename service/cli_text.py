"""What the `haven` command prints: search results in a table, one resource in full.

Lines are measured in terminal columns, not characters: Hangul and other East Asian wide
characters take two (``wcwidth`` knows which, including emoji and combining marks). Everything
here returns lines; the commands in :mod:`service.cli` print them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from wcwidth import wcswidth, wcwidth

from search.hours import open_state
from search.model import Resource, Results
from service.i18n import Lang, labels, language_name, strings
from service.wording import cost_line, english_place, hours_text, open_line

if TYPE_CHECKING:
    from search.audit import Report

__all__ = ("WIDTH", "audit_lines", "contact", "fit", "resource_lines", "results_lines", "width", "wrap")

#: The terminal width everything is laid out for.
WIDTH = 80
_LABEL_WIDTH = 12
_PHONE_WIDTH = 18


def _columns(ch: str) -> int:
    # A control character has no width of its own (wcwidth says -1); count it as one column.
    return max(wcwidth(ch), 0) if ch.isprintable() else 1


def width(text: str) -> int:
    """Terminal columns ``text`` takes."""
    columns = wcswidth(text)
    return columns if columns >= 0 else sum(_columns(ch) for ch in text)


def fit(text: str, columns: int) -> str:
    """Cut (with ``…``) or pad ``text`` to exactly ``columns`` terminal columns."""
    if width(text) <= columns:
        return text + " " * (columns - width(text))
    out, used = "", 0
    for ch in text:
        w = _columns(ch)
        if used + w > columns - 1:
            break
        out += ch
        used += w
    return out + "…" + " " * (columns - used - 1)


def wrap(text: str, columns: int) -> list[str]:
    """Word-wrap to ``columns`` terminal columns; over-long words are split, URLs never."""
    out: list[str] = []
    for para in text.splitlines():
        line = ""
        for word in para.split():
            joined = f"{line} {word}" if line else word
            if width(joined) <= columns:
                line = joined
                continue
            if line:
                out.append(line)
            # A URL stays whole, even past the margin: a line break inside it breaks copying.
            while width(word) > columns and "://" not in word:
                used = cut = 0
                for ch in word:
                    if used + _columns(ch) > columns:
                        break
                    used, cut = used + _columns(ch), cut + 1
                out.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            out.append(line)
    return out


def contact(r: Resource, lang: Lang) -> str:
    """The way to reach ``r`` in a few columns: its main number (``☎ 1366``, ``문자 #0117``), else
    an address that reads (``abuse@telegram.org``, ``d4u.stop.or.kr/report``)."""
    if r.phones:
        p = r.phones[0]
        return (strings(lang)["cli_sms"] if p.type == "sms" else "☎ ") + p.number
    links = sorted(r.links, key=lambda x: x.type in ("email", "guide"))  # a page before an address
    if not links:
        return ""
    url = links[0].url
    if url.startswith(("mailto:", "tel:")):
        return url.split(":", 1)[1]
    return url.split("//", 1)[-1].removeprefix("www.").rstrip("/")


def results_lines(
    results: Results, lang: Lang, region_names: dict[str, str], data_dir: Path | None = None
) -> list[str]:
    """Two lines per result within 80 columns: open-now, name and region; then the id (for
    ``haven show`` and ``haven referral``) and the way to reach it."""
    t = strings(lang)
    lines: list[str] = []
    if results.relaxed == "any":
        lines.append(t["relaxed_any"])
    elif results.relaxed and results.relaxed != "general":
        lines.append(t["cli_relaxed"] + results.relaxed)
    understood = results.understood or {}
    place, region = understood.get("place"), region_names.get(results.region or "", "")
    if place and region:
        shown = english_place(str(place), data_dir) if lang == "en" and data_dir else str(place)
        lines.append(t["cli_around"].format(place=shown, region=region))
    if not results.results:
        return [*lines, t["cli_no_results"]]
    for hit in results.results:
        r = hit.resource
        mark = "●" if hit.open_now.open else ("○" if hit.open_now.known else " ")
        where = ", ".join(region_names.get(c, c) for c in r.regions)
        lines.append(f"{mark} {fit(r.name.get(lang), WIDTH - 18)} {fit(where, 15)}".rstrip())
        lines.append(f"  {fit(r.id, 34)} {fit(contact(r, lang), WIDTH - 37)}".rstrip())
    lines.append(f"({results.total})  " + t["cli_open_legend"])
    return lines


def resource_lines(r: Resource, lang: Lang, kinds: dict[str, str], regions: dict[str, str]) -> list[str]:
    """One resource in full, name and main number and open-now first (``haven show``)."""
    t, words = strings(lang), labels(lang)
    other: Lang = "en" if lang == "ko" else "ko"
    out = [click.style(line, bold=True) for line in wrap(r.name.get(lang), WIDTH)]
    where = ", ".join(regions.get(c, c) for c in r.regions)
    out += wrap(r.name.get(other), WIDTH) + wrap(f"{kinds.get(r.kind, r.kind)} · {where}", WIDTH)
    out.append("─" * WIDTH)
    for i, p in enumerate(r.phones):
        number = ("☎ " if i == 0 else "  ") + (t["cli_sms"] if p.type == "sms" else "") + p.number
        label = wrap(p.label.get(lang), WIDTH - _PHONE_WIDTH) if p.label else []
        out.append(f"{fit(number, _PHONE_WIDTH)}{label[0]}" if label else number)
        out += [" " * _PHONE_WIDTH + line for line in label[1:]]
    out.append(open_line(open_state(r.hours), lang))
    if r.confidence != "official":
        flag = f"{words['confidence_short'][r.confidence]}: {words['confidence'][r.confidence]}"
        out += [("! " if i == 0 else "  ") + line for i, line in enumerate(wrap(flag, WIDTH - 2))]
    out.append("")
    row = _rows(out, words["show"])
    row("what", r.summary.get(lang))
    hours = hours_text(r.hours, lang)
    note = r.hours.note.get(lang) if r.hours and r.hours.note else None
    if hours or note:
        row("hours", "\n".join(x for x in (hours, note) if x))
    cost = cost_line(r.cost, lang)
    if cost:
        row("cost", cost)
    row("anonymous", words["anonymous"][r.anonymous])
    row("languages", ", ".join(language_name(c, lang) for c in r.languages))
    row("audiences", ", ".join(words["audience"].get(a, a) for a in r.audiences))
    row("org", r.organization.get(lang) if r.organization else None)
    row("address", r.address.get(lang) if r.address else None)
    row("how", r.how_to.get(lang) if r.how_to else None)
    row("links", "\n".join(x.url + (f" ({x.label.get(lang)})" if x.label else "") for x in r.links))
    row("caveat", r.caveat.get(lang) if r.caveat else None)
    row("see_also", ", ".join(r.see_also))
    row("sources", "\n".join(r.source_urls))
    trust = f"{words['confidence_short'][r.confidence]} ({r.confidence})"
    row("checked", f"{r.checked.isoformat()} · {trust} · {r.id}")
    return out


def _rows(out: list[str], names: dict[str, str]) -> Callable[[str, str | None], None]:
    """A function adding a labelled, wrapped row to ``out`` (nothing when the value is empty)."""

    def row(key: str, value: str | None) -> None:
        if not value:
            return
        label = fit(names[key], _LABEL_WIDTH - 1) + " "
        for i, line in enumerate(wrap(value, WIDTH - _LABEL_WIDTH)):
            out.append((label if i == 0 else " " * _LABEL_WIDTH) + line)

    return row


def audit_lines(report: Report) -> list[str]:
    """``haven audit``: per check, what to look at (and what is expected), then a summary line."""
    out: list[str] = []
    for check, count in report.counts.items():
        found = [f for f in report.findings if f.check == check]
        if found:
            expected = f", {len(found) - count} expected" if count < len(found) else ""
            out.append(f"{check}: {count} to look at{expected}")
        for f in found:
            note = f" (expected: {f.reason})" if f.expected else ""
            also = f" [{', '.join(f.resources)}]" if f.resources and not f.expected else ""
            out.append(f"  {f.subject}: {f.message}{also}{note}")
    expected_total = len(report.findings) - len(report.problems)
    out.append(
        f"{report.resources} resources audited on {report.date.isoformat()}: "
        f"{len(report.problems)} to look at, {expected_total} expected"
    )
    return out
