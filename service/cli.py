"""The `haven` command: validate, build, search and serve (click, like sqlite-utils and Litestar).

Every command reads ``--data`` (default ./data) and, where it reads an index, ``--db`` (default
var/haven.db). Bad input gives one clear line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any, TextIO, cast

import click
import msgspec

from search.catalog import Catalog, CatalogError, load_catalog
from search.engine import Engine, EngineError
from search.index import BuildError, build_index
from service.cli_text import audit_lines, resource_lines, results_lines

__all__ = ("main",)

data_option = click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    envvar="HAVEN_DATA",
    show_envvar=True,
    type=click.Path(path_type=Path),
    help="Data directory.",
)
db_option = click.option(
    "--db",
    "db_path",
    default="var/haven.db",
    show_default=True,
    envvar="HAVEN_DB",
    show_envvar=True,
    type=click.Path(path_type=Path),
    help="SQLite index.",
)


def meili_options(f: Any) -> Any:
    """--meili-url and --meili-key: search Meilisearch first, the SQLite index when it cannot answer."""
    for name, envvar, text in (
        ("--meili-key", "HAVEN_MEILI_KEY", "Search-only Meilisearch key."),
        ("--meili-url", "HAVEN_MEILI_URL", "Meilisearch server to ask first."),
    ):
        f = click.option(name, envvar=envvar, show_envvar=True, help=text)(f)
    return f


def fail(message: str) -> None:
    click.echo(f"haven: {message}", err=True)
    sys.exit(1)


def _load(data_dir: Path) -> Catalog:
    if not data_dir.is_dir():
        # One line, not four "file not found" lines that hide the real mistake.
        fail(f"no data directory at {data_dir} (give --data DIR)")
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


def engine_or_exit(db_path: Path, meili_url: str | None = None, meili_key: str | None = None) -> Engine:
    """The engine `haven search` and the others read (search.fallback.open_engine), or one line and exit 1."""
    from search.fallback import open_engine
    from service.settings import Settings

    try:
        settings = Settings(db_path=db_path, meili_url=meili_url, meili_key=meili_key)
        return open_engine(settings, private=False)  # read once: no copy needed
    except (EngineError, ValueError) as exc:
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


def filter_options(f: Any) -> Any:
    """One repeatable option per filter of the registry (search/facets.py): --kind, --topic …"""
    from search.facets import FILTERS

    for name in reversed(FILTERS):
        f = click.option(
            f"--{name}", name, multiple=True, help=f"Only this {name} (repeatable; a,b works too)."
        )(f)
    return f


@main.command()
@click.argument("query", nargs=-1)
@click.option("--region", help="ISO 3166-2 code, e.g. KR-26 (or KR for nationwide).")
@filter_options
@click.option("--open-now", is_flag=True, help="Only what is open now.")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--limit", type=int, default=10, show_default=True, help="Results to show (1 to 100).")
@click.option("--json", "as_json", is_flag=True, help="Print the full results as JSON.")
@data_option
@db_option
@meili_options
def search(query: tuple[str, ...], region: str | None, open_now: bool, lang: str, limit: int, as_json: bool,
           data_dir: Path, db_path: Path, meili_url: str | None, meili_key: str | None,
           **filters: tuple[str, ...]) -> None:  # fmt: skip
    """Search the directory: haven search 부산 상담"""
    # The API's and the pages' way from parameters to a query, strictly (service/query.py).
    from service.query import QueryError, Vocabulary, build_query

    engine = engine_or_exit(db_path, meili_url, meili_key)
    try:
        q = build_query(Vocabulary.from_engine(engine), strict=True, q=" ".join(query), region=region or None,
                        filters=filters, open_now=open_now, lang=lang, limit=limit)  # fmt: skip
    except QueryError as exc:
        engine.close()
        fail(f"--{exc.parameter}: {exc.detail}" if exc.parameter != "q" else f"the query: {exc.detail}")
        return
    results = engine.search(q)
    if as_json:
        sys.stdout.write(msgspec.json.encode(results).decode() + "\n")
        return
    regions = {g.code: g.name.get(lang) for g in engine.regions()}
    engine.close()
    for line in results_lines(results, lang, regions, data_dir):  # type: ignore[arg-type]
        click.echo(line)


def _announce(host: str, port: int, workers: int) -> tuple[socket.socket | None, int]:
    """One line saying where the site is, or, if the port is taken, one line saying so and exit 1.

    Without the check uvicorn would report a port in use as a logged ``[Errno 98]`` and exit 3.
    Port 0 is any free port, held until the process ends by the socket returned (:func:`take_port`).
    """
    from service.workers import WorkersError, take_port

    try:
        held, port = take_port(host, port, serve_here=workers == 1)
    except WorkersError as exc:
        fail(f"{exc} (is another server running there? choose another with --port)")
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Haven is serving http://{shown}:{port} (Ctrl-C stops)", err=True)
    return held, port


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="0: any free port, named in the first line.")  # fmt: skip
@data_option
@db_option
@meili_options
@click.option("--watch", is_flag=True, help="Rebuild and reload the index when a file in --data changes.")
@click.option("--watch-interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between two looks at --data.")  # fmt: skip
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), envvar="HAVEN_WORKERS",
              show_envvar=True, help="Server processes sharing the port (Linux; one per core in production).")  # fmt: skip
def serve(host: str, port: int, data_dir: Path, db_path: Path, meili_url: str | None,
          meili_key: str | None, watch: bool = False, watch_interval: float = 1.0, workers: int = 1) -> None:  # fmt: skip
    """Serve the site and the API (no access log: queries and addresses are never logged).

    SIGHUP reloads the index (with --watch, rebuilt from --data first); a failed build or a bad
    index file keeps the current one serving, and one line on stderr says why. With --workers,
    SIGHUP to the main process reloads every worker.
    """
    from service.settings import Settings, deployment_problem
    from service.workers import WorkersError, run_workers, serve_one

    try:
        settings = Settings(data_dir=data_dir, db_path=db_path, meili_url=meili_url, meili_key=meili_key)
    except ValueError as exc:
        fail(str(exc))
        return
    if (problem := deployment_problem(settings, host)) is not None:
        fail(problem)
    checked = engine_or_exit(db_path, meili_url, meili_key)  # a clear error now, not at the first request
    checked.close()
    if watch and not data_dir.is_dir():
        fail(f"no data directory at {data_dir} to watch (give --data DIR)")
    if watch and workers > 1:
        # Every worker would rebuild the same file at once.
        fail("--watch runs with one worker; with several, run `haven build` and send SIGHUP")
    held, port = _announce(host, port, workers)
    if workers == 1:
        try:
            serve_one(settings, host, port, watch=watch, interval=watch_interval, listener=held)
        except EngineError as exc:  # the index changed for the worse since the check above
            fail(str(exc))
        return
    try:
        run_workers(settings, host, port, workers)
    except WorkersError as exc:
        fail(str(exc))


@main.command("sync-meili")
@data_option
@click.option("--url", envvar="HAVEN_MEILI_URL", show_envvar=True, required=True,
              help="Meilisearch server (http://host:7700).")  # fmt: skip
@click.option("--master-key", envvar="HAVEN_MEILI_MASTER_KEY", show_envvar=True,
              help="Key allowed to create and swap indexes.")  # fmt: skip
def sync_meili(data_dir: Path, url: str, master_key: str | None) -> None:
    """Validate the data and push it to Meilisearch (a fresh index, swapped in only when complete)."""
    try:
        from search.meili_sync import LIVE_INDEX, SyncError, sync
    except EngineError as exc:  # the client, an optional extra, is not installed
        fail(str(exc))
        raise

    catalog = _load(data_dir)
    with _progress(len(catalog.resources), "Syncing Meilisearch") as bar:
        try:
            report = sync(catalog, url, master_key, progress=bar.update)
        except SyncError as exc:
            fail(str(exc))
            return
    click.echo(
        f"synced {report.documents} resources to the {LIVE_INDEX!r} index in {report.seconds:.1f} s, "
        f"data {catalog.data_hash}"
    )


# -- counsellors: show and referral -----------------------------------------------------------


@main.command()
@click.argument("resource_id")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@db_option
def show(resource_id: str, lang: str, db_path: Path) -> None:
    """One resource in full, main number and open-now first: haven show d4u-central"""
    engine = engine_or_exit(db_path)
    r = engine.get(resource_id)
    if r is None:
        fail(f"no resource has the id {resource_id!r} (ids are in `haven search --json`)")
        return
    taxonomy = engine.taxonomy()
    kinds = {t.key: t.label.get(lang) for t in taxonomy.get("kind", [])}
    audiences = {t.key: t.label.get(lang) for t in taxonomy.get("audience", [])}
    regions = {g.code: g.name.get(lang) for g in engine.regions()}
    engine.close()
    for line in resource_lines(r, lang, kinds, regions, audiences):  # type: ignore[arg-type]
        click.echo(line)


@main.command()
@click.argument("resource_ids", nargs=-1, required=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "sms"]), default="text", show_default=True,
              help="text: for KakaoTalk or chat; sms: only characters Korean carriers deliver.")  # fmt: skip
@click.option("--public-url", envvar="HAVEN_PUBLIC_URL", default=None, metavar="URL",
              help="The site's address (default: $HAVEN_PUBLIC_URL): an entry without a link of its own "
                   "gets its page there.")  # fmt: skip
@db_option
def referral(
    resource_ids: tuple[str, ...], lang: str, fmt: str, public_url: str | None, db_path: Path
) -> None:
    """A short referral that fits one text message (LMS, 2,000 bytes) or KakaoTalk message.

    Name, main number and hours, what to prepare and the main link of each resource, in the
    order given: haven referral women-1366 d4u-central --format sms. An entry without a number
    gets 1366's, labelled as such; one without a link gets its page on the site (--public-url)
    or 1366's link.
    """
    from service.referral import FALLBACK_ID, ReferralTooLong, message_kind, sms_bytes
    from service.referral import referral as make_referral

    base = (public_url or "").strip().rstrip("/")
    if base and not base.startswith(("https://", "http://")):
        fail(f"--public-url must start with https:// or http://, not {public_url!r}")
    engine = engine_or_exit(db_path)
    ids = list(dict.fromkeys(resource_ids))
    found = {i: engine.get(i) for i in ids}
    missing = [i for i, r in found.items() if r is None]
    if missing:
        fail(f"no resource has the id {', '.join(map(repr, missing))} (ids are in `haven search --json`)")
    suffix = "?lang=en" if lang == "en" else ""

    def page_url(r: Any) -> str:
        return f"{base}/resources/{r.id}{suffix}"

    try:
        text = make_referral(
            [r for r in found.values() if r], lang, fmt,  # type: ignore[arg-type]
            fallback=engine.get(FALLBACK_ID), page_url=page_url if base else None,
        )  # fmt: skip
    except ReferralTooLong as exc:
        fail(str(exc))
        return
    click.echo(text)
    if sys.stderr.isatty():
        click.echo(f"({message_kind(text)}, {sms_bytes(text)} bytes)", err=True)


# -- data maintainers: audit, schema, export ---------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all; one clear line when it cannot be."""
    from search.atomic import write_texts

    try:
        write_texts({path: text})
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


@main.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--strict", is_flag=True, help="Exit with status 3 if anything not expected is found.")
@click.option("--stale-years", type=click.IntRange(1, 50), default=3, show_default=True,
              help="An entry whose newest source is older than this is stale.")  # fmt: skip
@click.option("--links", "links", is_flag=True,
              help="Ask every link and source URL over the network and report broken or moved ones.")  # fmt: skip
@click.option("--numbers", "show_numbers", is_flag=True,
              help="Every phone number with the year a dated source last stated it, oldest first.")  # fmt: skip
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Per family of local services and per 시·도: how many the directory has against the real "
                   "count, and the 시·군·구 whose nearest one is in another 시·군·구.")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="With --links: how many URLs to ask at once.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              help="With --links: seconds to wait for each answer.")  # fmt: skip
def audit(data_dir: Path, as_json: bool, strict: bool, stale_years: int, links: bool, show_numbers: bool,
          show_coverage: bool, concurrency: int, timeout: float) -> None:  # fmt: skip
    """What to check next: stale, unofficial, half-translated, broken or shared entries."""
    from search.audit import audit as audit_catalog
    from service import cli_audit

    if links + show_coverage + show_numbers > 1:
        fail("give only one of --links, --coverage and --numbers")
    catalog = _load(data_dir)
    if links:
        cli_audit.links(catalog, data_dir, as_json, strict, concurrency, timeout, _progress)
        return
    if show_coverage:
        cli_audit.coverage(catalog, data_dir, as_json, fail)
        return
    with _progress(len(catalog.resources), "Auditing") as bar:
        report = audit_catalog(catalog, progress=bar.update, stale_years=stale_years)
    if show_numbers:
        cli_audit.numbers(report, as_json)
    elif as_json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    else:
        for line in audit_lines(report):
            click.echo(line)
    if strict and report.problems:
        sys.exit(3)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write it to this file (schema/resources.schema.json) instead of printing it.")  # fmt: skip
def schema(out: Path | None) -> None:
    """The JSON Schema of data/resources.yaml, for editors and validators."""
    import json

    from search.json_schema import resources_schema

    text = json.dumps(resources_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    _write_text(out, text)
    click.echo(f"wrote {out}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["hsds"]), default="hsds", show_default=True,
              help="hsds: Open Referral HSDS 3.1 (compiled services.json and a CSV data package).")  # fmt: skip
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder to write into.")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True,
              help="Language of the HSDS fields (both are in `translations`).")  # fmt: skip
@data_option
def export(fmt: str, out: Path, lang: str, data_dir: Path) -> None:
    """Export the directory for other systems: haven export --format hsds --out var/hsds"""
    from search.hsds import ExportError, Feed
    from search.hsds_package import write_hsds
    from service.i18n import language_name

    catalog = _load(data_dir)
    feed = Feed.from_catalog(catalog, lang, language_name=language_name)  # type: ignore[arg-type]
    with _progress(len(catalog.resources), "Exporting HSDS") as bar:
        try:
            paths = write_hsds(feed, out, progress=bar.update)
        except ExportError as exc:
            fail(f"{exc}; nothing was replaced")
            return
    click.echo(f"wrote {len(paths)} files to {out}: {len(catalog.resources)} services, HSDS 3.1 ({lang})")


if __name__ == "__main__":  # python -m service.cli
    main()
