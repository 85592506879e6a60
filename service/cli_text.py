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
    from search.coverage import CoverageReport
    from search.model import Region

__all__ = (
    "WIDTH",
    "audit_lines",
    "contact",
    "coverage_lines",
    "coverage_table",
    "fit",
    "number_lines",
    "number_summary",
    "resource_lines",
    "results_lines",
    "width",
    "wrap",
)

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
    links = sorted((x for x in r.links if x.url), key=lambda x: x.type in ("email", "guide"))  # a page first
    if not links:
        return ""
    url = links[0].href
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


def resource_lines(
    r: Resource,
    lang: Lang,
    kinds: dict[str, str],
    regions: dict[str, str],
    audiences: dict[str, str] | None = None,
) -> list[str]:
    """One resource in full, name and main number and open-now first (``haven show``). ``kinds`` and
    ``audiences`` are data/taxonomy.yaml's labels in ``lang`` (the site's and the HSDS feed's)."""
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
    direct = ", ".join(language_name(c, lang) for c in r.languages if c not in r.interpreted)
    via = strings(lang)["via_interpreter"].format(
        langs=", ".join(language_name(c, lang) for c in r.interpreted)
    )
    row("languages", f"{direct} · {via}" if r.interpreted else direct)
    row("audiences", ", ".join((audiences or {}).get(a, a) for a in r.audiences))
    row("org", r.organization.get(lang) if r.organization else None)
    row("address", r.address.get(lang) if r.address else None)
    row("how", r.how_to.get(lang) if r.how_to else None)
    row(
        "links",
        "\n".join(
            (x.url or f"KakaoTalk: {x.handle}") + (f" ({x.label.get(lang)})" if x.label else "")
            for x in r.links
        ),
    )
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
    if report.numbers:
        out.append(number_summary(report))
    expected_total = len(report.findings) - len(report.problems)
    out.append(
        f"{report.resources} resources audited on {report.date.isoformat()}: "
        f"{len(report.problems)} to look at, {expected_total} expected"
    )
    return out


def number_summary(report: Report) -> str:
    """How recently a dated source stated the directory's phone numbers, in one line."""
    from search.audit import CONFIRMED_SINCE

    years = [n.year for n in report.numbers]
    recent = sum(1 for y in years if y is not None and y > CONFIRMED_SINCE)
    then = sum(1 for y in years if y == CONFIRMED_SINCE)
    older = sum(1 for y in years if y is not None and y < CONFIRMED_SINCE)
    undated = sum(1 for y in years if y is None)
    return (
        f"numbers: {len(years)} on the entries; last stated by a dated source in {CONFIRMED_SINCE + 1} or later: "
        f"{recent}, in {CONFIRMED_SINCE}: {then}, before {CONFIRMED_SINCE}: {older}, by no dated source: {undated}"
    )


def number_lines(report: Report) -> list[str]:
    """``haven audit --numbers``: each number, the year a dated source last stated it, oldest first."""
    how = {"own": "its own source", "entry": "the entry's newest dated source", "none": "no dated source"}
    out = []
    for n in sorted(report.numbers, key=lambda n: (n.year or 0, n.resource, n.number)):
        year = str(n.year) if n.year else "----"
        out.append(
            f"{year}  {fit(n.number, 16)} {n.resource}: {how[n.basis]}{f' {n.source}' if n.source else ''}"
        )
    out.append(number_summary(report))
    return out


def _cell(have: int, real: int | None) -> str:
    return f"{have}/{real}" if real is not None else str(have)


def coverage_table(report: CoverageReport, regions: list[Region]) -> list[str]:
    """The family x 시·도 table: entries in the directory / the real count where a source gives one."""
    names = {g.code: g.name.ko for g in regions}
    cols = [max(len(f.short), 7) for f in report.families]
    head = fit("region", 22) + " ".join(f.short.rjust(c) for f, c in zip(report.families, cols, strict=True))
    out = [head.rstrip()]
    for code in report.regions:
        cells = [_cell(f.by_region[code], f.real_by_region.get(code)) for f in report.families]
        out.append(
            fit(f"{code} {names.get(code, '')}", 22)
            + " ".join(c.rjust(w) for c, w in zip(cells, cols, strict=True))
        )
    totals = [_cell(f.have, f.real) for f in report.families]
    out.append(fit("KR 전국", 22) + " ".join(c.rjust(w) for c, w in zip(totals, cols, strict=True)))
    return out


def coverage_lines(report: CoverageReport, regions: list[Region]) -> list[str]:
    """``haven audit --coverage``: the table, each family's real count and source, then the 시·군·구
    whose nearest service of a family is in another 시·군·구."""
    out = [
        "Services in the directory / real count (the real count per 시·도 only where a list gives it):",
        "",
    ]
    out += coverage_table(report, regions)
    out += ["", "Real counts and their sources:"]
    for f in report.families:
        dated = f" ({f.real_as_of})" if f.real_as_of else " (undated)"
        out.append(
            f"  {f.short}: {f.name.ko} / {f.name.en}: {f.real}, {f.real_note or ''}; {f.real_source}{dated}"
        )
        if f.real_by_region_source:
            out.append(f"    per 시·도: {f.real_by_region_source}")
    out += ["", "시·군·구 whose nearest in-person service is in another 시·군·구 (km between centres):"]
    names = {g.code: g.name.ko for g in regions}
    for f in report.families:
        out.append(
            f"  {f.short}: {f.districts_with_own} of {f.districts} 시·군·구 have one of their own; "
            f"{len(f.far)} do not ({f.located} of {f.have} entries have a district)"
        )
        if not f.located:
            out.append("    no entry of this family has a district yet")
            continue
        by_region: dict[str, list[str]] = {}
        for far in sorted(f.far, key=lambda x: -(x.km or 0)):
            by_region.setdefault(far.region, []).append(f"{far.district} {far.km:g} ({far.nearest_district})")
        for code in report.regions:
            if code in by_region:
                text = f"{code} {names.get(code, '')}: " + ", ".join(by_region[code])
                out += ["    " + line for line in wrap(text, WIDTH - 4)]
    return out
