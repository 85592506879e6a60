"""The service's tests: one Litestar test client per module, on the session's index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    """The settings of :func:`client`: no rate limit. A module overrides this fixture for others."""
    return Settings(db_path=db_path, rate_limit=None)


@pytest.fixture(scope="module")
def client(client_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(client_settings)) as c:
        yield c
