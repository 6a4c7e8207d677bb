"""Fixtures for the store tests: every store lives under tmp_path, never in $HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tripolar.store import Store, open_store


@pytest.fixture(autouse=True)
def _isolated_store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $TRIPOLAR_STORE and the home directory into tmp_path for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    default = tmp_path / "env-store" / "store.sqlite"
    monkeypatch.setenv("TRIPOLAR_STORE", str(default))
    return default


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "stores" / "test.sqlite"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    opened = open_store(store_path)
    yield opened
    opened.close()


@pytest.fixture
def store_url(store_path: Path) -> str:
    """The location of a store that does not exist yet, as ``--store`` would take it."""
    return str(store_path)
