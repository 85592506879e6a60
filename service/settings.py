"""Configuration from command-line flags and HAVEN_* environment variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ("Settings", "parse_cache_size", "parse_rate_limit")

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


def parse_rate_limit(value: str) -> tuple[str, int] | None:
    """``"120/minute"`` → ``("minute", 120)``; ``"0"`` turns rate limiting off (``None``).

    Raises:
        ValueError: the value is neither ``0`` nor ``N/unit``.
    """
    if value.strip() == "0":
        return None
    m = _RATE.match(value)
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"HAVEN_RATE_LIMIT must look like 120/minute or be 0, not {value!r}")
    return m.group(2), int(m.group(1))


def parse_cache_size(value: str) -> int:
    """``"32"`` (MiB) → bytes; ``"0"`` keeps no answers.

    Raises:
        ValueError: the value is not a whole number of MiB from 0 to 4096.
    """
    if not value.strip().isdigit() or int(value) > 4096:
        raise ValueError(f"HAVEN_ANSWER_CACHE_MB must be a whole number of MiB from 0 to 4096, not {value!r}")
    return int(value) * 2**20


@dataclass
class Settings:
    """Everything the service needs to start."""

    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("HAVEN_DATA", "data")))
    """The data directory (resources.yaml, regions.yaml, taxonomy.yaml, synonyms.yaml)."""
    db_path: Path = field(default_factory=lambda: Path(os.environ.get("HAVEN_DB", "var/haven.db")))
    """The SQLite index the service reads."""
    rate_limit: tuple[str, int] | None = field(
        default_factory=lambda: parse_rate_limit(os.environ.get("HAVEN_RATE_LIMIT", "120/minute"))
    )
    """Requests per client per period on the API, or None for no limit."""
    answer_cache: int = field(
        default_factory=lambda: parse_cache_size(os.environ.get("HAVEN_ANSWER_CACHE_MB", "32"))
    )
    """Bytes of repeated answers kept in memory for the rest of their minute (service/answer_cache.py)."""
    meili_url: str | None = field(default_factory=lambda: os.environ.get("HAVEN_MEILI_URL") or None)
    """A Meilisearch server to search first; the SQLite index answers when it cannot."""
    meili_key: str | None = field(default_factory=lambda: os.environ.get("HAVEN_MEILI_KEY") or None)
    """A search-only Meilisearch key (never the master key)."""
    meili_timeout: float = field(default_factory=lambda: float(os.environ.get("HAVEN_MEILI_TIMEOUT", "0.3")))
    """Seconds to wait for Meilisearch before answering from SQLite."""
    exit_url: str = field(default_factory=lambda: os.environ.get("HAVEN_EXIT_URL", "https://www.naver.com/"))
    """Where quick exit sends the visitor: a neutral page."""
    public_url: str | None = field(default_factory=lambda: os.environ.get("HAVEN_PUBLIC_URL") or None)
    """The site's public address, for embed snippets and QR codes (default: the request's own)."""
