"""The `haven` command: validate, build, search and serve (click, like sqlite-utils and Litestar).

Every command reads ``--data`` (default ./data) and, where it reads an index, ``--db`` (default
var/haven.db). Bad input gives one clear line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import Any, TextIO, cast

import click
import msgspec

from search.catalog import Catalog, CatalogError, load_catalog
from search.engine import EngineError
from search.index import BuildError, build_index
from search.model import Query, Results
from search.sqlite_engine import SqliteEngine

__all__ = ("main",)

data_option = click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Data directory.",
)
db_option = click.option(
    "--db",
    "db_path",
    default="var/haven.db",
    show_default=True,
    type=click.Path(path_type=Path),
    help="SQLite index.",
)


def fail(message: str) -> None:
    click.echo(f"haven: {message}", err=True)
    sys.exit(1)


def _load(data_dir: Path) -> Catalog:
    try:
        return load_catalog(data_dir)
    except CatalogError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(f"{len(exc.problems)} problem(s) found in {data_dir}; nothing was changed")
        raise  # unreachable: fail() exits


def _progress(total: int, label: str) -> Any:
    """A progress bar on a terminal; silent when stderr is not one."""
    return click.progressbar(
        length=total, label=label, file=cast(TextIO, sys.stderr if sys.stderr.isatty() else _Null())
    )


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def open_engine(db_path: Path) -> SqliteEngine:
    try:
        return SqliteEngine(db_path)
    except EngineError as exc:
        fail(str(exc))
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="haven")
def main() -> None:
    """Haven: find help for deepfake and digital sex crime victims, in Korean and English."""


@main.command()
@data_option
def validate(data_dir: Path) -> None:
    """Check the data files; print every problem as file:line: where: what."""
    catalog = _load(data_dir)
    click.echo(
        f"ok: {len(catalog.resources)} resources, {len(catalog.regions)} regions, data {catalog.data_hash}"
    )


@main.command()
@data_option
@click.option("--out", "out", default="var/haven.db", show_default=True, type=click.Path(path_type=Path),
              help="Where to write the index.")  # fmt: skip
def build(data_dir: Path, out: Path) -> None:
    """Validate the data and build the SQLite index (atomically replacing the old one)."""
    catalog = _load(data_dir)
    with _progress(len(catalog.resources), "Building index") as bar:
        try:
            build_index(catalog, out, progress=bar.update)
        except BuildError as exc:
            fail(f"{exc}; the previous index is unchanged")
    click.echo(f"built {out}: {len(catalog.resources)} resources, data {catalog.data_hash}")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """Cut or pad ``text`` to ``width`` terminal columns (Hangul takes two)."""
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - (1 if _width(text) > width else 0):
            return out + "…" + " " * (width - used - 1)
        out += ch
        used += w
    return out + " " * (width - used)


def print_table(results: Results, lang: str, region_names: dict[str, str]) -> None:
    """Open-now, main number, name, region: one line per result, within 80 columns."""
    if results.relaxed:
        click.echo(("검색 결과: " if lang == "ko" else "Showing results for: ") + results.relaxed)
    if not results.results:
        click.echo("결과가 없습니다. 24시간 상담: 1366" if lang == "ko" else "No results. 24/7 help: 1366")
        return
    for hit in results.results:
        r = hit.resource
        mark = "●" if hit.open_now.open else ("○" if hit.open_now.known else " ")
        phone = r.phones[0].number if r.phones else (r.links[0].url.split("//")[-1] if r.links else "")
        region = ", ".join(region_names.get(c, c) for c in r.regions)
        click.echo(f"{mark} {_fit(phone, 16)} {_fit(r.name.get(lang), 46)} {_fit(region, 14)}".rstrip())
    click.echo(f"({results.total})" + ("  ● 지금 운영 중" if lang == "ko" else "  ● open now"))


@main.command()
@click.argument("query", nargs=-1)
@click.option("--region", help="ISO 3166-2 code, e.g. KR-26 (or KR for nationwide).")
@click.option("--kind", multiple=True, help="Only this kind (repeatable).")
@click.option("--topic", multiple=True, help="Only this topic (repeatable).")
@click.option("--open-now", is_flag=True, help="Only what is open now.")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the full results as JSON.")
@data_option
@db_option
def search(query: tuple[str, ...], region: str | None, kind: tuple[str, ...], topic: tuple[str, ...],
           open_now: bool, lang: str, limit: int, as_json: bool, data_dir: Path, db_path: Path) -> None:  # fmt: skip
    """Search the directory: haven search 부산 상담"""
    try:
        q = Query(q=" ".join(query), region=region, kind=list(kind), topic=list(topic), open_now=open_now,
                  lang=lang, limit=limit)  # type: ignore[arg-type]  # fmt: skip
        q = msgspec.convert(msgspec.to_builtins(q), Query)  # apply the Struct's constraints
    except msgspec.ValidationError as exc:
        fail(f"invalid option: {exc}")
        return
    engine = open_engine(db_path)
    results = engine.search(q)
    if as_json:
        sys.stdout.write(msgspec.json.encode(results).decode() + "\n")
        return
    print_table(results, lang, {g.code: g.name.get(lang) for g in engine.regions()})


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@data_option
@db_option
def serve(host: str, port: int, data_dir: Path, db_path: Path) -> None:
    """Serve the site and the API (no access log: queries and addresses are never logged)."""
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    try:
        settings = Settings(data_dir=data_dir, db_path=db_path)
    except ValueError as exc:
        fail(str(exc))
        return
    open_engine(db_path).close()  # a clear error now rather than at the first request
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, server_header=False,
                log_level="warning")  # fmt: skip
