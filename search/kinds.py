"""The kinds of service and what the ranking knows of each (data/kinds.yaml).

One table, read by the catalog and kept in the index beside the needs: each kind's place in the
tie order (the file's order), the gentle weight of its field score, and whether a person answers.
The build orders rows by it, the search reads it from the index (never from the file), and the
region page orders its cards by it. Nothing about kinds is written in code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from search.model import Key

__all__ = ("Kind", "KindTable", "KindsFile")


class Kind(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One kind of service (a key of data/taxonomy.yaml)."""

    key: Key
    #: Multiplies the field score: above 1 for lines that act at once, below 1 for what only
    #: informs. Bounded so that it can never lift a weak match over a strong one.
    weight: Annotated[float, Meta(ge=0.5, le=2.0)] = 1.0
    #: A person answers (a line to phone tonight): what a victim's query needs in its first two.
    human: bool = False


class KindsFile(msgspec.Struct, forbid_unknown_fields=True):
    """data/kinds.yaml as written."""

    kinds: list[Kind]


class KindTable:
    """The kinds in tie order, with their weights and the kinds where a person answers.

    A kind the table lacks (a catalog made in code without one) comes after every listed kind,
    weighs 1 and has no person answering; `haven validate` lets no such kind into the data."""

    def __init__(self, kinds: Iterable[Kind] = ()) -> None:
        self.kinds = list(kinds)
        self._rank = {k.key: i for i, k in enumerate(self.kinds)}
        self._weight = {k.key: k.weight for k in self.kinds}
        #: Kinds of service where a person answers the phone.
        self.human = frozenset(k.key for k in self.kinds if k.human)

    def rank(self, kind: str) -> int:
        """The place of ``kind`` in the tie order (lower first)."""
        return self._rank.get(kind, len(self._rank))

    def weight(self, kind: str) -> float:
        """The prior that multiplies a ``kind``'s field score."""
        return self._weight.get(kind, 1.0)

    def to_builtins(self) -> list[Any]:
        """The table as the index's meta keeps it."""
        out: list[Any] = msgspec.to_builtins(self.kinds)
        return out

    @classmethod
    def from_builtins(cls, data: object) -> KindTable:
        """The table as :meth:`to_builtins` wrote it.

        Raises:
            msgspec.ValidationError: it is not such a table.
        """
        return cls(msgspec.convert(data or [], list[Kind]))
