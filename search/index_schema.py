"""The SQLite index's layout: its tables, columns, weights and tokens, and the version that names them.

The index (search/index.py) writes this layout and the SQLite engine reads it; a change to it
raises SCHEMA_VERSION, and an engine refuses an index of another version (``haven build`` again).
"""

from __future__ import annotations

import functools
import re

__all__ = (
    "COLUMN_BREAK",
    "FILTER_COLUMN",
    "FLAT_COLUMNS",
    "FTS_COLUMNS",
    "FTS_WEIGHTS",
    "INDEXES",
    "SCHEMA_VERSION",
    "TABLES",
    "TOKENIZER",
    "filter_token",
)

SCHEMA_VERSION = 7
#: Analysed text columns, in ranking order, and the weight of a term found in each.
FTS_COLUMNS = ("fts_name", "fts_aliases", "fts_tags", "fts_summary", "fts_body")
FTS_WEIGHTS = (6.0, 4.0, 4.0, 2.0, 1.0)
#: The analysed text is already normalised and cut into units: FTS5 only needs to split it at
#: spaces (ascii is the cheapest tokenizer that does) and stem English words.
TOKENIZER = "porter ascii"
#: The narrow per-resource columns the engine filters and ranks on (table ``flat``).
FLAT_COLUMNS = (
    "id", "kind", "cost", "regions", "topics", "audiences", "languages", "channels", "national",
    "confidence_rank", "names", "phone_digits", "always_open", "reachable", "platform", "has_phone",
    "district",
)  # fmt: skip


#: An FTS column of filter tokens (region, kind, topic …), so that filters narrow FTS5's own
#: matching instead of discarding rows one by one after it.
FILTER_COLUMN = "fts_filter"


_FILTER_PREFIX = {"region": "r", "kind": "k", "cost": "c", "topic": "t", "audience": "a", "language": "l",
                  "channel": "h"}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def filter_token(facet: str, value: str) -> str:
    """The FTS token that stands for ``facet = value``: ``("region", "KR-26")`` → ``rkr260``.

    Letters and digits only, so the ascii tokenizer keeps it whole, and it ends in a digit, so the
    porter stemmer leaves it as it is."""
    return _FILTER_PREFIX[facet] + re.sub(r"[^a-z0-9]", "", value.lower()) + "0"


#: Where one ranked column ends and the next begins in ``flat.text`` (never in analysed text).
COLUMN_BREAK = "\x01"

TABLES = f"""
CREATE TABLE resources (rowid INTEGER PRIMARY KEY, id TEXT, position INTEGER, kind TEXT, name_ko TEXT,
    name_en TEXT, record TEXT);
-- The engine filters, counts and ranks on these narrow rows; ``text`` (last, as it is the longest)
-- is the analysed text of the ranked FTS columns (all but the body, which is long and ranks
-- lowest) in ranking order, joined by COLUMN_BREAK.
CREATE TABLE flat (rowid INTEGER PRIMARY KEY, {", ".join(FLAT_COLUMNS)}, hours, text);
-- Contentless: the engine reads row ids from FTS5 and the text from ``flat``.
CREATE VIRTUAL TABLE resources_fts USING fts5({", ".join(FTS_COLUMNS)}, {FILTER_COLUMN}, content='', columnsize=0,
    tokenize='{TOKENIZER}');
CREATE TABLE resource_regions (region TEXT, rid INTEGER, PRIMARY KEY (region, rid)) WITHOUT ROWID;
CREATE TABLE phones (rid INTEGER, position INTEGER, number TEXT, digits TEXT, type TEXT);
CREATE TABLE phone_tails (tail TEXT, rid INTEGER);
CREATE TABLE links (rid INTEGER, type TEXT, url TEXT);
"""
INDEXES = """
CREATE UNIQUE INDEX resources_id ON resources (id);
-- Listings in catalog order, a page at a time (/api/v1/resources).
CREATE INDEX resources_position ON resources (position);
CREATE INDEX flat_national ON flat (national, rowid);
CREATE INDEX phones_digits ON phones (digits);
-- After the rows: one sort costs less than inserting endings in random order.
CREATE INDEX phone_tails_tail ON phone_tails (tail, rid);
"""
