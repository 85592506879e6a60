"""Shared fixtures: the real data, a copy to break, and an index built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.catalog import Catalog, load_catalog
from search.index import build_index
from search.sqlite_engine import SqliteEngine

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HAVEN = str(Path(sys.executable).parent / "haven")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DATA)


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    return build_index(catalog, tmp_path_factory.mktemp("index") / "haven.db")


@pytest.fixture(scope="session")
def engine(db_path: Path) -> SqliteEngine:
    return SqliteEngine(db_path)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A throwaway copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def run_haven(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `haven` command as a user would."""
    return subprocess.run(
        [HAVEN, *args], cwd=cwd or ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
