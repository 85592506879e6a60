"""Configuration from command-line flags and HAVEN_* environment variables."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = (
    "LOOPBACK_HOSTS",
    "Settings",
    "deployment_problem",
    "is_loopback",
    "parse_hosts",
    "parse_proxies",
    "parse_rate_limit",
)

#: Host names that can only be this machine: always allowed in a request's Host.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

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


def _int_env(name: str, default: int, low: int, high: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _seconds_env(name: str, default: float, low: float, high: float) -> float:
    value = os.environ.get(name, str(default))
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not low <= seconds <= high:
        raise ValueError(f"{name} must be a number of seconds from {low:g} to {high:g}, not {value!r}")
    return seconds


def parse_proxies(value: str) -> tuple[str, ...]:
    """``"10.0.0.1, 10.1.0.0/16"`` → the addresses whose ``X-Forwarded-For`` is believed.

    Raises:
        ValueError: an item is not an IP address or network.
    """
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"HAVEN_TRUSTED_PROXIES must list IP addresses or networks (10.0.0.1, 10.0.0.0/8), not {item!r}"
            ) from None
    return items


_HOST_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def parse_hosts(value: str) -> tuple[str, ...]:
    """``"haven.example, www.haven.example"`` → host names a request may name (no ports).

    Raises:
        ValueError: an item is not a host name or IP address.
    """
    hosts = tuple(item.strip().lower().strip("[]") for item in value.split(",") if item.strip())
    for host in hosts:
        if not _HOST_NAME.match(host) and not _is_ip(host):
            raise ValueError(f"HAVEN_ALLOWED_HOSTS must list host names without ports, not {host!r}")
    return hosts


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _public_url() -> str | None:
    value = os.environ.get("HAVEN_PUBLIC_URL") or None
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"HAVEN_PUBLIC_URL must be the site's address, like https://haven.example, not {value!r}"
            )
    return value


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
    meili_url: str | None = field(default_factory=lambda: os.environ.get("HAVEN_MEILI_URL") or None)
    """A Meilisearch server to search first; the SQLite index answers when it cannot."""
    meili_key: str | None = field(default_factory=lambda: os.environ.get("HAVEN_MEILI_KEY") or None)
    """A search-only Meilisearch key (never the master key)."""
    meili_timeout: float = field(default_factory=lambda: float(os.environ.get("HAVEN_MEILI_TIMEOUT", "0.3")))
    """Seconds to wait for Meilisearch before answering from SQLite."""
    exit_url: str = field(default_factory=lambda: os.environ.get("HAVEN_EXIT_URL", "https://www.naver.com/"))
    """Where quick exit sends the visitor: a neutral page."""
    public_url: str | None = field(default_factory=_public_url)
    """The site's public address, for embed snippets, share links and QR codes.

    Required when serving beyond this machine (see :func:`deployment_problem`); on loopback the
    request's own address is used, after its Host has been checked against ``allowed_hosts``.
    """
    extra_hosts: tuple[str, ...] = field(
        default_factory=lambda: parse_hosts(os.environ.get("HAVEN_ALLOWED_HOSTS", ""))
    )
    """Host names besides the public URL's and loopback's that requests may name."""
    trusted_proxies: tuple[str, ...] = field(
        default_factory=lambda: parse_proxies(os.environ.get("HAVEN_TRUSTED_PROXIES", ""))
    )
    """Reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed; none by default."""
    max_connections: int = field(default_factory=lambda: _int_env("HAVEN_MAX_CONNECTIONS", 1000, 16, 100_000))
    """Open connections per server process; past it the oldest one still sending its head is closed."""
    head_timeout: float = field(default_factory=lambda: _seconds_env("HAVEN_HEAD_TIMEOUT", 10.0, 0.5, 120.0))
    """Seconds a client has to send its request line and headers."""
    send_timeout: float = field(default_factory=lambda: _seconds_env("HAVEN_SEND_TIMEOUT", 30.0, 0.5, 300.0))
    """Seconds an answer's unsent bytes may wait for the client to read them before it is dropped."""

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """Host names a request may name: loopback, the public URL's, and ``HAVEN_ALLOWED_HOSTS``."""
        public = urlsplit(self.public_url).hostname if self.public_url else None
        return tuple(dict.fromkeys([*LOOPBACK_HOSTS, *([public] if public else []), *self.extra_hosts]))


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) can only be this machine."""
    return host in LOOPBACK_HOSTS or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def deployment_problem(settings: Settings, host: str) -> str | None:
    """Why serving on ``host`` with these settings would be unsafe, or None.

    Off loopback, links, QR codes and the schools' snippet must not be built from whatever Host a
    request names: the site's address has to be configured.
    """
    if not is_loopback(host) and not settings.public_url:
        return (
            f"serving on {host} needs HAVEN_PUBLIC_URL (the address people use, like https://haven.example); "
            "links and QR codes are built from it"
        )
    return None
