"""`haven audit --links`, `--coverage` and `--numbers`: what they print (see :mod:`service.cli`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec

from search.audit import Report
from search.catalog import Catalog

__all__ = ("coverage", "links", "numbers")


def numbers(report: Report, as_json: bool) -> None:
    """Each phone number with the year a dated source last stated it, oldest first."""
    from service.cli_text import number_lines

    if as_json:
        sys.stdout.write(msgspec.json.encode(report.numbers).decode() + "\n")
        return
    for line in number_lines(report):
        click.echo(line)


def coverage(catalog: Catalog, data_dir: Path, as_json: bool, fail: Callable[[str], None]) -> None:
    """The family x 시·도 table and the 시·군·구 far from a service, or the same as JSON."""
    from search.coverage import CoverageError
    from search.coverage import coverage as measure
    from service.cli_text import coverage_lines

    try:
        report = measure(catalog, data_dir)
    except CoverageError as exc:
        fail(str(exc))
        return
    if as_json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
        return
    for line in coverage_lines(report, catalog.regions):
        click.echo(line)


def links(catalog: Catalog, data_dir: Path, as_json: bool, strict: bool, concurrency: int, timeout: float,
          progress: Callable[[int, str], Any]) -> None:  # fmt: skip
    """One line per broken link (file:line: entry: field url: what), or JSON; exit 3 with ``strict``."""
    from search.linkcheck import check_links, data_url_uses

    uses = data_url_uses(catalog, data_dir)  # resources.yaml and data/local/*.yaml
    distinct = len({u.url for u in uses})
    with progress(distinct, "Checking links") as bar:
        found = check_links(uses, data_dir / "resources.yaml", concurrency=concurrency, timeout=timeout,
                            progress=bar.update)  # fmt: skip
    if as_json:
        sys.stdout.write(msgspec.json.encode({"urls": distinct, "problems": found}).decode() + "\n")
    else:
        for problem in found:
            click.echo(str(problem))
        click.echo(f"{distinct} URLs checked: {len(found)} problem(s)")
    if strict and found:
        sys.exit(3)
