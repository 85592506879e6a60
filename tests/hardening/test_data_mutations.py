"""A maintainer's slips in data/*.yaml: every mutated file gives `file:line` messages, never a traceback.

Each case takes a valid copy of the data (every file whole, resources.yaml cut to 16 entries that
only point at each other, so a case loads in a fraction of a second), changes one file the way a
hurried edit does — a line deleted, duplicated, moved or re-indented, a tab, an impossible date,
an alias, a tag, the file cut short — and loads it as `haven validate` does. The load either
succeeds or names every problem by file and line; nothing else may escape. A few cases go through
the real `haven validate`: one message per problem, exit status 1, no traceback.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from search.catalog import CatalogError, load_catalog
from tests.conftest import DATA, run_haven
from tests.hardening.conftest import MEASURES, SOAK, tried

FILES = ("resources.yaml", "regions.yaml", "taxonomy.yaml", "synonyms.yaml", "needs.yaml", "kinds.yaml",
         "places.yaml", "local/smile-centres.yaml")  # fmt: skip
# 14 of each mutation; with 8 files and 11 mutations (no common factor), case n mutates file
# n % 8 with mutation n % 11, so the first 88 cases try every file with every mutation once.
CASES = 2000 if SOAK else 154
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_LINE = re.compile(r"^(?P<file>[^:]+\.(?:yaml|tsv)):(?P<line>\d+): \S")


def _blocks(text: str) -> tuple[str, dict[str, str]]:
    """A resources file's text before its first entry, and each entry's text by id."""
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    blocks = {}
    for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
        match = re.match(r"  - id: (\S+)", text[a:])
        assert match is not None
        blocks[match.group(1)] = text[a:b]
    return text[: starts[0]] if starts else text, blocks


def _small_copy(target: Path) -> None:
    """data/ with resources.yaml and one local file, each cut to its first entry and the entries
    those point at (and theirs), in whichever file they are."""
    shutil.copytree(DATA, target)
    for other in (target / "local").glob("*.yaml"):  # one local file is enough to mutate
        if other.name != "smile-centres.yaml":
            other.unlink()
    files = [target / "resources.yaml", *sorted((target / "local").glob("*.yaml"))]
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    entries = {f: yaml.safe_load(t)["resources"] for f, t in texts.items()}
    by_id = {r["id"]: r for rs in entries.values() for r in rs}
    keep = [rs[0]["id"] for rs in entries.values() if rs]
    for rid in keep:  # grows while it is read: the closure over see_also
        keep += [ref for ref in by_id[rid].get("see_also") or [] if ref not in keep]
    for f, text in texts.items():
        head, blocks = _blocks(text)
        f.write_text(head + "".join(blocks[rid] for rid in keep if rid in blocks), encoding="utf-8")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data-base") / "data"
    _small_copy(data)
    load_catalog(data)  # the base itself is valid
    return data


# -- mutations: (lines, rng) -> lines -------------------------------------------------------------

Mutation = Callable[[list[str], random.Random], list[str]]


def _at(lines: list[str], rng: random.Random) -> int:
    return rng.randrange(len(lines))


def _delete(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    return lines[:i] + lines[i + 1 :]


def _duplicate(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    return lines[: i + 1] + [lines[i]] + lines[i + 1 :]


def _swap(lines: list[str], rng: random.Random) -> list[str]:
    if len(lines) < 2:
        return _delete(lines, rng)
    i = rng.randrange(len(lines) - 1)
    return [*lines[:i], lines[i + 1], lines[i], *lines[i + 2 :]]


def _move(lines: list[str], rng: random.Random) -> list[str]:
    i, j = _at(lines, rng), _at(lines, rng)
    out = list(lines)
    out.insert(j, out.pop(i))
    return out


def _indent(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    return [*lines[:i], " " * rng.choice([1, 2, 4]) + lines[i], *lines[i + 1 :]]


def _dedent(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    return [*lines[:i], lines[i][rng.choice([1, 2]) :], *lines[i + 1 :]]


def _tab(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    line = lines[i]
    stripped = line.lstrip(" ")
    tabbed = "\t" + stripped if rng.random() < 0.5 else line.replace(": ", ":\t", 1)
    return [*lines[:i], tabbed, *lines[i + 1 :]]


def _bad_date(lines: list[str], rng: random.Random) -> list[str]:
    dated = [i for i, line in enumerate(lines) if _DATE.search(line)]
    if not dated:
        return _tab(lines, rng)
    i = rng.choice(dated)
    bad = rng.choice(["2026-02-30", "2026-13-01", "2025-00-10", "0000-00-00", "2026-04-31", "9999-99-99"])
    return [*lines[:i], _DATE.sub(bad, lines[i], count=1), *lines[i + 1 :]]


def _alias(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    line = lines[i]
    if ": " in line:
        key, _, value = line.partition(": ")
        line = f"{key}: *{rng.choice(['x', 'a1', 'ref'])}" if rng.random() < 0.5 else f"{key}: &a {value}"
    else:
        line = line + " *x"
    return [*lines[:i], line, *lines[i + 1 :]]


def _tag(lines: list[str], rng: random.Random) -> list[str]:
    i = _at(lines, rng)
    tag = rng.choice(["!!python/object/apply:os.system ['true']", "!!binary '@@@'", "!!float 1e99999",
                      "!!timestamp 2026-02-30", "!!int 0x", "!!set {a}", "!custom x", "!!omap [1]",
                      "!!str", "!!null x", "!!bool maybe", "!!timestamp 2026-02-30T25:61:00"])  # fmt: skip
    line = lines[i]
    key, sep, _ = line.partition(": ")
    return [*lines[:i], f"{key}: {tag}" if sep else f"{line} {tag}", *lines[i + 1 :]]


def _truncate(lines: list[str], rng: random.Random) -> list[str]:
    text = "".join(lines).encode()
    cut = text[: rng.randrange(len(text))]  # may end inside a UTF-8 character
    return [cut.decode("utf-8", "surrogateescape")]


MUTATIONS: dict[str, Mutation] = {
    "line deleted": _delete, "line duplicated": _duplicate, "lines swapped": _swap, "line moved": _move,
    "line indented": _indent, "line dedented": _dedent, "tab": _tab, "impossible date": _bad_date,
    "alias or anchor": _alias, "tag": _tag, "file cut short": _truncate,
}  # fmt: skip


def _write(path: Path, lines: list[str]) -> None:
    path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))


def _check(data: Path) -> list[str]:
    """The problems `haven validate` would print (none if the data loads), each checked for a line."""
    try:
        load_catalog(data)
    except CatalogError as exc:
        messages = [str(p) for p in exc.problems]
        assert messages, "an error with no problem in it"
        for message in messages:
            assert "\n" not in message and "Traceback" not in message, message
            match = _LINE.match(message)
            assert match is not None, f"no file:line in {message!r}"
            # places.tsv is not edited by hand, but names the region a broken regions.yaml dropped
            assert match["file"].endswith((*FILES, "places.tsv")), message
        return messages
    return []


def test_mutated_data_files_give_file_and_line_never_a_traceback(base: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(base, data)
    originals = {name: (base / name).read_text(encoding="utf-8").splitlines(keepends=True) for name in FILES}
    rng = random.Random(12)
    kinds = list(MUTATIONS)
    refused = 0
    for n in range(CASES):
        name = FILES[n % len(FILES)]
        kind = kinds[n % len(kinds)]
        mutated = MUTATIONS[kind](originals[name], rng)
        _write(data / name, mutated)
        try:
            refused += bool(_check(data))
        except Exception as exc:  # the case is named, so it can be replayed
            raise AssertionError(f"case {n} ({kind} in {name}): {type(exc).__name__}: {exc}") from exc
        finally:
            _write(data / name, originals[name])
        tried(f"data mutation: {kind}")
    MEASURES["data mutations tried"] = f"{CASES} ({refused} refused with file:line, the rest still valid)"
    assert refused > CASES // 2  # the mutations do break things: the check above is not idle


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [("resources.yaml", "checked: 2026-", "checked: 2026-02-30 #"), ("resources.yaml", "as_of: ", "as_of: !!binary @@"),
     ("regions.yaml", "  - code: ", "\t- code: "), ("synonyms.yaml", "- ", "- *x "),
     ("taxonomy.yaml", ":", ": !!timestamp 2026-02-30 #")],
)  # fmt: skip
def test_haven_validate_says_file_and_line_and_exits_1(
    base: Path, tmp_path: Path, name: str, old: str, new: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(base, data)
    text = (data / name).read_text(encoding="utf-8")
    assert old in text
    (data / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = run_haven("validate", "--data", str(data))
    tried("haven validate on a broken file")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("haven: "), proc.stderr
    assert all(
        _LINE.match(line.removeprefix(str(data) + "/")) or line.startswith(f"{data}/") for line in lines[:-1]
    )
    assert f"{name}:" in proc.stderr
