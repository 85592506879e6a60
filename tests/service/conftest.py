"""The service's tests: a Litestar test client per module on the session's index (one for all the
modules that keep the default settings)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.live import LiveState
from service.settings import Settings


def serve_engine(app: Litestar, engine: Any) -> None:
    """Have ``app`` serve ``engine`` from its next request on, the vocabulary and guides kept.

    The live object is replaced in one assignment, as a reload does (service/live.py), but without
    the reload's listeners: the ETag's data hash stays (the tests' engines wrap the same index)
    and the HSDS objects are compiled on their first use instead of at once (a second or so each).
    """
    state = app.state
    assert isinstance(state, LiveState)
    state["live"] = dataclasses.replace(state.live, engine=engine)


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    """The settings of :func:`client`: no rate limit. A module overrides this fixture for others."""
    return Settings(db_path=db_path, rate_limit=None)


@pytest.fixture(scope="session")
def default_client(db_path: Path) -> Iterator[TestClient]:
    """One app on the default settings of :func:`client_settings`, for every module that keeps
    them (building an app compiles the HSDS objects and opens the index: about a second)."""
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=None))) as c:
        yield c


@pytest.fixture(scope="module")
def client(client_settings: Settings, db_path: Path, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    if client_settings == Settings(db_path=db_path, rate_limit=None):
        yield request.getfixturevalue("default_client")
        return
    with TestClient(create_app(client_settings)) as c:
        yield c
