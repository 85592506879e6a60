"""Print the relevance figures of every set, per group: recall@3, MRR, acceptable first result
and queries with another region's service in the top 3.

    .venv/bin/python -m tests.relevance.figures [--misses]

builds the index from data/ in a temporary directory and scores, through the SQLite engine, the
gating sets (queries.yaml, personas.yaml), the held-out set (holdout.yaml) and the independent
set (independent.yaml, written from personas before the data was read; reported only). With
``--misses`` it also lists every query that misses or whose first result is not acceptable.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from search.engine import Engine
from tests.relevance.harness import HOLDOUT, SETS, figures_table, first_ok, group_figures, judge, load_cases

INDEPENDENT = "independent.yaml"
#: The sets scored, by the name the report gives them.
REPORTED = {"gating": SETS, "held-out": (HOLDOUT,), "independent": (INDEPENDENT,)}
#: The groups printed: the whole set, victims' queries and the groups of issue 29.
GROUPS = ("all", "tag:victim", "tag:near", "tag:danger", "tag:language", "tag:button", "tag:spelled")


def describe(engine: Engine, misses: bool = False) -> str:
    directory = engine.resources()
    out = []
    for label, names in REPORTED.items():
        outcomes = [judge(engine, case) for case in load_cases(names)]
        out.append(f"{label} ({', '.join(names)}):")
        out.append(figures_table(group_figures(outcomes, directory), GROUPS))
        if misses:
            for o in outcomes:
                first = first_ok(o, directory)
                if o.rank is None or first is False:
                    what = "miss" if o.rank is None else "first"
                    region = " other-region" if o.other_region and not o.case.ambiguous else ""
                    out.append(f"    {what}{region}: {o.case.q!r} {o.case.params or ''} -> {o.ids}")
    return "\n".join(out)


def main() -> None:
    from search.catalog import load_catalog
    from search.index import build_index
    from search.sqlite_engine import SqliteEngine

    root = Path(__file__).resolve().parent.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        engine = SqliteEngine(build_index(load_catalog(root / "data"), Path(tmp) / "haven.db"))
        print(describe(engine, misses="--misses" in sys.argv[1:]))
        engine.close()


if __name__ == "__main__":
    main()
