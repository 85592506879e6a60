"""The ledger of relevance queries that pass (tests/relevance/ledger.yaml).

Every query of the gating sets that passes (an expected service in the top 3, no other region's,
an acceptable first result where the case judges one) is listed in ``passing``. A change that
makes a listed query fail must say why under ``changed`` (the query's key and a sentence), or
tests/search/test_relevance.py fails. Newly passing queries are added by running

    .venv/bin/python -m tests.relevance.ledger

which rebuilds the index from data/, keeps every reason already written and lists what passes now.
The held-out set is never in the ledger: it is not tuned against.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from search.engine import Engine
from tests.relevance.harness import HERE, SETS, Outcome, judge, load_cases, passes

LEDGER = HERE / "ledger.yaml"
_HEAD = """\
# Relevance queries that pass (tests/relevance/ledger.py says how this file is kept).
# passing: the key (set|query|parameters) of every gating query that passes today.
# changed: a listed query that a later change made fail, with the reason the change was right.
"""


def load() -> tuple[set[str], dict[str, str]]:
    data = yaml.safe_load(LEDGER.read_text(encoding="utf-8")) or {}
    return set(data.get("passing") or []), dict(data.get("changed") or {})


def regressions(engine: Engine, outcomes: list[Outcome] | None = None) -> tuple[list[str], list[str]]:
    """(listed queries that fail with no reason in ``changed``, queries that pass but are not listed).

    ``outcomes``: the gating sets already judged on ``engine`` (harness.report), not judged again.
    """
    passing, changed = load()
    directory = engine.resources()
    failed, new = [], []
    for outcome in outcomes if outcomes is not None else [judge(engine, case) for case in load_cases(SETS)]:
        case = outcome.case
        ok = passes(outcome, directory)
        if case.key in passing and not ok and case.key not in changed:
            failed.append(case.key)
        elif ok and case.key not in passing:
            new.append(case.key)
    return failed, new


def write(engine: Engine) -> int:
    """List every passing gating query, keeping the reasons already written; returns the count."""
    _, changed = load() if LEDGER.is_file() else (set(), {})
    directory = engine.resources()
    ok = sorted(c.key for c in load_cases(SETS) if passes(judge(engine, c), directory))
    body = {"passing": ok, "changed": dict(sorted(changed.items()))}
    LEDGER.write_text(
        _HEAD + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8"
    )
    return len(ok)


def main() -> None:
    from search.catalog import load_catalog
    from search.index import build_index
    from search.sqlite_engine import SqliteEngine

    root = Path(__file__).resolve().parent.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        db = build_index(load_catalog(root / "data"), Path(tmp) / "haven.db")
        engine = SqliteEngine(db)
        print(f"{write(engine)} passing queries in {LEDGER}", file=sys.stderr)
        engine.close()


if __name__ == "__main__":
    main()
