"""Run the relevance sets against any engine and score them strictly.

A query passes only when one of its expected resources is *itself* in the top 3 (a mention of it
elsewhere in a result does not count). A query naming a place also fails when any of its top 3
belongs to another region. Scores are printed per persona and per tag; for victims' queries the
harness also measures what a frightened person presses first: a callable human line in the top 2,
an acceptable first answer, and how often a service abroad or an unnamed platform's form is first.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import yaml

from search.engine import Engine
from search.model import Query, Resource

HERE = Path(__file__).parent
#: The sets that gate the suite (the held-out set is scored apart, see ``holdout_report``).
SETS = ("queries.yaml", "personas.yaml")
HOLDOUT = "holdout.yaml"
#: Services run from outside Korea (as data/needs.yaml lists them; read here from the data file
#: the engine does not see, so the test does not take the ranking's word for it).
ABROAD_WORDS = re.compile(
    r"해외|외국|미국|호주|국제|해시|hash|abroad|overseas|international|\busa?\b|america|australia|ncmec|esafety|stopncii|take ?it ?down|테이크"
)


@dataclass
class Case:
    q: str
    params: dict[str, object] = field(default_factory=dict)
    expect: list[str] = field(default_factory=list)
    expect_prefix: list[str] = field(default_factory=list)
    first: list[str] = field(default_factory=list)
    region: str | None = None
    ambiguous: bool = False
    persona: str = "maintainer"
    tags: list[str] = field(default_factory=list)
    source: str = ""
    #: The 시·군·구 the person names: the first result must be a service of ``near_kinds`` there
    #: when the directory has one, else a service of the region (see ``first_ok``).
    near: str | None = None
    near_kinds: list[str] = field(default_factory=list)

    @property
    def victim(self) -> bool:
        return "victim" in self.tags

    @property
    def key(self) -> str:
        """How the ledger names the case: its set, its text and its parameters."""
        params = ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.source}|{self.q}|{params}"

    def wants(self, rid: str) -> bool:
        return rid in self.expect or any(rid.startswith(p) for p in self.expect_prefix)


@dataclass
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first expected resource in the top 3, or None
    top: list[Resource]
    other_region: bool = False

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.top[:3]]


#: PyYAML's safe loader, through libyaml when PyYAML was built with it: the same data, read several
#: times faster (the sets are 250 KB, read by several tests and benchmarks).
_SAFE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_cases(names: Iterable[str] = SETS) -> list[Case]:
    """Every case of the named sets (a set that is not there yet is skipped), duplicates removed."""
    out: dict[str, Case] = {}
    for name in names:
        path = HERE / name
        if not path.is_file():
            continue
        for c in yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE)["queries"]:
            case = Case(
                q=str(c["q"]),
                params=c.get("params", {}),
                expect=[str(x) for x in c.get("expect", [])],
                expect_prefix=[str(x) for x in c.get("expect_prefix", [])],
                first=[str(x) for x in c.get("first", [])],
                region=c.get("region"),
                ambiguous=bool(c.get("ambiguous", False)),
                persona=c.get("persona", "maintainer"),
                tags=list(c.get("tags", [])),
                source=name,
                near=c.get("near"),
                near_kinds=[str(k) for k in c.get("near_kinds", [])],
            )
            key = unicodedata.normalize("NFKC", case.q).casefold().strip() + repr(sorted(case.params.items()))
            out.setdefault(key, case)
    return list(out.values())


def judge(engine: Engine, case: Case) -> Outcome:
    results = engine.search(msgspec.convert({"q": case.q, "limit": 10, **case.params}, Query))
    top = [h.resource for h in results.results[:10]]
    three = top[:3]
    other = bool(case.region) and any("KR" not in r.regions and case.region not in r.regions for r in three)
    rank = None
    if case.expect or case.expect_prefix:
        rank = next((i for i, r in enumerate(three, start=1) if case.wants(r.id)), None)
    elif case.region:
        rank = next((i for i, r in enumerate(three, start=1) if case.region in r.regions), None)
    if other and not case.ambiguous:
        rank = None
    return Outcome(case, rank, top, other)


def in_district(r: Resource, district: str) -> bool:
    """Whether ``r`` is in (or is written as the city holding) the 시·군·구 ``district``."""
    if not r.district:
        return False
    mine, theirs = district.split(), r.district.split()
    return mine[-1] in theirs or theirs[-1] in mine


#: Personas who may be, or ask for, someone under 18.
YOUNG = frozenset({"teen", "parent", "teacher"})


def serves_her(r: Resource, case: Case) -> bool:
    """Whether ``r`` can answer the person of ``case``: a service for under-18s only does not
    answer an adult (a student, a resident) who names her town."""
    return (
        case.persona in YOUNG
        or "minors" not in r.audiences
        or bool({"adults", "everyone"} & set(r.audiences))
    )


def first_ok(o: Outcome, directory: list[Resource]) -> bool | None:
    """Whether the first result is acceptable (None: the case does not judge the first result).

    A case with ``near``: when the directory has a service of ``near_kinds`` in that 시·군·구, the
    first result must be one of them (one for under-18s only counts for a young person's case);
    otherwise a service of the case's region. Read from the
    directory itself, not from what the engine says about it."""
    if o.case.near:
        if not o.top:
            return False
        there = [r for r in directory if in_district(r, o.case.near) and o.case.region in r.regions
                 and (not o.case.near_kinds or r.kind in o.case.near_kinds) and serves_her(r, o.case)]  # fmt: skip
        top = o.top[0]
        if there:
            return top.id in {r.id for r in there} or (bool(o.case.first) and top.id in o.case.first)
        return (o.case.region in top.regions and "KR" not in top.regions) or top.id in o.case.first
    if not o.case.first:
        return None
    return bool(o.top) and o.top[0].id in o.case.first


def passes(o: Outcome, directory: list[Resource]) -> bool:
    """What the ledger keeps: an expected service in the top 3, no other region's, and an
    acceptable first result where the case judges one."""
    return (
        o.rank is not None
        and not (o.other_region and not o.case.ambiguous)
        and first_ok(o, directory) is not False
    )


def score(outcomes: list[Outcome]) -> tuple[float, float]:
    """(recall@3, mean reciprocal rank over the top 3)."""
    n = max(len(outcomes), 1)
    recall = sum(o.rank is not None for o in outcomes) / n
    mrr = sum(1 / o.rank for o in outcomes if o.rank) / n
    return recall, mrr


@functools.cache
def human_kinds() -> frozenset[str]:
    """The kinds of service where a person answers, as data/kinds.yaml marks them."""
    path = HERE.parent.parent / "data" / "kinds.yaml"
    return frozenset(
        k["key"] for k in yaml.safe_load(path.read_text(encoding="utf-8"))["kinds"] if k.get("human")
    )


def _callable(r: Resource) -> bool:
    return r.kind in human_kinds() and any(p.type != "sms" for p in r.phones)


@dataclass
class FirstCall:
    victims: int
    human_top2: float
    first_ok: float
    first_judged: int
    abroad_first: list[str]
    unnamed_platform_first: list[str]


def first_call(outcomes: list[Outcome], platforms: dict[str, list[str]], abroad: set[str]) -> FirstCall:
    """What a victim would press first, over the victims' queries."""
    victims = [o for o in outcomes if o.case.victim]
    judged = [o for o in victims if o.case.first]
    human = sum(any(_callable(r) for r in o.top[:2]) for o in victims)
    ok = sum(bool(o.top) and o.top[0].id in o.case.first for o in judged)
    abroad_first, unnamed = [], []
    for o in outcomes:
        if not o.top:
            continue
        top = o.top[0]
        text = unicodedata.normalize("NFKC", o.case.q).casefold()
        if top.id in abroad and not ABROAD_WORDS.search(text) and not o.case.wants(top.id):
            abroad_first.append(o.case.q)
        if top.kind == "platform-report" and top.platform:
            named = any(a in text for a in platforms.get(top.platform, []))
            if not named and not o.case.wants(top.id):
                unnamed.append(o.case.q)
    return FirstCall(
        victims=len(victims),
        human_top2=human / max(len(victims), 1),
        first_ok=ok / max(len(judged), 1),
        first_judged=len(judged),
        abroad_first=abroad_first,
        unnamed_platform_first=unnamed,
    )


def groups(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes by persona and by tag (a query counts in each of its groups)."""
    out: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        out[f"persona:{o.case.persona}"].append(o)
        for t in o.case.tags:
            out[f"tag:{t}"].append(o)
    return dict(sorted(out.items()))


def report(engine: Engine, label: str, names: Iterable[str] = SETS) -> tuple[list[Outcome], str]:
    """Run the sets through ``engine``; the outcomes and a printable report."""
    outcomes = [judge(engine, case) for case in load_cases(names)]
    recall, mrr = score(outcomes)
    lines = [f"{label} relevance: {len(outcomes)} queries, recall@3 = {recall:.3f}, MRR = {mrr:.3f}"]
    for name, members in groups(outcomes).items():
        r, m = score(members)
        lines.append(f"  {name:<24} n={len(members):<4} recall@3 = {r:.3f}  MRR = {m:.3f}")
    for o in outcomes:
        if o.rank is None:
            why = " (another region in the top 3)" if o.other_region else ""
            lines.append(f"  miss{why}: {o.case.q!r} -> {o.ids}")
    return outcomes, "\n".join(lines)


def platforms_of(engine: Engine) -> dict[str, list[str]]:
    return {
        t.key: [
            unicodedata.normalize("NFKC", a).casefold() for a in [t.key, t.label.ko, t.label.en, *t.aliases]
        ]
        for t in engine.taxonomy().get("platform", [])
    }


def abroad_ids() -> set[str]:
    """Services run from outside Korea, as data/needs.yaml lists them."""
    path = HERE.parent.parent / "data" / "needs.yaml"
    return set(yaml.safe_load(path.read_text(encoding="utf-8")).get("abroad", []))


def check_relevance(engine: Engine, label: str, recall_floor: float = 0.95) -> None:
    """Run every gating set through ``engine``, print the report, fail below ``recall_floor``."""
    outcomes, text = report(engine, label)
    print("\n" + text)
    recall, _ = score(outcomes)
    assert recall >= recall_floor, f"{label}: recall@3 {recall:.3f} < {recall_floor}"


@dataclass
class GroupFigures:
    n: int
    recall: float
    mrr: float
    first_ok: float | None  # over the cases that judge a first result
    first_judged: int
    other_region: int


def group_figures(outcomes: list[Outcome], directory: list[Resource]) -> dict[str, GroupFigures]:
    """recall@3, MRR, the share of acceptable first results and the count of queries with another
    region's service in the top 3, per persona and tag (and ``all``)."""
    out = {}
    for name, members in {"all": outcomes, **groups(outcomes)}.items():
        recall, mrr = score(members)
        judged = [ok for o in members if (ok := first_ok(o, directory)) is not None]
        out[name] = GroupFigures(
            n=len(members),
            recall=recall,
            mrr=mrr,
            first_ok=sum(judged) / len(judged) if judged else None,
            first_judged=len(judged),
            other_region=sum(o.other_region and not o.case.ambiguous for o in members),
        )
    return out


def figures_table(figures: dict[str, GroupFigures], only: Iterable[str] | None = None) -> str:
    keep = set(only) if only is not None else None
    lines = [f"  {'group':<24} {'n':>4} {'recall@3':>9} {'MRR':>6} {'first ok':>9} {'other region':>13}"]
    for name, f in figures.items():
        if keep is not None and name not in keep:
            continue
        first = f"{f.first_ok:.3f}/{f.first_judged}" if f.first_ok is not None else "-"
        lines.append(f"  {name:<24} {f.n:>4} {f.recall:>9.3f} {f.mrr:>6.3f} {first:>9} {f.other_region:>13}")
    return "\n".join(lines)
