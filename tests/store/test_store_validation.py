"""Validation before any write: column lengths, NUL characters, over-long store paths.

Every identifier the store keeps in a length-limited column is checked against that
column's declared length (``tripolar.store.models``) before a transaction starts, and a
new SQLite store is created only by the first write that passes those checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

from tripolar.errors import InputError
from tripolar.store import Store, open_store
from tripolar.store.models import DatasetEdition, PostureText, Run, TreatyText

EDITION = "e" * 64
YAML = "id: x\n"


def _length(model: type, column: str) -> int:
    length = model.__table__.c[column].type.length
    assert isinstance(length, int)
    return length


def _save(field: str, value: str) -> Callable[[Store], object]:
    """A save in which ``field`` is ``value`` and everything else is valid."""

    def save(store: Store) -> object:
        if field == "command":
            return store.record_run(value, {}, {}, dataset_hash=None)
        if field == "tool_version":
            return store.record_run("assess", {}, {}, dataset_hash=None, tool_version=value)
        if field == "status":
            return store.record_run("assess", {}, {}, dataset_hash=None, status=value)
        with store.run("assess", {}, dataset_hash=EDITION) as run:
            if field == "treaty_id":
                run.add_treaty(value, YAML)
            elif field == "party":
                run.add_posture(value, "2024-01-01", YAML)
            elif field == "as_of":
                run.add_posture("US", value, YAML)
            elif field == "name":
                run.add_dataset_edition(EDITION, value, {"forces.csv": "a" * 64})
        return run.record

    return save


LIMITED = [
    ("command", Run, "command"),
    ("tool_version", Run, "tool_version"),
    ("status", Run, "status"),
    ("treaty_id", TreatyText, "treaty_id"),
    ("party", PostureText, "party"),
    ("as_of", PostureText, "as_of"),
    ("name", DatasetEdition, "name"),
]


def _rows(store: Store) -> int:
    with store.engine.connect() as conn:
        tables = ("runs", "treaties", "postures", "dataset_editions")
        return sum(
            int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in tables
        )


@pytest.mark.parametrize(("field", "model", "column"), LIMITED, ids=[f for f, *_ in LIMITED])
def test_identifiers_up_to_the_column_length_are_kept(
    store_url: str, field: str, model: type, column: str
) -> None:
    """At the limit the value is saved whole (PostgreSQL enforces varchar lengths)."""
    value = "z" * _length(model, column)
    with open_store(store_url) as store:
        assert _save(field, value)(store) is not None
        assert _rows(store) >= 1


@pytest.mark.parametrize(("field", "model", "column"), LIMITED, ids=[f for f, *_ in LIMITED])
def test_over_long_identifiers_are_one_line_errors_naming_the_field(
    store_url: str, backend: str, field: str, model: type, column: str, tmp_path: Path
) -> None:
    limit = _length(model, column)
    before = set(tmp_path.rglob("*"))
    store = open_store(store_url)
    with pytest.raises(InputError) as info:
        _save(field, "z" * (limit + 1))(store)
    message = str(info.value)
    assert f"field '{field}'" in message
    assert f"at most {limit} characters" in message
    assert f"is {limit + 1} characters long" in message
    assert "\n" not in message and len(message) < 300
    if backend == "sqlite":
        # Nothing was valid to save, so the new store was never created.
        assert set(tmp_path.rglob("*")) == before
    else:
        assert _rows(store) == 0
    store.close()


def test_an_invalid_run_in_an_existing_store_writes_nothing(store: Store) -> None:
    store.record_run("assess", {}, {}, dataset_hash=None)
    with pytest.raises(InputError, match="treaty_id"), store.run("x", {}, dataset_hash=None) as run:
        run.add_posture("US", 2024, YAML)
        run.add_treaty("t" * 201, YAML)
    assert _rows(store) == 1


@pytest.mark.parametrize(
    ("save", "field"),
    [
        (lambda s: s.record_run("assess", {"a\x00": 1}, {}, dataset_hash=None), "inputs"),
        (
            lambda s: s.record_run("assess", {}, {"x": ["ok", "b\x00d"]}, dataset_hash=None),
            "outputs",
        ),
        (lambda s: s.save_treaty("new\x00start", YAML), "treaty_id"),
        (lambda s: s.save_treaty("new-start", "id: a\x00\n"), "treaty text"),
        (lambda s: s.save_posture("US", 2024, "party: US\x00"), "posture text"),
    ],
)
def test_nul_characters_are_refused_before_writing(
    store: Store, save: Callable[[Store], object], field: str
) -> None:
    """PostgreSQL cannot keep U+0000 in text or jsonb; no backend accepts it."""
    with pytest.raises(InputError, match="NUL") as info:
        save(store)
    assert f"field '{field}'" in str(info.value)
    assert _rows(store) == 0


def test_nul_is_located_in_the_document(store: Store) -> None:
    with pytest.raises(InputError, match=r"at x\[1\]"):
        store.record_run("assess", {}, {"x": ["ok", "b\x00d"]}, dataset_hash=None)


# The command line ------------------------------------------------------------------


def _long_treaty(tmp_path: Path, length: int) -> Path:
    source = resources.files("tripolar.treaty") / "builtin" / "new-start.yaml"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = ["id: " + "a" * length + "\n" if ln.startswith("id:") else ln for ln in lines]
    path = tmp_path / "long-id.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _assert_one_line_exit_2(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_count_with_an_over_long_treaty_id_creates_no_store(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    treaty = _long_treaty(tmp_path, _length(TreatyText, "treaty_id") + 50)
    stores = tmp_path / "stores"
    code, out, err = cli("count", "--treaty", str(treaty), "--store", str(stores / "s.sqlite"))
    _assert_one_line_exit_2(code, out, err, "field 'treaty_id'", "at most 200 characters")
    assert not stores.exists()


def test_count_with_a_treaty_id_at_the_limit_is_saved(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    treaty = _long_treaty(tmp_path, _length(TreatyText, "treaty_id"))
    path = tmp_path / "s.sqlite"
    code, _, err = cli("count", "--treaty", str(treaty), "--store", str(path))
    assert code == 0, err
    with open_store(path, create=False) as store:
        assert [r.command for r in store.list_runs()] == ["count"]


def _name_max(directory: Path) -> int:
    return int(os.pathconf(directory, "PC_NAME_MAX")) if hasattr(os, "pathconf") else 255


@pytest.mark.parametrize("where", ["file", "directory"])
def test_store_path_longer_than_the_name_limit_is_one_line_exit_2(
    tmp_path: Path,
    cli,
    where: str,  # type: ignore[no-untyped-def]
) -> None:
    long_name = "x" * (_name_max(tmp_path) + 1)
    target = tmp_path / long_name if where == "file" else tmp_path / long_name / "s.sqlite"
    before = set(tmp_path.rglob("*"))
    code, out, err = cli("count", "--treaty", "new-start", "--store", str(target))
    _assert_one_line_exit_2(code, out, err, f"{where} name", "bytes long")
    assert set(tmp_path.rglob("*")) == before


def test_store_file_name_leaves_room_for_the_files_beside_it(tmp_path: Path) -> None:
    """-journal, -wal, -shm and .lock are added to the name: the longest name that works."""
    longest = tmp_path / ("s" * (_name_max(tmp_path) - len("-journal")))
    with open_store(longest) as store:
        store.record_run("assess", {}, {}, dataset_hash=None)
        assert len(store.list_runs()) == 1
    with pytest.raises(InputError, match="file name"):
        open_store(longest.with_name(longest.name + "s"))


def test_path_longer_than_path_max_is_an_input_error(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*(["d" * 200] * 30), "s.sqlite")
    before = set(tmp_path.rglob("*"))
    with pytest.raises(InputError) as info:
        open_store(deep).record_run("assess", {}, {}, dataset_hash=None)
    assert "\n" not in str(info.value)
    assert set(tmp_path.rglob("*")) == before
