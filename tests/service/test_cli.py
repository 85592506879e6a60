"""The `haven` command as a user runs it: exit codes, one-line errors, output that fits 80 columns.

Every command runs as a counsellor or a maintainer runs it and is judged by what they see: exit
status, stdout and stderr. Most run in this process through click's test runner (:func:`haven`,
the same command code without a new interpreter each time); `serve`, what a command imports and
the progress shown on a terminal run as subprocesses (tests/conftest.py run_haven).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pty
import shutil
import socket
import subprocess
import unicodedata
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from search.catalog import Catalog
from search.hours import SEOUL
from search.hsds import TABLES
from search.model import MAX_Q
from service.cli import main
from service.referral import (
    LMS_BYTES,
    SMS_BYTES,
    ReferralTooLong,
    message_kind,
    prepare_text,
    referral,
    sms_bytes,
)
from service.wording import hours_text
from tests.conftest import DATA, HAVEN, ROOT, run_haven, serve

SCHEMA = ROOT / "schema" / "resources.schema.json"


def width(line: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def haven(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`haven` run in this process by click's test runner, answered as :func:`run_haven` answers
    (exit status, stdout, stderr): the same command code without a new interpreter each time
    (about half a second of CPU a call). An exception that escapes the command is raised here, as
    a user would have seen its traceback. `serve`, the imports and the terminal run as processes.
    """
    with contextlib.chdir(cwd or ROOT):
        result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["haven", *args], result.exit_code, result.stdout, result.stderr)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("haven: "), proc.stderr
    for word in words:
        assert word in lines[0]


# -- validate, build, search (the foundation) ------------------------------------------------------


def test_validate_ok() -> None:
    proc = haven("validate")
    assert proc.returncode == 0 and proc.stdout.startswith("ok: ")


def test_a_missing_data_dir_is_one_line(tmp_path: Path) -> None:
    for command in ("validate", "build", "audit", "export"):
        extra = ["--out", str(tmp_path / "x")] if command in ("build", "export") else []
        assert_one_line_error(
            haven(command, "--data", str(tmp_path / "nowhere"), *extra), "no data directory"
        )


def test_invalid_yaml_names_file_and_line(data_copy: Path) -> None:
    (data_copy / "resources.yaml").write_text("resources:\n  - id: [unclosed\n", encoding="utf-8")
    proc = haven("validate", "--data", str(data_copy))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    first, last = proc.stderr.strip().splitlines()
    # Located where the unclosed list began; the line where it was noticed is in the message.
    assert first.startswith(f"{data_copy / 'resources.yaml'}:2: YAML syntax error")
    assert "detected on line 3" in first
    assert last.startswith("haven: 1 problem(s)")


def test_a_failed_build_leaves_the_old_index_intact(tmp_path: Path, national_data: Path) -> None:
    out = tmp_path / "var" / "haven.db"
    assert haven("build", "--data", str(national_data), "--out", str(out)).returncode == 0
    before, mtime = out.read_bytes(), out.stat().st_mtime_ns
    text = (national_data / "resources.yaml").read_text(encoding="utf-8")
    (national_data / "resources.yaml").write_text(
        text.replace('number: "1366"', 'number: "13-66"', 1), encoding="utf-8"
    )
    proc = haven("build", "--data", str(national_data), "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "is not a valid Korean phone number" in proc.stderr
    assert out.read_bytes() == before and out.stat().st_mtime_ns == mtime
    assert [p.name for p in out.parent.iterdir()] == ["haven.db"]  # no temporary file left behind


def test_build_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert_one_line_error(haven("build", "--out", str(blocker / "haven.db")), "cannot write")


def test_search_json_finds_1366(db_path: Path) -> None:
    proc = haven("search", "--json", "1366", "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert {"query", "total", "results"} <= set(results)
    assert results["query"] == "1366" and results["total"] >= 1
    ids = [hit["resource"]["id"] for hit in results["results"]]
    assert "women-1366" in ids[:3]


@pytest.mark.parametrize(
    "args",
    [
        ("부산", "상담"),
        ("딥페이크", "삭제"),
        ("deepfake", "--lang", "en"),
        ("--region", "KR-41", "--limit", "50"),
        ("--lang", "en", "--limit", "100"),
        ("zzzzqqq",),
    ],
)
def test_the_search_table_fits_80_columns(db_path: Path, args: tuple[str, ...]) -> None:
    proc = haven("search", *args, "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines
    assert [line for line in lines if width(line) > 80] == []


def test_the_search_table_shows_open_now_each_id_and_a_contact_that_reads(
    db_path: Path, catalog: Catalog
) -> None:
    proc = haven("search", "1366", "--db", str(db_path))
    rows = proc.stdout.splitlines()[:-1]
    # Two lines a result: open-now and the name; then the id (for show and referral) and the number.
    assert any(row.startswith("● 여성긴급전화 1366") for row in rows)
    ids = [row.split()[0] for row in rows[1::2]]
    assert ids and all(i in catalog.by_id for i in ids)
    assert rows[rows.index(next(r for r in rows if r.startswith("● 여성긴급전화 1366"))) + 1].split()[1:] == [
        "☎",
        "1366",
    ]
    assert all(width(row) <= 80 for row in rows)
    telegram = haven("search", "telegram", "--lang", "en", "--db", str(db_path)).stdout
    assert "mailto:" not in telegram and "https://" not in telegram  # a contact that reads
    loose = haven("search", "친구가", "내", "얼굴로", "딥페이크", "만들어서", "--db", str(db_path)).stdout
    assert "any" not in loose.split()


def test_search_takes_every_filter_of_the_registry(db_path: Path) -> None:
    # The API's way from parameters to a query (service/query.py): one option per filter.
    args = (
        "--audience",
        "minors",
        "--cost",
        "free",
        "--channel",
        "phone",
        "--language",
        "ko",
        "--limit",
        "100",
    )
    proc = haven("search", "--json", *args, "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    hits = [h["resource"] for h in json.loads(proc.stdout)["results"]]
    assert hits, "free phone lines for young people exist: an empty list is a broken filter"
    for r in hits:
        assert {"minors", "everyone"} & set(r["audiences"]), r["id"]  # a service for everyone serves her
        assert r["cost"] == "free" and "ko" in r["languages"], r["id"]
        assert r["phones"], r["id"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("상담", "--kind", "spaceship"), ("--kind", "'spaceship'")),
        (("상담", "--region", "KR-99"), ("--region", "'KR-99'")),
        (("상담", "--limit", "0"), ("--limit", "from 1 to 100")),
        (("가" * (MAX_Q + 1),), ("the query", f"{MAX_Q} characters")),
    ],
)
def test_search_refuses_what_the_api_refuses_in_one_line(
    db_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    assert_one_line_error(haven("search", *args, "--db", str(db_path)), *words)


def test_search_without_an_index_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(haven("search", "1366", "--db", str(tmp_path / "none.db")), "haven build")


# -- show and referral ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_show_puts_the_main_number_first(db_path: Path, catalog: Catalog, lang: str) -> None:
    proc = haven("show", "d4u-central", "--lang", lang, "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    r = catalog.by_id["d4u-central"]
    assert lines[0] == r.name.get(lang)
    main = next(i for i, line in enumerate(lines) if line.startswith("☎ "))
    assert lines[main].startswith("☎ 02-735-8994") and main < 6
    for text in (r.caveat, r.summary):
        assert text and text.get(lang).split()[0] in proc.stdout
    assert r.source_urls[0] in proc.stdout and "2026" in lines[-1] and "official" in lines[-1]
    assert [line for line in lines if width(line) > 80 and "://" not in line] == []


def test_show_flags_entries_below_official(db_path: Path, catalog: Catalog) -> None:
    dated = next(r for r in catalog.resources if r.confidence == "dated")
    proc = haven("show", dated.id, "--lang", "en", "--db", str(db_path))
    assert "! May be out of date" in proc.stdout


def test_show_an_unknown_id_is_one_line(db_path: Path) -> None:
    assert_one_line_error(haven("show", "no-such-entry", "--db", str(db_path)), "'no-such-entry'")


def test_referral_text_and_sms(db_path: Path) -> None:
    text = haven("referral", "women-1366", "d4u-central", "--db", str(db_path))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(
        "여성긴급전화 1366\n☎ 1366 (24시간 365일)\nhttps://women1366.kr\n\n중앙디지털성범죄피해자지원센터\n"
    )
    assert "신분을 증명하는 서류" in text.stdout and "https://d4u.stop.or.kr" in text.stdout
    sms = haven("referral", "women-1366", "--format", "sms", "--lang", "en", "--db", str(db_path))
    assert sms.stdout == "Women's Emergency Hotline 1366\n1366 (24 hours, every day)\nhttps://women1366.kr\n"
    assert sms.stderr == ""  # the byte count goes to a terminal only


def test_referral_unknown_ids_are_one_line(db_path: Path) -> None:
    proc = haven("referral", "women-1366", "nope", "nada", "--db", str(db_path))
    assert_one_line_error(proc, "'nope'", "'nada'")
    assert proc.stdout == ""


@pytest.mark.parametrize("fmt", ["text", "sms"])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_referral_fits_one_message(catalog: Catalog, fmt: str, lang: str) -> None:
    for r in catalog.resources:
        text = referral([r], lang, fmt)  # type: ignore[arg-type]
        assert text.startswith(r.name.get(lang))
        assert message_kind(text) is not None
        if fmt == "sms":
            text.encode("euc_kr")  # Korean carriers deliver KS X 1001 only
            assert "☎" not in text and "–" not in text
    # Several at once still fit: "prepare" lines, then links, give way first.
    several = referral(catalog.resources[:12], lang, fmt)  # type: ignore[arg-type]
    assert sms_bytes(several) <= LMS_BYTES
    with pytest.raises(ReferralTooLong, match="send fewer"):
        referral(catalog.resources, lang, fmt)  # type: ignore[arg-type]


def test_referral_lengths_are_counted_as_carriers_do() -> None:
    assert sms_bytes("1366 (24시간)") == 13
    assert message_kind("가" * 45) == "SMS" and message_kind("가" * 46) == "LMS"
    assert message_kind("a" * SMS_BYTES) == "SMS" and message_kind("가" * 1001) is None


def test_hours_and_prepare_words(catalog: Catalog) -> None:
    klac = next(r for r in catalog.resources if r.hours and r.hours.weekly and r.hours.holidays == "closed")
    span = klac.hours.weekly[0] if klac.hours else None
    assert span is not None and span.days == ["mon", "tue", "wed", "thu", "fri"]
    assert hours_text(klac.hours, "ko") == f"월–금 {span.open}–{span.close} (공휴일 휴무)"
    assert (
        hours_text(klac.hours, "en", dash="-")
        == f"Mon-Fri {span.open}-{span.close} (closed on public holidays)"
    )
    assert hours_text(None, "en") is None
    assert prepare_text(catalog.by_id["women-1366"]) is None
    google = catalog.by_id["google-search-intimate-images"]
    assert (prepare_text(google, "en") or "").startswith("copy the web addresses")


# -- audit, schema, export -----------------------------------------------------------------------------


def test_audit_json_and_strict() -> None:
    proc = haven("audit", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    report = json.loads(proc.stdout)
    assert set(report) == {"date", "resources", "counts", "findings", "numbers"}
    one = next(f for f in report["findings"] if f["check"] == "shared-phone" and f["subject"] == "1366")
    assert one["expected"] is True and "women-1366" in one["resources"]
    strict = haven("audit", "--strict")
    has_problems = any(n for n in report["counts"].values())
    assert strict.returncode == (3 if has_problems else 0)
    assert strict.stdout.splitlines()[-1].startswith(f"{report['resources']} resources audited")


def clean_directory(data_dir: Path) -> None:
    """Three official, fresh, bilingual entries in every region: nothing for the audit to find."""
    regions = yaml.safe_load((data_dir / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    day = (dt.datetime.now(SEOUL).date() - dt.timedelta(days=1)).isoformat()
    entries = [
        {
            "id": f"centre-{g['code'].lower()}-{i}",
            "kind": "counselling-centre",
            "topics": ["counselling"],
            "name": {"ko": f"{g['name']['ko']} 상담소 {i}", "en": f"{g['name']['en']} Centre {i}"},
            "summary": {"ko": "상담해 줘요.", "en": "Someone listens."},
            "regions": [g["code"]],
            "sources": [{"url": f"https://example.org/{g['code']}/{i}", "as_of": day}],
            "checked": day,
            "confidence": "official",
        }
        for g in regions
        if g["code"] != "KR"
        for i in range(3)
    ]
    text = yaml.safe_dump({"resources": entries}, allow_unicode=True, sort_keys=False)
    shutil.rmtree(data_dir / "local", ignore_errors=True)  # the only entries are these
    (data_dir / "resources.yaml").write_text(text, encoding="utf-8")


def test_audit_strict_passes_on_clean_data(data_copy: Path) -> None:
    clean_directory(data_copy)
    proc = haven("audit", "--strict", "--data", str(data_copy))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("0 to look at, 0 expected")


def test_the_committed_schema_is_in_sync_with_the_model(tmp_path: Path) -> None:
    proc = haven("schema")
    assert proc.returncode == 0
    assert proc.stdout == SCHEMA.read_text(encoding="utf-8"), (
        "run: haven schema --out schema/resources.schema.json"
    )
    out = tmp_path / "deep" / "schema.json"
    assert haven("schema", "--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == proc.stdout
    first_line = (DATA / "resources.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schema/resources.schema.json"


def test_the_schema_accepts_the_real_data_and_rejects_a_typo() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    # An editor reads YAML 1.2, where `checked: 2026-11-25` is a string, not a date.
    data = json.loads(
        json.dumps(yaml.safe_load((DATA / "resources.yaml").read_text(encoding="utf-8")), default=str)
    )
    assert [e.message for e in validator.iter_errors(data)] == []
    data["resources"][0]["phonez"] = []
    assert [e.message for e in validator.iter_errors(data)]


def test_schema_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert_one_line_error(haven("schema", "--out", str(blocker / "s.json")), "cannot write")


def test_export_hsds(tmp_path: Path) -> None:
    proc = haven("export", "--format", "hsds", "--out", str(tmp_path / "hsds"))
    assert proc.returncode == 0 and proc.stderr == ""
    names = {p.name for p in (tmp_path / "hsds").iterdir()}
    assert {"services.json", "services.csv", "datapackage.json"} <= names
    assert names == {"services.json", "datapackage.json", *(path for path, _ in TABLES.values())}
    services = json.loads((tmp_path / "hsds" / "services.json").read_text(encoding="utf-8"))
    assert isinstance(services, list) and services[0]["haven_id"] == "women-1366"


def test_export_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert_one_line_error(haven("export", "--format", "hsds", "--out", str(blocker)), "cannot write")


@pytest.mark.parametrize(("name", "value"), [("HAVEN_SEND_TIMEOUT", "forever"), ("HAVEN_RATE_LIMIT", "fast")])
def test_serve_with_a_bad_setting_is_one_line(db_path: Path, name: str, value: str) -> None:
    proc = run_haven("serve", "--db", str(db_path), "--port", "1", env={name: value})
    assert_one_line_error(proc, name, repr(value))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_port_in_use_is_one_line(db_path: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        proc = run_haven("serve", "--db", str(db_path), "--port", port, "--workers", workers)
    assert_one_line_error(proc, f"127.0.0.1:{port}", "--port")


def test_serve_says_where_it_serves(db_path: Path) -> None:
    """With --port 0 its first line names the port it took (serve() reads it), and it answers there."""
    with serve(db_path) as (base, process):
        assert not base.endswith(":0")
        with urllib.request.urlopen(f"{base}/livez", timeout=10) as response:
            assert response.status == 200
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "Haven is serving" not in err  # said once


def test_export_knows_only_hsds(tmp_path: Path) -> None:
    proc = haven("export", "--format", "csv", "--out", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # click's usage error


# -- progress ------------------------------------------------------------------------------------------


def run_on_a_terminal(*args: str) -> tuple[int, str]:
    """Run haven with stderr on a pseudo-terminal; return the exit status and what it showed."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [HAVEN, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=follower, timeout=120
        )
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: everything has been read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.returncode, shown.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (("build", "--out", "{tmp}/haven.db"), "Building index"),
        (("export", "--out", "{tmp}/hsds"), "Exporting HSDS"),
        (("audit",), "Auditing"),
    ],
)
def test_long_work_shows_progress_only_on_a_terminal(
    tmp_path: Path, national_data: Path, args: tuple[str, ...], label: str
) -> None:
    argv = [a.format(tmp=tmp_path) for a in args] + ["--data", str(national_data)]
    code, shown = run_on_a_terminal(*argv)
    assert code == 0 and label in shown and "100%" in shown
    if (tmp_path / "haven.db").exists():
        (tmp_path / "haven.db").unlink()
    shutil.rmtree(tmp_path / "hsds", ignore_errors=True)
    quiet = haven(*argv)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_help_lists_every_command() -> None:
    proc = haven("--help")
    for command in ("validate", "build", "search", "serve", "show", "referral", "audit", "schema", "export"):
        assert command in proc.stdout


def test_search_says_what_it_understood(db_path: Path) -> None:
    proc = haven("search", "해운대", "상담", "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "해운대구(부산광역시) 기준으로 찾았어요"
    proc = haven("search", "tkdeka", "--lang", "en", "--db", str(db_path))
    assert "tkdeka → 상담" in proc.stdout.splitlines()[0]


def imported_modules(*args: str, tmp: Path) -> set[str]:
    """Every module a `haven` command imports, from ``python -X importtime`` (top-level names)."""
    import sys

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "service.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "HAVEN_DB": str(tmp)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [
        line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
    ]
    return {name.split(".")[0] for name in lines}


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("search", "부산", "상담"),
        ("show", "women-1366"),
        ("referral", "women-1366", "--format", "sms"),
        ("schema",),
    ],
)
def test_commands_other_than_serve_stand_without_the_web_stack(args: tuple[str, ...], db_path: Path) -> None:
    modules = imported_modules(*args, tmp=db_path)
    assert "search" in modules  # the command ran and the measurement sees imports
    assert not modules & {"litestar", "uvicorn", "jinja2"}, sorted(
        modules & {"litestar", "uvicorn", "jinja2"}
    )


# -- where services are, and how well each family is covered ------------------------------------


LOCAL_FIXTURE = """\
# yaml-language-server: $schema=../../schema/resources.schema.json
resources:
  - id: counselling-fixture-wonju
    kind: counselling-centre
    topics: [counselling, sexual-violence]
    name: {ko: 원주상담소, en: Wonju Counselling Centre}
    summary: {ko: 상담해 줘요., en: Someone listens.}
    regions: [KR-42]
    district: 원주시
    phones:
      - number: "033-000-0000"
        source: https://example.org/wonju
    sources: [{url: "https://example.org/wonju", as_of: 2019}]
    checked: 2026-12-04
    confidence: dated
    caveat: {ko: 2019년 목록이에요., en: From a 2019 list.}
"""


def test_audit_coverage_prints_the_table_and_the_districts_far_from_a_service(data_copy: Path) -> None:
    (data_copy / "local").mkdir(exist_ok=True)
    (data_copy / "local" / "zz-fixture.yaml").write_text(LOCAL_FIXTURE, encoding="utf-8")
    proc = haven("audit", "--coverage", "--data", str(data_copy))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("region"))
    columns = lines[head].split()[1:]
    assert columns[0] == "sv-counsel" and "1366" in columns
    rows = {line.split()[0]: line.split()[2:] for line in lines[head + 1 : head + 19]}
    assert len(rows) == 18 and "KR" in rows
    direct = json.loads(haven("audit", "--coverage", "--json", "--data", str(data_copy)).stdout)
    sv = next(f for f in direct["families"] if f["key"] == "sexual-violence-counselling")
    # The table says what the JSON says: have/real per region, and the fixture counts in Gangwon.
    assert rows["KR-42"][0] == f"{sv['by_region']['KR-42']}/{sv['real_by_region']['KR-42']}"
    assert sv["by_region"]["KR-42"] >= 1 and rows["KR"][0] == f"{sv['have']}/{sv['real']}"
    far = {(f["region"], f["district"]): f for f in sv["far"]}
    # 횡성군 has no centre of its own; its nearest is the fixture's (or another) in neighbouring 원주시.
    assert ("KR-42", "원주시") not in far and far[("KR-42", "횡성군")]["nearest_district"] == "원주시"
    section = proc.stdout.split("whose nearest in-person service")[1].split("\n  kcva: ")[0]
    assert "\n    KR-42 강원특별자치도: " in section and "횡성군 " in section
    assert "원주시 " not in section.replace("(원주시)", "")


def test_audit_coverage_without_its_file_is_one_line(national_data: Path) -> None:
    (national_data / "coverage.yaml").unlink()
    proc = haven("audit", "--coverage", "--data", str(national_data))
    assert proc.returncode == 1 and proc.stdout == ""
    assert (
        proc.stderr.startswith("haven: ")
        and "coverage.yaml" in proc.stderr
        and "Traceback" not in proc.stderr
    )


def test_audit_numbers_lists_each_number_oldest_first(national_data: Path) -> None:
    (national_data / "local").mkdir(exist_ok=True)
    (national_data / "local" / "zz-fixture.yaml").write_text(LOCAL_FIXTURE, encoding="utf-8")
    proc = haven("audit", "--numbers", "--data", str(national_data))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    years = [line[:4] for line in lines[:-1]]
    assert years == sorted(years) and lines[-1].startswith("numbers: ")
    mine = next(line for line in lines if "033-000-0000" in line)
    assert (
        mine.startswith("2019")
        and "counselling-fixture-wonju: its own source https://example.org/wonju" in mine
    )
    audit = haven("audit", "--data", str(national_data)).stdout
    assert (
        "  033-000-0000: last stated in 2019 (https://example.org/wonju) [counselling-fixture-wonju]" in audit
    )


def test_validate_fails_on_a_number_without_its_own_source(national_data: Path) -> None:
    (national_data / "local").mkdir(exist_ok=True)
    (national_data / "local" / "zz-fixture.yaml").write_text(LOCAL_FIXTURE, encoding="utf-8")
    assert haven("validate", "--data", str(national_data)).returncode == 0
    unsourced = LOCAL_FIXTURE.replace("        source: https://example.org/wonju\n", "")
    (national_data / "local" / "zz-fixture.yaml").write_text(unsourced, encoding="utf-8")
    strict = haven("validate", "--data", str(national_data))
    assert strict.returncode == 1 and "names no source" in strict.stderr
    assert (
        f"{national_data}/local/zz-fixture.yaml:11: resources[counselling-fixture-wonju].phones[0]: '033-000-0000'"
        in strict.stderr
    )
